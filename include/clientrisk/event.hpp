// Ledger events: the twelve kinds of the event file and their field rules.
// An Event is the caller's owning value; check_event() applies every rule that needs no ledger state.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
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

namespace detail {
// event_shape() of every kind, indexed by kind.
inline constexpr auto event_shapes = [] {
  std::array<EventShape, event_kind_count> shapes{};
  for (int k = 0; k < event_kind_count; ++k)
    shapes[static_cast<std::size_t>(k)] = event_shape(static_cast<EventKind>(k));
  return shapes;
}();

inline constexpr std::uint8_t kBadDetail = 0xff;

// The code of the detail text of a kind that carries one (1..n), 0 for kinds whose detail is
// free text or unused, kBadDetail when the text is not valid for the kind.
constexpr std::uint8_t detail_code(EventKind kind, std::string_view text) {
  auto known = [](std::uint8_t c) { return c ? c : kBadDetail; };
  if (static_cast<int>(kind) >= event_kind_count) return kBadDetail;
  switch (kind) {
    case EventKind::complaint:
    case EventKind::review:
      return text.size() == 1 && text[0] >= '1' && text[0] <= '5' ? static_cast<std::uint8_t>(text[0] - '0')
                                                                  : kBadDetail;
    case EventKind::dispute_resolved: return known(code_of(dispute_outcome_names, text));
    case EventKind::contract_cancelled: return known(code_of(cancellation_names, text));
    case EventKind::legal_notice: return known(code_of(legal_notice_names, text));
    case EventKind::dispute_opened: return 0;  // free-text reason
    default: return text.empty() ? 0 : kBadDetail;
  }
}

// Why detail_code() refused a text.
[[gnu::cold]] inline FieldError detail_error(EventKind kind, std::string_view text) {
  if (static_cast<int>(kind) >= event_kind_count)
    return {"kind", "unknown kind code " + std::to_string(static_cast<int>(kind))};
  const std::string got = ", got '" + std::string(text) + "'";
  switch (kind) {
    case EventKind::complaint: return {"detail", "severity must be 1 to 5" + got};
    case EventKind::review: return {"detail", "rating must be 1 to 5" + got};
    case EventKind::dispute_resolved: return {"detail", "outcome must be " + one_of(dispute_outcome_names) + got};
    case EventKind::contract_cancelled: return {"detail", "cancellation must be " + one_of(cancellation_names) + got};
    case EventKind::legal_notice: return {"detail", "notice must be " + one_of(legal_notice_names) + got};
    default: return {"detail", "detail is not used by " + std::string(to_string(kind))};
  }
}

// The rules check_event() applies, in its order.
enum class EventFault : std::uint8_t {
  none,
  kind,
  date_calendar,
  due_calendar,
  client_empty,
  client_control,
  ref_control,
  detail_nul,
  ref_missing,
  ref_unused,
  amount_missing,
  amount_unused,
  amount_negative,
  amount_zero,
  amount_too_large,
  due_missing,
  due_unused,
  due_before_date,
  detail_invalid,
};

// Whether s has a byte below 0x20, eight bytes at a time: a word w has one exactly when
// (w - 0x20 in every byte) & ~w & 0x80 in every byte is not zero.
inline bool has_control(std::string_view s) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  auto below_space = [](std::uint64_t w) { return ((w - ones * 0x20) & ~w & ones * 0x80) != 0; };
  const char* p = s.data();
  const std::size_t n = s.size();
  if (n >= 8) {
    std::uint64_t w;
    for (std::size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&w, p + i, 8);
      if (below_space(w)) return true;
    }
    std::memcpy(&w, p + n - 8, 8);  // the last bytes, overlapping those already seen
    return below_space(w);
  }
  if (n >= 4) {  // two overlapping halves
    std::uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    return below_space(std::uint64_t{lo} << 32 | hi);
  }
  for (std::size_t i = 0; i < n; ++i)
    if (static_cast<unsigned char>(p[i]) < 0x20) return true;
  return false;
}

