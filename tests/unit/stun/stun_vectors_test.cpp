// RFC 5769 test vectors and RFC 8489 Appendix B.1, read from the shared test data
// (${PARLEY_SHARED_TESTDATA}/stun-vectors; skipped when absent).
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/base/crypto.hpp"
#include "common/base/strings.hpp"
#include "common/stun/integrity.hpp"
#include "common/stun/message.hpp"

namespace parley::stun {
namespace {

namespace fs = std::filesystem;

const std::string kShortTermPassword = "VOkJxbRl1RmTxUk/WvJxBt";
const std::string kMatrixUser = "\xE3\x83\x9E\xE3\x83\x88\xE3\x83\xAA\xE3\x83\x83\xE3\x82\xAF\xE3\x82\xB9";
const std::string kMatrixPasswordRaw = "The\xC2\xAD" "M\xC2\xAAtrIX";  // RFC 5769 2.4

fs::path vectorDir() { return fs::path(PARLEY_SHARED_TESTDATA) / "stun-vectors"; }

std::string hexOf(std::span<const uint8_t> b) {
  return toHex(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

// Hex file, 8 hex digits per line; whitespace ignored.
std::vector<uint8_t> loadVector(const std::string& name) {
  std::ifstream in(vectorDir() / name);
  std::string hex;
  char c;
  while (in.get(c)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) hex.push_back(c);
  }
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

class StunVectors : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(vectorDir() / "README.md")) {
      GTEST_SKIP() << "STUN vectors not found at " << vectorDir()
                   << " (shared test data is not in the repository)";
    }
  }
};

TransactionId tid(const std::string& hex) {
  TransactionId t{};
  for (size_t i = 0; i < 12; ++i) t[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return t;
}

std::string shortKey() { return *shortTermKey(kShortTermPassword); }
std::string matrixMd5Key() { return *longTermKey(kMatrixUser, "example.org", kMatrixPasswordRaw); }
std::string matrixSha256Key() {
  return *longTermKey(kMatrixUser, "example.org", "TheMatrIX", kPasswordAlgorithmSha256);
}

TEST_F(StunVectors, Rfc5769RequestDecodesEveryAttribute) {
  auto bytes = loadVector("rfc5769-2.1-request.hex");
  ASSERT_EQ(bytes.size(), 108u);
  auto m = decode(bytes);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->method, Method::Binding);
  EXPECT_EQ(m->cls, MessageClass::Request);
  EXPECT_EQ(m->transactionId, tid("b7e7a701bc34d686fa87dfae"));
  EXPECT_EQ(m->text(attr::Software), "STUN test client");
  EXPECT_EQ(m->u32(attr::Priority), 0x6e0001ffu);
  EXPECT_EQ(m->u64(attr::IceControlled), 0x932ff9b151263b36ull);
  EXPECT_EQ(m->text(attr::Username), "evtj:h6vY");
  EXPECT_EQ(m->find(attr::Username)->padding, (std::vector<uint8_t>{0x20, 0x20, 0x20}));
  EXPECT_EQ(hexOf(m->find(attr::MessageIntegrity)->value), "9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2");
  EXPECT_EQ(hexOf(m->find(attr::Fingerprint)->value), "e57a3bcf");
  EXPECT_TRUE(m->unknownComprehensionRequired.empty());
  EXPECT_EQ(checkMessageIntegrity(bytes, shortKey()), Check::Valid);
  EXPECT_EQ(checkFingerprint(bytes), Check::Valid);
  EXPECT_EQ(checkMessageIntegritySha256(bytes, shortKey()), Check::Absent);
  EXPECT_EQ(checkMessageIntegrity(bytes, "wrong"), Check::Invalid);
}

TEST_F(StunVectors, Rfc5769Ipv4ResponseDecodes) {
  auto bytes = loadVector("rfc5769-2.2-ipv4-response.hex");
  ASSERT_EQ(bytes.size(), 80u);
  auto m = decode(bytes);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->method, Method::Binding);
  EXPECT_EQ(m->cls, MessageClass::SuccessResponse);
  EXPECT_EQ(m->transactionId, tid("b7e7a701bc34d686fa87dfae"));
  EXPECT_EQ(m->text(attr::Software), "test vector");
  EXPECT_EQ(m->find(attr::Software)->padding, std::vector<uint8_t>{0x20});
  auto a = m->address(attr::XorMappedAddress);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->family, AddressFamily::IPv4);
  EXPECT_EQ(a->ipString(), "192.0.2.1");
  EXPECT_EQ(a->port, 32853);
  EXPECT_EQ(hexOf(m->find(attr::MessageIntegrity)->value), "2b91f599fd9e90c38c7489f92af9ba53f06be7d7");
  EXPECT_EQ(hexOf(m->find(attr::Fingerprint)->value), "c07d4c96");
  EXPECT_EQ(checkMessageIntegrity(bytes, shortKey()), Check::Valid);
  EXPECT_EQ(checkFingerprint(bytes), Check::Valid);
}

