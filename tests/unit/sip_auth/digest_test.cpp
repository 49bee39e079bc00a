#include "common/sip/auth/digest.hpp"

#include <gtest/gtest.h>

#include "common/sip/auth/credentials.hpp"

namespace parley::sip::auth {
namespace {

// RFC 7616 §3.9.1: user "Mufasa", password "Circle of Life", GET /dir/index.html.
constexpr std::string_view kRealm = "http-auth@example.org";
constexpr std::string_view kNonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
constexpr std::string_view kCnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
constexpr std::string_view kMd5Response = "8ca523f5e9506fed4657c9700eebdbec";
constexpr std::string_view kSha256Response =
    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1";

TEST(DigestRfc7616, Md5WorkedExample) {
  std::string ha1 = computeHa1(Algorithm::Md5, "Mufasa", kRealm, "Circle of Life");
  EXPECT_EQ(computeResponse(Algorithm::Md5, ha1, kNonce, "00000001", kCnonce, "auth", "GET",
                            "/dir/index.html"),
            kMd5Response);
}

TEST(DigestRfc7616, Sha256WorkedExample) {
  std::string ha1 = computeHa1(Algorithm::Sha256, "Mufasa", kRealm, "Circle of Life");
  EXPECT_EQ(ha1.size(), 64u);
  EXPECT_EQ(computeResponse(Algorithm::Sha256, ha1, kNonce, "00000001", kCnonce, "auth", "GET",
                            "/dir/index.html"),
            kSha256Response);
}

// The Authorization header of the example, line-folded as printed, parsed and recomputed.
TEST(DigestRfc7616, ParsedExampleHeaderReproducesResponse) {
  const std::string header =
      "Digest username=\"Mufasa\",\r\n"
      "       realm=\"http-auth@example.org\",\r\n"
      "       uri=\"/dir/index.html\",\r\n"
      "       algorithm=SHA-256,\r\n"
      "       nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n"
      "       nc=00000001,\r\n"
      "       cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\",\r\n"
      "       qop=auth,\r\n"
      "       response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\",\r\n"
      "       opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
  auto parsed = parseCredentials(header);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_TRUE(parsed.value());
  const Credentials& c = *parsed.value();
  auto alg = parseAlgorithm(*c.algorithm);
  ASSERT_TRUE(alg);
  std::string ha1 = computeHa1(*alg, c.username, c.realm, "Circle of Life");
  EXPECT_EQ(computeResponse(*alg, ha1, c.nonce, *c.nc, *c.cnonce, *c.qop, "GET", c.uri),
            c.response);
  EXPECT_EQ(c.opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
}

TEST(Digest, AlgorithmNames) {
  EXPECT_EQ(algorithmName(Algorithm::Md5), "MD5");
  EXPECT_EQ(algorithmName(Algorithm::Sha256), "SHA-256");
  EXPECT_EQ(parseAlgorithm("sha-256"), Algorithm::Sha256);
  EXPECT_EQ(parseAlgorithm("md5"), Algorithm::Md5);
  EXPECT_FALSE(parseAlgorithm("MD5-sess"));
  EXPECT_FALSE(parseAlgorithm("SHA-512-256"));
  EXPECT_FALSE(parseAlgorithm(""));
  EXPECT_EQ(hexDigestLength(Algorithm::Md5), 32u);
  EXPECT_EQ(hexDigestLength(Algorithm::Sha256), 64u);
}

}  // namespace
}  // namespace parley::sip::auth
