#include "common/net/transport.hpp"

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <deque>
#include <unordered_map>
#include <utility>

#include "common/base/strings.hpp"
#include "common/net/asio.hpp"

namespace parley::net {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;
using boost::system::error_code;

std::string_view closeReasonName(CloseReason r) noexcept {
  switch (r) {
    case CloseReason::PeerClosed: return "closed by peer";
    case CloseReason::ReadError: return "read error";
    case CloseReason::WriteError: return "write error";
    case CloseReason::ParseError: return "unparseable stream";
    case CloseReason::TooLarge: return "message too large";
    case CloseReason::TlsHandshake: return "TLS handshake failed";
    case CloseReason::ConnectFailed: return "connect failed";
    case CloseReason::Timeout: return "connect timed out";
    case CloseReason::Idle: return "idle";
    case CloseReason::Local: return "closed locally";
  }
  return "closed";
}

namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kMaxUdpPayload = 65507;
// Datagrams read per reactor wake-up before the loop turns to other work.
constexpr int kUdpBurst = 32;  // 65535 - 8 (UDP) - 20 (IPv4 header)
constexpr size_t kMaxGather = 64;         // queued messages written with one call

// Canonical numeric form (IPv4-mapped IPv6 unwrapped), so connection lookups match however
// the caller spelled the address.
asio::ip::address canonical(asio::ip::address a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  }
  return a;
}

std::optional<asio::ip::address> parseAddress(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  error_code ec;
  auto a = asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return canonical(a);
}

std::string endpointText(const std::string& address, uint16_t port) {
  if (address.find(':') != std::string::npos) return "[" + address + "]:" + std::to_string(port);
  return address + ":" + std::to_string(port);
}

std::string connectionKey(sip::Transport t, const std::string& address, uint16_t port) {
  std::string key(sip::transportName(t));
  key += '|';
  key += endpointText(address, port);
  return key;
}

// DSCP for signaling sockets (default CS3, the usual call-signaling marking in enterprise
// networks; RFC 4594 would suggest CS5, hence configurable). IP_TOS / IPV6_TCLASS carry
// the DSCP in the upper six bits of the byte. Failure is harmless and ignored.
template <class Socket>
void setDscp(Socket& socket, bool v6, int dscp) {
  if (dscp < 0 || dscp > 63) return;
  const int tos = dscp << 2;
  if (v6) {
    ::setsockopt(socket.native_handle(), IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof tos);
  } else {
    ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_TOS, &tos, sizeof tos);
  }
}

bool allCrlf(const char* data, size_t n) {
  return std::all_of(data, data + n, [](char c) { return c == '\r' || c == '\n'; });
}

std::string sslErrorText(const error_code& ec, SSL* ssl) {
  std::string text = ec.message();
  if (ssl != nullptr) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      text += " (";
      text += X509_verify_cert_error_string(verify);
      text += ")";
    }
  }
  return text;
}

struct PendingWrite {
  std::string bytes;
  SipTransport::SendHandler done;
  bool isMessage = true;  // false for a keep-alive pong
};

struct UdpListener {
  UdpListener(asio::io_context& io, uint64_t listenerId, size_t bufferSize)
      : id(listenerId), socket(io), buffer(bufferSize) {}
  uint64_t id;
  udp::socket socket;
  std::vector<char> buffer;
  udp::endpoint sender;
  bool v6 = false;
  ListenerInfo info;
};

struct StreamListener {
  StreamListener(asio::io_context& io, uint64_t listenerId)
      : id(listenerId), acceptor(io), retry(io) {}
  uint64_t id;
  tcp::acceptor acceptor;
  asio::steady_timer retry;  // after accept errors such as EMFILE
  bool v6 = false;
  ListenerInfo info;
};

struct Connection {
  enum class State : uint8_t { Connecting, Handshaking, Open, Closed };

  Connection(asio::io_context& io, uint64_t connId, sip::Transport t, bool in,
             const sip::ParseLimits& limits)
      : id(connId), transport(t), inbound(in), framer(limits), timer(io) {}

  tcp::socket& lowest() { return tls ? tls->next_layer() : *plain; }

  template <class F>
  void withStream(F&& f) {
    if (tls) {
      f(*tls);
    } else {
      f(*plain);
    }
  }