TEST_F(StunVectors, Rfc5769Ipv6ResponseDecodes) {
  auto bytes = loadVector("rfc5769-2.3-ipv6-response.hex");
  ASSERT_EQ(bytes.size(), 92u);
  auto m = decode(bytes);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->cls, MessageClass::SuccessResponse);
  EXPECT_EQ(m->text(attr::Software), "test vector");
  auto a = m->address(attr::XorMappedAddress);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->family, AddressFamily::IPv6);
  EXPECT_EQ(a->ipString(), "2001:db8:1234:5678:11:2233:4455:6677");
  EXPECT_EQ(a->port, 32853);
  EXPECT_EQ(a->toString(), "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
  EXPECT_EQ(hexOf(m->find(attr::MessageIntegrity)->value), "a382954e4be67bf11784c97c8292c275bfe3ed41");
  EXPECT_EQ(hexOf(m->find(attr::Fingerprint)->value), "c8fb0b4c");
  EXPECT_EQ(checkMessageIntegrity(bytes, shortKey()), Check::Valid);
  EXPECT_EQ(checkFingerprint(bytes), Check::Valid);
}

TEST_F(StunVectors, Rfc5769LongTermRequestNeedsSaslprep) {
  auto bytes = loadVector("rfc5769-2.4-long-term-request.hex");
  ASSERT_EQ(bytes.size(), 116u);
  auto m = decode(bytes);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->transactionId, tid("78ad3433c6ad72c029da412e"));
  EXPECT_EQ(m->text(attr::Username), kMatrixUser);
  EXPECT_EQ(m->text(attr::Nonce), "f//499k954d6OL34oL9FSTvy64sA");
  EXPECT_EQ(m->text(attr::Realm), "example.org");
  EXPECT_EQ(hexOf(m->find(attr::MessageIntegrity)->value), "f67024656dd64a3e02b8e0712e85c9a28ca89666");
  EXPECT_FALSE(m->has(attr::Fingerprint));

  EXPECT_EQ(preparePassword(kMatrixPasswordRaw).value(), "TheMatrIX");
  auto key = matrixMd5Key();
  EXPECT_EQ(toHex(key), "e8ca7ad59d5eb0518e312911d2dab2a9");
  EXPECT_EQ(checkMessageIntegrity(bytes, key), Check::Valid);
  EXPECT_EQ(checkFingerprint(bytes), Check::Absent);
  // Without the SASLprep mappings the key differs and the check fails.
  std::string unprepared = crypto::md5Hex(kMatrixUser + ":example.org:" + kMatrixPasswordRaw);
  EXPECT_NE(toHex(key), unprepared);
}

TEST_F(StunVectors, Rfc8489B1AsPrintedIsRejected) {
  auto bytes = loadVector("rfc8489-B.1-as-printed.hex");
  ASSERT_EQ(bytes.size(), 156u);
  auto m = decode(bytes);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, 400);
  EXPECT_NE(m.error().message.find("length"), std::string::npos) << m.error().message;
  EXPECT_EQ(checkMessageIntegritySha256(bytes, matrixSha256Key()), Check::Invalid);
}

TEST_F(StunVectors, Rfc8489B1CorrectedVerifies) {
  auto bytes = loadVector("rfc8489-B.1-corrected.hex");
  ASSERT_EQ(bytes.size(), 164u);
  auto m = decode(bytes);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->transactionId, tid("78ad3433c6ad72c029da412e"));
  EXPECT_EQ(hexOf(m->find(attr::Userhash)->value),
            "4a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704");
  EXPECT_EQ(toHex(userhash(kMatrixUser, "example.org")),
            "4a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704");
  EXPECT_EQ(m->text(attr::Nonce), "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA");
  EXPECT_EQ(m->text(attr::Realm), "example.org");
  auto alg = m->passwordAlgorithm();
  ASSERT_TRUE(alg);
  EXPECT_EQ(alg->algorithm, kPasswordAlgorithmSha256);
  EXPECT_TRUE(alg->parameters.empty());
  EXPECT_EQ(hexOf(m->find(attr::MessageIntegritySha256)->value),
            "b5c7bf005b6c52a21c51c5e892f81924136296cb927c43149309278cc6518e65");
  EXPECT_EQ(checkMessageIntegritySha256(bytes, matrixSha256Key()), Check::Valid);
  EXPECT_EQ(checkMessageIntegrity(bytes, matrixSha256Key()), Check::Absent);
  EXPECT_EQ(checkMessageIntegritySha256(bytes, matrixMd5Key()), Check::Invalid);
}

struct Case {
  const char* file;
  std::string key;
  bool mi;
  bool miSha256;
  bool fingerprint;
};

