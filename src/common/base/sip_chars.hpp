#pragma once
// Character classes of the RFC 3261 §25 grammar, shared by the SIP parser (sip::lex), digest
// credentials (sip_auth) and the store's URI validation, none of which depends on the others.
// Table-driven so the hot paths (header names, tokens, URI characters) cost one load per octet.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace parley::sip_chars {

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
    auto in = [c](std::string_view set) { return set.find(static_cast<char>(c)) != set.npos; };
    uint16_t f = 0;
    const bool digit = c >= '0' && c <= '9';
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (digit) f |= kDigit;
    if (digit || alpha) f |= kAlnum | kToken | kUnreserved | kHostChar | kSchemeChar;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) f |= kHex;
    if (in("-.!%*_+`'~")) f |= kToken;
    if (in("-_.!~*'()")) f |= kUnreserved;
    if (in("&=+$,;?/")) f |= kUserExtra;
    if (in("&=+$,")) f |= kPasswordExtra;
    if (in("[]/:&+$")) f |= kParamExtra;
    if (in("[]/?:+$")) f |= kHeaderExtra;
    if (in("-._")) f |= kHostChar;
    if (in("+-.")) f |= kSchemeChar;
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
constexpr bool isAlnum(char c) noexcept { return has(c, kAlnum); }
constexpr bool isHex(char c) noexcept { return has(c, kHex); }
constexpr bool isWs(char c) noexcept { return c == ' ' || c == '\t'; }
// LWS of §25.1, including the CRLF of a folded line.
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

}  // namespace parley::sip_chars
