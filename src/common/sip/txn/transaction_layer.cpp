#include "common/sip/txn/transaction_layer.hpp"

#include <algorithm>
#include <deque>
#include <set>
#include <unordered_map>
#include <utility>

#include "common/sip/txn/matching.hpp"

namespace parley::sip {

std::string_view txnStateName(TxnState s) noexcept {
  switch (s) {
    case TxnState::Calling: return "Calling";
    case TxnState::Trying: return "Trying";
    case TxnState::Proceeding: return "Proceeding";
    case TxnState::Accepted: return "Accepted";
    case TxnState::Completed: return "Completed";
    case TxnState::Confirmed: return "Confirmed";
  }
  return "?";
}

namespace {

// The deadlines one transaction may have pending at once.
struct Timers {
  std::optional<TimePoint> retransmitAt;  // A, E, G
  Duration interval{0};                   // the current A/E/G interval
  std::optional<TimePoint> timeoutAt;     // B, F, H (and §9.1's 64*T1 after a CANCEL)
  std::optional<TimePoint> endAt;         // D, K, M, I, J, L: leave the state for good
  std::optional<TimePoint> tryingAt;      // automatic 100 Trying (§17.2.1)
  std::optional<TimePoint> queuedAt;      // this transaction's entry in the timer queue

  std::optional<TimePoint> earliest() const {
    std::optional<TimePoint> t;
    for (const auto& d : {retransmitAt, timeoutAt, endAt, tryingAt}) {
      if (d && (!t || *d < *t)) t = d;
    }
    return t;
  }

  // The deadline to fire at `now`: the earliest, if it is due.
  std::optional<TimePoint> due(TimePoint now) const {
    auto t = earliest();
    return t && *t <= now ? t : std::nullopt;
  }
};

struct ClientTxn {
  uint64_t id = 0;
  bool invite = false;
  TxnState state = TxnState::Trying;
  Peer peer;
  std::optional<Message> request;  // INVITE only: the ACK and the CANCEL are built from it
  std::string bytes;               // the request as first serialized
  std::string ackBytes;            // INVITE in Completed: the ACK for the non-2xx final
  std::string key;
  Timers timers;
  bool cancelled = false;
  uint64_t pendingCancel = 0;      // CANCEL id waiting for the first provisional (§9.1)
  std::string cancelReason;
};

// What RFC 2543 matching (§17.2.3, cookie-less branch) compares beyond its index key.
struct LegacyData {
  std::string indexKey;  // Call-ID, CSeq number, From tag
  Uri requestUri;
  std::string toTag;
  Via topVia;
  std::optional<std::string> responseToTag;  // To tag of the final response sent
};

struct ServerTxn {
  uint64_t id = 0;
  bool invite = false;
  TxnState state = TxnState::Trying;
  Peer dest;             // where responses go (§18.2.2)
  std::string method;    // CSeq method
  std::string key;       // RFC 3261 key; empty for an RFC 2543 transaction
  std::optional<LegacyData> legacy;
  std::optional<Message> request;  // INVITE with a delayed automatic 100 only
  std::string provisionalBytes;    // the last provisional sent
  std::string finalBytes;          // the final sent (non-2xx for INVITE)
  Timers timers;
};

std::string legacyIndexKey(std::string_view callId, uint32_t cseq, std::string_view fromTag) {
  std::string k(callId);
  k += '\n';
  k += std::to_string(cseq);
  k += '\n';
  k += fromTag;
  return k;
}

std::string toTagOf(const Message& m) {
  auto to = m.to();
  return to.ok() ? to->tag() : std::string();
}

std::string fromTagOf(const Message& m) {
  auto from = m.from();
  return from.ok() ? from->tag() : std::string();
}

}  // namespace

struct TransactionLayer::Impl {
  TimerConfig cfg;
  uint64_t nextId = 1;
  std::unordered_map<uint64_t, ClientTxn> clients;
  std::unordered_map<uint64_t, ServerTxn> servers;
  std::unordered_map<std::string, uint64_t> clientIndex;
  std::unordered_map<std::string, uint64_t> serverIndex;
  std::unordered_multimap<std::string, uint64_t> legacyIndex;
  std::set<std::pair<TimePoint, uint64_t>> timerQueue;
  std::deque<TxnEvent> events;

