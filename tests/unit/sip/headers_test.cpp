#include "common/sip/headers.hpp"

#include <gtest/gtest.h>

namespace parley::sip {
namespace {

TEST(Via, ParsesTypicalValue) {
  auto v = parseVia("SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;rport");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->protocol, "SIP/2.0");
  EXPECT_EQ(v->transport, "UDP");
  EXPECT_EQ(v->host, "pc33.atlanta.com");
  EXPECT_EQ(v->port, 5066);
  EXPECT_EQ(v->branch(), "z9hG4bK776asdhds");
  ASSERT_NE(v->param("rport"), nullptr);
  EXPECT_FALSE(v->param("rport")->value);
  EXPECT_EQ(v->toString(), "SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;rport");
}

TEST(Via, ToleratesLwsEverywhereTheGrammarDoes) {
  // RFC 4475 §3.1.1.1, after unfolding.
  auto v = parseVia("SIP  / 2.0  / tcp     spindle.example.com   ; branch  =   z9hG4bK9ikj8");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->transport, "TCP");
  EXPECT_EQ(v->host, "spindle.example.com");
  EXPECT_FALSE(v->port);
  EXPECT_EQ(v->branch(), "z9hG4bK9ikj8");
  auto w = parseVia("SIP/2.0/UDP host.example.com : 5060 ;received=192.0.2.1");
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->port, 5060);
}

TEST(Via, Ipv6SentByAndReceived) {
  auto v =
      parseVia("SIP/2.0/UDP [2001:db8::9:1]:5070;branch=z9hG4bKas3;received=[2001:db8::9:255]");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->host, "[2001:db8::9:1]");
  EXPECT_EQ(v->port, 5070);
  EXPECT_EQ(v->param("received")->value, "[2001:db8::9:255]");
  auto w = parseVia("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3");
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->param("received")->value, "2001:db8::9:255");
}

TEST(Via, ProtocolNameIsCaseInsensitive) {
  auto v = parseVia("sip/2.0/udp host.example.com");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->protocol, "SIP/2.0");
  EXPECT_EQ(v->transport, "UDP");
  EXPECT_EQ(v->toString(), "SIP/2.0/UDP host.example.com");
}

TEST(Via, UnknownTransportAndProtocol) {
  auto v = parseVia("SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->transport, "UNKNOWN");
  auto w = parseVia("FOO/3.1/SCTP t4.example.com");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->protocol, "FOO/3.1");
  EXPECT_EQ(w->branch(), "");
}

TEST(Via, RejectsMalformedWithReason) {
  struct Case {
    const char* value;
    const char* fragment;
  };
  const Case cases[] = {
      {"SIP/2.0/UDP", "missing sent-by"},
      {"SIP/2.0/UDP ", "missing sent-by"},
      {"SIP/2.0/UDP ;branch=x", "missing sent-by"},
      {"SIP/2.0 host", "'/'"},
      {"SIP/2.0/UDP host;;", "empty parameter"},
      {"SIP/2.0/UDP host;branch", "branch parameter without a value"},
      {"SIP/2.0/UDP host;branch=", "empty value"},
      {"SIP/2.0/UDP host:99999", "invalid port"},
      {"SIP/2.0/UDP host:", "invalid port"},
      {"SIP/2.0/UDP host, SIP/2.0/UDP other", "unexpected ','"},
      {"SIP/2.0/UDP [2001:db8::1", "unterminated IPv6"},
      {"", "missing protocol name"},
  };
  for (const auto& c : cases) {
    auto v = parseVia(c.value);
    ASSERT_FALSE(v) << c.value;
    EXPECT_EQ(v.error().code, 400);
    EXPECT_NE(v.error().message.find("malformed Via header: "), std::string::npos);
    EXPECT_NE(v.error().message.find(c.fragment), std::string::npos)
        << c.value << " -> " << v.error().message;
  }
}

TEST(NameAddr, QuotedDisplayNameWithEscapes) {
  auto n = parseNameAddr(R"("J Rosenberg \\\""       <sip:jdrosen@example.com> ; tag = 98asjd8)");
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->displayName, "J Rosenberg \\\"");
  EXPECT_EQ(n->uri.user, "jdrosen");
  EXPECT_EQ(n->tag(), "98asjd8");
  EXPECT_EQ(n->toString(), R"("J Rosenberg \\\"" <sip:jdrosen@example.com>;tag=98asjd8)");
  auto again = parseNameAddr(n->toString());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->displayName, n->displayName);
}

TEST(NameAddr, TokenDisplayNameAndNoSpaceBeforeAngle) {
  auto n = parseNameAddr(
      "token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;tag=_token~1'+`*%!-.");
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->displayName, "token1~` token2'+_ token3*%!.-");
  EXPECT_EQ(n->tag(), "_token~1'+`*%!-.");
  auto m = parseNameAddr("\"caller\"<sip:caller@example.com>;tag=323");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->displayName, "caller");
  auto o = parseNameAddr("Bob<sip:bob@example.com>");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->displayName, "Bob");
}

