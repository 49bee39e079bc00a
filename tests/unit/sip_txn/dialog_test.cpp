// Dialogs (RFC 3261 §12, §13.2.2.4): creation on both sides, route sets, in-dialog requests.

#include "common/sip/txn/dialog.hpp"

#include <gtest/gtest.h>

#include <set>

#include "common/sip/txn/matching.hpp"
#include "txn_test_util.hpp"

namespace parley::sip::testing {
namespace {

// The INVITE as the UAC sent it, and as the UAS received it after two record-routing
// proxies (p1 next to the UAC, p2 next to the UAS: p2's entry is on top).
constexpr std::string_view kInviteSent =
    "INVITE sip:bob@example.com SIP/2.0\n"
    "Via: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bKd1\n"
    "Max-Forwards: 70\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=a1\n"
    "To: <sip:bob@example.com>\n"
    "Call-ID: dlg-1@example.com\n"
    "CSeq: 10 INVITE\n"
    "Contact: <sip:alice@192.0.2.10:5061;transport=tls>\n"
    "Proxy-Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"n\", "
    "uri=\"sip:bob@example.com\", response=\"0123456789abcdef0123456789abcdef\"\n"
    "Content-Length: 0\n"
    "\n";

constexpr std::string_view kInviteReceived =
    "INVITE sip:bob@192.0.2.20:5061;transport=tls SIP/2.0\n"
    "Via: SIP/2.0/TLS p2.example.com;branch=z9hG4bKp2\n"
    "Via: SIP/2.0/TLS p1.example.com;branch=z9hG4bKp1\n"
    "Via: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bKd1\n"
    "Max-Forwards: 68\n"
    "Record-Route: <sip:p2.example.com;lr>\n"
    "Record-Route: <sip:p1.example.com;lr>\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=a1\n"
    "To: <sip:bob@example.com>\n"
    "Call-ID: dlg-1@example.com\n"
    "CSeq: 10 INVITE\n"
    "Contact: <sip:alice@192.0.2.10:5061;transport=tls>\n"
    "Content-Length: 0\n"
    "\n";

// The UAS's 2xx, as the UAS sends it (and, Vias aside, as the UAC receives it).
Message okFromUas(std::string_view contact = "<sip:bob@192.0.2.20:5061;transport=tls>") {
  Message ok = makeResponse(msg(kInviteReceived), 200, {}, "b1");
  ok.addHeader(HeaderId::RecordRoute, "<sip:p2.example.com;lr>");
  ok.addHeader(HeaderId::RecordRoute, "<sip:p1.example.com;lr>");
  ok.addHeader(HeaderId::Contact, std::string(contact));
  return ok;
}

std::vector<std::string> routes(const Message& m) {
  std::vector<std::string> out;
  for (auto v : m.headerValues(HeaderId::Route)) out.emplace_back(v);
  return out;
}

std::vector<std::string> uris(const std::vector<Uri>& v) {
  std::vector<std::string> out;
  for (const auto& u : v) out.push_back(u.toString());
  return out;
}

TEST(Dialog, UacFrom2xx) {
  auto d = Dialog::createUac(msg(kInviteSent), okFromUas());
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->id(), (DialogId{"dlg-1@example.com", "a1", "b1"}));
  EXPECT_EQ(d->state(), Dialog::State::Confirmed);
  // §12.1.2: Record-Route reversed.
  EXPECT_EQ(uris(d->routeSet()),
            (std::vector<std::string>{"sip:p1.example.com;lr", "sip:p2.example.com;lr"}));
  EXPECT_EQ(d->remoteTarget().toString(), "sip:bob@192.0.2.20:5061;transport=tls");
  EXPECT_EQ(d->localTarget().toString(), "sip:alice@192.0.2.10:5061;transport=tls");
  EXPECT_EQ(d->localSeq(), 10u);
  EXPECT_FALSE(d->remoteSeq());

