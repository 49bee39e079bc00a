#include "common/stun/integrity.hpp"

#include <array>
#include <optional>

#include "common/base/crypto.hpp"
#include "common/stun/message.hpp"

namespace parley::stun {

namespace {

constexpr std::array<uint32_t, 256> makeCrcTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto kCrcTable = makeCrcTable();

uint16_t get16(const uint8_t* p) noexcept {
  return static_cast<uint16_t>((uint16_t{p[0]} << 8) | p[1]);
}

int hexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

// base offers hex digests; keys need the raw octets.
std::string fromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(hexValue(hex[i]) * 16 + hexValue(hex[i + 1])));
  }
  return out;
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Strict UTF-8 decoding (no overlong forms, no surrogates, nothing above U+10FFFF).
std::optional<uint32_t> nextCodePoint(std::string_view s, size_t& i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  size_t len = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) return std::nullopt;
  uint32_t cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += len;
  return cp;
}

bool mappedToNothing(uint32_t cp) noexcept {  // RFC 3454 table B.1
  return cp == 0x00AD || cp == 0x034F || cp == 0x1806 || (cp >= 0x180B && cp <= 0x180D) ||
         (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F) ||
         cp == 0xFEFF;
}

bool nonAsciiSpace(uint32_t cp) noexcept {  // RFC 3454 table C.1.2 (less U+200B, in B.1)
  return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

bool prohibited(uint32_t cp) noexcept {
  if (cp < 0x20 || cp == 0x7F) return true;                                 // C.2.1
  if (cp >= 0x80 && cp <= 0x9F) return true;                                // C.2.2
  if (cp == 0x06DD || cp == 0x070F || cp == 0x180E || cp == 0x200E || cp == 0x200F ||
      (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2061 && cp <= 0x2063) ||
      (cp >= 0x206A && cp <= 0x206F) || (cp >= 0xFFF9 && cp <= 0xFFFC) ||
      (cp >= 0x1D173 && cp <= 0x1D17A)) {
    return true;                                                            // C.2.2, C.8
  }
  if ((cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000) return true;        // C.3
  if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) return true;  // C.4
  if (cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F)) return true;       // C.9
  return false;
}

// The NFKC compatibility mappings this implementation knows (see the header).
uint32_t compatibilityMapping(uint32_t cp) noexcept {
  switch (cp) {
    case 0x00AA: return 'a';
    case 0x00BA: return 'o';
    case 0x00B2: return '2';
    case 0x00B3: return '3';
    case 0x00B9: return '1';
    default: break;
  }
  if (cp >= 0xFF01 && cp <= 0xFF5E) return cp - 0xFF01 + 0x21;
  return cp;
}

struct Located {
  size_t offset = 0;  // of the attribute header
  size_t length = 0;  // value length
};

struct IntegrityLayout {
  bool wellFormed = false;
  std::optional<Located> mi;
  std::optional<Located> miSha256;
  std::optional<Located> fingerprint;
};

// Walks the attributes with the same rules as decode(): the MESSAGE-INTEGRITY that counts
// is the first before any MESSAGE-INTEGRITY-SHA256 or FINGERPRINT, and so on.
IntegrityLayout layoutOf(std::span<const uint8_t> msg) {
  IntegrityLayout l;
  auto header = peekHeader(msg);
  if (!header || header->length + kHeaderSize != msg.size()) return l;
  size_t pos = kHeaderSize;
  while (pos < msg.size()) {
    if (msg.size() - pos < 4) return l;
    uint16_t type = get16(msg.data() + pos);
    size_t len = get16(msg.data() + pos + 2);
    size_t padded = (len + 3) & ~size_t{3};
    if (padded > msg.size() - pos - 4) return l;
    if (l.fingerprint) return l;  // FINGERPRINT must be last
    Located here{pos, len};
    if (type == attr::Fingerprint) {
      l.fingerprint = here;
    } else if (type == attr::MessageIntegritySha256 && !l.miSha256) {
      l.miSha256 = here;
    } else if (type == attr::MessageIntegrity && !l.mi && !l.miSha256) {
      l.mi = here;
    }
    pos += 4 + padded;
  }
  l.wellFormed = true;
  return l;
}

// The octets a MAC or CRC covers: everything before the attribute at `at`, with the header
// length rewritten to end just after it.
std::string coveredBytes(std::span<const uint8_t> msg, const Located& at) {
  std::string s(reinterpret_cast<const char*>(msg.data()), at.offset);
  size_t length = at.offset + 4 + ((at.length + 3) & ~size_t{3}) - kHeaderSize;
  s[2] = static_cast<char>(length >> 8);
  s[3] = static_cast<char>(length & 0xFF);
  return s;
}