TEST(NameAddr, AddrSpecParamsAreHeaderParams) {
  // §20.10: without <>, ';' parameters belong to the header, not the URI.
  auto n = parseNameAddr("sip:+19725552222@gw1.example.net;unknownparam");
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_TRUE(n->uri.params.empty());
  ASSERT_EQ(n->params.size(), 1u);
  EXPECT_EQ(n->params[0].name, "unknownparam");
  auto m = parseNameAddr("<sip:+19725552222@gw1.example.net;unknownparam>");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->uri.params.size(), 1u);
  EXPECT_TRUE(m->params.empty());
  auto w = parseNameAddr("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->tag(), "1918181833n");
}

TEST(NameAddr, QuotedParamValuesKeepTheirQuotes) {
  auto n = parseNameAddr(
      "<sip:alice@192.0.2.1;ob>;reg-id=1;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-"
      "AABBCCDDEEFF>\";expires=3600;q=0.7");
  ASSERT_TRUE(n) << n.error().message;
  const Param* inst = n->param("+sip.instance");
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(inst->value, "\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"");
  EXPECT_EQ(unquoted(*inst->value), "<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>");
  EXPECT_EQ(n->param("q")->value, "0.7");
  EXPECT_EQ(unquoted("plain"), "plain");
  EXPECT_EQ(unquoted(R"("a\"b")"), "a\"b");
  auto again = parseNameAddr(n->toString());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->params, n->params);
}

TEST(NameAddr, OtherSchemes) {
  auto n = parseNameAddr("isbn:2983792873");
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->uri.scheme, Uri::Scheme::Other);
  auto h = parseNameAddr("<http://www.example.com>;tag=3234233");
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->uri.schemeText, "http");
  EXPECT_EQ(h->tag(), "3234233");
}

TEST(NameAddr, RejectsMalformed) {
  struct Case {
    const char* value;
    const char* fragment;
  };
  const Case cases[] = {
      {"\"Mr. J. User <sip:j.user@example.com>", "unterminated quoted"},
      {"\"Watson, Thomas\" < sip:t.watson@example.org >", "whitespace inside <>"},
      {"Bell, Alexander <sip:a.g.bell@bell-tel.com>", "','"},
      {"sip:user@example.com?Route=%3Csip:sip.example.com%3E", "must be enclosed in <>"},
      {"<sip:user@example.com", "missing '>'"},
      {"\"x\" sip:user@example.com", "expected '<'"},
      {"<sip:user@example.com>;;;;", "empty parameter"},
      {"<sip:user@example.com> junk", "unexpected"},
      {"<sip:user@example.com>;tag=", "empty value"},
      {"", "empty"},
      {"<>", "missing scheme"},
  };
  for (const auto& c : cases) {
    auto n = parseNameAddr(c.value);
    ASSERT_FALSE(n) << c.value;
    EXPECT_EQ(n.error().code, 400);
    EXPECT_NE(n.error().message.find(c.fragment), std::string::npos)
        << c.value << " -> " << n.error().message;
  }
}

TEST(CSeq, Parses) {
  auto c = parseCSeq("0009 INVITE");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->number, 9u);
  EXPECT_EQ(c->method, "INVITE");
  auto d = parseCSeq("  2147483647   NEWMETHOD  ");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->number, 2147483647u);
  EXPECT_EQ(d->method, "NEWMETHOD");
}

TEST(CSeq, RejectsOverflowAndJunk) {
  for (const char* bad : {"2147483648 INVITE", "36893488147419103232 REGISTER", "-1 INVITE", "1",
                          "INVITE", "1INVITE", "1 INVITE x", "", "1 INV\"ITE"}) {
    auto c = parseCSeq(bad);
    EXPECT_FALSE(c) << bad;
    if (!c) {
      EXPECT_EQ(c.error().code, 400);
    }
  }
}

TEST(AuthParams, ParsesDigestCredentials) {
  auto a = parseAuthParams(
      R"(Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41", algorithm=MD5)");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->scheme, "Digest");
  EXPECT_EQ(a->param("username")->value, "bob");
  EXPECT_EQ(a->param("URI")->value, "sip:bob@biloxi.com");
  EXPECT_EQ(a->param("nc")->value, "00000001");
  EXPECT_EQ(a->param("qop")->value, "auth");
  const std::string s = a->toString();
  EXPECT_NE(s.find("username=\"bob\""), std::string::npos);
  EXPECT_NE(s.find("qop=auth,"), std::string::npos);
  EXPECT_NE(s.find("algorithm=MD5"), std::string::npos);
  auto again = parseAuthParams(s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->params, a->params);
}

TEST(AuthParams, EscapesAndUnknownSchemes) {
  auto a = parseAuthParams(R"(Digest realm="a \"quoted\" realm",qop="auth,auth-int")");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->param("realm")->value, "a \"quoted\" realm");
  EXPECT_EQ(a->param("qop")->value, "auth,auth-int");
  EXPECT_NE(a->toString().find(R"(realm="a \"quoted\" realm")"), std::string::npos);
  EXPECT_NE(a->toString().find(R"(qop="auth,auth-int")"), std::string::npos);
  auto u = parseAuthParams("NoOneKnowsThisScheme opaque-data=here");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "NoOneKnowsThisScheme");
  EXPECT_EQ(u->param("opaque-data")->value, "here");
  EXPECT_FALSE(parseAuthParams(""));
  EXPECT_FALSE(parseAuthParams("Digest realm=\"unterminated"));
  EXPECT_FALSE(parseAuthParams("Digest a=b c=d"));
}

}  // namespace
}  // namespace parley::sip
