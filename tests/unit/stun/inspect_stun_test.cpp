// `parleyctl inspect stun` (src/tools/parleyctl/inspect_stun.cpp), compiled into this test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "common/base/strings.hpp"
#include "common/stun/integrity.hpp"
#include "common/stun/message.hpp"
#include "tools/parleyctl/inspect.hpp"
#include "../inspect_test_fixture.hpp"

namespace parley::tools {
namespace {

namespace fs = std::filesystem;
namespace stun = parley::stun;

class InspectStun : public testing::InspectFileTest {
 protected:
  std::string writeBytes(const std::string& name, const std::vector<uint8_t>& b) {
    return write(name, std::string(b.begin(), b.end()));
  }
  // Hex, 8 digits a line, like the shared vectors.
  std::string writeHex(const std::string& name, const std::vector<uint8_t>& b) {
    std::string h = toHex(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
    std::string lines;
    for (size_t i = 0; i < h.size(); i += 8) lines += h.substr(i, 8) + "\n";
    return write(name, lines);
  }

  int run(const std::string& path, const StunCredentials& c = {}) {
    out_.str("");
    err_.str("");
    return inspectStunFile(path, c, out_, err_);
  }
  nlohmann::json json() {
    std::string s = out_.str();
    auto end = s.rfind("}\n");
    return nlohmann::json::parse(s.substr(0, end + 1));
  }

  std::ostringstream out_;
  std::ostringstream err_;
};

stun::Message allocateRequest() {
  stun::Message m;
  m.method = stun::Method::Allocate;
  m.transactionId.fill(7);
  m.addText(stun::attr::Username, "alice");
  m.addText(stun::attr::Realm, "example.com");
  m.addText(stun::attr::Nonce, "n0nce");
  m.addRequestedTransport(stun::kTransportUdp);
  m.addAddress(stun::attr::XorPeerAddress, *stun::SocketAddress::parse("2001:db8::9", 4000));
  return m;
}

std::vector<uint8_t> signedAllocate() {
  auto key = stun::longTermKey("alice", "example.com", "secret");
  return stun::encode(allocateRequest(),
                      {.key = *key, .messageIntegrity = true, .fingerprint = true});
}

TEST_F(InspectStun, LongTermHexVerifies) {
  auto path = writeHex("allocate.hex", signedAllocate());
  EXPECT_EQ(run(path, {"alice", "example.com", "secret"}), 0) << out_.str();
  auto j = json();
  EXPECT_EQ(j["format"], "hex");
  EXPECT_EQ(j["header"]["method"], "Allocate");
  EXPECT_EQ(j["header"]["class"], "request");
  EXPECT_EQ(j["header"]["transactionId"], "070707070707070707070707");
  EXPECT_EQ(j["attributes"][0]["name"], "USERNAME");
  EXPECT_EQ(j["attributes"][0]["value"], "alice");
  EXPECT_EQ(j["attributes"][3]["value"]["name"], "UDP");
  EXPECT_EQ(j["attributes"][4]["value"]["address"], "2001:db8::9");
  EXPECT_EQ(j["attributes"][4]["value"]["port"], 4000);
  EXPECT_EQ(j["checks"]["MESSAGE-INTEGRITY"]["result"], "valid");
  EXPECT_EQ(j["checks"]["MESSAGE-INTEGRITY"]["key"], "long-term MD5");
  EXPECT_EQ(j["checks"]["FINGERPRINT"]["result"], "valid");
}

TEST_F(InspectStun, BinaryAndUsernameFromMessage) {
  auto path = writeBytes("allocate.bin", signedAllocate());
  EXPECT_EQ(run(path, {"", "example.com", "secret"}), 0) << out_.str();
  EXPECT_EQ(json()["format"], "binary");
}

TEST_F(InspectStun, WrongPasswordFails) {
  auto path = writeHex("allocate.hex", signedAllocate());
  EXPECT_EQ(run(path, {"alice", "example.com", "guess"}), 1);
  EXPECT_EQ(json()["checks"]["MESSAGE-INTEGRITY"]["result"], "invalid");
  EXPECT_NE(out_.str().find("failed: MESSAGE-INTEGRITY does not verify"), std::string::npos);
}

TEST_F(InspectStun, ShortTermWithoutRealm) {
  stun::Message m;
  m.transactionId.fill(1);
  m.addText(stun::attr::Username, "a:b");
  m.addU32(stun::attr::Priority, 7);
  m.addFlag(stun::attr::UseCandidate);
  m.addU64(stun::attr::IceControlling, 42);
  auto bytes = stun::encode(m, {.key = "pw", .messageIntegrity = true, .fingerprint = true});
  auto path = writeHex("binding.hex", bytes);
  EXPECT_EQ(run(path, {"", "", "pw"}), 0) << out_.str();
  auto j = json();
  EXPECT_EQ(j["checks"]["MESSAGE-INTEGRITY"]["key"], "short-term");
  EXPECT_EQ(j["attributes"][1]["value"], 7);
  EXPECT_EQ(j["attributes"][2]["value"], true);
}

TEST_F(InspectStun, NoPasswordReportsNotChecked) {
  auto path = writeHex("allocate.hex", signedAllocate());
  EXPECT_EQ(run(path), 0) << out_.str();
  auto r = json()["checks"]["MESSAGE-INTEGRITY"]["result"].get<std::string>();
  EXPECT_EQ(r.rfind("not checked", 0), 0u) << r;
}

TEST_F(InspectStun, BadFingerprintFails) {
  auto bytes = signedAllocate();
  bytes.back() ^= 1;
  auto path = writeHex("allocate.hex", bytes);
  EXPECT_EQ(run(path, {"alice", "example.com", "secret"}), 1);
  EXPECT_EQ(json()["checks"]["FINGERPRINT"]["result"], "invalid");
}

TEST_F(InspectStun, UndecodableIsRejected) {
  auto bytes = signedAllocate();
  bytes.push_back(0);
  bytes.push_back(0);
  bytes.push_back(0);
  bytes.push_back(0);
  EXPECT_EQ(run(writeBytes("x.bin", bytes)), 1);
  EXPECT_EQ(out_.str().rfind("rejected: 400", 0), 0u) << out_.str();
  EXPECT_EQ(run(write("odd.hex", "0001000")), 1);
  EXPECT_EQ(run(write("text.txt", "hello world")), 1);
  EXPECT_EQ(run(write("empty", "")), 1);
}

TEST_F(InspectStun, UnknownRequiredAttributeFails) {
  stun::Message m;
  m.add(0x7001, std::string("zz"));
  EXPECT_EQ(run(writeHex("u.hex", stun::encode(m))), 1);
  EXPECT_EQ(json()["unknownComprehensionRequired"][0], "0x7001");
  EXPECT_NE(out_.str().find("420"), std::string::npos);
}

TEST_F(InspectStun, ErrorResponseValues) {
  stun::Message req = allocateRequest();
  stun::Message r = stun::makeErrorResponse(req, 401);
  r.addText(stun::attr::Realm, "example.com");
  r.addPasswordAlgorithms(std::vector<stun::PasswordAlgorithmValue>{
      {stun::kPasswordAlgorithmSha256, {}}, {stun::kPasswordAlgorithmMd5, {}}});
  r.addText(stun::attr::Software, std::string("bad \xFF utf8"));
  EXPECT_EQ(run(writeHex("r.hex", stun::encode(r))), 0) << out_.str();
  auto j = json();
  EXPECT_EQ(j["header"]["class"], "error response");
  EXPECT_EQ(j["attributes"][0]["value"]["code"], 401);
  EXPECT_EQ(j["attributes"][2]["value"][0]["algorithm"], "SHA-256");
  EXPECT_EQ(j["attributes"][3]["value"], "bad \xEF\xBF\xBD utf8");
}

TEST_F(InspectStun, UnreadableFile) {
  EXPECT_EQ(run((dir_ / "missing").string()), 2);
  EXPECT_EQ(run(dir_.string()), 2);
}

TEST_F(InspectStun, SharedVectorIfPresent) {
  fs::path v = fs::path(PARLEY_SHARED_TESTDATA) / "stun-vectors" / "rfc5769-2.1-request.hex";
  if (!fs::exists(v)) GTEST_SKIP() << "STUN vectors not found at " << v;
  EXPECT_EQ(run(v.string(), {"", "", "VOkJxbRl1RmTxUk/WvJxBt"}), 0) << out_.str();
  EXPECT_EQ(json()["checks"]["FINGERPRINT"]["result"], "valid");
  fs::path b1 = fs::path(PARLEY_SHARED_TESTDATA) / "stun-vectors" / "rfc8489-B.1-corrected.hex";
  std::string user = "\xE3\x83\x9E\xE3\x83\x88\xE3\x83\xAA\xE3\x83\x83\xE3\x82\xAF\xE3\x82\xB9";
  EXPECT_EQ(run(b1.string(), {user, "example.org", "TheMatrIX"}), 0) << out_.str();
  EXPECT_EQ(json()["checks"]["MESSAGE-INTEGRITY-SHA256"]["key"], "long-term SHA-256");
}

}  // namespace
}  // namespace parley::tools