// The hot half of check_event(): the first rule e breaks, without building a message. On
// none, code holds the detail code. client_valid: the caller knows the client id to be valid
// (a ledger has it already), and it is not checked again.
inline EventFault event_fault(const Event& e, std::uint8_t& code, bool client_valid = false) {
  using enum EventFault;
  if (static_cast<int>(e.kind) >= event_kind_count) return kind;
  if (!in_calendar(e.date)) return date_calendar;
  if (e.due && !in_calendar(*e.due)) return due_calendar;
  if (!client_valid && e.client.empty()) return client_empty;
  if (!client_valid && has_control(e.client)) return client_control;
  if (has_control(e.ref)) return ref_control;
  if (!e.detail.empty() && e.detail.find('\0') != std::string::npos) return detail_nul;
  const EventShape shape = event_shapes[static_cast<std::size_t>(e.kind)];
  if (shape.ref == FieldUse::required && e.ref.empty()) return ref_missing;
  if (shape.ref == FieldUse::unused && !e.ref.empty()) return ref_unused;
  if (shape.amount == FieldUse::required && !e.amount) return amount_missing;
  if (shape.amount == FieldUse::unused && e.amount) return amount_unused;
  if (e.amount) {
    const std::int64_t cents = e.amount->cents();
    if (cents < 0) return amount_negative;
    if (cents == 0 && !shape.amount_may_be_zero) return amount_zero;
    if (cents > Money::max_event_cents) return amount_too_large;
  }
  if (shape.due == FieldUse::required && !e.due) return due_missing;
  if (shape.due == FieldUse::unused && e.due) return due_unused;
  if (e.due && *e.due < e.date) return due_before_date;
  const std::uint8_t c = detail_code(e.kind, e.detail);
  if (c == kBadDetail) return detail_invalid;
  code = c;
  return none;
}

// The column and message of a fault event_fault() found.
[[gnu::cold]] inline FieldError event_error(const Event& e, EventFault f) {
  using enum EventFault;
  if (f == kind) return {"kind", "unknown kind code " + std::to_string(static_cast<int>(e.kind))};
  const std::string k(to_string(e.kind));
  switch (f) {
    case date_calendar: return {"date", "date is outside the years 0001 to 9999"};
    case due_calendar: return {"due", "due is outside the years 0001 to 9999"};
    case client_empty: return {"client", "client is empty"};
    case client_control: return {"client", "client contains a control character"};
    case ref_control: return {"ref", "ref contains a control character"};
    case detail_nul: return {"detail", "detail contains a NUL character"};
    case ref_missing: return {"ref", k + " needs a ref"};
    case ref_unused: return {"ref", "ref is not used by " + k};
    case amount_missing: return {"amount", k + " needs an amount"};
    case amount_unused: return {"amount", "amount is not used by " + k};
    case amount_negative: return {"amount", "amount must not be negative"};
    case amount_zero: return {"amount", "amount must be greater than 0"};
    case amount_too_large:
      return {"amount", "amount must be at most " + Money::from_cents(Money::max_event_cents).to_string()};
    case due_missing: return {"due", k + " needs a due date"};
    case due_unused: return {"due", "due is not used by " + k};
    case due_before_date:
      return {"due", std::string(e.kind == EventKind::invoice ? "due date" : "end date") + " " + e.due->to_string() +
                         " is before the event date " + e.date.to_string()};
    case detail_invalid: return detail_error(e.kind, e.detail);
    case none:
    case kind: break;
  }
  throw std::logic_error("detail::event_error() called without a fault");
}
}  // namespace detail

// Parses the detail column of kinds that carry a code (1..n); 0 for kinds whose detail is
// free text or unused. nullopt, with *error set, when the text is not a valid code.
inline std::optional<std::uint8_t> parse_detail(EventKind kind, std::string_view text, FieldError* error) {
  const std::uint8_t c = detail::detail_code(kind, text);
  if (c != detail::kBadDetail) return c;
  if (error) *error = detail::detail_error(kind, text);
  return std::nullopt;
}

// Checks every rule of the event format that needs no ledger state: required and unused
// columns, positive amounts, codes in range, due not before date. Returns the first broken
// rule; on success stores the detail code in *code when code is not null.
inline std::optional<FieldError> check_event(const Event& e, std::uint8_t* code = nullptr) {
  std::uint8_t c = 0;
  const detail::EventFault f = detail::event_fault(e, c);
  if (f != detail::EventFault::none) return detail::event_error(e, f);
  if (code) *code = c;
  return std::nullopt;
}

}  // namespace v1
}  // namespace clientrisk