  Message bye = d->makeRequest("BYE");
  EXPECT_EQ(bye.methodText(), "BYE");
  // Loose routing: Request-URI is the remote target, Route is the route set.
  EXPECT_EQ(bye.requestUri().toString(), "sip:bob@192.0.2.20:5061;transport=tls");
  EXPECT_EQ(routes(bye),
            (std::vector<std::string>{"<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"}));
  EXPECT_EQ(bye.from()->tag(), "a1");
  EXPECT_EQ(bye.from()->displayName, "Alice");
  EXPECT_EQ(bye.to()->tag(), "b1");
  EXPECT_EQ(bye.to()->uri.toString(), "sip:bob@example.com");
  EXPECT_EQ(bye.callId(), "dlg-1@example.com");
  EXPECT_EQ(bye.cseq()->number, 11u);
  EXPECT_EQ(bye.cseq()->method, "BYE");
  EXPECT_EQ(bye.maxForwards(), 70);
  EXPECT_EQ(bye.headerCount(HeaderId::Contact), 0u);
  EXPECT_EQ(bye.headerCount(HeaderId::Via), 0u);  // the caller adds it
  EXPECT_EQ(d->localSeq(), 11u);
  EXPECT_EQ(Dialog::nextHop(bye).toString(), "sip:p1.example.com;lr");

  // It goes on the wire once the caller adds a Via.
  bye.prependHeader(HeaderId::Via, "SIP/2.0/TLS 192.0.2.10:5061;branch=" + makeBranch());
  Message wire = parseWire(bye.serialize());
  EXPECT_EQ(wire.methodText(), "BYE");
  EXPECT_EQ(wire.headers().front().id, HeaderId::Via);
}

TEST(Dialog, UasFromRequest) {
  Message invite = msg(kInviteReceived);
  Message ok = makeResponse(invite, 200, {}, "b1");
  ok.addHeader(HeaderId::Contact, "<sip:bob@192.0.2.20:5061;transport=tls>");
  auto d = Dialog::createUas(invite, ok);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->id(), (DialogId{"dlg-1@example.com", "b1", "a1"}));
  EXPECT_EQ(DialogId::fromIncomingRequest(invite).remoteTag, "a1");
  // §12.1.1: Record-Route in order.
  EXPECT_EQ(uris(d->routeSet()),
            (std::vector<std::string>{"sip:p2.example.com;lr", "sip:p1.example.com;lr"}));
  EXPECT_EQ(d->remoteTarget().toString(), "sip:alice@192.0.2.10:5061;transport=tls");
  EXPECT_EQ(d->remoteSeq(), 10u);
  EXPECT_FALSE(d->localSeq());

  Message bye = d->makeRequest("BYE");
  EXPECT_EQ(bye.requestUri().toString(), "sip:alice@192.0.2.10:5061;transport=tls");
  EXPECT_EQ(routes(bye),
            (std::vector<std::string>{"<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"}));
  EXPECT_EQ(bye.from()->tag(), "b1");
  EXPECT_EQ(bye.from()->uri.toString(), "sip:bob@example.com");
  EXPECT_EQ(bye.to()->tag(), "a1");
  EXPECT_EQ(bye.to()->displayName, "Alice");
  EXPECT_EQ(bye.cseq()->number, 1u);  // the UAS's own CSeq space
}

