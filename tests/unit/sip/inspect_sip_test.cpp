// parleyctl's `inspect sip` (src/tools/parleyctl/inspect_sip.cpp), compiled into this test.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tools/parleyctl/inspect.hpp"

namespace parley::tools {
namespace {

namespace fs = std::filesystem;

class InspectSip : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("parley_inspect_sip_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& bytes) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }

  fs::path dir_;
};

// The JSON document is everything before an optional trailing "rejected: ..." line.
nlohmann::json jsonPart(const std::string& out, std::string* rejectedLine) {
  std::string text = out;
  const size_t pos = text.rfind("\nrejected: ");
  if (pos != std::string::npos) {
    if (rejectedLine) *rejectedLine = text.substr(pos + 1);
    text.resize(pos + 1);
  }
  return nlohmann::json::parse(text);
}

TEST_F(InspectSip, AcceptedRequest) {
  const std::string path =
      write("ok.sip",
            "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
            "Via: SIP/2.0/UDP pc33.atlanta.example.com:5066;branch=z9hG4bK776asdhds;rport, "
            "SIP/2.0/TCP [2001:db8::1];branch=z9hG4bK2\r\n"
            "Max-Forwards: 70\r\n"
            "To: Bob <sip:bob@biloxi.example.com>\r\n"
            "From: \"Alice A.\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
            "Call-ID: a84b4c76e66710\r\n"
            "CSeq: 314159 INVITE\r\n"
            "Contact: <sip:alice@pc33.atlanta.example.com>;expires=60\r\n"
            "X-Bin: \xff\xfe\r\n"
            "Content-Length: 3\r\n\r\nabc");
  std::ostringstream out, err;
  EXPECT_EQ(inspectSipFile(path, out, err), 0) << out.str() << err.str();
  auto j = jsonPart(out.str(), nullptr);
  EXPECT_EQ(j["kind"], "request");
  EXPECT_EQ(j["startLine"]["method"], "INVITE");
  EXPECT_EQ(j["startLine"]["requestUri"]["user"], "bob");
  ASSERT_EQ(j["headers"].size(), 10u);
  EXPECT_EQ(j["headers"][0]["name"], "Via");
  EXPECT_EQ(j["routing"]["via"].size(), 2u);
  EXPECT_EQ(j["routing"]["via"][0]["branch"], "z9hG4bK776asdhds");
  EXPECT_EQ(j["routing"]["via"][0]["port"], 5066);
  EXPECT_EQ(j["routing"]["via"][1]["host"], "[2001:db8::1]");
  EXPECT_EQ(j["routing"]["via"][1]["transport"], "TCP");
  EXPECT_EQ(j["routing"]["from"]["display"], "Alice A.");
  EXPECT_EQ(j["routing"]["from"]["tag"], "1928301774");
  EXPECT_EQ(j["routing"]["to"]["uri"]["host"], "biloxi.example.com");
  EXPECT_EQ(j["routing"]["callId"], "a84b4c76e66710");
  EXPECT_EQ(j["routing"]["cseq"]["number"], 314159);
  EXPECT_EQ(j["routing"]["maxForwards"], 70);
  EXPECT_EQ(j["routing"]["contacts"][0]["params"][0]["name"], "expires");
  EXPECT_EQ(j["bodyLength"], 3);
  EXPECT_EQ(j["verdict"]["accepted"], true);
}

TEST_F(InspectSip, RejectedByChecks) {
  const std::string path =
      write("bext.sip",
            "OPTIONS sip:user@example.com SIP/2.0\r\n"
            "To: sip:j_user@example.com\r\nFrom: sip:caller@example.net;tag=242etr\r\n"
            "Max-Forwards: 6\r\nCall-ID: bext01\r\nProxy-Require: foo, bar\r\nCSeq: 8 OPTIONS\r\n"
            "Via: SIP/2.0/TLS fold-and-staple.example.com;branch=z9hG4bKkdjuw\r\nl: 0\r\n\r\n");
  std::ostringstream out, err;
  EXPECT_EQ(inspectSipFile(path, out, err), 1);
  std::string rejected;
  auto j = jsonPart(out.str(), &rejected);
  EXPECT_EQ(rejected, "rejected: 420 unsupported Proxy-Require option tags: foo, bar\n");
  EXPECT_EQ(j["verdict"]["accepted"], false);
  EXPECT_EQ(j["verdict"]["status"], 420);
  EXPECT_EQ(j["verdict"]["unsupported"], nlohmann::json::array({"foo", "bar"}));
  EXPECT_EQ(j["kind"], "request");
}

TEST_F(InspectSip, RejectedByParser) {
  const std::string path = write("v7.sip", "OPTIONS sip:a@b SIP/7.0\r\n\r\n");
  std::ostringstream out, err;
  EXPECT_EQ(inspectSipFile(path, out, err), 1);
  std::string rejected;
  auto j = jsonPart(out.str(), &rejected);
  EXPECT_EQ(j["verdict"]["status"], 505);
  EXPECT_FALSE(j.contains("headers"));
  EXPECT_EQ(rejected.rfind("rejected: 505 ", 0), 0u) << rejected;
}

TEST_F(InspectSip, MalformedRoutingHeaderIsReportedNotThrown) {
  const std::string path =
      write("bad.sip",
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP\r\nTo: <sip:a@b>\r\nFrom: <sip:c@d>;tag=1\r\n"
            "Call-ID: x\r\nCSeq: 1 INVITE\r\nMax-Forwards: x\r\n\r\n");
  std::ostringstream out, err;
  EXPECT_EQ(inspectSipFile(path, out, err), 1);
  auto j = jsonPart(out.str(), nullptr);
  EXPECT_EQ(j["kind"], "response");
  EXPECT_EQ(j["routing"]["via"]["error"], "malformed Via header: missing sent-by");
  EXPECT_TRUE(j["routing"]["maxForwards"].contains("error"));
}

TEST_F(InspectSip, UnreadableFile) {
  std::ostringstream out, err;
  EXPECT_EQ(inspectSipFile((dir_ / "missing.sip").string(), out, err), 2);
  EXPECT_TRUE(out.str().empty());
  EXPECT_NE(err.str().find("cannot read"), std::string::npos);
}

}  // namespace
}  // namespace parley::tools