  uint64_t id;
  sip::Transport transport;
  bool inbound;
  State state = State::Connecting;
  bool established = false;
  bool keepAlive = false;
  bool writing = false;
  std::string address;
  uint16_t port = 0;
  std::string key;
  std::string serverName;
  std::unique_ptr<tcp::socket> plain;
  std::unique_ptr<ssl::stream<tcp::socket>> tls;
  sip::StreamFramer framer;
  std::array<char, kReadChunk> readBuffer{};
  std::deque<PendingWrite> queue;
  size_t queuedBytes = 0;
  size_t inFlight = 0;  // queue entries covered by the current write
  asio::steady_timer timer;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point lastActivity = started;
};

}  // namespace

struct SipTransport::Impl : std::enable_shared_from_this<SipTransport::Impl> {
  Impl(asio::io_context& ioContext, TransportConfig cfg)
      : io(ioContext), config(std::move(cfg)) {}

  asio::io_context& io;
  TransportConfig config;
  MessageHandler onMessage;
  ClosedHandler onClosed;
  bool started = false;
  bool stopped = false;
  uint64_t nextId = 1;  // shared by listeners and connections: an id names one thing
  std::unique_ptr<ssl::context> serverTls;
  std::unique_ptr<ssl::context> clientTls;
  std::vector<std::shared_ptr<UdpListener>> udpListeners;
  std::vector<std::shared_ptr<StreamListener>> streamListeners;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections;
  std::unordered_multimap<std::string, uint64_t> byKey;
  TransportStats stats;

  // ---- start / stop -------------------------------------------------------------------

  Result<void> start() {
    if (started) return makeError(0, "transport already started");
    started = true;
    if (auto r = loadTls(); !r) return r;
    for (const auto& l : config.listeners) {
      auto r = l.transport == sip::Transport::Udp ? bindUdp(l) : bindStream(l);
      if (!r) {
        stop();
        return r;
      }
    }
    for (auto& l : udpListeners) receive(l);
    for (auto& l : streamListeners) accept(l);
    return {};
  }

  Result<void> loadTls() {
    const bool tlsListener =
        std::any_of(config.listeners.begin(), config.listeners.end(),
                    [](const ListenerConfig& l) { return l.transport == sip::Transport::Tls; });
    const auto& t = config.tls;
    const bool haveIdentity = !t.certificateFile.empty() || !t.privateKeyFile.empty();
    if (tlsListener && (t.certificateFile.empty() || t.privateKeyFile.empty())) {
      return makeError(0, "a TLS listener needs tls certificate and private key files");
    }
    // TLS 1.2 and 1.3 only (RFC 8996 deprecates 1.0 and 1.1).
    auto base = [](ssl::context& ctx) {
      ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                      ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
      SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    };
    auto loadIdentity = [&](ssl::context& ctx) -> Result<void> {
      error_code ec;
      ctx.use_certificate_chain_file(t.certificateFile, ec);
      if (ec) {
        return makeError(0, "cannot load TLS certificate " + t.certificateFile + ": " +
                                ec.message());
      }
      ctx.use_private_key_file(t.privateKeyFile, ssl::context::pem, ec);
      if (ec) {
        return makeError(0, "cannot load TLS private key " + t.privateKeyFile + ": " +
                                ec.message());
      }
      if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
        return makeError(0, "TLS private key " + t.privateKeyFile +
                                " does not match certificate " + t.certificateFile);
      }
      return {};
    };

    serverTls = std::make_unique<ssl::context>(ssl::context::tls_server);
    base(*serverTls);
    // Phones have no certificate: clients are not asked for one; they authenticate with
    // SIP digest (RFC 3261 §22).
    serverTls->set_verify_mode(ssl::verify_none);
    if (haveIdentity) {
      if (auto r = loadIdentity(*serverTls); !r) return r;
    }

