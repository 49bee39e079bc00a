#pragma once
// The Front End's SIP logic without I/O: registrar, authentication and the stateful proxy
// over the RFC 3261 transaction layer. Bytes and time go in (onMessage, onTimer); bytes for
// peers come out (poll). The daemon's shell (server.cpp) connects it to the transports.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/base/clock.hpp"
#include "common/sip/auth/authenticator.hpp"
#include "common/sip/message.hpp"
#include "common/sip/parser.hpp"
#include "common/sip/txn/transaction_layer.hpp"
#include "frontend/config.hpp"
#include "frontend/directory.hpp"
#include "frontend/location.hpp"

namespace parley::frontend {

struct Outbound {
  sip::Peer to;
  std::string bytes;
  // TLS to a server found by DNS: the name its certificate must carry (RFC 5922 §4).
  std::string serverName;
  // The transaction that sent it, so a failed send can be reported (onSendFailed).
  sip::ClientTransactionId client;
  sip::ServerTransactionId server;
  // An answer to a request whose registration changes must be in the store before it
  // leaves (RegistrationSink writes are committed by the shell first).
  bool afterCommit = false;
};

// A name the core needs resolved (RFC 3263) before it can forward; the shell answers with
// FrontendCore::onResolved(token, ...).
struct ResolveRequest {
  uint64_t token = 0;
  sip::Uri uri;
};

struct ResolvedTarget {
  sip::Peer peer;
  std::string serverName;
};

struct CoreStats {
  uint64_t requests = 0;
  uint64_t responses = 0;
  uint64_t malformed = 0;
  uint64_t registrations = 0;
  uint64_t forwarded = 0;
};

class FrontendCore {
 public:
  FrontendCore(const FrontendConfig& cfg, std::string domain, UserDirectory& users,
               RegistrationSink& sink, sip::TimerConfig timers = {});

  // Loads persisted registrations (after a restart, kill -9 included).
  void restoreRegistrations(int64_t unixNow);

  void onMessage(const sip::Peer& from, std::string_view bytes, TimePoint now, int64_t unixNow);
  void onTimer(TimePoint now, int64_t unixNow);
  void onConnectionClosed(uint64_t connectionId);
  // The transport could not deliver `o` (connection refused or lost).
  void onSendFailed(const Outbound& o, TimePoint now, int64_t unixNow);
  std::optional<TimePoint> nextDeadline() const;
  std::optional<Outbound> poll();
  std::optional<ResolveRequest> pollResolve();
  // The answer to a ResolveRequest: targets in RFC 3263 order, or `error` when none.
  void onResolved(uint64_t token, const std::vector<ResolvedTarget>& targets, const std::string& error,
                  TimePoint now, int64_t unixNow);
  // Stream connections that now carry a registration: the shell exempts them from the idle
  // timeout (the device keeps them open with RFC 5626 keep-alives).
  std::vector<uint64_t> takeConnectionsToKeep() { return std::exchange(keep_, {}); }

  const LocationService& location() const noexcept { return location_; }
  const CoreStats& stats() const noexcept { return stats_; }
  size_t pendingForwards() const noexcept { return forwards_.size(); }

 private:
  struct Branch {
    sip::ClientTransactionId txn{};
    sip::Peer target;
    bool final = false;
    bool cancelled = false;
    int finalStatus = 0;
  };
  struct Forward {
    sip::ServerTransactionId server{};
    sip::Message request;  // as received (after our Route entries were removed)
    std::vector<Branch> branches;
    std::optional<sip::Message> best;
    bool answered = false;  // a 2xx, or a final response, went upstream
    bool isInvite = false;
    TimePoint timerC{};  // §16.6 step 11: give up on a ringing INVITE
  };

