#include "common/sip/uri.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "common/base/strings.hpp"
#include "common/sip/lexer.hpp"
#include "common/sip/message_internal.hpp"

namespace parley::sip {

namespace {

Error uriError(std::string_view what, std::string_view text) {
  std::string msg = "malformed URI '";
  // Keep error messages bounded: a hostile URI can be kilobytes long.
  if (text.size() > 80) {
    msg.append(text.substr(0, 80));
    msg += "...";
  } else {
    msg.append(text);
  }
  msg += "': ";
  msg.append(what);
  return makeError(400, std::move(msg));
}

bool fail(Error& out, Error e) {
  out = std::move(e);
  return false;
}

// Every octet is in `allowed` or is a well-formed %HH escape.
bool validEscaped(std::string_view s, uint16_t allowed) noexcept {
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (s.size() - i < 3) return false;
      if (!lex::isHex(s[i + 1]) || !lex::isHex(s[i + 2])) return false;
      i += 2;
      continue;
    }
    if (!lex::has(c, allowed)) return false;
  }
  return true;
}

// %XX decoding of text that validEscaped() accepted (so every '%' starts a valid escape).
void unescapeValid(std::string_view s, std::string& out) {
  if (s.find('%') == std::string_view::npos) {
    out.assign(s);
    return;
  }
  out.clear();
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && s.size() - i >= 3) {
      out.push_back(static_cast<char>((lex::hexValue(s[i + 1]) << 4) | lex::hexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
}

// Characters that may appear unescaped in a URI parameter or header when re-serialising.
void appendEscaped(std::string& out, std::string_view s, uint16_t allowed) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (char c : s) {
    if (lex::has(c, allowed)) {
      out.push_back(c);
    } else {
      const auto u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kDigits[u >> 4]);
      out.push_back(kDigits[u & 0xF]);
    }
  }
}

constexpr uint16_t kUserChars = lex::kUnreserved | lex::kUserExtra;
constexpr uint16_t kPasswordChars = lex::kUnreserved | lex::kPasswordExtra;
constexpr uint16_t kParamChars = lex::kUnreserved | lex::kParamExtra;
constexpr uint16_t kHeaderChars = lex::kUnreserved | lex::kHeaderExtra;

// Validates the inside of an IPv6 reference: hex digits, ':' and an optional dotted IPv4
// tail. RFC 5118 §4.10: the RFC 3261 ABNF admits "2001:db8:::192.0.2.1" (three colons), so
// a tolerant receiver accepts a run of three colons too; the structure check stays loose.
bool plausibleIpv6(std::string_view s) noexcept {
  if (s.size() < 2) return false;
  int colons = 0;
  for (char c : s) {
    if (c == ':') {
      ++colons;
    } else if (!lex::isHex(c) && c != '.') {
      return false;
    }
  }
  return colons >= 2;
}

bool validHostname(std::string_view h) noexcept {
  if (h.empty()) return false;
  for (char c : h) {
    if (!lex::has(c, lex::kHostChar)) return false;
  }
  return h.front() != '.' && h.front() != '-';
}

// Parses ";name[=value]" URI parameters up to '?' or the end; values unescaped.
bool parseUriParams(std::string_view s, size_t& pos, std::vector<Param>& out, std::string& why) {
  while (pos < s.size() && s[pos] == ';') {
    ++pos;
    size_t end = pos;
    while (end < s.size() && s[end] != ';' && s[end] != '?') ++end;
    std::string_view item = s.substr(pos, end - pos);
    pos = end;
    const size_t eq = item.find('=');
    std::string_view name = item.substr(0, eq);
    if (name.empty()) {
      why = "empty URI parameter name";
      return false;
    }
    if (!validEscaped(name, kParamChars)) {
      why = "invalid character in URI parameter name";
      return false;
    }
    Param& p = out.emplace_back();
    unescapeValid(name, p.name);
    if (eq != std::string_view::npos) {
      std::string_view value = item.substr(eq + 1);
      if (!validEscaped(value, kParamChars)) {
        why = "invalid character in URI parameter value";
        return false;
      }
      unescapeValid(value, p.value.emplace());
    }
  }
  return true;
}

