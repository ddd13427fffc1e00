// Money as a whole number of minor units (cents): exact sums, no floating point.
// Parsing accepts the event format's decimals: digits, at most two fractional digits.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace clientrisk {
inline namespace v1 {

class Money {
 public:
  constexpr Money() = default;
  static constexpr Money from_cents(std::int64_t cents) { return Money(cents); }

  constexpr std::int64_t cents() const { return cents_; }
  // Only for ratios and reports; never feed the result back into Money.
  constexpr double to_double() const { return static_cast<double>(cents_) / 100.0; }

  constexpr Money& operator+=(Money o) { cents_ += o.cents_; return *this; }
  constexpr Money& operator-=(Money o) { cents_ -= o.cents_; return *this; }
  friend constexpr Money operator+(Money a, Money b) { return Money(a.cents_ + b.cents_); }
  friend constexpr Money operator-(Money a, Money b) { return Money(a.cents_ - b.cents_); }
  friend constexpr Money operator-(Money a) { return Money(-a.cents_); }
  friend constexpr auto operator<=>(Money, Money) = default;
  friend constexpr bool operator==(Money, Money) = default;

  // The largest amount one event may carry: 10 000 000 000 000.00. Sums of many such amounts
  // saturate (detail::sat_add) rather than overflow.
  static constexpr std::int64_t max_event_cents = 1'000'000'000'000'000;

  // Parses "123", "123.4" or "123.45" (no sign, no exponent, no separators).
  // Returns nullopt with a reason in *why when the text is not such a decimal or overflows.
  static constexpr std::optional<Money> parse(std::string_view text, const char** why = nullptr) {
    auto fail = [&](const char* reason) -> std::optional<Money> {
      if (why) *why = reason;
      return std::nullopt;
    };
    if (text.empty()) return fail("empty amount");
    if (text.front() == '-' || text.front() == '+') return fail("amount must be unsigned");
    constexpr std::int64_t limit = std::numeric_limits<std::int64_t>::max() / 100;
    std::int64_t units = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] != '.'; ++i) {
      char c = text[i];
      if (c < '0' || c > '9') return fail("amount is not a decimal number");
      if (units > (limit - (c - '0')) / 10) return fail("amount is too large");
      units = units * 10 + (c - '0');
    }
    if (i == 0) return fail("amount has no integer digits");
    std::int64_t frac = 0;
    if (i < text.size()) {  // at '.'
      std::size_t digits = text.size() - i - 1;
      if (digits == 0) return fail("amount ends with a decimal point");
      if (digits > 2) return fail("amount has more than two decimals");
      for (std::size_t k = i + 1; k < text.size(); ++k) {
        char c = text[k];
        if (c < '0' || c > '9') return fail("amount is not a decimal number");
        frac = frac * 10 + (c - '0');
      }
      if (digits == 1) frac *= 10;
    }
    if (units == limit && frac > std::numeric_limits<std::int64_t>::max() % 100) return fail("amount is too large");
    return Money(units * 100 + frac);
  }

  // "1234.50", "-0.05": always two decimals, no separators.
  std::string to_string() const {
    std::uint64_t mag = cents_ < 0 ? 0 - static_cast<std::uint64_t>(cents_) : static_cast<std::uint64_t>(cents_);
    std::string out = std::to_string(mag / 100);
    out += '.';
    out += static_cast<char>('0' + mag % 100 / 10);
    out += static_cast<char>('0' + mag % 10);
    return cents_ < 0 ? "-" + out : out;
  }

 private:
  constexpr explicit Money(std::int64_t c) : cents_(c) {}
  std::int64_t cents_ = 0;
};

}  // namespace v1
}  // namespace clientrisk
