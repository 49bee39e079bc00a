#include <gtest/gtest.h>

#include <random>

#include "common/sip/parser.hpp"
#include "sip_test_util.hpp"

namespace parley::sip {
namespace {

using test::crlf;
using Status = StreamFramer::Status;

const std::string kMsgA = crlf({"MESSAGE sip:b@example.com SIP/2.0", "Call-ID: a",
                                "Content-Length: 12", "", "hello\r\n\r\nbye"});  // 12 + CRLF
const std::string kMsgB = crlf({"SIP/2.0 200 OK", "i: b", "l: 0", ""});
const std::string kMsgC =
    crlf({"OPTIONS sip:c@example.com SIP/2.0", "Call-ID: c", "Content-Length:", "  3", "", "xyz"});

// Everything the framer produces for `stream` fed in the given chunk sizes.
std::vector<StreamFramer::Output> frameAll(std::string_view stream,
                                           const std::vector<size_t>& chunks,
                                           ParseLimits limits = {}) {
  StreamFramer f(limits);
  std::vector<StreamFramer::Output> out;
  size_t pos = 0;
  size_t k = 0;
  while (pos < stream.size()) {
    size_t n = chunks.empty() ? stream.size() : chunks[k++ % chunks.size()];
    n = std::min(n, stream.size() - pos);
    f.feed(stream.substr(pos, n));
    pos += n;
    for (;;) {
      auto o = f.next();
      if (o.status == Status::NeedMore) break;
      out.push_back(o);
      if (o.status == Status::Error) return out;
    }
  }
  return out;
}

TEST(Framer, OneMessageOneChunk) {
  StreamFramer f;
  f.feed(kMsgB);
  auto o = f.next();
  ASSERT_EQ(o.status, Status::Frame);
  EXPECT_EQ(o.frame, kMsgB);
  EXPECT_EQ(f.next().status, Status::NeedMore);
  EXPECT_EQ(f.buffered(), 0u);
}

TEST(Framer, SeveralMessagesInOneChunk) {
  // kMsgA's trailing CRLF is outside its Content-Length: it reads as a pong between frames.
  const std::string stream = kMsgA + kMsgB + kMsgC;
  auto outs = frameAll(stream, {});
  ASSERT_EQ(outs.size(), 3u);
  for (const auto& o : outs) ASSERT_EQ(o.status, Status::Frame);
  EXPECT_EQ(outs[0].frame, kMsgA.substr(0, kMsgA.size() - 2));
  EXPECT_EQ(outs[1].frame, kMsgB);
  EXPECT_EQ(outs[2].frame, kMsgC.substr(0, kMsgC.size() - 2));
  auto a = parseMessage(outs[0].frame);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->body, "hello\r\n\r\nbye");
  auto c = parseMessage(outs[2].frame);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->body, "xyz");
}

TEST(Framer, AnyChunkBoundaryGivesTheSameFrames) {
  const std::string stream = "\r\n\r\n" + kMsgA + kMsgB + "\r\n\r\n" + kMsgC;
  const auto whole = frameAll(stream, {});
  ASSERT_EQ(whole.size(), 5u);
  EXPECT_EQ(whole[0].status, Status::Ping);
  EXPECT_EQ(whole[3].status, Status::Ping);
  // Every split into two pieces, then byte-at-a-time, then pseudo-random sizes.
  for (size_t cut = 1; cut < stream.size(); ++cut) {
    auto outs = frameAll(stream, {cut, stream.size()});
    ASSERT_EQ(outs.size(), whole.size()) << "cut " << cut;
    for (size_t i = 0; i < outs.size(); ++i) {
      EXPECT_EQ(outs[i].status, whole[i].status) << "cut " << cut;
      EXPECT_EQ(outs[i].frame, whole[i].frame) << "cut " << cut;
    }
  }
  auto bytes = frameAll(stream, {1});
  ASSERT_EQ(bytes.size(), whole.size());
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<size_t> sizes;
    for (int i = 0; i < 16; ++i) sizes.push_back(1 + rng() % 40);
    auto outs = frameAll(stream, sizes);
    ASSERT_EQ(outs.size(), whole.size());
    for (size_t i = 0; i < outs.size(); ++i) EXPECT_EQ(outs[i].frame, whole[i].frame);
  }
}

