// The RFC 3264 answer helper of src/common/sdp/offer_answer.hpp.
#include "common/sdp/offer_answer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/sdp/attributes.hpp"
#include "common/sdp/sdp.hpp"

namespace parley::sdp {
namespace {

SessionDescription offerOf(const std::string& media, const std::string& sessionAttrs = "") {
  auto r = parseSdp(
      "v=0\r\no=alice 100 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\n"
      "t=0 0\r\n" +
      sessionAttrs + media);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r).value() : SessionDescription{};
}

AnswerOptions local() {
  AnswerOptions o;
  o.address = "198.51.100.20";
  o.codecs = {{"PCMA", 8000, 1, ""},
              {"PCMU", 8000, 1, ""},
              {"opus", 48000, 2, "useinbandfec=1"},
              {"telephone-event", 8000, 1, "0-16"}};
  o.firstPort = 30000;
  o.username = "parley";
  o.sessionId = "77";
  o.sessionVersion = "1";
  return o;
}

TEST(OfferAnswer, DirectionTable) {
  // RFC 3264 section 6.1 with an answerer willing to do everything.
  EXPECT_EQ(answerDirection(Direction::SendRecv, Direction::SendRecv), Direction::SendRecv);
  EXPECT_EQ(answerDirection(Direction::SendOnly, Direction::SendRecv), Direction::RecvOnly);
  EXPECT_EQ(answerDirection(Direction::RecvOnly, Direction::SendRecv), Direction::SendOnly);
  EXPECT_EQ(answerDirection(Direction::Inactive, Direction::SendRecv), Direction::Inactive);
  // ... and with local restrictions.
  EXPECT_EQ(answerDirection(Direction::SendRecv, Direction::RecvOnly), Direction::RecvOnly);
  EXPECT_EQ(answerDirection(Direction::SendRecv, Direction::SendOnly), Direction::SendOnly);
  EXPECT_EQ(answerDirection(Direction::SendOnly, Direction::SendOnly), Direction::Inactive);
  EXPECT_EQ(answerDirection(Direction::RecvOnly, Direction::RecvOnly), Direction::Inactive);
  EXPECT_EQ(answerDirection(Direction::SendRecv, Direction::Inactive), Direction::Inactive);
}

TEST(OfferAnswer, CommonCodecsKeepOfferNumbersAndOrder) {
  auto offer = offerOf(
      "m=audio 49170 RTP/AVP 0 96 8 18 101\r\n"
      "a=rtpmap:96 opus/48000/2\r\n"
      "a=rtpmap:101 telephone-event/8000\r\n"
      "a=fmtp:101 0-15\r\n");
  auto answer = makeAnswer(offer, local());
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  const auto& m = answer->media.at(0);
  EXPECT_EQ(m.port, 30000);
  EXPECT_EQ(m.proto, "RTP/AVP");
  EXPECT_EQ(m.formats, (std::vector<std::string>{"0", "96", "8", "101"}));  // no G729 (18)
  auto maps = rtpMaps(m);
  ASSERT_EQ(maps.size(), 4u);  // static types get an rtpmap too (section 6.1 SHOULD)
  EXPECT_EQ(maps[0], (RtpMap{0, "PCMU", 8000, 1u}));
  EXPECT_EQ(maps[1], (RtpMap{96, "opus", 48000, 2u}));
  EXPECT_EQ(fmtp(m, "96")->parameters, "useinbandfec=1");
  EXPECT_EQ(fmtp(m, "101")->parameters, "0-16");
  EXPECT_FALSE(fmtp(m, "0").has_value());
  EXPECT_EQ(direction(*answer, m), Direction::SendRecv);
  EXPECT_EQ(directionAttribute(m), Direction::SendRecv);  // always explicit

  EXPECT_EQ(answer->origin, (Origin{"parley", "77", "1", "IN", "IP4", "198.51.100.20"}));
  EXPECT_EQ(answer->connection->address, "198.51.100.20");
  EXPECT_EQ(answer->timings, offer.timings);
  EXPECT_TRUE(hasActiveMedia(*answer));

  // The answer is a valid description.
  auto again = parseSdp(serialize(*answer));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, *answer);
}

TEST(OfferAnswer, CodecMatchIsByNameClockAndChannels) {
  // Dynamic numbers differ from any local idea; opus mono and PCMU/16000 do not match.
  auto offer = offerOf(
      "m=audio 49170 RTP/AVP 110 111 112\r\n"
      "a=rtpmap:110 OPUS/48000/1\r\n"
      "a=rtpmap:111 pcmu/16000\r\n"
      "a=rtpmap:112 pcma/8000\r\n");
  auto answer = makeAnswer(offer, local());
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->media.at(0).formats, std::vector<std::string>{"112"});
  EXPECT_EQ(rtpMap(answer->media.at(0), "112")->encodingName, "pcma");  // offer's spelling
}

