#pragma once
// Digest computations of RFC 7616 (HTTP Digest) as SIP uses them (RFC 3261 §22.4,
// RFC 8760: SHA-256 for SIP). Only qop=auth is computed; Parley never offers auth-int or
// the -sess algorithms.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::sip::auth {

enum class Algorithm : std::uint8_t { Md5, Sha256 };

// "MD5", "SHA-256": the spelling of the algorithm parameter.
std::string_view algorithmName(Algorithm algorithm) noexcept;
// Case-insensitive; empty for anything else (MD5-sess, SHA-512-256, ...).
std::optional<Algorithm> parseAlgorithm(std::string_view name) noexcept;
// Length of the algorithm's digest in hex characters: 32 for MD5, 64 for SHA-256.
std::size_t hexDigestLength(Algorithm algorithm) noexcept;

// H(data) in lower-case hex.
std::string hashHex(Algorithm algorithm, std::string_view data);

// HA1 = H(username ":" realm ":" password) (RFC 7616 §3.4.2, non-session algorithms).
std::string computeHa1(Algorithm algorithm, std::string_view username, std::string_view realm,
                       std::string_view password);

// The request-digest for qop=auth (RFC 7616 §3.4.1):
//   response = KD(HA1, nonce ":" nc ":" cnonce ":" qop ":" HA2),  HA2 = H(method ":" uri)
// where KD(secret, data) = H(secret ":" data). `ha1` is lower-case hex.
std::string computeResponse(Algorithm algorithm, std::string_view ha1, std::string_view nonce,
                            std::string_view nc, std::string_view cnonce, std::string_view qop,
                            std::string_view method, std::string_view uri);

}  // namespace parley::sip::auth
