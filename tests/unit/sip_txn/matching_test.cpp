// The pure helpers behind transaction matching and the requests transactions build.

#include "common/sip/txn/matching.hpp"

#include <gtest/gtest.h>

#include "txn_test_util.hpp"

namespace parley::sip::testing {
namespace {

Via via(std::string_view text) {
  auto v = parseVia(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : Via{};
}

TEST(Matching, MagicCookie) {
  EXPECT_TRUE(hasMagicCookie("z9hG4bK776asdhds"));
  EXPECT_TRUE(hasMagicCookie("Z9HG4BK776asdhds"));  // parameter values are case-insensitive
  EXPECT_FALSE(hasMagicCookie("z9hG4bK"));          // nothing after the cookie
  EXPECT_FALSE(hasMagicCookie("776asdhds"));
  EXPECT_FALSE(hasMagicCookie(""));
}

TEST(Matching, ServerKeys) {
  Via a = via("SIP/2.0/UDP PC33.example.com:5060;branch=z9hG4bKnashds8");
  // ACK is keyed as its INVITE; CANCEL is not.
  EXPECT_EQ(serverKey(a, "ACK"), serverKey(a, "INVITE"));
  EXPECT_NE(serverKey(a, "CANCEL"), serverKey(a, "INVITE"));
  // Host case does not matter; the port does, as written.
  EXPECT_EQ(serverKey(a, "INVITE"),
            serverKey(via("SIP/2.0/UDP pc33.EXAMPLE.com:5060;branch=z9hG4bKnashds8"), "INVITE"));
  EXPECT_NE(serverKey(a, "INVITE"),
            serverKey(via("SIP/2.0/UDP pc33.example.com;branch=z9hG4bKnashds8"), "INVITE"));
  // The transport is not part of the key (§17.2.3 names branch, sent-by and method).
  EXPECT_EQ(serverKey(a, "INVITE"),
            serverKey(via("SIP/2.0/TCP pc33.example.com:5060;branch=z9hG4bKnashds8"), "INVITE"));
  EXPECT_EQ(clientKey("z9hG4bKa", "INVITE"), clientKey("z9hG4bKA", "INVITE"));
  EXPECT_NE(clientKey("z9hG4bKa", "INVITE"), clientKey("z9hG4bKa", "CANCEL"));
}

TEST(Matching, ViaEquivalence) {
  Via a = via("SIP/2.0/UDP host.example.com:5060;received=192.0.2.1;ttl=16");
  EXPECT_TRUE(viaEquivalent(a, via("SIP/2.0/udp HOST.example.com:5060;ttl=16;received=192.0.2.1")));
  EXPECT_FALSE(viaEquivalent(a, via("SIP/2.0/UDP host.example.com:5060;received=192.0.2.1")));
  EXPECT_FALSE(viaEquivalent(a, via("SIP/2.0/UDP host.example.com;received=192.0.2.1;ttl=16")));
  EXPECT_FALSE(viaEquivalent(a, via("SIP/2.0/TCP host.example.com:5060;received=192.0.2.1;ttl=16")));
  EXPECT_FALSE(viaEquivalent(a, via("SIP/2.0/UDP host.example.com:5060;received=192.0.2.2;ttl=16")));
}

TEST(Matching, ResponseDestination) {
  const Peer src{Transport::Udp, "192.0.2.1", 41000, 0};
  EXPECT_EQ(responseDestination(src, via("SIP/2.0/UDP host.example.com:5070;branch=z9hG4bKx")),
            (Peer{Transport::Udp, "192.0.2.1", 5070, 0}));
  EXPECT_EQ(responseDestination(src, via("SIP/2.0/UDP host.example.com;branch=z9hG4bKx")),
            (Peer{Transport::Udp, "192.0.2.1", 5060, 0}));
  EXPECT_EQ(responseDestination(src, via("SIP/2.0/UDP host.example.com:5070;rport;branch=z9hG4bKx")),
            src);
  const Peer stream{Transport::Tls, "192.0.2.1", 41000, 12};
  EXPECT_EQ(responseDestination(stream, via("SIP/2.0/TLS host.example.com;branch=z9hG4bKx")),
            stream);
}

constexpr std::string_view kInvite =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\n"
    "Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9\n"
    "Max-Forwards: 70\n"
    "Route: <sip:ss1.atlanta.example.com;lr>\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\n"
    "To: Bob <sip:bob@biloxi.example.com>\n"
    "Call-ID: 3848276298220188511@atlanta.example.com\n"
    "CSeq: 2 INVITE\n"
    "Contact: <sip:alice@client.atlanta.example.com;transport=tcp>\n"
    "Proxy-Authorization: Digest username=\"alice\", realm=\"atlanta.example.com\", "
    "nonce=\"x\", uri=\"sip:bob@biloxi.example.com\", response=\"0123\"\n"
    "Content-Type: application/sdp\n"
    "Content-Length: 4\n"
    "\n"
    "v=0\n";

TEST(Matching, AckForNon2xx) {
  Message invite = msg(kInvite);
  Message busy = makeResponse(invite, 486, {}, "8321234356");
  auto ack = makeNon2xxAck(invite, busy);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->methodText(), "ACK");
  EXPECT_EQ(ack->requestUri().toString(), "sip:bob@biloxi.example.com");
  EXPECT_EQ(ack->headerValues(HeaderId::Via),
            (std::vector<std::string_view>{
                "SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9"}));
  EXPECT_EQ(ack->header(HeaderId::From), "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl");
  EXPECT_EQ(ack->to()->tag(), "8321234356");
  EXPECT_EQ(ack->callId(), "3848276298220188511@atlanta.example.com");
  EXPECT_EQ(ack->header(HeaderId::CSeq), "2 ACK");
  EXPECT_EQ(ack->headerValues(HeaderId::Route),
            (std::vector<std::string_view>{"<sip:ss1.atlanta.example.com;lr>"}));
  EXPECT_EQ(ack->maxForwards(), 70);
  EXPECT_TRUE(ack->body.empty());
  EXPECT_EQ(ack->headerCount(HeaderId::ContentType), 0u);
  EXPECT_EQ(ack->headerCount(HeaderId::Contact), 0u);
  // And it survives the wire.
  Message wire = parseWire(ack->serialize());
  EXPECT_EQ(wire.cseq()->method, "ACK");
}

TEST(Matching, CancelOfInvite) {
  Message invite = msg(kInvite);
  auto cancel = makeCancel(invite);
  ASSERT_TRUE(cancel.ok());
  EXPECT_EQ(cancel->methodText(), "CANCEL");
  EXPECT_EQ(cancel->requestUri().toString(), "sip:bob@biloxi.example.com");
  EXPECT_EQ(cancel->headerCount(HeaderId::Via), 1u);
  EXPECT_EQ(cancel->topVia()->branch(), "z9hG4bK74bf9");
  EXPECT_EQ(cancel->header(HeaderId::To), "Bob <sip:bob@biloxi.example.com>");
  EXPECT_EQ(cancel->header(HeaderId::CSeq), "2 CANCEL");
  EXPECT_EQ(cancel->headerCount(HeaderId::Route), 1u);
  EXPECT_EQ(cancel->header("Reason"), std::nullopt);
  EXPECT_EQ(makeCancel(invite, "SIP;cause=200")->header("Reason"), "SIP;cause=200");
  // Several Via values in one header line: only the top one is kept.
  Message folded = invite;
  folded.setHeader(HeaderId::Via,
                   "SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9, "
                   "SIP/2.0/UDP other.example.com;branch=z9hG4bKzz");
  auto c2 = makeCancel(folded);
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(c2->vias()->size(), 1u);
  EXPECT_EQ(c2->topVia()->branch(), "z9hG4bK74bf9");

  Message broken = invite;
  broken.removeHeaders(HeaderId::From);
  EXPECT_FALSE(makeCancel(broken).ok());
  EXPECT_FALSE(makeNon2xxAck(broken, makeResponse(invite, 404, {}, "x")).ok());
}

}  // namespace
}  // namespace parley::sip::testing
