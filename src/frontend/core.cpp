#include "frontend/core.hpp"

#include <algorithm>

#include "common/base/crypto.hpp"
#include "common/base/strings.hpp"
#include "common/sip/txn/dialog.hpp"
#include "common/sip/validate.hpp"

namespace parley::frontend {
namespace {

constexpr std::string_view kAllow =
    "INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO, UPDATE, REFER, REGISTER, NOTIFY";

bool isNumericHost(std::string_view host) {
  if (!host.empty() && host.front() == '[') return true;
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string_view::npos;
}

std::string stripBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return std::string(host.substr(1, host.size() - 2));
  }
  return std::string(host);
}

sip::Transport transportOfUri(const sip::Uri& uri, sip::Transport fallback) {
  if (uri.scheme == sip::Uri::Scheme::Sips) return sip::Transport::Tls;
  if (const auto* t = uri.param("transport"); t != nullptr && t->value) {
    if (iequals(*t->value, "tls")) return sip::Transport::Tls;
    if (iequals(*t->value, "tcp")) return sip::Transport::Tcp;
    if (iequals(*t->value, "udp")) return sip::Transport::Udp;
  }
  return fallback;
}

std::string aliasKey(std::string_view host, uint16_t port, sip::Transport t) {
  return stripBrackets(host) + ":" + std::to_string(port) + ":" + std::string(sip::transportName(t));
}

// RFC 3261 §16.7 step 6: the lowest class wins, 6xx before anything but 2xx; among
// 4xx prefer the more specific answers a user can act on.
int responseRank(int status) {
  if (status >= 600) return 0;
  if (status >= 200 && status < 300) return -1;
  if (status == 408) return 900;  // a timeout says least
  if (status == 480 || status == 486 || status == 487 || status == 603) return 100;
  return status;
}

sip::auth::DigestConfig digestConfig(const FrontendConfig& cfg) {
  sip::auth::DigestConfig d;
  d.nonceLifetime = std::chrono::seconds(cfg.nonceLifetimeSeconds);
  d.algorithms.clear();
  for (const auto& name : cfg.authAlgorithms) {
    if (auto a = sip::auth::parseAlgorithm(name)) d.algorithms.push_back(*a);
  }
  return d;
}

// A stateful proxy answers 100 Trying to an INVITE at once (RFC 3261 §16.2) so the caller
// stops retransmitting while the callee's phone rings.
sip::TimerConfig proxyTimers(sip::TimerConfig t) {
  t.autoTrying = true;
  t.tryingDelay = Duration(0);
  return t;
}

}  // namespace

FrontendCore::FrontendCore(const FrontendConfig& cfg, std::string domain, UserDirectory& users,
                           RegistrationSink& sink, sip::TimerConfig timers)
    : cfg_(cfg),
      domain_(toLower(domain)),
      users_(users),
      sink_(sink),
      txn_(proxyTimers(timers)),
      auth_(digestConfig(cfg)),
      localTag_(crypto::randomToken(4)) {
  limits_.maxMessageBytes = cfg.maxMessageBytes;
}

void FrontendCore::restoreRegistrations(int64_t unixNow) {
  for (Binding b : sink_.loadBindings(unixNow)) {
    // Connection ids die with the process: never let an old id match a new connection.
    b.path.connectionId = 0;
    location_.upsert(b);
  }
}

void FrontendCore::persist(const Binding& b) {
  sink_.saveBinding(b);
  durableWrites_ = true;
}

void FrontendCore::unpersist(const Binding& b) {
  sink_.deleteBinding(b);
  durableWrites_ = true;
}

std::optional<Outbound> FrontendCore::poll() {
  if (out_.empty()) return std::nullopt;
  Outbound o = std::move(out_.front());
  out_.pop_front();
  return o;
}

std::optional<ResolveRequest> FrontendCore::pollResolve() {
  if (resolveOut_.empty()) return std::nullopt;
  ResolveRequest r = std::move(resolveOut_.front());
  resolveOut_.pop_front();
  return r;
}

void FrontendCore::onResolved(uint64_t token, const std::vector<ResolvedTarget>& targets,
                              const std::string& error, TimePoint now, int64_t unixNow) {
  durableWrites_ = false;
  auto it = resolving_.find(token);
  if (it == resolving_.end()) return;
  PendingResolve pending = std::move(it->second);
  resolving_.erase(it);
  if (targets.empty()) {
    if (pending.server) respond(pending.server, pending.request, 503, error.empty() ? "DNS found no target" : error, now);
    drainTransactions(now, unixNow);
    return;
  }
  // RFC 3263 §4.3 would try the next target after a transport failure; the first is taken
  // for now, and a failure answers 503 upstream.
  const ResolvedTarget& t = targets.front();
  if (t.peer.transport == sip::Transport::Tls && !t.serverName.empty()) {
    serverNames_[aliasKey(t.peer.address, t.peer.port, t.peer.transport)] = t.serverName;
  }
  if (pending.server) {
    proxyToTargets(pending.server, std::move(pending.request), {{std::string(), t.peer}}, now);
  } else {
    sendStatelessTo(t.peer, std::move(pending.request));
  }
  drainTransactions(now, unixNow);
}

