// Parser and serializer of src/common/sdp/sdp.hpp: every line type, the tolerated
// deviations, every rejection, and round trips.
#include <gtest/gtest.h>

#include <string>

#include "common/sdp/sdp.hpp"

namespace parley::sdp {
namespace {

// Every session- and media-level line type once, CRLF, in RFC 8866 section 5 order, so
// serialize() must give it back byte for byte.
constexpr const char* kFull =
    "v=0\r\n"
    "o=carol 3724394400 3724394405 IN IP4 198.51.100.1\r\n"
    "s=Weekly planning\r\n"
    "i=Bridge for the planning call\r\n"
    "u=https://conf.example.net/planning\r\n"
    "e=Carol Ortiz <carol@example.net>\r\n"
    "e=ops@example.net\r\n"
    "p=+1 555 0100\r\n"
    "c=IN IP4 233.252.0.9/127/3\r\n"
    "b=CT:256\r\n"
    "t=3724394400 3724398000\r\n"
    "r=7d 1h 0 25h\r\n"
    "t=3725000000 0\r\n"
    "z=3730000000 -1h 3740000000 0\r\n"
    "k=prompt\r\n"
    "a=recvonly\r\n"
    "a=x-parley-note: keep  this verbatim \r\n"
    "a=x-empty:\r\n"
    "m=audio 40000 RTP/AVP 0 8 101\r\n"
    "i=voice\r\n"
    "c=IN IP4 198.51.100.7\r\n"
    "c=IN IP4 198.51.100.8\r\n"
    "b=AS:64\r\n"
    "b=TIAS:64000\r\n"
    "k=clear:notsecret\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=sendrecv\r\n"
    "m=video 40002/2 RTP/AVP 31\r\n"
    "c=IN IP6 ff15::abcd/2\r\n"
    "m=application 40010 udp wb\r\n"
    "a=orient:portrait\r\n";

std::string lf(std::string s) {
  std::string out;
  for (char c : s) {
    if (c != '\r') out.push_back(c);
  }
  return out;
}

std::string errorOf(std::string_view text) {
  auto r = parseSdp(text);
  EXPECT_FALSE(r.ok()) << "parsed unexpectedly:\n" << text;
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, kSdpSyntaxError);
  return r.error().message;
}

constexpr const char* kHead = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n";

TEST(SdpParse, EveryLineTypeIntoTheModel) {
  auto r = parseSdp(kFull);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const SessionDescription& s = *r;
  EXPECT_EQ(s.origin, (Origin{"carol", "3724394400", "3724394405", "IN", "IP4", "198.51.100.1"}));
  EXPECT_EQ(s.sessionName, "Weekly planning");
  EXPECT_EQ(s.information, "Bridge for the planning call");
  EXPECT_EQ(s.uri, "https://conf.example.net/planning");
  ASSERT_EQ(s.emails.size(), 2u);
  EXPECT_EQ(s.emails[0], "Carol Ortiz <carol@example.net>");
  EXPECT_EQ(s.phones, std::vector<std::string>{"+1 555 0100"});
  ASSERT_TRUE(s.connection.has_value());
  EXPECT_EQ(s.connection->address, "233.252.0.9");
  EXPECT_EQ(s.connection->ttl, 127u);
  EXPECT_EQ(s.connection->numAddresses, 3u);
  ASSERT_EQ(s.bandwidths.size(), 1u);
  EXPECT_EQ(s.bandwidths[0], (Bandwidth{"CT", 256}));
  ASSERT_EQ(s.timings.size(), 2u);
  EXPECT_EQ(s.timings[0].start, 3724394400u);
  EXPECT_EQ(s.timings[0].stop, 3724398000u);
  ASSERT_EQ(s.timings[0].repeats.size(), 1u);
  EXPECT_EQ(s.timings[0].repeats[0], (RepeatTime{"7d", "1h", {"0", "25h"}}));
  EXPECT_TRUE(s.timings[1].repeats.empty());
  ASSERT_EQ(s.timeZones.size(), 2u);
  EXPECT_EQ(s.timeZones[0], (TimeZoneAdjustment{"3730000000", "-1h"}));
  EXPECT_EQ(s.timeZones[1], (TimeZoneAdjustment{"3740000000", "0"}));
  EXPECT_EQ(s.key, "prompt");
  ASSERT_EQ(s.attributes.size(), 3u);
  EXPECT_EQ(s.attributes[0], (Attribute{"recvonly", std::nullopt}));
  EXPECT_EQ(s.attributes[1], (Attribute{"x-parley-note", " keep  this verbatim "}));
  EXPECT_EQ(s.attributes[2], (Attribute{"x-empty", ""}));

  ASSERT_EQ(s.media.size(), 3u);
  const MediaDescription& a = s.media[0];
  EXPECT_EQ(a.media, "audio");
  EXPECT_EQ(a.port, 40000);
  EXPECT_FALSE(a.numPorts.has_value());
  EXPECT_EQ(a.proto, "RTP/AVP");
  EXPECT_EQ(a.formats, (std::vector<std::string>{"0", "8", "101"}));
  EXPECT_EQ(a.information, "voice");
  ASSERT_EQ(a.connections.size(), 2u);
  EXPECT_EQ(a.connections[1].address, "198.51.100.8");
  ASSERT_EQ(a.bandwidths.size(), 2u);
  EXPECT_EQ(a.bandwidths[1], (Bandwidth{"TIAS", 64000}));
  EXPECT_EQ(a.key, "clear:notsecret");
  ASSERT_EQ(a.attributes.size(), 3u);
  EXPECT_EQ(a.attributes[1], (Attribute{"fmtp", "101 0-15"}));

  const MediaDescription& v = s.media[1];
  EXPECT_EQ(v.port, 40002);
  EXPECT_EQ(v.numPorts, 2u);
  ASSERT_EQ(v.connections.size(), 1u);
  EXPECT_EQ(v.connections[0].addrType, "IP6");
  EXPECT_EQ(v.connections[0].address, "ff15::abcd");
  EXPECT_FALSE(v.connections[0].ttl.has_value());
  EXPECT_EQ(v.connections[0].numAddresses, 2u);
  EXPECT_EQ(s.media[2].formats, std::vector<std::string>{"wb"});
}

TEST(SdpParse, SerializeGivesCanonicalInputBackExactly) {
  auto r = parseSdp(kFull);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(serialize(*r), kFull);
}

TEST(SdpParse, LfOnlyAndMixedLineEndsAreAccepted) {
  auto crlf = parseSdp(kFull);
  auto bare = parseSdp(lf(kFull));
  ASSERT_TRUE(crlf.ok());
  ASSERT_TRUE(bare.ok()) << bare.error().message;
  EXPECT_EQ(*crlf, *bare);
  EXPECT_EQ(serialize(*bare), kFull);  // the serializer always writes CRLF

  std::string mixed = "v=0\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\nt=0 0\r\nm=audio 1 RTP/AVP 0\n";
  auto m = parseSdp(mixed);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->media.size(), 1u);
}

