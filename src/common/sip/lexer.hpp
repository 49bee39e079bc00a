#pragma once
// Internal to parley_sip: character classes and small scanners for the RFC 3261 §25 grammar.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/sip_chars.hpp"

namespace parley::sip::lex {

// The character classes live in parley::base so that sip_auth and store share them without
// depending on this library.
using namespace parley::sip_chars;

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