  explicit Impl(TimerConfig c) : cfg(c) {
    // A zero interval would make a retransmission timer fire forever within one onTimer().
    cfg.t1 = std::max(cfg.t1, Duration{1});
    cfg.t2 = std::max(cfg.t2, cfg.t1);
  }

  // ---- plumbing ----

  void reschedule(uint64_t id, Timers& t) {
    if (t.queuedAt) timerQueue.erase({*t.queuedAt, id});
    t.queuedAt = t.earliest();
    if (t.queuedAt) timerQueue.insert({*t.queuedAt, id});
  }

  // A message no transaction can take (§8.1.1: status 400 if answered).
  void badMessage(const Peer& from, Message msg, std::string why) {
    events.emplace_back(BadMessage{from, std::move(msg), makeError(400, std::move(why))});
  }

  void send(const Peer& to, const std::string& bytes, uint64_t client, uint64_t server) {
    events.emplace_back(
        SendTo{to, bytes, ClientTransactionId{client}, ServerTransactionId{server}});
  }

  void terminateClient(uint64_t id) {
    auto it = clients.find(id);
    if (it == clients.end()) return;
    ClientTxn& c = it->second;
    if (c.timers.queuedAt) timerQueue.erase({*c.timers.queuedAt, id});
    clientIndex.erase(c.key);
    if (c.pendingCancel != 0) {
      // The CANCEL never went out (§9.1: not before a provisional, not after a final).
      events.emplace_back(Terminated{ClientTransactionId{c.pendingCancel}, {}});
    }
    events.emplace_back(Terminated{ClientTransactionId{id}, {}});
    clients.erase(it);
  }

  void terminateServer(uint64_t id) {
    auto it = servers.find(id);
    if (it == servers.end()) return;
    ServerTxn& s = it->second;
    if (s.timers.queuedAt) timerQueue.erase({*s.timers.queuedAt, id});
    if (s.legacy) {
      auto [b, e] = legacyIndex.equal_range(s.legacy->indexKey);
      for (auto i = b; i != e; ++i) {
        if (i->second == id) {
          legacyIndex.erase(i);
          break;
        }
      }
    } else {
      serverIndex.erase(s.key);
    }
    events.emplace_back(Terminated{{}, ServerTransactionId{id}});
    servers.erase(it);
  }

  // Timers D, K (client) and I, J (server) only absorb retransmissions, so they are zero on
  // reliable transports (§17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2): the transaction ends now.
  void endAfter(ClientTxn& c, Duration d, TimePoint now) {
    if (isReliable(c.peer.transport)) return terminateClient(c.id);
    c.timers.endAt = now + d;
    reschedule(c.id, c.timers);
  }

  void endAfter(ServerTxn& s, Duration d, TimePoint now) {
    if (isReliable(s.dest.transport)) return terminateServer(s.id);
    s.timers.endAt = now + d;
    reschedule(s.id, s.timers);
  }

  // ---- client side ----

  ClientTransactionId startClient(uint64_t id, const Peer& to, Message req, std::string key,
                                  TimePoint now) {
    ClientTxn c;
    c.id = id;
    c.invite = req.method() == Method::Invite;
    c.state = c.invite ? TxnState::Calling : TxnState::Trying;
    c.peer = to;
    c.key = std::move(key);
    c.bytes = req.serialize();
    if (c.invite) c.request = std::move(req);
    // §17.1.1.2 / §17.1.2.2: retransmit over unreliable transports only (A, E start at T1);
    // B and F bound the wait for a response on any transport.
    if (!isReliable(to.transport)) {
      c.timers.interval = cfg.t1;
      c.timers.retransmitAt = now + cfg.t1;
    }
    c.timers.timeoutAt = now + cfg.timeout();
    send(c.peer, c.bytes, id, 0);
    clientIndex.emplace(c.key, id);
    auto [it, _] = clients.emplace(id, std::move(c));
    reschedule(id, it->second.timers);
    return ClientTransactionId{id};
  }

