#pragma once
// STUN message integrity (RFC 8489 sections 9 and 14.5-14.7): keys, MESSAGE-INTEGRITY
// (HMAC-SHA1), MESSAGE-INTEGRITY-SHA256 and FINGERPRINT (CRC-32 XOR 0x5354554e).
//
// The checks work on the received bytes, not on a decoded Message: the MACs cover the
// octets as they arrived (padding included) with the header length rewritten to end just
// after the attribute being checked. Call decode() first; these functions re-walk the
// attributes themselves and treat anything malformed as Invalid.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/base/result.hpp"

namespace parley::stun {

inline constexpr uint32_t kFingerprintXor = 0x5354554E;

// CRC-32 as in ISO 3309 / ITU-T V.42 (the one zlib and Ethernet use).
uint32_t crc32(std::span<const uint8_t> bytes) noexcept;

// Password preparation.
// RFC 8489 prepares passwords with OpaqueString (RFC 8265); RFC 5389, whose test vectors
// (RFC 5769 section 2.4) still circulate, used SASLprep (RFC 4013). For ASCII passwords
// without control characters both are the identity, and so is this function. For other
// input it applies the SASLprep steps that matter in practice:
//   - removes the characters RFC 3454 table B.1 maps to nothing (U+00AD soft hyphen,
//     U+034F, U+1806, U+180B-U+180D, U+200B-U+200D, U+2060, U+FE00-U+FE0F, U+FEFF);
//   - maps non-ASCII spaces (table C.1.2) to U+0020;
//   - applies the NFKC compatibility mappings of Latin-1 (U+00AA -> 'a', U+00BA -> 'o',
//     U+00B2/U+00B3/U+00B9 -> '2'/'3'/'1') and of the full-width ASCII forms
//     (U+FF01-U+FF5E -> U+0021-U+007E);
//   - refuses invalid UTF-8, control characters (C.2.1, C.2.2), private use (C.3),
//     non-characters (C.4) and tagging characters (C.9) with an Error (code 0).
// Limits: there is no general Unicode normalization (no canonical composition or
// decomposition, no other compatibility mappings) and no bidirectional check; other
// characters pass through unchanged, which is right for text already in NFC that has no
// compatibility characters. Provision such passwords in NFC.
Result<std::string> preparePassword(std::string_view password);

// Short-term credential key (RFC 8489 section 9.1.1): the prepared password.
Result<std::string> shortTermKey(std::string_view password);

// Long-term credential key (RFC 8489 section 9.2.2): MD5 (algorithm 0x0001, also when no
// PASSWORD-ALGORITHM is in the message) or SHA-256 (0x0002) of
// "username:realm:password" (password prepared, username and realm as sent), raw octets.
// Other algorithms fail with code 400.
Result<std::string> longTermKey(std::string_view username, std::string_view realm,
                                std::string_view password, uint16_t algorithm = 0x0001);

// USERHASH (RFC 8489 section 14.4): SHA-256("username:realm"), 32 raw octets.
std::string userhash(std::string_view username, std::string_view realm);

enum class Check { Absent, Valid, Invalid };
std::string_view toString(Check c) noexcept;  // "absent", "valid", "invalid"

// `message` is one whole STUN message (as given to decode()). Only the MESSAGE-INTEGRITY
// that counts is checked (the first, before any MESSAGE-INTEGRITY-SHA256 or FINGERPRINT),
// likewise for MESSAGE-INTEGRITY-SHA256 (first, before FINGERPRINT). MACs are compared in
// constant time.
Check checkMessageIntegrity(std::span<const uint8_t> message, std::string_view key);
Check checkMessageIntegritySha256(std::span<const uint8_t> message, std::string_view key);
Check checkFingerprint(std::span<const uint8_t> message);

}  // namespace parley::stun
