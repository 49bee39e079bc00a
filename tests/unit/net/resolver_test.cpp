// SipResolver through c-ares on the Asio loop: /etc/hosts for localhost, and a small DNS
// server on 127.0.0.1 (ephemeral port) answering NAPTR, SRV, A and AAAA from a table, so
// the real c-ares query and parse path runs with no outside network.

#include "common/net/resolver.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <memory>

#include "net_test_util.hpp"

namespace parley::net {
namespace {

using namespace test;
using sip::Transport;
using udp = asio::ip::udp;

constexpr uint16_t kTypeA = 1;
constexpr uint16_t kTypeAaaa = 28;
constexpr uint16_t kTypeSrv = 33;
constexpr uint16_t kTypeNaptr = 35;

// ---- a minimal authoritative DNS server (RFC 1035 §4) for the tests ---------------------

class FakeDns {
 public:
  explicit FakeDns(asio::io_context& io)
      : socket_(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    receive();
  }
  uint16_t port() const { return socket_.local_endpoint().port(); }
  std::string server() const { return "127.0.0.1:" + std::to_string(port()); }

  void addA(const std::string& name, const std::string& address) {
    std::array<unsigned char, 4> b{};
    inet_pton(AF_INET, address.c_str(), b.data());
    add(name, kTypeA, std::string(b.begin(), b.end()));
  }
  void addAaaa(const std::string& name, const std::string& address) {
    std::array<unsigned char, 16> b{};
    inet_pton(AF_INET6, address.c_str(), b.data());
    add(name, kTypeAaaa, std::string(b.begin(), b.end()));
  }
  void addSrv(const std::string& name, uint16_t prio, uint16_t weight, uint16_t port,
              const std::string& target) {
    add(name, kTypeSrv, u16(prio) + u16(weight) + u16(port) + encodeName(target));
  }
  void addNaptr(const std::string& name, uint16_t order, uint16_t pref, const std::string& flags,
                const std::string& service, const std::string& replacement) {
    add(name, kTypeNaptr,
        u16(order) + u16(pref) + charString(flags) + charString(service) + charString("") +
            encodeName(replacement));
  }
  // Queries received (type, name), for checking what c-ares asked.
  std::vector<std::pair<uint16_t, std::string>> queries() {
    std::lock_guard lock(m_);
    return queries_;
  }
  bool silent = false;  // receive but never answer: lookups time out

 private:
  static std::string u16(uint16_t v) {
    return std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xff)};
  }
  static std::string charString(const std::string& s) {
    return std::string(1, static_cast<char>(s.size())) + s;
  }
  static std::string encodeName(const std::string& name) {
    std::string out;
    size_t start = 0;
    while (start < name.size()) {
      size_t dot = name.find('.', start);
      if (dot == std::string::npos) dot = name.size();
      out += static_cast<char>(dot - start);
      out += name.substr(start, dot - start);
      start = dot + 1;
    }
    out += '\0';
    return out;
  }
  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  void add(const std::string& name, uint16_t type, std::string rdata) {
    std::lock_guard lock(m_);
    records_[lower(name)].emplace_back(type, std::move(rdata));
  }

  void receive() {
    socket_.async_receive_from(asio::buffer(buf_), peer_,
                               [this](const boost::system::error_code& ec, size_t n) {
                                 if (ec) return;
                                 answer(n);
                                 receive();
                               });
  }

