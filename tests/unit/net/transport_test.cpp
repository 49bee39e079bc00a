// SipTransport on 127.0.0.1 with ephemeral ports: UDP, TCP and TLS.

#include "common/net/transport.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <memory>

#include "net_test_util.hpp"

namespace parley::net {
namespace {

using namespace test;
using sip::Transport;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;

struct Received {
  sip::Peer from;
  std::string bytes;
};
struct Closed {
  sip::Peer peer;
  CloseReason reason;
};

std::string request(std::string_view method, std::string_view body = "") {
  std::string m = std::string(method) + " sip:bob@example.com SIP/2.0\r\n" +
                  "Via: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-1\r\n"
                  "Call-ID: abc@test\r\nCSeq: 1 " + std::string(method) +
                  "\r\nMax-Forwards: 70\r\nContent-Length: " + std::to_string(body.size()) +
                  "\r\n\r\n" + std::string(body);
  return m;
}

const std::string kOk =
    "SIP/2.0 200 OK\r\nCall-ID: abc@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

// A SipTransport living on its own loop thread, with its callbacks recorded.
class Harness {
 public:
  explicit Harness(TransportConfig config) {
    loop.call([&] {
      transport = std::make_unique<SipTransport>(loop.io, std::move(config));
      transport->onMessage([this](const sip::Peer& from, std::string bytes) {
        messages.push(Received{from, std::move(bytes)});
      });
      transport->onConnectionClosed(
          [this](const sip::Peer& peer, CloseReason reason) { closed.push(Closed{peer, reason}); });
      return 0;
    });
  }
  ~Harness() {
    loop.call([&] {
      transport.reset();
      return 0;
    });
  }

  Result<void> start() {
    return loop.call([&] { return transport->start(); });
  }
  uint16_t port(Transport t) {
    return loop.call([&] { return transport->port(t); });
  }
  TransportStats stats() {
    return loop.call([&] { return transport->stats(); });
  }
  // Sends and waits for the completion.
  Result<uint64_t> send(const sip::Peer& to, std::string bytes, SendOptions options = {}) {
    auto promise = std::make_shared<std::promise<Result<uint64_t>>>();
    auto future = promise->get_future();
    loop.call([&] {
      transport->send(to, std::move(bytes), options,
                      [promise](Result<uint64_t> r) { promise->set_value(std::move(r)); });
      return 0;
    });
    if (future.wait_for(kDeadline) != std::future_status::ready) {
      return makeError(-1, "send completion never came");
    }
    return future.get();
  }

  LoopThread loop;  // first member: destroyed last
  std::unique_ptr<SipTransport> transport;
  Inbox<Received> messages;
  Inbox<Closed> closed;
};

TransportConfig loopbackConfig(std::vector<Transport> transports) {
  TransportConfig c;
  for (auto t : transports) c.listeners.push_back(ListenerConfig{t, "127.0.0.1", 0});
  return c;
}

// ---- start-up ---------------------------------------------------------------------------

TEST(SipTransport, BindsEphemeralPortsAndReportsThem) {
  Harness h(loopbackConfig({Transport::Udp, Transport::Tcp}));
  ASSERT_TRUE(h.start().ok());
  auto listeners = h.loop.call([&] { return h.transport->listeners(); });
  ASSERT_EQ(listeners.size(), 2u);
  EXPECT_EQ(listeners[0].transport, Transport::Udp);
  EXPECT_EQ(listeners[1].transport, Transport::Tcp);
  for (const auto& l : listeners) {
    EXPECT_NE(l.port, 0);
    EXPECT_EQ(l.address, "127.0.0.1");
  }
  EXPECT_EQ(h.port(Transport::Tls), 0);
}

TEST(SipTransport, StartFailsClearlyOnBadConfiguration) {
  Harness tlsNoCert(loopbackConfig({Transport::Tls}));
  auto r = tlsNoCert.start();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("certificate"), std::string::npos);

  TransportConfig badConfig;
  badConfig.listeners = {ListenerConfig{Transport::Udp, "localhost", 0}};
  Harness badAddress(badConfig);
  auto r2 = badAddress.start();
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("numeric"), std::string::npos);

