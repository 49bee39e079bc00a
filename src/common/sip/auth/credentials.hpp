#pragma once
// Authorization / Proxy-Authorization header values (RFC 3261 §25.1 `credentials`,
// RFC 7616 §3.4), read from the header's value text so this library needs no SIP parser.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

namespace parley::sip::auth {

// An auth-param with its value unquoted and unescaped.
struct AuthParam {
  std::string name{};  // lower case
  std::string value{};
  bool quoted = false;
};

// Digest credentials. The five parameters every digest-response needs are plain strings;
// the others are empty when absent.
struct Credentials {
  std::string username{};
  std::string realm{};
  std::string nonce{};
  std::string uri{};                       // digest-uri, as the client wrote it
  std::string response{};                  // request-digest
  std::optional<std::string> algorithm{};  // as written; absent means MD5 (RFC 7616 §3.4)
  std::optional<std::string> cnonce{};
  std::optional<std::string> opaque{};
  std::optional<std::string> qop{};
  std::optional<std::string> nc{};  // nonce-count: 8 hex digits
  bool userhash = false;
  // Parameters this library does not interpret, kept for logs.
  std::vector<AuthParam> otherParams{};
};

// Parses one Authorization or Proxy-Authorization header value.
// - Ok(credentials): a Digest response with username, realm, nonce, uri and response.
// - Ok(empty): another scheme (Basic, NTLM, Kerberos, Bearer, ...): no usable credentials.
// - Error (code 400): a Digest response that is malformed: a syntax error (unterminated
//   quoted string, a parameter without "="), a parameter given twice, a required one missing,
//   or the username* form (RFC 8187 encoding), which SIP does not use.
// Parameter names are case-insensitive; values may be tokens or quoted strings with
// backslash escapes, whatever RFC 7616 prescribes for each, since clients differ.
[[nodiscard]] Result<std::optional<Credentials>> parseCredentials(std::string_view value);

// Picks the Digest credentials for `realm` among a request's Authorization (or
// Proxy-Authorization) header values (RFC 3261 §22.3: one per realm, e.g. one for each
// proxy on the path). Empty when none is for `realm`; an Error when the only candidates
// for `realm` are malformed, or when a malformed one leaves the realm unknown.
[[nodiscard]] Result<std::optional<Credentials>> selectCredentials(
    std::span<const std::string_view> values, std::string_view realm);

}  // namespace parley::sip::auth
