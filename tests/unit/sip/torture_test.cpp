// RFC 4475 / RFC 5118 torture messages from the shared test data, checked against the
// verdict column of EXPECTED.tsv. The expectation is derived from the table's text, never
// from the file name:
//   valid         parseMessage succeeds; checkRequest / checkResponse accept.
//   invalid       rejected by parseMessage or checkRequest / checkResponse, with the status
//                 the handling column names first (400, 505, ...) when it names one.
//   valid-syntax  parseMessage succeeds; when the handling column starts with one of
//                 checkRequest's statuses (400, 416, 420) checkRequest returns it. The others
//                 are application decisions made after these checks, so checkRequest accepts:
//                   415 Unsupported Media Type (invut), 406 Not Acceptable (sdp01),
//                   483 Too Many Hops when forwarding (zeromf: maxForwardsExhausted),
//                   401 challenge for an unknown auth scheme (regaut01),
//                   registrar 400 for a non-SIP To (unksm2), registrar Contact handling
//                   (cparam01, cparam02, regescrt), RFC 2543 compatibility (inv2543) and the
//                   broadcast Via of a response (bcast).
//   unreferenced  must not crash.
// Every message that parses must also survive a serialize/parse round trip.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "common/sip/parser.hpp"
#include "common/sip/validate.hpp"
#include "sip_test_util.hpp"

namespace parley::sip {
namespace {

namespace fs = std::filesystem;

struct TortureCase {
  std::string file;
  std::string section;
  std::string verdict;
  std::string handling;
};
// Keeps ctest's test names short: gtest would otherwise print the whole struct's bytes.
void PrintTo(const TortureCase& c, std::ostream* os) { *os << c.file; }


fs::path tortureDir() { return fs::path(PARLEY_SHARED_TESTDATA) / "sip-torture"; }

std::vector<TortureCase> loadCases() {
  std::vector<TortureCase> out;
  std::ifstream in(tortureDir() / "EXPECTED.tsv", std::ios::binary);
  if (!in) return out;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (header) {
      header = false;
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string> cols;
    size_t start = 0;
    for (;;) {
      size_t tab = line.find('\t', start);
      cols.push_back(
          line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    if (cols.size() < 5) continue;
    out.push_back(TortureCase{cols[0], cols[2], cols[3], cols[4]});
  }
  return out;
}

// The first three-digit status code the handling text mentions, if any.
std::optional<int> firstStatus(std::string_view text) {
  for (size_t i = 0; i + 3 <= text.size(); ++i) {
    auto digit = [&](size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };
    if (digit(i) && digit(i + 1) && digit(i + 2) && !digit(i + 3) && (i == 0 || !digit(i - 1))) {
      int v = (text[i] - '0') * 100 + (text[i + 1] - '0') * 10 + (text[i + 2] - '0');
      if (v >= 100 && v <= 699) return v;
    }
  }
  return std::nullopt;
}

// The status the handling text starts with ("416 Unsupported ..."), if it starts with one.
std::optional<int> leadingStatus(std::string_view text) {
  if (text.size() >= 3 && text[0] >= '1' && text[0] <= '6' && text[1] >= '0' && text[1] <= '9' &&
      text[2] >= '0' && text[2] <= '9' && (text.size() == 3 || text[3] == ' ' || text[3] == ',')) {
    return (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
  }
  return std::nullopt;
}

std::optional<Rejection> check(const Message& m) {
  return m.isRequest() ? checkRequest(m) : checkResponse(m);
}

class Torture : public ::testing::TestWithParam<TortureCase> {};

TEST_P(Torture, MatchesExpectedVerdict) {
  const TortureCase& c = GetParam();
  if (c.file.empty()) GTEST_SKIP() << "shared test data absent: " << tortureDir();
  const std::string bytes = test::readBinary(tortureDir() / c.file);
  ASSERT_FALSE(bytes.empty()) << "cannot read " << c.file;
  SCOPED_TRACE(c.file + " (" + c.verdict + "): " + c.handling);

  auto parsed = parseMessage(bytes);
  if (parsed) test::expectRoundTrip(parsed.value());

  if (c.verdict == "valid") {
    ASSERT_TRUE(parsed) << parsed.error().code << " " << parsed.error().message;
    auto r = check(parsed.value());
    EXPECT_FALSE(r) << r->status << " " << r->reason;
  } else if (c.verdict == "invalid") {
    std::optional<int> status;
    std::string reason;
    if (!parsed) {
      status = parsed.error().code;
      reason = parsed.error().message;
    } else if (auto r = check(parsed.value())) {
      status = r->status;
      reason = r->reason;
    }
    ASSERT_TRUE(status) << "accepted an invalid message";
    EXPECT_FALSE(reason.empty());
    if (auto want = firstStatus(c.handling)) {
      EXPECT_EQ(*status, *want) << reason;
    }
  } else if (c.verdict == "valid-syntax") {
    ASSERT_TRUE(parsed) << parsed.error().code << " " << parsed.error().message;
    const Message& m = parsed.value();
    auto want = leadingStatus(c.handling);
    auto r = check(m);
    if (want && (*want == 400 || *want == 416 || *want == 420)) {
      ASSERT_TRUE(r) << "expected " << *want;
      EXPECT_EQ(r->status, *want) << r->reason;
      if (*want == 420) {
        // The Unsupported list names every Proxy-Require tag.
        auto tags = m.headerValues(HeaderId::ProxyRequire);
        ASSERT_EQ(r->unsupported.size(), tags.size());
        for (size_t i = 0; i < tags.size(); ++i) EXPECT_EQ(r->unsupported[i], tags[i]);
      }
    } else {
      EXPECT_FALSE(r) << r->status << " " << r->reason;
      if (c.handling.find("483") != std::string::npos) {
        EXPECT_TRUE(maxForwardsExhausted(m));
      }
    }
  } else {
    // unreferenced: anything but a crash; a rejection must still name its fault.
    if (!parsed) {
      EXPECT_GE(parsed.error().code, 400);
      EXPECT_FALSE(parsed.error().message.empty());
    }
  }
}

std::vector<TortureCase> casesOrPlaceholder() {
  auto cases = loadCases();
  if (cases.empty()) cases.push_back(TortureCase{});
  return cases;
}

std::string caseName(const ::testing::TestParamInfo<TortureCase>& info) {
  if (info.param.file.empty()) return "absent";
  std::string name;
  for (char ch : info.param.file) {
    const bool alnum =
        (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    name.push_back(alnum ? ch : '_');
  }
  if (name.size() > 4 && name.ends_with("_msg")) name.resize(name.size() - 4);
  return name;
}

INSTANTIATE_TEST_SUITE_P(Rfc4475And5118, Torture, ::testing::ValuesIn(casesOrPlaceholder()),
                         caseName);

TEST(TortureTable, ListsEveryMessage) {
  auto cases = loadCases();
  if (cases.empty()) GTEST_SKIP() << "shared test data absent: " << tortureDir();
  EXPECT_EQ(cases.size(), 62u);
  for (const auto& c : cases) EXPECT_TRUE(fs::exists(tortureDir() / c.file)) << c.file;
}

}  // namespace
}  // namespace parley::sip
