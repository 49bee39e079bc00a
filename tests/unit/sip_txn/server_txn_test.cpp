// Server transactions (RFC 3261 §17.2, RFC 6026) and server-side matching
// (§17.2.3, §9.2), driven only through onMessage / onTimer / poll with fake time.

#include <gtest/gtest.h>

#include <string>

#include "common/sip/txn/matching.hpp"
#include "common/sip/txn/transaction_layer.hpp"
#include "txn_test_util.hpp"

namespace parley::sip::testing {
namespace {

constexpr std::string_view kInvite =
    "INVITE sip:bob@example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKs1\n"
    "Max-Forwards: 70\n"
    "From: <sip:alice@example.com>;tag=a1\n"
    "To: <sip:bob@example.com>\n"
    "Call-ID: srv-1@example.com\n"
    "CSeq: 1 INVITE\n"
    "Contact: <sip:alice@192.0.2.10:5070>\n"
    "Timestamp: 54\n"
    "Content-Length: 0\n"
    "\n";

constexpr std::string_view kAck486 =
    "ACK sip:bob@example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKs1\n"
    "Max-Forwards: 70\n"
    "From: <sip:alice@example.com>;tag=a1\n"
    "To: <sip:bob@example.com>;tag=b1\n"
    "Call-ID: srv-1@example.com\n"
    "CSeq: 1 ACK\n"
    "Content-Length: 0\n"
    "\n";

// The ACK for a 2xx: same dialog, a new branch (§13.2.2.4).
constexpr std::string_view kAck200 =
    "ACK sip:alice@192.0.2.10:5070 SIP/2.0\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKack2\n"
    "Max-Forwards: 70\n"
    "From: <sip:alice@example.com>;tag=a1\n"
    "To: <sip:bob@example.com>;tag=b1\n"
    "Call-ID: srv-1@example.com\n"
    "CSeq: 1 ACK\n"
    "Content-Length: 0\n"
    "\n";

constexpr std::string_view kCancel =
    "CANCEL sip:bob@example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKs1\n"
    "Max-Forwards: 70\n"
    "From: <sip:alice@example.com>;tag=a1\n"
    "To: <sip:bob@example.com>\n"
    "Call-ID: srv-1@example.com\n"
    "CSeq: 1 CANCEL\n"
    "Content-Length: 0\n"
    "\n";

constexpr std::string_view kMessage =
    "MESSAGE sip:bob@example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKm1;rport\n"
    "Max-Forwards: 70\n"
    "From: <sip:alice@example.com>;tag=a1\n"
    "To: <sip:bob@example.com>\n"
    "Call-ID: msg-1@example.com\n"
    "CSeq: 3 MESSAGE\n"
    "Content-Type: text/plain\n"
    "Content-Length: 2\n"
    "\n"
    "hi";

// RFC 2543 client: no branch at all.
constexpr std::string_view kInvite2543 =
    "INVITE sip:bob@example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP 192.0.2.30:5060\n"
    "From: <sip:carol@example.com>;tag=c1\n"
    "To: <sip:bob@example.com>\n"
    "Call-ID: old-1@192.0.2.30\n"
    "CSeq: 5 INVITE\n"
    "Contact: <sip:carol@192.0.2.30>\n"
    "Content-Length: 0\n"
    "\n";

const Peer kUp = udp("192.0.2.10", 5070);

Message respond(std::string_view request, int code, std::string_view tag = "b1") {
  return makeResponse(msg(request), code, {}, code > 100 ? tag : std::string_view{});
}

ServerTransactionId received(const std::vector<Stamped>& evs) {
  const auto* r = first<RequestReceived>(evs);
  return r ? r->id : ServerTransactionId{};
}

// ---- INVITE server ----

TEST(InviteServer, NewInviteGoesToTheTuAndGets100After200ms) {
  Harness h;
  auto evs = h.receive(kUp, msg(kInvite));
  ASSERT_EQ(evs.size(), 1u);
  ASSERT_NE(as<RequestReceived>(evs[0]), nullptr);
  const RequestReceived req = *as<RequestReceived>(evs[0]);
  EXPECT_TRUE(req.id);
  EXPECT_EQ(req.from, kUp);
  EXPECT_EQ(req.request.methodText(), "INVITE");
  EXPECT_EQ(h.layer.state(req.id), TxnState::Proceeding);

  // A retransmission before anything was sent is absorbed silently.
  h.at(100);
  EXPECT_TRUE(h.receive(kUp, msg(kInvite)).empty());

  evs = h.runUntil(250);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].ms, 200);
  ASSERT_NE(as<SendTo>(evs[0]), nullptr);
  const SendTo trying = *as<SendTo>(evs[0]);
  EXPECT_EQ(trying.to, kUp);
  EXPECT_EQ(trying.server, req.id);
  Message r = parseWire(trying.bytes);
  EXPECT_EQ(r.status(), 100);
  EXPECT_EQ(r.to()->tag(), "");
  EXPECT_EQ(r.header(HeaderId::Timestamp), "54");  // §8.2.6.1

