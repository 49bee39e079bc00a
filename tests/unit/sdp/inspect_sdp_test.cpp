// `parleyctl inspect sdp` (src/tools/parleyctl/inspect_sdp.cpp), compiled into this test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tools/parleyctl/inspect.hpp"
#include "../inspect_test_fixture.hpp"

namespace parley::tools {
namespace {

namespace fs = std::filesystem;

class InspectSdp : public testing::InspectFileTest {
 protected:

  int run(const std::string& path) {
    out_.str("");
    err_.str("");
    return inspectSdpFile(path, out_, err_);
  }

  std::ostringstream out_;
  std::ostringstream err_;
};

constexpr const char* kOffer =
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=ice-lite\r\n"
    "m=audio 50000 RTP/SAVPF 111 0 101\r\n"
    "c=IN IP4 203.0.113.5\r\n"
    "a=rtcp:50001 IN IP4 203.0.113.5\r\n"
    "a=ice-ufrag:Ufr4\r\n"
    "a=ice-pwd:passwordpasswordpassword\r\n"
    "a=ice-options:trickle\r\n"
    "a=candidate:1 1 udp 2130706431 203.0.113.5 50000 typ host generation 0\r\n"
    "a=candidate:2 1 udp 1694498815 198.51.100.9 41000 typ srflx raddr 203.0.113.5 rport 50000\r\n"
    "a=end-of-candidates\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVph|2^31|1:1\r\n"
    "a=mid:0\r\n"
    "a=sendonly\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=rtpmap:oops\r\n"
    "a=ptime:20\r\n"
    "a=x-unknown:kept\r\n";

TEST_F(InspectSdp, AcceptedDescriptionAsJson) {
  ASSERT_EQ(run(write("offer.sdp", kOffer)), 0) << out_.str() << err_.str();
  auto j = nlohmann::json::parse(out_.str());
  EXPECT_EQ(j["origin"]["sessionId"], "4611731400430051336");
  EXPECT_EQ(j["origin"]["address"], "127.0.0.1");
  EXPECT_EQ(j["sessionName"], "-");
  EXPECT_TRUE(j["connection"].is_null());
  EXPECT_EQ(j["timing"][0]["start"], 0);
  EXPECT_EQ(j["iceLite"], true);
  ASSERT_EQ(j["media"].size(), 1u);
  const auto& m = j["media"][0];
  EXPECT_EQ(m["media"], "audio");
  EXPECT_EQ(m["port"], 50000);
  EXPECT_EQ(m["proto"], "RTP/SAVPF");
  EXPECT_EQ(m["formats"], nlohmann::json({"111", "0", "101"}));
  EXPECT_EQ(m["connection"]["address"], "203.0.113.5");
  EXPECT_EQ(m["direction"], "sendonly");
  EXPECT_EQ(m["rtcpMux"], true);
  EXPECT_EQ(m["rtcp"]["port"], 50001);
  EXPECT_EQ(m["mid"], "0");
  EXPECT_EQ(m["ptime"], 20.0);
  ASSERT_EQ(m["codecs"].size(), 3u);
  EXPECT_EQ(m["codecs"][0]["encodingName"], "opus");
  EXPECT_EQ(m["codecs"][0]["channels"], 2);
  EXPECT_EQ(m["codecs"][0]["fmtp"], "minptime=10;useinbandfec=1");
  EXPECT_EQ(m["codecs"][0]["static"], false);
  EXPECT_EQ(m["codecs"][1]["encodingName"], "PCMU");
  EXPECT_EQ(m["codecs"][1]["static"], true);
  EXPECT_EQ(m["ice"]["ufrag"], "Ufr4");
  EXPECT_EQ(m["ice"]["pwd"], "passwordpasswordpassword");
  EXPECT_EQ(m["ice"]["options"], nlohmann::json({"trickle"}));
  EXPECT_EQ(m["ice"]["endOfCandidates"], true);
  ASSERT_EQ(m["ice"]["candidates"].size(), 2u);
  EXPECT_EQ(m["ice"]["candidates"][1]["type"], "srflx");
  EXPECT_EQ(m["ice"]["candidates"][1]["relatedPort"], 50000);
  EXPECT_EQ(m["ice"]["candidates"][0]["extensions"]["generation"], "0");
  ASSERT_EQ(m["crypto"].size(), 1u);
  EXPECT_EQ(m["crypto"][0]["suite"], "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(m["crypto"][0]["keyParams"][0]["lifetime"], "2^31");
  EXPECT_EQ(m["crypto"][0]["keyParams"][0]["mkiLength"], 1);
  ASSERT_EQ(m["invalidAttributes"].size(), 1u);
  EXPECT_EQ(m["invalidAttributes"][0]["name"], "rtpmap");
  EXPECT_FALSE(m["invalidAttributes"][0]["error"].get<std::string>().empty());
  EXPECT_EQ(m["attributes"].back()["value"], "kept");
}

TEST_F(InspectSdp, RejectedDescriptionNamesTheLine) {
  std::string bad = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nf=invalid:yes\r\n";
  EXPECT_EQ(run(write("bad.sdp", bad)), 1);
  EXPECT_EQ(out_.str().rfind("rejected: 400 line 5: unknown type letter 'f='", 0), 0u)
      << out_.str();
}

TEST_F(InspectSdp, UnreadableFile) {
  EXPECT_EQ(run((dir_ / "missing.sdp").string()), 2);
  EXPECT_NE(err_.str().find("cannot read"), std::string::npos);
  EXPECT_TRUE(out_.str().empty());
  EXPECT_EQ(run(dir_.string()), 2);  // a directory
}

TEST_F(InspectSdp, NonUtf8TextStillGivesValidJson) {
  std::string text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=caf\xE9 \xFF\r\nt=0 0\r\n";
  ASSERT_EQ(run(write("latin1.sdp", text)), 0);
  auto j = nlohmann::json::parse(out_.str());
  EXPECT_EQ(j["sessionName"], "caf\xEF\xBF\xBD \xEF\xBF\xBD");
}

TEST_F(InspectSdp, SharedCorpus) {
  fs::path root = fs::path(PARLEY_SHARED_TESTDATA) / "sdp";
  if (!fs::is_directory(root)) {
    GTEST_SKIP() << "shared SDP corpus not found at " << root.string()
                 << " (PARLEY_SHARED_TESTDATA)";
  }
  size_t ok = 0, rejected = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() != ".sdp") continue;
    SCOPED_TRACE(e.path().string());
    int rc = run(e.path().string());
    ASSERT_TRUE(rc == 0 || rc == 1) << rc;
    if (rc == 0) {
      EXPECT_TRUE(nlohmann::json::accept(out_.str()));
      ++ok;
    } else {
      EXPECT_EQ(out_.str().rfind("rejected: 400 line ", 0), 0u) << out_.str();
      ++rejected;
    }
  }
  EXPECT_EQ(ok, 96u);
  EXPECT_EQ(rejected, 4u);
}

}  // namespace
}  // namespace parley::tools
