#pragma once
// RFC 3263 "Locating SIP Servers" as pure logic: a SIP or SIPS URI goes in, DNS queries come
// out, their answers go back in, and an ordered list of {transport, address, port} targets
// comes out. Nothing here touches a socket, c-ares or a clock, so every branch of the
// procedure is unit-tested with record tables; SipResolver (resolver.hpp) drives it with
// c-ares on the event loop.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/sip/peer.hpp"
#include "common/sip/uri.hpp"

namespace parley::net {

constexpr uint16_t kSipPort = 5060;   // RFC 3261 §19.1.1, UDP and TCP
constexpr uint16_t kSipsPort = 5061;  // RFC 3261 §19.1.1, TLS

struct NaptrRecord {
  uint16_t order = 0;
  uint16_t preference = 0;
  std::string flags;
  std::string service;
  std::string regexp;
  std::string replacement;
  bool operator==(const NaptrRecord&) const = default;
};

struct SrvRecord {
  uint16_t priority = 0;
  uint16_t weight = 0;
  uint16_t port = 0;
  std::string target;
  bool operator==(const SrvRecord&) const = default;
};

// One place to try, in order. `serverName` is the name a TLS connection verifies the
// server's certificate against and sends as SNI: the URI host for RFC 3263 resolution
// (RFC 5922 §4: the SIP domain, not the SRV target), the SRV target host for a plain
// service lookup (resolveService), or the numeric address when the URI had one.
struct SipTarget {
  sip::Transport transport = sip::Transport::Udp;
  std::string address;  // numeric IPv4 or IPv6, no brackets
  uint16_t port = 0;
  std::string serverName;

  sip::Peer peer() const { return sip::Peer{transport, address, port, 0}; }
  bool operator==(const SipTarget&) const = default;
};

struct ResolverPolicy {
  // The transports this client can use; others are skipped in NAPTR and SRV results.
  bool udp = true;
  bool tcp = true;
  bool tls = true;
  // Address order within one host name: IPv4 first unless set.
  bool preferIpv6 = false;

  bool supports(sip::Transport t) const noexcept {
    switch (t) {
      case sip::Transport::Udp: return udp;
      case sip::Transport::Tcp: return tcp;
      case sip::Transport::Tls: return tls;
    }
    return false;
  }
};

enum class DnsType : uint8_t { Naptr, Srv, Address };  // Address: A and AAAA together

struct DnsQuery {
  DnsType type = DnsType::Address;
  std::string name;  // lower case, no trailing dot
  bool operator==(const DnsQuery&) const = default;
};

// The answer to one DnsQuery. An empty answer is NXDOMAIN or NODATA; `failure` says why a
// lookup gave no answer at all (timeout, SERVFAIL), so an empty final result can name it.
struct DnsAnswer {
  std::vector<NaptrRecord> naptr;
  std::vector<SrvRecord> srv;
  std::vector<std::string> addresses;  // numeric, IPv4 and IPv6 mixed
  std::optional<std::string> failure;
};

// Uniform random integer in [0, bound], for RFC 2782 weighted selection.
using RandomSource = std::function<uint32_t(uint32_t bound)>;

// RFC 2782 order: ascending priority; within one priority, repeated weighted random
// selection where weight-0 records have a small chance of coming first. A lone record
// with target "." (service decidedly not available) yields an empty list.
std::vector<SrvRecord> orderSrvRecords(std::vector<SrvRecord> records, const RandomSource& random);

// Numeric addresses ordered by family (stable within a family), duplicates and non-numeric
// strings removed.
std::vector<std::string> orderAddresses(const std::vector<std::string>& addresses, bool preferIpv6);

// The transport of a NAPTR service field ("SIPS+D2T" -> Tls, "SIP+D2T" -> Tcp,
// "SIP+D2U" -> Udp), case-insensitively; nullopt for anything else (SCTP, WS, E.164...).
std::optional<sip::Transport> naptrServiceTransport(std::string_view service) noexcept;

// "_sips._tcp" / "_sip._tcp" / "_sip._udp" (RFC 3263 §4.1).
std::string_view srvPrefix(sip::Transport t) noexcept;

uint16_t defaultPort(sip::Transport t) noexcept;

// A host as a numeric address without brackets, or nullopt when it is a domain name.
std::optional<std::string> numericHost(std::string_view host);

// One resolution, step by step. Usage:
//   Rfc3263Resolution r(uri, policy, random);
//   while (!r.finished()) for (auto& q : r.takeQueries()) ... later r.provide(q, answer);
// takeQueries() hands out each query once; the queries of one batch may run in parallel
// and be answered in any order. When the batch is complete the next stage begins.
class Rfc3263Resolution {
 public:
  // RFC 3263 §4 for a sip: or sips: URI (maddr, port and transport parameters honoured).
  Rfc3263Resolution(const sip::Uri& uri, ResolverPolicy policy, RandomSource random);
  // A plain service lookup: SRV for `serviceName` (e.g. "_sipfederationtls._tcp.example.com")
  // then A/AAAA for each target, all with `transport`. No fallback when there is no SRV.
  static Rfc3263Resolution forService(std::string serviceName, sip::Transport transport,
                                      ResolverPolicy policy, RandomSource random);

  std::vector<DnsQuery> takeQueries();
  void provide(const DnsQuery& query, DnsAnswer answer);
  bool finished() const noexcept { return stage_ == Stage::Done; }
  // Valid once finished(): the ordered targets, or an Error (code 503 when nothing could be
  // found, 416 for a URI that is not sip/sips, 400 for a malformed host or transport).
  const Result<std::vector<SipTarget>>& result() const noexcept { return result_; }

 private:
  enum class Stage : uint8_t { Naptr, Srv, Address, Done };
  struct SrvStep {
    sip::Transport transport;
    std::string name;
    std::vector<SrvRecord> records;
  };
  struct HostStep {  // a host name to look up, in target order
    sip::Transport transport;
    std::string host;
    uint16_t port;
    std::string serverName;
  };

  Rfc3263Resolution() = default;
  void fail(int code, std::string message);
  void startSrv(std::vector<SrvStep> steps);
  void startAddress(std::vector<HostStep> hosts);
  void fallbackToAddress();
  void onNaptr(DnsAnswer answer);
  void onSrvBatchDone();
  void finishAddresses();
  sip::Transport defaultTransport() const noexcept;
  void noteFailure(const DnsAnswer& answer);

  ResolverPolicy policy_;
  RandomSource random_;
  Stage stage_ = Stage::Done;
  bool secure_ = false;       // sips: only TLS
  bool serviceMode_ = false;  // forService: no A/AAAA fallback, serverName per SRV target
  std::string domain_;        // the name resolved (maddr or host), lower case
  std::string serverName_;    // the URI host, for TLS verification
  std::optional<sip::Transport> forcedTransport_;
  std::vector<DnsQuery> batch_;  // queries of the current stage not yet answered
  size_t handedOut_ = 0;         // how many of the current stage's queries takeQueries gave
  std::vector<DnsQuery> stageQueries_;
  std::vector<SrvStep> srvSteps_;
  std::vector<HostStep> hostSteps_;
  std::vector<std::pair<std::string, std::vector<std::string>>> hostAnswers_;
  std::string lastFailure_;
  Result<std::vector<SipTarget>> result_{std::vector<SipTarget>{}};
};

}  // namespace parley::net