std::optional<TimePoint> FrontendCore::nextDeadline() const {
  auto next = txn_.nextDeadline();
  for (const auto& [id, f] : forwards_) {
    if (f.isInvite && !f.answered && (!next || f.timerC < *next)) next = f.timerC;
  }
  // Expired registrations are swept at least once a minute.
  return next;
}

void FrontendCore::onTimer(TimePoint now, int64_t unixNow) {
  durableWrites_ = false;
  txn_.onTimer(now);
  drainTransactions(now, unixNow);
  for (auto& [id, f] : forwards_) {
    if (f.isInvite && !f.answered && f.timerC <= now) {
      // Nobody answered in time: stop the ringing and tell the caller (§16.8).
      f.answered = true;
      cancelBranches(f, now);
      respond(f.server, f.request, 408, "Request Timeout", now);
    }
  }
  drainTransactions(now, unixNow);
  for (const Binding& b : location_.purgeExpired(unixNow)) unpersist(b);
}

void FrontendCore::onSendFailed(const Outbound& o, TimePoint now, int64_t unixNow) {
  durableWrites_ = false;
  if (o.client) txn_.onTransportError(o.client, now);
  if (o.server) txn_.onTransportError(o.server, now);
  drainTransactions(now, unixNow);
}

void FrontendCore::onConnectionClosed(uint64_t connectionId) {
  durableWrites_ = false;
  for (const Binding& b : location_.removeByConnection(connectionId)) unpersist(b);
  for (auto it = connectionAliases_.begin(); it != connectionAliases_.end();) {
    it = it->second == connectionId ? connectionAliases_.erase(it) : std::next(it);
  }
}

void FrontendCore::onMessage(const sip::Peer& from, std::string_view bytes, TimePoint now,
                             int64_t unixNow) {
  durableWrites_ = false;
  auto parsed = sip::parseMessage(bytes, limits_);
  if (!parsed) {
    ++stats_.malformed;
    respondToUnparsable(from, bytes, parsed.error());
    return;
  }
  sip::Message msg = std::move(parsed).value();
  if (msg.isRequest()) {
    ++stats_.requests;
  } else {
    ++stats_.responses;
    if (sip::checkResponse(msg)) {
      ++stats_.malformed;
      return;  // a broken response is dropped (RFC 3261 §18.1.2)
    }
  }
  txn_.onMessage(from, std::move(msg), now);
  drainTransactions(now, unixNow);
}

void FrontendCore::drainTransactions(TimePoint now, int64_t unixNow) {
  while (auto ev = txn_.poll()) {
    std::visit(
        [&](auto&& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, sip::SendTo>) {
            out_.push_back(Outbound{e.to, std::move(e.bytes), [&] {
              if (e.to.transport != sip::Transport::Tls) return std::string();
              auto n = serverNames_.find(aliasKey(e.to.address, e.to.port, e.to.transport));
              return n == serverNames_.end() ? std::string() : n->second;
            }(), e.client, e.server, durableWrites_});
          } else if constexpr (std::is_same_v<E, sip::RequestReceived>) {
            onRequest(e.id, e.from, std::move(e.request), now, unixNow);
          } else if constexpr (std::is_same_v<E, sip::CancelReceived>) {
            onCancel(e.id, e.invite, e.cancel, now);
          } else if constexpr (std::is_same_v<E, sip::AckReceived>) {
            forwardStateless(e.from, std::move(e.ack));
          } else if constexpr (std::is_same_v<E, sip::ResponseReceived>) {
            onResponse(e.id, std::move(e.response), now);
          } else if constexpr (std::is_same_v<E, sip::Timeout>) {
            if (e.client) onClientFailure(e.client, 408, now);
          } else if constexpr (std::is_same_v<E, sip::TransportError>) {
            if (e.client) onClientFailure(e.client, 503, now);
          } else if constexpr (std::is_same_v<E, sip::BadMessage>) {
            ++stats_.malformed;
            if (e.message.isRequest() && e.message.method() != sip::Method::Ack) {
              sip::Message resp = sip::makeResponse(e.message, 400, e.error.message, localTag_);
              resp.addHeader(sip::HeaderId::Warning, warning(e.error.message));
              txn_.sendStateless(e.from, resp);
            }
          }
        },
        *ev);
  }
}

