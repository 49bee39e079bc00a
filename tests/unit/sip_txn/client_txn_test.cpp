// Client transactions (RFC 3261 §17.1, RFC 6026), driven only through the layer's
// onMessage / onTimer / poll with fake time.

#include <gtest/gtest.h>

#include "common/sip/txn/matching.hpp"
#include "common/sip/txn/transaction_layer.hpp"
#include "txn_test_util.hpp"

namespace parley::sip::testing {
namespace {

constexpr std::string_view kInvite =
    "INVITE sip:bob@192.0.2.20 SIP/2.0\n"
    "Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKc1\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKup\n"
    "Max-Forwards: 69\n"
    "Route: <sip:edge1.example.com;lr>\n"
    "Route: <sip:edge2.example.com;lr>\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=a1\n"
    "To: <sip:bob@example.com>\n"
    "Call-ID: call-1@example.com\n"
    "CSeq: 1 INVITE\n"
    "Contact: <sip:alice@192.0.2.10>\n"
    "Content-Length: 0\n"
    "\n";

constexpr std::string_view kOptions =
    "OPTIONS sip:bob@192.0.2.20 SIP/2.0\n"
    "Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKo1\n"
    "Max-Forwards: 70\n"
    "From: <sip:alice@example.com>;tag=a1\n"
    "To: <sip:bob@example.com>\n"
    "Call-ID: opt-1@example.com\n"
    "CSeq: 7 OPTIONS\n"
    "Content-Length: 0\n"
    "\n";

const Peer kDown = udp("192.0.2.20", 5060);

Message response(std::string_view request, int code, std::string_view tag = "b1") {
  return makeResponse(msg(request), code, {}, code > 100 ? tag : std::string_view{});
}

// ---- INVITE client ----

TEST(InviteClient, UdpTimerADoublesUntilTimerB) {
  Harness h;
  auto id = h.layer.sendRequest(kDown, msg(kInvite), h.now);
  ASSERT_TRUE(id);
  auto start = h.drain();
  ASSERT_EQ(count<SendTo>(start), 1u);
  const std::string bytes = firstOf<SendTo>(start).bytes;
  EXPECT_EQ(firstOf<SendTo>(start).to, kDown);
  EXPECT_EQ(firstOf<SendTo>(start).client, id);
  EXPECT_EQ(h.layer.state(id), TxnState::Calling);

  auto evs = h.runUntil(40000);
  // §17.1.1.2: A = T1, 2*T1, 4*T1, ... (no cap); B = 64*T1 = 32 s.
  EXPECT_EQ(sendTimes(evs), (std::vector<long long>{500, 1500, 3500, 7500, 15500, 31500}));
  for (const auto* s : all<SendTo>(evs)) EXPECT_EQ(s->bytes, bytes);  // serialized once
  ASSERT_NE(first<Timeout>(evs), nullptr);
  const Timeout& timeout = firstOf<Timeout>(evs);
  EXPECT_EQ(timeout.client, id);
  EXPECT_FALSE(timeout.server);
  EXPECT_EQ(evs.back().ms, 32000);
  ASSERT_NE(as<Terminated>(evs.back()), nullptr);
  EXPECT_EQ(get<Terminated>(evs.back()).client, id);
  EXPECT_EQ(h.layer.size(), 0u);
  EXPECT_FALSE(h.layer.nextDeadline());
}

TEST(InviteClient, ShrunkTimersFromConfig) {
  TimerConfig cfg;
  cfg.t1 = Duration{10};
  Harness h(cfg);
  h.layer.sendRequest(kDown, msg(kInvite), h.now);
  h.drain();
  auto evs = h.runUntil(1000);
  EXPECT_EQ(sendTimes(evs), (std::vector<long long>{10, 30, 70, 150, 310, 630}));
  ASSERT_NE(first<Timeout>(evs), nullptr);
  EXPECT_EQ(evs.back().ms, 640);
}

TEST(InviteClient, ReliableTransportNeverRetransmits) {
  Harness h;
  auto id = h.layer.sendRequest(tcp("192.0.2.20"), msg(kInvite), h.now);
  EXPECT_EQ(count<SendTo>(h.drain()), 1u);
  auto evs = h.runUntil(60000);
  EXPECT_TRUE(sendTimes(evs).empty());
  ASSERT_NE(first<Timeout>(evs), nullptr);
  EXPECT_EQ(firstOf<Timeout>(evs).client, id);
  EXPECT_EQ(evs.front().ms, 32000);  // Timer B still runs
}

TEST(InviteClient, ProvisionalStopsTimersAAndB) {
  Harness h;
  auto id = h.layer.sendRequest(kDown, msg(kInvite), h.now);
  h.drain();
  EXPECT_EQ(sendTimes(h.runUntil(700)), (std::vector<long long>{500}));
  auto evs = h.receive(kDown, response(kInvite, 180));
  ASSERT_EQ(evs.size(), 1u);
  ASSERT_NE(first<ResponseReceived>(evs), nullptr);
  EXPECT_EQ(firstOf<ResponseReceived>(evs).id, id);
  EXPECT_EQ(firstOf<ResponseReceived>(evs).response.status(), 180);
  EXPECT_EQ(firstOf<ResponseReceived>(evs).from, kDown);
  EXPECT_EQ(h.layer.state(id), TxnState::Proceeding);
  // In Proceeding the INVITE client waits for the TU (Timer C is the proxy's).
  EXPECT_FALSE(h.layer.nextDeadline());
  EXPECT_TRUE(h.runUntil(100000).empty());
  // More provisionals still go up.
  EXPECT_EQ(count<ResponseReceived>(h.receive(kDown, response(kInvite, 183))), 1u);
}

TEST(InviteClient, Non2xxFinalIsAckedByTheTransaction) {
  Harness h;
  auto id = h.layer.sendRequest(kDown, msg(kInvite), h.now);
  h.drain();
  h.at(100);
  h.receive(kDown, response(kInvite, 180, "b1"));
  h.at(2000);
  auto evs = h.receive(kDown, response(kInvite, 486, "b1"));
  ASSERT_EQ(evs.size(), 2u);
  ASSERT_NE(as<ResponseReceived>(evs[0]), nullptr);
  EXPECT_EQ(get<ResponseReceived>(evs[0]).response.status(), 486);
  ASSERT_NE(as<SendTo>(evs[1]), nullptr);
  const SendTo send = get<SendTo>(evs[1]);
  EXPECT_EQ(send.to, kDown);
  EXPECT_EQ(h.layer.state(id), TxnState::Completed);

  // §17.1.1.3 field by field.
  Message ack = parseWire(send.bytes);
  Message invite = msg(kInvite);
  EXPECT_EQ(ack.methodText(), "ACK");
  EXPECT_EQ(ack.requestUri().toString(), invite.requestUri().toString());
  EXPECT_EQ(ack.headerValues(HeaderId::Via),
            (std::vector<std::string_view>{"SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKc1"}));
  EXPECT_EQ(ack.header(HeaderId::From), invite.header(HeaderId::From));
  EXPECT_EQ(ack.to()->tag(), "b1");
  EXPECT_EQ(ack.to()->uri.toString(), "sip:bob@example.com");
  EXPECT_EQ(ack.callId(), "call-1@example.com");
  EXPECT_EQ(ack.cseq()->number, 1u);
  EXPECT_EQ(ack.cseq()->method, "ACK");
  EXPECT_EQ(ack.headerValues(HeaderId::Route),
            (std::vector<std::string_view>{"<sip:edge1.example.com;lr>",
                                           "<sip:edge2.example.com;lr>"}));
  EXPECT_EQ(ack.maxForwards(), 70);
  EXPECT_TRUE(ack.body.empty());
  EXPECT_EQ(ack.headerCount(HeaderId::Contact), 0u);

  // A retransmitted final is absorbed; the same ACK goes out again.
  const std::string ackBytes = send.bytes;
  h.at(2500);
  evs = h.receive(kDown, response(kInvite, 486, "b1"));
  ASSERT_EQ(evs.size(), 1u);
  ASSERT_NE(as<SendTo>(evs[0]), nullptr);
  EXPECT_EQ(get<SendTo>(evs[0]).bytes, ackBytes);

  // Timer D (32 s) ends it, without a Timeout.
  evs = h.runUntil(100000);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].ms, 2000 + 32000);
  ASSERT_NE(as<Terminated>(evs[0]), nullptr);
  EXPECT_EQ(h.layer.size(), 0u);
}

