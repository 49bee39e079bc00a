#include "common/sip/uri.hpp"

#include <gtest/gtest.h>

namespace parley::sip {
namespace {

Uri mustParse(std::string_view text) {
  auto r = parseUri(text);
  EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().message);
  return r ? r.value() : Uri{};
}

TEST(Uri, ParsesFullSipUri) {
  Uri u =
      mustParse("sips:alice:secret@Atlanta.Example.com:5061;transport=tcp;lr?subject=hi&x=%20y");
  EXPECT_EQ(u.scheme, Uri::Scheme::Sips);
  EXPECT_EQ(u.schemeText, "sips");
  EXPECT_EQ(u.user, "alice");
  ASSERT_TRUE(u.password);
  EXPECT_EQ(*u.password, "secret");
  EXPECT_EQ(u.host, "Atlanta.Example.com");
  ASSERT_TRUE(u.port);
  EXPECT_EQ(*u.port, 5061);
  ASSERT_EQ(u.params.size(), 2u);
  EXPECT_EQ(u.params[0].name, "transport");
  EXPECT_EQ(u.params[0].value, "tcp");
  EXPECT_EQ(u.params[1].name, "lr");
  EXPECT_FALSE(u.params[1].value);
  ASSERT_EQ(u.headers.size(), 2u);
  EXPECT_EQ(u.headers[1].name, "x");
  EXPECT_EQ(u.headers[1].value, " y");  // URI headers are unescaped
  EXPECT_NE(u.param("TRANSPORT"), nullptr);
  EXPECT_TRUE(u.isSip());
}

TEST(Uri, HostOnlyAndSchemeCase) {
  Uri u = mustParse("SIP:example.com");
  EXPECT_EQ(u.scheme, Uri::Scheme::Sip);
  EXPECT_EQ(u.schemeText, "sip");
  EXPECT_TRUE(u.user.empty());
  EXPECT_EQ(u.host, "example.com");
  EXPECT_FALSE(u.port);
  EXPECT_EQ(u.toString(), "sip:example.com");
}

TEST(Uri, UserPartMayHoldSemicolonsAndQuestionMarks) {
  // RFC 4475 §3.1.1.9: ';' in the user part is not a parameter separator.
  Uri u = mustParse("sip:user;par=u%40example.net@example.com");
  EXPECT_EQ(u.user, "user;par=u%40example.net");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_TRUE(u.params.empty());
  Uri v = mustParse(
      "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/"
      ";;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
  EXPECT_EQ(v.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  EXPECT_EQ(v.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
}

TEST(Uri, EscapesKeptInUserResolvedInParams) {
  Uri u = mustParse("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");
  EXPECT_EQ(u.user, "cal%6Cer");
  ASSERT_EQ(u.params.size(), 2u);
  EXPECT_EQ(u.params[0].name, "lr");
  EXPECT_EQ(u.params[1].name, "name");
  EXPECT_EQ(u.params[1].value, "value%41");
  EXPECT_NE(u.param("lr"), nullptr);
  // Re-serialising escapes what must be escaped; parsing again gives the same URI.
  Uri again = mustParse(u.toString());
  EXPECT_EQ(again.params, u.params);
  EXPECT_TRUE(uriEquivalent(u, again));
}

TEST(Uri, EscapedNullDoesNotTruncate) {
  Uri u = mustParse("sip:null-%00-null@example.com");
  EXPECT_EQ(u.addressOfRecord(), std::string("sip:null-\0-null@example.com", 27));
  Uri a = mustParse("sip:%00@host5.example.com");
  Uri b = mustParse("sip:%00%00@host5.example.com");
  EXPECT_FALSE(uriEquivalent(a, b));
}

TEST(Uri, AddressOfRecord) {
  EXPECT_EQ(mustParse("sip:%61lice@AtLanTa.CoM:5060;transport=tcp").addressOfRecord(),
            "sip:alice@atlanta.com");
  EXPECT_EQ(mustParse("sips:bob@Biloxi.com").addressOfRecord(), "sips:bob@biloxi.com");
  EXPECT_EQ(mustParse("sip:example.com").addressOfRecord(), "sip:example.com");
  EXPECT_EQ(mustParse("tel:+1-201-555-0123").addressOfRecord(), "tel:+1-201-555-0123");
}

TEST(Uri, Ipv6References) {
  Uri u = mustParse("sip:[2001:db8::10]:5070;transport=udp");
  EXPECT_EQ(u.host, "[2001:db8::10]");
  EXPECT_EQ(u.port, 5070);
  // RFC 5118 §4.3: the port is inside the brackets, so it is part of the address.
  Uri amb = mustParse("sip:user@[2001:db8::10:5070]");
  EXPECT_EQ(amb.host, "[2001:db8::10:5070]");
  EXPECT_FALSE(amb.port);
  // RFC 5118 §4.10: tolerate the three-colon form the RFC 3261 ABNF allowed.
  EXPECT_TRUE(parseUri("sip:user@[2001:db8:::192.0.2.1]"));
  EXPECT_TRUE(parseUri("sip:user@[::ffff:192.0.2.1]"));
  // RFC 5118 §4.2: without brackets the colons read as a port.
  auto bad = parseUri("sip:2001:db8::10");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, 400);
  EXPECT_FALSE(parseUri("sip:[2001:db8::10"));
  EXPECT_FALSE(parseUri("sip:[zz::1]"));
  EXPECT_EQ(mustParse("sip:[2001:db8::10]:5070").toString(), "sip:[2001:db8::10]:5070");
}

TEST(Uri, TelUri) {
  Uri t = mustParse("tel:+1-201-555-0123;phone-context=example.com");
  EXPECT_EQ(t.scheme, Uri::Scheme::Tel);
  EXPECT_EQ(t.opaque, "+1-201-555-0123");
  ASSERT_EQ(t.params.size(), 1u);
  EXPECT_EQ(t.params[0].value, "example.com");
  EXPECT_FALSE(t.isSip());
  EXPECT_EQ(t.toString(), "tel:+1-201-555-0123;phone-context=example.com");
  EXPECT_TRUE(uriEquivalent(t, mustParse("tel:+12015550123;PHONE-CONTEXT=Example.com")));
  EXPECT_FALSE(parseUri("tel:"));
  EXPECT_FALSE(parseUri("tel:+1 555"));
}

TEST(Uri, OtherSchemesAreOpaque) {
  Uri u = mustParse("nobodyKnowsThisScheme:totallyopaquecontent");
  EXPECT_EQ(u.scheme, Uri::Scheme::Other);
  EXPECT_EQ(u.schemeText, "nobodyknowsthisscheme");
  EXPECT_EQ(u.opaque, "totallyopaquecontent");
  Uri b = mustParse("soap.beep://192.0.2.103:3002");
  EXPECT_EQ(b.schemeText, "soap.beep");
  EXPECT_EQ(b.opaque, "//192.0.2.103:3002");
  EXPECT_EQ(b.toString(), "soap.beep://192.0.2.103:3002");
}

TEST(Uri, RejectsMalformed) {
  for (std::string_view bad : {"",
                               "sip:",
                               ":foo",
                               "sip:@example.com",
                               "sip:user@",
                               "sip:user@example.com:",
                               "sip:user@example.com:70000",
                               "sip:user@exa mple.com",
                               "<sip:user@example.com>",
                               "sip:user@example.com;",
                               "sip:user@example.com;=x",
                               "sip:user@example.com?",
                               "sip:us%4@example.com",
                               "sip:user@example.com;a=%zz",
                               "1sip:x",
                               "sip:user@-bad",
                               "sip:user@host:-1",
                               "sip:user@host:99999999999999999999",
                               "sip:a\"b@host",
                               "sip:user@example.com?noequals"}) {
    auto r = parseUri(bad);
    EXPECT_FALSE(r) << "accepted '" << bad << "'";
    if (!r) {
      EXPECT_EQ(r.error().code, 400);
      EXPECT_FALSE(r.error().message.empty());
    }
  }
}

TEST(Uri, Unescape) {
  EXPECT_EQ(unescape("a%20b%2F"), "a b/");
  EXPECT_EQ(unescape("%00"), std::string(1, '\0'));
  EXPECT_FALSE(unescape("%"));
  EXPECT_FALSE(unescape("%4"));
  EXPECT_FALSE(unescape("%G0"));
  EXPECT_EQ(unescape(""), "");
}

TEST(Uri, ToStringRoundTrips) {
  for (std::string_view text :
       {"sip:alice@atlanta.com", "sips:alice:pw@atlanta.com:5061;transport=tls",
        "sip:+12125551212@gw.example.com;user=phone", "sip:[::1]:5060;lr",
        "sip:bob@biloxi.com;method=REGISTER?to=sip:bob%40biloxi.com",
        "sip:user;par=u%40example.net@example.com", "tel:+358-555-1234567;postd=pp22",
        "urn:service:sos"}) {
    Uri u = mustParse(text);
    auto again = parseUri(u.toString());
    ASSERT_TRUE(again) << u.toString();
    EXPECT_EQ(again->toString(), u.toString());
    EXPECT_TRUE(uriEquivalent(u, *again)) << text;
  }
}

struct EquivCase {
  const char* a;
  const char* b;
  bool equivalent;
};

// RFC 3261 §19.1.4's own examples, plus a few more.
TEST(Uri, EquivalencePerRfc3261) {
  const EquivCase cases[] = {
      {"sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp", true},
      {"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5", true},
      {"sip:carol@chicago.com", "sip:carol@chicago.com;security=on", true},
      {"sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on", true},
      {"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
       "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com", true},
      {"sip:alice@atlanta.com?subject=project%20x&priority=urgent",
       "sip:alice@atlanta.com?priority=urgent&subject=project%20x", true},
      {"SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP", false},
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060", false},
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp", false},
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp", false},
      {"sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting", false},
      {"sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4", false},
      {"sip:alice@atlanta.com", "sips:alice@atlanta.com", false},
      {"sip:alice@atlanta.com;user=phone", "sip:alice@atlanta.com", false},
      {"sip:alice@atlanta.com;maddr=192.0.2.1", "sip:alice@atlanta.com", false},
      {"sip:alice@atlanta.com;ttl=1", "sip:alice@atlanta.com", false},
      {"sip:alice@atlanta.com;method=INVITE", "sip:alice@atlanta.com", false},
      {"sip:alice:pw@atlanta.com", "sip:alice@atlanta.com", false},
      {"sip:alice@[2001:DB8::1]", "sip:alice@[2001:db8:0::1]", true},
      {"sip:alice@atlanta.com;lr", "sip:alice@atlanta.com;lr=on", false},
  };
  for (const auto& c : cases) {
    Uri a = mustParse(c.a);
    Uri b = mustParse(c.b);
    EXPECT_EQ(uriEquivalent(a, b), c.equivalent) << c.a << " vs " << c.b;
    EXPECT_EQ(uriEquivalent(b, a), c.equivalent) << c.b << " vs " << c.a;
  }
}

TEST(Uri, FindParamIsCaseInsensitive) {
  std::vector<Param> ps = {{"Tag", "x"}, {"lr", std::nullopt}};
  ASSERT_NE(findParam(ps, "tag"), nullptr);
  EXPECT_EQ(findParam(ps, "tag")->value, "x");
  EXPECT_NE(findParam(ps, "LR"), nullptr);
  EXPECT_EQ(findParam(ps, "branch"), nullptr);
}

}  // namespace
}  // namespace parley::sip
