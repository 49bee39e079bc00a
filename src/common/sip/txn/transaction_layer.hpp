#pragma once
// The SIP transaction layer (RFC 3261 §17, corrected by RFC 6026), sans I/O.
//
// Messages and `now` go in; wire bytes, TU events and one deadline come out. The shell
// (transport + event loop) feeds every parsed message to onMessage(), calls onTimer() at
// nextDeadline(), and after every call drains poll(): SendTo events go to the transport,
// the rest to the transaction user (proxy core, registrar, UA core).
//
// State machines (timers from TimerConfig; "U" = unreliable transport only, "R: 0" = zero
// on reliable transports, i.e. the state is left at once):
//   INVITE client      Calling -> Proceeding -> Completed (D; R: 0) | Accepted (M) -> gone
//                      A (U, doubles, no cap), B = 64*T1 in Calling only (after a
//                      provisional the TU's Timer C, §16.6 step 11, takes over).
//   non-INVITE client  Trying -> Proceeding -> Completed (K = T4; R: 0)
//                      E (U, doubles, capped at T2; T2 in Proceeding), F = 64*T1.
//   INVITE server      Proceeding -> Completed (G (U) capped at T2, H = 64*T1)
//                                 -> Confirmed (I = T4; R: 0)
//                      Proceeding -> Accepted (L = 64*T1)                   (RFC 6026)
//                      100 Trying: automatic, see TimerConfig::autoTrying.
//   non-INVITE server  Trying -> Proceeding -> Completed (J = 64*T1; R: 0)
// A transaction that reaches Terminated is removed and reported with a Terminated event.
//
// Matching: server transactions by §17.2.3 (branch with magic cookie + sent-by + method, ACK
// to its INVITE) or, for a branch without the cookie, by the RFC 2543 rules of the same
// section; client transactions by §17.1.3 (branch + CSeq method).

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/base/clock.hpp"
#include "common/base/result.hpp"
#include "common/sip/message.hpp"
#include "common/sip/peer.hpp"
#include "common/sip/txn/timers.hpp"

namespace parley::sip {

// Identifiers of transactions in one TransactionLayer. Values are never reused and are unique
// across client and server transactions; 0 means "none".
struct ClientTransactionId {
  uint64_t value = 0;
  explicit operator bool() const noexcept { return value != 0; }
  auto operator<=>(const ClientTransactionId&) const = default;
};
struct ServerTransactionId {
  uint64_t value = 0;
  explicit operator bool() const noexcept { return value != 0; }
  auto operator<=>(const ServerTransactionId&) const = default;
};

enum class TxnState : uint8_t { Calling, Trying, Proceeding, Accepted, Completed, Confirmed };
std::string_view txnStateName(TxnState s) noexcept;

// ---- Events (drain with poll()) -------------------------------------------------------

// Bytes for the transport. `client`/`server` name the transaction that sent them (both 0
// for sendStateless), so that a failed send can be reported with onTransportError().
// Retransmissions carry the bytes serialized when the message was first sent.
struct SendTo {
  Peer to;
  std::string bytes;
  ClientTransactionId client;
  ServerTransactionId server;
};

// A new request (not ACK, not CANCEL) created server transaction `id`: answer it with
// sendResponse(id, ...). The TU must send a final response to every one of them (or
// abandon() it); the layer never answers on its own except 100 Trying to INVITE, and keeps a
// transaction without a final response for as long as the TU does not act.
struct RequestReceived {
  ServerTransactionId id;
  Peer from;
  Message request;
};

// A CANCEL (§9.2). It has its own non-INVITE server transaction `id`, which the TU answers
// (200, or 481 when `invite` is 0: no INVITE transaction matched); `invite` is the INVITE
// server transaction it cancels. A UAS or proxy answers 200 on `id`, then 487 on `invite`
// (a proxy after the downstream branches answered, §16.10). If `invite` already has its
// final response, sendResponse(invite, 487) just returns false.
struct CancelReceived {
  ServerTransactionId id;
  ServerTransactionId invite;
  Peer from;
  Message cancel;
};

// An ACK that is not absorbed by a transaction: the ACK for a 2xx, which is end-to-end and
// its own transaction (§17, §13.2.2.4). A proxy forwards it statelessly, a UA hands it to
// its dialog. `invite` is set when it matched an INVITE server transaction in Accepted (an
// RFC 2543 peer, or a UA that reuses the INVITE's branch; RFC 6026 passes it up), else 0.
struct AckReceived {
  ServerTransactionId invite;
  Peer from;
  Message ack;
};

// A response for client transaction `id`: provisionals, the first final, and (RFC 6026) every
// further 2xx to an INVITE while Accepted (retransmissions and other forks' answers alike:
// the TU ACKs each one, or, in a proxy, forwards each one upstream). Retransmitted non-2xx
// finals are absorbed (the ACK is resent by the transaction).
struct ResponseReceived {
  ClientTransactionId id;
  Peer from;
  Message response;
};

// A response that matches no client transaction (or a 2xx that arrives for an INVITE
// transaction after a non-2xx final completed it). RFC 6026 changed their handling to close
// a security hole: a proxy discards them instead of forwarding them statelessly (§16.7 step
// 3); a UA core may ACK and BYE a stray 2xx.
struct StrayResponse {
  Peer from;
  Message response;
};

// Timer B or F for a client transaction (`client` set): the TU acts as if a 408 arrived.
// Timer H for an INVITE server transaction (`server` set): no ACK came for the non-2xx final.
struct Timeout {
  ClientTransactionId client;
  ServerTransactionId server;
};

// The shell reported a failed send for this transaction (onTransportError); §17.1.4 and
// §17.2.4: the TU is told and the transaction is terminated. A proxy treats a client-side one
// as a 503 (§16.9).
struct TransportError {
  ClientTransactionId client;
  ServerTransactionId server;
};

// The transaction is gone; its id will never appear again.
struct Terminated {
  ClientTransactionId client;
  ServerTransactionId server;
};

// A message the layer cannot place in a transaction: no parsable top Via, no parsable CSeq,
// or (requests) a CSeq method different from the request method. error.code is the status a
// UAS would answer (400). For a request the TU may answer statelessly; a response is dropped.
struct BadMessage {
  Peer from;
  Message message;
  Error error;
};

using TxnEvent = std::variant<SendTo, RequestReceived, CancelReceived, AckReceived,
                              ResponseReceived, StrayResponse, Timeout, TransportError,
                              Terminated, BadMessage>;

// ---- The layer --------------------------------------------------------------------------

class TransactionLayer {
 public:
  explicit TransactionLayer(TimerConfig cfg = {});
  ~TransactionLayer();
  TransactionLayer(const TransactionLayer&) = delete;
  TransactionLayer& operator=(const TransactionLayer&) = delete;
  TransactionLayer(TransactionLayer&&) noexcept;
  TransactionLayer& operator=(TransactionLayer&&) noexcept;

