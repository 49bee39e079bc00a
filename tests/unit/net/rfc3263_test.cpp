// RFC 3263 ordering logic, driven by record tables: no network, no c-ares.

#include "common/net/rfc3263.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

namespace parley::net {
namespace {

using sip::Transport;

sip::Uri makeUri(std::string host, std::optional<uint16_t> port = std::nullopt,
                 std::vector<sip::Param> params = {}, bool sips = false) {
  sip::Uri u;
  u.scheme = sips ? sip::Uri::Scheme::Sips : sip::Uri::Scheme::Sip;
  u.schemeText = sips ? "sips" : "sip";
  u.user = "alice";
  u.host = std::move(host);
  u.port = port;
  u.params = std::move(params);
  return u;
}

sip::Param param(std::string name, std::string value) { return sip::Param{std::move(name), value}; }

// A DNS made of tables. Unknown names answer empty (NXDOMAIN).
struct Tables {
  std::map<std::string, std::vector<NaptrRecord>> naptr;
  std::map<std::string, std::vector<SrvRecord>> srv;
  std::map<std::string, std::vector<std::string>> hosts;
  std::map<std::string, std::string> failures;  // name -> failure text (any type)
  std::vector<DnsQuery> log;

  DnsAnswer answer(const DnsQuery& q) {
    log.push_back(q);
    DnsAnswer a;
    if (auto f = failures.find(q.name); f != failures.end()) {
      a.failure = f->second;
      return a;
    }
    switch (q.type) {
      case DnsType::Naptr:
        if (auto it = naptr.find(q.name); it != naptr.end()) a.naptr = it->second;
        break;
      case DnsType::Srv:
        if (auto it = srv.find(q.name); it != srv.end()) a.srv = it->second;
        break;
      case DnsType::Address:
        if (auto it = hosts.find(q.name); it != hosts.end()) a.addresses = it->second;
        break;
    }
    return a;
  }

  // Runs a resolution to the end, answering each batch in reverse order (answers may
  // arrive in any order).
  Result<std::vector<SipTarget>> run(Rfc3263Resolution& r) {
    for (int guard = 0; !r.finished() && guard < 16; ++guard) {
      auto batch = r.takeQueries();
      EXPECT_FALSE(batch.empty()) << "resolution stalled";
      if (batch.empty()) break;
      EXPECT_TRUE(r.takeQueries().empty()) << "queries handed out twice";
      std::reverse(batch.begin(), batch.end());
      for (const auto& q : batch) r.provide(q, answer(q));
    }
    EXPECT_TRUE(r.finished());
    return r.result();
  }
};

RandomSource zero() {
  return [](uint32_t) { return 0U; };
}

ResolverPolicy allTransports() { return ResolverPolicy{}; }

SipTarget target(Transport t, std::string addr, uint16_t port, std::string name) {
  return SipTarget{t, std::move(addr), port, std::move(name)};
}

// ---- numeric hosts (§4.1, §4.2) ---------------------------------------------------------

TEST(Rfc3263, NumericIpv4UsesUdpAndDefaultPortWithoutDns) {
  Tables dns;
  Rfc3263Resolution r(makeUri("192.0.2.10"), allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(*res, (std::vector{target(Transport::Udp, "192.0.2.10", 5060, "192.0.2.10")}));
  EXPECT_TRUE(dns.log.empty());
}

TEST(Rfc3263, NumericIpv6SipsWithPortStripsBrackets) {
  Tables dns;
  Rfc3263Resolution r(makeUri("[2001:DB8::1]", 5070, {}, true), allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Tls, "2001:db8::1", 5070, "2001:db8::1")}));
}

TEST(Rfc3263, NumericSipsDefaultsToTls5061) {
  Tables dns;
  Rfc3263Resolution r(makeUri("198.51.100.7", std::nullopt, {}, true), allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Tls, "198.51.100.7", 5061, "198.51.100.7")}));
}

