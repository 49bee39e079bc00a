#include "common/relay/limits.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "common/base/crypto.hpp"

namespace parley::relay {

Result<void> QuotaTracker::acquire(std::string_view user) {
  if (total_ >= limits_.total) {
    return makeError(486, "the Edge holds " + std::to_string(total_) +
                              " allocations, the most allowed in total");
  }
  auto it = perUser_.find(user);
  std::size_t held = it == perUser_.end() ? 0 : it->second;
  if (held >= limits_.perUser) {
    return makeError(486, "user " + std::string(user) + " holds " + std::to_string(held) +
                              " allocations, the most allowed per user");
  }
  if (it == perUser_.end()) {
    perUser_.emplace(std::string(user), 1);
  } else {
    ++it->second;
  }
  ++total_;
  return {};
}

void QuotaTracker::release(std::string_view user) {
  auto it = perUser_.find(user);
  if (it == perUser_.end()) return;
  if (--it->second == 0) perUser_.erase(it);
  if (total_ > 0) --total_;
}

std::size_t QuotaTracker::count(std::string_view user) const {
  auto it = perUser_.find(user);
  return it == perUser_.end() ? 0 : it->second;
}

std::size_t RateLimiter::KeyHash::operator()(const Key& k) const noexcept {
  // FNV-1a over a per-limiter random seed: sources are chosen by whoever sends (spoofed UDP
  // included), so bucket placement must not be predictable from outside.
  std::uint64_t h = 1469598103934665603ULL ^ seed;
  for (std::uint8_t b : k.bytes) {
    h ^= b;
    h *= 1099511628211ULL;
  }
  return static_cast<std::size_t>(h ^ (h >> 29));
}

namespace {

std::size_t randomSeed() {
  std::string bytes = crypto::randomBytes(sizeof(std::size_t));
  std::size_t seed = 0;
  std::memcpy(&seed, bytes.data(), sizeof seed);
  return seed;
}

}  // namespace

RateLimiter::RateLimiter(RateLimit limit) : limit_(limit), buckets_(16, KeyHash{randomSeed()}) {
  limit_.maxSources = std::max<std::size_t>(limit_.maxSources, 1);
  limit_.ipv6PrefixLength = std::min(limit_.ipv6PrefixLength, 128U);
}

RateLimiter::Key RateLimiter::keyOf(const IpAddress& source) const {
  Key k;
  // An IPv4 peer seen on a dual-stack socket (::ffff:a.b.c.d) is the same source as a.b.c.d.
  IpAddress a = source;
  const auto& b = source.bytes();
  if (source.isV6() && std::all_of(b.begin(), b.begin() + 10, [](std::uint8_t x) { return x == 0; }) &&
      b[10] == 0xff && b[11] == 0xff) {
    a = IpAddress::v4({b[12], b[13], b[14], b[15]});
  }
  k.bytes[0] = a.isV4() ? 4 : 6;
  if (a.isV4()) {
    std::copy_n(a.bytes().begin(), 4, k.bytes.begin() + 1);
  } else {
    Cidr prefix(a, limit_.ipv6PrefixLength);
    std::copy_n(prefix.network().bytes().begin(), 16, k.bytes.begin() + 1);
  }
  return k;
}

bool RateLimiter::allow(const IpAddress& source, TimePoint now, double cost) {
  Key key = keyOf(source);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= limit_.maxSources) {
      buckets_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(key);
    it = buckets_.emplace(key, Bucket{limit_.burst, now, lru_.begin()}).first;
  } else {
    Bucket& b = it->second;
    lru_.splice(lru_.begin(), lru_, b.lru);
    if (now > b.last) {
      double elapsed = std::chrono::duration<double>(now - b.last).count();
      b.tokens = std::min(limit_.burst, b.tokens + elapsed * limit_.perSecond);
      b.last = now;
    }
  }
  Bucket& b = it->second;
  if (b.tokens < cost) return false;
  b.tokens -= cost;
  return true;
}

}  // namespace parley::relay