  void sendCancel(ClientTxn& invite, uint64_t cancelId, std::string_view reason, TimePoint now) {
    auto cancel = makeCancel(*invite.request, reason);
    std::string key;
    if (cancel.ok()) {
      auto cseq = cancel->cseq();
      auto via = cancel->topVia();
      if (cseq.ok() && via.ok()) key = clientKey(via->branch(), cseq->method);
    }
    if (key.empty() || clientIndex.count(key) != 0) {
      events.emplace_back(Terminated{ClientTransactionId{cancelId}, {}});
      return;
    }
    startClient(cancelId, invite.peer, std::move(*cancel), std::move(key), now);
    // §9.1: with no final response within 64*T1 of the CANCEL, the INVITE transaction is
    // given up (reported as a Timeout, so a proxy answers its server side).
    invite.timers.timeoutAt = now + cfg.timeout();
  }

  void onInviteClientResponse(ClientTxn& c, const Peer& from, Message msg, TimePoint now) {
    const int code = msg.status();
    const uint64_t id = c.id;
    switch (c.state) {
      case TxnState::Calling:
      case TxnState::Proceeding:
        if (code < 200) {
          // §17.1.1.2: stop retransmitting; Timer B only runs in Calling. (In Proceeding the
          // only timeout is §9.1's, armed when a CANCEL goes out.)
          if (c.state == TxnState::Calling) c.timers.timeoutAt.reset();
          c.state = TxnState::Proceeding;
          c.timers.retransmitAt.reset();
          events.emplace_back(ResponseReceived{ClientTransactionId{id}, from, std::move(msg)});
          if (c.pendingCancel != 0) {
            const uint64_t cancelId = std::exchange(c.pendingCancel, 0);
            sendCancel(c, cancelId, c.cancelReason, now);
          }
          reschedule(id, c.timers);
          return;
        }
        c.timers.retransmitAt.reset();
        c.timers.timeoutAt.reset();
        if (c.pendingCancel != 0) {
          events.emplace_back(Terminated{ClientTransactionId{c.pendingCancel}, {}});
          c.pendingCancel = 0;
        }
        if (code < 300) {
          // RFC 6026: Accepted, so that more 2xx (retransmissions, other forks) still
          // reach the TU, which ACKs them; Timer M ends it.
          c.state = TxnState::Accepted;
          c.timers.endAt = now + cfg.timeout();
          events.emplace_back(ResponseReceived{ClientTransactionId{id}, from, std::move(msg)});
          reschedule(id, c.timers);
          return;
        }
        {
          // §17.1.1.2: Completed; the transaction itself ACKs the non-2xx final.
          auto ack = makeNon2xxAck(*c.request, msg);
          c.state = TxnState::Completed;
          c.request.reset();
          if (ack.ok()) c.ackBytes = ack->serialize();
          events.emplace_back(ResponseReceived{ClientTransactionId{id}, from, std::move(msg)});
          if (!c.ackBytes.empty()) send(c.peer, c.ackBytes, id, 0);
          endAfter(c, cfg.timerD, now);  // Timer D
        }
        return;
      case TxnState::Accepted:
        // RFC 6026: every 2xx goes up; anything else after a 2xx is absorbed.
        if (code >= 200 && code < 300) {
          events.emplace_back(ResponseReceived{ClientTransactionId{id}, from, std::move(msg)});
        }
        return;
      case TxnState::Completed:
        if (code >= 300) {
          if (!c.ackBytes.empty()) send(c.peer, c.ackBytes, id, 0);  // retransmitted final
        } else if (code >= 200) {
          // A 2xx after a non-2xx completed the transaction (another fork answering late).
          // It belongs to no transaction: the TU decides (a UA may ACK and BYE it).
          events.emplace_back(StrayResponse{from, std::move(msg)});
        }
        return;
      default:
        return;
    }
  }

