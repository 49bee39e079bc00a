#pragma once
// Small string helpers shared by the text protocols (SIP, SDP) and the tools.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

constexpr char asciiLower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (asciiLower(a[i]) != asciiLower(b[i])) return false;
  }
  return true;
}

std::string toLower(std::string_view s);

// Trims SP and HTAB (and CR/LF) from both ends.
std::string_view trim(std::string_view s) noexcept;

// Splits on `sep`, not trimming.
std::vector<std::string_view> split(std::string_view s, char sep);

// Parses a whole decimal number into T; nullopt on overflow, sign, or trailing junk.
template <class T>
std::optional<T> parseNumber(std::string_view s) noexcept {
  T v{};
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string toHex(std::string_view bytes);

// JSON string escaping for tools that print JSON by hand.
std::string jsonEscape(std::string_view s);

}  // namespace parley