std::vector<Case> cases() {
  return {{"rfc5769-2.1-request.hex", shortKey(), true, false, true},
          {"rfc5769-2.2-ipv4-response.hex", shortKey(), true, false, true},
          {"rfc5769-2.3-ipv6-response.hex", shortKey(), true, false, true},
          {"rfc5769-2.4-long-term-request.hex", matrixMd5Key(), true, false, false},
          {"rfc8489-B.1-corrected.hex", matrixSha256Key(), false, true, false}};
}

// Every check that the original passes.
bool allChecksPass(std::span<const uint8_t> bytes, const Case& c) {
  auto m = decode(bytes);
  if (!m) return false;
  if (c.mi && checkMessageIntegrity(bytes, c.key) != Check::Valid) return false;
  if (c.miSha256 && checkMessageIntegritySha256(bytes, c.key) != Check::Valid) return false;
  if (c.fingerprint && checkFingerprint(bytes) != Check::Valid) return false;
  return true;
}

TEST_F(StunVectors, EverySingleBitFlipIsRejected) {
  for (const auto& c : cases()) {
    auto bytes = loadVector(c.file);
    ASSERT_TRUE(allChecksPass(bytes, c)) << c.file;
    size_t flips = 0;
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        auto copy = bytes;
        copy[i] ^= static_cast<uint8_t>(1 << bit);
        EXPECT_FALSE(allChecksPass(copy, c)) << c.file << " octet " << i << " bit " << bit;
        ++flips;
      }
    }
    EXPECT_EQ(flips, bytes.size() * 8);
  }
}

TEST_F(StunVectors, ReencodeIsByteIdentical) {
  for (const auto& c : cases()) {
    auto bytes = loadVector(c.file);
    auto m = decode(bytes);
    ASSERT_TRUE(m) << c.file;
    // As decoded (integrity attributes carried through unchanged).
    EXPECT_EQ(encode(*m), bytes) << c.file;
    // Integrity recomputed by the encoder.
    stripIntegrity(*m);
    IntegrityOptions o;
    o.key = c.key;
    o.messageIntegrity = c.mi;
    o.messageIntegritySha256 = c.miSha256;
    o.fingerprint = c.fingerprint;
    EXPECT_EQ(hexOf(encode(*m, o)), hexOf(bytes)) << c.file;
  }
}

TEST_F(StunVectors, EncodeFromListedValues) {
  // RFC 5769 2.1, built from the README's values (USERNAME padded with spaces as sent).
  Message req;
  req.method = Method::Binding;
  req.cls = MessageClass::Request;
  req.transactionId = tid("b7e7a701bc34d686fa87dfae");
  req.addText(attr::Software, "STUN test client");
  req.addU32(attr::Priority, 0x6e0001ff);
  req.addU64(attr::IceControlled, 0x932ff9b151263b36ull);
  req.addText(attr::Username, "evtj:h6vY").padding = {0x20, 0x20, 0x20};
  IntegrityOptions o{.key = shortKey(), .messageIntegrity = true, .fingerprint = true};
  EXPECT_EQ(hexOf(encode(req, o)), hexOf(loadVector("rfc5769-2.1-request.hex")));

  // 2.2 and 2.3: SOFTWARE padded with one space.
  for (auto [file, ip] : {std::pair{"rfc5769-2.2-ipv4-response.hex", "192.0.2.1"},
                          std::pair{"rfc5769-2.3-ipv6-response.hex",
                                    "2001:db8:1234:5678:11:2233:4455:6677"}}) {
    Message resp = makeResponse(req, MessageClass::SuccessResponse);
    resp.addText(attr::Software, "test vector").padding = {0x20};
    resp.addAddress(attr::XorMappedAddress, *SocketAddress::parse(ip, 32853));
    EXPECT_EQ(hexOf(encode(resp, o)), hexOf(loadVector(file))) << file;
  }

  // 2.4 (zero padding, MD5 long-term key after SASLprep).
  Message lt;
  lt.transactionId = tid("78ad3433c6ad72c029da412e");
  lt.addText(attr::Username, kMatrixUser);
  lt.addText(attr::Nonce, "f//499k954d6OL34oL9FSTvy64sA");
  lt.addText(attr::Realm, "example.org");
  EXPECT_EQ(hexOf(encode(lt, {.key = matrixMd5Key(), .messageIntegrity = true})),
            hexOf(loadVector("rfc5769-2.4-long-term-request.hex")));

  // B.1 corrected.
  Message b1;
  b1.transactionId = tid("78ad3433c6ad72c029da412e");
  b1.add(attr::Userhash, userhash(kMatrixUser, "example.org"));
  b1.addText(attr::Nonce, "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA");
  b1.addText(attr::Realm, "example.org");
  b1.addPasswordAlgorithm({kPasswordAlgorithmSha256, {}});
  EXPECT_EQ(hexOf(encode(b1, {.key = matrixSha256Key(), .messageIntegritySha256 = true})),
            hexOf(loadVector("rfc8489-B.1-corrected.hex")));
}

}  // namespace
}  // namespace parley::stun
