#include "frontend/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <stdexcept>

#include "common/base/clock.hpp"
#include "common/daemon/logging.hpp"
#include "common/net/resolver.hpp"
#include "common/net/transport.hpp"
#include "frontend/core.hpp"
#include "frontend/store_directory.hpp"

namespace parley::frontend {

namespace {
// Expired registrations are swept and the store kept tidy at least this often.
constexpr auto kHousekeeping = std::chrono::seconds(30);

net::TransportConfig transportConfig(const FrontendConfig& cfg) {
  net::TransportConfig t;
  for (const auto& l : cfg.listen) t.listeners.push_back({l.transport, l.address, l.port});
  t.tls.certificateFile = cfg.tlsCertificate;
  t.tls.privateKeyFile = cfg.tlsPrivateKey;
  t.tls.caFile = cfg.tlsCaFile;
  t.limits.maxMessageBytes = cfg.maxMessageBytes;
  t.idleTimeout = std::chrono::seconds(cfg.idleConnectionSeconds);
  return t;
}
net::ResolverConfig resolverConfig(const FrontendConfig& cfg) {
  net::ResolverConfig r;
  r.nameservers = cfg.dnsNameservers;
  r.overrides.hosts = cfg.dnsHosts;
  // Only the transports we listen on can carry our requests out.
  r.policy.udp = r.policy.tcp = r.policy.tls = false;
  for (const auto& l : cfg.listen) {
    (l.transport == sip::Transport::Udp ? r.policy.udp : l.transport == sip::Transport::Tcp ? r.policy.tcp : r.policy.tls) = true;
  }
  return r;
}

}  // namespace

struct FrontendServer::Impl {
  Impl(boost::asio::io_context& ioc, FrontendConfig c)
      : io(ioc),
        cfg(std::move(c)),
        directory(cfg.store, cfg.pool),
        core(cfg, directory.domain(), directory, directory),
        transport(ioc, transportConfig(cfg)),
        resolver(ioc, resolverConfig(cfg)),
        timer(ioc),
        log(daemon::logger("frontend")) {}

  void start() {
    transport.onMessage([this](const sip::Peer& from, std::string bytes) {
      core.onMessage(from, bytes, SteadyClock::now(), unixNow());
      // Let the other messages that are ready be handled first, then commit their
      // registrations together and answer them (see StoreDirectory::commitPending).
      if (!flushPosted) {
        flushPosted = true;
        boost::asio::post(io, [this] {
          flushPosted = false;
          flush();
        });
      }
    });
    transport.onConnectionClosed([this](const sip::Peer& peer, net::CloseReason reason) {
      log->debug("connection {} from {}:{} closed: {}", peer.connectionId, peer.address, peer.port,
                 net::closeReasonName(reason));
      core.onConnectionClosed(peer.connectionId);
      flush();
    });
    if (auto started = transport.start(); !started) {
      throw std::runtime_error(started.error().message);
    }
    core.restoreRegistrations(unixNow());
    for (const auto& l : transport.listeners()) {
      log->info("listening on {} {}:{}", sip::transportName(l.transport), l.address, l.port);
    }
    log->info("serving domain {} as pool {}; {} registrations restored", directory.domain(), cfg.pool,
              core.location().size());
    arm(SteadyClock::now() + kHousekeeping);
  }

  void flush() {
    while (auto r = core.pollResolve()) {
      resolver.resolve(r->uri, [this, token = r->token, name = r->uri.host](Result<std::vector<net::SipTarget>> found) {
        std::vector<ResolvedTarget> targets;
        std::string error;
        if (found) {
          for (const auto& t : *found) targets.push_back({t.peer(), t.serverName});
        } else {
          error = found.error().message;
        }
        if (targets.empty() && error.empty()) error = "No server found for " + name;
        core.onResolved(token, targets, error, SteadyClock::now(), unixNow());
        flush();
      });
    }
    while (auto o = core.poll()) {
      if (o->afterCommit) {
        held.push_back(std::move(*o));
      } else {
        send(std::move(*o));
      }
    }
    // Group commit: answers that report registration changes leave once those changes are
    // in the store; waiting a little lets many REGISTERs share one transaction.
    if (held.empty() || cfg.groupCommitMs == 0 || directory.pendingWrites() >= kMaxGroup) {
      commitAndRelease();
    } else if (!commitArmed) {
      commitArmed = true;
      commitTimer.expires_after(std::chrono::milliseconds(cfg.groupCommitMs));
      commitTimer.async_wait([this](const boost::system::error_code& ec) {
        commitArmed = false;
        if (!ec) commitAndRelease();
      });
    }
    for (uint64_t id : core.takeConnectionsToKeep()) transport.setKeepAlive(id, true);
    auto next = core.nextDeadline();
    if (next && *next < armedAt) arm(*next);
  }

  void commitAndRelease() {
    directory.commitPending();
    for (auto& o : std::exchange(held, {})) send(std::move(o));
  }

  void send(Outbound o) {
    Outbound meta{o.to, {}, {}, o.client, o.server, false};
    net::SendOptions options;
    options.serverName = std::move(o.serverName);
    transport.send(o.to, std::move(o.bytes), options, [this, meta](Result<uint64_t> sent) {
      if (!sent) {
        log->info("cannot send to {} {}:{}: {}", sip::transportName(meta.to.transport), meta.to.address,
                  meta.to.port, sent.error().message);
        core.onSendFailed(meta, SteadyClock::now(), unixNow());
        flush();
      }
    });
  }

  void arm(TimePoint at) {
    armedAt = at;
    timer.expires_at(at);
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;  // re-armed or stopped
      TimePoint now = SteadyClock::now();
      core.onTimer(now, unixNow());
      armedAt = TimePoint::max();
      flush();
      auto next = core.nextDeadline();
      TimePoint housekeeping = now + kHousekeeping;
      arm(next && *next < housekeeping ? *next : housekeeping);
    });
  }

  boost::asio::io_context& io;
  FrontendConfig cfg;
  StoreDirectory directory;
  FrontendCore core;
  net::SipTransport transport;
  net::SipResolver resolver;
  boost::asio::steady_timer timer;
  TimePoint armedAt = TimePoint::max();
  bool flushPosted = false;
  std::vector<Outbound> held;  // answers waiting for their registrations to commit
  boost::asio::steady_timer commitTimer{io};
  bool commitArmed = false;
  static constexpr size_t kMaxGroup = 64;
  std::shared_ptr<spdlog::logger> log;
};

FrontendServer::FrontendServer(boost::asio::io_context& io, FrontendConfig cfg)
    : impl_(std::make_unique<Impl>(io, std::move(cfg))) {}

FrontendServer::~FrontendServer() = default;

void FrontendServer::start() { impl_->start(); }

void FrontendServer::stop() {
  impl_->commitAndRelease();
  impl_->commitTimer.cancel();
  impl_->timer.cancel();
  impl_->transport.stop();
}

}  // namespace parley::frontend
