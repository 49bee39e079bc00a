#pragma once
// Limits of the relay: allocation quotas per user and in total (RFC 8656 §7.2 step 10: 486
// Allocation Quota Reached), and a token bucket per source address for requests that are
// not (yet) authenticated (issue 3 §5), so that one source cannot make the Edge spend its
// CPU on challenges and lookups. Both are sans-I/O: time comes in as an argument.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/base/clock.hpp"
#include "common/base/result.hpp"
#include "common/relay/address.hpp"

namespace parley::relay {

struct QuotaLimits {
  std::size_t perUser = 10;    // allocations one user may hold at once
  std::size_t total = 10000;   // allocations of this Edge at once
};

class QuotaTracker {
 public:
  explicit QuotaTracker(QuotaLimits limits = {}) : limits_(limits) {}

  // Counts one allocation for `user`, or refuses with code 486 and a message naming the
  // limit that was reached ("user ... holds 10 allocations, the most allowed").
  Result<void> acquire(std::string_view user);
  // Gives back one allocation of `user` (when it expires or is deleted). Releasing more
  // than was acquired is ignored: a double release must not open room for others.
  void release(std::string_view user);

  std::size_t count(std::string_view user) const;
  std::size_t total() const noexcept { return total_; }
  const QuotaLimits& limits() const noexcept { return limits_; }
  // A new configuration applies to later acquisitions; holders above it keep theirs.
  void setLimits(QuotaLimits limits) noexcept { limits_ = limits; }

 private:
  QuotaLimits limits_;
  std::size_t total_ = 0;
  // Users holding at least one allocation only: memory follows live allocations.
  std::map<std::string, std::size_t, std::less<>> perUser_;
};

struct RateLimit {
  double perSecond = 20;  // tokens added per second
  double burst = 40;      // bucket size: requests allowed at once after a quiet spell
  // Sources tracked at once; past this the least recently seen is forgotten (its next
  // request starts with a full bucket again), so memory stays bounded under a flood of
  // spoofed sources.
  std::size_t maxSources = 65536;
  // IPv6 sources are counted per prefix of this length: one host usually owns a whole
  // /64 and could otherwise take a fresh bucket per address.
  unsigned ipv6PrefixLength = 64;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit = {});

  // Takes `cost` tokens from the source's bucket; false (drop or refuse the request) when
  // it has fewer. A clock that goes backwards adds nothing.
  bool allow(const IpAddress& source, TimePoint now, double cost = 1.0);

  std::size_t trackedSources() const noexcept { return buckets_.size(); }
  const RateLimit& limit() const noexcept { return limit_; }

 private:
  struct Key {
    std::array<std::uint8_t, 17> bytes{};  // family, then the (masked) address
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t seed;  // random, per limiter
    std::size_t operator()(const Key& k) const noexcept;
  };
  struct Bucket {
    double tokens = 0;
    TimePoint last{};
    std::list<Key>::iterator lru;
  };

  Key keyOf(const IpAddress& source) const;

  RateLimit limit_;
  // Most recently seen at the front; the back is evicted first.
  std::list<Key> lru_;
  std::unordered_map<Key, Bucket, KeyHash> buckets_;
};

}  // namespace parley::relay
