// Typed attribute accessors of src/common/sdp/attributes.hpp.
#include <gtest/gtest.h>

#include <string>

#include "common/sdp/attributes.hpp"
#include "common/sdp/sdp.hpp"

namespace parley::sdp {
namespace {

SessionDescription parseOrDie(const std::string& text) {
  auto r = parseSdp(text);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r).value() : SessionDescription{};
}

const std::string kHead =
    "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";

// ---- rtpmap / fmtp -------------------------------------------------------------------

TEST(SdpRtpMap, ParsesNameClockAndChannels) {
  auto opus = parseRtpMap("111 opus/48000/2");
  ASSERT_TRUE(opus.ok()) << opus.error().message;
  EXPECT_EQ(*opus, (RtpMap{111, "opus", 48000, 2u}));
  EXPECT_EQ(formatRtpMap(*opus), "111 opus/48000/2");
  auto pcmu = parseRtpMap("0 PCMU/8000");
  ASSERT_TRUE(pcmu.ok());
  EXPECT_FALSE(pcmu->channels.has_value());
  EXPECT_EQ(formatRtpMap(*pcmu), "0 PCMU/8000");
  EXPECT_TRUE(parseRtpMap("101 telephone-event/8000").ok());
}

TEST(SdpRtpMap, RejectsMalformed) {
  for (const char* bad :
       {"", "111", "128 opus/48000", "x opus/48000", "111 opus", "111 opus/0", "111 opus/48000/0",
        "111 opus/48000/2/1", "111 opus/fast", "111 op(us/8000", "111 opus/48000 extra"}) {
    auto r = parseRtpMap(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, kSdpSyntaxError);
    }
  }
}

TEST(SdpRtpMap, StaticPayloadTypes) {
  EXPECT_EQ(staticPayloadType(0), (RtpMap{0, "PCMU", 8000, 1u}));
  EXPECT_EQ(staticPayloadType(8), (RtpMap{8, "PCMA", 8000, 1u}));
  EXPECT_EQ(staticPayloadType(9), (RtpMap{9, "G722", 8000, 1u}));
  EXPECT_EQ(staticPayloadType(10), (RtpMap{10, "L16", 44100, 2u}));
  EXPECT_EQ(staticPayloadType(31), (RtpMap{31, "H261", 90000, std::nullopt}));
  EXPECT_FALSE(staticPayloadType(1).has_value());   // reserved
  EXPECT_FALSE(staticPayloadType(96).has_value());  // dynamic
}

TEST(SdpRtpMap, MediaAccessorsAndStaticFallback) {
  auto s = parseOrDie(kHead +
                      "m=audio 1 RTP/AVP 0 111 18 99\r\n"
                      "a=rtpmap:111 opus/48000/2\r\n"
                      "a=rtpmap:bogus\r\n"
                      "a=fmtp:111 minptime=10; useinbandfec=1\r\n"
                      "a=fmtp:18 annexb=no\r\n");
  const auto& m = s.media.at(0);
  EXPECT_EQ(rtpMaps(m).size(), 1u);  // the malformed one is skipped
  EXPECT_EQ(rtpMap(m, "111")->encodingName, "opus");
  EXPECT_FALSE(rtpMap(m, "0").has_value());
  EXPECT_EQ(codecFor(m, "0")->encodingName, "PCMU");
  EXPECT_EQ(codecFor(m, "18")->encodingName, "G729");
  EXPECT_FALSE(codecFor(m, "99").has_value());  // dynamic without rtpmap
  EXPECT_FALSE(codecFor(m, "x").has_value());
  auto f = fmtp(m, "111");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->parameters, "minptime=10; useinbandfec=1");
  auto list = f->parameterList();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0], (FmtpParameter{"minptime", "10"}));
  EXPECT_EQ(list[1], (FmtpParameter{"useinbandfec", "1"}));
  EXPECT_EQ(fmtp(m, "18")->parameters, "annexb=no");
  EXPECT_FALSE(fmtp(m, "0").has_value());
}