TEST(Dialog, UasNeedsOurTagAndTheirContact) {
  Message invite = msg(kInviteReceived);
  EXPECT_FALSE(Dialog::createUas(invite, makeResponse(invite, 200)).ok());
  Message noContact = invite;
  noContact.removeHeaders(HeaderId::Contact);
  auto r = Dialog::createUas(noContact, makeResponse(invite, 200, {}, "b1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 400);
  EXPECT_FALSE(Dialog::createUas(invite, makeResponse(invite, 100)).ok());
  EXPECT_FALSE(Dialog::createUas(invite, makeResponse(invite, 486, {}, "b1")).ok());
}

TEST(Dialog, StrictRouterFirst) {
  Message ok = makeResponse(msg(kInviteReceived), 200, {}, "b1");
  ok.addHeader(HeaderId::RecordRoute, "<sip:p2.example.com;lr>");
  ok.addHeader(HeaderId::RecordRoute, "<sip:strict.example.com;transport=tcp;method=INVITE>");
  ok.addHeader(HeaderId::Contact, "<sip:bob@192.0.2.20:5061;transport=tls>");
  auto d = Dialog::createUac(msg(kInviteSent), ok);
  ASSERT_TRUE(d.ok());
  Message info = d->makeRequest("INFO");
  // §12.2.1.1: the strict router's URI (without the method parameter) is the Request-URI;
  // the rest of the route set follows, and the remote target goes last.
  EXPECT_EQ(info.requestUri().toString(), "sip:strict.example.com;transport=tcp");
  EXPECT_EQ(routes(info), (std::vector<std::string>{"<sip:p2.example.com;lr>",
                                                    "<sip:bob@192.0.2.20:5061;transport=tls>"}));
  EXPECT_EQ(Dialog::nextHop(info).toString(), "sip:p2.example.com;lr");
}

TEST(Dialog, NoRouteSet) {
  Message ok = makeResponse(msg(kInviteReceived), 200, {}, "b1");
  ok.addHeader(HeaderId::Contact, "<sip:bob@192.0.2.20>");
  auto d = Dialog::createUac(msg(kInviteSent), ok);
  ASSERT_TRUE(d.ok());
  Message m = d->makeRequest("MESSAGE");
  EXPECT_EQ(m.requestUri().toString(), "sip:bob@192.0.2.20");
  EXPECT_EQ(m.headerCount(HeaderId::Route), 0u);
  EXPECT_EQ(Dialog::nextHop(m).toString(), "sip:bob@192.0.2.20");
}

TEST(Dialog, ReInviteCarriesContactAndRefreshesTarget) {
  auto d = Dialog::createUac(msg(kInviteSent), okFromUas());
  ASSERT_TRUE(d.ok());
  Message reinvite = d->makeRequest("INVITE");
  EXPECT_EQ(reinvite.cseq()->number, 11u);
  ASSERT_EQ(reinvite.headerCount(HeaderId::Contact), 1u);
  EXPECT_EQ(reinvite.contacts()->front().uri.toString(),
            "sip:alice@192.0.2.10:5061;transport=tls");
  // The 2xx to it moves the remote target (§12.2.1.2).
  Message ok = makeResponse(reinvite, 200);
  ok.addHeader(HeaderId::Contact, "<sip:bob@198.51.100.7:5061;transport=tls>");
  d->onResponse(ok, false);
  EXPECT_EQ(d->remoteTarget().toString(), "sip:bob@198.51.100.7:5061;transport=tls");
  // A 2xx to INFO is not a target refresh.
  Message info = d->makeRequest("INFO");
  Message infoOk = makeResponse(info, 200);
  infoOk.addHeader(HeaderId::Contact, "<sip:elsewhere@203.0.113.1>");
  d->onResponse(infoOk, false);
  EXPECT_EQ(d->remoteTarget().toString(), "sip:bob@198.51.100.7:5061;transport=tls");
  // 481 to a request in the dialog ends it.
  d->onResponse(makeResponse(d->makeRequest("BYE"), 481), false);
  EXPECT_EQ(d->state(), Dialog::State::Terminated);
}

TEST(Dialog, AckFor2xx) {
  Message invite = msg(kInviteSent);
  auto d = Dialog::createUac(invite, okFromUas());
  ASSERT_TRUE(d.ok());
  Message ack = d->makeAck(invite);
  EXPECT_EQ(ack.methodText(), "ACK");
  EXPECT_EQ(ack.cseq()->number, 10u);  // the INVITE's number (§13.2.2.4)
  EXPECT_EQ(ack.cseq()->method, "ACK");
  EXPECT_EQ(d->localSeq(), 10u);       // an ACK does not advance the local CSeq
  EXPECT_EQ(ack.requestUri().toString(), "sip:bob@192.0.2.20:5061;transport=tls");
  EXPECT_EQ(routes(ack).size(), 2u);
  EXPECT_EQ(ack.to()->tag(), "b1");
  EXPECT_EQ(ack.headerCount(HeaderId::ProxyAuthorization), 1u);  // same credentials
}

TEST(Dialog, EarlyDialogConfirmedBy2xxRecomputesRoutes) {
  Message invite = msg(kInviteSent);
  Message ringing = makeResponse(msg(kInviteReceived), 180, {}, "b1");
  ringing.addHeader(HeaderId::RecordRoute, "<sip:p1.example.com;lr>");
  ringing.addHeader(HeaderId::Contact, "<sip:bob@192.0.2.20:5061;transport=tls>");
  auto d = Dialog::createUac(invite, ringing);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->isEarly());
  EXPECT_EQ(d->routeSet().size(), 1u);
  d->onResponse(okFromUas("<sip:bob@192.0.2.22:5061;transport=tls>"), true);
  EXPECT_EQ(d->state(), Dialog::State::Confirmed);
  EXPECT_EQ(uris(d->routeSet()),
            (std::vector<std::string>{"sip:p1.example.com;lr", "sip:p2.example.com;lr"}));
  EXPECT_EQ(d->remoteTarget().toString(), "sip:bob@192.0.2.22:5061;transport=tls");

  // A non-2xx final ends an early dialog.
  auto e = Dialog::createUac(invite, ringing);
  ASSERT_TRUE(e.ok());
  e->onResponse(makeResponse(invite, 486, {}, "b1"), true);
  EXPECT_EQ(e->state(), Dialog::State::Terminated);
  // A provisional without a To tag makes no dialog; a 100 never does.
  EXPECT_FALSE(Dialog::createUac(invite, makeResponse(invite, 180)).ok());
  EXPECT_FALSE(Dialog::createUac(invite, makeResponse(invite, 100)).ok());
}

TEST(Dialog, RemoteCSeqOrdering) {
  Message invite = msg(kInviteReceived);
  Message ok = makeResponse(invite, 200, {}, "b1");
  ok.addHeader(HeaderId::Contact, "<sip:bob@192.0.2.20>");
  auto d = Dialog::createUas(invite, ok);
  ASSERT_TRUE(d.ok());
  Message bye = invite;
  bye.setMethod("BYE");
  bye.setHeader(HeaderId::CSeq, "12 BYE");
  EXPECT_TRUE(d->onRequest(bye).ok());
  EXPECT_EQ(d->remoteSeq(), 12u);
  Message old = invite;
  old.setMethod("INFO");
  old.setHeader(HeaderId::CSeq, "11 INFO");
  auto r = d->onRequest(old);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 500);  // §12.2.2
  Message ack = invite;
  ack.setMethod("ACK");
  ack.setHeader(HeaderId::CSeq, "10 ACK");
  EXPECT_TRUE(d->onRequest(ack).ok());
  EXPECT_EQ(d->remoteSeq(), 12u);
}