  // Now a retransmitted INVITE gets the 100 again.
  evs = h.receive(kUp, msg(kInvite));
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(get<SendTo>(evs[0]).bytes, trying.bytes);
}

TEST(InviteServer, TuProvisionalWithin200msSuppresses100) {
  Harness h;
  auto id = received(h.receive(kUp, msg(kInvite)));
  h.at(50);
  ASSERT_TRUE(h.layer.sendResponse(id, respond(kInvite, 180), h.now));
  auto evs = h.drain();
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(parseWire(get<SendTo>(evs[0]).bytes).status(), 180);
  EXPECT_TRUE(h.runUntil(1000).empty());
  // Retransmitted INVITE: the last provisional is resent.
  evs = h.receive(kUp, msg(kInvite));
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(parseWire(get<SendTo>(evs[0]).bytes).status(), 180);
}

TEST(InviteServer, ImmediateOrNo100ByConfig) {
  TimerConfig now100;
  now100.tryingDelay = Duration{0};
  Harness h(now100);
  auto evs = h.receive(kUp, msg(kInvite));
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_NE(as<RequestReceived>(evs[0]), nullptr);
  ASSERT_NE(as<SendTo>(evs[1]), nullptr);
  EXPECT_EQ(parseWire(get<SendTo>(evs[1]).bytes).status(), 100);

  TimerConfig tuOnly;
  tuOnly.autoTrying = false;
  Harness h2(tuOnly);
  EXPECT_EQ(h2.receive(kUp, msg(kInvite)).size(), 1u);
  EXPECT_TRUE(h2.runUntil(10000).empty());
}

TEST(InviteServer, TimerGRetransmitsNon2xxUntilAck) {
  Harness h;
  auto id = received(h.receive(kUp, msg(kInvite)));
  h.at(100);
  ASSERT_TRUE(h.layer.sendResponse(id, respond(kInvite, 486), h.now));
  auto evs = h.drain();
  ASSERT_EQ(evs.size(), 1u);
  const std::string final486 = get<SendTo>(evs[0]).bytes;
  EXPECT_EQ(h.layer.state(id), TxnState::Completed);
  // The TU cannot change its mind.
  EXPECT_FALSE(h.layer.sendResponse(id, respond(kInvite, 200), h.now));
  EXPECT_FALSE(h.layer.sendResponse(id, respond(kInvite, 180), h.now));

  // §17.2.1: G = T1, doubling up to T2.
  evs = h.runUntil(12000);
  EXPECT_EQ(sendTimes(evs), (std::vector<long long>{600, 1600, 3600, 7600, 11600}));
  for (const auto* s : all<SendTo>(evs)) EXPECT_EQ(s->bytes, final486);
  // A retransmitted INVITE gets the final again.
  evs = h.receive(kUp, msg(kInvite));
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(get<SendTo>(evs[0]).bytes, final486);

  // The ACK stops G and H: Confirmed, then Timer I = T4.
  h.at(12500);
  EXPECT_TRUE(h.receive(kUp, msg(kAck486)).empty());
  EXPECT_EQ(h.layer.state(id), TxnState::Confirmed);
  h.at(13000);
  EXPECT_TRUE(h.receive(kUp, msg(kAck486)).empty());  // absorbed
  evs = h.runUntil(60000);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].ms, 12500 + 5000);
  ASSERT_NE(as<Terminated>(evs[0]), nullptr);
  EXPECT_EQ(get<Terminated>(evs[0]).server, id);
  EXPECT_EQ(h.layer.size(), 0u);
}