TEST(SdpFmtp, Forms) {
  auto dtmf = parseFmtp("101 0-15");
  ASSERT_TRUE(dtmf.ok());
  EXPECT_EQ(dtmf->format, "101");
  EXPECT_EQ(dtmf->parameters, "0-15");
  ASSERT_EQ(dtmf->parameterList().size(), 1u);
  EXPECT_EQ(dtmf->parameterList()[0], (FmtpParameter{"0-15", std::nullopt}));

  auto st2110 = parseFmtp("112 sampling=YCbCr-4:2:2; width=1280; interlace; depth=10;");
  ASSERT_TRUE(st2110.ok());
  auto p = st2110->parameterList();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[2], (FmtpParameter{"interlace", std::nullopt}));
  EXPECT_EQ(p[3], (FmtpParameter{"depth", "10"}));

  auto sprop = parseFmtp("97 sprop-parameter-sets=Z0IAH5WoFAFuQA==,aM48gA==");
  ASSERT_TRUE(sprop.ok());
  EXPECT_EQ(sprop->parameterList().at(0).value, "Z0IAH5WoFAFuQA==,aM48gA==");

  auto bare = parseFmtp("101");
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->parameters.empty());
  EXPECT_FALSE(parseFmtp("").ok());
  EXPECT_FALSE(parseFmtp(" 0-15").ok());
}

// ---- direction ----------------------------------------------------------------------------

TEST(SdpDirection, MediaOverridesSessionDefaultSendRecv) {
  auto s = parseOrDie(kHead +
                      "a=sendonly\r\n"
                      "m=audio 1 RTP/AVP 0\r\n"
                      "m=audio 2 RTP/AVP 0\r\na=recvonly\r\n"
                      "m=audio 3 RTP/AVP 0\r\na=inactive\r\n"
                      "m=audio 4 RTP/AVP 0\r\na=sendrecv\r\n");
  EXPECT_EQ(direction(s, s.media[0]), Direction::SendOnly);
  EXPECT_EQ(direction(s, s.media[1]), Direction::RecvOnly);
  EXPECT_EQ(direction(s, s.media[2]), Direction::Inactive);
  EXPECT_EQ(direction(s, s.media[3]), Direction::SendRecv);
  auto plain = parseOrDie(kHead + "m=audio 1 RTP/AVP 0\r\n");
  EXPECT_EQ(direction(plain, plain.media[0]), Direction::SendRecv);
}

TEST(SdpDirection, NamesAndSetDirection) {
  EXPECT_EQ(toString(Direction::RecvOnly), "recvonly");
  EXPECT_EQ(directionFromName("SENDONLY"), Direction::SendOnly);
  EXPECT_FALSE(directionFromName("sendrcv").has_value());
  MediaDescription m;
  m.addAttribute("sendonly");
  m.addAttribute("rtcp-mux");
  m.addAttribute("inactive");
  setDirection(m, Direction::RecvOnly);
  ASSERT_EQ(m.attributes.size(), 2u);
  EXPECT_EQ(m.attributes[0].name, "rtcp-mux");
  EXPECT_EQ(directionAttribute(m), Direction::RecvOnly);
}

// ---- ptime, rtcp, rtcp-mux, mid -----------------------------------------------------------

TEST(SdpPtime, IntegerAndFractional) {
  EXPECT_DOUBLE_EQ(parsePtime("20").value(), 20.0);
  EXPECT_DOUBLE_EQ(parsePtime("0.125").value(), 0.125);
  EXPECT_DOUBLE_EQ(parsePtime("2.5").value(), 2.5);
  for (const char* bad : {"", "0", "0.0", "-20", "20ms", ".5", "5.", "1.2.3"}) {
    EXPECT_FALSE(parsePtime(bad).ok()) << bad;
  }
  auto s = parseOrDie(kHead +
                      "m=audio 1 RTP/AVP 0\r\na=ptime:30\r\na=maxptime:60\r\n"
                      "m=audio 2 RTP/AVP 0\r\na=ptime:fast\r\n");
  EXPECT_DOUBLE_EQ(ptime(s.media[0]).value(), 30.0);
  EXPECT_DOUBLE_EQ(maxPtime(s.media[0]).value(), 60.0);
  EXPECT_FALSE(ptime(s.media[1]).has_value());
}

TEST(SdpRtcp, PortAndOptionalAddress) {
  auto port = parseRtcp("53020");
  ASSERT_TRUE(port.ok());
  EXPECT_EQ(port->port, 53020);
  EXPECT_FALSE(port->connection.has_value());
  auto full = parseRtcp("53020 IN IP6 2001:db8::1");
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->connection->addrType, "IP6");
  EXPECT_EQ(full->connection->address, "2001:db8::1");
  auto ext = parseRtcp("1 IN IP7 X");  // an extension address type is not an error
  ASSERT_TRUE(ext.ok());
  EXPECT_EQ(ext->connection->address, "X");
  for (const char* bad : {"", "x", "70000", "1 IN IP4", "1 IN IP4 192.0.2.1 extra"}) {
    EXPECT_FALSE(parseRtcp(bad).ok()) << bad;
  }
}

