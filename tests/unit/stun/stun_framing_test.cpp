// ChannelData, first-octet demultiplexing and the TCP/TLS stream framer
// (src/common/stun/framing.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/stun/framing.hpp"
#include "common/stun/message.hpp"

namespace parley::stun {
namespace {

std::vector<uint8_t> payload(size_t n, uint8_t seed = 1) {
  std::vector<uint8_t> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(seed + i);
  return p;
}

std::vector<uint8_t> stunMessage(uint8_t tag, size_t softwareLength) {
  Message m;
  m.method = Method::Binding;
  m.cls = MessageClass::Request;
  m.transactionId.fill(tag);
  m.addText(attr::Software, std::string(softwareLength, 's'));
  return encode(m, {.fingerprint = true});
}

TEST(Demux, FirstOctetRanges) {
  EXPECT_EQ(classifyFirstByte(0), PacketKind::Stun);
  EXPECT_EQ(classifyFirstByte(3), PacketKind::Stun);
  EXPECT_EQ(classifyFirstByte(4), PacketKind::Unknown);
  EXPECT_EQ(classifyFirstByte(16), PacketKind::Zrtp);
  EXPECT_EQ(classifyFirstByte(20), PacketKind::Dtls);
  EXPECT_EQ(classifyFirstByte(63), PacketKind::Dtls);
  EXPECT_EQ(classifyFirstByte(64), PacketKind::ChannelData);
  EXPECT_EQ(classifyFirstByte(79), PacketKind::ChannelData);
  EXPECT_EQ(classifyFirstByte(80), PacketKind::Unknown);
  EXPECT_EQ(classifyFirstByte(127), PacketKind::Unknown);
  EXPECT_EQ(classifyFirstByte(128), PacketKind::RtpRtcp);
  EXPECT_EQ(classifyFirstByte(191), PacketKind::RtpRtcp);
  EXPECT_EQ(classifyFirstByte(192), PacketKind::Unknown);
  EXPECT_EQ(classifyFirstByte(255), PacketKind::Unknown);
}

TEST(ChannelData, RoundTripUdpAndStream) {
  for (size_t n : {0u, 1u, 2u, 3u, 4u, 5u, 160u, 1200u, 65535u}) {
    auto data = payload(n);
    auto udp = encodeChannelData(0x4000, data);
    EXPECT_EQ(udp.size(), 4 + n);
    auto d = decodeChannelData(udp);
    ASSERT_TRUE(d) << n;
    EXPECT_EQ(d->channel, 0x4000);
    EXPECT_EQ(std::vector<uint8_t>(d->data.begin(), d->data.end()), data);

    auto tcp = encodeChannelData(0x4FFF, data, true);
    EXPECT_EQ(tcp.size() % 4, 0u);
    EXPECT_EQ(tcp.size(), 4 + ((n + 3) & ~size_t{3}));
    auto s = decodeChannelData(tcp, true);
    ASSERT_TRUE(s) << n;
    EXPECT_EQ(s->channel, 0x4FFF);
    EXPECT_EQ(s->data.size(), n);
    // Padding is allowed over UDP too.
    EXPECT_TRUE(decodeChannelData(tcp, false));
  }
}

TEST(ChannelData, RejectsBadInput) {
  EXPECT_FALSE(decodeChannelData({}));
  std::vector<uint8_t> three{0x40, 0x00, 0x00};
  EXPECT_FALSE(decodeChannelData(three));
  auto ok = encodeChannelData(0x4001, payload(5));
  auto shortened = ok;
  shortened.pop_back();
  EXPECT_FALSE(decodeChannelData(shortened));  // shorter than its length
  auto extra = ok;
  extra.insert(extra.end(), {0, 0, 0, 0});
  EXPECT_FALSE(decodeChannelData(extra));  // beyond padding
  auto unpadded = ok;
  EXPECT_FALSE(decodeChannelData(unpadded, true));  // streams must pad
  auto reserved = ok;
  reserved[0] = 0x50;  // 0x5001: reserved
  EXPECT_FALSE(decodeChannelData(reserved));
  auto low = ok;
  low[0] = 0x3F;
  EXPECT_FALSE(decodeChannelData(low));

  std::vector<uint8_t> out;
  EXPECT_FALSE(appendChannelData(out, 0x3FFF, payload(1)));
  EXPECT_FALSE(appendChannelData(out, 0x5000, payload(1)));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(encodeChannelData(0x4000, std::vector<uint8_t>(65536)).empty());
  EXPECT_TRUE(isValidChannelNumber(0x4000));
  EXPECT_FALSE(isValidChannelNumber(0x8000));
}

std::vector<uint8_t> mixedStream(std::vector<std::vector<uint8_t>>& expected) {
  std::vector<uint8_t> stream;
  for (int i = 0; i < 6; ++i) {
    auto s = stunMessage(static_cast<uint8_t>(i), static_cast<size_t>(i * 7));
    expected.push_back(s);
    stream.insert(stream.end(), s.begin(), s.end());
    auto data = payload(static_cast<size_t>(i * 5 + 1), static_cast<uint8_t>(i));
    auto cd = encodeChannelData(static_cast<uint16_t>(0x4000 + i), data, true);
    expected.push_back(encodeChannelData(static_cast<uint16_t>(0x4000 + i), data, false));
    stream.insert(stream.end(), cd.begin(), cd.end());
  }
  return stream;
}

TEST(StreamFramer, SplitsAtEveryChunkSize) {
  std::vector<std::vector<uint8_t>> expected;
  auto stream = mixedStream(expected);
  for (size_t chunk = 1; chunk <= stream.size(); chunk += (chunk < 64 ? 1 : 97)) {
    StreamFramer framer;
    std::vector<Frame> frames;
    for (size_t pos = 0; pos < stream.size(); pos += chunk) {
      size_t n = std::min(chunk, stream.size() - pos);
      ASSERT_TRUE(framer.feed(std::span(stream).subspan(pos, n)));
      for (;;) {
        auto f = framer.next();
        ASSERT_TRUE(f) << f.error().message;
        if (!*f) break;
        frames.push_back(std::move(**f));
      }
    }
    ASSERT_EQ(frames.size(), expected.size()) << "chunk " << chunk;
    for (size_t i = 0; i < frames.size(); ++i) {
      EXPECT_EQ(frames[i].bytes, expected[i]) << "chunk " << chunk << " frame " << i;
      EXPECT_EQ(frames[i].kind, i % 2 == 0 ? FrameKind::Stun : FrameKind::ChannelData);
      if (frames[i].kind == FrameKind::Stun) {
        EXPECT_TRUE(decode(frames[i].bytes));
      } else {
        EXPECT_TRUE(decodeChannelData(frames[i].bytes));
      }
    }
    EXPECT_EQ(framer.buffered(), 0u);
  }
}

TEST(StreamFramer, NeedsMoreUntilComplete) {
  auto s = stunMessage(1, 3);
  StreamFramer framer;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    ASSERT_TRUE(framer.feed(std::span(s).subspan(i, 1)));
    auto f = framer.next();
    ASSERT_TRUE(f);
    EXPECT_FALSE(*f);
  }
  ASSERT_TRUE(framer.feed(std::span(s).last(1)));
  auto f = framer.next();
  ASSERT_TRUE(f && *f);
  EXPECT_EQ((*f)->bytes, s);
}

TEST(StreamFramer, ErrorsOnGarbage) {
  for (std::vector<uint8_t> bad : {std::vector<uint8_t>{0x17, 0x03, 0x03, 0x00},  // TLS record
                                   std::vector<uint8_t>{0x50, 0x00, 0x00, 0x04},  // channel 0x5000
                                   std::vector<uint8_t>{0x80, 0x00},              // RTP
                                   std::vector<uint8_t>{0x00, 0x01, 0x00, 0x02},  // len % 4
                                   std::vector<uint8_t>{0x00, 0x01, 0x00, 0x00, 1, 2, 3, 4}}) {
    StreamFramer framer;
    ASSERT_TRUE(framer.feed(bad));
    auto f = framer.next();
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, 400);
    EXPECT_TRUE(framer.failed());
    EXPECT_FALSE(framer.next());
    EXPECT_FALSE(framer.feed(bad));
  }
}

