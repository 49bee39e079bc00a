#include "common/sip/auth/nonce.hpp"

#include <gtest/gtest.h>

#include <cctype>

namespace parley::sip::auth {
namespace {

TEST(NonceCodec, IssueThenOpen) {
  NonceCodec codec("a secret of enough length for tests");
  std::string nonce = codec.issue("example.com", 1700000000);
  EXPECT_EQ(nonce.size(), 74u);
  auto opened = codec.open(nonce, "example.com");
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->issuedAt, 1700000000);
  EXPECT_EQ(opened->mac.size(), 16u);
  EXPECT_NE(codec.issue("example.com", 1700000000), nonce);  // random part differs
}

TEST(NonceCodec, BoundToRealmAndSecret) {
  NonceCodec codec("secret-1");
  std::string nonce = codec.issue("example.com", 1000);
  EXPECT_FALSE(codec.open(nonce, "example.org"));
  EXPECT_FALSE(NonceCodec("secret-2").open(nonce, "example.com"));
  // Rotation: the new codec still accepts nonces signed with the previous secret.
  EXPECT_TRUE(NonceCodec("secret-2", {"secret-1"}).open(nonce, "example.com"));
}

TEST(NonceCodec, TamperedOrMalformedNoncesAreRefused) {
  NonceCodec codec("secret");
  std::string nonce = codec.issueWith("r", 5000, "123456789012");
  ASSERT_TRUE(codec.open(nonce, "r"));
  // Moving the issue time forward (to dodge expiry) breaks the MAC.
  std::string later = nonce;
  later[17] = later[17] == 'f' ? 'e' : 'f';
  EXPECT_FALSE(codec.open(later, "r"));
  std::string macFlip = nonce;
  macFlip.back() = macFlip.back() == '0' ? '1' : '0';
  EXPECT_FALSE(codec.open(macFlip, "r"));
  EXPECT_FALSE(codec.open(nonce.substr(2), "r"));
  EXPECT_FALSE(codec.open(nonce + "00", "r"));
  EXPECT_FALSE(codec.open(std::string(74, 'z'), "r"));
  EXPECT_FALSE(codec.open("", "r"));
  // Hex case does not matter (the MAC identifies the nonce either way).
  std::string upper = nonce;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(codec.open(upper, "r"));
}

TEST(NonceCountTracker, RefusesRepeatsAndKeepsMaximum) {
  NonceCountTracker t(10);
  OpenedNonce n{100, "mac-a"};
  EXPECT_EQ(t.check(n, 1), NonceCountTracker::Check::Fresh);
  t.record(n, 1);
  EXPECT_EQ(t.check(n, 1), NonceCountTracker::Check::Replay);
  EXPECT_EQ(t.check(n, 2), NonceCountTracker::Check::Fresh);
  t.record(n, 5);
  EXPECT_EQ(t.check(n, 4), NonceCountTracker::Check::Replay);
  EXPECT_EQ(t.check(n, 6), NonceCountTracker::Check::Fresh);
  EXPECT_EQ(t.check(OpenedNonce{100, "mac-b"}, 1), NonceCountTracker::Check::Fresh);
}

TEST(NonceCountTracker, BoundedAndEvictionNeverAllowsReplay) {
  NonceCountTracker t(3);
  for (int i = 0; i < 5; ++i) t.record(OpenedNonce{100 + i, "m" + std::to_string(i)}, 1);
  EXPECT_EQ(t.size(), 3u);
  // The two oldest were evicted: they are Unknown (forcing a fresh nonce), never Fresh.
  EXPECT_EQ(t.check(OpenedNonce{100, "m0"}, 1), NonceCountTracker::Check::Unknown);
  EXPECT_EQ(t.check(OpenedNonce{101, "m1"}, 2), NonceCountTracker::Check::Unknown);
  EXPECT_EQ(t.check(OpenedNonce{101, "never-seen"}, 1), NonceCountTracker::Check::Unknown);
  EXPECT_EQ(t.check(OpenedNonce{104, "m4"}, 1), NonceCountTracker::Check::Replay);
  EXPECT_EQ(t.check(OpenedNonce{105, "new"}, 1), NonceCountTracker::Check::Fresh);
}

TEST(NonceCountTracker, PurgeForgetsOldNonces) {
  NonceCountTracker t(100);
  t.record(OpenedNonce{100, "a"}, 1);
  t.record(OpenedNonce{200, "b"}, 1);
  t.record(OpenedNonce{300, "c"}, 1);
  t.purge(200);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.check(OpenedNonce{300, "c"}, 1), NonceCountTracker::Check::Replay);
}

}  // namespace
}  // namespace parley::sip::auth