// ---------------------------------------------------------------------------------------
// Errors for messages that did not parse.

void FrontendCore::respondToUnparsable(const sip::Peer& from, std::string_view bytes,
                                       const Error& error) {
  // Responses that do not parse are dropped; so are requests without the headers a
  // response needs to find its way back (RFC 3261 §8.2.6: Via, From, To, Call-ID, CSeq).
  if (bytes.substr(0, 4) == "SIP/" || error.code == 0) return;
  std::vector<std::string> copied;
  bool haveVia = false;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t eol = bytes.find('\n', pos);
    std::string_view line = bytes.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? bytes.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // the request line, or junk
    auto id = sip::headerIdFromName(trim(line.substr(0, colon)));
    if (id == sip::HeaderId::Via || id == sip::HeaderId::From || id == sip::HeaderId::To ||
        id == sip::HeaderId::CallId || id == sip::HeaderId::CSeq) {
      haveVia = haveVia || id == sip::HeaderId::Via;
      copied.push_back(std::string(sip::canonicalHeaderName(id)) + ": " +
                       std::string(trim(line.substr(colon + 1))));
    }
  }
  if (!haveVia) return;
  int status = error.code >= 400 && error.code < 700 ? error.code : 400;
  std::string reason = error.message.empty() ? std::string(sip::defaultReason(status)) : error.message.substr(0, 200);
  for (char& c : reason) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  std::string wire = "SIP/2.0 " + std::to_string(status) + " " + reason + "\r\n";
  for (const auto& h : copied) wire += h + "\r\n";
  wire += "Warning: " + warning(reason) + "\r\nContent-Length: 0\r\n\r\n";
  out_.push_back(Outbound{from, std::move(wire), {}, {}, {}, false});
}

// RFC 3261 §20.43: "399 <agent> "<text>"", the text a quoted-string (no raw quotes or
// line breaks), bounded so a hostile message cannot make a huge answer.
std::string FrontendCore::warning(std::string_view text) const {
  std::string out = "399 " + (cfg_.pool.empty() ? std::string("parley") : cfg_.pool) + " \"";
  for (char c : text.substr(0, 200)) {
    out.push_back(c == '"' ? '\'' : (c == '\r' || c == '\n' || c == '\\') ? ' ' : c);
  }
  return out + "\"";
}

void FrontendCore::respond(sip::ServerTransactionId st, const sip::Message& req, int status,
                           std::string_view reason, TimePoint now,
                           const std::vector<std::pair<sip::HeaderId, std::string>>& extra) {
  sip::Message resp = sip::makeResponse(req, status, reason, status > 100 ? localTag_ : "");
  for (const auto& [id, value] : extra) resp.addHeader(id, value);
  if (status >= 400 && !reason.empty() && reason != sip::defaultReason(status)) {
    resp.addHeader(sip::HeaderId::Warning, warning(reason));
  }
  (void)txn_.sendResponse(st, std::move(resp), now);
}

// ---------------------------------------------------------------------------------------
// Requests.

bool FrontendCore::isOurDomain(std::string_view host) const { return iequals(host, domain_); }

bool FrontendCore::isOurs(const sip::Uri& uri) const {
  if (!uri.isSip()) return false;
  std::string host = stripBrackets(uri.host);
  bool hostMatches = iequals(host, cfg_.pool) || iequals(host, domain_);
  for (const auto& l : cfg_.listen) {
    hostMatches = hostMatches || iequals(host, l.advertise) || iequals(host, l.address);
  }
  if (!hostMatches) return false;
  if (!uri.port) return true;
  for (const auto& l : cfg_.listen) {
    if (l.port == *uri.port) return true;
  }
  return false;
}

const ListenConfig* FrontendCore::listenerFor(sip::Transport t) const {
  for (const auto& l : cfg_.listen) {
    if (l.transport == t) return &l;
  }
  return nullptr;
}

std::string FrontendCore::viaFor(sip::Transport t, const std::string& branch) const {
  const ListenConfig* l = listenerFor(t);
  std::string host = l != nullptr ? l->advertise : cfg_.pool;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return "SIP/2.0/" + std::string(sip::transportName(t)) + " " + host + ":" +
         std::to_string(l != nullptr ? l->port : 5061) + ";branch=" + branch + ";rport";
}

std::string FrontendCore::recordRouteFor(sip::Transport t) const {
  const ListenConfig* l = listenerFor(t);
  std::string host = l != nullptr ? l->advertise : cfg_.pool;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  std::string uri = "sip:" + host + ":" + std::to_string(l != nullptr ? l->port : 5061);
  if (t != sip::Transport::Udp) uri += ";transport=" + toLower(sip::transportName(t));
  return "<" + uri + ";lr>";
}