TEST(InviteServer, TimerHWithoutAck) {
  Harness h;
  auto id = received(h.receive(kUp, msg(kInvite)));
  ASSERT_TRUE(h.layer.sendResponse(id, respond(kInvite, 503), h.now));
  h.drain();
  auto evs = h.runUntil(60000);
  EXPECT_EQ(sendTimes(evs), (std::vector<long long>{500, 1500, 3500, 7500, 11500, 15500, 19500,
                                                    23500, 27500, 31500}));
  ASSERT_NE(first<Timeout>(evs), nullptr);
  EXPECT_EQ(firstOf<Timeout>(evs).server, id);
  EXPECT_FALSE(firstOf<Timeout>(evs).client);
  EXPECT_EQ(evs.back().ms, 32000);
  EXPECT_NE(as<Terminated>(evs.back()), nullptr);
}

TEST(InviteServer, ReliableTransportHasNoTimerGAndNoTimerI) {
  Harness h;
  const Peer up = tcp("192.0.2.10", 40001, 9);
  auto id = received(h.receive(up, msg(kInvite)));
  ASSERT_TRUE(h.layer.sendResponse(id, respond(kInvite, 486), h.now));
  auto evs = h.drain();
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(get<SendTo>(evs[0]).to, up);  // same connection, whatever the Via says
  EXPECT_EQ(h.layer.nextDeadline(), kT0 + 32s);  // H only
  h.at(300);
  evs = h.receive(up, msg(kAck486));
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_NE(as<Terminated>(evs[0]), nullptr);  // I = 0
  EXPECT_EQ(h.layer.size(), 0u);
}

TEST(InviteServer, AcceptedAbsorbsInvitesAndPassesTu2xx) {
  Harness h;
  auto id = received(h.receive(kUp, msg(kInvite)));
  h.at(1000);
  ASSERT_TRUE(h.layer.sendResponse(id, respond(kInvite, 200), h.now));
  EXPECT_EQ(count<SendTo>(h.drain()), 1u);
  EXPECT_EQ(h.layer.state(id), TxnState::Accepted);

  // RFC 6026: a retransmitted INVITE is neither answered nor passed up (RFC 3261
  // would have taken it for a new request).
  h.at(1400);
  EXPECT_TRUE(h.receive(kUp, msg(kInvite)).empty());
  // The UAS core retransmits its 2xx itself: it passes through. Non-2xx does not.
  EXPECT_TRUE(h.layer.sendResponse(id, respond(kInvite, 200), h.now));
  EXPECT_EQ(count<SendTo>(h.drain()), 1u);
  EXPECT_FALSE(h.layer.sendResponse(id, respond(kInvite, 486), h.now));
  EXPECT_FALSE(h.layer.sendResponse(id, respond(kInvite, 180), h.now));
  // No retransmission by the transaction itself.
  EXPECT_TRUE(h.runUntil(30000).empty());

  // The ACK for the 2xx has its own branch: it matches nothing and goes up as such.
  auto evs = h.receive(kUp, msg(kAck200));
  ASSERT_EQ(evs.size(), 1u);
  ASSERT_NE(as<AckReceived>(evs[0]), nullptr);
  EXPECT_FALSE(get<AckReceived>(evs[0]).invite);
  EXPECT_EQ(get<AckReceived>(evs[0]).from, kUp);
  // An ACK that reuses the INVITE's branch matches the Accepted transaction: passed up too.
  evs = h.receive(kUp, msg(kAck486));
  ASSERT_EQ(evs.size(), 1u);
  ASSERT_NE(as<AckReceived>(evs[0]), nullptr);
  EXPECT_EQ(get<AckReceived>(evs[0]).invite, id);

  // Timer L = 64*T1 after the 2xx.
  evs = h.runUntil(100000);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].ms, 1000 + 32000);
  EXPECT_NE(as<Terminated>(evs[0]), nullptr);
  EXPECT_FALSE(h.layer.sendResponse(id, respond(kInvite, 200), h.now));
}