TEST(StreamFramer, BoundsWhatItBuffers) {
  StreamFramer framer(64);
  auto big = stunMessage(1, 100);  // > 64 octets
  ASSERT_TRUE(framer.feed(std::span(big).first(24)));
  auto f = framer.next();
  EXPECT_FALSE(f);  // frame larger than the limit

  // Feeding without draining: accepted until more than the limit is waiting.
  StreamFramer other(64);
  std::vector<uint8_t> many(65, 0);
  EXPECT_TRUE(other.feed(many));
  EXPECT_FALSE(other.feed(many));
  EXPECT_TRUE(other.failed());

  // A whole read larger than the limit is fine when it holds complete frames.
  StreamFramer reader(64);
  std::vector<uint8_t> frames;
  for (int i = 0; i < 10; ++i) {
    auto s = stunMessage(static_cast<uint8_t>(i), 4);
    frames.insert(frames.end(), s.begin(), s.end());
  }
  ASSERT_GT(frames.size(), 64u);
  ASSERT_TRUE(reader.feed(frames));
  int n = 0;
  for (;;) {
    auto got = reader.next();
    ASSERT_TRUE(got);
    if (!*got) break;
    ++n;
  }
  EXPECT_EQ(n, 10);
}

TEST(StreamFramer, LongStreamCompacts) {
  StreamFramer framer;
  auto s = stunMessage(1, 40);
  size_t got = 0;
  for (int i = 0; i < 5000; ++i) {
    // Each message arrives in two halves; the consumed prefix must not pile up.
    ASSERT_TRUE(framer.feed(std::span(s).first(s.size() / 2)));
    ASSERT_TRUE(framer.feed(std::span(s).subspan(s.size() / 2)));
    while (true) {
      auto f = framer.next();
      ASSERT_TRUE(f);
      if (!*f) break;
      ++got;
    }
  }
  EXPECT_EQ(got, 5000u);
  EXPECT_EQ(framer.buffered(), 0u);
}

}  // namespace
}  // namespace parley::stun