    clientTls = std::make_unique<ssl::context>(ssl::context::tls_client);
    base(*clientTls);
    clientTls->set_verify_mode(ssl::verify_peer);
    error_code ec;
    if (!t.caFile.empty()) {
      clientTls->load_verify_file(t.caFile, ec);
      if (ec) return makeError(0, "cannot load TLS CA file " + t.caFile + ": " + ec.message());
    } else {
      clientTls->set_default_verify_paths(ec);  // no system store is not fatal: verify fails
    }
    if (haveIdentity && !t.certificateFile.empty() && !t.privateKeyFile.empty()) {
      if (auto r = loadIdentity(*clientTls); !r) return r;
    }
    return {};
  }

  Result<void> bindUdp(const ListenerConfig& l) {
    auto addr = parseAddress(l.address);
    const std::string where = "UDP " + endpointText(l.address, l.port);
    if (!addr) return makeError(0, "listener " + where + ": not a numeric IP address");
    const size_t bufferSize = std::min(config.limits.maxMessageBytes + 1, size_t{65536});
    auto u = std::make_shared<UdpListener>(io, nextId++, bufferSize);
    udp::endpoint ep(*addr, l.port);
    error_code ec;
    u->socket.open(ep.protocol(), ec);
    if (!ec && addr->is_v6()) u->socket.set_option(asio::ip::v6_only(true), ec);
    if (!ec) u->socket.bind(ep, ec);
    // Synchronous reads and writes below must never block the event loop.
    if (!ec) u->socket.non_blocking(true, ec);
    if (ec) return makeError(0, "cannot bind " + where + ": " + ec.message());
    u->v6 = addr->is_v6();
    setDscp(u->socket, u->v6, config.dscp);
    const auto local = u->socket.local_endpoint(ec);
    u->info = ListenerInfo{u->id, sip::Transport::Udp, addr->to_string(), local.port()};
    udpListeners.push_back(std::move(u));
    return {};
  }

  Result<void> bindStream(const ListenerConfig& l) {
    auto addr = parseAddress(l.address);
    const std::string where =
        std::string(sip::transportName(l.transport)) + " " + endpointText(l.address, l.port);
    if (!addr) return makeError(0, "listener " + where + ": not a numeric IP address");
    auto s = std::make_shared<StreamListener>(io, nextId++);
    tcp::endpoint ep(*addr, l.port);
    error_code ec;
    s->acceptor.open(ep.protocol(), ec);
    if (!ec) s->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && addr->is_v6()) s->acceptor.set_option(asio::ip::v6_only(true), ec);
    if (!ec) s->acceptor.bind(ep, ec);
    if (!ec) s->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return makeError(0, "cannot listen on " + where + ": " + ec.message());
    s->v6 = addr->is_v6();
    setDscp(s->acceptor, s->v6, config.dscp);  // inherited by accepted sockets on Linux
    const auto local = s->acceptor.local_endpoint(ec);
    s->info = ListenerInfo{s->id, l.transport, addr->to_string(), local.port()};
    streamListeners.push_back(std::move(s));
    return {};
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    onMessage = nullptr;
    onClosed = nullptr;
    error_code ec;
    for (auto& u : udpListeners) u->socket.close(ec);
    for (auto& s : streamListeners) {
      s->acceptor.close(ec);
      s->retry.cancel();
    }
    for (auto& [id, c] : connections) {
      c->state = Connection::State::Closed;
      c->timer.cancel();
      c->lowest().close(ec);
      c->queue.clear();
    }
    // Pending handlers hold their own references; dropping the tables breaks the cycles
    // (connection or listener) -> handler -> Impl -> table.
    udpListeners.clear();
    streamListeners.clear();
    connections.clear();
    byKey.clear();
  }

  // ---- UDP ----------------------------------------------------------------------------

  void receive(const std::shared_ptr<UdpListener>& u) {
    u->socket.async_receive_from(
        asio::buffer(u->buffer), u->sender,
        [self = shared_from_this(), u](const error_code& ec, size_t n) {
          if (self->stopped || ec == asio::error::operation_aborted) return;
          if (!ec) self->onDatagram(*u, n);
          // Under load more datagrams are already queued: read them now, without a trip
          // through the reactor for each (bounded, so streams and timers get their turn).
          for (int i = 0; i < kUdpBurst && !self->stopped; ++i) {
            error_code more;
            size_t m = u->socket.receive_from(asio::buffer(u->buffer), u->sender, 0, more);
            if (more == asio::error::would_block || more == asio::error::try_again) break;
            if (!more) self->onDatagram(*u, m);
          }
          // Other errors (an ICMP error queued on the socket) concern one datagram only.
          if (!self->stopped) self->receive(u);
        });
  }

  void onDatagram(UdpListener& u, size_t n) {
    stats.bytesReceived += n;
    if (n > config.limits.maxMessageBytes) {
      ++stats.oversizeDropped;
      return;
    }
    // Some UAs send bare CRLF datagrams as NAT keep-alives (cf. RFC 3261 §7.5 for streams);
    // they are not messages.
    if (allCrlf(u.buffer.data(), n)) return;
    ++stats.messagesReceived;
    if (!onMessage) return;
    sip::Peer from{sip::Transport::Udp, canonical(u.sender.address()).to_string(),
                   u.sender.port(), 0};
    onMessage(from, std::string(u.buffer.data(), n));
  }

  void sendUdp(const sip::Peer& to, std::string bytes, SendHandler done) {
    auto addr = parseAddress(to.address);
    if (!addr) return fail(std::move(done), 503, "not a numeric IP address: " + to.address);
    if (bytes.size() > kMaxUdpPayload) {
      return fail(std::move(done), 513, "message of " + std::to_string(bytes.size()) +
                                            " bytes is too large for UDP");
    }
    std::shared_ptr<UdpListener> from;
    for (auto& u : udpListeners) {
      if (u->v6 != addr->is_v6()) continue;
      if (to.connectionId != 0 && u->id == to.connectionId) {
        from = u;
        break;
      }
      if (!from) from = u;
    }
    if (!from) {
      return fail(std::move(done), 503,
                  std::string("no UDP listener for ") + (addr->is_v6() ? "IPv6" : "IPv4"));
    }
    // A datagram socket almost always takes the datagram at once: send it now and use the
    // reactor only when the socket buffer is full.
    {
      error_code ec;
      size_t n = from->socket.send_to(asio::buffer(bytes), udp::endpoint(*addr, to.port), 0, ec);
      if (!ec) {
        stats.bytesSent += n;
        ++stats.messagesSent;
        return succeed(std::move(done), 0);
      }
      if (ec != asio::error::would_block && ec != asio::error::try_again) {
        return fail(std::move(done), 503,
                    "UDP send to " + endpointText(to.address, to.port) + ": " + ec.message());
      }
    }
    auto buf = std::make_shared<std::string>(std::move(bytes));
    from->socket.async_send_to(
        asio::buffer(*buf), udp::endpoint(*addr, to.port),
        [self = shared_from_this(), buf, done = std::move(done), to](const error_code& ec,
                                                                     size_t n) mutable {
          if (self->stopped) return;
          if (ec) {
            self->fail(std::move(done), 503,
                       "UDP send to " + endpointText(to.address, to.port) + ": " + ec.message());
            return;
          }
          self->stats.bytesSent += n;
          ++self->stats.messagesSent;
          self->succeed(std::move(done), 0);
        });
  }

  // ---- accepting ----------------------------------------------------------------------

  void accept(const std::shared_ptr<StreamListener>& s) {
    s->acceptor.async_accept(
        [self = shared_from_this(), s](const error_code& ec, tcp::socket socket) {
          if (self->stopped || ec == asio::error::operation_aborted) return;
          if (ec) {
            // EMFILE and friends: back off briefly instead of spinning on the error.
            s->retry.expires_after(std::chrono::milliseconds(100));
            s->retry.async_wait([self, s](const error_code& e) {
              if (!e && !self->stopped) self->accept(s);
            });
            return;
          }
          self->onAccepted(*s, std::move(socket));
          self->accept(s);
        });
  }

  void onAccepted(StreamListener& s, tcp::socket socket) {
    error_code ec;
    if (connections.size() >= config.maxConnections) {
      ++stats.connectionsRejected;
      socket.close(ec);
      return;
    }
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return;  // already gone
    ++stats.connectionsAccepted;
    socket.set_option(tcp::no_delay(true), ec);
    setDscp(socket, remote.address().is_v6(), config.dscp);
    auto c = std::make_shared<Connection>(io, nextId++, s.info.transport, true, config.limits);
    c->address = canonical(remote.address()).to_string();
    c->port = remote.port();
    c->key = connectionKey(c->transport, c->address, c->port);
    if (c->transport == sip::Transport::Tls) {
      c->tls = std::make_unique<ssl::stream<tcp::socket>>(std::move(socket), *serverTls);
    } else {
      c->plain = std::make_unique<tcp::socket>(std::move(socket));
    }
    insert(c);
    if (c->tls) {
      c->state = Connection::State::Handshaking;
      armTimer(c);
      c->tls->async_handshake(ssl::stream_base::server,
                              [self = shared_from_this(), c](const error_code& e) {
                                self->onHandshake(c, e);
                              });
    } else {
      established(c);
    }
  }

  // ---- connecting ---------------------------------------------------------------------

  std::shared_ptr<Connection> open(sip::Transport t, const asio::ip::address& addr,
                                   uint16_t port, const std::string& serverName) {
    auto c = std::make_shared<Connection>(io, nextId++, t, false, config.limits);
    c->address = addr.to_string();
    c->port = port;
    c->key = connectionKey(t, c->address, port);
    c->serverName = serverName;
    if (t == sip::Transport::Tls) {
      c->tls = std::make_unique<ssl::stream<tcp::socket>>(io, *clientTls);
      SSL* ssl = c->tls->native_handle();
      const bool numeric = parseAddress(serverName).has_value();
      if (serverName.empty() || numeric) {
        // No name to check: the certificate must carry the address as an IP SAN, the only
        // binding a numeric target has.
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
                                      serverName.empty() ? c->address.c_str() : serverName.c_str());
      } else {
        // SNI (RFC 6066 §3: host names only) and the name the certificate must match.
        // SSL_set_tlsext_host_name() spelled out: the macro uses a C cast.
        SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(serverName.c_str()));
        SSL_set1_host(ssl, serverName.c_str());
        SSL_set_hostflags(ssl, config.tls.allowWildcardCertificates
                                   ? X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS
                                   : X509_CHECK_FLAG_NO_WILDCARDS);
      }
    } else {
      c->plain = std::make_unique<tcp::socket>(io);
    }
    insert(c);
    ++stats.connectionsOpened;
    const tcp::endpoint ep(addr, port);
    error_code ec;
    c->lowest().open(ep.protocol(), ec);
    if (ec) {
      // post: the caller has not queued its message yet; fail it through the queue.
      asio::post(io, [self = shared_from_this(), c, msg = ec.message()] {
        self->close(c, CloseReason::ConnectFailed, makeError(503, "cannot open socket: " + msg));
      });
      return c;
    }
    setDscp(c->lowest(), addr.is_v6(), config.dscp);  // before the SYN
    armTimer(c);
    c->lowest().async_connect(ep, [self = shared_from_this(), c](const error_code& e) {
      self->onConnected(c, e);
    });
    return c;
  }

  void onConnected(const std::shared_ptr<Connection>& c, const error_code& ec) {
    if (stopped || c->state == Connection::State::Closed) return;
    if (ec) {
      ++stats.connectFailures;
      close(c, CloseReason::ConnectFailed,
            makeError(503, "cannot connect to " + endpointText(c->address, c->port) + " (" +
                               std::string(sip::transportName(c->transport)) + "): " +
                               ec.message()));
      return;
    }
    error_code ignored;
    c->lowest().set_option(tcp::no_delay(true), ignored);
    if (!c->tls) {
      established(c);
      return;
    }
    c->state = Connection::State::Handshaking;
    c->tls->async_handshake(ssl::stream_base::client,
                            [self = shared_from_this(), c](const error_code& e) {
                              self->onHandshake(c, e);
                            });
  }

  void onHandshake(const std::shared_ptr<Connection>& c, const error_code& ec) {
    if (stopped || c->state == Connection::State::Closed) return;
    if (ec) {
      ++stats.tlsHandshakeFailures;
      const std::string text = sslErrorText(ec, c->inbound ? nullptr : c->tls->native_handle());
      close(c, CloseReason::TlsHandshake,
            makeError(503, "TLS handshake with " + endpointText(c->address, c->port) +
                               (c->serverName.empty() ? "" : " (" + c->serverName + ")") +
                               " failed: " + text));
      return;
    }
    established(c);
  }

  void established(const std::shared_ptr<Connection>& c) {
    c->state = Connection::State::Open;
    c->established = true;
    c->lastActivity = std::chrono::steady_clock::now();
    armTimer(c);
    read(c);
    flush(c);
  }

  // ---- timers -------------------------------------------------------------------------

  // One timer per connection: the connect/handshake deadline until established, then the
  // idle deadline. Traffic only moves lastActivity; the timer re-arms itself when it fires
  // early, so a busy connection does not touch its timer per message.
  void armTimer(const std::shared_ptr<Connection>& c) {
    std::chrono::steady_clock::time_point deadline;
    if (c->state == Connection::State::Open) {
      if (config.idleTimeout.count() <= 0 || c->keepAlive) {
        c->timer.cancel();
        return;
      }
      deadline = c->lastActivity + config.idleTimeout;
    } else {
      deadline = c->started + config.connectTimeout;
    }
    c->timer.expires_at(deadline);
    c->timer.async_wait([self = shared_from_this(), c](const error_code& ec) {
      if (ec || self->stopped || c->state == Connection::State::Closed) return;
      self->onTimer(c);
    });
  }

  void onTimer(const std::shared_ptr<Connection>& c) {
    const auto now = std::chrono::steady_clock::now();
    if (c->state != Connection::State::Open) {
      if (now < c->started + config.connectTimeout) return armTimer(c);
      if (c->state == Connection::State::Handshaking) ++stats.tlsHandshakeFailures;
      if (!c->inbound && c->state == Connection::State::Connecting) ++stats.connectFailures;
      close(c, CloseReason::Timeout,
            makeError(408, "connection to " + endpointText(c->address, c->port) + " (" +
                               std::string(sip::transportName(c->transport)) + ") timed out"));
      return;
    }
    if (c->keepAlive || config.idleTimeout.count() <= 0) return;
    if (now < c->lastActivity + config.idleTimeout) return armTimer(c);
    ++stats.idleClosed;
    close(c, CloseReason::Idle, makeError(503, "connection closed as idle"));
  }

  // ---- reading ------------------------------------------------------------------------

  void read(const std::shared_ptr<Connection>& c) {
    c->withStream([&](auto& stream) {
      stream.async_read_some(asio::buffer(c->readBuffer),
                             [self = shared_from_this(), c](const error_code& ec, size_t n) {
                               self->onRead(c, ec, n);
                             });
    });
  }

  void onRead(const std::shared_ptr<Connection>& c, const error_code& ec, size_t n) {
    if (stopped || c->state == Connection::State::Closed) return;
    if (ec) {
      const bool orderly = ec == asio::error::eof || ec == ssl::error::stream_truncated;
      close(c, orderly ? CloseReason::PeerClosed : CloseReason::ReadError,
            makeError(503, "connection to " + endpointText(c->address, c->port) + " lost: " +
                               ec.message()));
      return;
    }
    stats.bytesReceived += n;
    c->lastActivity = std::chrono::steady_clock::now();
    c->framer.feed(std::string_view(c->readBuffer.data(), n));
    for (;;) {
      auto out = c->framer.next();
      if (out.status == sip::StreamFramer::Status::NeedMore) break;
      if (out.status == sip::StreamFramer::Status::Ping) {
        // RFC 5626 §3.5.1: answer a double-CRLF ping with a single-CRLF pong.
        ++stats.keepAlivePings;
        enqueue(c, PendingWrite{"\r\n", nullptr, false});
        continue;
      }
      if (out.status == sip::StreamFramer::Status::Error) {
        ++stats.parseErrors;
        const bool tooLarge = out.error.code == 413;
        if (tooLarge) ++stats.oversizeDropped;
        close(c, tooLarge ? CloseReason::TooLarge : CloseReason::ParseError,
              makeError(503, "connection closed: " + out.error.message));
        return;
      }
      ++stats.messagesReceived;
      if (onMessage) {
        onMessage(peerOf(*c), std::move(out.frame));
        // The handler may have closed this connection or stopped the transport.
        if (stopped || c->state == Connection::State::Closed) return;
      }
    }
    // Belt and braces: whatever the framer buffers while waiting for the rest of a message
    // is bounded by the message limit (plus one read for the CRLFs that may precede it).
    if (c->framer.buffered() > config.limits.maxMessageBytes + kReadChunk) {
      ++stats.parseErrors;
      ++stats.oversizeDropped;
      close(c, CloseReason::TooLarge, makeError(503, "connection closed: message too large"));
      return;
    }
    read(c);
  }

  // ---- writing ------------------------------------------------------------------------

  void enqueue(const std::shared_ptr<Connection>& c, PendingWrite w) {
    if (c->queuedBytes + w.bytes.size() > config.maxQueuedBytes) {
      fail(std::move(w.done), 503,
           "send queue to " + endpointText(c->address, c->port) + " is full");
      return;
    }
    c->queuedBytes += w.bytes.size();
    c->queue.push_back(std::move(w));
    flush(c);
  }

  void flush(const std::shared_ptr<Connection>& c) {
    if (c->writing || c->queue.empty() || c->state != Connection::State::Open) return;
    c->writing = true;
    c->inFlight = std::min(c->queue.size(), kMaxGather);
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(c->inFlight);
    for (size_t i = 0; i < c->inFlight; ++i) buffers.push_back(asio::buffer(c->queue[i].bytes));
    c->withStream([&](auto& stream) {
      asio::async_write(stream, buffers,
                        [self = shared_from_this(), c](const error_code& ec, size_t n) {
                          self->onWritten(c, ec, n);
                        });
    });
  }

  void onWritten(const std::shared_ptr<Connection>& c, const error_code& ec, size_t n) {
    c->writing = false;
    if (stopped || c->state == Connection::State::Closed) return;
    if (ec) {
      close(c, CloseReason::WriteError,
            makeError(503, "write to " + endpointText(c->address, c->port) + " failed: " +
                               ec.message()));
      return;
    }
    stats.bytesSent += n;
    c->lastActivity = std::chrono::steady_clock::now();
    for (size_t i = 0; i < c->inFlight; ++i) {
      PendingWrite w = std::move(c->queue.front());
      c->queue.pop_front();
      c->queuedBytes -= w.bytes.size();
      if (w.isMessage) {
        ++stats.messagesSent;
        succeed(std::move(w.done), c->id);
      }
    }
    c->inFlight = 0;
    flush(c);
  }

  // ---- sending ------------------------------------------------------------------------

  void send(const sip::Peer& to, std::string bytes, const SendOptions& options,
            SendHandler done) {
    if (stopped || !started) {
      return fail(std::move(done), 503, "SIP transport is not running");
    }
    if (to.transport == sip::Transport::Udp) {
      return sendUdp(to, std::move(bytes), std::move(done));
    }
    if (to.connectionId != 0) {
      auto it = connections.find(to.connectionId);
      if (it != connections.end() && it->second->state != Connection::State::Closed &&
          it->second->transport == to.transport) {
        return enqueue(it->second, PendingWrite{std::move(bytes), std::move(done), true});
      }
    }
    auto addr = parseAddress(to.address);
    if (!addr) return fail(std::move(done), 503, "not a numeric IP address: " + to.address);
    const std::string address = addr->to_string();
    const std::string key = connectionKey(to.transport, address, to.port);
    auto [b, e] = byKey.equal_range(key);
    for (auto it = b; it != e; ++it) {
      auto found = connections.find(it->second);
      if (found == connections.end()) continue;
      auto& c = found->second;
      if (c->state == Connection::State::Closed) continue;
      // A TLS connection stands for the identity verified on it (RFC 5922 §7.3); one a
      // client opened to us was not verified at all.
      if (!options.serverName.empty() &&
          (c->inbound || !iequals(c->serverName, options.serverName))) {
        continue;
      }
      return enqueue(c, PendingWrite{std::move(bytes), std::move(done), true});
    }
    if (!options.allowNewConnection) {
      return fail(std::move(done), 503,
                  "no open connection to " + endpointText(address, to.port) + " (" +
                      std::string(sip::transportName(to.transport)) + ")");
    }
    if (connections.size() >= config.maxConnections) {
      return fail(std::move(done), 503, "connection limit reached");
    }
    if (to.port == 0) return fail(std::move(done), 503, "destination port 0");
    auto c = open(to.transport, *addr, to.port, options.serverName);
    enqueue(c, PendingWrite{std::move(bytes), std::move(done), true});
  }

  // ---- connection table ---------------------------------------------------------------

  void insert(const std::shared_ptr<Connection>& c) {
    connections.emplace(c->id, c);
    byKey.emplace(c->key, c->id);
  }

  // Closes in place; the table entry goes in a posted handler (never from inside the
  // connection's own completion handler), which also reports the close.
  void close(const std::shared_ptr<Connection>& c, CloseReason reason, const Error& error) {
    if (c->state == Connection::State::Closed) return;
    const bool wasEstablished = c->established;
    c->state = Connection::State::Closed;
    error_code ignored;
    c->timer.cancel();
    c->lowest().shutdown(tcp::socket::shutdown_both, ignored);
    c->lowest().close(ignored);
    for (auto& w : c->queue) {
      if (w.isMessage) fail(std::move(w.done), error.code, error.message);
    }
    c->queue.clear();
    c->queuedBytes = 0;
    asio::post(io, [self = shared_from_this(), c, reason, wasEstablished] {
      self->erase(*c);
      if (wasEstablished && !self->stopped && self->onClosed) self->onClosed(peerOf(*c), reason);
    });
  }

  void erase(const Connection& c) {
    connections.erase(c.id);
    auto [b, e] = byKey.equal_range(c.key);
    for (auto it = b; it != e; ++it) {
      if (it->second == c.id) {
        byKey.erase(it);
        break;
      }
    }
  }

  static sip::Peer peerOf(const Connection& c) {
    return sip::Peer{c.transport, c.address, c.port, c.id};
  }

  // ---- completions --------------------------------------------------------------------

  void succeed(SendHandler done, uint64_t id) {
    if (!done) return;
    asio::post(io, [self = shared_from_this(), done = std::move(done), id] {
      if (!self->stopped) done(Result<uint64_t>(id));
    });
  }

  void fail(SendHandler done, int code, std::string message) {
    ++stats.sendFailures;
    if (!done) return;
    asio::post(io, [self = shared_from_this(), done = std::move(done), code,
                    message = std::move(message)] {
      if (!self->stopped) done(Result<uint64_t>(makeError(code, message)));
    });
  }
};