  void onNonInviteClientResponse(ClientTxn& c, const Peer& from, Message msg, TimePoint now) {
    const int code = msg.status();
    const uint64_t id = c.id;
    if (c.state != TxnState::Trying && c.state != TxnState::Proceeding) return;  // absorbed
    if (code < 200) {
      c.state = TxnState::Proceeding;
      events.emplace_back(ResponseReceived{ClientTransactionId{id}, from, std::move(msg)});
      return;
    }
    c.state = TxnState::Completed;
    c.timers.retransmitAt.reset();
    c.timers.timeoutAt.reset();
    events.emplace_back(ResponseReceived{ClientTransactionId{id}, from, std::move(msg)});
    endAfter(c, cfg.t4, now);  // Timer K
  }

  void onResponse(const Peer& from, Message msg, TimePoint now) {
    auto via = msg.topVia();
    if (!via.ok()) {
      badMessage(from, std::move(msg), "response has no parsable Via: " + via.error().message);
      return;
    }
    auto cseq = msg.cseq();
    if (!cseq.ok()) {
      badMessage(from, std::move(msg), "response has no parsable CSeq: " + cseq.error().message);
      return;
    }
    if (msg.status() < 100 || msg.status() > 699) {
      badMessage(from, std::move(msg), "response status out of range");
      return;
    }
    auto idx = clientIndex.find(clientKey(via->branch(), cseq->method));
    if (idx == clientIndex.end()) {
      events.emplace_back(StrayResponse{from, std::move(msg)});
      return;
    }
    ClientTxn& c = clients.at(idx->second);
    if (c.invite) {
      onInviteClientResponse(c, from, std::move(msg), now);
    } else {
      onNonInviteClientResponse(c, from, std::move(msg), now);
    }
  }

  void fireClient(ClientTxn& c, TimePoint now) {
    const uint64_t id = c.id;
    Timers& t = c.timers;
    // The earliest due deadline fires; on a tie the one that ends the transaction wins, so
    // no pointless retransmission precedes a timeout.
    const std::optional<TimePoint> first = t.due(now);
    if (!first) {
      reschedule(id, t);
      return;
    }
    if (t.endAt && *t.endAt == *first) {
      terminateClient(id);  // D, K or M
      return;
    }
    if (t.timeoutAt && *t.timeoutAt == *first) {
      events.emplace_back(Timeout{ClientTransactionId{id}, {}});  // B or F
      terminateClient(id);
      return;
    }
    // A or E.
    send(c.peer, c.bytes, id, 0);
    if (c.invite) {
      t.interval *= 2;  // §17.1.1.2: A doubles without a cap
    } else if (c.state == TxnState::Trying) {
      t.interval = std::min(t.interval * 2, cfg.t2);  // §17.1.2.2
    } else {
      t.interval = cfg.t2;
    }
    t.retransmitAt = now + t.interval;
    reschedule(id, t);
  }

  // ---- server side ----

  void sendServer(ServerTxn& s, const std::string& bytes) { send(s.dest, bytes, 0, s.id); }

  void absorbOrResend(ServerTxn& s) {
    // A retransmitted request: §17.2.1 / §17.2.2 resend the last response sent, if any.
    switch (s.state) {
      case TxnState::Proceeding:
        if (!s.provisionalBytes.empty()) sendServer(s, s.provisionalBytes);
        return;
      case TxnState::Completed:
        if (!s.finalBytes.empty()) sendServer(s, s.finalBytes);
        return;
      default:
        return;  // Trying, Accepted (RFC 6026), Confirmed: absorbed
    }
  }