bool parseUriHeaders(std::string_view s, std::vector<Param>& out, std::string& why) {
  for (std::string_view item : split(s, '&')) {
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      why = "URI header without a name=value form";
      return false;
    }
    std::string_view name = item.substr(0, eq);
    std::string_view value = item.substr(eq + 1);
    if (!validEscaped(name, kHeaderChars) || !validEscaped(value, kHeaderChars)) {
      why = "invalid character in URI header";
      return false;
    }
    Param& p = out.emplace_back();
    unescapeValid(name, p.name);
    unescapeValid(value, p.value.emplace());
  }
  return true;
}

bool parseSipUri(Uri& uri, std::string_view text, std::string_view rest, Error& err) {
  std::string why;
  // userinfo: neither user nor password may hold an unescaped '@' (§25.1), so the first '@'
  // ends it. The user part may legally contain ';' and '?' (user-unreserved, RFC 4475
  // §3.1.1.9), which is why the split happens before looking for parameters.
  size_t pos = 0;
  const size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    const size_t colon = userinfo.find(':');
    std::string_view user = userinfo.substr(0, colon);
    if (user.empty()) return fail(err, uriError("empty user part before '@'", text));
    if (!validEscaped(user, kUserChars))
      return fail(err, uriError("invalid character in user part", text));
    uri.user.assign(user);
    if (colon != std::string_view::npos) {
      std::string_view password = userinfo.substr(colon + 1);
      if (!validEscaped(password, kPasswordChars)) {
        return fail(err, uriError("invalid character in password", text));
      }
      uri.password.emplace(password);
    }
    pos = at + 1;
  }
  // hostport
  if (pos < rest.size() && rest[pos] == '[') {
    const size_t close = rest.find(']', pos);
    if (close == std::string_view::npos)
      return fail(err, uriError("unterminated IPv6 reference", text));
    std::string_view inside = rest.substr(pos + 1, close - pos - 1);
    if (!plausibleIpv6(inside)) return fail(err, uriError("invalid IPv6 reference", text));
    uri.host.assign(rest.substr(pos, close - pos + 1));
    pos = close + 1;
  } else {
    const size_t start = pos;
    while (pos < rest.size() && lex::has(rest[pos], lex::kHostChar)) ++pos;
    std::string_view host = rest.substr(start, pos - start);
    if (host.empty()) return fail(err, uriError("missing host", text));
    if (!validHostname(host)) return fail(err, uriError("invalid host", text));
    uri.host.assign(host);
  }
  if (pos < rest.size() && rest[pos] == ':') {
    ++pos;
    const size_t start = pos;
    while (pos < rest.size() && lex::isDigit(rest[pos])) ++pos;
    auto port = parseNumber<uint16_t>(rest.substr(start, pos - start));
    if (!port) return fail(err, uriError("invalid port", text));
    uri.port = *port;
  }
  if (pos < rest.size() && rest[pos] != ';' && rest[pos] != '?') {
    return fail(err, uriError("unexpected character after host", text));
  }
  if (!parseUriParams(rest, pos, uri.params, why)) return fail(err, uriError(why, text));
  if (pos < rest.size()) {  // rest[pos] == '?'
    std::string_view hdrs = rest.substr(pos + 1);
    if (hdrs.empty()) return fail(err, uriError("empty header part after '?'", text));
    if (!parseUriHeaders(hdrs, uri.headers, why)) return fail(err, uriError(why, text));
  }
  return true;
}

bool parseTelUri(Uri& uri, std::string_view text, std::string_view rest, Error& err) {
  // RFC 3966: telephone-subscriber = global-number / local-number, then ;params.
  size_t pos = rest.find(';');
  std::string_view number = rest.substr(0, pos);
  if (number.empty()) return fail(err, uriError("empty telephone number", text));
  for (char c : number) {
    const bool ok = lex::isHex(c) || c == '+' || c == '-' || c == '.' || c == '(' || c == ')' ||
                    c == '*' || c == '#';
    if (!ok) return fail(err, uriError("invalid character in telephone number", text));
  }
  uri.opaque.assign(number);
  if (pos != std::string_view::npos) {
    std::string why;
    // Treat '?' as an ordinary character: tel URIs have no header component.
    while (pos < rest.size() && rest[pos] == ';') {
      ++pos;
      size_t end = rest.find(';', pos);
      if (end == std::string_view::npos) end = rest.size();
      std::string_view item = rest.substr(pos, end - pos);
      pos = end;
      const size_t eq = item.find('=');
      std::string_view name = item.substr(0, eq);
      if (name.empty()) return fail(err, uriError("empty tel parameter name", text));
      if (!validEscaped(item, kParamChars | lex::kUserExtra)) {
        return fail(err, uriError("invalid character in tel parameter", text));
      }
      Param& p = uri.params.emplace_back();
      unescapeValid(name, p.name);
      if (eq != std::string_view::npos) unescapeValid(item.substr(eq + 1), p.value.emplace());
    }
  }
  return true;
}