TEST(InviteServer, ResponsesGoWhereViaSays) {
  // §18.2.2: UDP without rport: source address, sent-by port.
  Harness h;
  auto id = received(h.receive(udp("192.0.2.10", 40000), msg(kInvite)));
  ASSERT_TRUE(h.layer.sendResponse(id, respond(kInvite, 180), h.now));
  auto evs = h.drain();
  EXPECT_EQ(get<SendTo>(evs[0]).to, udp("192.0.2.10", 5070));
  // RFC 3581: with rport, the source port.
  auto mid = received(h.receive(udp("192.0.2.10", 40000), msg(kMessage)));
  ASSERT_TRUE(h.layer.sendResponse(mid, respond(kMessage, 200), h.now));
  evs = h.drain();
  EXPECT_EQ(get<SendTo>(evs[0]).to, udp("192.0.2.10", 40000));
}

TEST(InviteServer, SendResponseFindsTheTransactionFromTheResponse) {
  Harness h;
  auto id = received(h.receive(kUp, msg(kInvite)));
  EXPECT_TRUE(h.layer.sendResponse(respond(kInvite, 404), h.now));
  EXPECT_EQ(h.layer.state(id), TxnState::Completed);
  Message stray = respond(kInvite, 404);
  stray.setHeader(HeaderId::Via, "SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKnone");
  EXPECT_FALSE(h.layer.sendResponse(stray, h.now));
}

TEST(InviteServer, TransportErrorTerminates) {
  Harness h;
  auto id = received(h.receive(tcp(), msg(kInvite)));
  ASSERT_TRUE(h.layer.sendResponse(id, respond(kInvite, 180), h.now));
  h.drain();
  h.layer.onTransportError(id, h.now);
  auto evs = h.drain();
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(get<TransportError>(evs[0]).server, id);
  EXPECT_EQ(get<Terminated>(evs[1]).server, id);
}

// ---- matching (§17.2.3) ----

TEST(ServerMatching, SentByAndMethodArePartOfTheKey) {
  Harness h;
  auto a = received(h.receive(kUp, msg(kInvite)));
  // Same branch from another sent-by: a different transaction.
  Message other = msg(kInvite);
  other.setHeader(HeaderId::Via, "SIP/2.0/UDP 192.0.2.99:5070;branch=z9hG4bKs1");
  auto b = received(h.receive(udp("192.0.2.99", 5070), std::move(other)));
  ASSERT_TRUE(b);
  EXPECT_NE(a, b);
  // Same branch and sent-by, another method: another transaction.
  Message options = msg(kInvite);
  options.setMethod("OPTIONS");
  options.setHeader(HeaderId::CSeq, "1 OPTIONS");
  auto c = received(h.receive(kUp, std::move(options)));
  ASSERT_TRUE(c);
  EXPECT_EQ(h.layer.size(), 3u);
}