  void onServerAck(ServerTxn& s, const Peer& from, Message ack, TimePoint now) {
    switch (s.state) {
      case TxnState::Completed:
        // §17.2.1: Confirmed; Timer I absorbs ACK retransmissions on unreliable transports.
        s.state = TxnState::Confirmed;
        s.timers.retransmitAt.reset();
        s.timers.timeoutAt.reset();
        endAfter(s, cfg.t4, now);  // Timer I
        return;
      case TxnState::Accepted:
        // RFC 6026: an ACK matching the transaction in Accepted goes to the TU.
        events.emplace_back(AckReceived{ServerTransactionId{s.id}, from, std::move(ack)});
        return;
      default:
        return;  // Proceeding (no final sent yet) or Confirmed (retransmitted ACK): absorbed
    }
  }

  void createServer(const Peer& from, Message msg, const Via& via, const CSeq& cseq,
                    std::string key, std::optional<LegacyData> legacy, TimePoint now) {
    const uint64_t id = nextId++;
    ServerTxn s;
    s.id = id;
    s.invite = msg.method() == Method::Invite;
    s.state = s.invite ? TxnState::Proceeding : TxnState::Trying;
    s.dest = responseDestination(from, via);
    s.method = cseq.method;
    s.key = std::move(key);
    s.legacy = std::move(legacy);

    if (s.legacy) {
      legacyIndex.emplace(s.legacy->indexKey, id);
    } else {
      serverIndex.emplace(s.key, id);
    }

    std::string tryingBytes;
    if (s.invite && cfg.autoTrying) {
      if (cfg.tryingDelay <= Duration::zero()) {
        tryingBytes = makeResponse(msg, 100, "Trying").serialize();
        s.provisionalBytes = tryingBytes;
      } else {
        s.request = msg;
        s.timers.tryingAt = now + cfg.tryingDelay;
      }
    }

    if (msg.method() == Method::Cancel) {
      // §9.2: the transaction to cancel is the one this CANCEL would match were it an
      // INVITE (CANCEL of a non-INVITE has no effect, §9.1, so only INVITEs are looked up).
      const uint64_t target = s.legacy ? findLegacy(msg, via, cseq, Method::Invite)
                                       : findServer(serverKey(via, "INVITE"));
      events.emplace_back(CancelReceived{ServerTransactionId{id}, ServerTransactionId{target},
                                         from, std::move(msg)});
    } else {
      events.emplace_back(RequestReceived{ServerTransactionId{id}, from, std::move(msg)});
    }
    auto [it, _] = servers.emplace(id, std::move(s));
    if (!tryingBytes.empty()) sendServer(it->second, tryingBytes);
    reschedule(id, it->second.timers);
  }

  uint64_t findServer(const std::string& key) const {
    auto it = serverIndex.find(key);
    return it == serverIndex.end() ? 0 : it->second;
  }

  // §17.2.3, RFC 2543 rules. `as` is the method the request is matched as: its own, or
  // INVITE for a CANCEL looking for its target (§9.2). ACK matches the INVITE transaction
  // whose final response carried the ACK's To tag.
  uint64_t findLegacy(const Message& req, const Via& via, const CSeq& cseq, Method as) const {
    const std::string idx = legacyIndexKey(req.callId(), cseq.number, fromTagOf(req));
    const std::string toTag = toTagOf(req);
    const bool ack = as == Method::Ack;
    const std::string_view method = (ack || as == Method::Invite)
                                        ? std::string_view("INVITE")
                                        : std::string_view(cseq.method);
    auto [b, e] = legacyIndex.equal_range(idx);
    for (auto i = b; i != e; ++i) {
      const ServerTxn& s = servers.at(i->second);
      const LegacyData& l = *s.legacy;
      if (s.method != method) continue;
      if (ack ? (!l.responseToTag || *l.responseToTag != toTag) : l.toTag != toTag) continue;
      if (!uriEquivalent(l.requestUri, req.requestUri())) continue;
      if (!viaEquivalent(l.topVia, via)) continue;
      return i->second;
    }
    return 0;
  }