  void answer(size_t n) {
    if (n < 12) return;
    const std::string q(buf_.data(), n);
    // Question: QNAME labels, QTYPE, QCLASS (queries carry no compression).
    size_t pos = 12;
    std::string name;
    while (pos < q.size() && q[pos] != 0) {
      const size_t len = static_cast<unsigned char>(q[pos]);
      if (!name.empty()) name += '.';
      name += q.substr(pos + 1, len);
      pos += len + 1;
    }
    if (pos + 5 > q.size()) return;
    const size_t questionEnd = pos + 5;
    const uint16_t type = static_cast<uint16_t>((static_cast<unsigned char>(q[pos + 1]) << 8) |
                                                static_cast<unsigned char>(q[pos + 2]));
    name = lower(name);
    std::vector<std::string> answers;
    bool known = false;
    {
      std::lock_guard lock(m_);
      queries_.emplace_back(type, name);
      if (auto it = records_.find(name); it != records_.end()) {
        known = true;
        for (const auto& [t, rdata] : it->second) {
          if (t == type) answers.push_back(rdata);
        }
      }
    }
    if (silent) return;
    std::string r = q.substr(0, 2);                  // ID
    r += static_cast<char>(0x81);                     // QR, RD
    r += static_cast<char>(known ? 0x80 : 0x83);      // RA; NOERROR or NXDOMAIN
    r += u16(1) + u16(static_cast<uint16_t>(answers.size())) + u16(0) + u16(0);
    r += q.substr(12, questionEnd - 12);
    for (const auto& rdata : answers) {
      r += u16(0xc00c) + u16(type) + u16(1) + u16(0) + u16(60);  // name ptr, type, IN, TTL 60
      r += u16(static_cast<uint16_t>(rdata.size())) + rdata;
    }
    auto out = std::make_shared<std::string>(std::move(r));
    socket_.async_send_to(asio::buffer(*out), peer_,
                          [out](const boost::system::error_code&, size_t) {});
  }

  udp::socket socket_;
  std::array<char, 1500> buf_{};
  udp::endpoint peer_;
  std::mutex m_;
  std::map<std::string, std::vector<std::pair<uint16_t, std::string>>> records_;
  std::vector<std::pair<uint16_t, std::string>> queries_;
};

// ---- harness ----------------------------------------------------------------------------

class ResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dns_ = loop_.call([&] { return std::make_unique<FakeDns>(loop_.io); });
  }
  void TearDown() override {
    loop_.call([&] {
      resolver_.reset();
      dns_.reset();
      return 0;
    });
  }

  void makeResolver(ResolverConfig config = {}) {
    if (config.nameservers.empty()) config.nameservers = {dns_->server()};
    config.timeout = std::chrono::milliseconds(500);
    config.tries = 1;
    loop_.call([&] {
      resolver_ = std::make_unique<SipResolver>(loop_.io, config);
      return 0;
    });
  }

  Result<std::vector<SipTarget>> resolve(const sip::Uri& uri) {
    auto p = std::make_shared<std::promise<Result<std::vector<SipTarget>>>>();
    auto f = p->get_future();
    loop_.call([&] {
      resolver_->resolve(uri, [p](Result<std::vector<SipTarget>> r) {
        p->set_value(std::move(r));
      });
      return 0;
    });
    if (f.wait_for(kDeadline) != std::future_status::ready) return makeError(-1, "no answer");
    return f.get();
  }
  Result<std::vector<SipTarget>> resolveService(const std::string& name, Transport t) {
    auto p = std::make_shared<std::promise<Result<std::vector<SipTarget>>>>();
    auto f = p->get_future();
    loop_.call([&] {
      resolver_->resolveService(name, t, [p](Result<std::vector<SipTarget>> r) {
        p->set_value(std::move(r));
      });
      return 0;
    });
    if (f.wait_for(kDeadline) != std::future_status::ready) return makeError(-1, "no answer");
    return f.get();
  }
  Result<std::vector<SrvRecord>> lookupSrv(const std::string& name) {
    auto p = std::make_shared<std::promise<Result<std::vector<SrvRecord>>>>();
    auto f = p->get_future();
    loop_.call([&] {
      resolver_->lookupSrv(name, [p](Result<std::vector<SrvRecord>> r) {
        p->set_value(std::move(r));
      });
      return 0;
    });
    if (f.wait_for(kDeadline) != std::future_status::ready) return makeError(-1, "no answer");
    return f.get();
  }
  Result<std::vector<std::string>> lookupAddresses(const std::string& host) {
    auto p = std::make_shared<std::promise<Result<std::vector<std::string>>>>();
    auto f = p->get_future();
    loop_.call([&] {
      resolver_->lookupAddresses(host, [p](Result<std::vector<std::string>> r) {
        p->set_value(std::move(r));
      });
      return 0;
    });
    if (f.wait_for(kDeadline) != std::future_status::ready) return makeError(-1, "no answer");
    return f.get();
  }

  LoopThread loop_;
  std::unique_ptr<FakeDns> dns_;
  std::unique_ptr<SipResolver> resolver_;
};

