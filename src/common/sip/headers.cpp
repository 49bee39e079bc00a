#include "common/sip/headers.hpp"

#include <string>

#include "common/base/strings.hpp"
#include "common/sip/lexer.hpp"
#include "common/sip/message_internal.hpp"

namespace parley::sip {

namespace {

std::string describe(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u >= 0x7F) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    return std::string("octet 0x") + kDigits[u >> 4] + kDigits[u & 0xF];
  }
  return std::string("'") + c + "'";
}

// A generic-param value that is not a quoted-string: token / host (§25.1). IPv6 hosts bring
// ':' '[' ']' (RFC 5118 §4.5: received=[2001:db8::9:255] and received=2001:db8::9:255).
// Everything that cannot start another element is tolerated; structure characters end it.
constexpr bool isBareValueChar(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7F && c != ';' && c != ',' && c != '"' && c != '<' && c != '>' &&
         c != '=';
}

// SLASH = SWS "/" SWS (§25.1): consumes it, or returns false where there is none.
bool skipSlash(std::string_view s, size_t& pos) noexcept {
  lex::skipWs(s, pos);
  if (pos >= s.size() || s[pos] != '/') return false;
  ++pos;
  lex::skipWs(s, pos);
  return true;
}

// Parses *( SWS ";" SWS generic-param ) from pos to the end of s (§25.1 generic-param).
bool parseHeaderParams(std::string_view s, size_t& pos, std::vector<Param>& out, std::string& why) {
  for (;;) {
    lex::skipWs(s, pos);
    if (pos >= s.size()) return true;
    if (s[pos] != ';') {
      why = "unexpected " + describe(s[pos]) + " where ';' or the end was expected";
      return false;
    }
    ++pos;
    lex::skipWs(s, pos);
    std::string_view name = lex::readToken(s, pos);
    if (name.empty()) {
      why = pos < s.size() && s[pos] == ';' ? "empty parameter (';;')"
            : pos < s.size()                ? "invalid parameter name at " + describe(s[pos])
                                            : "empty parameter after ';'";
      return false;
    }
    Param p;
    p.name.assign(name);
    lex::skipWs(s, pos);
    if (pos < s.size() && s[pos] == '=') {
      ++pos;
      lex::skipWs(s, pos);
      const size_t start = pos;
      if (pos < s.size() && s[pos] == '"') {
        if (!lex::readQuoted(s, pos, nullptr)) {
          why = "unterminated quoted string in parameter " + p.name;
          return false;
        }
      } else {
        while (pos < s.size() && isBareValueChar(s[pos])) ++pos;
      }
      if (pos == start) {
        why = "parameter " + p.name + " has an empty value";
        return false;
      }
      p.value.emplace(s.substr(start, pos - start));
    }
    out.push_back(std::move(p));
  }
}

void appendParams(std::string& out, const std::vector<Param>& params) {
  for (const Param& p : params) {
    out.push_back(';');
    out += p.name;
    if (p.value) {
      out.push_back('=');
      out += *p.value;
    }
  }
}

Error viaError(std::string_view what) {
  std::string m = "malformed Via header: ";
  m.append(what);
  return makeError(400, std::move(m));
}

Error nameAddrError(std::string_view what) {
  std::string m = "malformed name-addr: ";
  m.append(what);
  return makeError(400, std::move(m));
}

bool needsQuoting(std::string_view v) { return !lex::isTokenString(v); }

}  // namespace

std::string unquoted(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"') {
    std::string out;
    out.reserve(value.size());
    size_t pos = 0;
    if (lex::readQuoted(value, pos, &out) && pos == value.size()) return out;
  }
  return std::string(value);
}

std::string Via::branch() const {
  const Param* p = param("branch");
  return p && p->value ? *p->value : std::string();
}

std::string Via::toString() const {
  std::string out;
  out.reserve(protocol.size() + transport.size() + host.size() + 8 + params.size() * 24);
  out += protocol;
  out.push_back('/');
  out += transport;
  out.push_back(' ');
  out += host;
  if (port) {
    out.push_back(':');
    out += std::to_string(*port);
  }
  appendParams(out, params);
  return out;
}

std::string NameAddr::tag() const {
  const Param* p = param("tag");
  return p && p->value ? *p->value : std::string();
}

std::string NameAddr::toString() const {
  std::string out;
  if (!displayName.empty()) {
    lex::appendQuoted(out, displayName);
    out.push_back(' ');
  }
  out.push_back('<');
  out += uri.toString();
  out.push_back('>');
  appendParams(out, params);
  return out;
}