  Harness first(loopbackConfig({Transport::Tcp}));
  ASSERT_TRUE(first.start().ok());
  TransportConfig clashConfig;
  clashConfig.listeners = {ListenerConfig{Transport::Udp, "127.0.0.1", 0},
                           ListenerConfig{Transport::Tcp, "127.0.0.1", first.port(Transport::Tcp)}};
  Harness clash(clashConfig);
  auto r3 = clash.start();
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.error().message.find("TCP 127.0.0.1:"), std::string::npos) << r3.error().message;
  // Nothing stays bound after a failed start.
  EXPECT_EQ(clash.port(Transport::Udp), 0);
}

// ---- UDP --------------------------------------------------------------------------------

TEST(SipTransport, UdpRoundTripIsSymmetric) {
  Harness h(loopbackConfig({Transport::Udp}));
  ASSERT_TRUE(h.start().ok());
  const uint16_t serverPort = h.port(Transport::Udp);

  asio::io_context io;
  udp::socket client(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto msg = request("OPTIONS");
  client.send_to(asio::buffer(msg), udp::endpoint(asio::ip::make_address("127.0.0.1"), serverPort));

  ASSERT_TRUE(h.messages.waitCount(1));
  auto got = h.messages.items()[0];
  EXPECT_EQ(got.bytes, msg);
  EXPECT_EQ(got.from,
            (sip::Peer{Transport::Udp, "127.0.0.1", client.local_endpoint().port(), 0}));

  auto sent = h.send(got.from, kOk);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(*sent, 0u);

  // The response comes from the port the request went to.
  std::array<char, 2048> buf{};
  udp::endpoint sender;
  bool done = false;
  size_t n = 0;
  client.async_receive_from(asio::buffer(buf), sender,
                            [&](const boost::system::error_code& ec, size_t len) {
                              EXPECT_FALSE(ec);
                              n = len;
                              done = true;
                            });
  runUntil(io, done);
  ASSERT_TRUE(done);
  EXPECT_EQ(std::string(buf.data(), n), kOk);
  EXPECT_EQ(sender.port(), serverPort);

  auto s = h.stats();
  EXPECT_EQ(s.messagesReceived, 1u);
  EXPECT_EQ(s.messagesSent, 1u);
}

TEST(SipTransport, UdpOversizeDatagramIsDroppedAndCounted) {
  auto config = loopbackConfig({Transport::Udp});
  config.limits.maxMessageBytes = 1000;
  Harness h(config);
  ASSERT_TRUE(h.start().ok());
  asio::io_context io;
  udp::socket client(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const udp::endpoint server(asio::ip::make_address("127.0.0.1"), h.port(Transport::Udp));
  client.send_to(asio::buffer(request("MESSAGE", std::string(1500, 'x'))), server);
  client.send_to(asio::buffer(std::string("\r\n\r\n")), server);  // keep-alive noise
  const auto small = request("OPTIONS");
  client.send_to(asio::buffer(small), server);
  ASSERT_TRUE(h.messages.waitCount(1));
  // Loopback UDP keeps order: once the small one is in, the others were handled.
  EXPECT_EQ(h.messages.items()[0].bytes, small);
  EXPECT_EQ(h.messages.size(), 1u);
  EXPECT_EQ(h.stats().oversizeDropped, 1u);
}

TEST(SipTransport, UdpSendWithoutMatchingFamilyFails) {
  Harness h(loopbackConfig({Transport::Udp}));
  ASSERT_TRUE(h.start().ok());
  auto r = h.send(sip::Peer{Transport::Udp, "::1", 5060, 0}, kOk);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 503);
  auto bad = h.send(sip::Peer{Transport::Udp, "not-an-ip", 5060, 0}, kOk);
  ASSERT_FALSE(bad.ok());
}

TEST(SipTransport, UdpSendFromTheListenerNamedById) {
  Harness h(loopbackConfig({Transport::Udp, Transport::Udp}));
  ASSERT_TRUE(h.start().ok());
  auto listeners = h.loop.call([&] { return h.transport->listeners(); });
  ASSERT_EQ(listeners.size(), 2u);
  asio::io_context io;
  udp::socket client(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const sip::Peer to{Transport::Udp, "127.0.0.1", client.local_endpoint().port(), 0};
  auto receiveFromPort = [&]() -> uint16_t {
    std::array<char, 2048> buf{};
    udp::endpoint sender;
    bool done = false;
    client.async_receive_from(asio::buffer(buf), sender,
                              [&](const boost::system::error_code&, size_t) { done = true; });
    runUntil(io, done);
    return done ? sender.port() : 0;
  };
  ASSERT_TRUE(h.send(to, kOk).ok());  // id 0: the first listener of the family
  EXPECT_EQ(receiveFromPort(), listeners[0].port);
  sip::Peer viaSecond = to;
  viaSecond.connectionId = listeners[1].id;
  ASSERT_TRUE(h.send(viaSecond, kOk).ok());
  EXPECT_EQ(receiveFromPort(), listeners[1].port);
}

TEST(SipTransport, UdpMessageTooLargeForADatagramIs513) {
  Harness h(loopbackConfig({Transport::Udp}));
  ASSERT_TRUE(h.start().ok());
  auto r = h.send(sip::Peer{Transport::Udp, "127.0.0.1", 5060, 0}, std::string(70000, 'x'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 513);
}

TEST(SipTransport, Ipv6Loopback) {
  {
    asio::io_context probe;
    boost::system::error_code ec;
    udp::socket s(probe);
    s.open(udp::v6(), ec);
    if (!ec) s.bind(udp::endpoint(asio::ip::make_address("::1"), 0), ec);
    if (ec) GTEST_SKIP() << "no IPv6 loopback here: " << ec.message();
  }
  TransportConfig config;
  config.listeners = {ListenerConfig{Transport::Udp, "[::1]", 0},
                      ListenerConfig{Transport::Tcp, "::1", 0}};
  Harness h(config);
  ASSERT_TRUE(h.start().ok());
  auto listeners = h.loop.call([&] { return h.transport->listeners(); });
  EXPECT_EQ(listeners[0].address, "::1");

  asio::io_context io;
  udp::socket client(io, udp::endpoint(asio::ip::make_address("::1"), 0));
  const auto msg = request("OPTIONS");
  client.send_to(asio::buffer(msg), udp::endpoint(asio::ip::make_address("::1"),
                                                  h.port(Transport::Udp)));
  ASSERT_TRUE(h.messages.waitCount(1));
  EXPECT_EQ(h.messages.items()[0].from.address, "::1");
  ASSERT_TRUE(h.send(h.messages.items()[0].from, kOk).ok());

  Harness other(loopbackConfig({Transport::Tcp}));
  ASSERT_TRUE(other.start().ok());
  auto sent = other.send(sip::Peer{Transport::Tcp, "[::1]", h.port(Transport::Tcp), 0}, msg);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  ASSERT_TRUE(h.messages.waitCount(2));
  EXPECT_EQ(h.messages.items()[1].from.transport, Transport::Tcp);
  EXPECT_EQ(h.messages.items()[1].from.address, "::1");
}

// ---- TCP --------------------------------------------------------------------------------

TEST(SipTransport, TcpFramesMessagesAcrossAndWithinWrites) {
  Harness h(loopbackConfig({Transport::Tcp}));
  ASSERT_TRUE(h.start().ok());
  TcpClient client;
  ASSERT_TRUE(client.connect(h.port(Transport::Tcp)));
  const auto a = request("MESSAGE", "hello world");
  const auto b = request("OPTIONS");
  const auto c = request("INFO", "x");
  ASSERT_TRUE(client.write(a.substr(0, 10)));
  ASSERT_TRUE(client.write(a.substr(10, 40)));
  ASSERT_TRUE(client.write(a.substr(50) + b + c.substr(0, 5)));
  ASSERT_TRUE(client.write(c.substr(5)));
  ASSERT_TRUE(h.messages.waitCount(3));
  auto got = h.messages.items();
  EXPECT_EQ(got[0].bytes, a);
  EXPECT_EQ(got[1].bytes, b);
  EXPECT_EQ(got[2].bytes, c);
  const auto localPort = client.socket().local_endpoint().port();
  for (const auto& m : got) {
    EXPECT_EQ(m.from.transport, Transport::Tcp);
    EXPECT_EQ(m.from.address, "127.0.0.1");
    EXPECT_EQ(m.from.port, localPort);
    EXPECT_NE(m.from.connectionId, 0u);
    EXPECT_EQ(m.from.connectionId, got[0].from.connectionId);
  }
  auto info = h.loop.call([&] { return h.transport->connection(got[0].from.connectionId); });
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->inbound);
  EXPECT_TRUE(info->established);
}

TEST(SipTransport, TcpDoubleCrlfPingGetsSingleCrlfPong) {
  Harness h(loopbackConfig({Transport::Tcp}));
  ASSERT_TRUE(h.start().ok());
  TcpClient client;
  ASSERT_TRUE(client.connect(h.port(Transport::Tcp)));
  ASSERT_TRUE(client.write("\r\n\r\n"));
  EXPECT_EQ(client.readBytes(2), "\r\n");
  // The connection carries messages afterwards as usual.
  ASSERT_TRUE(client.write(request("OPTIONS")));
  ASSERT_TRUE(h.messages.waitCount(1));
  EXPECT_EQ(h.stats().keepAlivePings, 1u);
}

TEST(SipTransport, ResponsesReuseTheRequestConnection) {
  Harness h(loopbackConfig({Transport::Tcp}));
  ASSERT_TRUE(h.start().ok());
  TcpClient client;
  ASSERT_TRUE(client.connect(h.port(Transport::Tcp)));
  ASSERT_TRUE(client.write(request("REGISTER")));
  ASSERT_TRUE(h.messages.waitCount(1));
  const auto from = h.messages.items()[0].from;

  // By connection id.
  auto r = h.send(from, kOk);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, from.connectionId);
  EXPECT_EQ(client.readBytes(kOk.size()), kOk);

  // By address and port alone: the same connection, no new one.
  sip::Peer byAddress = from;
  byAddress.connectionId = 0;
  auto r2 = h.send(byAddress, kOk);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(*r2, from.connectionId);
  EXPECT_EQ(client.readBytes(2 * kOk.size()), kOk + kOk);

  // A stale connection id falls back to the address as well.
  sip::Peer stale = from;
  stale.connectionId = 999999;
  auto r3 = h.send(stale, kOk);
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(*r3, from.connectionId);
  EXPECT_EQ(h.stats().connectionsOpened, 0u);
}

TEST(SipTransport, ConnectionsBetweenTwoTransports) {
  Harness server(loopbackConfig({Transport::Tcp}));
  Harness client(loopbackConfig({Transport::Tcp}));
  ASSERT_TRUE(server.start().ok());
  ASSERT_TRUE(client.start().ok());
  const sip::Peer target{Transport::Tcp, "127.0.0.1", server.port(Transport::Tcp), 0};
  const auto invite = request("INVITE");
  auto sent = client.send(target, invite);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  const uint64_t outgoingId = *sent;
  EXPECT_NE(outgoingId, 0u);

  ASSERT_TRUE(server.messages.waitCount(1));
  auto atServer = server.messages.items()[0];
  EXPECT_EQ(atServer.bytes, invite);
  // The server answers on the connection the request came in on.
  ASSERT_TRUE(server.send(atServer.from, kOk).ok());
  ASSERT_TRUE(client.messages.waitCount(1));
  auto atClient = client.messages.items()[0];
  EXPECT_EQ(atClient.bytes, kOk);
  EXPECT_EQ(atClient.from.connectionId, outgoingId);
  EXPECT_EQ(atClient.from.port, target.port);

  // A second request reuses the outgoing connection.
  auto again = client.send(target, request("BYE"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, outgoingId);
  EXPECT_EQ(client.stats().connectionsOpened, 1u);
  EXPECT_EQ(server.stats().connectionsAccepted, 1u);

  // Closing the client's end is reported on both sides.
  client.loop.call([&] {
    client.transport->closeConnection(outgoingId);
    return 0;
  });
  ASSERT_TRUE(client.closed.waitCount(1));
  EXPECT_EQ(client.closed.items()[0].reason, CloseReason::Local);
  EXPECT_EQ(client.closed.items()[0].peer.connectionId, outgoingId);
  ASSERT_TRUE(server.closed.waitCount(1));
  EXPECT_EQ(server.closed.items()[0].reason, CloseReason::PeerClosed);
  EXPECT_EQ(server.closed.items()[0].peer.connectionId, atServer.from.connectionId);
  EXPECT_TRUE(eventually([&] { return server.stats().connectionsOpen == 0; }));
}

TEST(SipTransport, ConnectFailureIsReported) {
  // A port that was just free: nobody listens there.
  uint16_t deadPort = 0;
  {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    deadPort = a.local_endpoint().port();
  }
  Harness h(loopbackConfig({Transport::Tcp}));
  ASSERT_TRUE(h.start().ok());
  auto r = h.send(sip::Peer{Transport::Tcp, "127.0.0.1", deadPort, 0}, request("OPTIONS"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 503);
  EXPECT_NE(r.error().message.find("cannot connect"), std::string::npos) << r.error().message;
  EXPECT_EQ(h.stats().connectFailures, 1u);
  EXPECT_EQ(h.closed.size(), 0u);  // never established: no close report
}

TEST(SipTransport, NoNewConnectionWhenNotAllowed) {
  Harness server(loopbackConfig({Transport::Tcp}));
  Harness h(loopbackConfig({Transport::Tcp}));
  ASSERT_TRUE(server.start().ok());
  ASSERT_TRUE(h.start().ok());
  SendOptions existingOnly;
  existingOnly.allowNewConnection = false;
  auto r = h.send(sip::Peer{Transport::Tcp, "127.0.0.1", server.port(Transport::Tcp), 42},
                  request("OPTIONS"), existingOnly);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 503);
  EXPECT_EQ(h.stats().connectionsOpened, 0u);
}

TEST(SipTransport, FullSendQueueFailsTheSend) {
  Harness server(loopbackConfig({Transport::Tcp}));
  auto config = loopbackConfig({Transport::Tcp});
  config.maxQueuedBytes = 100;
  Harness h(config);
  ASSERT_TRUE(server.start().ok());
  ASSERT_TRUE(h.start().ok());
  auto r = h.send(sip::Peer{Transport::Tcp, "127.0.0.1", server.port(Transport::Tcp), 0},
                  request("MESSAGE", std::string(200, 'x')));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 503);
  EXPECT_NE(r.error().message.find("queue"), std::string::npos);
}

TEST(SipTransport, GarbageOnTcpClosesOnlyThatConnection) {
  Harness h(loopbackConfig({Transport::Tcp}));
  ASSERT_TRUE(h.start().ok());
  TcpClient good;
  TcpClient bad;
  ASSERT_TRUE(good.connect(h.port(Transport::Tcp)));
  ASSERT_TRUE(bad.connect(h.port(Transport::Tcp)));
  ASSERT_TRUE(bad.write("OPTIONS sip:x SIP/2.0\r\nContent-Length: banana\r\n\r\n"));
  EXPECT_TRUE(bad.waitClosed());
  ASSERT_TRUE(h.closed.waitCount(1));
  EXPECT_EQ(h.closed.items()[0].reason, CloseReason::ParseError);
  ASSERT_TRUE(good.write(request("OPTIONS")));
  ASSERT_TRUE(h.messages.waitCount(1));
  EXPECT_EQ(h.messages.items()[0].from.port, good.socket().local_endpoint().port());
  EXPECT_EQ(h.stats().parseErrors, 1u);
}

TEST(SipTransport, OversizeStreamMessageClosesTheConnection) {
  auto config = loopbackConfig({Transport::Tcp});
  config.limits.maxMessageBytes = 2000;
  Harness h(config);
  ASSERT_TRUE(h.start().ok());
  TcpClient other;
  ASSERT_TRUE(other.connect(h.port(Transport::Tcp)));
  TcpClient client;
  ASSERT_TRUE(client.connect(h.port(Transport::Tcp)));
  ASSERT_TRUE(client.write(request("MESSAGE", std::string(5000, 'x'))));
  EXPECT_TRUE(client.waitClosed());
  ASSERT_TRUE(h.closed.waitCount(1));
  EXPECT_EQ(h.closed.items()[0].reason, CloseReason::TooLarge);
  EXPECT_EQ(h.messages.size(), 0u);
  // Another connection is unaffected.
  ASSERT_TRUE(other.write(request("OPTIONS")));
  ASSERT_TRUE(h.messages.waitCount(1));
}

TEST(SipTransport, OversizeHeaderWithoutEndClosesTheConnection) {
  auto config = loopbackConfig({Transport::Tcp});
  config.limits.maxMessageBytes = 2000;
  config.limits.maxHeaderBytes = 1000;
  Harness h(config);
  ASSERT_TRUE(h.start().ok());
  TcpClient client;
  ASSERT_TRUE(client.connect(h.port(Transport::Tcp)));
  std::string endless = "OPTIONS sip:x SIP/2.0\r\n";
  while (endless.size() < 40000) endless += "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  client.write(endless);  // the server may close before all of it is written
  EXPECT_TRUE(client.waitClosed());
  ASSERT_TRUE(h.closed.waitCount(1));
}

TEST(SipTransport, IdleConnectionIsClosedUnlessPinned) {
  auto config = loopbackConfig({Transport::Tcp});
  config.idleTimeout = std::chrono::seconds(1);
  Harness h(config);
  ASSERT_TRUE(h.start().ok());
  TcpClient pinned;
  ASSERT_TRUE(pinned.connect(h.port(Transport::Tcp)));
  ASSERT_TRUE(pinned.write(request("REGISTER")));
  ASSERT_TRUE(h.messages.waitCount(1));
  const uint64_t pinnedId = h.messages.items()[0].from.connectionId;
  h.loop.call([&] {
    h.transport->setKeepAlive(pinnedId, true);
    return 0;
  });
  TcpClient idle;
  ASSERT_TRUE(idle.connect(h.port(Transport::Tcp)));
  EXPECT_TRUE(idle.waitClosed());
  ASSERT_TRUE(h.closed.waitCount(1));
  EXPECT_EQ(h.closed.items()[0].reason, CloseReason::Idle);
  EXPECT_NE(h.closed.items()[0].peer.connectionId, pinnedId);
  // The pinned one is still open (it was idle as long as the other one).
  auto info = h.loop.call([&] { return h.transport->connection(pinnedId); });
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->keepAlive);
  EXPECT_EQ(h.stats().idleClosed, 1u);
}

