#include "common/store/validation.hpp"

#include <gtest/gtest.h>

namespace parley::store {
namespace {

TEST(Validation, UserUriCanonicalForm) {
  EXPECT_EQ(*canonicalUserUri("sip:alice@example.com"), "sip:alice@example.com");
  EXPECT_EQ(*canonicalUserUri("  SIP:Alice.Smith@Example.COM "), "sip:alice.smith@example.com");
  EXPECT_EQ(*canonicalUserUri("sip:+14255550100@example.com"), "sip:+14255550100@example.com");
  EXPECT_EQ(*canonicalUserUri("sip:a_b-c!~*'()&=+$,@sub.example.com"),
            "sip:a_b-c!~*'()&=+$,@sub.example.com");
}

TEST(Validation, UserUriRefusals) {
  for (const char* bad :
       {"", "alice@example.com", "sips:alice@example.com", "tel:+1425", "sip:@example.com",
        "sip:alice", "sip:alice@", "sip:a@b@example.com", "sip:alice:pw@example.com",
        "sip:al%20ice@example.com", "sip:alice@example.com:5061",
        "sip:alice@example.com;transport=tls", "sip:alice@example.com?subject=x",
        "sip:al ice@example.com", "sip:alice@exa_mple.com", "sip:alice@-example.com",
        "sip:alice@example..com", "sip:ali/ce@example.com"}) {
    auto r = canonicalUserUri(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_FALSE(r.error().message.empty());
    }
  }
  auto r = canonicalUserUri("sips:alice@example.com");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("sips:"), std::string::npos);
}

TEST(Validation, TelUri) {
  EXPECT_EQ(*canonicalLineUri("tel:+14255550100"), "tel:+14255550100");
  EXPECT_EQ(*canonicalLineUri("TEL:+14255550100;EXT=100"), "tel:+14255550100;ext=100");
  EXPECT_EQ(*canonicalLineUri("tel:+1"), "tel:+1");
  EXPECT_EQ(*canonicalLineUri("tel:+123456789012345"), "tel:+123456789012345");  // 15 digits
  for (const char* bad :
       {"", "tel:14255550100", "tel:+", "tel:+1234567890123456" /* 16 digits */,
        "tel:+1-425-555-0100", "tel:+1 425", "tel:+1425;ext=", "tel:+1425;ext=12a",
        "tel:+1425;ext=1;foo=bar", "tel:+1425;phone-context=example.com", "sip:+1425@example.com",
        "+14255550100", "tel:+1425x"}) {
    auto r = canonicalLineUri(bad);
    EXPECT_FALSE(r) << bad;
  }
  auto r = canonicalLineUri("tel:+1234567890123456");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("1 to 15 digits"), std::string::npos);
}

TEST(Validation, DomainsAddressesNames) {
  EXPECT_EQ(*canonicalDomain("Pool01.Example.COM"), "pool01.example.com");
  EXPECT_FALSE(canonicalDomain("example.com."));
  EXPECT_FALSE(canonicalDomain(std::string(64, 'a') + ".com"));
  EXPECT_EQ(*canonicalAddress("192.0.2.10"), "192.0.2.10");
  EXPECT_EQ(*canonicalAddress("2001:DB8:0:0::1"), "2001:db8::1");
  EXPECT_FALSE(canonicalAddress("[2001:db8::1]"));
  EXPECT_FALSE(canonicalAddress("fe1.example.com"));
  EXPECT_FALSE(canonicalAddress("192.0.2.300"));
  EXPECT_EQ(*checkName("site", "  Redmond HQ "), "Redmond HQ");
  EXPECT_FALSE(checkName("site", "   "));
  EXPECT_FALSE(checkName("site", "a\nb"));
  EXPECT_EQ(uriUser("sip:alice@example.com"), "alice");
  EXPECT_EQ(uriDomain("sip:alice@example.com"), "example.com");
}

}  // namespace
}  // namespace parley::store
