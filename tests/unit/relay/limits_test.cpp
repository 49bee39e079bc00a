#include "common/relay/limits.hpp"

#include <gtest/gtest.h>

namespace parley::relay {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

IpAddress ip(std::string_view text) { return *IpAddress::parse(text); }

TEST(QuotaTracker, PerUserAndTotal) {
  QuotaTracker q({.perUser = 2, .total = 3});
  EXPECT_TRUE(q.acquire("alice"));
  EXPECT_TRUE(q.acquire("alice"));
  auto third = q.acquire("alice");
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, 486);
  EXPECT_NE(third.error().message.find("per user"), std::string::npos);
  EXPECT_EQ(q.count("alice"), 2u);

  EXPECT_TRUE(q.acquire("bob"));
  auto full = q.acquire("carol");
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, 486);
  EXPECT_NE(full.error().message.find("in total"), std::string::npos);
  EXPECT_EQ(q.total(), 3u);

  q.release("alice");
  EXPECT_EQ(q.count("alice"), 1u);
  EXPECT_TRUE(q.acquire("carol"));
  EXPECT_EQ(q.total(), 3u);
}

TEST(QuotaTracker, ReleaseIsNotOverCounted) {
  QuotaTracker q({.perUser = 1, .total = 2});
  EXPECT_TRUE(q.acquire("alice"));
  q.release("alice");
  q.release("alice");    // a double release
  q.release("mallory");  // never acquired
  EXPECT_EQ(q.total(), 0u);
  EXPECT_EQ(q.count("alice"), 0u);
  EXPECT_TRUE(q.acquire("alice"));
  EXPECT_TRUE(q.acquire("bob"));
  EXPECT_FALSE(q.acquire("carol"));  // the double release opened no extra room
}

TEST(QuotaTracker, LoweredLimitsApplyToLaterAcquisitions) {
  QuotaTracker q({.perUser = 5, .total = 100});
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(q.acquire("alice"));
  q.setLimits({.perUser = 2, .total = 100});
  EXPECT_FALSE(q.acquire("alice"));
  EXPECT_EQ(q.count("alice"), 4u);
}

TEST(RateLimiter, TokenBucketWithFakeTime) {
  RateLimiter r({.perSecond = 2, .burst = 3});
  TimePoint t0{seconds(1000)};
  auto a = ip("198.51.100.1");
  EXPECT_TRUE(r.allow(a, t0));
  EXPECT_TRUE(r.allow(a, t0));
  EXPECT_TRUE(r.allow(a, t0));
  EXPECT_FALSE(r.allow(a, t0));  // the burst is spent
  EXPECT_TRUE(r.allow(ip("198.51.100.2"), t0));  // another source has its own bucket
  EXPECT_FALSE(r.allow(a, t0 + milliseconds(400)));  // 0.8 tokens
  EXPECT_TRUE(r.allow(a, t0 + milliseconds(500)));   // 1 token
  EXPECT_FALSE(r.allow(a, t0 + milliseconds(500)));
  // A long quiet spell refills up to the burst, not beyond.
  TimePoint later = t0 + seconds(60);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(r.allow(a, later));
  EXPECT_FALSE(r.allow(a, later));
  // Time going backwards adds nothing.
  EXPECT_FALSE(r.allow(a, t0));
}

TEST(RateLimiter, Cost) {
  RateLimiter r({.perSecond = 1, .burst = 5});
  TimePoint t0{seconds(1)};
  auto a = ip("198.51.100.1");
  EXPECT_TRUE(r.allow(a, t0, 4));
  EXPECT_FALSE(r.allow(a, t0, 2));
  EXPECT_TRUE(r.allow(a, t0, 1));
}

TEST(RateLimiter, Ipv6CountedPerPrefixAndMappedAsIpv4) {
  RateLimiter r({.perSecond = 1, .burst = 2, .ipv6PrefixLength = 64});
  TimePoint t0{seconds(1)};
  EXPECT_TRUE(r.allow(ip("2001:db8:1:2::1"), t0));
  EXPECT_TRUE(r.allow(ip("2001:db8:1:2::ffff"), t0));
  EXPECT_FALSE(r.allow(ip("2001:db8:1:2:abcd::1"), t0));  // same /64
  EXPECT_TRUE(r.allow(ip("2001:db8:1:3::1"), t0));        // another /64
  EXPECT_TRUE(r.allow(ip("192.0.2.1"), t0));
  EXPECT_TRUE(r.allow(ip("::ffff:192.0.2.1"), t0));
  EXPECT_FALSE(r.allow(ip("192.0.2.1"), t0));  // the mapped form shared its bucket
  EXPECT_EQ(r.trackedSources(), 3u);
}

TEST(RateLimiter, MemoryIsBoundedAndTheOldestIsEvicted) {
  RateLimiter r({.perSecond = 0.001, .burst = 1, .maxSources = 3});
  TimePoint t0{seconds(1)};
  auto a = ip("198.51.100.1");
  auto b = ip("198.51.100.2");
  auto c = ip("198.51.100.3");
  EXPECT_TRUE(r.allow(a, t0));
  EXPECT_TRUE(r.allow(b, t0));
  EXPECT_TRUE(r.allow(c, t0));
  EXPECT_FALSE(r.allow(a, t0));  // a is now the most recently seen; b is the oldest
  EXPECT_TRUE(r.allow(ip("198.51.100.4"), t0));  // evicts b
  EXPECT_EQ(r.trackedSources(), 3u);
  EXPECT_FALSE(r.allow(a, t0));  // a was kept, still empty
  EXPECT_FALSE(r.allow(c, t0));  // c was kept too; 198.51.100.4 is now the oldest
  EXPECT_TRUE(r.allow(b, t0));   // b was forgotten: a full bucket again
  EXPECT_EQ(r.trackedSources(), 3u);
  for (int i = 0; i < 1000; ++i) {
    (void)r.allow(IpAddress::v4(0xC6336400U + static_cast<std::uint32_t>(i)), t0);
  }
  EXPECT_EQ(r.trackedSources(), 3u);
}

}  // namespace
}  // namespace parley::relay