// ---- TLS --------------------------------------------------------------------------------

class TlsTransport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki = new TestPki(); }
  static void TearDownTestSuite() {
    delete pki;
    pki = nullptr;
  }
  void SetUp() override {
    if (!pki->ok) GTEST_SKIP() << "cannot make test certificates: " << pki->error;
  }

  static TransportConfig serverConfig(bool wildcard = false) {
    auto c = loopbackConfig({Transport::Tls});
    c.tls.certificateFile = wildcard ? pki->wildcardCert : pki->serverCert;
    c.tls.privateKeyFile = wildcard ? pki->wildcardKey : pki->serverKey;
    return c;
  }
  static TransportConfig clientConfig() {
    TransportConfig c;  // no listener: outgoing only
    c.tls.caFile = pki->caCert;
    return c;
  }
  // A plain OpenSSL client context trusting the test CA.
  static asio::ssl::context clientContext() {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.load_verify_file(pki->caCert);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    return ctx;
  }

  static TestPki* pki;
};
TestPki* TlsTransport::pki = nullptr;

TEST_F(TlsTransport, PhoneWithoutCertificateConnectsAndGetsResponses) {
  Harness h(serverConfig());
  ASSERT_TRUE(h.start().ok());
  auto ctx = clientContext();
  TlsClient phone(ctx);
  SSL_set1_host(phone.stream.native_handle(), "sip.test.example");
  ASSERT_TRUE(phone.connect(h.port(Transport::Tls)));
  auto hs = phone.handshake();
  ASSERT_FALSE(hs) << hs.message();
  const auto reg = request("REGISTER");
  ASSERT_TRUE(phone.write(reg));
  ASSERT_TRUE(h.messages.waitCount(1));
  auto got = h.messages.items()[0];
  EXPECT_EQ(got.bytes, reg);
  EXPECT_EQ(got.from.transport, Transport::Tls);
  ASSERT_TRUE(h.send(got.from, kOk).ok());
  EXPECT_EQ(phone.readBytes(kOk.size()), kOk);
  // Keep-alive works over TLS too.
  ASSERT_TRUE(phone.write("\r\n\r\n"));
  EXPECT_EQ(phone.readBytes(kOk.size() + 2), kOk + "\r\n");
}