TEST(InviteClient, Non2xxFinalOverTcpTerminatesAtOnce) {
  Harness h;
  auto id = h.layer.sendRequest(tcp("192.0.2.20"), msg(kInvite), h.now);
  h.drain();
  auto evs = h.receive(tcp("192.0.2.20"), response(kInvite, 404));
  ASSERT_EQ(evs.size(), 3u);
  EXPECT_NE(as<ResponseReceived>(evs[0]), nullptr);
  EXPECT_NE(as<SendTo>(evs[1]), nullptr);  // the ACK
  ASSERT_NE(as<Terminated>(evs[2]), nullptr);  // Timer D = 0
  EXPECT_EQ(get<Terminated>(evs[2]).client, id);
  EXPECT_EQ(h.layer.size(), 0u);
}

TEST(InviteClient, AcceptedPassesEvery2xxUpUntilTimerM) {
  Harness h;
  auto id = h.layer.sendRequest(kDown, msg(kInvite), h.now);
  h.drain();
  h.at(300);
  auto evs = h.receive(kDown, response(kInvite, 200, "b1"));
  ASSERT_EQ(evs.size(), 1u);  // no ACK from the transaction for a 2xx
  ASSERT_NE(first<ResponseReceived>(evs), nullptr);
  EXPECT_EQ(h.layer.state(id), TxnState::Accepted);

  // RFC 6026: retransmissions and other forks' 2xx go to the TU too.
  evs = h.receive(kDown, response(kInvite, 200, "b1"));
  ASSERT_EQ(count<ResponseReceived>(evs), 1u);
  evs = h.receive(udp("192.0.2.21"), response(kInvite, 200, "b2"));
  ASSERT_EQ(count<ResponseReceived>(evs), 1u);
  EXPECT_EQ(firstOf<ResponseReceived>(evs).response.to()->tag(), "b2");
  // Anything else after a 2xx is absorbed.
  EXPECT_TRUE(h.receive(kDown, response(kInvite, 486, "b3")).empty());
  EXPECT_TRUE(h.receive(kDown, response(kInvite, 180, "b4")).empty());
  // No retransmission happens in Accepted; Timer M = 64*T1 ends it.
  evs = h.runUntil(100000);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].ms, 300 + 32000);
  ASSERT_NE(as<Terminated>(evs[0]), nullptr);
  // After that a 2xx is stray.
  evs = h.receive(kDown, response(kInvite, 200, "b1"));
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_NE(as<StrayResponse>(evs[0]), nullptr);
}