void FrontendCore::rememberConnection(const sip::Peer& from, const sip::Message& req) {
  if (from.connectionId == 0) return;
  auto contacts = req.contacts();
  if (!contacts) return;
  for (const auto& c : *contacts) {
    if (!c.uri.isSip()) continue;
    uint16_t port = c.uri.port.value_or(from.transport == sip::Transport::Tls ? 5061 : 5060);
    connectionAliases_[aliasKey(c.uri.host, port, from.transport)] = from.connectionId;
  }
}

std::optional<sip::Peer> FrontendCore::resolveTarget(const sip::Uri& uri, int64_t unixNow) const {
  if (auto b = location_.findByContact(uri, unixNow)) return b->path;
  if (!uri.isSip() || !isNumericHost(uri.host)) return std::nullopt;
  sip::Peer p;
  p.transport = transportOfUri(uri, sip::Transport::Udp);
  p.address = stripBrackets(uri.host);
  p.port = uri.port.value_or(p.transport == sip::Transport::Tls ? 5061 : 5060);
  if (auto it = connectionAliases_.find(aliasKey(uri.host, p.port, p.transport));
      it != connectionAliases_.end()) {
    p.connectionId = it->second;
  }
  return p;
}

void FrontendCore::onRequest(sip::ServerTransactionId st, const sip::Peer& from, sip::Message req,
                             TimePoint now, int64_t unixNow) {
  if (auto rejection = sip::checkRequest(req)) {
    std::vector<std::pair<sip::HeaderId, std::string>> extra;
    for (const auto& tag : rejection->unsupported) extra.emplace_back(sip::HeaderId::Unsupported, tag);
    respond(st, req, rejection->status, rejection->reason, now, extra);
    return;
  }
  // RFC 3581 / §18.2.1: note where the request really came from.
  if (auto via = req.topVia()) {
    sip::Via v = *via;
    bool changed = false;
    if (stripBrackets(v.host) != from.address) {
      v.params.erase(std::remove_if(v.params.begin(), v.params.end(),
                                    [](const sip::Param& p) { return iequals(p.name, "received"); }),
                     v.params.end());
      v.params.push_back({"received", from.address});
      changed = true;
    }
    for (auto& p : v.params) {
      if (iequals(p.name, "rport") && !p.value) {
        p.value = std::to_string(from.port);
        changed = true;
      }
    }
    if (changed) {
      req.removeFirstHeader(sip::HeaderId::Via);
      req.prependHeader(sip::HeaderId::Via, v.toString());
    }
  }
  rememberConnection(from, req);

  // Loose routing (RFC 3261 §16.4): drop the Route entries that name us (two of them when
  // we double record-routed across transports).
  while (true) {
    auto routes = req.nameAddrs(sip::HeaderId::Route);
    if (!routes || routes->empty() || !isOurs(routes->front().uri)) break;
    req.removeFirstHeader(sip::HeaderId::Route);
  }

  const bool inDialog = req.to() && !req.to()->tag().empty();
  auto routes = req.nameAddrs(sip::HeaderId::Route);
  const bool hasRoute = routes && !routes->empty();

  if (req.method() == sip::Method::Register && !hasRoute) {
    if (isOurDomain(stripBrackets(req.requestUri().host)) || isOurs(req.requestUri())) {
      handleRegister(st, from, req, now, unixNow);
    } else {
      respond(st, req, 403, "This registrar serves " + domain_ + " only", now);
    }
    return;
  }

  const sip::Uri& ruri = req.requestUri();
  if (!hasRoute && !inDialog && ruri.isSip() && ruri.user.empty() && isOurs(ruri)) {
    if (req.method() == sip::Method::Options) {
      handleOptionsToSelf(st, req, now);
    } else {
      respond(st, req, 405, "Method Not Allowed", now, {{sip::HeaderId::Allow, std::string(kAllow)}});
    }
    return;
  }

  if (sip::maxForwardsExhausted(req)) {
    respond(st, req, 483, "Too Many Hops", now);
    return;
  }

  if (hasRoute || inDialog) {
    // Follows a route set we (or an earlier hop) put in place: the next hop is the top
    // Route, else the Request-URI.
    const sip::Uri next = hasRoute ? routes->front().uri : ruri;
    if (!mayRelay(from, next, unixNow)) {
      respond(st, req, 403, "Not a dialog of this server's users", now);
      return;
    }
    routeTo(st, next, std::move(req), now, unixNow);
    return;
  }

  // A new request. Our own users must prove who they are before we act for them.
  auto fromHeader = req.from();
  if (cfg_.authRequired && fromHeader && fromHeader->uri.isSip() && isOurDomain(fromHeader->uri.host)) {
    if (!authenticate(st, req, /*proxyAuth=*/true, sip::unescape(fromHeader->uri.user).value_or(fromHeader->uri.user), now, unixNow)) return;
  } else if (!(ruri.isSip() && (isOurDomain(stripBrackets(ruri.host)) || isOurs(ruri))) &&
             ruri.scheme != sip::Uri::Scheme::Tel) {
    respond(st, req, 403, "Relaying denied", now);
    return;
  }

  // Find the callee: a user of our domain, or a number that belongs to one (reverse
  // number lookup).
  std::optional<UserRecord> callee;
  if (ruri.scheme == sip::Uri::Scheme::Tel) {
    callee = users_.findByLine("tel:" + ruri.opaque.substr(0, ruri.opaque.find(';')));
  } else if (ruri.isSip() && (isOurDomain(stripBrackets(ruri.host)) || isOurs(ruri))) {
    const auto* userParam = ruri.param("user");
    if (userParam && userParam->value && iequals(*userParam->value, "phone")) {
      callee = users_.findByLine("tel:" + ruri.user.substr(0, ruri.user.find(';')));
    }
    // sip:bob@<this server's address> means bob of our domain, as phones dial it.
    if (!callee) callee = users_.findUser("sip:" + toLower(sip::unescape(ruri.user).value_or(ruri.user)) + "@" + domain_);
  } else {
    // Another domain: one of our authenticated users calls out; RFC 3263 finds its server.
    const sip::Uri next = ruri;
    routeTo(st, next, std::move(req), now, unixNow);
    return;
  }
  if (!callee || !callee->enabled) {
    respond(st, req, 404, "Not Found", now);
    return;
  }
  auto bindings = location_.lookup(callee->aor, unixNow);
  if (bindings.empty()) {
    respond(st, req, 480, "Temporarily Unavailable", now);
    return;
  }
  std::vector<std::pair<std::string, sip::Peer>> targets;
  for (const auto& b : bindings) targets.emplace_back(b.contact, b.path);
  proxyToTargets(st, std::move(req), targets, now);
}