TEST_F(TlsTransport, ClientExpectingAnotherNameFailsHandshake) {
  Harness h(serverConfig());
  ASSERT_TRUE(h.start().ok());
  auto ctx = clientContext();
  TlsClient client(ctx);
  SSL_set1_host(client.stream.native_handle(), "other.example");
  ASSERT_TRUE(client.connect(h.port(Transport::Tls)));
  EXPECT_TRUE(client.handshake());  // an error
}

TEST_F(TlsTransport, OutgoingConnectionVerifiesServerName) {
  Harness server(serverConfig());
  Harness client(clientConfig());
  ASSERT_TRUE(server.start().ok());
  ASSERT_TRUE(client.start().ok());
  const sip::Peer target{Transport::Tls, "127.0.0.1", server.port(Transport::Tls), 0};

  SendOptions right;
  right.serverName = "sip.test.example";
  auto ok = client.send(target, request("OPTIONS"), right);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  ASSERT_TRUE(server.messages.waitCount(1));
  auto info = client.loop.call([&] { return client.transport->connection(*ok); });
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->serverName, "sip.test.example");
  EXPECT_FALSE(info->inbound);

  // A different expected name does not reuse that connection, and fails verification.
  SendOptions wrong;
  wrong.serverName = "wrong.example";
  auto bad = client.send(target, request("OPTIONS"), wrong);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, 503);
  EXPECT_NE(bad.error().message.find("TLS handshake"), std::string::npos) << bad.error().message;
  EXPECT_EQ(server.messages.size(), 1u);
  EXPECT_EQ(client.stats().tlsHandshakeFailures, 1u);

  // No name: the certificate must carry the address (it has IP:127.0.0.1).
  auto byIp = client.send(target, request("OPTIONS"));
  ASSERT_TRUE(byIp.ok()) << byIp.error().message;
  ASSERT_TRUE(server.messages.waitCount(2));
}