TEST(Rfc3263, NumericWithTransportParam) {
  Tables dns;
  Rfc3263Resolution r(makeUri("192.0.2.10", std::nullopt, {param("transport", "TCP")}),
                      allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Tcp, "192.0.2.10", 5060, "192.0.2.10")}));
  Rfc3263Resolution tls(makeUri("192.0.2.10", std::nullopt, {param("transport", "tls")}),
                        allTransports(), zero());
  auto res2 = dns.run(tls);
  ASSERT_TRUE(res2.ok());
  EXPECT_EQ(res2->at(0).transport, Transport::Tls);
  EXPECT_EQ(res2->at(0).port, 5061);
}

TEST(Rfc3263, NumericWithoutUdpFallsBackToTcp) {
  Tables dns;
  ResolverPolicy noUdp;
  noUdp.udp = false;
  Rfc3263Resolution r(makeUri("192.0.2.10"), noUdp, zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->at(0).transport, Transport::Tcp);
}

// ---- explicit port or transport ---------------------------------------------------------

TEST(Rfc3263, ExplicitPortMeansAddressLookupOnly) {
  Tables dns;
  dns.hosts["example.com"] = {"2001:db8::5", "192.0.2.5", "192.0.2.6"};
  Rfc3263Resolution r(makeUri("Example.COM.", 5080), allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Udp, "192.0.2.5", 5080, "example.com"),
                               target(Transport::Udp, "192.0.2.6", 5080, "example.com"),
                               target(Transport::Udp, "2001:db8::5", 5080, "example.com")}));
  ASSERT_EQ(dns.log.size(), 1u);
  EXPECT_EQ(dns.log[0], (DnsQuery{DnsType::Address, "example.com"}));
}

TEST(Rfc3263, PreferIpv6OrdersAaaaFirst) {
  Tables dns;
  dns.hosts["example.com"] = {"192.0.2.5", "2001:db8::5"};
  ResolverPolicy p;
  p.preferIpv6 = true;
  Rfc3263Resolution r(makeUri("example.com", 5060), p, zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->size(), 2u);
  EXPECT_EQ(res->at(0).address, "2001:db8::5");
}

TEST(Rfc3263, TransportParamWithoutPortQueriesThatSrvOnly) {
  Tables dns;
  dns.srv["_sip._tcp.example.com"] = {{10, 0, 5070, "sip1.example.com."}};
  dns.hosts["sip1.example.com"] = {"192.0.2.1"};
  Rfc3263Resolution r(makeUri("example.com", std::nullopt, {param("transport", "tcp")}),
                      allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Tcp, "192.0.2.1", 5070, "example.com")}));
  EXPECT_EQ(dns.log[0], (DnsQuery{DnsType::Srv, "_sip._tcp.example.com"}));
  EXPECT_TRUE(std::none_of(dns.log.begin(), dns.log.end(),
                           [](const DnsQuery& q) { return q.type == DnsType::Naptr; }));
}

TEST(Rfc3263, SipsWithTransportTcpMeansTls) {
  Tables dns;
  dns.srv["_sips._tcp.example.com"] = {{10, 0, 5061, "edge.example.com"}};
  dns.hosts["edge.example.com"] = {"192.0.2.9"};
  Rfc3263Resolution r(makeUri("example.com", std::nullopt, {param("transport", "tcp")}, true),
                      allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Tls, "192.0.2.9", 5061, "example.com")}));
}

TEST(Rfc3263, TransportParamWithoutSrvFallsBackToAddress) {
  Tables dns;
  dns.hosts["example.com"] = {"192.0.2.5"};
  Rfc3263Resolution r(makeUri("example.com", std::nullopt, {param("transport", "tls")}),
                      allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Tls, "192.0.2.5", 5061, "example.com")}));
}

TEST(Rfc3263, SipsWithUdpIsRejected) {
  Rfc3263Resolution r(makeUri("example.com", std::nullopt, {param("transport", "udp")}, true),
                      allTransports(), zero());
  ASSERT_TRUE(r.finished());
  ASSERT_FALSE(r.result().ok());
  EXPECT_EQ(r.result().error().code, 400);
}

