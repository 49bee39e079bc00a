#pragma once
// Hashes, HMAC, base64 and secure random bytes over OpenSSL's libcrypto, shared by digest
// authentication (SIP), relay credentials (TURN REST style) and the store.

#include <string>
#include <string_view>

namespace parley::crypto {

std::string md5Hex(std::string_view data);
std::string sha256Hex(std::string_view data);
// Raw HMAC digests (binary strings).
std::string hmacSha1(std::string_view key, std::string_view data);
std::string hmacSha256(std::string_view key, std::string_view data);
std::string base64Encode(std::string_view bytes);
// Cryptographically secure random bytes; throws std::runtime_error if the RNG fails.
std::string randomBytes(size_t n);
// Random lowercase hex token of 2*n characters.
std::string randomToken(size_t n = 16);
// Constant-time comparison for secrets and MACs.
bool constantTimeEquals(std::string_view a, std::string_view b) noexcept;

}  // namespace parley::crypto