TEST(InviteClient, ResponsesMatchOnBranchAndCSeqMethod) {
  Harness h;
  h.layer.sendRequest(kDown, msg(kInvite), h.now);
  h.drain();
  // Another branch: stray.
  Message other = response(kInvite, 180);
  other.removeFirstHeader(HeaderId::Via);
  other.prependHeader(HeaderId::Via, "SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKzz");
  auto evs = h.receive(kDown, std::move(other));
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_NE(as<StrayResponse>(evs[0]), nullptr);
  // Same branch, CSeq method CANCEL: belongs to a CANCEL transaction, not the INVITE (§17.1.3).
  Message cancel200 = response(kInvite, 200);
  cancel200.setHeader(HeaderId::CSeq, "1 CANCEL");
  evs = h.receive(kDown, std::move(cancel200));
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_NE(as<StrayResponse>(evs[0]), nullptr);
  // Branch compared case-insensitively (§7.3.1).
  Message upper = response(kInvite, 180);
  upper.removeFirstHeader(HeaderId::Via);
  upper.prependHeader(HeaderId::Via, "SIP/2.0/UDP 198.51.100.1:5060;branch=Z9HG4BKC1");
  EXPECT_EQ(count<ResponseReceived>(h.receive(kDown, std::move(upper))), 1u);
}