TEST(SdpRtcp, MuxAndMid) {
  auto s = parseOrDie(kHead +
                      "m=audio 1 RTP/AVP 0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=rtcp-mux\r\n"
                      "a=mid:audio\r\nm=video 2 RTP/AVP 31\r\n");
  EXPECT_EQ(rtcp(s.media[0])->port, 9);
  EXPECT_TRUE(hasRtcpMux(s.media[0]));
  EXPECT_EQ(mid(s.media[0]), "audio");
  EXPECT_FALSE(rtcp(s.media[1]).has_value());
  EXPECT_FALSE(hasRtcpMux(s.media[1]));
  EXPECT_FALSE(mid(s.media[1]).has_value());
}

// ---- ICE -------------------------------------------------------------------------------

TEST(SdpIce, HostCandidate) {
  auto c = parseIceCandidate("1 1 UDP 2130706431 203.0.113.141 8998 typ host");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->foundation, "1");
  EXPECT_EQ(c->component, 1);
  EXPECT_EQ(c->transport, "UDP");
  EXPECT_EQ(c->priority, 2130706431u);
  EXPECT_EQ(c->address, "203.0.113.141");
  EXPECT_EQ(c->port, 8998);
  EXPECT_EQ(c->type, "host");
  EXPECT_FALSE(c->relatedAddress.has_value());
  EXPECT_TRUE(c->extensions.empty());
  EXPECT_EQ(formatIceCandidate(*c), "1 1 UDP 2130706431 203.0.113.141 8998 typ host");
}

TEST(SdpIce, ReflexiveCandidateWithExtensions) {
  const char* text =
      "a0+B/3 2 tcp 1694498815 2001:db8::5 45664 typ srflx raddr 10.0.1.1 rport 8998 "
      "tcptype passive generation 0";
  auto c = parseIceCandidate(text);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->foundation, "a0+B/3");
  EXPECT_EQ(c->component, 2);
  EXPECT_EQ(c->transport, "tcp");
  EXPECT_EQ(c->type, "srflx");
  EXPECT_EQ(c->relatedAddress, "10.0.1.1");
  EXPECT_EQ(c->relatedPort, 8998);
  ASSERT_EQ(c->extensions.size(), 2u);
  EXPECT_EQ(c->extensions[0], (std::pair<std::string, std::string>{"tcptype", "passive"}));
  EXPECT_EQ(formatIceCandidate(*c), text);
  auto back = parseIceCandidate(formatIceCandidate(*c));
  EXPECT_EQ(back.value(), *c);
}

TEST(SdpIce, RejectsMalformedCandidates) {
  for (const char* bad : {
           "",
           "1 1 UDP 2130706431 203.0.113.141 8998 typ",        // no type
           "1 1 UDP 2130706431 203.0.113.141 8998 type host",  // not "typ"
           "1 0 UDP 1 192.0.2.1 1 typ host",                   // component 0
           "1 257 UDP 1 192.0.2.1 1 typ host",                 // component > 256
           "1 1 UDP 4294967296 192.0.2.1 1 typ host",          // priority > 32 bits
           "1 1 UDP 1 192.0.2.1 65536 typ host",               // port
           "1 1 UDP 1 192.0.2.1 1 typ host generation",        // extension without value
           "1 1 UDP 1 192.0.2.1 1 typ srflx raddr 10.0.0.1 rport x",
           "f*o 1 UDP 1 192.0.2.1 1 typ host",                                // not an ice-char
           "123456789012345678901234567890123 1 UDP 1 192.0.2.1 1 typ host",  // > 32
       }) {
    EXPECT_FALSE(parseIceCandidate(bad).ok()) << bad;
  }
}