TEST(SdpParse, LastLineWithoutEndOfLineAndTrailingBlankLines) {
  auto a = parseSdp("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\na=tool:x");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->attributes.at(0), (Attribute{"tool", "x"}));
  auto b = parseSdp(std::string(kHead) + "\r\n\r\n\n");
  ASSERT_TRUE(b.ok()) << b.error().message;
}

TEST(SdpParse, ToleratedDeviations) {
  // c= before s= (AES67/ST 2110 senders), empty and blank s=, no t=, runs of spaces.
  auto r = parseSdp(
      "v=0\n"
      "o=-  42   7 IN IP4 192.0.2.1\n"
      "c=IN  IP4 233.252.0.1/64\n"
      "s=\n"
      "m=audio  5004 RTP/AVP  96\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->origin.sessionId, "42");
  EXPECT_EQ(r->sessionName, "");
  EXPECT_TRUE(r->timings.empty());
  EXPECT_EQ(r->connection->ttl, 64u);
  EXPECT_EQ(r->media.at(0).formats, std::vector<std::string>{"96"});
  // Without t= the serializer writes none, so the round trip is exact in structure.
  std::string out = serialize(*r);
  EXPECT_EQ(out.find("t="), std::string::npos);
  EXPECT_EQ(parseSdp(out).value(), *r);

  auto blank = parseSdp("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns= \r\nt=0 0\r\n");
  ASSERT_TRUE(blank.ok());
  EXPECT_EQ(blank->sessionName, " ");

  // A rejected stream without formats.
  auto rej = parseSdp(std::string(kHead) + "m=video 0 RTP/AVP\r\n");
  ASSERT_TRUE(rej.ok()) << rej.error().message;
  EXPECT_TRUE(rej->media.at(0).formats.empty());
  EXPECT_EQ(parseSdp(serialize(*rej)).value(), *rej);
}

TEST(SdpParse, ExtensionAddressTypesAreKeptVerbatim) {
  auto r = parseSdp(std::string(kHead) + "m=audio 1 RTP/AVP 0\r\nc=IN IP7 a/b/c\r\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Connection& c = r->media.at(0).connections.at(0);
  EXPECT_EQ(c.addrType, "IP7");
  EXPECT_EQ(c.address, "a/b/c");
  EXPECT_FALSE(c.ttl.has_value());
}

TEST(SdpParse, AttributeValuesAreNotValidatedByTheParser) {
  auto r = parseSdp(std::string(kHead) +
                    "m=audio 1 RTP/AVP 0\r\na=rtpmap:nonsense\r\na=rtcp:1 IN IP7 X\r\n"
                    "a=candidate:\r\na=goo:hithere\r\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->media.at(0).attributes.size(), 4u);
  EXPECT_EQ(parseSdp(serialize(*r)).value(), *r);
}

struct Rejection {
  const char* name;
  std::string text;
  const char* expected;  // a substring of the message, starting with the line number
};
// Keeps ctest's test names short: gtest would otherwise print the struct's bytes.
void PrintTo(const Rejection& r, std::ostream* os) { *os << r.name; }


class SdpReject : public ::testing::TestWithParam<Rejection> {};

TEST_P(SdpReject, NamesLineAndFault) {
  std::string msg = errorOf(GetParam().text);
  EXPECT_NE(msg.find(GetParam().expected), std::string::npos)
      << "message: " << msg << "\nexpected to contain: " << GetParam().expected;
}

const std::string kH = kHead;
const std::string kM = kH + "m=audio 1 RTP/AVP 0\r\n";

INSTANTIATE_TEST_SUITE_P(
    Faults, SdpReject,
    ::testing::Values(
        Rejection{"Empty", "", "line 1: empty description"},
        Rejection{"OnlyBlankLines", "\r\n\r\n", "line 1:"},
        Rejection{"NotStartingWithV", "o=- 1 1 IN IP4 192.0.2.1\r\nv=0\r\n",
                  "line 1: a session description must start with v=0"},
        Rejection{"MediaFragment", "m=audio 9 RTP/AVP 0\na=sendrecv\n",
                  "line 1: a session description must start with v=0"},
        Rejection{"VersionOne", "v=1\r\n", "line 1: unsupported protocol version v=1"},
        Rejection{"SecondV", kH + "v=0\r\n", "line 5: v= may appear only once"},
        Rejection{"UnknownType", kM + "a=x\r\nf=invalid:yes\r\n",
                  "line 7: unknown type letter 'f='"},
        Rejection{"UpperCaseType", kH + "A=sendrecv\r\n", "line 5: expected <type>=<value>"},
        Rejection{"SpaceBeforeEquals", kH + "a =sendrecv\r\n", "line 5: expected <type>=<value>"},
        Rejection{"NoEquals", kH + "garbage\r\n", "line 5: expected <type>=<value>"},
        Rejection{"BlankLineInside", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n\r\ns=-\r\n",
                  "line 3: empty line inside the description"},
        Rejection{"Nul", kH + std::string("a=x\0y\r\n", 7), "line 5: NUL byte"},
        Rejection{"BareCr", kH + "a=x\ry\r\n", "line 5: bare CR"},
        Rejection{"MissingOrigin", "v=0\r\ns=-\r\nt=0 0\r\n",
                  "line 4: description ends without the required o="},
        Rejection{"MissingName", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nt=0 0\r\n",
                  "line 4: description ends without the required s="},
        Rejection{"SecondOrigin", kH + "o=- 1 1 IN IP4 192.0.2.1\r\n", "line 5: second o= line"},
        Rejection{"SecondName", kH + "s=again\r\n", "line 5: second s= line"},
        Rejection{"SecondSessionC", kH + "c=IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.2\r\n",
                  "line 6: second c= line"},
        Rejection{"SecondMediaInfo", kM + "i=a\r\ni=b\r\n", "line 7: second i= line"},
        Rejection{"OriginFieldCount", "v=0\r\no=- 1 1 IN IP4\r\n", "line 2: o= needs"},
        Rejection{"OriginSessionIdLetters", "v=0\r\no=- abc 1 IN IP4 192.0.2.1\r\n",
                  "line 2: o= sess-id must be decimal digits"},
        Rejection{"ConnectionFields", kH + "c=IN IP4\r\n", "line 5: c= needs"},
        Rejection{"ConnectionTtl", kH + "c=IN IP4 233.252.0.1/256\r\n", "line 5: c= TTL"},
        Rejection{"ConnectionSlashes", kH + "c=IN IP6 ff15::1/2/3\r\n", "line 5: c= address"},
        Rejection{"ConnectionSuffix", kH + "c=IN IP4 233.252.0.1/x\r\n", "line 5: c= suffix"},
        Rejection{"ConnectionEmpty", kH + "c=IN IP4 /3\r\n",
                  "line 5: c= connection address is empty"},
        Rejection{"BandwidthNoColon", kH + "b=AS64\r\n", "line 5: b= needs"},
        Rejection{"BandwidthNumber", kM + "b=AS:lots\r\n", "line 6: b= bandwidth must be"},
        Rejection{"TimingFields", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0\r\n",
                  "line 4: t= needs"},
        Rejection{"TimingNumber", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=now 0\r\n",
                  "line 4: t= times"},
        Rejection{"RepeatFirst", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nr=7d 1h 0\r\n",
                  "line 4: r= must follow a t= line"},
        Rejection{"RepeatTypedTime", kH + "r=7w 1h 0\r\n", "line 5: r= field '7w'"},
        Rejection{"RepeatShort", kH + "r=7d 1h\r\n", "line 5: r= needs"},
        Rejection{"ZoneOdd", kH + "z=3730000000\r\n", "line 5: z= needs pairs"},
        Rejection{"ZoneOffset", kH + "z=3730000000 -x\r\n", "line 5: z= pair"},
        Rejection{"SessionLineInMedia", kM + "t=0 0\r\n",
                  "line 6: t= is a session-level line and may not follow the m= on line 5"},
        Rejection{"OriginInMedia", kM + "a=x\r\no=- 1 1 IN IP4 192.0.2.1\r\n",
                  "line 7: o= is a session-level line"},
        Rejection{"MediaFields", kH + "m=audio 1\r\n", "line 5: m= needs"},
        Rejection{"MediaPort", kH + "m=audio 70000 RTP/AVP 0\r\n", "line 5: m= port '70000'"},
        Rejection{"MediaPortCount", kH + "m=audio 1/x RTP/AVP 0\r\n", "line 5: m= number of ports"},
        Rejection{"MediaNoFormat", kH + "m=audio 1 RTP/AVP\r\n",
                  "line 5: m= lists no media format"},
        Rejection{"MediaType", kH + "m=au(dio 1 RTP/AVP 0\r\n", "line 5: m= media type"},
        Rejection{"MediaProto", kH + "m=audio 1 RTP//AVP 0\r\n", "line 5: m= transport protocol"},
        Rejection{"MediaFormat", kH + "m=audio 1 RTP/AVP 0 (8)\r\n", "line 5: m= format '(8)'"},
        Rejection{"OriginNetType", "v=0\r\no=- 1 1 I@N IP4 192.0.2.1\r\n", "line 2: o= nettype"},
        Rejection{"ConnectionAddrType", kH + "c=IN IP<4> 192.0.2.1\r\n", "line 5: c= nettype"},
        Rejection{"AttributeName", kM + "a=foo bar\r\n", "line 6: attribute name 'foo bar'"},
        Rejection{"AttributeEmpty", kM + "a=\r\n", "line 6: attribute name ''"},
        Rejection{"AttributeEmptyName", kM + "a=:x\r\n", "line 6: attribute name ''"}),
    [](const ::testing::TestParamInfo<Rejection>& p) { return std::string(p.param.name); });

TEST(SdpParse, ErrorMessagesDoNotEchoControlBytes) {
  std::string msg = errorOf(kH + "a=\x01\x02\x7f\r\n");
  EXPECT_EQ(msg.find('\x01'), std::string::npos);
  EXPECT_NE(msg.find("'?"
                     "?"
                     "?'"),
            std::string::npos)
      << msg;
}

TEST(SdpParse, RoundTripKeepsUnknownAttributesInOrder) {
  std::string text = std::string(kHead) +
                     "a=zzz\r\na=group:BUNDLE 0 1\r\na=aaa:1\r\n"
                     "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                     "a=x-b:2\r\na=mid:0\r\na=x-a\r\na=msid-semantic: WMS \r\n";
  auto r = parseSdp(text);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(serialize(*r), text);
  EXPECT_EQ(r->media[0].attributes[3], (Attribute{"msid-semantic", " WMS "}));
}

TEST(SdpParse, SerializeOfBuiltModel) {
  SessionDescription s;
  s.origin = Origin{"-", "5", "6", "IN", "IP6", "2001:db8::1"};
  s.sessionName = "-";
  s.connection = Connection{"IN", "IP6", "2001:db8::1", std::nullopt, std::nullopt};
  s.timings.push_back(Timing{});
  MediaDescription m;
  m.media = "audio";
  m.port = 4000;
  m.proto = "RTP/AVP";
  m.formats = {"0"};
  m.addAttribute("rtpmap", "0 PCMU/8000");
  m.addAttribute("rtcp-mux");
  s.media.push_back(m);
  EXPECT_EQ(serialize(s),
            "v=0\r\no=- 5 6 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::1\r\nt=0 0\r\n"
            "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=rtcp-mux\r\n");
  EXPECT_EQ(parseSdp(serialize(s)).value(), s);
}

TEST(SdpModel, AttributeListHelpers) {
  MediaDescription m;
  m.addAttribute("rtpmap", "0 PCMU/8000");
  m.addAttribute("Sendonly");
  m.addAttribute("rtpmap", "8 PCMA/8000");
  EXPECT_TRUE(m.hasAttribute("sendonly"));  // names match case-insensitively
  ASSERT_NE(m.findAttribute("rtpmap"), nullptr);
  EXPECT_EQ(m.findAttribute("rtpmap")->value, "0 PCMU/8000");
  EXPECT_EQ(m.findAttributes("RTPMAP").size(), 2u);
  EXPECT_EQ(m.findAttribute("fmtp"), nullptr);
  EXPECT_EQ(m.removeAttributes("rtpmap"), 2u);
  EXPECT_EQ(m.attributes.size(), 1u);
}

TEST(SdpModel, ConnectionForPrefersTheMediaLevel) {
  auto r = parseSdp(
      std::string("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n") +
      "m=audio 1 RTP/AVP 0\r\nc=IN IP4 192.0.2.9\r\nm=audio 2 RTP/AVP 0\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(connectionFor(*r, r->media[0])->address, "192.0.2.9");
  EXPECT_EQ(connectionFor(*r, r->media[1])->address, "192.0.2.1");
  auto none = parseSdp(std::string(kHead) + "m=audio 1 RTP/AVP 0\r\n");
  EXPECT_FALSE(connectionFor(*none, none->media[0]).has_value());
}

TEST(SdpModel, ParseConnectionForms) {
  auto ip4 = parseConnection("IN IP4 192.0.2.1");
  ASSERT_TRUE(ip4.ok());
  EXPECT_FALSE(ip4->ttl.has_value());
  auto mc = parseConnection("IN IP4 233.252.0.1/32");
  ASSERT_TRUE(mc.ok());
  EXPECT_EQ(mc->ttl, 32u);
  EXPECT_FALSE(mc->numAddresses.has_value());
  EXPECT_EQ(formatConnection(*mc), "IN IP4 233.252.0.1/32");
  auto mc3 = parseConnection("IN IP4 233.252.0.1/32/3");
  ASSERT_TRUE(mc3.ok());
  EXPECT_EQ(formatConnection(*mc3), "IN IP4 233.252.0.1/32/3");
  auto ip6 = parseConnection("IN IP6 ff15::101/3");
  ASSERT_TRUE(ip6.ok());
  EXPECT_EQ(ip6->numAddresses, 3u);
  EXPECT_EQ(formatConnection(*ip6), "IN IP6 ff15::101/3");
  // An FQDN is a valid unicast address (RFC 8866 section 9 grammar).
  auto fqdn = parseConnection("IN IP4 host.atlanta.example.com");
  ASSERT_TRUE(fqdn.ok());
  EXPECT_EQ(fqdn->address, "host.atlanta.example.com");
}

TEST(SdpModel, AddressLiterals) {
  EXPECT_TRUE(isIpv4Address("192.0.2.1"));
  EXPECT_TRUE(isIpv4Address("0.0.0.0"));
  EXPECT_TRUE(isIpv4Address("255.255.255.255"));
  EXPECT_FALSE(isIpv4Address("256.0.0.1"));
  EXPECT_FALSE(isIpv4Address("1.2.3"));
  EXPECT_FALSE(isIpv4Address("1.2.3.4.5"));
  EXPECT_FALSE(isIpv4Address("01.2.3.4"));
  EXPECT_FALSE(isIpv4Address("a.b.c.d"));
  EXPECT_FALSE(isIpv4Address(""));

  EXPECT_TRUE(isIpv6Address("::"));
  EXPECT_TRUE(isIpv6Address("::1"));
  EXPECT_TRUE(isIpv6Address("2001:db8::1"));
  EXPECT_TRUE(isIpv6Address("fe80::217:f2ff:fe0f:e0f6"));
  EXPECT_TRUE(isIpv6Address("1:2:3:4:5:6:7:8"));
  EXPECT_TRUE(isIpv6Address("::ffff:192.0.2.1"));
  EXPECT_TRUE(isIpv6Address("1:2:3:4:5:6:192.0.2.1"));
  EXPECT_TRUE(isIpv6Address("1::"));
  EXPECT_FALSE(isIpv6Address("1:2:3:4:5:6:7"));
  EXPECT_FALSE(isIpv6Address("1:2:3:4:5:6:7:8:9"));
  EXPECT_FALSE(isIpv6Address("1::2::3"));
  EXPECT_FALSE(isIpv6Address(":1"));
  EXPECT_FALSE(isIpv6Address("1::2:"));
  EXPECT_FALSE(isIpv6Address("12345::"));
  EXPECT_FALSE(isIpv6Address("a:192.0.2.1"));
  EXPECT_FALSE(isIpv6Address("192.0.2.1"));
  EXPECT_FALSE(isIpv6Address("g::1"));
  EXPECT_FALSE(isIpv6Address("host.example.com"));
}

TEST(SdpModel, TypedTimes) {
  EXPECT_EQ(parseTypedTime("3600"), 3600u);
  EXPECT_EQ(parseTypedTime("7d"), 604800u);
  EXPECT_EQ(parseTypedTime("25h"), 90000u);
  EXPECT_EQ(parseTypedTime("2m"), 120u);
  EXPECT_EQ(parseTypedTime("9s"), 9u);
  EXPECT_FALSE(parseTypedTime("").has_value());
  EXPECT_FALSE(parseTypedTime("d").has_value());
  EXPECT_FALSE(parseTypedTime("1w").has_value());
  EXPECT_FALSE(parseTypedTime("-1h").has_value());
  EXPECT_FALSE(parseTypedTime("99999999999999999999d").has_value());
}

}  // namespace
}  // namespace parley::sdp
