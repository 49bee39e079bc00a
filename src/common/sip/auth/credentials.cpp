#include "common/sip/auth/credentials.hpp"

#include "common/base/sip_chars.hpp"
#include "common/base/strings.hpp"

namespace parley::sip::auth {
namespace {

// Bounds on what one header value may hold, far above what any client sends.
constexpr std::size_t kMaxParams = 64;
constexpr std::size_t kMaxValueLength = 4096;

// LWS and token of RFC 3261 §25.1.
using sip_chars::isLws;
using sip_chars::isToken;

Error malformed(std::string message) {
  return makeError(400, "malformed Digest credentials: " + std::move(message));
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  bool atEnd() const noexcept { return pos_ >= s_.size(); }
  char peek() const noexcept { return s_[pos_]; }
  void skipWhitespace() noexcept {
    while (!atEnd() && isLws(peek())) ++pos_;
  }
  std::string_view token() noexcept {
    std::size_t start = pos_;
    while (!atEnd() && isToken(peek())) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  // quoted-string after its opening DQUOTE: qdtext / quoted-pair, then DQUOTE.
  Result<std::string> quotedRest() {
    std::string out;
    while (!atEnd()) {
      char c = s_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (atEnd()) break;
        char e = s_[pos_++];
        if (e == '\r' || e == '\n') return malformed("a line break is escaped in a quoted string");
        out.push_back(e);
      } else if ((static_cast<unsigned char>(c) < 0x20 && !isLws(c)) || c == 0x7F) {
        return malformed("a control character is in a quoted string");
      } else {
        out.push_back(c);
      }
      if (out.size() > kMaxValueLength) return malformed("a quoted string is too long");
    }
    return malformed("a quoted string is not terminated");
  }

  // An unquoted value: a token, read leniently as any visible ASCII up to "," or space, so
  // that an unquoted base64 nonce or URI from a careless client is still understood.
  std::string_view bareValue() noexcept {
    std::size_t start = pos_;
    while (!atEnd()) {
      char c = peek();
      if (c == ',' || c == '"' || static_cast<unsigned char>(c) <= 0x20 ||
          static_cast<unsigned char>(c) >= 0x7F) {
        break;
      }
      ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }

  bool consume(char c) noexcept {
    if (!atEnd() && peek() == c) {
      ++pos_;
      return true;
    }
    return false;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

// auth-param *(COMMA auth-param), tolerating empty list elements (RFC 7230 §7).
Result<std::vector<AuthParam>> parseParams(Reader& r) {
  std::vector<AuthParam> params;
  for (;;) {
    r.skipWhitespace();
    while (r.consume(',')) r.skipWhitespace();
    if (r.atEnd()) break;
    std::string_view name = r.token();
    if (name.empty()) {
      return malformed(std::string("unexpected '") + r.peek() + "' where a parameter name belongs");
    }
    r.skipWhitespace();
    if (!r.consume('=')) return malformed("parameter '" + std::string(name) + "' has no value");
    r.skipWhitespace();
    AuthParam param{toLower(name), {}, false};
    if (r.consume('"')) {
      auto value = r.quotedRest();
      if (!value) return value.error();
      param.value = std::move(value.value());
      param.quoted = true;
    } else {
      std::string_view value = r.bareValue();
      if (value.empty()) return malformed("parameter '" + param.name + "' has an empty value");
      if (value.size() > kMaxValueLength) return malformed("a parameter value is too long");
      param.value = std::string(value);
    }
    for (const AuthParam& p : params) {
      if (p.name == param.name) return malformed("parameter '" + param.name + "' appears twice");
    }
    if (params.size() == kMaxParams) return malformed("too many parameters");
    params.push_back(std::move(param));
    r.skipWhitespace();
    if (r.atEnd()) break;
    if (!r.consume(',')) {
      return malformed("expected ',' after parameter '" + params.back().name + "'");
    }
  }
  return params;
}

}  // namespace

Result<std::optional<Credentials>> parseCredentials(std::string_view value) {
  Reader r(value);
  r.skipWhitespace();
  std::string_view scheme = r.token();
  if (scheme.empty()) {
    if (r.atEnd()) return makeError(400, "the credentials are empty");
    return makeError(400, "the credentials do not start with an authentication scheme");
  }
  if (!iequals(scheme, "Digest")) return std::optional<Credentials>{};
  if (r.atEnd() || !isLws(r.peek())) {
    return malformed(r.atEnd() ? "no parameters follow Digest" : "no space after Digest");
  }
  auto params = parseParams(r);
  if (!params) return params.error();

  Credentials c;
  bool has[5] = {false, false, false, false, false};
  std::string* required[5] = {&c.username, &c.realm, &c.nonce, &c.uri, &c.response};
  static constexpr std::string_view kRequired[5] = {"username", "realm", "nonce", "uri",
                                                    "response"};
  bool extendedUsername = false;
  for (AuthParam& p : params.value()) {
    bool known = false;
    for (int i = 0; i < 5; ++i) {
      if (p.name == kRequired[i]) {
        *required[i] = std::move(p.value);
        has[i] = known = true;
      }
    }
    if (known) continue;
    if (p.name == "algorithm") {
      c.algorithm = std::move(p.value);
    } else if (p.name == "cnonce") {
      c.cnonce = std::move(p.value);
    } else if (p.name == "opaque") {
      c.opaque = std::move(p.value);
    } else if (p.name == "qop") {
      c.qop = std::move(p.value);
    } else if (p.name == "nc") {
      c.nc = std::move(p.value);
    } else if (p.name == "userhash") {
      if (!iequals(p.value, "true") && !iequals(p.value, "false")) {
        return malformed("userhash must be true or false");
      }
      c.userhash = iequals(p.value, "true");
    } else if (p.name == "username*") {
      extendedUsername = true;
    } else {
      c.otherParams.push_back(std::move(p));
    }
  }
  if (extendedUsername) {
    return malformed("the username* form (RFC 8187 encoding) is not supported; send username");
  }
  for (int i = 0; i < 5; ++i) {
    if (!has[i]) return malformed("the " + std::string(kRequired[i]) + " parameter is missing");
  }
  return std::optional<Credentials>(std::move(c));
}

Result<std::optional<Credentials>> selectCredentials(std::span<const std::string_view> values,
                                                     std::string_view realm) {
  std::optional<Error> firstError;
  for (std::string_view v : values) {
    auto parsed = parseCredentials(v);
    if (!parsed) {
      if (!firstError) firstError = parsed.error();
      continue;
    }
    if (parsed.value() && parsed.value()->realm == realm) return std::move(parsed.value());
  }
  if (firstError) return *firstError;
  return std::optional<Credentials>{};
}

}  // namespace parley::sip::auth