void FrontendCore::handleOptionsToSelf(sip::ServerTransactionId st, const sip::Message& req,
                                       TimePoint now) {
  respond(st, req, 200, "OK", now,
          {{sip::HeaderId::Allow, std::string(kAllow)},
           {sip::HeaderId::Accept, "application/sdp"},
           {sip::HeaderId::Accept, "text/plain"},
           {sip::HeaderId::Supported, "path"}});
}

std::optional<std::string> FrontendCore::authenticate(sip::ServerTransactionId st,
                                                      const sip::Message& req, bool proxyAuth,
                                                      const std::string& expectedUser,
                                                      TimePoint now, int64_t unixNow) {
  const sip::HeaderId credHeader = proxyAuth ? sip::HeaderId::ProxyAuthorization : sip::HeaderId::Authorization;
  const sip::HeaderId challengeHeader = proxyAuth ? sip::HeaderId::ProxyAuthenticate : sip::HeaderId::WwwAuthenticate;
  const int challengeStatus = proxyAuth ? 407 : 401;

  auto challenge = [&](bool stale, std::string_view why) {
    std::vector<std::pair<sip::HeaderId, std::string>> extra;
    for (auto& c : auth_.challenge(domain_, unixNow, stale).headerValues) {
      extra.emplace_back(challengeHeader, std::move(c));
    }
    respond(st, req, challengeStatus, why, now, extra);
  };
  const std::string_view defaultWhy = proxyAuth ? "Proxy Authentication Required" : "Unauthorized";

  // Several credentials may be present, one per realm on the path; use ours.
  auto values = req.headerValues(credHeader);
  auto selected = sip::auth::selectCredentials(values, domain_);
  if (!selected) {
    respond(st, req, 400, "Malformed credentials: " + selected.error().message, now);
    return std::nullopt;
  }
  if (!selected.value()) {
    challenge(false, defaultWhy);
    return std::nullopt;
  }
  const sip::auth::Credentials& creds = *selected.value();
  std::optional<std::string> ha1;
  auto user = users_.findUser("sip:" + toLower(creds.username) + "@" + domain_);
  auto algorithm = sip::auth::parseAlgorithm(creds.algorithm.value_or("MD5"));
  if (user && user->enabled && algorithm) {
    const std::string& h = *algorithm == sip::auth::Algorithm::Sha256 ? user->ha1Sha256 : user->ha1Md5;
    if (!h.empty()) ha1 = h;
  }
  auto outcome = auth_.verify(creds, domain_, req.methodText(), ha1, unixNow);
  switch (outcome.status) {
    case sip::auth::Status::Ok:
      break;
    case sip::auth::Status::Malformed:
      respond(st, req, 400, "Malformed credentials: " + outcome.reason, now);
      return std::nullopt;
    default:
      // A wrong password, an unknown user, a forged or replayed nonce: the same challenge
      // (strangers learn nothing about which users exist); stale=true where the client
      // knew the password and only needs a fresh nonce.
      challenge(outcome.staleChallenge(), defaultWhy);
      return std::nullopt;
  }
  if (!iequals(creds.username, expectedUser)) {
    respond(st, req, 403, "Credentials of " + creds.username + " cannot act for " + expectedUser, now);
    return std::nullopt;
  }
  return creds.username;
}

