// The Front End's SIP logic driven through its sans-I/O interface: raw SIP text in, what it
// would put on the wire out, with fake time. No sockets, no SQLite.
#include "frontend/core.hpp"

#include <gtest/gtest.h>

#include <map>

#include "common/base/crypto.hpp"
#include "common/sip/parser.hpp"

namespace parley::frontend {
namespace {

constexpr int64_t kUnixStart = 1'800'000'000;

class FakeUsers : public UserDirectory {
 public:
  void add(const std::string& user, const std::string& password, const std::string& line = "") {
    UserRecord r;
    r.aor = "sip:" + user + "@parley.test";
    r.realm = "parley.test";
    r.lineUri = line;
    r.ha1Md5 = crypto::md5Hex(user + ":parley.test:" + password);
    r.ha1Sha256 = crypto::sha256Hex(user + ":parley.test:" + password);
    users_[r.aor] = r;
  }
  std::optional<UserRecord> findUser(const std::string& aor) override {
    auto it = users_.find(aor);
    if (it == users_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<UserRecord> findByLine(const std::string& tel) override {
    for (const auto& [k, u] : users_) {
      if (!u.lineUri.empty() && u.lineUri == tel) return u;
    }
    return std::nullopt;
  }
  std::map<std::string, UserRecord> users_;
};

class FakeSink : public RegistrationSink {
 public:
  void saveBinding(const Binding& b) override { saved[b.aor + "|" + b.contact] = b; }
  void deleteBinding(const Binding& b) override { saved.erase(b.aor + "|" + b.contact); }
  std::vector<Binding> loadBindings(int64_t now) override {
    std::vector<Binding> out;
    for (const auto& [k, b] : saved) {
      if (b.expiresAt > now) out.push_back(b);
    }
    return out;
  }
  std::map<std::string, Binding> saved;
};

sip::Peer udpPeer(uint16_t port) { return sip::Peer{sip::Transport::Udp, "127.0.0.1", port, 0}; }
sip::Peer tlsPeer(uint16_t port, uint64_t conn) {
  return sip::Peer{sip::Transport::Tls, "127.0.0.1", port, conn};
}

FrontendConfig testConfig() {
  FrontendConfig cfg;
  cfg.pool = "fe.parley.test";
  cfg.listen = {ListenConfig{sip::Transport::Udp, "127.0.0.1", 5060, "127.0.0.1"},
                ListenConfig{sip::Transport::Tls, "127.0.0.1", 5061, "127.0.0.1"}};
  cfg.authAlgorithms = {"MD5"};
  return cfg;
}

class CoreTest : public ::testing::Test {
 protected:
  CoreTest() : cfg_(testConfig()) {
    users_.add("alice", "alice-pw", "tel:+15550101");
    users_.add("bob", "bob-pw", "tel:+15550102");
    core_ = std::make_unique<FrontendCore>(cfg_, "parley.test", users_, sink_);
  }

  std::vector<Outbound> send(const sip::Peer& from, const std::string& text) {
    core_->onMessage(from, text, now_, unix_);
    std::vector<Outbound> out;
    while (auto o = core_->poll()) out.push_back(std::move(*o));
    return out;
  }
  static sip::Message parse(const Outbound& o) {
    auto m = sip::parseMessage(o.bytes);
    EXPECT_TRUE(m.ok()) << o.bytes;
    return m.ok() ? std::move(m).value() : sip::Message::response(0, "");
  }
  // The first message of `out` that is a response with `status` (or a request `method`).
  static std::optional<sip::Message> findResponse(const std::vector<Outbound>& out, int status) {
    for (const auto& o : out) {
      auto m = sip::parseMessage(o.bytes);
      if (m && m->isResponse() && m->status() == status) return std::move(m).value();
    }
    return std::nullopt;
  }
  static std::optional<std::pair<sip::Peer, sip::Message>> findRequest(const std::vector<Outbound>& out,
                                                                       std::string_view method) {
    for (const auto& o : out) {
      auto m = sip::parseMessage(o.bytes);
      if (m && m->isRequest() && m->methodText() == method) return std::make_pair(o.to, std::move(m).value());
    }
    return std::nullopt;
  }

  static std::string param(const std::string& header, const std::string& name) {
    auto pos = header.find(name + "=");
    if (pos == std::string::npos) return "";
    pos += name.size() + 1;
    if (header[pos] == '"') return header.substr(pos + 1, header.find('"', pos + 1) - pos - 1);
    auto end = header.find_first_of(", ", pos);
    return header.substr(pos, end - pos);
  }

  // RFC 2617/7616 digest response with qop=auth, computed here independently.
  static std::string authorization(const std::string& challenge, const std::string& user,
                                   const std::string& password, const std::string& method,
                                   const std::string& uri, const std::string& nc) {
    std::string realm = param(challenge, "realm");
    std::string nonce = param(challenge, "nonce");
    std::string ha1 = crypto::md5Hex(user + ":" + realm + ":" + password);
    std::string ha2 = crypto::md5Hex(method + ":" + uri);
    std::string cnonce = "0a4f113b";
    std::string response = crypto::md5Hex(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
    return "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce +
           "\", uri=\"" + uri + "\", response=\"" + response + "\", algorithm=MD5, cnonce=\"" +
           cnonce + "\", qop=auth, nc=" + nc;
  }

  static std::string registerText(const std::string& user, uint16_t port, int cseq,
                                  const std::string& auth = "", const std::string& transport = "UDP",
                                  const std::string& expires = "3600",
                                  const std::string& callId = "reg-") {
    std::string t = transport == "UDP" ? "" : ";transport=" + std::string(transport == "TLS" ? "tls" : "tcp");
    std::string text = "REGISTER sip:parley.test SIP/2.0\r\n"
                       "Via: SIP/2.0/" + transport + " 127.0.0.1:" + std::to_string(port) +
                       ";branch=z9hG4bK-reg-" + user + std::to_string(cseq) + std::to_string(port) + ";rport\r\n"
                       "Max-Forwards: 70\r\n"
                       "From: <sip:" + user + "@parley.test>;tag=rt" + user + "\r\n"
                       "To: <sip:" + user + "@parley.test>\r\n"
                       "Call-ID: " + callId + user + std::to_string(port) + "\r\n"
                       "CSeq: " + std::to_string(cseq) + " REGISTER\r\n"
                       "Contact: <sip:" + user + "@127.0.0.1:" + std::to_string(port) + t + ">\r\n"
                       "Expires: " + expires + "\r\n";
    if (!auth.empty()) text += "Authorization: " + auth + "\r\n";
    return text + "Content-Length: 0\r\n\r\n";
  }

  // REGISTER, answer the challenge, expect 200.
  void signIn(const std::string& user, const std::string& password, const sip::Peer& from,
              const std::string& transport = "UDP") {
    auto first = send(from, registerText(user, from.port, 1, "", transport));
    auto challenge = findResponse(first, 401);
    ASSERT_TRUE(challenge);
    std::string wwwAuth(*challenge->header(sip::HeaderId::WwwAuthenticate));
    auto second = send(from, registerText(user, from.port, 2,
                                          authorization(wwwAuth, user, password, "REGISTER", "sip:parley.test", "00000001"),
                                          transport));
    ASSERT_TRUE(findResponse(second, 200)) << (second.empty() ? "" : second[0].bytes);
  }

  std::string inviteText(const std::string& from, const std::string& to, uint16_t port,
                         const std::string& branch, const std::string& auth = "", int cseq = 1) {
    const std::string ruri = "sip:" + (to.find('@') != std::string::npos ? to : to + "@parley.test");
    std::string text = "INVITE " + ruri + " SIP/2.0\r\n"
                       "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(port) + ";branch=" + branch + "\r\n"
                       "Max-Forwards: 70\r\n"
                       "From: \"" + from + "\" <sip:" + from + "@parley.test>;tag=caller1\r\n"
                       "To: <" + ruri + ">\r\n"
                       "Call-ID: call-" + branch + "\r\n"
                       "CSeq: " + std::to_string(cseq) + " INVITE\r\n"
                       "Contact: <sip:" + from + "@127.0.0.1:" + std::to_string(port) + ">\r\n"
                       "Content-Type: application/sdp\r\n";
    if (!auth.empty()) text += "Proxy-Authorization: " + auth + "\r\n";
    std::string sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    return text + "Content-Length: " + std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
  }

  // Sends an INVITE from `from` (UDP port) to `to`, answering the 407. Returns the output.
  std::vector<Outbound> authedInvite(const std::string& from, const std::string& password,
                                     const std::string& to, uint16_t port, const std::string& branch) {
    auto first = send(udpPeer(port), inviteText(from, to, port, branch + "a"));
    auto challenge = findResponse(first, 407);
    EXPECT_TRUE(challenge);
    if (!challenge) return {};
    // ACK the 407 (absorbed by the transaction).
    send(udpPeer(port), "ACK sip:" + to + "@parley.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" +
                            std::to_string(port) + ";branch=" + branch + "a\r\nMax-Forwards: 70\r\nFrom: <sip:" + from +
                            "@parley.test>;tag=caller1\r\nTo: <sip:" + to + "@parley.test>;tag=" +
                            challenge->to()->tag() + "\r\nCall-ID: call-" + branch + "a\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
    std::string pa(*challenge->header(sip::HeaderId::ProxyAuthenticate));
    const std::string ruri = "sip:" + (to.find('@') != std::string::npos ? to : to + "@parley.test");
    return send(udpPeer(port), inviteText(from, to, port, branch,
                                          authorization(pa, from, password, "INVITE", ruri, "00000001"), 2));
  }

  FrontendConfig cfg_;
  FakeUsers users_;
  FakeSink sink_;
  std::unique_ptr<FrontendCore> core_;
  TimePoint now_{std::chrono::hours(10)};
  int64_t unix_ = kUnixStart;
};

TEST_F(CoreTest, RegisterIsChallengedThenAccepted) {
  auto out = send(udpPeer(5070), registerText("alice", 5070, 1));
  ASSERT_EQ(out.size(), 1u);
  auto resp = parse(out[0]);
  EXPECT_EQ(resp.status(), 401);
  EXPECT_EQ(out[0].to, udpPeer(5070));
  signIn("alice", "alice-pw", udpPeer(5071));
  auto bindings = core_->location().lookup("sip:alice@parley.test", unix_);
  ASSERT_EQ(bindings.size(), 1u);
  EXPECT_EQ(bindings[0].contact, "sip:alice@127.0.0.1:5071");
  EXPECT_EQ(sink_.saved.size(), 1u);  // written through to the store
}

TEST_F(CoreTest, AnswersToRegistrationChangesWaitForTheStore) {
  auto first = send(udpPeer(5070), registerText("alice", 5070, 1));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_FALSE(first[0].afterCommit);  // a challenge changes nothing
  std::string wwwAuth(*findResponse(first, 401)->header(sip::HeaderId::WwwAuthenticate));
  auto second = send(udpPeer(5070), registerText("alice", 5070, 2,
                                                 authorization(wwwAuth, "alice", "alice-pw", "REGISTER", "sip:parley.test", "00000001")));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(parse(second[0]).status(), 200);
  EXPECT_TRUE(second[0].afterCommit);  // the shell commits the binding before sending
}

TEST_F(CoreTest, WrongPasswordNeverRegisters) {
  auto first = send(udpPeer(5070), registerText("alice", 5070, 1));
  std::string wwwAuth(*findResponse(first, 401)->header(sip::HeaderId::WwwAuthenticate));
  auto second = send(udpPeer(5070), registerText("alice", 5070, 2,
                                                 authorization(wwwAuth, "alice", "guess", "REGISTER", "sip:parley.test", "00000001")));
  EXPECT_TRUE(findResponse(second, 401));
  EXPECT_FALSE(findResponse(second, 200));
  EXPECT_TRUE(core_->location().lookup("sip:alice@parley.test", unix_).empty());
}

TEST_F(CoreTest, ReplayedNonceCountIsRefused) {
  auto first = send(udpPeer(5070), registerText("alice", 5070, 1));
  std::string wwwAuth(*findResponse(first, 401)->header(sip::HeaderId::WwwAuthenticate));
  std::string creds = authorization(wwwAuth, "alice", "alice-pw", "REGISTER", "sip:parley.test", "00000001");
  EXPECT_TRUE(findResponse(send(udpPeer(5070), registerText("alice", 5070, 2, creds)), 200));
  // The same credentials again (a captured REGISTER replayed, new transaction).
  auto replay = send(udpPeer(5070), registerText("alice", 5070, 3, creds));
  EXPECT_TRUE(findResponse(replay, 401));
}

TEST_F(CoreTest, CredentialsOfOneUserCannotRegisterAnother) {
  auto first = send(udpPeer(5070), registerText("bob", 5070, 1));
  std::string wwwAuth(*findResponse(first, 401)->header(sip::HeaderId::WwwAuthenticate));
  auto second = send(udpPeer(5070), registerText("bob", 5070, 2,
                                                 authorization(wwwAuth, "alice", "alice-pw", "REGISTER", "sip:parley.test", "00000001")));
  EXPECT_TRUE(findResponse(second, 403));
}

TEST_F(CoreTest, UnRegisterRemovesTheBinding) {
  signIn("alice", "alice-pw", udpPeer(5071));
  auto first = send(udpPeer(5071), registerText("alice", 5071, 3, "", "UDP", "0"));
  std::string wwwAuth(*findResponse(first, 401)->header(sip::HeaderId::WwwAuthenticate));
  auto second = send(udpPeer(5071), registerText("alice", 5071, 4,
                                                 authorization(wwwAuth, "alice", "alice-pw", "REGISTER", "sip:parley.test", "00000001"),
                                                 "UDP", "0"));
  EXPECT_TRUE(findResponse(second, 200));
  EXPECT_TRUE(core_->location().lookup("sip:alice@parley.test", unix_).empty());
  EXPECT_TRUE(sink_.saved.empty());
}

TEST_F(CoreTest, RegistrationsExpire) {
  signIn("alice", "alice-pw", udpPeer(5071));
  unix_ += 3601;
  EXPECT_TRUE(core_->location().lookup("sip:alice@parley.test", unix_).empty());
}

TEST_F(CoreTest, OptionsToTheServerIsAnsweredLocally) {
  auto out = send(udpPeer(5070),
                  "OPTIONS sip:127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKopt1\r\n"
                  "Max-Forwards: 70\r\nFrom: <sip:probe@example.org>;tag=1\r\nTo: <sip:127.0.0.1:5060>\r\n"
                  "Call-ID: opt1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
  auto ok = findResponse(out, 200);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->header(sip::HeaderId::Allow));
}

TEST_F(CoreTest, InviteToUnknownUserIs404AndToOfflineUserIs480) {
  auto out = authedInvite("alice", "alice-pw", "nobody", 5070, "z9hG4bKinv404");
  EXPECT_TRUE(findResponse(out, 404));
  out = authedInvite("alice", "alice-pw", "bob", 5070, "z9hG4bKinv480");
  EXPECT_TRUE(findResponse(out, 480));
}

TEST_F(CoreTest, UnauthenticatedInviteFromOurUserIsChallenged) {
  signIn("bob", "bob-pw", udpPeer(5080));
  auto out = send(udpPeer(5070), inviteText("alice", "bob", 5070, "z9hG4bKnoauth"));
  EXPECT_TRUE(findResponse(out, 407));
  EXPECT_FALSE(findRequest(out, "INVITE"));
}

TEST_F(CoreTest, CallIsProxiedWithRecordRouteAndResponsesRelayed) {
  signIn("bob", "bob-pw", udpPeer(5080));
  auto out = authedInvite("alice", "alice-pw", "bob", 5070, "z9hG4bKcall1");
  auto fwd = findRequest(out, "INVITE");
  ASSERT_TRUE(fwd);
  EXPECT_EQ(fwd->first, udpPeer(5080));
  const sip::Message& inv = fwd->second;
  EXPECT_EQ(inv.requestUri().toString(), "sip:bob@127.0.0.1:5080");
  EXPECT_EQ(inv.headerCount(sip::HeaderId::Via), 2u);
  EXPECT_EQ(inv.header(sip::HeaderId::RecordRoute).value_or(""), "<sip:127.0.0.1:5060;lr>");
  EXPECT_EQ(inv.maxForwards(), 69);
  EXPECT_FALSE(inv.header(sip::HeaderId::ProxyAuthorization));  // our credentials stop here
  EXPECT_FALSE(inv.body.empty());
  // The callee rings and answers: both go back to the caller with our Via removed.
  sip::Message ringing = sip::makeResponse(inv, 180, "Ringing", "callee1");
  auto up = send(udpPeer(5080), ringing.serialize());
  auto r180 = findResponse(up, 180);
  ASSERT_TRUE(r180);
  EXPECT_EQ(r180->headerCount(sip::HeaderId::Via), 1u);
  sip::Message ok = sip::makeResponse(inv, 200, "OK", "callee1");
  ok.addHeader(sip::HeaderId::Contact, "<sip:bob@127.0.0.1:5080>");
  up = send(udpPeer(5080), ok.serialize());
  ASSERT_TRUE(findResponse(up, 200));
  EXPECT_EQ(up[0].to, udpPeer(5070));
  // The ACK for the 2xx follows the route set to the callee.
  auto ack = send(udpPeer(5070),
                  "ACK sip:bob@127.0.0.1:5080 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKack1\r\n"
                  "Route: <sip:127.0.0.1:5060;lr>\r\nMax-Forwards: 70\r\nFrom: <sip:alice@parley.test>;tag=caller1\r\n"
                  "To: <sip:bob@parley.test>;tag=callee1\r\nCall-ID: call-z9hG4bKcall1\r\nCSeq: 2 ACK\r\n"
                  "Content-Length: 0\r\n\r\n");
  auto fwdAck = findRequest(ack, "ACK");
  ASSERT_TRUE(fwdAck);
  EXPECT_EQ(fwdAck->first, udpPeer(5080));
  EXPECT_FALSE(fwdAck->second.header(sip::HeaderId::Route));
}

TEST_F(CoreTest, ForkingRingsEveryDeviceAndCancelsTheOthersOnAnswer) {
  signIn("bob", "bob-pw", udpPeer(5080));
  signIn("bob", "bob-pw", udpPeer(5081));
  auto out = authedInvite("alice", "alice-pw", "bob", 5070, "z9hG4bKfork");
  std::vector<sip::Message> invites;
  std::vector<sip::Peer> targets;
  for (const auto& o : out) {
    auto m = sip::parseMessage(o.bytes);
    if (m && m->isRequest() && m->method() == sip::Method::Invite) {
      invites.push_back(std::move(m).value());
      targets.push_back(o.to);
    }
  }
  ASSERT_EQ(invites.size(), 2u);
  EXPECT_NE(targets[0], targets[1]);
  // Both ring; the first answers.
  send(targets[0], sip::makeResponse(invites[0], 180, "Ringing", "d1").serialize());
  send(targets[1], sip::makeResponse(invites[1], 180, "Ringing", "d2").serialize());
  auto up = send(targets[0], sip::makeResponse(invites[0], 200, "OK", "d1").serialize());
  EXPECT_TRUE(findResponse(up, 200));
  auto cancel = findRequest(up, "CANCEL");
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->first, targets[1]);
  EXPECT_EQ(cancel->second.topVia()->branch(), invites[1].topVia()->branch());
}

TEST_F(CoreTest, CallerCancelGets200And487) {
  signIn("bob", "bob-pw", udpPeer(5080));
  auto out = authedInvite("alice", "alice-pw", "bob", 5070, "z9hG4bKcxl");
  auto fwd = findRequest(out, "INVITE");
  ASSERT_TRUE(fwd);
  send(udpPeer(5080), sip::makeResponse(fwd->second, 180, "Ringing", "b1").serialize());
  auto cx = send(udpPeer(5070),
                 "CANCEL sip:bob@parley.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKcxl\r\n"
                 "Max-Forwards: 70\r\nFrom: \"alice\" <sip:alice@parley.test>;tag=caller1\r\nTo: <sip:bob@parley.test>\r\n"
                 "Call-ID: call-z9hG4bKcxl\r\nCSeq: 2 CANCEL\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(findResponse(cx, 200));
  EXPECT_TRUE(findResponse(cx, 487));
  auto downstream = findRequest(cx, "CANCEL");
  ASSERT_TRUE(downstream);
  EXPECT_EQ(downstream->first, udpPeer(5080));
}

TEST_F(CoreTest, RequestsToATlsDeviceReuseItsConnection) {
  signIn("bob", "bob-pw", tlsPeer(40000, 7), "TLS");
  auto out = authedInvite("alice", "alice-pw", "bob", 5070, "z9hG4bKtls");
  auto fwd = findRequest(out, "INVITE");
  ASSERT_TRUE(fwd);
  EXPECT_EQ(fwd->first.connectionId, 7u);
  EXPECT_EQ(fwd->first.transport, sip::Transport::Tls);
  // UDP caller, TLS callee: two Record-Routes, the callee-facing one on top.
  auto rr = fwd->second.headerValues(sip::HeaderId::RecordRoute);
  ASSERT_EQ(rr.size(), 2u);
  EXPECT_EQ(rr[0], "<sip:127.0.0.1:5061;transport=tls;lr>");
  EXPECT_EQ(rr[1], "<sip:127.0.0.1:5060;lr>");
}

TEST_F(CoreTest, PageModeMessageIsDelivered) {
  signIn("bob", "bob-pw", udpPeer(5080));
  auto first = send(udpPeer(5070),
                    "MESSAGE sip:bob@parley.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKim1\r\n"
                    "Max-Forwards: 70\r\nFrom: <sip:alice@parley.test>;tag=im1\r\nTo: <sip:bob@parley.test>\r\n"
                    "Call-ID: im1\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
  auto challenge = findResponse(first, 407);
  ASSERT_TRUE(challenge);
  std::string pa(*challenge->header(sip::HeaderId::ProxyAuthenticate));
  auto out = send(udpPeer(5070),
                  "MESSAGE sip:bob@parley.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKim2\r\n"
                  "Max-Forwards: 70\r\nFrom: <sip:alice@parley.test>;tag=im1\r\nTo: <sip:bob@parley.test>\r\n"
                  "Call-ID: im1\r\nCSeq: 2 MESSAGE\r\nProxy-Authorization: " +
                      authorization(pa, "alice", "alice-pw", "MESSAGE", "sip:bob@parley.test", "00000001") +
                      "\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
  auto fwd = findRequest(out, "MESSAGE");
  ASSERT_TRUE(fwd);
  EXPECT_EQ(fwd->second.body, "hello");
  EXPECT_FALSE(fwd->second.header(sip::HeaderId::RecordRoute));  // MESSAGE makes no dialog
  auto up = send(udpPeer(5080), sip::makeResponse(fwd->second, 200, "OK", "b").serialize());
  EXPECT_TRUE(findResponse(up, 200));
}

TEST_F(CoreTest, CallToALineNumberReachesItsUser) {
  signIn("bob", "bob-pw", udpPeer(5080));
  // sip:+15550102@parley.test;user=phone is Bob's number (reverse number lookup).
  auto out = authedInvite("alice", "alice-pw", "+15550102@parley.test;user=phone", 5070, "z9hG4bKtel");
  auto fwd = findRequest(out, "INVITE");
  ASSERT_TRUE(fwd);
  EXPECT_EQ(fwd->first, udpPeer(5080));
  // Without user=phone it is a user name, and there is no such user.
  out = authedInvite("alice", "alice-pw", "+15550102", 5070, "z9hG4bKtel2");
  EXPECT_TRUE(findResponse(out, 404));
}

TEST_F(CoreTest, MalformedRequestGets400AndOthersAreStillServed) {
  auto out = send(udpPeer(5070),
                  "INVITE sip:bob@parley.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKbad\r\n"
                  "Max-Forwards: 70\r\nFrom: <sip:alice@parley.test>;tag=1\r\nTo: <sip:bob@parley.test>\r\n"
                  "Call-ID: bad1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(parse(out[0]).status(), 400);
  signIn("alice", "alice-pw", udpPeer(5071));
}

TEST_F(CoreTest, UnparsableRequestStillGets400WithReason) {
  auto out = send(udpPeer(5070),
                  "INVITE sip:bob@parley.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx\r\n"
                  "From: <sip:alice@parley.test>;tag=1\r\nTo: <sip:bob@parley.test>\r\nCall-ID: x\r\n"
                  "CSeq: 1 INVITE\r\nContent-Length: -5\r\n\r\n");
  ASSERT_EQ(out.size(), 1u);
  auto resp = parse(out[0]);
  EXPECT_EQ(resp.status(), 400);
  EXPECT_EQ(resp.callId(), "x");
}

TEST_F(CoreTest, RegistrationsSurviveARestart) {
  signIn("bob", "bob-pw", udpPeer(5080));
  // A new core over the same store: what a restart (kill -9 included) sees.
  core_ = std::make_unique<FrontendCore>(cfg_, "parley.test", users_, sink_);
  core_->restoreRegistrations(unix_);
  auto out = authedInvite("alice", "alice-pw", "bob", 5070, "z9hG4bKrestart");
  auto fwd = findRequest(out, "INVITE");
  ASSERT_TRUE(fwd);
  EXPECT_EQ(fwd->first, udpPeer(5080));
}

TEST_F(CoreTest, CallsToAnotherDomainAreRoutedByDns) {
  auto out = authedInvite("alice", "alice-pw", "dave@partner.test", 5070, "z9hG4bKfed");
  EXPECT_FALSE(findRequest(out, "INVITE"));  // nothing goes out before the name resolves
  auto query = core_->pollResolve();
  ASSERT_TRUE(query);
  EXPECT_EQ(query->uri.host, "partner.test");
  core_->onResolved(query->token, {ResolvedTarget{sip::Peer{sip::Transport::Tls, "127.0.0.9", 5061, 0}, "partner.test"}},
                    "", now_, unix_);
  std::vector<Outbound> sent;
  while (auto o = core_->poll()) sent.push_back(std::move(*o));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to.address, "127.0.0.9");
  EXPECT_EQ(sent[0].serverName, "partner.test");  // the certificate must name the domain
  EXPECT_EQ(parse(sent[0]).requestUri().toString(), "sip:dave@partner.test");
}

TEST_F(CoreTest, UnresolvableDomainIs503) {
  auto out = authedInvite("alice", "alice-pw", "dave@nowhere.test", 5070, "z9hG4bKnx");
  auto query = core_->pollResolve();
  ASSERT_TRUE(query);
  core_->onResolved(query->token, {}, "nowhere.test: no such domain", now_, unix_);
  std::vector<Outbound> sent;
  while (auto o = core_->poll()) sent.push_back(std::move(*o));
  auto resp = findResponse(sent, 503);
  ASSERT_TRUE(resp);
  EXPECT_NE(resp->serialize().find("nowhere.test: no such domain"), std::string::npos);
}

TEST_F(CoreTest, StrangersCannotRelayThroughUs) {
  auto out = send(udpPeer(5070),
                  "MESSAGE sip:dave@partner.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKrelay\r\n"
                  "Max-Forwards: 70\r\nFrom: <sip:eve@evil.test>;tag=1\r\nTo: <sip:dave@partner.test>\r\n"
                  "Call-ID: relay\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(findResponse(out, 403));
  EXPECT_FALSE(core_->pollResolve());
}

TEST_F(CoreTest, StrangersCannotUseInDialogRequestsToRelay) {
  // A To tag and a Route to us do not make the Front End forward to an arbitrary address.
  auto out = send(udpPeer(5999),
                  "MESSAGE sip:victim@127.0.0.55:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKopen\r\n"
                  "Route: <sip:127.0.0.1:5060;lr>\r\nMax-Forwards: 70\r\nFrom: <sip:eve@evil.test>;tag=1\r\n"
                  "To: <sip:victim@example.org>;tag=2\r\nCall-ID: open\r\nCSeq: 5 MESSAGE\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(findResponse(out, 403));
  EXPECT_FALSE(findRequest(out, "MESSAGE"));
  // From a registered device the same request goes through (its dialog with a partner).
  signIn("alice", "alice-pw", udpPeer(5071));
  out = send(udpPeer(5071),
             "MESSAGE sip:victim@127.0.0.55:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bKok\r\n"
             "Route: <sip:127.0.0.1:5060;lr>\r\nMax-Forwards: 70\r\nFrom: <sip:alice@parley.test>;tag=1\r\n"
             "To: <sip:victim@example.org>;tag=2\r\nCall-ID: ok\r\nCSeq: 5 MESSAGE\r\nContent-Length: 0\r\n\r\n");
  auto fwd = findRequest(out, "MESSAGE");
  ASSERT_TRUE(fwd);
  EXPECT_EQ(fwd->first.address, "127.0.0.55");
}

TEST_F(CoreTest, MaxForwardsZeroIs483) {
  signIn("bob", "bob-pw", udpPeer(5080));
  auto out = send(udpPeer(5070),
                  "MESSAGE sip:bob@127.0.0.1:5080 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKmf\r\n"
                  "Max-Forwards: 0\r\nFrom: <sip:alice@parley.test>;tag=1\r\nTo: <sip:bob@parley.test>;tag=2\r\n"
                  "Call-ID: mf\r\nCSeq: 5 MESSAGE\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(findResponse(out, 483));
}

}  // namespace
}  // namespace parley::frontend