TEST(DialogSet, FindsByIncomingMessages) {
  DialogSet set;
  Message invite = msg(kInviteSent);
  Message ok1 = okFromUas();
  Message ok2 = makeResponse(msg(kInviteReceived), 200, {}, "b2");  // another fork
  ok2.addHeader(HeaderId::Contact, "<sip:bob@192.0.2.99>");
  auto d1 = Dialog::createUac(invite, ok1);
  auto d2 = Dialog::createUac(invite, ok2);
  ASSERT_TRUE(d1.ok() && d2.ok());
  set.insert(std::move(*d1));
  set.insert(std::move(*d2));
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.idsFor("dlg-1@example.com", "a1").size(), 2u);

  // A response finds its dialog by From tag (ours) and To tag (theirs).
  Dialog* found = set.findForResponse(ok2);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->remoteTarget().toString(), "sip:bob@192.0.2.99");

  // A request from the far end (a BYE) finds it by To tag (ours) and From tag (theirs).
  Message bye = msg(
      "BYE sip:alice@192.0.2.10:5061;transport=tls SIP/2.0\n"
      "Via: SIP/2.0/TLS 192.0.2.20:5061;branch=z9hG4bKbye\n"
      "Max-Forwards: 70\n"
      "From: <sip:bob@example.com>;tag=b1\n"
      "To: \"Alice\" <sip:alice@example.com>;tag=a1\n"
      "Call-ID: dlg-1@example.com\n"
      "CSeq: 1 BYE\n"
      "Content-Length: 0\n"
      "\n");
  ASSERT_NE(set.findForRequest(bye), nullptr);
  EXPECT_EQ(set.findForRequest(bye)->id().remoteTag, "b1");
  EXPECT_TRUE(set.erase(DialogId{"dlg-1@example.com", "a1", "b1"}));
  EXPECT_EQ(set.findForRequest(bye), nullptr);
  EXPECT_FALSE(set.erase(DialogId{"dlg-1@example.com", "a1", "b1"}));
  EXPECT_EQ(set.size(), 1u);
}

TEST(Branch, MagicCookieAndUniqueness) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string b = makeBranch();
    EXPECT_EQ(b.rfind("z9hG4bK", 0), 0u);
    EXPECT_EQ(b.size(), 7u + 32u);
    EXPECT_TRUE(hasMagicCookie(b));
    seen.insert(std::move(b));
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(makeTag().size(), 16u);
  EXPECT_NE(makeTag(), makeTag());
}

}  // namespace
}  // namespace parley::sip::testing