TEST(SdpIce, CredentialsOptionsLiteAndEndOfCandidates) {
  auto s = parseOrDie(
      kHead +
      "a=ice-lite\r\na=ice-ufrag:sessU\r\na=ice-pwd:sessionpassword0123456789\r\n"
      "a=ice-options:trickle ice2\r\n"
      "m=audio 1 RTP/AVP 0\r\n"
      "a=ice-ufrag:mediaU\r\na=ice-pwd:mediapassword01234567890\r\n"
      "a=candidate:1 1 UDP 2130706431 192.0.2.1 1 typ host\r\n"
      "a=candidate:broken\r\n"
      "a=candidate:2 1 UDP 1694498815 198.51.100.1 2 typ srflx raddr 192.0.2.1 rport 1\r\n"
      "a=end-of-candidates\r\n"
      "m=video 2 RTP/AVP 31\r\na=ice-options:trickle\r\n");
  EXPECT_TRUE(isIceLite(s));
  EXPECT_EQ(iceUfrag(s, s.media[0]), "mediaU");
  EXPECT_EQ(icePwd(s, s.media[0]), "mediapassword01234567890");
  EXPECT_EQ(iceUfrag(s, s.media[1]), "sessU");
  EXPECT_EQ(icePwd(s, s.media[1]), "sessionpassword0123456789");
  EXPECT_EQ(iceOptions(s, s.media[0]), (std::vector<std::string>{"trickle", "ice2"}));
  EXPECT_EQ(iceOptions(s, s.media[1]), std::vector<std::string>{"trickle"});
  auto cands = iceCandidates(s.media[0]);
  ASSERT_EQ(cands.size(), 2u);
  EXPECT_EQ(cands[1].type, "srflx");
  EXPECT_TRUE(hasEndOfCandidates(s, s.media[0]));
  EXPECT_FALSE(hasEndOfCandidates(s, s.media[1]));
  auto full = parseOrDie(kHead + "m=audio 1 RTP/AVP 0\r\n");
  EXPECT_FALSE(isIceLite(full));
  EXPECT_FALSE(iceUfrag(full, full.media[0]).has_value());
  EXPECT_TRUE(iceOptions(full, full.media[0]).empty());
}

// ---- SDES ------------------------------------------------------------------------------

TEST(SdpCrypto, InlineKeyOnly) {
  auto c = parseCrypto("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->tag, 1u);
  EXPECT_EQ(c->suite, "AES_CM_128_HMAC_SHA1_80");
  ASSERT_EQ(c->keyParams.size(), 1u);
  const auto& k = c->keyParams[0];
  EXPECT_EQ(k.method, "inline");
  EXPECT_EQ(k.key, "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR");
  EXPECT_FALSE(k.lifetime.has_value());
  EXPECT_FALSE(k.mki.has_value());
  EXPECT_TRUE(c->sessionParams.empty());
  auto raw = decodeBase64(k.key);
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->size(), 30u);  // 16-byte master key + 14-byte salt
}

TEST(SdpCrypto, LifetimeMkiSeveralKeysAndSessionParams) {
  auto c = parseCrypto(
      "2 AES_CM_128_HMAC_SHA1_32 "
      "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32;"
      "inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk|1048576|2:4 "
      "KDR=1 UNENCRYPTED_SRTCP");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->tag, 2u);
  ASSERT_EQ(c->keyParams.size(), 2u);
  EXPECT_EQ(c->keyParams[0].lifetime, "2^20");
  EXPECT_EQ(c->keyParams[0].mki, 1u);
  EXPECT_EQ(c->keyParams[0].mkiLength, 32u);
  EXPECT_EQ(c->keyParams[1].lifetime, "1048576");
  EXPECT_EQ(c->keyParams[1].mki, 2u);
  EXPECT_EQ(c->keyParams[1].mkiLength, 4u);
  EXPECT_EQ(c->sessionParams, (std::vector<std::string>{"KDR=1", "UNENCRYPTED_SRTCP"}));
}

TEST(SdpCrypto, MkiWithoutLifetimeAndExtensionMethod) {
  auto mki = parseCrypto("3 AES_256_CM_HMAC_SHA1_80 inline:QUJD|7:2");
  ASSERT_TRUE(mki.ok()) << mki.error().message;
  EXPECT_FALSE(mki->keyParams[0].lifetime.has_value());
  EXPECT_EQ(mki->keyParams[0].mki, 7u);
  auto ext = parseCrypto("4 SOME_SUITE x-method:opaque|data");
  ASSERT_TRUE(ext.ok()) << ext.error().message;
  EXPECT_EQ(ext->keyParams[0].method, "x-method");
  EXPECT_EQ(ext->keyParams[0].info, "opaque|data");
  EXPECT_TRUE(ext->keyParams[0].key.empty());
}