// With duplicate names only the first occurrence counts (as findParam sees it), which keeps
// uriEquivalent reflexive for URIs like "sip:h;x=1;x=2".
bool isFirstOfName(const std::vector<Param>& params, const Param& p) {
  return findParam(params, p.name) == &p;
}

size_t distinctNames(const std::vector<Param>& params) {
  size_t n = 0;
  for (const Param& p : params) n += isFirstOfName(params, p) ? 1 : 0;
  return n;
}

bool paramValueEquals(const Param& a, const Param& b) {
  if (a.value.has_value() != b.value.has_value()) return false;
  return !a.value || iequals(*a.value, *b.value);
}

std::string canonicalHost(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    std::string inner(host.substr(1, host.size() - 2));
    unsigned char buf[16];
    if (inet_pton(AF_INET6, inner.c_str(), buf) == 1) {
      char out[INET6_ADDRSTRLEN];
      if (inet_ntop(AF_INET6, buf, out, sizeof out) != nullptr) return std::string(out);
    }
  }
  return toLower(host);
}

std::string telDigits(std::string_view number) {
  std::string out;
  out.reserve(number.size());
  for (char c : number) {
    if (c == '-' || c == '.' || c == '(' || c == ')') continue;  // visual separators
    out.push_back(asciiLower(c));
  }
  return out;
}

}  // namespace

const Param* findParam(const std::vector<Param>& params, std::string_view name) noexcept {
  for (const Param& p : params) {
    if (iequals(p.name, name)) return &p;
  }
  return nullptr;
}

std::optional<std::string> unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (s.size() - i < 3) return std::nullopt;
    const int hi = lex::hexValue(s[i + 1]);
    const int lo = lex::hexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>((hi << 4) | lo));
    i += 2;
  }
  return out;
}

namespace detail {

bool parseUriInto(std::string_view text, Uri& uri, Error& err) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return fail(err, uriError("missing scheme", text));
  }
  std::string_view scheme = text.substr(0, colon);
  if (!((scheme[0] >= 'a' && scheme[0] <= 'z') || (scheme[0] >= 'A' && scheme[0] <= 'Z'))) {
    return fail(err, uriError("scheme must start with a letter", text));
  }
  for (char c : scheme) {
    if (!lex::has(c, lex::kSchemeChar))
      return fail(err, uriError("invalid character in scheme", text));
  }
  std::string_view rest = text.substr(colon + 1);
  if (rest.empty()) return fail(err, uriError("nothing after the scheme", text));
  for (char c : rest) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '<' || c == '>' || c == '"') {
      return fail(err, uriError(u <= 0x20 ? "embedded whitespace or control character"
                                          : "character not allowed in a URI",
                                text));
    }
  }
  uri.schemeText.resize(scheme.size());
  for (size_t i = 0; i < scheme.size(); ++i) uri.schemeText[i] = asciiLower(scheme[i]);
  if (uri.schemeText == "sip") {
    uri.scheme = Uri::Scheme::Sip;
    return parseSipUri(uri, text, rest, err);
  }
  if (uri.schemeText == "sips") {
    uri.scheme = Uri::Scheme::Sips;
    return parseSipUri(uri, text, rest, err);
  }
  if (uri.schemeText == "tel") {
    uri.scheme = Uri::Scheme::Tel;
    return parseTelUri(uri, text, rest, err);
  }
  uri.scheme = Uri::Scheme::Other;
  uri.opaque.assign(rest);
  return true;
}

}  // namespace detail

Result<Uri> parseUri(std::string_view text) {
  Uri uri;
  Error err;
  if (!detail::parseUriInto(text, uri, err)) return err;
  return uri;
}