  void onRequest(const Peer& from, Message msg, TimePoint now) {
    auto via = msg.topVia();
    if (!via.ok()) {
      badMessage(from, std::move(msg), "request has no parsable Via: " + via.error().message);
      return;
    }
    auto cseq = msg.cseq();
    if (!cseq.ok()) {
      badMessage(from, std::move(msg), "request has no parsable CSeq: " + cseq.error().message);
      return;
    }
    if (cseq->method != msg.methodText()) {
      // §8.1.1.5: the CSeq method must match the request's.
      badMessage(from, std::move(msg), "CSeq method does not match the request method");
      return;
    }
    const bool isAck = msg.method() == Method::Ack;
    // An RFC 2543 peer sends no (or a cookie-less) branch.
    const bool legacy = !hasMagicCookie(via->branch());
    std::string key = legacy ? std::string() : serverKey(*via, cseq->method);
    const uint64_t match =
        legacy ? findLegacy(msg, *via, *cseq, isAck ? Method::Ack : msg.method()) : findServer(key);
    if (match != 0) {
      ServerTxn& s = servers.at(match);
      if (isAck) {
        onServerAck(s, from, std::move(msg), now);
      } else {
        absorbOrResend(s);
      }
      return;
    }
    if (isAck) {
      events.emplace_back(AckReceived{{}, from, std::move(msg)});
      return;
    }
    std::optional<LegacyData> l;
    if (legacy) {
      l = LegacyData{legacyIndexKey(msg.callId(), cseq->number, fromTagOf(msg)),
                     msg.requestUri(), toTagOf(msg), *via, std::nullopt};
    }
    createServer(from, std::move(msg), *via, *cseq, std::move(key), std::move(l), now);
  }

  bool respond(ServerTxn& s, Message response, TimePoint now) {
    if (!response.isResponse()) return false;
    const int code = response.status();
    if (code < 100 || code > 699) return false;
    const uint64_t id = s.id;
    const bool reliable = isReliable(s.dest.transport);

    if (s.invite) {
      if (s.state == TxnState::Accepted) {
        // RFC 6026: the TU's 2xx retransmissions pass through; nothing else does.
        if (code < 200 || code >= 300) return false;
        sendServer(s, response.serialize());
        return true;
      }
      if (s.state != TxnState::Proceeding) return false;
      s.timers.tryingAt.reset();
      s.request.reset();
      if (code < 200) {
        s.provisionalBytes = response.serialize();
        sendServer(s, s.provisionalBytes);
        reschedule(id, s.timers);
        return true;
      }
      if (s.legacy) s.legacy->responseToTag = toTagOf(response);
      if (code < 300) {
        // RFC 6026: Accepted until Timer L; retransmitted INVITEs are absorbed and
        // the UAS core retransmits the 2xx itself (§13.3.1.4).
        s.state = TxnState::Accepted;
        s.provisionalBytes.clear();
        sendServer(s, response.serialize());
        s.timers.endAt = now + cfg.timeout();
        reschedule(id, s.timers);
        return true;
      }
      // §17.2.1: Completed; Timer G retransmits (unreliable only), Timer H waits for ACK.
      s.state = TxnState::Completed;
      s.provisionalBytes.clear();
      s.finalBytes = response.serialize();
      sendServer(s, s.finalBytes);
      if (!reliable) {
        s.timers.interval = cfg.t1;
        s.timers.retransmitAt = now + cfg.t1;
      }
      s.timers.timeoutAt = now + cfg.timeout();
      reschedule(id, s.timers);
      return true;
    }

    if (s.state != TxnState::Trying && s.state != TxnState::Proceeding) return false;
    if (code < 200) {
      s.state = TxnState::Proceeding;
      s.provisionalBytes = response.serialize();
      sendServer(s, s.provisionalBytes);
      return true;
    }
    // §17.2.2: Completed; Timer J absorbs request retransmissions on unreliable transports.
    s.state = TxnState::Completed;
    s.provisionalBytes.clear();
    s.finalBytes = response.serialize();
    sendServer(s, s.finalBytes);
    endAfter(s, cfg.timeout(), now);  // Timer J
    return true;
  }