sip::Uri makeUri(std::string host, std::optional<uint16_t> port = std::nullopt,
                 std::vector<sip::Param> params = {}, bool sips = false) {
  sip::Uri u;
  u.scheme = sips ? sip::Uri::Scheme::Sips : sip::Uri::Scheme::Sip;
  u.schemeText = sips ? "sips" : "sip";
  u.host = std::move(host);
  u.port = port;
  u.params = std::move(params);
  return u;
}

// ---- tests ------------------------------------------------------------------------------

TEST_F(ResolverTest, LocalhostComesFromTheHostsFile) {
  makeResolver();
  auto r = lookupAddresses("localhost");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(std::find(r->begin(), r->end(), "127.0.0.1"), r->end());

  auto targets = resolve(makeUri("localhost", 5070, {sip::Param{"transport", "tcp"}}));
  ASSERT_TRUE(targets.ok()) << targets.error().message;
  ASSERT_FALSE(targets->empty());
  EXPECT_EQ(targets->front(), (SipTarget{Transport::Tcp, "127.0.0.1", 5070, "localhost"}));
}

TEST_F(ResolverTest, NumericHostNeedsNoDns) {
  makeResolver();
  auto targets = resolve(makeUri("127.0.0.1", 5099));
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(*targets, (std::vector{SipTarget{Transport::Udp, "127.0.0.1", 5099, "127.0.0.1"}}));
  EXPECT_TRUE(dns_->queries().empty());
}

TEST_F(ResolverTest, NaptrSrvAndAddressesThroughCares) {
  dns_->addNaptr("example.test", 10, 10, "s", "SIPS+D2T", "_sips._tcp.example.test");
  dns_->addNaptr("example.test", 20, 10, "s", "SIP+D2U", "_sip._udp.example.test");
  dns_->addNaptr("example.test", 5, 10, "s", "SIP+D2S", "_sip._sctp.example.test");
  dns_->addSrv("_sips._tcp.example.test", 10, 0, 5061, "edge1.example.test");
  dns_->addSrv("_sips._tcp.example.test", 20, 0, 5061, "edge2.example.test");
  dns_->addSrv("_sip._udp.example.test", 10, 0, 5060, "edge1.example.test");
  dns_->addA("edge1.example.test", "192.0.2.1");
  dns_->addAaaa("edge1.example.test", "2001:db8::1");
  dns_->addA("edge2.example.test", "192.0.2.2");
  makeResolver();
  auto targets = resolve(makeUri("Example.Test"));
  ASSERT_TRUE(targets.ok()) << targets.error().message;
  EXPECT_EQ(*targets, (std::vector{
                          SipTarget{Transport::Tls, "192.0.2.1", 5061, "example.test"},
                          SipTarget{Transport::Tls, "2001:db8::1", 5061, "example.test"},
                          SipTarget{Transport::Tls, "192.0.2.2", 5061, "example.test"},
                          SipTarget{Transport::Udp, "192.0.2.1", 5060, "example.test"},
                          SipTarget{Transport::Udp, "2001:db8::1", 5060, "example.test"},
                      }));
  auto asked = dns_->queries();
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked.front(), (std::pair<uint16_t, std::string>{kTypeNaptr, "example.test"}));
}

TEST_F(ResolverTest, NoNaptrFallsBackToSrvThenAddress) {
  dns_->addA("plain.test", "192.0.2.50");
  makeResolver();
  auto targets = resolve(makeUri("plain.test"));
  ASSERT_TRUE(targets.ok()) << targets.error().message;
  EXPECT_EQ(*targets, (std::vector{SipTarget{Transport::Udp, "192.0.2.50", 5060, "plain.test"}}));
  auto asked = dns_->queries();
  for (auto name : {"_sips._tcp.plain.test", "_sip._tcp.plain.test", "_sip._udp.plain.test"}) {
    EXPECT_NE(std::find(asked.begin(), asked.end(),
                        std::pair<uint16_t, std::string>{kTypeSrv, name}),
              asked.end())
        << name;
  }
}