std::string Uri::addressOfRecord() const {
  if (!isSip()) {
    std::string out = schemeText;
    out.push_back(':');
    out += opaque;
    return out;
  }
  std::string out = schemeText;
  out.push_back(':');
  if (!user.empty()) {
    auto u = unescape(user);
    out += u ? *u : user;
    out.push_back('@');
  }
  out += toLower(host);
  return out;
}

std::string Uri::toString() const {
  std::string out;
  out.reserve(schemeText.size() + user.size() + host.size() + opaque.size() + 16 +
              params.size() * 12);
  out += schemeText;
  out.push_back(':');
  if (isSip()) {
    if (!user.empty()) {
      out += user;
      if (password) {
        out.push_back(':');
        out += *password;
      }
      out.push_back('@');
    }
    out += host;
    if (port) {
      out.push_back(':');
      out += std::to_string(*port);
    }
  } else {
    out += opaque;
  }
  for (const Param& p : params) {
    out.push_back(';');
    appendEscaped(out, p.name, kParamChars);
    if (p.value) {
      out.push_back('=');
      appendEscaped(out, *p.value, kParamChars);
    }
  }
  for (size_t i = 0; i < headers.size(); ++i) {
    out.push_back(i == 0 ? '?' : '&');
    appendEscaped(out, headers[i].name, kHeaderChars);
    out.push_back('=');
    if (headers[i].value) appendEscaped(out, *headers[i].value, kHeaderChars);
  }
  return out;
}

bool uriEquivalent(const Uri& a, const Uri& b) {
  if (a.scheme != b.scheme) return false;
  if (a.scheme == Uri::Scheme::Other) {
    return a.schemeText == b.schemeText && a.opaque == b.opaque;
  }
  if (a.scheme == Uri::Scheme::Tel) {
    // RFC 3966 §4: numbers compare without visual separators; parameters as sets.
    if (telDigits(a.opaque) != telDigits(b.opaque)) return false;
    if (distinctNames(a.params) != distinctNames(b.params)) return false;
    for (const Param& p : a.params) {
      if (!isFirstOfName(a.params, p)) continue;
      const Param* q = findParam(b.params, p.name);
      if (!q || !paramValueEquals(p, *q)) return false;
    }
    return true;
  }
  // §19.1.4: userinfo is compared case-sensitively after unescaping.
  auto ua = unescape(a.user);
  auto ub = unescape(b.user);
  if (!ua || !ub || *ua != *ub) return false;
  if (a.password.has_value() != b.password.has_value()) return false;
  if (a.password) {
    auto pa = unescape(*a.password);
    auto pb = unescape(*b.password);
    if (!pa || !pb || *pa != *pb) return false;
  }
  if (canonicalHost(a.host) != canonicalHost(b.host)) return false;
  // An explicit default port does not match an absent one.
  if (a.port != b.port) return false;
  // Parameters present in both must match; user, ttl, method and maddr must not appear in
  // only one; any other parameter appearing in only one is ignored. transport is treated
  // like maddr: the section's own examples ("sip:bob@biloxi.com" vs
  // "sip:bob@biloxi.com;transport=udp": "can resolve to different transports") say so.
  auto mustBeInBoth = [](std::string_view name) {
    return iequals(name, "user") || iequals(name, "ttl") || iequals(name, "method") ||
           iequals(name, "maddr") || iequals(name, "transport");
  };
  for (const Param& p : a.params) {
    if (!isFirstOfName(a.params, p)) continue;  // duplicates: the first one counts
    const Param* q = findParam(b.params, p.name);
    if (q) {
      if (!paramValueEquals(p, *q)) return false;
    } else if (mustBeInBoth(p.name)) {
      return false;
    }
  }
  for (const Param& q : b.params) {
    if (!findParam(a.params, q.name) && mustBeInBoth(q.name)) return false;
  }
  // Header components are never ignored: same set on both sides.
  if (distinctNames(a.headers) != distinctNames(b.headers)) return false;
  for (const Param& h : a.headers) {
    if (!isFirstOfName(a.headers, h)) continue;
    const Param* g = findParam(b.headers, h.name);
    if (!g || h.value != g->value) return false;
  }
  return true;
}

}  // namespace parley::sip
