#pragma once
// Internal to parley_sip: character classes and small scanners for the RFC 3261 §25 grammar.
// Table-driven so the hot paths (header names, tokens, URI characters) cost one load per octet.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::sip::lex {

enum : uint16_t {
  kAlnum = 1 << 0,
  kToken = 1 << 1,          // token (§25.1)
  kUnreserved = 1 << 2,     // alphanum / mark
  kUserExtra = 1 << 3,      // user-unreserved: & = + $ , ; ? /
  kPasswordExtra = 1 << 4,  // & = + $ ,
  kParamExtra = 1 << 5,     // param-unreserved: [ ] / : & + $
  kHeaderExtra = 1 << 6,    // hnv-unreserved: [ ] / ? : + $
  kHostChar = 1 << 7,       // alphanum - . (and _ tolerated)
  kHex = 1 << 8,
  kDigit = 1 << 9,
  kSchemeChar = 1 << 10,  // alphanum + - .
};

constexpr std::array<uint16_t, 256> makeTable() {
  std::array<uint16_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint16_t f = 0;
    const bool digit = c >= '0' && c <= '9';
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (digit) f |= kDigit;
    if (digit || alpha) f |= kAlnum | kToken | kUnreserved | kHostChar | kSchemeChar;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) f |= kHex;
    switch (c) {
      case '-':
      case '.':
      case '!':
      case '%':
      case '*':
      case '_':
      case '+':
      case '`':
      case '\'':
      case '~':
        f |= kToken;
        break;
      default:
        break;
    }
    switch (c) {
      case '-':
      case '_':
      case '.':
      case '!':
      case '~':
      case '*':
      case '\'':
      case '(':
      case ')':
        f |= kUnreserved;
        break;
      default:
        break;
    }
    switch (c) {
      case '&':
      case '=':
      case '+':
      case '$':
      case ',':
      case ';':
      case '?':
      case '/':
        f |= kUserExtra;
        break;
      default:
        break;
    }
    switch (c) {
      case '&':
      case '=':
      case '+':
      case '$':
      case ',':
        f |= kPasswordExtra;
        break;
      default:
        break;
    }
    switch (c) {
      case '[':
      case ']':
      case '/':
      case ':':
      case '&':
      case '+':
      case '$':
        f |= kParamExtra;
        break;
      default:
        break;
    }
    switch (c) {
      case '[':
      case ']':
      case '/':
      case '?':
      case ':':
      case '+':
      case '$':
        f |= kHeaderExtra;
        break;
      default:
        break;
    }
    if (c == '-' || c == '.' || c == '_') f |= kHostChar;
    if (c == '+' || c == '-' || c == '.') f |= kSchemeChar;
    t[static_cast<size_t>(c)] = f;
  }
  return t;
}

inline constexpr std::array<uint16_t, 256> kTable = makeTable();

constexpr bool has(char c, uint16_t flags) noexcept {
  return (kTable[static_cast<unsigned char>(c)] & flags) != 0;
}
constexpr bool isToken(char c) noexcept { return has(c, kToken); }
constexpr bool isDigit(char c) noexcept { return has(c, kDigit); }
constexpr bool isHex(char c) noexcept { return has(c, kHex); }
constexpr bool isWs(char c) noexcept { return c == ' ' || c == '\t'; }
constexpr bool isLws(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

constexpr bool isTokenString(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (!isToken(c)) return false;
  }
  return true;
}

constexpr int hexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Skips SP/HT (and CR/LF, which can only remain from unusual callers) from pos.
inline void skipWs(std::string_view s, size_t& pos) noexcept {
  while (pos < s.size() && isLws(s[pos])) ++pos;
}

inline std::string_view readToken(std::string_view s, size_t& pos) noexcept {
  const size_t start = pos;
  while (pos < s.size() && isToken(s[pos])) ++pos;
  return s.substr(start, pos - start);
}

// At s[pos] == '"': finds the closing quote honouring quoted-pairs (§25.1). On success pos
// is just past the closing quote and, when `out` is given, the content is appended with the
// escapes resolved. Returns false for an unterminated string or a quoted-pair of CR/LF.
inline bool readQuoted(std::string_view s, size_t& pos, std::string* out) {
  size_t i = pos + 1;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') {
      pos = i + 1;
      return true;
    }
    if (c == '\\') {
      if (i + 1 >= s.size()) return false;
      const char e = s[i + 1];
      if (e == '\r' || e == '\n') return false;
      if (out) out->push_back(e);
      i += 2;
      continue;
    }
    if (out) out->push_back(c);
    ++i;
  }
  return false;
}

// Splits a comma-separated header value at top-level commas (outside quoted strings and
// <...>), trimming each element. Returns false for an unterminated quoted string or <.
// Empty elements are reported as empty views so the caller can name the fault.
inline bool splitList(std::string_view value, std::vector<std::string_view>& out) {
  size_t start = 0;
  int angle = 0;
  size_t i = 0;
  auto emit = [&](size_t end) {
    std::string_view e = value.substr(start, end - start);
    while (!e.empty() && isLws(e.front())) e.remove_prefix(1);
    while (!e.empty() && isLws(e.back())) e.remove_suffix(1);
    out.push_back(e);
  };
  while (i < value.size()) {
    const char c = value[i];
    if (c == '"') {
      if (!readQuoted(value, i, nullptr)) return false;
      continue;
    }
    if (c == '<') {
      ++angle;
    } else if (c == '>') {
      if (angle > 0) --angle;
    } else if (c == ',' && angle == 0) {
      emit(i);
      start = i + 1;
    }
    ++i;
  }
  if (angle != 0) return false;
  emit(value.size());
  return true;
}

// Appends s to out quoted as a quoted-string, escaping '"' and '\'.
inline void appendQuoted(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace parley::sip::lex