TEST(InviteClient, TransportErrorTerminates) {
  Harness h;
  auto id = h.layer.sendRequest(tcp(), msg(kInvite), h.now);
  h.drain();
  h.layer.onTransportError(id, h.now);
  auto evs = h.drain();
  ASSERT_EQ(evs.size(), 2u);
  ASSERT_NE(as<TransportError>(evs[0]), nullptr);
  EXPECT_EQ(get<TransportError>(evs[0]).client, id);
  EXPECT_NE(as<Terminated>(evs[1]), nullptr);
  EXPECT_EQ(h.layer.size(), 0u);
  h.layer.onTransportError(id, h.now);  // unknown now: ignored
  EXPECT_TRUE(h.drain().empty());
}

TEST(InviteClient, RejectsRequestsItCannotKey) {
  Harness h;
  Message noBranch = msg(kInvite);
  noBranch.removeFirstHeader(HeaderId::Via);
  noBranch.removeFirstHeader(HeaderId::Via);
  noBranch.addHeader(HeaderId::Via, "SIP/2.0/UDP 198.51.100.1:5060");
  EXPECT_FALSE(h.layer.sendRequest(kDown, std::move(noBranch), h.now));
  Message ack = msg(kInvite);
  ack.setMethod("ACK");
  ack.setHeader(HeaderId::CSeq, "1 ACK");
  EXPECT_FALSE(h.layer.sendRequest(kDown, std::move(ack), h.now));
  EXPECT_TRUE(h.layer.sendRequest(kDown, msg(kInvite), h.now));
  EXPECT_FALSE(h.layer.sendRequest(kDown, msg(kInvite), h.now));  // same branch and method
  EXPECT_EQ(count<SendTo>(h.drain()), 1u);
  EXPECT_EQ(h.layer.size(), 1u);
}

// ---- CANCEL from the client side (§9.1) ----

TEST(InviteClient, CancelWaitsForAProvisional) {
  Harness h;
  auto inv = h.layer.sendRequest(kDown, msg(kInvite), h.now);
  h.drain();
  h.at(100);
  auto cancel = h.layer.cancelClient(inv, h.now, "SIP;cause=200;text=\"Call completed elsewhere\"");
  ASSERT_TRUE(cancel);
  EXPECT_TRUE(h.drain().empty());  // not before a provisional
  EXPECT_FALSE(h.layer.cancelClient(inv, h.now));  // once only

  h.at(400);
  auto evs = h.receive(kDown, response(kInvite, 180));
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_NE(as<ResponseReceived>(evs[0]), nullptr);
  ASSERT_NE(as<SendTo>(evs[1]), nullptr);
  const SendTo send = get<SendTo>(evs[1]);
  EXPECT_EQ(send.client, cancel);
  EXPECT_EQ(send.to, kDown);
  Message c = parseWire(send.bytes);
  EXPECT_EQ(c.methodText(), "CANCEL");
  EXPECT_EQ(c.requestUri().toString(), "sip:bob@192.0.2.20");
  EXPECT_EQ(c.headerValues(HeaderId::Via),
            (std::vector<std::string_view>{"SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKc1"}));
  EXPECT_EQ(c.cseq()->number, 1u);
  EXPECT_EQ(c.cseq()->method, "CANCEL");
  EXPECT_EQ(c.to()->tag(), "");  // the INVITE's To, not the response's
  EXPECT_EQ(c.headerCount(HeaderId::Route), 2u);
  EXPECT_EQ(c.header("Reason"), "SIP;cause=200;text=\"Call completed elsewhere\"");
  EXPECT_EQ(h.layer.state(cancel), TxnState::Trying);

  // The CANCEL is a non-INVITE transaction: it retransmits on E.
  evs = h.runUntil(900);
  ASSERT_EQ(count<SendTo>(evs), 1u);
  EXPECT_EQ(firstOf<SendTo>(evs).client, cancel);

  // 200 to the CANCEL, then 487 to the INVITE (which the transaction ACKs).
  Message ok = response(kInvite, 200);
  ok.setHeader(HeaderId::CSeq, "1 CANCEL");
  evs = h.receive(kDown, std::move(ok));
  ASSERT_EQ(count<ResponseReceived>(evs), 1u);
  EXPECT_EQ(firstOf<ResponseReceived>(evs).id, cancel);
  evs = h.receive(kDown, response(kInvite, 487));
  ASSERT_EQ(count<ResponseReceived>(evs), 1u);
  EXPECT_EQ(firstOf<ResponseReceived>(evs).id, inv);
  ASSERT_EQ(count<SendTo>(evs), 1u);
  EXPECT_EQ(parseWire(firstOf<SendTo>(evs).bytes).methodText(), "ACK");
}