TEST_F(TlsTransport, OutgoingConnectionRejectsUntrustedServer) {
  Harness server(serverConfig());
  TransportConfig noCa;  // trusts the (empty) system store only
  noCa.tls.caFile = "";
  Harness client(noCa);
  ASSERT_TRUE(server.start().ok());
  ASSERT_TRUE(client.start().ok());
  SendOptions opts;
  opts.serverName = "sip.test.example";
  auto r = client.send(sip::Peer{Transport::Tls, "127.0.0.1", server.port(Transport::Tls), 0},
                       request("OPTIONS"), opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(server.messages.size(), 0u);
}

TEST_F(TlsTransport, WildcardCertificateOnlyWhenAllowed) {
  Harness server(serverConfig(true));
  ASSERT_TRUE(server.start().ok());
  const sip::Peer target{Transport::Tls, "127.0.0.1", server.port(Transport::Tls), 0};
  SendOptions opts;
  opts.serverName = "sip.test.example";

  Harness strict(clientConfig());
  ASSERT_TRUE(strict.start().ok());
  EXPECT_FALSE(strict.send(target, request("OPTIONS"), opts).ok());

  auto lenientConfig = clientConfig();
  lenientConfig.tls.allowWildcardCertificates = true;
  Harness lenient(lenientConfig);
  ASSERT_TRUE(lenient.start().ok());
  auto r = lenient.send(target, request("OPTIONS"), opts);
  EXPECT_TRUE(r.ok()) << r.error().message;
}

TEST_F(TlsTransport, GarbageOnTlsPortClosesOnlyThatConnection) {
  Harness h(serverConfig());
  ASSERT_TRUE(h.start().ok());
  auto ctx = clientContext();
  TlsClient good(ctx);
  ASSERT_TRUE(good.connect(h.port(Transport::Tls)));
  ASSERT_FALSE(good.handshake());
  ASSERT_TRUE(good.write(request("OPTIONS")));
  ASSERT_TRUE(h.messages.waitCount(1));

  TcpClient garbage;
  ASSERT_TRUE(garbage.connect(h.port(Transport::Tls)));
  ASSERT_TRUE(garbage.write("OPTIONS sip:x SIP/2.0\r\nthis is not TLS\r\n\r\n"));
  EXPECT_TRUE(garbage.waitClosed());
  EXPECT_TRUE(eventually([&] { return h.stats().tlsHandshakeFailures == 1; }));

  ASSERT_TRUE(good.write(request("INFO")));
  ASSERT_TRUE(h.messages.waitCount(2));
  EXPECT_EQ(h.messages.items()[1].from.connectionId, h.messages.items()[0].from.connectionId);
  // The failed handshake never established a connection: no close report for it.
  EXPECT_EQ(h.closed.size(), 0u);
}

TEST_F(TlsTransport, GarbageAfterHandshakeClosesConnection) {
  Harness h(serverConfig());
  ASSERT_TRUE(h.start().ok());
  auto ctx = clientContext();
  TlsClient client(ctx);
  ASSERT_TRUE(client.connect(h.port(Transport::Tls)));
  ASSERT_FALSE(client.handshake());
  ASSERT_TRUE(client.write("\rgarbage\r\n\r\n"));
  EXPECT_TRUE(client.waitClosed());
  ASSERT_TRUE(h.closed.waitCount(1));
  EXPECT_EQ(h.closed.items()[0].reason, CloseReason::ParseError);
}

TEST_F(TlsTransport, SilentServerTimesOutWith408) {
  // The kernel completes TCP connects into the backlog of a socket nobody accepts on, so
  // the TLS handshake gets no answer.
  asio::io_context io;
  asio::ip::tcp::acceptor mute(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto config = clientConfig();
  config.connectTimeout = std::chrono::seconds(1);
  Harness client(config);
  ASSERT_TRUE(client.start().ok());
  auto r = client.send(sip::Peer{Transport::Tls, "127.0.0.1", mute.local_endpoint().port(), 0},
                       request("OPTIONS"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 408);
}

TEST_F(TlsTransport, SilentClientIsDroppedAfterConnectTimeout) {
  auto config = serverConfig();
  config.connectTimeout = std::chrono::seconds(1);
  Harness h(config);
  ASSERT_TRUE(h.start().ok());
  TcpClient silent;
  ASSERT_TRUE(silent.connect(h.port(Transport::Tls)));
  EXPECT_TRUE(silent.waitClosed());
  EXPECT_EQ(h.stats().tlsHandshakeFailures, 1u);
  EXPECT_EQ(h.closed.size(), 0u);
}

TEST_F(TlsTransport, Tls11ClientIsRefused) {
  Harness h(serverConfig());
  ASSERT_TRUE(h.start().ok());
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_1_VERSION);
  SSL_CTX_set_security_level(ctx.native_handle(), 0);  // let this client even try 1.1
  SSL_CTX_set_cipher_list(ctx.native_handle(), "DEFAULT:@SECLEVEL=0");
  ctx.set_verify_mode(asio::ssl::verify_none);
  TlsClient old(ctx);
  ASSERT_TRUE(old.connect(h.port(Transport::Tls)));
  EXPECT_TRUE(old.handshake());  // an error
  EXPECT_TRUE(eventually([&] { return h.stats().tlsHandshakeFailures == 1; }));

  // A TLS 1.3 client on the same listener is fine.
  auto modern = clientContext();
  SSL_CTX_set_min_proto_version(modern.native_handle(), TLS1_3_VERSION);
  TlsClient client(modern);
  ASSERT_TRUE(client.connect(h.port(Transport::Tls)));
  EXPECT_FALSE(client.handshake());
}

}  // namespace
}  // namespace parley::net
