#pragma once
// Validation and canonical forms of what the store keeps. The repositories apply them on
// every write (throwing StoreError::Kind::Invalid); parleyctl may call them first to report
// a bad argument before it opens the store.

#include <string>
#include <string_view>

#include "common/base/result.hpp"

namespace parley::store {

// A user's SIP URI in its canonical form "sip:user@domain", all lower case, as the users
// table keys it. Accepts "SIP:" in any case; refuses sips:, ports, parameters, headers,
// %-escapes and passwords, which have no place in a user's identity. The user part may hold
// RFC 3261 unreserved characters and "&=+$,", so "sip:+14255550100@example.com" is valid.
[[nodiscard]] Result<std::string> canonicalUserUri(std::string_view text);

// A line URI: "tel:+" then 1 to 15 digits (E.164), optionally ";ext=" and 1 or more digits.
// Visual separators ("-", ".", "(", ")") are refused rather than guessed away.
// The canonical form lower-cases "tel:" and ";ext=".
[[nodiscard]] Result<std::string> canonicalLineUri(std::string_view text);

// A DNS name (SIP domain, pool or server FQDN), lower case, without a trailing dot.
[[nodiscard]] Result<std::string> canonicalDomain(std::string_view text);

// A numeric IPv4 or IPv6 address (IPv6 without brackets), in its canonical text form.
[[nodiscard]] Result<std::string> canonicalAddress(std::string_view text);

// A name for a site or a client policy: 1 to 128 printable characters, not all spaces.
[[nodiscard]] Result<std::string> checkName(std::string_view what, std::string_view text);

// The user part and the domain of a canonical user URI ("alice" and "example.com").
std::string_view uriUser(std::string_view canonicalUri) noexcept;
std::string_view uriDomain(std::string_view canonicalUri) noexcept;

}  // namespace parley::store