  uint64_t findServerForResponse(const Message& response) const {
    auto via = response.topVia();
    auto cseq = response.cseq();
    if (!via.ok() || !cseq.ok()) return 0;
    if (hasMagicCookie(via->branch())) return findServer(serverKey(*via, cseq->method));
    const std::string idx = legacyIndexKey(response.callId(), cseq->number, fromTagOf(response));
    const std::string toTag = toTagOf(response);
    auto [b, e] = legacyIndex.equal_range(idx);
    for (auto i = b; i != e; ++i) {
      const ServerTxn& s = servers.at(i->second);
      if (s.method != cseq->method) continue;
      // The request's To tag is empty (then the response adds one) or equals the response's.
      if (!s.legacy->toTag.empty() && s.legacy->toTag != toTag) continue;
      if (!viaEquivalent(s.legacy->topVia, *via)) continue;
      return i->second;
    }
    return 0;
  }

  void fireServer(ServerTxn& s, TimePoint now) {
    const uint64_t id = s.id;
    Timers& t = s.timers;
    const std::optional<TimePoint> first = t.due(now);  // ties: as in fireClient
    if (!first) {
      reschedule(id, t);
      return;
    }
    if (t.endAt && *t.endAt == *first) {
      terminateServer(id);  // I, J or L
      return;
    }
    if (t.timeoutAt && *t.timeoutAt == *first) {
      events.emplace_back(Timeout{{}, ServerTransactionId{id}});  // H: no ACK came
      terminateServer(id);
      return;
    }
    if (t.retransmitAt && *t.retransmitAt == *first) {
      // G: §17.2.1 doubles up to T2.
      sendServer(s, s.finalBytes);
      t.interval = std::min(t.interval * 2, cfg.t2);
      t.retransmitAt = now + t.interval;
      reschedule(id, t);
      return;
    }
    // The TU has not answered within tryingDelay: 100 Trying (§17.2.1).
    t.tryingAt.reset();
    if (s.state == TxnState::Proceeding && s.provisionalBytes.empty() && s.request) {
      s.provisionalBytes = makeResponse(*s.request, 100, "Trying").serialize();
      sendServer(s, s.provisionalBytes);
    }
    s.request.reset();
    reschedule(id, t);
  }
};

TransactionLayer::TransactionLayer(TimerConfig cfg) : impl_(std::make_unique<Impl>(cfg)) {}
TransactionLayer::~TransactionLayer() = default;
TransactionLayer::TransactionLayer(TransactionLayer&&) noexcept = default;
TransactionLayer& TransactionLayer::operator=(TransactionLayer&&) noexcept = default;

void TransactionLayer::onMessage(const Peer& from, Message msg, TimePoint now) {
  if (msg.isRequest()) {
    impl_->onRequest(from, std::move(msg), now);
  } else {
    impl_->onResponse(from, std::move(msg), now);
  }
}

void TransactionLayer::onTimer(TimePoint now) {
  Impl& m = *impl_;
  while (!m.timerQueue.empty() && m.timerQueue.begin()->first <= now) {
    const uint64_t id = m.timerQueue.begin()->second;
    m.timerQueue.erase(m.timerQueue.begin());
    if (auto c = m.clients.find(id); c != m.clients.end()) {
      c->second.timers.queuedAt.reset();
      m.fireClient(c->second, now);
    } else if (auto s = m.servers.find(id); s != m.servers.end()) {
      s->second.timers.queuedAt.reset();
      m.fireServer(s->second, now);
    }
  }
}

std::optional<TimePoint> TransactionLayer::nextDeadline() const {
  if (impl_->timerQueue.empty()) return std::nullopt;
  return impl_->timerQueue.begin()->first;
}

void TransactionLayer::onTransportError(ClientTransactionId id, TimePoint /*now*/) {
  if (impl_->clients.count(id.value) == 0) return;
  impl_->events.emplace_back(TransportError{id, {}});
  impl_->terminateClient(id.value);
}

void TransactionLayer::onTransportError(ServerTransactionId id, TimePoint /*now*/) {
  if (impl_->servers.count(id.value) == 0) return;
  impl_->events.emplace_back(TransportError{{}, id});
  impl_->terminateServer(id.value);
}

ClientTransactionId TransactionLayer::sendRequest(const Peer& to, Message req, TimePoint now) {
  Impl& m = *impl_;
  if (!req.isRequest() || req.method() == Method::Ack) return {};
  auto via = req.topVia();
  auto cseq = req.cseq();
  if (!via.ok() || !cseq.ok() || via->branch().empty()) return {};
  std::string key = clientKey(via->branch(), cseq->method);
  if (m.clientIndex.count(key) != 0) return {};
  return m.startClient(m.nextId++, to, std::move(req), std::move(key), now);
}

ClientTransactionId TransactionLayer::cancelClient(ClientTransactionId invite, TimePoint now,
                                                   std::string_view reason) {
  Impl& m = *impl_;
  auto it = m.clients.find(invite.value);
  if (it == m.clients.end()) return {};
  ClientTxn& c = it->second;
  if (!c.invite || c.cancelled ||
      (c.state != TxnState::Calling && c.state != TxnState::Proceeding)) {
    return {};
  }
  c.cancelled = true;
  const uint64_t cancelId = m.nextId++;
  if (c.state == TxnState::Proceeding) {
    m.sendCancel(c, cancelId, reason, now);
    m.reschedule(c.id, c.timers);
  } else {
    // §9.1: no CANCEL before a provisional response; it leaves when one arrives.
    c.pendingCancel = cancelId;
    c.cancelReason = std::string(reason);
  }
  return ClientTransactionId{cancelId};
}

bool TransactionLayer::sendResponse(ServerTransactionId id, Message response, TimePoint now) {
  auto it = impl_->servers.find(id.value);
  if (it == impl_->servers.end()) return false;
  return impl_->respond(it->second, std::move(response), now);
}

bool TransactionLayer::sendResponse(const Message& response, TimePoint now) {
  const uint64_t id = impl_->findServerForResponse(response);
  if (id == 0) return false;
  return impl_->respond(impl_->servers.at(id), response, now);
}

void TransactionLayer::abandon(ServerTransactionId id) { impl_->terminateServer(id.value); }

void TransactionLayer::sendStateless(const Peer& to, const Message& msg) {
  impl_->send(to, msg.serialize(), 0, 0);
}

std::optional<TxnEvent> TransactionLayer::poll() {
  if (impl_->events.empty()) return std::nullopt;
  TxnEvent ev = std::move(impl_->events.front());
  impl_->events.pop_front();
  return ev;
}

size_t TransactionLayer::size() const noexcept {
  return impl_->clients.size() + impl_->servers.size();
}

std::optional<TxnState> TransactionLayer::state(ClientTransactionId id) const {
  auto it = impl_->clients.find(id.value);
  if (it == impl_->clients.end()) return std::nullopt;
  return it->second.state;
}

std::optional<TxnState> TransactionLayer::state(ServerTransactionId id) const {
  auto it = impl_->servers.find(id.value);
  if (it == impl_->servers.end()) return std::nullopt;
  return it->second.state;
}

const TimerConfig& TransactionLayer::config() const noexcept { return impl_->cfg; }

}  // namespace parley::sip