// ---------------------------------------------------------------------------------------
// Registrar (RFC 3261 §10.3).

void FrontendCore::handleRegister(sip::ServerTransactionId st, const sip::Peer& from,
                                  const sip::Message& req, TimePoint now, int64_t unixNow) {
  auto to = req.to();
  if (!to || !to->uri.isSip() || !isOurDomain(stripBrackets(to->uri.host))) {
    respond(st, req, 404, "Not a user of " + domain_, now);
    return;
  }
  const std::string aor = to->uri.addressOfRecord();
  const std::string toUser = sip::unescape(to->uri.user).value_or(to->uri.user);
  if (cfg_.authRequired) {
    if (!authenticate(st, req, /*proxyAuth=*/false, toUser, now, unixNow)) return;
  }
  auto user = users_.findUser(aor);
  if (!user || !user->enabled) {
    respond(st, req, 404, "Not Found", now);
    return;
  }

  const std::string callId(req.callId());
  const uint32_t cseq = req.cseq() ? req.cseq()->number : 0;
  std::optional<int> headerExpires;
  if (auto e = req.header(sip::HeaderId::Expires)) {
    headerExpires = parseNumber<int>(trim(*e));
    if (!headerExpires) headerExpires = cfg_.maxExpires;  // overlarge: clamp below
  }

  if (req.isStarContact()) {
    // "Contact: *" removes every binding, and only with Expires: 0 (§10.3 step 6).
    if (req.headerCount(sip::HeaderId::Contact) != 1 || headerExpires.value_or(-1) != 0) {
      respond(st, req, 400, "Contact * needs Expires: 0 and no other contact", now);
      return;
    }
    for (const Binding& b : location_.removeAll(aor)) unpersist(b);
  } else {
    auto contacts = req.contacts();
    if (!contacts) {
      respond(st, req, 400, "Malformed Contact: " + contacts.error().message, now);
      return;
    }
    for (const auto& c : *contacts) {
      int expires = cfg_.defaultExpires;
      if (const auto* p = c.param("expires"); p && p->value) {
        auto v = parseNumber<int64_t>(*p->value);
        expires = v ? static_cast<int>(std::min<int64_t>(*v, cfg_.maxExpires)) : cfg_.maxExpires;
      } else if (headerExpires) {
        expires = *headerExpires;
      }
      if (expires > 0 && expires < cfg_.minExpires) {
        respond(st, req, 423, "Interval Too Brief", now,
                {{sip::HeaderId::MinExpires, std::to_string(cfg_.minExpires)}});
        return;
      }
      expires = std::min(expires, cfg_.maxExpires);
      std::string contactUri = c.uri.toString();
      const Binding* existing = location_.find(aor, contactUri);
      if (existing && existing->callId == callId && cseq <= existing->cseq) {
        continue;  // an older or repeated REGISTER: keep the newer binding (§10.3 step 7)
      }
      if (expires == 0) {
        if (existing) {
          Binding gone = *existing;
          location_.remove(aor, contactUri);
          unpersist(gone);
        }
        continue;
      }
      Binding b;
      b.aor = aor;
      b.contact = std::move(contactUri);
      if (const auto* inst = c.param("+sip.instance"); inst && inst->value) b.instance = *inst->value;
      if (const auto* q = c.param("q"); q && q->value) {
        try {
          b.q = std::clamp(std::stod(*q->value), 0.0, 1.0);
        } catch (...) {
          b.q = 1.0;
        }
      }
      b.expiresAt = unixNow + expires;
      b.callId = callId;
      b.cseq = cseq;
      b.path = from;
      if (auto ua = req.header(sip::HeaderId::UserAgent)) b.userAgent = std::string(*ua);
      location_.upsert(b);
      persist(b);
      if (from.connectionId != 0) keep_.push_back(from.connectionId);
    }
  }
  ++stats_.registrations;
  std::vector<std::pair<sip::HeaderId, std::string>> extra;
  for (const Binding& b : location_.lookup(aor, unixNow)) {
    extra.emplace_back(sip::HeaderId::Contact,
                       "<" + b.contact + ">;expires=" + std::to_string(b.expiresAt - unixNow));
  }
  respond(st, req, 200, "OK", now, extra);
}

// ---------------------------------------------------------------------------------------
// Stateful proxy (RFC 3261 §16).

