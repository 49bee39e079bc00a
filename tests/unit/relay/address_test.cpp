#include "common/relay/address.hpp"

#include <gtest/gtest.h>

namespace parley::relay {
namespace {

IpAddress ip(std::string_view text) {
  auto a = IpAddress::parse(text);
  EXPECT_TRUE(a) << text << ": " << (a ? "" : a.error().message);
  return a ? *a : IpAddress{};
}

TEST(IpAddress, ParsesAndPrints) {
  EXPECT_EQ(ip("192.0.2.1").toString(), "192.0.2.1");
  EXPECT_TRUE(ip("192.0.2.1").isV4());
  EXPECT_EQ(ip("2001:DB8:0:0::1").toString(), "2001:db8::1");
  EXPECT_EQ(ip("[2001:db8::1]").toString(), "2001:db8::1");
  EXPECT_TRUE(ip("::").isV6());
  EXPECT_EQ(ip("::ffff:127.0.0.1").toString(), "::ffff:127.0.0.1");
  EXPECT_EQ(IpAddress::v4(0x0A000001U), ip("10.0.0.1"));
  EXPECT_EQ(ip("255.255.255.255").bytes()[3], 255);
}

TEST(IpAddress, RefusesMalformed) {
  for (const char* bad : {"", " 10.0.0.1", "10.0.0.1 ", "10.0.0", "10.0.0.1.2", "256.0.0.1",
                          "010.0.0.1", "0x0a.0.0.1", "10.0.0.1:5060", "[10.0.0.1]", "[::1",
                          "fe80::1%eth0", "1:2:3:4:5:6:7:8:9", "::g", "1::2::3", "example.com",
                          "10.0.0.-1", "[]"}) {
    auto a = IpAddress::parse(bad);
    EXPECT_FALSE(a) << "'" << bad << "' parsed as " << (a ? a->toString() : "");
    if (!a) {
      EXPECT_EQ(a.error().code, 400);
    }
  }
  EXPECT_FALSE(IpAddress::parse(std::string_view("10.0.0.1\0", 9)));
}

TEST(IpAddress, FromBytes) {
  const std::uint8_t four[] = {198, 51, 100, 7};
  auto a = IpAddress::fromBytes(four);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->toString(), "198.51.100.7");
  std::uint8_t sixteen[16] = {0x20, 0x01, 0x0d, 0xb8};
  sixteen[15] = 1;
  auto b = IpAddress::fromBytes(sixteen);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->toString(), "2001:db8::1");
  const std::uint8_t five[] = {1, 2, 3, 4, 5};
  EXPECT_FALSE(IpAddress::fromBytes(five));
}

TEST(IpAddress, EmbeddedIpv4) {
  auto embedded = [](std::string_view text) {
    auto e = ip(text).embeddedIpv4();
    return e ? e->toString() : std::string("-");
  };
  EXPECT_EQ(embedded("::ffff:127.0.0.1"), "127.0.0.1");  // mapped
  EXPECT_EQ(embedded("::ffff:0:10.1.2.3"), "10.1.2.3");  // translated
  EXPECT_EQ(embedded("::10.1.2.3"), "10.1.2.3");         // compatible
  EXPECT_EQ(embedded("::2"), "0.0.0.2");
  EXPECT_EQ(embedded("64:ff9b::a00:1"), "10.0.0.1");     // NAT64
  EXPECT_EQ(embedded("2002:c0a8:101::1"), "192.168.1.1");  // 6to4
  EXPECT_EQ(embedded("::"), "-");
  EXPECT_EQ(embedded("::1"), "-");
  EXPECT_EQ(embedded("2001:db8::1"), "-");
  EXPECT_EQ(embedded("64:ff9b:1::a00:1"), "-");
  EXPECT_EQ(embedded("10.0.0.1"), "-");
}

TEST(Cidr, ParseAndContain) {
  auto c = Cidr::parse("172.16.0.0/12");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->toString(), "172.16.0.0/12");
  EXPECT_TRUE(c->contains(ip("172.16.0.0")));
  EXPECT_TRUE(c->contains(ip("172.31.255.255")));
  EXPECT_FALSE(c->contains(ip("172.15.255.255")));
  EXPECT_FALSE(c->contains(ip("172.32.0.0")));
  EXPECT_FALSE(c->contains(ip("::ffff:172.16.0.1")));  // families never mix here

  auto v6 = Cidr::parse("fe80::/10");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(ip("febf:ffff::1")));
  EXPECT_FALSE(v6->contains(ip("fec0::1")));

  auto host = Cidr::parse("192.0.2.7");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->prefixLength(), 32u);
  EXPECT_TRUE(host->contains(ip("192.0.2.7")));
  EXPECT_FALSE(host->contains(ip("192.0.2.8")));

  auto all = Cidr::parse("0.0.0.0/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->contains(ip("203.0.113.9")));
  EXPECT_EQ(Cidr::parse("::/0")->prefixLength(), 0u);
  EXPECT_EQ(Cidr::parse("2001:db8::/128")->prefixLength(), 128u);
}

TEST(Cidr, RefusesMalformed) {
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8",
                          "10.0.0.0/8/8", "10.0.0.0/ 8", "10.0.0.0/0x8", "/8", "10.0.0/8",
                          "10.0.0.0/1000"}) {
    EXPECT_FALSE(Cidr::parse(bad)) << bad;
  }
  auto hostBits = Cidr::parse("10.1.2.3/8");
  ASSERT_FALSE(hostBits);
  EXPECT_NE(hostBits.error().message.find("did you mean 10.0.0.0/8"), std::string::npos)
      << hostBits.error().message;
}

}  // namespace
}  // namespace parley::relay