TEST(Rfc3263, UnknownOrDisabledTransportIsRejected) {
  Rfc3263Resolution sctp(makeUri("example.com", std::nullopt, {param("transport", "sctp")}),
                         allTransports(), zero());
  ASSERT_TRUE(sctp.finished());
  EXPECT_EQ(sctp.result().error().code, 503);
  ResolverPolicy noTls;
  noTls.tls = false;
  Rfc3263Resolution tls(makeUri("example.com", std::nullopt, {param("transport", "tls")}),
                        noTls, zero());
  ASSERT_TRUE(tls.finished());
  EXPECT_EQ(tls.result().error().code, 503);
}

TEST(Rfc3263, TelUriIsNotResolvable) {
  sip::Uri tel;
  tel.scheme = sip::Uri::Scheme::Tel;
  tel.schemeText = "tel";
  tel.opaque = "+15551234567";
  Rfc3263Resolution r(tel, allTransports(), zero());
  ASSERT_TRUE(r.finished());
  EXPECT_EQ(r.result().error().code, 416);
}

TEST(Rfc3263, MaddrReplacesHostForLookupButNotForTlsName) {
  Tables dns;
  dns.hosts["proxy.example.net"] = {"192.0.2.44"};
  Rfc3263Resolution r(makeUri("example.com", 5061,
                              {param("maddr", "proxy.example.net"), param("transport", "tls")}),
                      allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Tls, "192.0.2.44", 5061, "example.com")}));
}

// ---- NAPTR (§4.1) -----------------------------------------------------------------------

TEST(Rfc3263, NaptrOrderAndPreferenceChooseSrvSequence) {
  Tables dns;
  dns.naptr["example.com"] = {
      {20, 10, "s", "SIP+D2U", "", "_sip._udp.example.com."},
      {10, 20, "S", "SIP+D2T", "", "_sip._tcp.example.com."},
      {10, 10, "s", "SIPS+D2T", "", "_sips._tcp.example.com."},
      {5, 10, "s", "SIP+D2S", "", "_sip._sctp.example.com."},     // SCTP: unsupported
      {5, 10, "u", "E2U+sip", "!^.*$!sip:x@y!", ""},               // ENUM style: ignored
      {5, 10, "a", "SIP+D2T", "", "_sip._tcp.other.example.com."},  // not an SRV pointer
  };
  dns.srv["_sips._tcp.example.com"] = {{0, 0, 5061, "tls.example.com"}};
  dns.srv["_sip._tcp.example.com"] = {{0, 0, 5060, "tcp.example.com"}};
  dns.srv["_sip._udp.example.com"] = {{0, 0, 5060, "udp.example.com"}};
  dns.hosts["tls.example.com"] = {"192.0.2.1"};
  dns.hosts["tcp.example.com"] = {"192.0.2.2"};
  dns.hosts["udp.example.com"] = {"192.0.2.3"};
  Rfc3263Resolution r(makeUri("example.com"), allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(*res, (std::vector{target(Transport::Tls, "192.0.2.1", 5061, "example.com"),
                               target(Transport::Tcp, "192.0.2.2", 5060, "example.com"),
                               target(Transport::Udp, "192.0.2.3", 5060, "example.com")}));
  EXPECT_EQ(dns.log[0], (DnsQuery{DnsType::Naptr, "example.com"}));
  // NAPTR, then the three SRV queries as one batch, then the three hosts.
  EXPECT_EQ(dns.log.size(), 7u);
}

TEST(Rfc3263, SipsUsesOnlySipsNaptr) {
  Tables dns;
  dns.naptr["example.com"] = {
      {10, 10, "s", "SIP+D2U", "", "_sip._udp.example.com"},
      {20, 10, "s", "SIPS+D2T", "", "_sips._tcp.example.com"},
  };
  dns.srv["_sips._tcp.example.com"] = {{0, 0, 5061, "tls.example.com"}};
  dns.srv["_sip._udp.example.com"] = {{0, 0, 5060, "udp.example.com"}};
  dns.hosts["tls.example.com"] = {"192.0.2.1"};
  dns.hosts["udp.example.com"] = {"192.0.2.3"};
  Rfc3263Resolution r(makeUri("example.com", std::nullopt, {}, true), allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Tls, "192.0.2.1", 5061, "example.com")}));
}

