// The language of reason, action and alert texts: English or French. Codes are the same in
// both; only the texts change.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clientrisk {
inline namespace v1 {

enum class Language : std::uint8_t { en = 0, fr = 1 };
inline constexpr std::array<std::string_view, 2> language_names = {"en", "fr"};
constexpr std::string_view to_string(Language l) { return language_names[static_cast<std::size_t>(l)]; }
constexpr std::optional<Language> parse_language(std::string_view s) {
  if (s == "en") return Language::en;
  if (s == "fr") return Language::fr;
  return std::nullopt;
}

namespace detail {

// Writes numbers with a decimal comma in French.
inline void localise_number(std::string& digits, Language l) {
  if (l == Language::fr)
    for (char& c : digits)
      if (c == '.') c = ',';
}

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
