#include "common/relay/peer_policy.hpp"

#include <gtest/gtest.h>

namespace parley::relay {
namespace {

IpAddress ip(std::string_view text) {
  auto a = IpAddress::parse(text);
  EXPECT_TRUE(a) << text;
  return a ? *a : IpAddress{};
}

Cidr cidr(std::string_view text) {
  auto c = Cidr::parse(text);
  EXPECT_TRUE(c) << text;
  return c ? *c : Cidr{};
}

class PeerPolicyTest : public ::testing::Test {
 protected:
  Decision check(std::string_view address) const { return policy_.check(ip(address)); }
  bool allowed(std::string_view address) const { return check(address).allowed; }

  PeerPolicy policy_;
};

TEST_F(PeerPolicyTest, EveryDefaultRangeIsRefused) {
  struct Case {
    const char* address;
    const char* reason;  // a word the reason must contain
  };
  for (const Case& c : std::initializer_list<Case>{
           {"127.0.0.1", "loopback"},
           {"127.255.255.255", "loopback"},
           {"::1", "loopback"},
           {"10.0.0.0", "private"},
           {"10.255.255.255", "private"},
           {"172.16.0.0", "private"},
           {"172.31.255.255", "private"},
           {"192.168.0.1", "private"},
           {"169.254.0.1", "link-local"},
           {"fe80::1", "link-local"},
           {"febf::1", "link-local"},
           {"100.64.0.0", "carrier-grade NAT"},
           {"100.127.255.255", "carrier-grade NAT"},
           {"224.0.0.1", "multicast"},
           {"239.255.255.250", "multicast"},
           {"ff02::1", "multicast"},
           {"0.0.0.0", "unspecified"},
           {"0.1.2.3", "unspecified"},
           {"::", "unspecified"},
           {"255.255.255.255", "broadcast"},
           {"240.0.0.1", "reserved"},
           {"fc00::1", "unique local"},
           {"fd12:3456::1", "unique local"},
           {"fec0::1", "site-local"},
           {"169.254.169.254", "cloud metadata"},
           {"fd00:ec2::254", "cloud metadata"},
           {"::ffff:127.0.0.1", "loopback"},
           {"::ffff:10.1.2.3", "private"},
           {"::ffff:169.254.169.254", "cloud metadata"},
           {"::ffff:0.0.0.0", "unspecified"},
           {"::ffff:0:192.168.1.1", "private"},
           {"::127.0.0.1", "loopback"},
           {"::2", "unspecified"},
           {"64:ff9b::a00:1", "private"},
           {"64:ff9b::7f00:1", "loopback"},
           {"64:ff9b::a9fe:a9fe", "cloud metadata"},
           {"64:ff9b:1::1", "NAT64"},
           {"2002:a00:1::1", "private"},
       }) {
    Decision d = check(c.address);
    EXPECT_FALSE(d.allowed) << c.address << ": " << d.reason;
    EXPECT_NE(d.reason.find(c.reason), std::string::npos) << c.address << ": " << d.reason;
  }
}

TEST_F(PeerPolicyTest, EdgesOfTheRangesAndPublicAddresses) {
  EXPECT_TRUE(allowed("172.15.255.255"));
  EXPECT_FALSE(allowed("172.16.0.0"));
  EXPECT_FALSE(allowed("172.31.255.255"));
  EXPECT_TRUE(allowed("172.32.0.0"));
  EXPECT_TRUE(allowed("100.63.255.255"));
  EXPECT_FALSE(allowed("100.64.0.0"));
  EXPECT_TRUE(allowed("100.128.0.0"));
  EXPECT_TRUE(allowed("9.255.255.255"));
  EXPECT_TRUE(allowed("11.0.0.0"));
  EXPECT_TRUE(allowed("126.255.255.255"));
  EXPECT_TRUE(allowed("128.0.0.0"));
  EXPECT_TRUE(allowed("169.253.255.255"));
  EXPECT_TRUE(allowed("192.167.255.255"));
  EXPECT_TRUE(allowed("192.169.0.0"));
  EXPECT_TRUE(allowed("223.255.255.255"));
  EXPECT_TRUE(allowed("1.0.0.0"));
  EXPECT_TRUE(allowed("8.8.8.8"));
  EXPECT_TRUE(allowed("::ffff:8.8.8.8"));
  EXPECT_TRUE(allowed("64:ff9b::808:808"));
  EXPECT_TRUE(allowed("2002:808:808::1"));
  EXPECT_TRUE(allowed("2001:4860:4860::8888"));
  EXPECT_TRUE(allowed("fbff:ffff::1"));   // just below fc00::/7
  EXPECT_TRUE(allowed("fe00::1"));        // between fc00::/7 and fe80::/10
  EXPECT_FALSE(allowed("feff::1"));  // fec0::/10 site-local
  EXPECT_FALSE(allowed("fd00:ec2::253"));  // still unique local
  EXPECT_EQ(check("8.8.8.8").reason, "public address");
  // The reason names the embedded address that matched.
  EXPECT_EQ(check("::ffff:127.0.0.1").reason, "::ffff:127.0.0.1 carries 127.0.0.1: loopback (127.0.0.0/8)");
  EXPECT_EQ(check("169.254.169.254").reason, "cloud metadata service (169.254.169.254/32)");
}

TEST_F(PeerPolicyTest, OwnAddressesAreRefusedWhateverTheLists) {
  policy_.addOwnAddress(ip("203.0.113.10"));
  policy_.addOwnAddress(ip("2001:db8::10"));
  policy_.allow(cidr("203.0.113.0/24"));
  policy_.allow(cidr("2001:db8::/32"));
  EXPECT_FALSE(allowed("203.0.113.10"));
  EXPECT_FALSE(allowed("::ffff:203.0.113.10"));
  EXPECT_FALSE(allowed("2001:db8::10"));
  EXPECT_NE(check("203.0.113.10").reason.find("own address"), std::string::npos);
  EXPECT_TRUE(allowed("203.0.113.11"));
  EXPECT_TRUE(allowed("2001:db8::11"));
}

TEST_F(PeerPolicyTest, AllowOverridesDefaultsAndDenyOverridesAllow) {
  policy_.allow(cidr("10.1.0.0/16"));
  policy_.allow(cidr("fd00:1::/32"));
  policy_.deny(cidr("10.1.99.0/24"));
  policy_.deny(cidr("198.51.100.0/24"));

  Decision d = check("10.1.2.3");
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.reason, "allow list 10.1.0.0/16");
  EXPECT_TRUE(allowed("::ffff:10.1.2.3"));   // the same host through a dual-stack socket
  EXPECT_TRUE(allowed("64:ff9b::a01:203"));  // and through NAT64
  EXPECT_FALSE(allowed("10.2.0.1"));         // the rest of 10/8 stays refused
  EXPECT_TRUE(allowed("fd00:1::5"));