TEST(Rfc3263, NaptrForDisabledTransportIsSkipped) {
  Tables dns;
  dns.naptr["example.com"] = {
      {10, 10, "s", "SIP+D2U", "", "_sip._udp.example.com"},
      {20, 10, "s", "SIP+D2T", "", "_sip._tcp.example.com"},
  };
  dns.srv["_sip._udp.example.com"] = {{0, 0, 5060, "udp.example.com"}};
  dns.srv["_sip._tcp.example.com"] = {{0, 0, 5060, "tcp.example.com"}};
  dns.hosts["udp.example.com"] = {"192.0.2.3"};
  dns.hosts["tcp.example.com"] = {"192.0.2.2"};
  ResolverPolicy noUdp;
  noUdp.udp = false;
  Rfc3263Resolution r(makeUri("example.com"), noUdp, zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Tcp, "192.0.2.2", 5060, "example.com")}));
}

// ---- no NAPTR: SRV per transport, then A/AAAA (§4.1, §4.2) -------------------------------

TEST(Rfc3263, NoNaptrQueriesSrvForEachSupportedTransport) {
  Tables dns;
  dns.srv["_sip._udp.example.com"] = {{0, 0, 5062, "udp.example.com"}};
  dns.hosts["udp.example.com"] = {"192.0.2.3"};
  Rfc3263Resolution r(makeUri("example.com"), allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Udp, "192.0.2.3", 5062, "example.com")}));
  std::vector<DnsQuery> srvQueries;
  for (const auto& q : dns.log) {
    if (q.type == DnsType::Srv) srvQueries.push_back(q);
  }
  // Asked in reverse (answers may come in any order); all three were asked.
  EXPECT_EQ(srvQueries.size(), 3u);
  for (auto name : {"_sips._tcp.example.com", "_sip._tcp.example.com", "_sip._udp.example.com"}) {
    EXPECT_NE(std::find(srvQueries.begin(), srvQueries.end(), DnsQuery{DnsType::Srv, name}),
              srvQueries.end())
        << name;
  }
}

TEST(Rfc3263, SrvResultsFollowTransportPreferenceNotAnswerOrder) {
  Tables dns;
  dns.srv["_sip._udp.example.com"] = {{0, 0, 5060, "udp.example.com"}};
  dns.srv["_sips._tcp.example.com"] = {{0, 0, 5061, "tls.example.com"}};
  dns.hosts["udp.example.com"] = {"192.0.2.3"};
  dns.hosts["tls.example.com"] = {"192.0.2.1"};
  Rfc3263Resolution r(makeUri("example.com"), allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Tls, "192.0.2.1", 5061, "example.com"),
                               target(Transport::Udp, "192.0.2.3", 5060, "example.com")}));
}

TEST(Rfc3263, NoNaptrNoSrvUsesAddressWithDefaults) {
  Tables dns;
  dns.hosts["example.com"] = {"192.0.2.5"};
  Rfc3263Resolution sip(makeUri("example.com"), allTransports(), zero());
  auto res = dns.run(sip);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Udp, "192.0.2.5", 5060, "example.com")}));
  Rfc3263Resolution sips(makeUri("example.com", std::nullopt, {}, true), allTransports(), zero());
  auto res2 = dns.run(sips);
  ASSERT_TRUE(res2.ok());
  EXPECT_EQ(*res2, (std::vector{target(Transport::Tls, "192.0.2.5", 5061, "example.com")}));
}

TEST(Rfc3263, DotTargetMeansServiceUnavailable) {
  Tables dns;
  dns.srv["_sips._tcp.example.com"] = {{0, 0, 0, "."}};
  dns.hosts["example.com"] = {"192.0.2.5"};
  Rfc3263Resolution r(makeUri("example.com", std::nullopt, {}, true), allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Tls, "192.0.2.5", 5061, "example.com")}));
}