void FrontendCore::proxyToTargets(sip::ServerTransactionId st, sip::Message req,
                                  const std::vector<std::pair<std::string, sip::Peer>>& targets,
                                  TimePoint now) {
  Forward f;
  f.server = st;
  f.isInvite = req.method() == sip::Method::Invite;
  const bool dialogCreating = f.isInvite || req.method() == sip::Method::Subscribe ||
                              req.method() == sip::Method::Refer;
  const bool inDialog = req.to() && !req.to()->tag().empty();

  // Our own credentials go no further (RFC 3261 §22.3 allows a proxy to consume them).
  req.removeHeaders(sip::HeaderId::ProxyAuthorization);
  auto mf = req.maxForwards();
  req.setHeader(sip::HeaderId::MaxForwards, std::to_string(mf ? std::max(0, *mf - 1) : 69));

  for (const auto& [contact, peer] : targets) {
    sip::Message out = req;
    if (!contact.empty()) {
      auto uri = sip::parseUri(contact);
      if (uri) out.requestUri() = *uri;
    }
    if (dialogCreating && !inDialog) {
      // Record-Route so in-dialog requests come back through us; twice when the two sides
      // use different transports (RFC 5658), the top entry facing the callee.
      const sip::Transport inbound = [&] {
        auto v = req.topVia();
        if (v && iequals(v->transport, "TLS")) return sip::Transport::Tls;
        if (v && iequals(v->transport, "TCP")) return sip::Transport::Tcp;
        return sip::Transport::Udp;
      }();
      if (inbound != peer.transport) out.prependHeader(sip::HeaderId::RecordRoute, recordRouteFor(inbound));
      out.prependHeader(sip::HeaderId::RecordRoute, recordRouteFor(peer.transport));
    }
    out.prependHeader(sip::HeaderId::Via, viaFor(peer.transport, sip::makeBranch()));
    Branch b;
    b.target = peer;
    b.txn = txn_.sendRequest(peer, std::move(out), now);
    if (!b.txn) continue;
    branchOwner_[b.txn] = st;
    f.branches.push_back(std::move(b));
    ++stats_.forwarded;
  }
  f.request = std::move(req);
  f.timerC = now + std::chrono::minutes(3);
  if (f.branches.empty()) {
    respond(st, f.request, 500, "Could not forward the request", now);
    return;
  }
  forwards_[st] = std::move(f);
}

void FrontendCore::onResponse(sip::ClientTransactionId ct, sip::Message resp, TimePoint now) {
  auto owner = branchOwner_.find(ct);
  if (owner == branchOwner_.end()) return;  // a CANCEL's own response, or stale
  auto fit = forwards_.find(owner->second);
  if (fit == forwards_.end()) return;
  Forward& f = fit->second;
  auto bit = std::find_if(f.branches.begin(), f.branches.end(), [&](const Branch& b) { return b.txn == ct; });
  if (bit == f.branches.end()) return;
  Branch& b = *bit;
  const int status = resp.status();
  resp.removeFirstHeader(sip::HeaderId::Via);  // ours (§16.7 step 3)
  if (resp.headerCount(sip::HeaderId::Via) == 0) return;

  if (status < 200) {
    if (status > 100 && !f.answered) {
      f.timerC = now + std::chrono::minutes(3);
      (void)txn_.sendResponse(f.server, std::move(resp), now);
    }
    return;
  }
  if (b.final && status < 300 && f.isInvite) {
    // RFC 6026: further 2xx from the same branch (retransmissions) go upstream too.
    (void)txn_.sendResponse(f.server, std::move(resp), now);
    return;
  }
  b.final = true;
  b.finalStatus = status;
  if (status < 300) {
    // Every 2xx goes upstream at once, forked ones included (§16.7 step 5); the other
    // devices stop ringing.
    f.answered = true;
    (void)txn_.sendResponse(f.server, std::move(resp), now);
    cancelBranches(f, now);
  } else if (!f.best || responseRank(status) < responseRank(f.best->status())) {
    f.best = std::move(resp);
    if (status >= 600) cancelBranches(f, now);
  }
  finishIfDone(f, now);
}

void FrontendCore::cancelBranches(Forward& f, TimePoint now) {
  if (!f.isInvite) return;
  for (auto& b : f.branches) {
    if (!b.final && !b.cancelled) {
      b.cancelled = true;
      (void)txn_.cancelClient(b.txn, now);
    }
  }
}

void FrontendCore::onClientFailure(sip::ClientTransactionId ct, int status, TimePoint now) {
  auto owner = branchOwner_.find(ct);
  if (owner == branchOwner_.end()) return;
  auto fit = forwards_.find(owner->second);
  if (fit == forwards_.end()) return;
  Forward& f = fit->second;
  for (auto& b : f.branches) {
    if (b.txn == ct && !b.final) {
      b.final = true;
      b.finalStatus = status;
    }
  }
  finishIfDone(f, now);
}