  // From the transport: one parsed message and where it came from.
  void onMessage(const Peer& from, Message msg, TimePoint now);
  // Fires every timer due at `now`. Call it at nextDeadline() (calling it early or late is
  // harmless).
  void onTimer(TimePoint now);
  std::optional<TimePoint> nextDeadline() const;
  // The transport failed to send a SendTo of this transaction (connection refused or lost,
  // ICMP unreachable): TransportError, then Terminated. Unknown ids are ignored.
  void onTransportError(ClientTransactionId id, TimePoint now);
  void onTransportError(ServerTransactionId id, TimePoint now);

  // From the TU. Starts a client transaction for `req` towards `to`. The request is sent as
  // it is: the caller has set the top Via with a fresh branch (makeBranch()), Max-Forwards,
  // Route, ... Returns 0 (and sends nothing) when the request has no top Via with a branch
  // or no CSeq, when another client transaction already uses its branch and method, or for
  // ACK: an ACK for a 2xx is not a transaction; send it with sendStateless().
  ClientTransactionId sendRequest(const Peer& to, Message req, TimePoint now);
  // CANCELs an INVITE client transaction (§9.1). The CANCEL is a client transaction of its
  // own, whose id is returned. It is sent at once if a provisional response has arrived,
  // else as soon as one does; if a final response or Timer B ends the INVITE transaction
  // first, the CANCEL is never sent and just reported Terminated (until it is sent, state()
  // of its id is nullopt). Once the CANCEL is out, the INVITE transaction waits at most 64*T1
  // for its final response (§9.1), then reports a Timeout. Returns 0 when `invite` is not an
  // INVITE client transaction in Calling or Proceeding, or was already cancelled.
  ClientTransactionId cancelClient(ClientTransactionId invite, TimePoint now,
                                   std::string_view reason = {});

  // Sends a response through server transaction `id`. Returns false (and sends nothing) when
  // the transaction is gone or its state does not take this response (a provisional after a
  // final, a second non-2xx final, a non-2xx after a 2xx, anything after Completed). In
  // Accepted, further 2xx (the UAS core's retransmissions of its 2xx, §13.3.1.4) are sent.
  bool sendResponse(ServerTransactionId id, Message response, TimePoint now);
  // The same, finding the server transaction from the response itself: top Via branch,
  // sent-by and CSeq method (§17.2.3), or for an RFC 2543 transaction Call-ID, CSeq, From
  // tag and top Via.
  bool sendResponse(const Message& response, TimePoint now);
  // Ends a server transaction without a response (it is reported Terminated). For what
  // RFC 4320 §4.2 asks of a proxy whose downstream non-INVITE timed out: no 408 upstream,
  // the upstream client times out on its own. Unknown ids are ignored.
  void abandon(ServerTransactionId id);
  // Stateless sends (§16.11, ACK for 2xx, stray-response forwarding): serialized and queued
  // as a SendTo with no transaction.
  void sendStateless(const Peer& to, const Message& msg);

  std::optional<TxnEvent> poll();

  // Live transactions (client + server).
  size_t size() const noexcept;
  // For diagnostics and tests; nullopt once the transaction is gone.
  std::optional<TxnState> state(ClientTransactionId id) const;
  std::optional<TxnState> state(ServerTransactionId id) const;
  const TimerConfig& config() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::sip

template <>
struct std::hash<parley::sip::ClientTransactionId> {
  size_t operator()(const parley::sip::ClientTransactionId& id) const noexcept {
    return std::hash<uint64_t>{}(id.value);
  }
};
template <>
struct std::hash<parley::sip::ServerTransactionId> {
  size_t operator()(const parley::sip::ServerTransactionId& id) const noexcept {
    return std::hash<uint64_t>{}(id.value);
  }
};