TEST(Framer, KeepAlives) {
  StreamFramer f;
  f.feed("\r\n");
  EXPECT_EQ(f.next().status, Status::NeedMore);  // could still become a ping
  f.feed("\r\n");
  EXPECT_EQ(f.next().status, Status::Ping);
  EXPECT_EQ(f.next().status, Status::NeedMore);
  // A lone CRLF (a pong) followed by a message is skipped.
  f.feed("\r\n" + kMsgB);
  auto o = f.next();
  ASSERT_EQ(o.status, Status::Frame);
  EXPECT_EQ(o.frame, kMsgB);
  f.feed("\r\n\r\n\r\n\r\n");
  EXPECT_EQ(f.next().status, Status::Ping);
  EXPECT_EQ(f.next().status, Status::Ping);
  EXPECT_EQ(f.next().status, Status::NeedMore);
}

TEST(Framer, WaitsForTheWholeBody) {
  StreamFramer f;
  const std::string head = crlf({"MESSAGE sip:b@example.com SIP/2.0", "Content-Length: 9999", ""});
  f.feed(head);
  EXPECT_EQ(f.next().status, Status::NeedMore);
  f.feed(std::string(9998, 'x'));
  EXPECT_EQ(f.next().status, Status::NeedMore);
  f.feed("y");
  auto o = f.next();
  ASSERT_EQ(o.status, Status::Frame);
  EXPECT_EQ(o.frame.size(), head.size() + 9999);
}

TEST(Framer, MissingContentLengthMeansNoBody) {
  auto outs = frameAll(crlf({"OPTIONS sip:b@example.com SIP/2.0", "Call-ID: x", ""}) + kMsgB, {});
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[1].frame, kMsgB);
}

TEST(Framer, OversizeIsAnError) {
  ParseLimits limits;
  limits.maxMessageBytes = 1000;
  limits.maxHeaderBytes = 200;
  // Content-Length beyond the limit: reported before the body arrives.
  auto big =
      frameAll(crlf({"MESSAGE sip:b@example.com SIP/2.0", "Content-Length: 5000", ""}), {}, limits);
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].status, Status::Error);
  EXPECT_EQ(big[0].error.code, 413);
  // A header section that never ends.
  StreamFramer f(limits);
  f.feed("OPTIONS sip:b@example.com SIP/2.0\r\n");
  EXPECT_EQ(f.next().status, Status::NeedMore);
  for (int i = 0; i < 20; ++i) f.feed("X-Filler: 0123456789\r\n");
  auto o = f.next();
  ASSERT_EQ(o.status, Status::Error);
  EXPECT_NE(o.error.message.find("header section exceeds"), std::string::npos);
  // The error is sticky: the stream cannot be resynchronised.
  f.feed(kMsgB);
  EXPECT_EQ(f.next().status, Status::Error);
}

TEST(Framer, BadContentLengthIsAnError) {
  for (const std::string& head :
       {crlf({"MESSAGE sip:b@x SIP/2.0", "Content-Length: -999", ""}),
        crlf({"MESSAGE sip:b@x SIP/2.0", "Content-Length: 99999999999999999999999", ""}),
        crlf({"MESSAGE sip:b@x SIP/2.0", "Content-Length: 13", "l: 5", ""})}) {
    auto outs = frameAll(head + "0123456789abcdef", {});
    ASSERT_EQ(outs.size(), 1u) << head;
    EXPECT_EQ(outs[0].status, Status::Error) << head;
    EXPECT_FALSE(outs[0].error.message.empty());
  }
  // Equal duplicates still frame; the request checks reject them later.
  auto same =
      frameAll(crlf({"MESSAGE sip:b@x SIP/2.0", "Content-Length: 2", "l: 2", ""}) + "ab", {});
  ASSERT_EQ(same.size(), 1u);
  EXPECT_EQ(same[0].status, Status::Frame);
}

TEST(Framer, BareLfLineEndings) {
  const std::string msg = "OPTIONS sip:b@x SIP/2.0\nCall-ID: y\nl: 2\n\nok";
  auto outs = frameAll(msg + msg, {3});
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[0].frame, msg);
  EXPECT_EQ(outs[1].frame, msg);
}

}  // namespace
}  // namespace parley::sip