TEST(InviteClient, PendingCancelIsDroppedByAFinal) {
  Harness h;
  auto inv = h.layer.sendRequest(kDown, msg(kInvite), h.now);
  h.drain();
  auto cancel = h.layer.cancelClient(inv, h.now);
  ASSERT_TRUE(cancel);
  auto evs = h.receive(kDown, response(kInvite, 200));
  // The 2xx goes up, the CANCEL is never sent and is reported gone.
  ASSERT_EQ(count<ResponseReceived>(evs), 1u);
  EXPECT_EQ(count<SendTo>(evs), 0u);
  ASSERT_EQ(count<Terminated>(evs), 1u);
  EXPECT_EQ(firstOf<Terminated>(evs).client, cancel);
  EXPECT_FALSE(h.layer.cancelClient(inv, h.now));  // Accepted: nothing to cancel
}

TEST(InviteClient, CancelledInviteWithoutFinalTimesOut) {
  Harness h;
  auto inv = h.layer.sendRequest(tcp("192.0.2.20"), msg(kInvite), h.now);
  h.drain();
  h.at(1000);
  h.receive(tcp("192.0.2.20"), response(kInvite, 180));
  h.at(5000);
  auto cancel = h.layer.cancelClient(inv, h.now);
  EXPECT_EQ(count<SendTo>(h.drain()), 1u);
  Message ok = response(kInvite, 200);
  ok.setHeader(HeaderId::CSeq, "1 CANCEL");
  auto evs = h.receive(tcp("192.0.2.20"), std::move(ok));
  EXPECT_EQ(count<ResponseReceived>(evs), 1u);
  ASSERT_NE(first<Terminated>(evs), nullptr);  // Timer K = 0 over TCP
  EXPECT_EQ(firstOf<Terminated>(evs).client, cancel);
  // No 487 ever comes: §9.1 gives the INVITE up 64*T1 after the CANCEL.
  evs = h.runUntil(100000);
  ASSERT_NE(first<Timeout>(evs), nullptr);
  EXPECT_EQ(firstOf<Timeout>(evs).client, inv);
  EXPECT_EQ(evs.front().ms, 5000 + 32000);
  EXPECT_EQ(h.layer.size(), 0u);
}

// ---- non-INVITE client ----

TEST(NonInviteClient, TimerECappedAtT2ThenTimerF) {
  Harness h;
  auto id = h.layer.sendRequest(kDown, msg(kOptions), h.now);
  ASSERT_TRUE(id);
  EXPECT_EQ(h.layer.state(id), TxnState::Trying);
  h.drain();
  auto evs = h.runUntil(40000);
  // §17.1.2.2: E = 500, 1000, 2000, 4000 (T2), 4000, ...
  EXPECT_EQ(sendTimes(evs), (std::vector<long long>{500, 1500, 3500, 7500, 11500, 15500, 19500,
                                                    23500, 27500, 31500}));
  ASSERT_NE(first<Timeout>(evs), nullptr);
  EXPECT_EQ(firstOf<Timeout>(evs).client, id);
  EXPECT_EQ(evs.back().ms, 32000);
  EXPECT_NE(as<Terminated>(evs.back()), nullptr);
}