std::string AuthParams::toString() const {
  std::string out = scheme;
  bool first = true;
  for (const Param& p : params) {
    out += first ? " " : ", ";
    first = false;
    out += p.name;
    if (!p.value) continue;
    out.push_back('=');
    // RFC 2617 / RFC 3261 §25.1: these Digest parameters are quoted-strings even when their
    // value happens to be a token; algorithm, nc, stale and a single qop are bare tokens.
    const bool alwaysQuoted = iequals(p.name, "username") || iequals(p.name, "realm") ||
                              iequals(p.name, "nonce") || iequals(p.name, "uri") ||
                              iequals(p.name, "response") || iequals(p.name, "cnonce") ||
                              iequals(p.name, "opaque") || iequals(p.name, "domain");
    if (alwaysQuoted || needsQuoting(*p.value)) {
      lex::appendQuoted(out, *p.value);
    } else {
      out += *p.value;
    }
  }
  return out;
}

Result<Via> parseVia(std::string_view s) {
  Via via;
  size_t pos = 0;
  lex::skipWs(s, pos);
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport, with optional LWS
  // around the slashes (RFC 4475 §3.1.1.1).
  std::string_view name = lex::readToken(s, pos);
  if (name.empty()) return viaError("missing protocol name");
  if (!skipSlash(s, pos)) return viaError("expected '/' after protocol name");
  std::string_view version = lex::readToken(s, pos);
  if (version.empty()) return viaError("missing protocol version");
  if (!skipSlash(s, pos)) return viaError("expected '/' after protocol version");
  std::string_view transport = lex::readToken(s, pos);
  if (transport.empty()) return viaError("missing transport");
  if (!iequals(name, "SIP") || version != "2.0") {  // ABNF literals are case-insensitive
    via.protocol.assign(name);
    via.protocol.push_back('/');
    via.protocol.append(version);
  }
  via.transport.reserve(transport.size());
  for (char c : transport) {
    via.transport.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  }
  const size_t beforeWs = pos;
  lex::skipWs(s, pos);
  if (pos >= s.size()) return viaError("missing sent-by");
  if (pos == beforeWs) return viaError("expected whitespace between transport and sent-by");
  // sent-by = host [ COLON port ]
  if (s[pos] == '[') {
    const size_t close = s.find(']', pos);
    if (close == std::string_view::npos) return viaError("unterminated IPv6 reference");
    for (size_t i = pos + 1; i < close; ++i) {
      if (!lex::isHex(s[i]) && s[i] != ':' && s[i] != '.') {
        return viaError("invalid IPv6 reference in sent-by");
      }
    }
    if (close == pos + 1) return viaError("empty IPv6 reference in sent-by");
    via.host.assign(s.substr(pos, close - pos + 1));
    pos = close + 1;
  } else {
    const size_t start = pos;
    while (pos < s.size() && lex::has(s[pos], lex::kHostChar)) ++pos;
    if (pos == start) return viaError("missing sent-by");
    via.host.assign(s.substr(start, pos - start));
  }
  lex::skipWs(s, pos);
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    lex::skipWs(s, pos);
    const size_t start = pos;
    while (pos < s.size() && lex::isDigit(s[pos])) ++pos;
    auto port = parseNumber<uint16_t>(s.substr(start, pos - start));
    if (!port) return viaError("invalid port in sent-by");
    via.port = *port;
  }
  std::string why;
  if (!parseHeaderParams(s, pos, via.params, why)) return viaError(why);
  const Param* branch = via.param("branch");
  if (branch && !branch->value) return viaError("branch parameter without a value");
  return via;
}