TEST(SdpCrypto, RejectsMalformed) {
  for (const char* bad : {
           "",
           "1 AES_CM_128_HMAC_SHA1_80",                         // no key params
           "x AES_CM_128_HMAC_SHA1_80 inline:QUJD",             // tag
           "1234567890 AES_CM_128_HMAC_SHA1_80 inline:QUJD",    // tag > 9 digits
           "1 AES-CM inline:QUJD",                              // suite chars
           "1 AES_CM_128_HMAC_SHA1_80 inline",                  // no ':'
           "1 AES_CM_128_HMAC_SHA1_80 inline:",                 // empty info
           "1 AES_CM_128_HMAC_SHA1_80 inline:QU*D",             // not base64
           "1 AES_CM_128_HMAC_SHA1_80 inline:QUJD===",          // too much padding
           "1 AES_CM_128_HMAC_SHA1_80 inline:QUJD|2^x",         // lifetime
           "1 AES_CM_128_HMAC_SHA1_80 inline:QUJD|1:0",         // MKI length 0
           "1 AES_CM_128_HMAC_SHA1_80 inline:QUJD|1:129",       // MKI length > 128
           "1 AES_CM_128_HMAC_SHA1_80 inline:QUJD|1:4|2^20",    // MKI not last
           "1 AES_CM_128_HMAC_SHA1_80 inline:QUJD|2^20|2^20",   // two lifetimes
           "1 AES_CM_128_HMAC_SHA1_80 inline:QUJD|2^20|1:4|x",  // too many fields
           "1 AES_CM_128_HMAC_SHA1_80 inline:QUJD;",            // empty key-param
       }) {
    EXPECT_FALSE(parseCrypto(bad).ok()) << bad;
  }
}

TEST(SdpCrypto, Base64) {
  EXPECT_EQ(decodeBase64("TWFu"), "Man");
  EXPECT_EQ(decodeBase64("TWE="), "Ma");
  EXPECT_EQ(decodeBase64("TWE"), "Ma");
  EXPECT_EQ(decodeBase64("TQ=="), "M");
  EXPECT_EQ(decodeBase64(""), "");
  EXPECT_FALSE(decodeBase64("T").has_value());
  EXPECT_FALSE(decodeBase64("T*==").has_value());
}

TEST(SdpCrypto, MediaAccessorSkipsInvalid) {
  auto s = parseOrDie(
      kHead +
      "m=audio 1 RTP/SAVP 0\r\n"
      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVph\r\n"
      "a=crypto:bad\r\n"
      "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVph\r\n");
  auto c = cryptos(s.media[0]);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[1].tag, 2u);
}

// ---- DTLS ------------------------------------------------------------------------------

TEST(SdpDtls, FingerprintAndSetup) {
  auto f = parseFingerprint(
      "sha-256 "
      "19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:"
      "88:A2");
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->hashFunction, "sha-256");
  EXPECT_EQ(f->value.size(), 95u);
  EXPECT_TRUE(parseFingerprint("sha-1 42:89:c5:c6").ok());  // lower case seen in the wild
  for (const char* bad : {"", "sha-256", "sha-256 AB:CD:E", "sha-256 AB::CD", "sha-256 XY:00",
                          "sha-256 AB:CD extra"}) {
    EXPECT_FALSE(parseFingerprint(bad).ok()) << bad;
  }
  EXPECT_EQ(parseSetup("actpass").value(), Setup::ActPass);
  EXPECT_EQ(parseSetup("active").value(), Setup::Active);
  EXPECT_EQ(parseSetup("passive").value(), Setup::Passive);
  EXPECT_EQ(parseSetup("holdconn").value(), Setup::HoldConn);
  EXPECT_FALSE(parseSetup("both").ok());
  EXPECT_EQ(toString(Setup::ActPass), "actpass");
}

TEST(SdpDtls, MediaLevelOverridesSessionLevel) {
  auto s =
      parseOrDie(kHead +
                 "a=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\n"
                 "m=audio 1 UDP/TLS/RTP/SAVPF 0\r\n"
                 "a=fingerprint:sha-1 CC:DD\r\na=fingerprint:sha-256 EE:FF\r\na=setup:active\r\n"
                 "m=video 2 UDP/TLS/RTP/SAVPF 96\r\n");
  auto media = fingerprints(s, s.media[0]);
  ASSERT_EQ(media.size(), 2u);
  EXPECT_EQ(media[0], (Fingerprint{"sha-1", "CC:DD"}));
  EXPECT_EQ(setup(s, s.media[0]), Setup::Active);
  auto session = fingerprints(s, s.media[1]);
  ASSERT_EQ(session.size(), 1u);
  EXPECT_EQ(session[0].value, "AA:BB");
  EXPECT_EQ(setup(s, s.media[1]), Setup::ActPass);
}

}  // namespace
}  // namespace parley::sdp