  d = check("10.1.99.5");  // inside both: deny wins
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "deny list 10.1.99.0/24");
  EXPECT_FALSE(allowed("::ffff:10.1.99.5"));
  EXPECT_FALSE(allowed("198.51.100.1"));  // a public address can be denied
  EXPECT_EQ(check("::ffff:198.51.100.1").reason, "::ffff:198.51.100.1 carries 198.51.100.1: deny list 198.51.100.0/24");
  EXPECT_TRUE(allowed("198.51.101.1"));
}

TEST_F(PeerPolicyTest, AllowingIpv6DoesNotOpenEmbeddedPrivateIpv4) {
  policy_.allow(cidr("::/0"));
  EXPECT_TRUE(allowed("fd00::1"));  // everything IPv6 itself: the administrator asked
  Decision d = check("::ffff:127.0.0.1");
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("loopback"), std::string::npos) << d.reason;
  EXPECT_FALSE(allowed("64:ff9b::a00:1"));
  EXPECT_FALSE(allowed("127.0.0.1"));
}

TEST(PeerPolicy, FromLists) {
  auto p = PeerPolicy::fromLists({"10.1.0.0/16"}, {"10.1.2.0/24"}, {"192.0.2.1"});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->check(*IpAddress::parse("10.1.3.1")).allowed);
  EXPECT_FALSE(p->check(*IpAddress::parse("10.1.2.1")).allowed);
  EXPECT_FALSE(p->check(*IpAddress::parse("192.0.2.1")).allowed);

  auto bad = PeerPolicy::fromLists({"10.1.0.0/16", "10.1.0.0/33"}, {});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("allow list entry 2"), std::string::npos) << bad.error().message;
  auto badDeny = PeerPolicy::fromLists({}, {"nonsense"});
  ASSERT_FALSE(badDeny);
  EXPECT_NE(badDeny.error().message.find("deny list entry 1"), std::string::npos);
  EXPECT_FALSE(PeerPolicy::fromLists({}, {}, {"192.0.2.1/24"}));
}

TEST(PeerPolicy, DefaultRulesAreWellFormed) {
  EXPECT_GE(defaultDeniedRanges().size(), 19u);
  for (const auto& rule : defaultDeniedRanges()) EXPECT_FALSE(rule.what.empty());
}

}  // namespace
}  // namespace parley::relay