TEST(Rfc3263, SrvTargetsExpandInPriorityOrderWithoutDuplicates) {
  Tables dns;
  dns.srv["_sip._tcp.example.com"] = {
      {20, 0, 5060, "b.example.com"},
      {10, 0, 5060, "a.example.com"},
      {30, 0, 5060, "a.example.com"},  // same host again: same targets, not repeated
      {15, 0, 5070, "192.0.2.77"},     // a literal address: no lookup
  };
  dns.hosts["a.example.com"] = {"192.0.2.1", "2001:db8::1"};
  dns.hosts["b.example.com"] = {"192.0.2.2"};
  Rfc3263Resolution r(makeUri("example.com", std::nullopt, {param("transport", "tcp")}),
                      allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res, (std::vector{target(Transport::Tcp, "192.0.2.1", 5060, "example.com"),
                               target(Transport::Tcp, "2001:db8::1", 5060, "example.com"),
                               target(Transport::Tcp, "192.0.2.77", 5070, "example.com"),
                               target(Transport::Tcp, "192.0.2.2", 5060, "example.com")}));
  const auto addressQueries = std::count_if(dns.log.begin(), dns.log.end(), [](const DnsQuery& q) {
    return q.type == DnsType::Address;
  });
  EXPECT_EQ(addressQueries, 2);  // a and b once each
}

TEST(Rfc3263, NothingFoundNamesTheFailure) {
  Tables dns;
  dns.failures["example.com"] = "Timeout while contacting DNS servers";
  Rfc3263Resolution r(makeUri("example.com"), allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, 503);
  EXPECT_NE(res.error().message.find("example.com"), std::string::npos);
  EXPECT_NE(res.error().message.find("Timeout"), std::string::npos);
}

TEST(Rfc3263, UnaskedAnswersAreIgnored) {
  Tables dns;
  Rfc3263Resolution r(makeUri("example.com", 5060), allTransports(), zero());
  DnsAnswer bogus;
  bogus.addresses = {"203.0.113.1"};
  r.provide(DnsQuery{DnsType::Address, "evil.example"}, bogus);
  EXPECT_FALSE(r.finished());
  dns.hosts["example.com"] = {"192.0.2.5"};
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->size(), 1u);
  EXPECT_EQ(res->at(0).address, "192.0.2.5");
}

// ---- plain service lookups --------------------------------------------------------------

TEST(Rfc3263, ServiceLookupUsesSrvTargetAsTlsName) {
  Tables dns;
  dns.srv["_sipfederationtls._tcp.partner.example"] = {
      {10, 0, 5061, "sipfed.partner.example."}, {20, 0, 5061, "backup.partner.example"}};
  dns.hosts["sipfed.partner.example"] = {"192.0.2.30"};
  dns.hosts["backup.partner.example"] = {"192.0.2.31"};
  auto r = Rfc3263Resolution::forService("_sipfederationtls._tcp.Partner.Example", Transport::Tls,
                                         allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(*res,
            (std::vector{target(Transport::Tls, "192.0.2.30", 5061, "sipfed.partner.example"),
                         target(Transport::Tls, "192.0.2.31", 5061, "backup.partner.example")}));
}

TEST(Rfc3263, ServiceLookupWithoutSrvFails) {
  Tables dns;
  dns.hosts["partner.example"] = {"192.0.2.30"};
  auto r = Rfc3263Resolution::forService("_sipfederationtls._tcp.partner.example", Transport::Tls,
                                         allTransports(), zero());
  auto res = dns.run(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, 503);
}

// ---- RFC 2782 ordering ------------------------------------------------------------------

TEST(SrvOrder, SortsByPriorityAndDropsDotTargets) {
  auto out = orderSrvRecords({{30, 0, 1, "c"}, {10, 0, 2, "a"}, {20, 0, 3, "b"}, {5, 0, 0, "."}},
                             zero());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].target, "a");
  EXPECT_EQ(out[1].target, "b");
  EXPECT_EQ(out[2].target, "c");
}

