#pragma once
// SIP transports (RFC 3261 §18) on Boost.Asio: UDP, TCP and TLS listeners and the stream
// connections they accept or open, all owned by one SipTransport.
//
// Threading: a SipTransport lives on one io_context and every public method must be called
// on the thread running it (post() to it from elsewhere). It keeps no global state, so a
// daemon may later run one SipTransport per io_context per core.
//
// Ownership: connections live in a table keyed by a 64-bit connection id that is never
// reused within one SipTransport. A connection is closed in place (socket closed, pending
// sends failed) but removed from the table only from a posted handler, never from inside
// one of its own completion handlers.
//
// Callbacks (set before start()) run on the loop thread; they may call send(),
// closeConnection() and setKeepAlive() but must not destroy the SipTransport. After
// stop() no callback of any kind is invoked.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/sip/parser.hpp"
#include "common/sip/peer.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace parley::net {

struct ListenerConfig {
  sip::Transport transport = sip::Transport::Udp;
  std::string address = "0.0.0.0";  // numeric IPv4 or IPv6 (brackets allowed)
  uint16_t port = 5060;             // 0: an ephemeral port, see SipTransport::listeners()
};

struct TlsConfig {
  // PEM files. The certificate (chain) and key are required for a TLS listener and are
  // also offered as a client certificate on outgoing TLS (server-to-server federation).
  std::string certificateFile;
  std::string privateKeyFile;
  // Trust anchors for verifying servers we connect to; empty: the system store.
  std::string caFile;
  // RFC 5922 §7.2: wildcard certificates do not identify a SIP domain. Some federation
  // partners use them anyway; a lab may set this.
  bool allowWildcardCertificates = false;
};

struct TransportConfig {
  std::vector<ListenerConfig> listeners;
  TlsConfig tls;
  // Message size limits. A UDP datagram larger than limits.maxMessageBytes is dropped and
  // counted (TransportStats::oversizeDropped): it may be truncated, so it cannot be parsed
  // reliably enough to answer 413 to. A stream message over the limit closes its
  // connection (the stream cannot be resynchronised).
  sip::ParseLimits limits;
  // Close a connection with no traffic in either direction for this long, unless
  // setKeepAlive() pinned it (a registration's flow). Zero disables the idle close.
  std::chrono::seconds idleTimeout{300};
  // Bound on TCP connect plus TLS handshake, for accepted and for outgoing connections.
  std::chrono::seconds connectTimeout{10};
  size_t maxConnections = 20000;
  // Bytes queued for writing on one connection before send() fails with 503.
  size_t maxQueuedBytes = size_t{1} << 20;
  // DSCP of signaling sockets: CS3 (24) by default. Negative leaves the system default.
  int dscp = 24;
};

struct ListenerInfo {
  uint64_t id = 0;  // a UDP listener's id can be given as Peer::connectionId to send() from it
  sip::Transport transport = sip::Transport::Udp;
  std::string address;  // as bound, numeric, no brackets
  uint16_t port = 0;    // the bound port (the ephemeral one when configured as 0)
};

enum class CloseReason : uint8_t {
  PeerClosed,     // orderly end of stream from the peer
  ReadError,      // reset or other socket error while reading
  WriteError,
  ParseError,     // the framer could not resynchronise the stream
  TooLarge,       // a message over limits.maxMessageBytes
  TlsHandshake,   // handshake failed (garbage, no common version, certificate rejected)
  ConnectFailed,  // outgoing connect refused or unreachable
  Timeout,        // connect or handshake took longer than connectTimeout
  Idle,           // idleTimeout without traffic
  Local,          // closeConnection()
};
std::string_view closeReasonName(CloseReason r) noexcept;

struct ConnectionInfo {
  sip::Peer peer;           // transport, remote address and port, connectionId
  bool inbound = false;     // accepted by one of our listeners
  bool established = false; // connected (and TLS handshake done)
  bool keepAlive = false;   // exempt from the idle timeout
  std::string serverName;   // outgoing TLS: the name the server's certificate was verified for
};