TEST(ServerMatching, CancelMatchesItsInvite) {
  Harness h;
  auto inv = received(h.receive(kUp, msg(kInvite)));
  h.at(300);
  auto evs = h.receive(kUp, msg(kCancel));
  ASSERT_EQ(evs.size(), 1u);
  ASSERT_NE(as<CancelReceived>(evs[0]), nullptr);
  const CancelReceived c = get<CancelReceived>(evs[0]);
  EXPECT_TRUE(c.id);
  EXPECT_NE(c.id.value, inv.value);
  EXPECT_EQ(c.invite, inv);
  EXPECT_EQ(h.layer.state(c.id), TxnState::Trying);

  // A proxy/UAS answers 200 to the CANCEL, then 487 to the INVITE.
  ASSERT_TRUE(h.layer.sendResponse(c.id, respond(kCancel, 200), h.now));
  ASSERT_TRUE(h.layer.sendResponse(inv, respond(kInvite, 487), h.now));
  evs = h.drain();
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(parseWire(get<SendTo>(evs[0]).bytes).cseq()->method, "CANCEL");
  EXPECT_EQ(parseWire(get<SendTo>(evs[1]).bytes).status(), 487);
  // A retransmitted CANCEL gets its 200 again, and does not touch the INVITE.
  evs = h.receive(kUp, msg(kCancel));
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(parseWire(get<SendTo>(evs[0]).bytes).cseq()->method, "CANCEL");
  // ACK for the 487.
  EXPECT_TRUE(h.receive(kUp, msg(kAck486)).empty());
  EXPECT_EQ(h.layer.state(inv), TxnState::Confirmed);
}

TEST(ServerMatching, CancelWithoutInvite) {
  Harness h;
  auto evs = h.receive(kUp, msg(kCancel));
  ASSERT_EQ(evs.size(), 1u);
  ASSERT_NE(as<CancelReceived>(evs[0]), nullptr);
  const CancelReceived& c = get<CancelReceived>(evs[0]);
  EXPECT_FALSE(c.invite);  // §16.10 / §9.2: the TU answers 481 or forwards statelessly
  EXPECT_TRUE(h.layer.sendResponse(c.id, respond(kCancel, 481), h.now));
}

TEST(ServerMatching, StrayAckGoesUp) {
  Harness h;
  auto evs = h.receive(kUp, msg(kAck486));
  ASSERT_EQ(evs.size(), 1u);
  ASSERT_NE(as<AckReceived>(evs[0]), nullptr);
  EXPECT_FALSE(get<AckReceived>(evs[0]).invite);
  EXPECT_EQ(h.layer.size(), 0u);
}

TEST(ServerMatching, Rfc2543Fallback) {
  Harness h;
  const Peer old = udp("192.0.2.30", 5060);
  auto inv = received(h.receive(old, msg(kInvite2543)));
  ASSERT_TRUE(inv);
  // Same Request-URI, tags, Call-ID, CSeq and Via: a retransmission.
  h.at(100);
  EXPECT_TRUE(h.receive(old, msg(kInvite2543)).empty());
  EXPECT_EQ(h.layer.size(), 1u);
  // A different From tag: a new transaction.
  Message other = msg(kInvite2543);
  other.setHeader(HeaderId::From, "<sip:carol@example.com>;tag=c2");
  EXPECT_TRUE(received(h.receive(old, std::move(other))));
  EXPECT_EQ(h.layer.size(), 2u);

  // CANCEL: To tag, From tag, Call-ID, CSeq number, Request-URI and Via of the INVITE.
  Message cancel = msg(kInvite2543);
  cancel.setMethod("CANCEL");
  cancel.setHeader(HeaderId::CSeq, "5 CANCEL");
  cancel.removeHeaders(HeaderId::Contact);
  auto evs = h.receive(old, std::move(cancel));
  ASSERT_EQ(evs.size(), 1u);
  ASSERT_NE(as<CancelReceived>(evs[0]), nullptr);
  EXPECT_EQ(get<CancelReceived>(evs[0]).invite, inv);

  // Answer by message (no branch to key on): Call-ID, CSeq, From tag and Via find it.
  Message busy = makeResponse(msg(kInvite2543), 486, {}, "d1");
  ASSERT_TRUE(h.layer.sendResponse(busy, h.now));
  EXPECT_EQ(h.layer.state(inv), TxnState::Completed);
  evs = h.drain();
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(get<SendTo>(evs[0]).to, old);

  // An ACK with another To tag does not match; one with the response's tag does.
  Message ack = msg(kInvite2543);
  ack.setMethod("ACK");
  ack.setHeader(HeaderId::CSeq, "5 ACK");
  ack.setHeader(HeaderId::To, "<sip:bob@example.com>;tag=zz");
  evs = h.receive(old, ack);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_NE(as<AckReceived>(evs[0]), nullptr);
  EXPECT_EQ(h.layer.state(inv), TxnState::Completed);
  ack.setHeader(HeaderId::To, "<sip:bob@example.com>;tag=d1");
  EXPECT_TRUE(h.receive(old, ack).empty());
  EXPECT_EQ(h.layer.state(inv), TxnState::Confirmed);
}