TEST(OfferAnswer, RejectsWithPortZero) {
  auto offer = offerOf(
      "m=audio 49170 RTP/AVP 18\r\n"                                        // nothing in common
      "m=audio 49172 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\n"  // DTMF alone
      "m=audio 0 RTP/AVP 0\r\n"                  // already rejected in the offer
      "m=audio 49176 RTP/SAVP 0\r\na=mid:s\r\n"  // proto not accepted
      "m=audio 49178 RTP/AVP 97\r\n"             // dynamic type without rtpmap
      "m=video 49180 RTP/AVP 31\r\n"
      "m=audio 49182 RTP/AVP 8\r\n");
  auto answer = makeAnswer(offer, local());
  ASSERT_TRUE(answer.ok());
  ASSERT_EQ(answer->media.size(), 7u);  // same number and order of m= lines (section 6)
  for (size_t i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    const auto& m = answer->media[i];
    EXPECT_EQ(m.port, 0);
    EXPECT_EQ(m.media, offer.media[i].media);
    EXPECT_EQ(m.proto, offer.media[i].proto);
    EXPECT_EQ(m.formats, offer.media[i].formats);  // at least one format stays listed
  }
  EXPECT_EQ(mid(answer->media[3]), "s");
  EXPECT_EQ(answer->media[6].port, 30000 + 2 * 6);
  EXPECT_TRUE(hasActiveMedia(*answer));
  EXPECT_TRUE(parseSdp(serialize(*answer)).ok());
}

TEST(OfferAnswer, NothingInCommonAtAll) {
  auto answer = makeAnswer(offerOf("m=audio 49170 RTP/AVP 18\r\n"), local());
  ASSERT_TRUE(answer.ok());
  EXPECT_FALSE(hasActiveMedia(*answer));
}

TEST(OfferAnswer, MirrorsDirectionMediaOverSession) {
  auto offer = offerOf(
      "m=audio 49170 RTP/AVP 0\r\n"
      "m=audio 49172 RTP/AVP 0\r\na=recvonly\r\n"
      "m=audio 49174 RTP/AVP 0\r\na=inactive\r\n"
      "m=audio 49176 RTP/AVP 0\r\na=sendrecv\r\n",
      "a=sendonly\r\n");
  auto answer = makeAnswer(offer, local());
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(direction(*answer, answer->media[0]), Direction::RecvOnly);
  EXPECT_EQ(direction(*answer, answer->media[1]), Direction::SendOnly);
  EXPECT_EQ(direction(*answer, answer->media[2]), Direction::Inactive);
  EXPECT_EQ(direction(*answer, answer->media[3]), Direction::SendRecv);

  AnswerOptions listenOnly = local();
  listenOnly.direction = Direction::RecvOnly;
  auto hold = makeAnswer(offerOf("m=audio 49170 RTP/AVP 0\r\n"), listenOnly);
  ASSERT_TRUE(hold.ok());
  EXPECT_EQ(direction(*hold, hold->media[0]), Direction::RecvOnly);
}

TEST(OfferAnswer, MidRtcpMuxAndProtos) {
  auto offer = offerOf("m=audio 49170 RTP/SAVPF 0\r\na=mid:a0\r\na=rtcp-mux\r\n");
  AnswerOptions o = local();
  o.protos = {"RTP/SAVPF"};
  auto plain = makeAnswer(offer, o);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(mid(plain->media[0]), "a0");
  EXPECT_FALSE(hasRtcpMux(plain->media[0]));
  o.rtcpMux = true;
  auto mux = makeAnswer(offer, o);
  ASSERT_TRUE(mux.ok());
  EXPECT_TRUE(hasRtcpMux(mux->media[0]));
  // Not offered, not answered.
  auto none = makeAnswer(offerOf("m=audio 49170 RTP/SAVPF 0\r\n"), o);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(hasRtcpMux(none->media[0]));
}

TEST(OfferAnswer, Ipv6AddressAndMissingTiming) {
  auto offer = parseSdp("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nm=audio 1 RTP/AVP 0\r\n");
  ASSERT_TRUE(offer.ok());
  AnswerOptions o = local();
  o.address = "2001:db8::20";
  auto answer = makeAnswer(*offer, o);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->connection->addrType, "IP6");
  EXPECT_EQ(answer->origin.addrType, "IP6");
  ASSERT_EQ(answer->timings.size(), 1u);  // an answer always carries t=0 0
  EXPECT_EQ(answer->timings[0], Timing{});
}

TEST(OfferAnswer, OptionErrors) {
  auto offer = offerOf("m=audio 49170 RTP/AVP 0\r\nm=audio 49172 RTP/AVP 0\r\n");
  AnswerOptions noAddress = local();
  noAddress.address.clear();
  EXPECT_FALSE(makeAnswer(offer, noAddress).ok());
  AnswerOptions noPort = local();
  noPort.firstPort = 0;
  EXPECT_FALSE(makeAnswer(offer, noPort).ok());
  AnswerOptions high = local();
  high.firstPort = 65533;  // the second stream would need 65535 and 65536 for RTCP
  auto r = makeAnswer(offer, high);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 500);
  high.firstPort = 65532;
  EXPECT_TRUE(makeAnswer(offer, high).ok());
}

}  // namespace
}  // namespace parley::sdp