TEST(NonInviteClient, ProceedingRetransmitsEveryT2) {
  Harness h;
  auto id = h.layer.sendRequest(kDown, msg(kOptions), h.now);
  h.drain();
  h.runUntil(600);
  auto evs = h.receive(kDown, response(kOptions, 100));
  ASSERT_EQ(count<ResponseReceived>(evs), 1u);
  EXPECT_EQ(h.layer.state(id), TxnState::Proceeding);
  evs = h.runUntil(14000);
  // The E deadline already armed (1500) stands; from then on E = T2.
  EXPECT_EQ(sendTimes(evs), (std::vector<long long>{1500, 5500, 9500, 13500}));
}

TEST(NonInviteClient, FinalCompletesAndTimerKAbsorbsRetransmissions) {
  Harness h;
  auto id = h.layer.sendRequest(kDown, msg(kOptions), h.now);
  h.drain();
  h.at(200);
  auto evs = h.receive(kDown, response(kOptions, 200));
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_NE(as<ResponseReceived>(evs[0]), nullptr);
  EXPECT_EQ(h.layer.state(id), TxnState::Completed);
  EXPECT_TRUE(h.receive(kDown, response(kOptions, 200)).empty());
  EXPECT_TRUE(h.receive(kDown, response(kOptions, 100)).empty());
  evs = h.runUntil(60000);
  ASSERT_EQ(evs.size(), 1u);  // no retransmission in Completed
  EXPECT_EQ(evs[0].ms, 200 + 5000);  // K = T4
  EXPECT_NE(as<Terminated>(evs[0]), nullptr);
}

TEST(NonInviteClient, ReliableTransport) {
  Harness h;
  auto id = h.layer.sendRequest(tcp("192.0.2.20"), msg(kOptions), h.now);
  h.drain();
  EXPECT_EQ(h.layer.nextDeadline(), kT0 + 32s);  // only F
  h.at(50);
  auto evs = h.receive(tcp("192.0.2.20"), response(kOptions, 404));
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_NE(as<ResponseReceived>(evs[0]), nullptr);
  ASSERT_NE(as<Terminated>(evs[1]), nullptr);  // K = 0
  EXPECT_EQ(get<Terminated>(evs[1]).client, id);
  EXPECT_FALSE(h.layer.nextDeadline());
}

TEST(NonInviteClient, CancelOnlyAppliesToInvite) {
  Harness h;
  auto id = h.layer.sendRequest(kDown, msg(kOptions), h.now);
  EXPECT_FALSE(h.layer.cancelClient(id, h.now));
  EXPECT_FALSE(h.layer.cancelClient(ClientTransactionId{999}, h.now));
}

TEST(TransactionLayer, BadResponsesAreReported) {
  Harness h;
  Message noVia = response(kOptions, 200);
  noVia.removeHeaders(HeaderId::Via);
  auto evs = h.receive(kDown, std::move(noVia));
  ASSERT_EQ(evs.size(), 1u);
  ASSERT_NE(as<BadMessage>(evs[0]), nullptr);
  EXPECT_EQ(get<BadMessage>(evs[0]).error.code, 400);
}

TEST(TransactionLayer, SendStatelessQueuesBytesWithoutATransaction) {
  Harness h;
  h.layer.sendStateless(kDown, msg(kOptions));
  auto evs = h.drain();
  ASSERT_EQ(evs.size(), 1u);
  ASSERT_NE(as<SendTo>(evs[0]), nullptr);
  EXPECT_FALSE(get<SendTo>(evs[0]).client);
  EXPECT_FALSE(get<SendTo>(evs[0]).server);
  EXPECT_EQ(parseWire(get<SendTo>(evs[0]).bytes).methodText(), "OPTIONS");
  EXPECT_EQ(h.layer.size(), 0u);
}

}  // namespace
}  // namespace parley::sip::testing