  void drainTransactions(TimePoint now, int64_t unixNow);
  void onRequest(sip::ServerTransactionId st, const sip::Peer& from, sip::Message req,
                 TimePoint now, int64_t unixNow);
  void onCancel(sip::ServerTransactionId cancelTxn, sip::ServerTransactionId inviteTxn,
                const sip::Message& cancel, TimePoint now);
  void cancelBranches(Forward& f, TimePoint now);
  void onResponse(sip::ClientTransactionId ct, sip::Message resp, TimePoint now);
  void onClientFailure(sip::ClientTransactionId ct, int status, TimePoint now);
  void forwardStateless(const sip::Peer& from, sip::Message req);
  void sendStatelessTo(const sip::Peer& target, sip::Message req);
  bool mayRelay(const sip::Peer& from, const sip::Uri& next, int64_t unixNow) const;
  // Routes `req` to the next hop named by `next`: a device, a numeric address, or a name to
  // resolve first. `st` is 0 for a stateless forward (ACK).
  void routeTo(sip::ServerTransactionId st, const sip::Uri& next, sip::Message req, TimePoint now,
               int64_t unixNow);

  void handleRegister(sip::ServerTransactionId st, const sip::Peer& from, const sip::Message& req,
                      TimePoint now, int64_t unixNow);
  void handleOptionsToSelf(sip::ServerTransactionId st, const sip::Message& req, TimePoint now);
  // Authenticates a request from one of our users; answers the challenge itself and
  // returns nullopt when the request must stop here.
  std::optional<std::string> authenticate(sip::ServerTransactionId st, const sip::Message& req,
                                          bool proxyAuth, const std::string& expectedUser,
                                          TimePoint now, int64_t unixNow);
  void proxyToTargets(sip::ServerTransactionId st, sip::Message req,
                      const std::vector<std::pair<std::string, sip::Peer>>& targets, TimePoint now);
  void finishIfDone(Forward& f, TimePoint now);

  void respond(sip::ServerTransactionId st, const sip::Message& req, int status,
               std::string_view reason, TimePoint now,
               const std::vector<std::pair<sip::HeaderId, std::string>>& extra = {});
  std::string warning(std::string_view text) const;
  void respondToUnparsable(const sip::Peer& from, std::string_view bytes, const Error& error);

  // Routing helpers.
  bool isOurs(const sip::Uri& uri) const;
  bool isOurDomain(std::string_view host) const;
  std::optional<sip::Peer> resolveTarget(const sip::Uri& uri, int64_t unixNow) const;
  const ListenConfig* listenerFor(sip::Transport t) const;
  std::string viaFor(sip::Transport t, const std::string& branch) const;
  std::string recordRouteFor(sip::Transport t) const;
  void rememberConnection(const sip::Peer& from, const sip::Message& req);
  void persist(const Binding& b);
  void unpersist(const Binding& b);

  const FrontendConfig& cfg_;
  std::string domain_;
  UserDirectory& users_;
  RegistrationSink& sink_;
  sip::TransactionLayer txn_;
  sip::ParseLimits limits_;
  sip::auth::DigestAuthenticator auth_;
  LocationService location_;
  std::deque<Outbound> out_;
  CoreStats stats_;

  std::map<sip::ServerTransactionId, Forward> forwards_;
  std::map<sip::ClientTransactionId, sip::ServerTransactionId> branchOwner_;
  // Contact host:port:transport -> connection it arrives on, for requests to peers that
  // are not registered (a caller's in-dialog BYE), RFC 5923 style connection reuse.
  std::unordered_map<std::string, uint64_t> connectionAliases_;
  std::string localTag_;
  std::vector<uint64_t> keep_;
  bool durableWrites_ = false;  // the input being handled changed registrations

  struct PendingResolve {
    sip::ServerTransactionId server;  // 0: a stateless forward
    sip::Message request;
  };
  uint64_t nextResolveToken_ = 1;
  std::map<uint64_t, PendingResolve> resolving_;
  std::deque<ResolveRequest> resolveOut_;
  // "address:port:TLS" -> the name verified for it, for connections to servers found by DNS.
  std::unordered_map<std::string, std::string> serverNames_;
};

}  // namespace parley::frontend
