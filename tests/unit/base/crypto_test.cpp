#include "common/base/crypto.hpp"

#include <gtest/gtest.h>

#include "common/base/strings.hpp"

namespace parley::crypto {
namespace {

// RFC 1321 and FIPS 180-2 reference digests.
TEST(Crypto, KnownDigests) {
  EXPECT_EQ(md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// RFC 4231 test case 2.
TEST(Crypto, HmacSha256Vector) {
  EXPECT_EQ(toHex(hmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(base64Encode("foob"), "Zm9vYg==");
}

TEST(Crypto, RandomTokensDiffer) {
  EXPECT_EQ(randomToken(8).size(), 16u);
  EXPECT_NE(randomToken(), randomToken());
}

}  // namespace
}  // namespace parley::crypto
