#include "common/sip/auth/credentials.hpp"

#include <gtest/gtest.h>

#include <array>

namespace parley::sip::auth {
namespace {

Credentials parseOk(std::string_view value) {
  auto r = parseCredentials(value);
  EXPECT_TRUE(r) << value << ": " << (r ? "" : r.error().message);
  if (!r || !r.value()) {
    ADD_FAILURE() << "no credentials in " << value;
    return {};
  }
  return *r.value();
}

std::string parseError(std::string_view value) {
  auto r = parseCredentials(value);
  EXPECT_FALSE(r) << value;
  if (r) return {};
  EXPECT_EQ(r.error().code, 400);
  return r.error().message;
}

constexpr std::string_view kBasic =
    R"(Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", )"
    R"(uri="sip:bob@biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b", )"
    R"(response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41")";

TEST(Credentials, ParsesAllKnownParameters) {
  Credentials c = parseOk(kBasic);
  EXPECT_EQ(c.username, "bob");
  EXPECT_EQ(c.realm, "biloxi.com");
  EXPECT_EQ(c.nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
  EXPECT_EQ(c.uri, "sip:bob@biloxi.com");
  EXPECT_EQ(c.response, "6629fae49393a05397450978507c4ef1");
  EXPECT_EQ(c.qop, "auth");
  EXPECT_EQ(c.nc, "00000001");
  EXPECT_EQ(c.cnonce, "0a4f113b");
  EXPECT_EQ(c.opaque, "5ccc069c403ebaf9f0171e9517f40e41");
  EXPECT_FALSE(c.algorithm);
  EXPECT_FALSE(c.userhash);
  EXPECT_TRUE(c.otherParams.empty());
}

TEST(Credentials, SchemeAndNamesAreCaseInsensitive) {
  Credentials c = parseOk(
      R"(dIgEsT USERNAME="a", Realm="r", NONCE="n", Uri="sip:x@y", RESPONSE="00", QOP="auth")");
  EXPECT_EQ(c.username, "a");
  EXPECT_EQ(c.qop, "auth");  // quoted qop from a careless client is still read
}

TEST(Credentials, QuotedStringEscapesAndSpecials) {
  Credentials c = parseOk(
      R"(Digest username="a\"b\\c", realm="x, y=z", nonce="n", uri="sip:a@b;transport=tcp", )"
      R"(response="r")");
  EXPECT_EQ(c.username, "a\"b\\c");
  EXPECT_EQ(c.realm, "x, y=z");
  EXPECT_EQ(c.uri, "sip:a@b;transport=tcp");
}

TEST(Credentials, WhitespaceAndEmptyElementsAreTolerated) {
  Credentials c = parseOk(
      "  Digest \t username = \"a\" ,, realm=\"r\",\r\n nonce= \"n\" ,uri =\"u\", "
      "response=\"x\", ");
  EXPECT_EQ(c.username, "a");
  EXPECT_EQ(c.nonce, "n");
  EXPECT_EQ(c.response, "x");
}

TEST(Credentials, UnknownParametersAreKept) {
  Credentials c = parseOk(
      R"(Digest username="a", realm="r", nonce="n", uri="u", response="x", foo=bar, x-y="q z")");
  ASSERT_EQ(c.otherParams.size(), 2u);
  EXPECT_EQ(c.otherParams[0].name, "foo");
  EXPECT_EQ(c.otherParams[0].value, "bar");
  EXPECT_FALSE(c.otherParams[0].quoted);
  EXPECT_EQ(c.otherParams[1].name, "x-y");
  EXPECT_EQ(c.otherParams[1].value, "q z");
  EXPECT_TRUE(c.otherParams[1].quoted);
}

TEST(Credentials, UnquotedValuesAreReadLeniently) {
  Credentials c =
      parseOk("Digest username=a, realm=r, nonce=abc+/==, uri=sip:a@b, response=ff, algorithm=MD5");
  EXPECT_EQ(c.nonce, "abc+/==");
  EXPECT_EQ(c.uri, "sip:a@b");
  EXPECT_EQ(c.algorithm, "MD5");
}

TEST(Credentials, OtherSchemesAreNoUsableCredentials) {
  for (std::string_view v :
       {"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "NTLM qop=\"auth\", opaque=\"x\"", "Kerberos",
        "Bearer abc.def", "Digestive username=\"a\""}) {
    auto r = parseCredentials(v);
    ASSERT_TRUE(r) << v;
    EXPECT_FALSE(r.value()) << v;
  }
}

TEST(Credentials, MalformedInputs) {
  EXPECT_NE(parseError("").find("empty"), std::string::npos);
  EXPECT_NE(parseError("Digest").find("no parameters"), std::string::npos);
  EXPECT_NE(parseError(R"(Digest username="a, realm=r)").find("not terminated"), std::string::npos);
  EXPECT_NE(parseError(R"(Digest username="a, realm="r")").find("expected ','"), std::string::npos);
  EXPECT_NE(parseError(R"(Digest username, realm="r")").find("no value"), std::string::npos);
  EXPECT_NE(parseError(R"(Digest username="a" realm="r")").find("expected ','"), std::string::npos);
  EXPECT_NE(parseError(
                R"(Digest username="a", username="b", realm="r", nonce="n", uri="u", response="x")")
                .find("twice"),
            std::string::npos);
  EXPECT_NE(parseError(R"(Digest username="a", realm="r", nonce="n", uri="u")").find("response"),
            std::string::npos);
  EXPECT_NE(parseError(R"(Digest realm="r", nonce="n", uri="u", response="x")").find("username"),
            std::string::npos);
  EXPECT_NE(
      parseError(R"(Digest username*=UTF-8''J%C3%A4s, realm="r", nonce="n", uri="u", response="x")")
          .find("username*"),
      std::string::npos);
  EXPECT_NE(
      parseError(
          R"(Digest username="a", realm="r", nonce="n", uri="u", response="x", userhash=maybe)")
          .find("userhash"),
      std::string::npos);
  EXPECT_NE(parseError("Digest username=\"a\x01\", realm=\"r\"").find("control"),
            std::string::npos);
  EXPECT_NE(parseError(R"(Digest username=, realm="r")").find("empty value"), std::string::npos);
  EXPECT_NE(parseError(R"(Digest username="a\)").find("not terminated"), std::string::npos);
  EXPECT_NE(parseError(R"(Digest ="a")").find("parameter name"), std::string::npos);
  EXPECT_NE(parseError(R"("Digest" username="a")").find("scheme"), std::string::npos);
}

TEST(Credentials, ManyParametersAreRefused) {
  std::string v = R"(Digest username="a", realm="r", nonce="n", uri="u", response="x")";
  for (int i = 0; i < 100; ++i) v += ", p" + std::to_string(i) + "=1";
  EXPECT_NE(parseError(v).find("too many"), std::string::npos);
}

TEST(Credentials, SelectByRealm) {
  std::array<std::string_view, 3> values{
      "Basic xyz",
      R"(Digest username="a", realm="proxy.example.net", nonce="n1", uri="u", response="x")",
      R"(Digest username="b", realm="example.com", nonce="n2", uri="u", response="y")"};
  auto r = selectCredentials(values, "example.com");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r.value());
  EXPECT_EQ(r.value()->username, "b");

  auto none = selectCredentials(values, "other.org");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none.value());

  std::array<std::string_view, 2> broken{R"(Digest username="a)", "Basic xyz"};
  EXPECT_FALSE(selectCredentials(broken, "example.com"));
}

}  // namespace
}  // namespace parley::sip::auth