std::string_view valueOf(std::span<const uint8_t> msg, const Located& at) {
  return {reinterpret_cast<const char*>(msg.data() + at.offset + 4), at.length};
}

}  // namespace

uint32_t crc32(std::span<const uint8_t> bytes) noexcept {
  uint32_t c = 0xFFFFFFFFu;
  for (uint8_t b : bytes) c = kCrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

Result<std::string> preparePassword(std::string_view password) {
  bool ascii = true;
  for (char c : password) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || u < 0x20 || u == 0x7F) ascii = false;
  }
  if (ascii) return std::string(password);

  std::string out;
  size_t i = 0;
  while (i < password.size()) {
    auto cp = nextCodePoint(password, i);
    if (!cp) return makeError(0, "password is not valid UTF-8");
    if (mappedToNothing(*cp)) continue;
    uint32_t c = nonAsciiSpace(*cp) ? 0x20 : compatibilityMapping(*cp);
    if (prohibited(c)) {
      return makeError(0, "password contains a prohibited character (control, private use or "
                          "non-character)");
    }
    appendUtf8(out, c);
  }
  return out;
}

Result<std::string> shortTermKey(std::string_view password) { return preparePassword(password); }

Result<std::string> longTermKey(std::string_view username, std::string_view realm,
                                std::string_view password, uint16_t algorithm) {
  auto prepared = preparePassword(password);
  if (!prepared) return prepared.error();
  std::string input;
  input.reserve(username.size() + realm.size() + prepared->size() + 2);
  input.append(username).append(":").append(realm).append(":").append(*prepared);
  if (algorithm == kPasswordAlgorithmMd5) return fromHex(crypto::md5Hex(input));
  if (algorithm == kPasswordAlgorithmSha256) return fromHex(crypto::sha256Hex(input));
  return makeError(400, "unsupported password algorithm " + std::to_string(algorithm));
}

std::string userhash(std::string_view username, std::string_view realm) {
  std::string input(username);
  input.append(":").append(realm);
  return fromHex(crypto::sha256Hex(input));
}

std::string_view toString(Check c) noexcept {
  switch (c) {
    case Check::Absent: return "absent";
    case Check::Valid: return "valid";
    case Check::Invalid: return "invalid";
  }
  return "?";
}

Check checkMessageIntegrity(std::span<const uint8_t> message, std::string_view key) {
  auto l = layoutOf(message);
  if (!l.wellFormed) return Check::Invalid;
  if (!l.mi) return Check::Absent;
  if (l.mi->length != 20) return Check::Invalid;
  std::string mac = crypto::hmacSha1(key, coveredBytes(message, *l.mi));
  return crypto::constantTimeEquals(mac, valueOf(message, *l.mi)) ? Check::Valid : Check::Invalid;
}

Check checkMessageIntegritySha256(std::span<const uint8_t> message, std::string_view key) {
  auto l = layoutOf(message);
  if (!l.wellFormed) return Check::Invalid;
  if (!l.miSha256) return Check::Absent;
  size_t n = l.miSha256->length;
  if (n < 16 || n > 32 || n % 4 != 0) return Check::Invalid;
  std::string mac = crypto::hmacSha256(key, coveredBytes(message, *l.miSha256));
  mac.resize(n);  // truncated MACs compare their leading octets (RFC 8489 section 14.6)
  return crypto::constantTimeEquals(mac, valueOf(message, *l.miSha256)) ? Check::Valid
                                                                          : Check::Invalid;
}

Check checkFingerprint(std::span<const uint8_t> message) {
  auto l = layoutOf(message);
  if (!l.wellFormed) return Check::Invalid;
  if (!l.fingerprint) return Check::Absent;
  if (l.fingerprint->length != 4) return Check::Invalid;
  std::string covered = coveredBytes(message, *l.fingerprint);
  uint32_t want = crc32({reinterpret_cast<const uint8_t*>(covered.data()), covered.size()}) ^
                  kFingerprintXor;
  const uint8_t* v = message.data() + l.fingerprint->offset + 4;
  uint32_t got = (uint32_t{v[0]} << 24) | (uint32_t{v[1]} << 16) | (uint32_t{v[2]} << 8) | v[3];
  return got == want ? Check::Valid : Check::Invalid;
}

}  // namespace parley::stun