struct TransportStats {
  uint64_t messagesReceived = 0;   // messages delivered to the message handler
  uint64_t messagesSent = 0;       // sends completed successfully
  uint64_t bytesReceived = 0;
  uint64_t bytesSent = 0;
  uint64_t parseErrors = 0;        // stream framing errors (connection closed)
  uint64_t oversizeDropped = 0;    // UDP datagrams over the limit, and oversize stream messages
  uint64_t keepAlivePings = 0;     // RFC 5626 double-CRLF pings answered
  uint64_t sendFailures = 0;
  uint64_t connectionsOpen = 0;    // current: connecting, handshaking or established
  uint64_t connectionsAccepted = 0;
  uint64_t connectionsOpened = 0;  // outgoing attempts
  uint64_t connectionsRejected = 0;  // accepted over maxConnections and closed at once
  uint64_t connectFailures = 0;
  uint64_t tlsHandshakeFailures = 0;
  uint64_t idleClosed = 0;
};

struct SendOptions {
  // Outgoing TLS: the name the server certificate must match and the SNI sent (RFC 5922
  // §4: the SIP domain of the target URI; SipTarget::serverName). Empty: the certificate
  // must match the numeric address instead. When set, only an outgoing connection verified
  // for this same name is reused (never one a client opened to us).
  std::string serverName;
  // When false, send only on an existing connection (by connectionId or address) and fail
  // rather than connect: for RFC 5626 flows, where a new connection cannot reach the UA.
  bool allowNewConnection = true;
};

class SipTransport {
 public:
  // `bytes` is one whole message: a UDP datagram, or one frame of a stream as split by
  // sip::StreamFramer. `from.connectionId` is the stream connection's id (0 for UDP).
  using MessageHandler = std::function<void(const sip::Peer& from, std::string bytes)>;
  // A connection that had been established closed; `peer.connectionId` names it.
  using ClosedHandler = std::function<void(const sip::Peer& peer, CloseReason reason)>;
  // Outcome of one send: the connection id used (0 for UDP) once the bytes were handed to
  // the kernel, or an Error whose code suggests the proxy's answer: 408 when connecting
  // timed out, 503 otherwise (refused, TLS failure, connection lost, queue full), 513 for a
  // datagram too large for UDP. Always called later from the loop, never inside send().
  using SendHandler = std::function<void(Result<uint64_t> connectionId)>;

  SipTransport(boost::asio::io_context& io, TransportConfig config);
  ~SipTransport();
  SipTransport(const SipTransport&) = delete;
  SipTransport& operator=(const SipTransport&) = delete;

  void onMessage(MessageHandler handler);
  void onConnectionClosed(ClosedHandler handler);

  // Loads the TLS material and binds every listener. On failure nothing stays bound and the
  // Error names the listener or file at fault.
  Result<void> start();
  // Closes listeners and connections; pending sends are dropped without callbacks.
  void stop();

  std::vector<ListenerInfo> listeners() const;
  // The bound port of the first listener of `transport`, or 0 when there is none.
  uint16_t port(sip::Transport transport) const;

  // UDP: sent from the UDP listener named by to.connectionId if it is one, else from the
  // first UDP listener of the destination's address family (so a response leaves from the
  // port the request arrived on when there is one listener per family).
  // TCP/TLS: on the connection named by to.connectionId while it is open; else on an
  // existing connection to to.address:to.port with that transport (see
  // SendOptions::serverName); else on a new connection (TLS: server certificate verified).
  void send(const sip::Peer& to, std::string bytes, SendHandler done = {});
  void send(const sip::Peer& to, std::string bytes, const SendOptions& options,
            SendHandler done = {});

  void closeConnection(uint64_t connectionId);
  // Pins a connection (true) against the idle timeout, e.g. while it carries a registration.
  void setKeepAlive(uint64_t connectionId, bool keep);
  std::optional<ConnectionInfo> connection(uint64_t connectionId) const;
  TransportStats stats() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace parley::net