TEST_F(ResolverTest, SrvLookupAndServiceResolution) {
  dns_->addSrv("_sipfederationtls._tcp.partner.test", 20, 0, 5061, "backup.partner.test");
  dns_->addSrv("_sipfederationtls._tcp.partner.test", 10, 0, 5061, "sipfed.partner.test");
  dns_->addA("sipfed.partner.test", "192.0.2.30");
  dns_->addA("backup.partner.test", "192.0.2.31");
  makeResolver();
  auto srv = lookupSrv("_sipfederationtls._tcp.partner.test");
  ASSERT_TRUE(srv.ok()) << srv.error().message;
  ASSERT_EQ(srv->size(), 2u);
  EXPECT_EQ(srv->at(0), (SrvRecord{10, 0, 5061, "sipfed.partner.test"}));
  EXPECT_EQ(srv->at(1), (SrvRecord{20, 0, 5061, "backup.partner.test"}));

  auto targets = resolveService("_sipfederationtls._tcp.partner.test", Transport::Tls);
  ASSERT_TRUE(targets.ok()) << targets.error().message;
  EXPECT_EQ(*targets,
            (std::vector{SipTarget{Transport::Tls, "192.0.2.30", 5061, "sipfed.partner.test"},
                         SipTarget{Transport::Tls, "192.0.2.31", 5061, "backup.partner.test"}}));

  auto none = lookupSrv("_sip._tcp.nowhere.test");
  ASSERT_TRUE(none.ok());  // NXDOMAIN is an answer: no records
  EXPECT_TRUE(none->empty());
}

TEST_F(ResolverTest, UnknownDomainIs503) {
  makeResolver();
  auto targets = resolve(makeUri("nowhere.test"));
  ASSERT_FALSE(targets.ok());
  EXPECT_EQ(targets.error().code, 503);
  EXPECT_NE(targets.error().message.find("nowhere.test"), std::string::npos);
}

TEST_F(ResolverTest, TimeoutIsReportedAsFailure) {
  dns_->silent = true;
  makeResolver();
  auto srv = lookupSrv("_sip._udp.slow.test");
  ASSERT_FALSE(srv.ok());
  EXPECT_EQ(srv.error().code, 503);
  auto targets = resolve(makeUri("slow.test", 5060));
  ASSERT_FALSE(targets.ok());
  EXPECT_EQ(targets.error().code, 503);
}

TEST_F(ResolverTest, OverridesAnswerWithoutDns) {
  ResolverConfig config;
  config.overrides.naptr["lab.test"] = {};
  config.overrides.srv["_sips._tcp.lab.test"] = {{0, 0, 15061, "fe.lab.test"}};
  config.overrides.srv["_sip._tcp.lab.test"] = {};
  config.overrides.srv["_sip._udp.lab.test"] = {};
  config.overrides.hosts["fe.lab.test"] = {"127.0.0.1"};
  makeResolver(config);
  auto targets = resolve(makeUri("lab.test"));
  ASSERT_TRUE(targets.ok()) << targets.error().message;
  EXPECT_EQ(*targets, (std::vector{SipTarget{Transport::Tls, "127.0.0.1", 15061, "lab.test"}}));
  EXPECT_TRUE(dns_->queries().empty());
}

TEST_F(ResolverTest, DestroyingWithLookupsInFlightCallsNothing) {
  dns_->silent = true;
  makeResolver();
  auto called = std::make_shared<std::atomic<bool>>(false);
  loop_.call([&] {
    resolver_->resolve(makeUri("pending.test"),
                       [called](Result<std::vector<SipTarget>>) { *called = true; });
    resolver_->lookupSrv("_sip._udp.pending.test",
                         [called](Result<std::vector<SrvRecord>>) { *called = true; });
    return 0;
  });
  ASSERT_TRUE(eventually([&] { return !dns_->queries().empty(); }));
  loop_.call([&] {
    resolver_.reset();
    return 0;
  });
  // Run the loop once more so anything wrongly posted would have run.
  loop_.call([] { return 0; });
  EXPECT_FALSE(*called);
}

}  // namespace
}  // namespace parley::net