// ---- SipTransport ---------------------------------------------------------------------

SipTransport::SipTransport(boost::asio::io_context& io, TransportConfig config)
    : impl_(std::make_shared<Impl>(io, std::move(config))) {}

SipTransport::~SipTransport() { impl_->stop(); }

void SipTransport::onMessage(MessageHandler handler) { impl_->onMessage = std::move(handler); }

void SipTransport::onConnectionClosed(ClosedHandler handler) {
  impl_->onClosed = std::move(handler);
}

Result<void> SipTransport::start() {
  try {
    return impl_->start();
  } catch (const std::exception& e) {
    // Asio and OpenSSL setup only throw for resource exhaustion; report, do not propagate.
    impl_->stop();
    return makeError(0, std::string("cannot start SIP transport: ") + e.what());
  }
}

void SipTransport::stop() { impl_->stop(); }

std::vector<ListenerInfo> SipTransport::listeners() const {
  std::vector<ListenerInfo> out;
  // Report in configuration order: UDP and stream listeners were bound in that order and
  // ids grow with it.
  for (const auto& u : impl_->udpListeners) out.push_back(u->info);
  for (const auto& s : impl_->streamListeners) out.push_back(s->info);
  std::sort(out.begin(), out.end(),
            [](const ListenerInfo& a, const ListenerInfo& b) { return a.id < b.id; });
  return out;
}