TEST(ServerMatching, Rfc2543RequestUriAndToTagCount) {
  Harness h;
  const Peer old = udp("192.0.2.30", 5060);
  auto inv = received(h.receive(old, msg(kInvite2543)));
  Message uri = msg(kInvite2543);
  uri.requestUri().user = "robert";
  auto other = received(h.receive(old, std::move(uri)));
  ASSERT_TRUE(other);
  EXPECT_NE(other, inv);
  Message tagged = msg(kInvite2543);
  tagged.setHeader(HeaderId::To, "<sip:bob@example.com>;tag=x9");
  EXPECT_TRUE(received(h.receive(old, std::move(tagged))));
  // Via compared as a whole (§20.42): an added parameter makes it another transaction.
  Message via = msg(kInvite2543);
  via.setHeader(HeaderId::Via, "SIP/2.0/UDP 192.0.2.30:5060;received=192.0.2.31");
  EXPECT_TRUE(received(h.receive(old, std::move(via))));
  EXPECT_EQ(h.layer.size(), 4u);
}

TEST(ServerMatching, BranchWithoutCookieUsesRfc2543Rules) {
  Harness h;
  Message a = msg(kInvite);
  a.setHeader(HeaderId::Via, "SIP/2.0/UDP 192.0.2.10:5070;branch=1234");
  auto id = received(h.receive(kUp, a));
  ASSERT_TRUE(id);
  EXPECT_TRUE(h.receive(kUp, a).empty());  // retransmission
  // Same cookie-less branch, another call: a new transaction (the branch is not trusted).
  Message b = a;
  b.setHeader(HeaderId::CallId, "other@example.com");
  EXPECT_TRUE(received(h.receive(kUp, std::move(b))));
}

TEST(ServerMatching, MalformedRequestsAreReported) {
  Harness h;
  Message noVia = msg(kMessage);
  noVia.removeHeaders(HeaderId::Via);
  auto evs = h.receive(kUp, std::move(noVia));
  ASSERT_EQ(evs.size(), 1u);
  ASSERT_NE(as<BadMessage>(evs[0]), nullptr);
  EXPECT_EQ(get<BadMessage>(evs[0]).error.code, 400);

  Message wrongMethod = msg(kMessage);
  wrongMethod.setHeader(HeaderId::CSeq, "3 INFO");
  evs = h.receive(kUp, std::move(wrongMethod));
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_NE(as<BadMessage>(evs[0]), nullptr);
  EXPECT_EQ(h.layer.size(), 0u);
}

// ---- non-INVITE server ----