TEST(SrvOrder, WeightedSelectionFollowsRunningSums) {
  // Weights 0, 10, 30: running sums 0, 10, 40. A random 0 picks the weight-0 record (it is
  // placed first); 11..40 pick the weight-30 record; 1..10 the weight-10 one.
  const std::vector<SrvRecord> group = {{1, 10, 1, "ten"}, {1, 30, 1, "thirty"}, {1, 0, 1, "zero"}};
  auto always = [](uint32_t value) {
    return RandomSource([value](uint32_t bound) { return std::min(value, bound); });
  };
  auto first = [&](uint32_t v) { return orderSrvRecords(group, always(v)).front().target; };
  EXPECT_EQ(first(0), "zero");
  EXPECT_EQ(first(1), "ten");
  EXPECT_EQ(first(10), "ten");
  EXPECT_EQ(first(11), "thirty");
  EXPECT_EQ(first(40), "thirty");
  // After "thirty" is taken with 40, the remaining sum is 10: 10 picks "ten", then "zero".
  auto all = orderSrvRecords(group, always(40));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].target, "ten");
  EXPECT_EQ(all[2].target, "zero");
}

TEST(SrvOrder, HeavierRecordsComeFirstMoreOften) {
  std::mt19937 gen(12345);  // fixed seed: deterministic
  RandomSource random = [&](uint32_t bound) {
    return std::uniform_int_distribution<uint32_t>(0, bound)(gen);
  };
  int heavyFirst = 0;
  for (int i = 0; i < 1000; ++i) {
    auto out = orderSrvRecords({{1, 10, 1, "light"}, {1, 90, 1, "heavy"}}, random);
    ASSERT_EQ(out.size(), 2u);
    if (out[0].target == "heavy") ++heavyFirst;
  }
  EXPECT_GT(heavyFirst, 500);
  EXPECT_LT(heavyFirst, 1000);  // the light one does come first sometimes
}

TEST(SrvOrder, LowerPriorityAlwaysBeforeHigherWhateverTheWeights) {
  std::mt19937 gen(7);
  RandomSource random = [&](uint32_t bound) {
    return std::uniform_int_distribution<uint32_t>(0, bound)(gen);
  };
  for (int i = 0; i < 100; ++i) {
    auto out = orderSrvRecords({{2, 65535, 1, "backup"}, {1, 1, 1, "primary"}}, random);
    ASSERT_EQ(out.front().target, "primary");
  }
}

TEST(AddressOrder, GroupsFamiliesCanonicalisesAndDedupes) {
  auto out = orderAddresses({"2001:DB8::1", "192.0.2.1", "not-an-address", "2001:db8:0::1",
                             "192.0.2.2", "192.0.2.1"},
                            false);
  EXPECT_EQ(out, (std::vector<std::string>{"192.0.2.1", "192.0.2.2", "2001:db8::1"}));
  auto v6first = orderAddresses({"192.0.2.1", "2001:db8::1"}, true);
  EXPECT_EQ(v6first, (std::vector<std::string>{"2001:db8::1", "192.0.2.1"}));
}

TEST(NaptrService, MapsKnownServicesCaseInsensitively) {
  EXPECT_EQ(naptrServiceTransport("sips+d2t"), Transport::Tls);
  EXPECT_EQ(naptrServiceTransport("SIP+D2T"), Transport::Tcp);
  EXPECT_EQ(naptrServiceTransport("SIP+D2U"), Transport::Udp);
  EXPECT_EQ(naptrServiceTransport("SIP+D2S"), std::nullopt);
  EXPECT_EQ(naptrServiceTransport("SIPS+D2W"), std::nullopt);
}

TEST(NumericHost, RecognisesAddressesOnly) {
  EXPECT_EQ(numericHost("[::1]"), "::1");
  EXPECT_EQ(numericHost("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(numericHost("example.com"), std::nullopt);
  EXPECT_EQ(numericHost("10.0.0"), std::nullopt);
  EXPECT_EQ(numericHost(""), std::nullopt);
}

}  // namespace
}  // namespace parley::net
