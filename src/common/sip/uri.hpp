#pragma once
// SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966), with parameters and headers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

namespace parley::sip {

// A `name[=value]` parameter, as in URI parameters and header parameters.
struct Param {
  std::string name;
  std::optional<std::string> value;
  bool operator==(const Param&) const = default;
};

// Case-insensitive lookup in a parameter list.
const Param* findParam(const std::vector<Param>& params, std::string_view name) noexcept;

struct Uri {
  enum class Scheme : uint8_t { Sip, Sips, Tel, Other };
  Scheme scheme = Scheme::Sip;
  std::string schemeText;  // lower case: "sip", "sips", "tel", or the unknown scheme
  // sip/sips: userinfo and hostport; the user part is kept as written (escapes intact).
  std::string user;
  std::optional<std::string> password;
  std::string host;  // IPv6 references keep their brackets: "[2001:db8::1]"
  std::optional<uint16_t> port;
  std::vector<Param> params;   // ;name=value
  std::vector<Param> headers;  // ?name=value&...
  // tel: the number (global "+..." or local); other schemes: everything after "scheme:".
  std::string opaque;

  bool isSip() const noexcept { return scheme == Scheme::Sip || scheme == Scheme::Sips; }
  const Param* param(std::string_view name) const noexcept { return findParam(params, name); }
  // "sip:user@host" with the user unescaped, host lower-cased, no port/params: the key the
  // location service stores a user's bindings under (RFC 3261 §10.3 step 5).
  std::string addressOfRecord() const;
  std::string toString() const;
};

[[nodiscard]] Result<Uri> parseUri(std::string_view text);

// RFC 3261 §19.1.4 comparison.
bool uriEquivalent(const Uri& a, const Uri& b);

// %XX unescaping; nullopt on a malformed escape.
std::optional<std::string> unescape(std::string_view s);

}  // namespace parley::sip
