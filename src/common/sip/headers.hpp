#pragma once
// Typed views of the headers a proxy routes on. Each is parsed on demand from the header's
// text (lazily), returning a Result rather than throwing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/sip/uri.hpp"

namespace parley::sip {

// Via: SIP/2.0/UDP host:port;branch=...;rport;received=...
struct Via {
  std::string protocol = "SIP/2.0";
  std::string transport;  // upper case: UDP, TCP, TLS, SCTP, or an unknown token
  std::string host;       // IPv6 keeps brackets
  std::optional<uint16_t> port;
  std::vector<Param> params;

  const Param* param(std::string_view name) const noexcept { return findParam(params, name); }
  std::string branch() const;  // "" when absent
  std::string toString() const;
};

// name-addr / addr-spec with header parameters: From, To, Contact, Route, Record-Route, ...
struct NameAddr {
  std::string displayName;  // unquoted, escapes resolved
  Uri uri;
  std::vector<Param> params;  // header parameters (tag, expires, q, +sip.instance, ...)

  const Param* param(std::string_view name) const noexcept { return findParam(params, name); }
  std::string tag() const;  // "" when absent
  std::string toString() const;  // always writes the URI inside <>
};

struct CSeq {
  uint32_t number = 0;
  std::string method;
};

// A credentials or challenge header: `Digest realm="x", nonce="y", ...`
struct AuthParams {
  std::string scheme;  // "Digest"
  std::vector<Param> params;  // values unquoted
  const Param* param(std::string_view name) const noexcept { return findParam(params, name); }
  std::string toString() const;  // quotes values that need it
};

// Header parameter values of Via and NameAddr keep a quoted-string's quotes as written, so
// `+sip.instance="<urn:uuid:...>"` survives re-serialisation; unquoted() strips the quotes
// and resolves quoted-pairs (a value that is not quoted is returned unchanged).
std::string unquoted(std::string_view value);

[[nodiscard]] Result<Via> parseVia(std::string_view value);
[[nodiscard]] Result<NameAddr> parseNameAddr(std::string_view value);
[[nodiscard]] Result<CSeq> parseCSeq(std::string_view value);
[[nodiscard]] Result<AuthParams> parseAuthParams(std::string_view value);

}  // namespace parley::sip
