// Builders of events for the unit tests: one line per event, amounts in cents.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clientrisk/engine.hpp"

namespace clientrisk::test {

inline Date day(const char* iso) { return *Date::parse(iso); }
inline Date month_start(int year, int month) { return *Date::from_civil(year, static_cast<unsigned>(month), 1); }

inline Event make(Date d, const std::string& client, EventKind kind, std::string ref = {},
           std::optional<std::int64_t> cents = {}, std::optional<Date> due = {}, std::string detail = {}) {
  Event e;
  e.date = d;
  e.client = client;
  e.kind = kind;
  e.ref = std::move(ref);
  if (cents) e.amount = Money::from_cents(*cents);
  e.due = due;
  e.detail = std::move(detail);
  return e;
}
inline Event invoice(Date d, const std::string& c, const std::string& ref, std::int64_t cents, Date due) {
  return make(d, c, EventKind::invoice, ref, cents, due);
}
inline Event payment(Date d, const std::string& c, const std::string& ref, std::int64_t cents) {
  return make(d, c, EventKind::payment, ref, cents);
}
inline Event write_off(Date d, const std::string& c, const std::string& ref, std::int64_t cents) {
  return make(d, c, EventKind::write_off, ref, cents);
}
inline Event complaint(Date d, const std::string& c, int severity) {
  return make(d, c, EventKind::complaint, {}, {}, {}, std::to_string(severity));
}
inline Event returned(Date d, const std::string& c, const std::string& ref, std::int64_t cents) {
  return make(d, c, EventKind::return_, ref, cents);
}
inline Event dispute(Date d, const std::string& c, const std::string& ref, std::int64_t cents) {
  return make(d, c, EventKind::dispute_opened, ref, cents, {}, "quality");
}
inline Event resolve(Date d, const std::string& c, const std::string& ref, const char* outcome) {
  return make(d, c, EventKind::dispute_resolved, ref, {}, {}, outcome);
}
inline Event contract(Date d, const std::string& c, const std::string& ref) {
  return make(d, c, EventKind::contract_signed, ref, 0);
}
inline Event cancel(Date d, const std::string& c, const std::string& ref, const char* how) {
  return make(d, c, EventKind::contract_cancelled, ref, {}, {}, how);
}
inline Event notice(Date d, const std::string& c, const char* type) {
  return make(d, c, EventKind::legal_notice, {}, {}, {}, type);
}
inline Event review(Date d, const std::string& c, int rating) {
  return make(d, c, EventKind::review, {}, {}, {}, std::to_string(rating));
}

// Invoices of `cents` on the first of every month from January 2023, 30-day terms, each paid in
// full on its due date when that is on or before `until`.
inline std::vector<Event> prompt_payer(const std::string& client, int months, std::int64_t cents, Date until) {
  std::vector<Event> out;
  for (int k = 0; k < months; ++k) {
    const Date issued = month_start(2023 + k / 12, k % 12 + 1);
    if (issued > until) break;
    const std::string ref = "F" + std::to_string(k);
    out.push_back(invoice(issued, client, ref, cents, issued + 30));
    if (issued + 30 <= until) out.push_back(payment(issued + 30, client, ref, cents));
  }
  return out;
}

inline std::vector<Event> operator+(std::vector<Event> a, const std::vector<Event>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

constexpr std::size_t at(Factor f) { return static_cast<std::size_t>(f); }
constexpr std::size_t at(Feature f) { return static_cast<std::size_t>(f); }
inline std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

}  // namespace clientrisk::test