Result<NameAddr> parseNameAddr(std::string_view s) {
  NameAddr na;
  size_t pos = 0;
  lex::skipWs(s, pos);
  if (pos >= s.size()) return nameAddrError("empty value");
  bool angled = false;
  if (s[pos] == '"') {
    if (!lex::readQuoted(s, pos, &na.displayName)) {
      return nameAddrError("unterminated quoted display name");
    }
    lex::skipWs(s, pos);
    if (pos >= s.size() || s[pos] != '<') {
      return nameAddrError("expected '<' after the display name");
    }
    angled = true;
  } else if (s[pos] == '<') {
    angled = true;
  } else {
    // Either `*(token LWS) <addr-spec>` or a bare addr-spec: look for '<' after a run of
    // tokens and whitespace. A scheme's ':' stops the run, so "sip:..." is an addr-spec.
    size_t i = pos;
    while (i < s.size() && (lex::isToken(s[i]) || lex::isLws(s[i]))) ++i;
    if (i < s.size() && s[i] == '<') {
      std::string_view dn = s.substr(pos, i - pos);
      while (!dn.empty() && lex::isLws(dn.back())) dn.remove_suffix(1);
      na.displayName.assign(dn);
      pos = i;
      angled = true;
    }
  }
  if (angled) {
    const size_t close = s.find('>', pos + 1);
    if (close == std::string_view::npos) return nameAddrError("missing '>'");
    std::string_view inside = s.substr(pos + 1, close - pos - 1);
    if (!inside.empty() && (lex::isLws(inside.front()) || lex::isLws(inside.back()))) {
      return nameAddrError("whitespace inside <> around the URI");
    }
    Error err;
    if (!detail::parseUriInto(inside, na.uri, err)) return nameAddrError(err.message);
    pos = close + 1;
  } else {
    // addr-spec without <>: §20.10 — any ';' starts header parameters, and a URI holding a
    // ',', '?' or ';' of its own must be enclosed (RFC 4475 §3.1.2.13).
    const size_t start = pos;
    while (pos < s.size() && s[pos] != ';' && !lex::isLws(s[pos]) && s[pos] != ',' &&
           s[pos] != '?' && s[pos] != '<' && s[pos] != '>' && s[pos] != '"') {
      ++pos;
    }
    if (pos < s.size()) {
      const char c = s[pos];
      if (c == '?') return nameAddrError("a URI with headers ('?') must be enclosed in <>");
      if (c == ',') return nameAddrError("unexpected ',' (unquoted display name or list?)");
      if (c == '<' || c == '>' || c == '"') {
        return nameAddrError("unexpected " + describe(c) + " in addr-spec");
      }
    }
    Error err;
    if (!detail::parseUriInto(s.substr(start, pos - start), na.uri, err)) {
      return nameAddrError(err.message);
    }
  }
  std::string why;
  if (!parseHeaderParams(s, pos, na.params, why)) return nameAddrError(why);
  return na;
}

Result<CSeq> parseCSeq(std::string_view s) {
  CSeq out;
  size_t pos = 0;
  lex::skipWs(s, pos);
  const size_t start = pos;
  while (pos < s.size() && lex::isDigit(s[pos])) ++pos;
  if (pos == start) return makeError(400, "malformed CSeq header: missing sequence number");
  // §8.1.1.5: the sequence number MUST be expressible as a 32-bit unsigned integer and less
  // than 2**31 (RFC 4475 §3.1.2.4 sends 2**65).
  auto n = parseNumber<uint32_t>(s.substr(start, pos - start));
  if (!n || *n >= 0x80000000u) {
    return makeError(400, "malformed CSeq header: sequence number out of range");
  }
  out.number = *n;
  const size_t beforeWs = pos;
  lex::skipWs(s, pos);
  if (pos == beforeWs) return makeError(400, "malformed CSeq header: missing method");
  std::string_view method = lex::readToken(s, pos);
  if (method.empty()) return makeError(400, "malformed CSeq header: missing method");
  lex::skipWs(s, pos);
  if (pos != s.size()) return makeError(400, "malformed CSeq header: junk after the method");
  out.method.assign(method);
  return out;
}

Result<AuthParams> parseAuthParams(std::string_view s) {
  AuthParams out;
  size_t pos = 0;
  lex::skipWs(s, pos);
  std::string_view scheme = lex::readToken(s, pos);
  if (scheme.empty()) return makeError(400, "malformed credentials: missing auth scheme");
  out.scheme.assign(scheme);
  lex::skipWs(s, pos);
  while (pos < s.size()) {
    std::string_view name = lex::readToken(s, pos);
    if (name.empty()) {
      return makeError(
          400, "malformed credentials: expected a parameter name, found " + describe(s[pos]));
    }
    Param p;
    p.name.assign(name);
    lex::skipWs(s, pos);
    if (pos < s.size() && s[pos] == '=') {
      ++pos;
      lex::skipWs(s, pos);
      std::string value;
      if (pos < s.size() && s[pos] == '"') {
        if (!lex::readQuoted(s, pos, &value)) {
          return makeError(400, "malformed credentials: unterminated quoted string in " + p.name);
        }
      } else {
        const size_t start = pos;
        while (pos < s.size() && s[pos] != ',' && !lex::isLws(s[pos])) ++pos;
        value.assign(s.substr(start, pos - start));
      }
      p.value = std::move(value);
    }
    out.params.push_back(std::move(p));
    lex::skipWs(s, pos);
    if (pos >= s.size()) break;
    if (s[pos] != ',') {
      return makeError(
          400, "malformed credentials: expected ',' between parameters, found " + describe(s[pos]));
    }
    ++pos;
    lex::skipWs(s, pos);
  }
  return out;
}

}  // namespace parley::sip
