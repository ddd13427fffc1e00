// Ledger events: the twelve kinds of the event file and their field rules.
// An Event is the caller's owning value; check_event() applies every rule that needs no ledger state.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "clientrisk/date.hpp"
#include "clientrisk/money.hpp"

namespace clientrisk {
inline namespace v1 {

// The numeric values are stable (they cross the C ABI later); the order is also the order in
// which events of one client and one date are applied, so an invoice precedes its payment.
enum class EventKind : std::uint8_t {
  invoice = 0,
  contract_signed = 1,
  payment = 2,
  credit_note = 3,
  write_off = 4,
  dispute_opened = 5,
  dispute_resolved = 6,
  complaint = 7,
  return_ = 8,
  contract_cancelled = 9,
  legal_notice = 10,
  review = 11,
};
inline constexpr int event_kind_count = 12;

inline constexpr std::array<std::string_view, event_kind_count> event_kind_names = {
    "invoice",          "contract_signed", "payment",   "credit_note",        "write_off",    "dispute_opened",
    "dispute_resolved", "complaint",       "return",    "contract_cancelled", "legal_notice", "review"};

constexpr std::string_view to_string(EventKind k) { return event_kind_names[static_cast<std::size_t>(k)]; }

constexpr std::optional<EventKind> parse_event_kind(std::string_view s) {
  for (std::size_t i = 0; i < event_kind_names.size(); ++i)
    if (event_kind_names[i] == s) return static_cast<EventKind>(i);
  return std::nullopt;
}

// Codes of the detail column, per kind. complaint and review carry 1..5 in the same byte.
enum class DisputeOutcome : std::uint8_t { credit_note = 1, rejected = 2, settled = 3, litigation = 4 };
enum class Cancellation : std::uint8_t { early = 1, at_term = 2 };
enum class LegalNotice : std::uint8_t { lawyer_letter = 1, formal_notice = 2, lawsuit = 3 };

inline constexpr std::array<std::string_view, 4> dispute_outcome_names = {"credit_note", "rejected", "settled",
                                                                          "litigation"};
inline constexpr std::array<std::string_view, 2> cancellation_names = {"early", "at_term"};
inline constexpr std::array<std::string_view, 3> legal_notice_names = {"lawyer_letter", "formal_notice", "lawsuit"};

// One event as the caller states it. Optional fields are empty when the file's cell is empty.
struct Event {
  Date date;
  std::string client;
  EventKind kind = EventKind::invoice;
  std::string ref;                  // invoice or contract id; empty when absent
  std::optional<Money> amount;      // the amount column
  std::optional<Date> due;          // invoice due date, contract end date
  std::string detail;               // free text or a code, per kind

  friend bool operator==(const Event&, const Event&) = default;
};

// A rule broken by one field: the column it concerns and a one-line message.
struct FieldError {
  std::string_view column;
  std::string message;
};

namespace detail {
template <std::size_t N>
constexpr std::uint8_t code_of(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<std::uint8_t>(i + 1);
  return 0;
}
template <std::size_t N>
std::string one_of(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    out += i == 0 ? "" : (i + 1 == N ? " or " : ", ");
    out += names[i];
  }
  return out;
}
}  // namespace detail

namespace detail {
enum class FieldUse : std::uint8_t { unused, optional, required };

// The columns a kind uses, whether its amount may be zero, and the largest detail code it
// carries (codes run from 1; 0 when its detail is free text or unused).
struct EventShape {
  FieldUse ref, amount, due;
  bool amount_may_be_zero;
  std::uint8_t max_code;
};

constexpr EventShape event_shape(EventKind k) {
  using enum FieldUse;
  switch (k) {
    case EventKind::invoice: return {required, required, required, false, 0};
    case EventKind::payment: return {optional, required, unused, false, 0};
    case EventKind::credit_note:
    case EventKind::write_off:
    case EventKind::dispute_opened: return {required, required, unused, false, 0};
    case EventKind::dispute_resolved: return {required, unused, unused, false, dispute_outcome_names.size()};
    case EventKind::complaint:
    case EventKind::review: return {unused, unused, unused, false, 5};
    case EventKind::return_: return {optional, required, unused, false, 0};
    case EventKind::contract_signed: return {required, required, optional, true, 0};
    case EventKind::contract_cancelled: return {required, unused, unused, false, cancellation_names.size()};
    case EventKind::legal_notice: return {unused, optional, unused, false, legal_notice_names.size()};
  }
  return {unused, unused, unused, false, 0};
}
}  // namespace detail

// Parses the detail column of kinds that carry a code (1..n); 0 for kinds whose detail is
// free text or unused. nullopt, with *error set, when the text is not a valid code.
inline std::optional<std::uint8_t> parse_detail(EventKind kind, std::string_view text, FieldError* error) {
  auto bad = [&](std::string msg) -> std::optional<std::uint8_t> {
    if (error) *error = FieldError{"detail", std::move(msg)};
    return std::nullopt;
  };
  switch (kind) {
    case EventKind::complaint:
    case EventKind::review:
      if (text.size() == 1 && text[0] >= '1' && text[0] <= '5') return static_cast<std::uint8_t>(text[0] - '0');
      return bad(std::string(kind == EventKind::complaint ? "severity" : "rating") + " must be 1 to 5, got '" +
                 std::string(text) + "'");
    case EventKind::dispute_resolved:
      if (auto c = detail::code_of(dispute_outcome_names, text)) return c;
      return bad("outcome must be " + detail::one_of(dispute_outcome_names) + ", got '" + std::string(text) + "'");
    case EventKind::contract_cancelled:
      if (auto c = detail::code_of(cancellation_names, text)) return c;
      return bad("cancellation must be " + detail::one_of(cancellation_names) + ", got '" + std::string(text) + "'");
    case EventKind::legal_notice:
      if (auto c = detail::code_of(legal_notice_names, text)) return c;
      return bad("notice must be " + detail::one_of(legal_notice_names) + ", got '" + std::string(text) + "'");
    case EventKind::dispute_opened:  // free-text reason
      return 0;
    default:
      if (!text.empty()) return bad(std::string("detail is not used by ") + std::string(to_string(kind)));
      return 0;
  }
}

// Checks every rule of the event format that needs no ledger state: required and unused
// columns, positive amounts, codes in range, due not before date. Returns the first broken
// rule; on success stores the detail code in *code when code is not null.
inline std::optional<FieldError> check_event(const Event& e, std::uint8_t* code = nullptr) {
  auto err = [&](std::string_view column, std::string msg) { return FieldError{column, std::move(msg)}; };
  if (static_cast<int>(e.kind) >= event_kind_count)
    return err("kind", "unknown kind code " + std::to_string(static_cast<int>(e.kind)));
  const std::string_view kind = to_string(e.kind);
  if (!in_calendar(e.date)) return err("date", "date is outside the years 0001 to 9999");
  if (e.due && !in_calendar(*e.due)) return err("due", "due is outside the years 0001 to 9999");
  if (e.client.empty()) return err("client", "client is empty");
  auto control = [](const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
  };
  if (control(e.client)) return err("client", "client contains a control character");
  if (control(e.ref)) return err("ref", "ref contains a control character");
  if (e.detail.find('\0') != std::string::npos) return err("detail", "detail contains a NUL character");

  using enum detail::FieldUse;
  const auto [ref, amount, due, amount_may_be_zero, max_code] = detail::event_shape(e.kind);
  if (ref == required && e.ref.empty()) return err("ref", std::string(kind) + " needs a ref");
  if (ref == unused && !e.ref.empty()) return err("ref", "ref is not used by " + std::string(kind));
  if (amount == required && !e.amount) return err("amount", std::string(kind) + " needs an amount");
  if (amount == unused && e.amount) return err("amount", "amount is not used by " + std::string(kind));
  if (e.amount && e.amount->cents() < 0) return err("amount", "amount must not be negative");
  if (e.amount && !amount_may_be_zero && e.amount->cents() == 0) return err("amount", "amount must be greater than 0");
  if (e.amount && e.amount->cents() > Money::max_event_cents)
    return err("amount", "amount must be at most " + Money::from_cents(Money::max_event_cents).to_string());
  if (due == required && !e.due) return err("due", std::string(kind) + " needs a due date");
  if (due == unused && e.due) return err("due", "due is not used by " + std::string(kind));
  if (e.due && *e.due < e.date)
    return err("due", std::string(e.kind == EventKind::invoice ? "due date" : "end date") + " " + e.due->to_string() +
                          " is before the event date " + e.date.to_string());
  FieldError detail_error;
  auto c = parse_detail(e.kind, e.detail, &detail_error);
  if (!c) return detail_error;
  if (code) *code = *c;
  return std::nullopt;
}

}  // namespace v1
}  // namespace clientrisk
