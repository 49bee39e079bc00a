#include "common/net/rfc3263.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <numeric>
#include <utility>

#include "common/base/strings.hpp"

namespace parley::net {
namespace {

std::string normalizeName(std::string_view name) {
  std::string out = toLower(name);
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

// Parameter lookup without findParam(): this file only needs the Uri data, not the parser.
const sip::Param* uriParam(const sip::Uri& uri, std::string_view name) {
  for (const auto& p : uri.params) {
    if (iequals(p.name, name)) return &p;
  }
  return nullptr;
}

std::string stripBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::string(host);
}

bool isIpv6(const std::string& numeric) { return numeric.find(':') != std::string::npos; }

}  // namespace

std::optional<std::string> numericHost(std::string_view host) {
  const std::string h = stripBrackets(host);
  if (h.empty()) return std::nullopt;
  std::array<unsigned char, 16> buf{};
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (inet_pton(AF_INET, h.c_str(), buf.data()) == 1) {
    if (inet_ntop(AF_INET, buf.data(), text.data(), text.size()) == nullptr) return std::nullopt;
    return std::string(text.data());
  }
  if (inet_pton(AF_INET6, h.c_str(), buf.data()) == 1) {
    if (inet_ntop(AF_INET6, buf.data(), text.data(), text.size()) == nullptr) return std::nullopt;
    return std::string(text.data());
  }
  return std::nullopt;
}

uint16_t defaultPort(sip::Transport t) noexcept {
  return t == sip::Transport::Tls ? kSipsPort : kSipPort;
}

std::string_view srvPrefix(sip::Transport t) noexcept {
  switch (t) {
    case sip::Transport::Udp: return "_sip._udp";
    case sip::Transport::Tcp: return "_sip._tcp";
    case sip::Transport::Tls: return "_sips._tcp";
  }
  return "_sip._udp";
}

std::optional<sip::Transport> naptrServiceTransport(std::string_view service) noexcept {
  if (iequals(service, "SIPS+D2T")) return sip::Transport::Tls;
  if (iequals(service, "SIP+D2T")) return sip::Transport::Tcp;
  if (iequals(service, "SIP+D2U")) return sip::Transport::Udp;
  return std::nullopt;
}

std::vector<SrvRecord> orderSrvRecords(std::vector<SrvRecord> records, const RandomSource& random) {
  // RFC 2782: a target of "." means the service is decidedly not available at this domain.
  std::erase_if(records, [](const SrvRecord& r) {
    return r.target.empty() || r.target == ".";
  });
  std::stable_sort(records.begin(), records.end(),
                   [](const SrvRecord& a, const SrvRecord& b) { return a.priority < b.priority; });
  std::vector<SrvRecord> out;
  out.reserve(records.size());
  auto groupBegin = records.begin();
  while (groupBegin != records.end()) {
    auto groupEnd = std::find_if(groupBegin, records.end(), [&](const SrvRecord& r) {
      return r.priority != groupBegin->priority;
    });
    std::vector<SrvRecord> group(groupBegin, groupEnd);
    // RFC 2782 selection: weight-0 records first, then pick by running sum against a
    // uniform random number in [0, sum] until the group is used up.
    std::stable_partition(group.begin(), group.end(),
                          [](const SrvRecord& r) { return r.weight == 0; });
    while (!group.empty()) {
      uint32_t sum = 0;
      for (const auto& r : group) sum += r.weight;
      uint32_t pick = random ? random(sum) : 0;
      if (pick > sum) pick = sum;
      uint32_t running = 0;
      size_t chosen = group.size() - 1;
      for (size_t i = 0; i < group.size(); ++i) {
        running += group[i].weight;
        if (running >= pick) {
          chosen = i;
          break;
        }
      }
      out.push_back(std::move(group[chosen]));
      group.erase(group.begin() + static_cast<std::ptrdiff_t>(chosen));
    }
    groupBegin = groupEnd;
  }
  return out;
}

std::vector<std::string> orderAddresses(const std::vector<std::string>& addresses,
                                        bool preferIpv6) {
  std::vector<std::string> v4;
  std::vector<std::string> v6;
  for (const auto& a : addresses) {
    auto n = numericHost(a);
    if (!n) continue;
    auto& bucket = isIpv6(*n) ? v6 : v4;
    if (std::find(bucket.begin(), bucket.end(), *n) == bucket.end()) bucket.push_back(*n);
  }
  std::vector<std::string> out;
  auto& first = preferIpv6 ? v6 : v4;
  auto& second = preferIpv6 ? v4 : v6;
  out.insert(out.end(), first.begin(), first.end());
  out.insert(out.end(), second.begin(), second.end());
  return out;
}

Rfc3263Resolution::Rfc3263Resolution(const sip::Uri& uri, ResolverPolicy policy,
                                     RandomSource random)
    : policy_(policy), random_(std::move(random)) {
  if (!uri.isSip()) {
    fail(416, "only sip: and sips: URIs can be resolved to a server (got " + uri.schemeText + ":)");
    return;
  }
  secure_ = uri.scheme == sip::Uri::Scheme::Sips;

  // RFC 3263 §4: maddr, when present, replaces the host as the name to resolve. The name
  // a TLS certificate must carry stays the URI host (RFC 5922 §4).
  std::string target = uri.host;
  if (const auto* maddr = uriParam(uri, "maddr"); maddr && maddr->value && !maddr->value->empty()) {
    target = *maddr->value;
  }
  domain_ = normalizeName(stripBrackets(target));
  serverName_ = normalizeName(stripBrackets(uri.host));
  if (domain_.empty()) {
    fail(400, "the URI has no host to resolve");
    return;
  }

  // RFC 3263 §4.1: an explicit transport parameter wins. For SIPS, TCP means TLS; the
  // deprecated transport=tls is accepted on both schemes.
  if (const auto* tp = uriParam(uri, "transport"); tp && tp->value) {
    const std::string t = toLower(*tp->value);
    if (t == "udp") {
      if (secure_) {
        fail(400, "a sips: URI cannot use transport=udp: SIPS needs TLS over TCP");
        return;
      }
      forcedTransport_ = sip::Transport::Udp;
    } else if (t == "tcp") {
      forcedTransport_ = secure_ ? sip::Transport::Tls : sip::Transport::Tcp;
    } else if (t == "tls") {
      forcedTransport_ = sip::Transport::Tls;
    } else {
      fail(503, "transport=" + t + " is not supported by this server");
      return;
    }
    if (!policy_.supports(*forcedTransport_)) {
      fail(503, std::string("transport ") + std::string(sip::transportName(*forcedTransport_)) +
                    " is not enabled on this server");
      return;
    }
  }

  if (auto numeric = numericHost(domain_)) {
    // RFC 3263 §4.1/§4.2: a numeric host is used as is, on the default transport and port.
    const sip::Transport t = forcedTransport_.value_or(defaultTransport());
    if (!policy_.supports(t)) {
      fail(503, std::string("transport ") + std::string(sip::transportName(t)) +
                    " is not enabled on this server");
      return;
    }
    std::vector<SipTarget> targets;
    targets.push_back(SipTarget{t, *numeric, uri.port.value_or(defaultPort(t)), *numeric});
    result_ = std::move(targets);
    stage_ = Stage::Done;
    return;
  }
  if (uri.port) {
    // §4.2: a port with a domain name means A/AAAA only, no SRV.
    const sip::Transport t = forcedTransport_.value_or(defaultTransport());
    if (!policy_.supports(t)) {
      fail(503, std::string("transport ") + std::string(sip::transportName(t)) +
                    " is not enabled on this server");
      return;
    }
    startAddress({HostStep{t, domain_, *uri.port, serverName_}});
    return;
  }
  if (forcedTransport_) {
    // §4.2: transport given, no port: SRV for that transport only.
    startSrv({SrvStep{*forcedTransport_,
                      std::string(srvPrefix(*forcedTransport_)) + "." + domain_, {}}});
    return;
  }
  stage_ = Stage::Naptr;
  stageQueries_ = {DnsQuery{DnsType::Naptr, domain_}};
  batch_ = stageQueries_;
  handedOut_ = 0;
}

Rfc3263Resolution Rfc3263Resolution::forService(std::string serviceName, sip::Transport transport,
                                                ResolverPolicy policy, RandomSource random) {
  Rfc3263Resolution r;
  r.policy_ = policy;
  r.random_ = std::move(random);
  r.serviceMode_ = true;
  r.domain_ = normalizeName(serviceName);
  r.forcedTransport_ = transport;
  if (r.domain_.empty()) {
    r.fail(400, "empty SRV service name");
    return r;
  }
  r.startSrv({SrvStep{transport, r.domain_, {}}});
  return r;
}

sip::Transport Rfc3263Resolution::defaultTransport() const noexcept {
  // RFC 3263 §4.1: UDP for sip:, TLS (over TCP) for sips:. A server with UDP disabled uses
  // TCP, the other transport every SIP element must implement (RFC 3261 §18).
  if (secure_) return sip::Transport::Tls;
  if (policy_.udp) return sip::Transport::Udp;
  return policy_.tcp ? sip::Transport::Tcp : sip::Transport::Tls;
}

void Rfc3263Resolution::fail(int code, std::string message) {
  result_ = makeError(code, std::move(message));
  stage_ = Stage::Done;
  stageQueries_.clear();
  batch_.clear();
  handedOut_ = 0;
}

void Rfc3263Resolution::noteFailure(const DnsAnswer& answer) {
  if (answer.failure) lastFailure_ = *answer.failure;
}

std::vector<DnsQuery> Rfc3263Resolution::takeQueries() {
  std::vector<DnsQuery> out(stageQueries_.begin() + static_cast<std::ptrdiff_t>(handedOut_),
                            stageQueries_.end());
  handedOut_ = stageQueries_.size();
  return out;
}

void Rfc3263Resolution::provide(const DnsQuery& query, DnsAnswer answer) {
  auto it = std::find(batch_.begin(), batch_.end(), query);
  if (it == batch_.end()) return;  // not asked for, or already answered
  batch_.erase(it);
  noteFailure(answer);
  switch (stage_) {
    case Stage::Naptr:
      onNaptr(std::move(answer));
      break;
    case Stage::Srv:
      for (auto& step : srvSteps_) {
        if (step.name == query.name) step.records = answer.srv;
      }
      if (batch_.empty()) onSrvBatchDone();
      break;
    case Stage::Address:
      hostAnswers_.emplace_back(query.name, std::move(answer.addresses));
      if (batch_.empty()) finishAddresses();
      break;
    case Stage::Done:
      break;
  }
}

void Rfc3263Resolution::onNaptr(DnsAnswer answer) {
  // RFC 3263 §4.1: keep the records whose service this client supports (only SIPS+D2T
  // for a sips: URI) with the "s" flag (the replacement is an SRV name), in order then
  // preference order (RFC 3403 §4.1).
  std::vector<NaptrRecord> usable;
  for (auto& r : answer.naptr) {
    auto t = naptrServiceTransport(r.service);
    if (!t || !policy_.supports(*t)) continue;
    if (secure_ && *t != sip::Transport::Tls) continue;
    if (!iequals(r.flags, "s")) continue;
    const std::string name = normalizeName(r.replacement);
    if (name.empty()) continue;
    r.replacement = name;
    usable.push_back(std::move(r));
  }
  std::stable_sort(usable.begin(), usable.end(), [](const NaptrRecord& a, const NaptrRecord& b) {
    return a.order != b.order ? a.order < b.order : a.preference < b.preference;
  });
  std::vector<SrvStep> steps;
  for (const auto& r : usable) {
    const sip::Transport t = *naptrServiceTransport(r.service);
    const bool dup = std::any_of(steps.begin(), steps.end(), [&](const SrvStep& s) {
      return s.transport == t && s.name == r.replacement;
    });
    if (!dup) steps.push_back(SrvStep{t, r.replacement, {}});
  }
  if (steps.empty()) {
    // §4.1: no (usable) NAPTR: query SRV for every transport the client supports. Our
    // preference is TLS, then TCP, then UDP: secure and reliable transports first.
    for (auto t : {sip::Transport::Tls, sip::Transport::Tcp, sip::Transport::Udp}) {
      if (!policy_.supports(t)) continue;
      if (secure_ && t != sip::Transport::Tls) continue;
      steps.push_back(SrvStep{t, std::string(srvPrefix(t)) + "." + domain_, {}});
    }
    if (steps.empty()) {
      fail(503, "no transport enabled on this server can reach " + domain_);
      return;
    }
  }
  startSrv(std::move(steps));
}

void Rfc3263Resolution::startSrv(std::vector<SrvStep> steps) {
  srvSteps_ = std::move(steps);
  stage_ = Stage::Srv;
  stageQueries_.clear();
  for (const auto& s : srvSteps_) {
    DnsQuery q{DnsType::Srv, s.name};
    if (std::find(stageQueries_.begin(), stageQueries_.end(), q) == stageQueries_.end()) {
      stageQueries_.push_back(std::move(q));
    }
  }
  batch_ = stageQueries_;
  handedOut_ = 0;
}

void Rfc3263Resolution::onSrvBatchDone() {
  std::vector<HostStep> hosts;
  for (auto& step : srvSteps_) {
    for (auto& rec : orderSrvRecords(std::move(step.records), random_)) {
      std::string host = normalizeName(rec.target);
      std::string name = serviceMode_ ? host : serverName_;
      hosts.push_back(HostStep{step.transport, std::move(host), rec.port, std::move(name)});
    }
  }
  if (!hosts.empty()) {
    startAddress(std::move(hosts));
    return;
  }
  if (serviceMode_) {
    fail(503, "no SRV records for " + domain_ +
                  (lastFailure_.empty() ? std::string() : " (" + lastFailure_ + ")"));
    return;
  }
  fallbackToAddress();
}

void Rfc3263Resolution::fallbackToAddress() {
  // RFC 3263 §4.2: no SRV records: A/AAAA for the domain itself, default transport and port.
  const sip::Transport t = forcedTransport_.value_or(defaultTransport());
  if (!policy_.supports(t)) {
    fail(503, std::string("transport ") + std::string(sip::transportName(t)) +
                  " is not enabled on this server");
    return;
  }
  startAddress({HostStep{t, domain_, defaultPort(t), serverName_}});
}

void Rfc3263Resolution::startAddress(std::vector<HostStep> hosts) {
  hostSteps_ = std::move(hosts);
  hostAnswers_.clear();
  stage_ = Stage::Address;
  stageQueries_.clear();
  for (const auto& h : hostSteps_) {
    if (numericHost(h.host)) continue;  // an SRV target may be a literal address
    DnsQuery q{DnsType::Address, h.host};
    if (std::find(stageQueries_.begin(), stageQueries_.end(), q) == stageQueries_.end()) {
      stageQueries_.push_back(std::move(q));
    }
  }
  batch_ = stageQueries_;
  handedOut_ = 0;
  if (batch_.empty()) finishAddresses();
}

void Rfc3263Resolution::finishAddresses() {
  std::vector<SipTarget> targets;
  for (const auto& h : hostSteps_) {
    std::vector<std::string> addresses;
    if (auto n = numericHost(h.host)) {
      addresses.push_back(*n);
    } else {
      for (const auto& [name, found] : hostAnswers_) {
        if (name == h.host) addresses = orderAddresses(found, policy_.preferIpv6);
      }
    }
    for (auto& a : addresses) {
      SipTarget t{h.transport, std::move(a), h.port, h.serverName};
      if (std::find(targets.begin(), targets.end(), t) == targets.end()) {
        targets.push_back(std::move(t));
      }
    }
  }
  if (targets.empty()) {
    fail(503, "no address found for " + domain_ +
                  (lastFailure_.empty() ? std::string() : " (" + lastFailure_ + ")"));
    return;
  }
  result_ = std::move(targets);
  stage_ = Stage::Done;
  stageQueries_.clear();
  batch_.clear();
  handedOut_ = 0;
}

}  // namespace parley::net
