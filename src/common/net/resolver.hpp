#pragma once
// DNS for SIP on c-ares, integrated into the Asio event loop: RFC 3263 resolution of SIP
// URIs (NAPTR -> SRV -> A/AAAA, the ordering logic in rfc3263.hpp), plain SRV lookups
// (RFC 2782 order) and host lookups. Static overrides answer chosen names without DNS, for
// tests and labs.
//
// Threading: like SipTransport, one SipResolver per io_context; call it on the loop thread.
// Handlers are always invoked later from the loop, never inside the call that started the
// lookup. Destroying the resolver cancels outstanding lookups without invoking their handlers.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/net/rfc3263.hpp"
#include "common/sip/peer.hpp"
#include "common/sip/uri.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace parley::net {

// Names are matched lower case without a trailing dot. An overridden name never reaches DNS
// for that record type; names not listed go to DNS as usual.
struct DnsOverrides {
  std::map<std::string, std::vector<std::string>> hosts;  // name -> numeric addresses
  std::map<std::string, std::vector<SrvRecord>> srv;      // "_sip._tcp.example.com" -> records
  std::map<std::string, std::vector<NaptrRecord>> naptr;  // "example.com" -> records
};

struct ResolverConfig {
  ResolverPolicy policy;
  // "192.0.2.53", "127.0.0.1:5353", "[2001:db8::53]:53"; empty: /etc/resolv.conf.
  std::vector<std::string> nameservers;
  std::chrono::milliseconds timeout{2000};  // per try, per server
  int tries = 2;
  bool useHostsFile = true;  // /etc/hosts answers A/AAAA lookups before DNS
  DnsOverrides overrides;
};

class SipResolver {
 public:
  using TargetsHandler = std::function<void(Result<std::vector<SipTarget>>)>;
  using SrvHandler = std::function<void(Result<std::vector<SrvRecord>>)>;
  using AddressHandler = std::function<void(Result<std::vector<std::string>>)>;

  // Throws std::runtime_error when c-ares cannot be initialised or a nameserver is not
  // understood: a start-up failure.
  SipResolver(boost::asio::io_context& io, ResolverConfig config);
  ~SipResolver();
  SipResolver(const SipResolver&) = delete;
  SipResolver& operator=(const SipResolver&) = delete;

  // RFC 3263 §4: the ordered targets to try for a sip:/sips: URI. Error codes as in
  // Rfc3263Resolution::result() (503 when nothing was found, naming the DNS failure).
  void resolve(const sip::Uri& uri, TargetsHandler done);
  // SRV for `serviceName` then A/AAAA, all on `transport`; each target's serverName is its
  // SRV target host (e.g. "_sipfederationtls._tcp.example.com" for federation). 503 when
  // there is no SRV record.
  void resolveService(std::string serviceName, sip::Transport transport, TargetsHandler done);
  // SRV records in RFC 2782 order; an empty list for NXDOMAIN/NODATA, 503 for a failed
  // lookup (timeout, SERVFAIL).
  void lookupSrv(std::string name, SrvHandler done);
  // A and AAAA (hosts file first when enabled), ordered per policy; a numeric host is
  // returned as is. Empty list for NXDOMAIN/NODATA, 503 for a failed lookup.
  void lookupAddresses(std::string host, AddressHandler done);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace parley::net