void FrontendCore::finishIfDone(Forward& f, TimePoint now) {
  bool allFinal = std::all_of(f.branches.begin(), f.branches.end(), [](const Branch& b) { return b.final; });
  if (!allFinal) return;
  if (!f.answered) {
    if (f.best) {
      (void)txn_.sendResponse(f.server, std::move(*f.best), now);
    } else {
      bool anyTransportError = std::any_of(f.branches.begin(), f.branches.end(),
                                           [](const Branch& b) { return b.finalStatus == 503; });
      if (anyTransportError) {
        respond(f.server, f.request, 480, "Temporarily Unavailable: the device cannot be reached", now);
      } else {
        respond(f.server, f.request, 408, "Request Timeout", now);
      }
    }
  }
  for (const auto& b : f.branches) branchOwner_.erase(b.txn);
  forwards_.erase(f.server);
}

void FrontendCore::onCancel(sip::ServerTransactionId cancelTxn, sip::ServerTransactionId inviteTxn,
                            const sip::Message& cancel, TimePoint now) {
  auto fit = forwards_.find(inviteTxn);
  if (fit == forwards_.end()) {
    // §9.2: a CANCEL for an INVITE already answered still gets 200; one matching nothing, 481.
    if (inviteTxn) {
      respond(cancelTxn, cancel, 200, "OK", now);
    } else {
      respond(cancelTxn, cancel, 481, "Call/Transaction Does Not Exist", now);
    }
    return;
  }
  respond(cancelTxn, cancel, 200, "OK", now);
  Forward& f = fit->second;
  cancelBranches(f, now);
  // The caller hears 487 now; the callees' own 487s are then absorbed here.
  if (!f.answered) {
    f.answered = true;
    respond(f.server, f.request, 487, "Request Terminated", now);
  }
}

// In-dialog requests are relayed only for dialogs of our users: one end, the sender or the
// next hop, must be a device registered here. Otherwise anyone could make the Front End
// an open relay by sending a request with a To tag.
bool FrontendCore::mayRelay(const sip::Peer& from, const sip::Uri& next, int64_t unixNow) const {
  return location_.isRegisteredPeer(from) || location_.findByContact(next, unixNow).has_value();
}

void FrontendCore::forwardStateless(const sip::Peer& from, sip::Message req) {
  // ACK for a 2xx (and any request the transaction layer hands over without a
  // transaction): route like an in-dialog request, without a transaction (§16.11).
  while (true) {
    auto routes = req.nameAddrs(sip::HeaderId::Route);
    if (!routes || routes->empty() || !isOurs(routes->front().uri)) break;
    req.removeFirstHeader(sip::HeaderId::Route);
  }
  if (sip::maxForwardsExhausted(req)) return;
  auto routes = req.nameAddrs(sip::HeaderId::Route);
  const sip::Uri next = (routes && !routes->empty()) ? routes->front().uri : req.requestUri();
  if (!mayRelay(from, next, unixNow())) return;
  routeTo(sip::ServerTransactionId{}, next, std::move(req), TimePoint{}, unixNow());
}

void FrontendCore::routeTo(sip::ServerTransactionId st, const sip::Uri& next, sip::Message req,
                           TimePoint now, int64_t unixNow) {
  if (auto target = resolveTarget(next, unixNow)) {
    if (st) {
      proxyToTargets(st, std::move(req), {{std::string(), *target}}, now);
    } else {
      sendStatelessTo(*target, std::move(req));
    }
    return;
  }
  if (!next.isSip() || isOurs(next) || next.host.empty()) {
    if (st) respond(st, req, 404, "No route to " + next.toString(), now);
    return;
  }
  uint64_t token = nextResolveToken_++;
  resolving_[token] = PendingResolve{st, std::move(req)};
  resolveOut_.push_back(ResolveRequest{token, next});
}

void FrontendCore::sendStatelessTo(const sip::Peer& target, sip::Message req) {
  auto mf = req.maxForwards();
  req.setHeader(sip::HeaderId::MaxForwards, std::to_string(mf ? std::max(0, *mf - 1) : 69));
  // A stateless branch must be the same for retransmissions of the same request (§16.11):
  // derive it from the incoming branch.
  auto via = req.topVia();
  std::string branch = "z9hG4bK" + crypto::md5Hex(std::string(via ? via->branch() : "") + "|" +
                                                  std::string(req.callId()) + "|" + localTag_);
  req.prependHeader(sip::HeaderId::Via, viaFor(target.transport, branch));
  txn_.sendStateless(target, req);
}

}  // namespace parley::frontend