TEST(NonInviteServer, AbsorbsThenResendsFinalUntilTimerJ) {
  Harness h;
  const Peer src = udp("192.0.2.10", 40000);
  auto id = received(h.receive(src, msg(kMessage)));
  ASSERT_TRUE(id);
  EXPECT_EQ(h.layer.state(id), TxnState::Trying);
  EXPECT_TRUE(h.runUntil(10000).empty());  // no 100 for non-INVITE, no timers in Trying
  EXPECT_TRUE(h.receive(src, msg(kMessage)).empty());  // absorbed in Trying

  ASSERT_TRUE(h.layer.sendResponse(id, respond(kMessage, 100), h.now));
  EXPECT_EQ(h.layer.state(id), TxnState::Proceeding);
  h.drain();
  auto evs = h.receive(src, msg(kMessage));
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(parseWire(get<SendTo>(evs[0]).bytes).status(), 100);

  ASSERT_TRUE(h.layer.sendResponse(id, respond(kMessage, 202), h.now));
  EXPECT_EQ(h.layer.state(id), TxnState::Completed);
  evs = h.drain();
  ASSERT_EQ(evs.size(), 1u);
  const std::string final202 = get<SendTo>(evs[0]).bytes;
  EXPECT_FALSE(h.layer.sendResponse(id, respond(kMessage, 500), h.now));
  // No retransmission of its own; each retransmitted request gets the final again.
  h.at(20000);
  evs = h.receive(src, msg(kMessage));
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(get<SendTo>(evs[0]).bytes, final202);
  evs = h.runUntil(100000);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].ms, 10000 + 32000);  // J = 64*T1 from the final
  EXPECT_NE(as<Terminated>(evs[0]), nullptr);
}

TEST(NonInviteServer, ReliableTerminatesOnFinal) {
  Harness h;
  auto id = received(h.receive(tcp(), msg(kMessage)));
  ASSERT_TRUE(h.layer.sendResponse(id, respond(kMessage, 200), h.now));
  auto evs = h.drain();
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(get<SendTo>(evs[0]).to, tcp());
  EXPECT_EQ(get<Terminated>(evs[1]).server, id);  // J = 0
  EXPECT_EQ(h.layer.size(), 0u);
}

TEST(NonInviteServer, AbandonEndsWithoutResponse) {
  // RFC 4320 §4.2: a proxy whose downstream non-INVITE timed out sends no 408 upstream.
  Harness h;
  auto id = received(h.receive(kUp, msg(kMessage)));
  h.layer.abandon(id);
  auto evs = h.drain();
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(get<Terminated>(evs[0]).server, id);
  EXPECT_EQ(h.layer.size(), 0u);
  EXPECT_FALSE(h.layer.sendResponse(id, respond(kMessage, 200), h.now));
  h.layer.abandon(id);
  EXPECT_TRUE(h.drain().empty());
}

TEST(TransactionLayer, EarlyAndLateTimerCallsAreHarmless) {
  Harness h;
  h.layer.sendRequest(udp("192.0.2.20"), msg(kInvite), h.now);
  h.drain();
  h.layer.onTimer(kT0 + 100ms);  // nothing due yet
  EXPECT_TRUE(h.drain().empty());
  // The shell wakes up very late: what is due fires once, in deadline order.
  h.at(40000);
  h.layer.onTimer(h.now);
  auto evs = h.drain();
  EXPECT_EQ(count<Timeout>(evs), 1u);
  EXPECT_LE(count<SendTo>(evs), 1u);
  EXPECT_EQ(h.layer.size(), 0u);
  EXPECT_FALSE(h.layer.nextDeadline());
}

TEST(TransactionLayer, ClientAndServerTogether) {
  // A proxy's view: a server transaction upstream and a client transaction downstream,
  // ids unique across both.
  Harness h;
  auto srv = received(h.receive(kUp, msg(kInvite)));
  Message fwd = msg(kInvite);
  fwd.prependHeader(HeaderId::Via, "SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKp1");
  auto cli = h.layer.sendRequest(udp("192.0.2.20"), std::move(fwd), h.now);
  ASSERT_TRUE(cli);
  EXPECT_NE(cli.value, srv.value);
  EXPECT_EQ(h.layer.size(), 2u);
  h.drain();
  // The earliest deadline is the automatic 100 (200 ms), before Timer A (500 ms).
  EXPECT_EQ(h.layer.nextDeadline(), kT0 + 200ms);
}

}  // namespace
}  // namespace parley::sip::testing