uint16_t SipTransport::port(sip::Transport transport) const {
  for (const auto& l : listeners()) {
    if (l.transport == transport) return l.port;
  }
  return 0;
}

void SipTransport::send(const sip::Peer& to, std::string bytes, SendHandler done) {
  impl_->send(to, std::move(bytes), SendOptions{}, std::move(done));
}

void SipTransport::send(const sip::Peer& to, std::string bytes, const SendOptions& options,
                        SendHandler done) {
  impl_->send(to, std::move(bytes), options, std::move(done));
}

void SipTransport::closeConnection(uint64_t connectionId) {
  auto it = impl_->connections.find(connectionId);
  if (it == impl_->connections.end()) return;
  impl_->close(it->second, CloseReason::Local, makeError(503, "connection closed locally"));
}

void SipTransport::setKeepAlive(uint64_t connectionId, bool keep) {
  auto it = impl_->connections.find(connectionId);
  if (it == impl_->connections.end()) return;
  auto& c = it->second;
  if (c->keepAlive == keep || c->state == Connection::State::Closed) {
    c->keepAlive = keep;
    return;
  }
  c->keepAlive = keep;
  if (c->state == Connection::State::Open) impl_->armTimer(c);
}

std::optional<ConnectionInfo> SipTransport::connection(uint64_t connectionId) const {
  auto it = impl_->connections.find(connectionId);
  if (it == impl_->connections.end() || it->second->state == Connection::State::Closed) {
    return std::nullopt;
  }
  const auto& c = *it->second;
  return ConnectionInfo{Impl::peerOf(c), c.inbound, c.established, c.keepAlive, c.serverName};
}

TransportStats SipTransport::stats() const {
  TransportStats s = impl_->stats;
  s.connectionsOpen = static_cast<uint64_t>(std::count_if(
      impl_->connections.begin(), impl_->connections.end(),
      [](const auto& kv) { return kv.second->state != Connection::State::Closed; }));
  return s;
}

}  // namespace parley::net
