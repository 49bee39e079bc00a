#include "common/sip/auth/nonce.hpp"

#include <algorithm>

#include "common/base/crypto.hpp"
#include "common/base/strings.hpp"

namespace parley::sip::auth {
namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kTimeBytes = 8;
constexpr std::size_t kRandomBytes = 12;
constexpr std::size_t kMacBytes = 16;
constexpr std::size_t kBodyBytes = 1 + kTimeBytes + kRandomBytes;
constexpr std::size_t kNonceBytes = kBodyBytes + kMacBytes;
// Domain separation: this key may one day sign other things too.
constexpr std::string_view kLabel = "parley digest nonce";

int hexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> fromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hexValue(hex[2 * i]);
    int lo = hexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

}  // namespace

NonceCodec::NonceCodec(std::string secret, std::vector<std::string> previous)
    : secret_(std::move(secret)), previous_(std::move(previous)) {}

std::string NonceCodec::mac(const std::string& secret, std::string_view body,
                            std::string_view realm) const {
  std::string data;
  data.reserve(kLabel.size() + 1 + body.size() + realm.size());
  data.append(kLabel).push_back('\0');
  data.append(body).append(realm);
  return crypto::hmacSha256(secret, data).substr(0, kMacBytes);
}

std::string NonceCodec::issue(std::string_view realm, std::int64_t nowUnix) const {
  return issueWith(realm, nowUnix, crypto::randomBytes(kRandomBytes));
}

std::string NonceCodec::issueWith(std::string_view realm, std::int64_t nowUnix,
                                  std::string_view random12) const {
  std::string body;
  body.reserve(kNonceBytes);
  body.push_back(static_cast<char>(kVersion));
  auto t = static_cast<std::uint64_t>(nowUnix);
  for (int shift = 56; shift >= 0; shift -= 8) {
    body.push_back(static_cast<char>((t >> shift) & 0xFF));
  }
  std::string random(random12.substr(0, kRandomBytes));
  random.resize(kRandomBytes, '\0');
  body.append(random);
  body.append(mac(secret_, body, realm));
  return toHex(body);
}

std::optional<OpenedNonce> NonceCodec::open(std::string_view nonce, std::string_view realm) const {
  if (nonce.size() != 2 * kNonceBytes) return std::nullopt;
  auto bytes = fromHex(nonce);
  if (!bytes || static_cast<std::uint8_t>((*bytes)[0]) != kVersion) return std::nullopt;
  std::string_view body = std::string_view(*bytes).substr(0, kBodyBytes);
  std::string_view presented = std::string_view(*bytes).substr(kBodyBytes);
  bool authentic = crypto::constantTimeEquals(mac(secret_, body, realm), presented);
  for (const std::string& old : previous_) {
    if (authentic) break;
    authentic = crypto::constantTimeEquals(mac(old, body, realm), presented);
  }
  if (!authentic) return std::nullopt;
  std::uint64_t t = 0;
  for (std::size_t i = 1; i <= kTimeBytes; ++i) {
    t = (t << 8) | static_cast<std::uint8_t>((*bytes)[i]);
  }
  return OpenedNonce{static_cast<std::int64_t>(t), std::string(presented)};
}

NonceCountTracker::Check NonceCountTracker::check(const OpenedNonce& nonce,
                                                  std::uint32_t nc) const {
  auto it = entries_.find({nonce.issuedAt, nonce.mac});
  if (it == entries_.end()) {
    if (evictedThrough_ && nonce.issuedAt <= *evictedThrough_) return Check::Unknown;
    return Check::Fresh;
  }
  return nc > it->second ? Check::Fresh : Check::Replay;
}

void NonceCountTracker::record(const OpenedNonce& nonce, std::uint32_t nc) {
  auto [it, inserted] = entries_.try_emplace({nonce.issuedAt, nonce.mac}, nc);
  if (!inserted) {
    if (nc > it->second) it->second = nc;
    return;
  }
  while (entries_.size() > maxEntries_ && !entries_.empty()) {
    auto oldest = entries_.begin();
    evictedThrough_ =
        evictedThrough_ ? std::max(*evictedThrough_, oldest->first.first) : oldest->first.first;
    entries_.erase(oldest);
  }
}

void NonceCountTracker::purge(std::int64_t issuedBefore) {
  while (!entries_.empty() && entries_.begin()->first.first <= issuedBefore) {
    entries_.erase(entries_.begin());
  }
}

}  // namespace parley::sip::auth
