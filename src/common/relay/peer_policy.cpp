#include "common/relay/peer_policy.hpp"

#include <optional>
#include <stdexcept>

namespace parley::relay {
namespace {

Cidr prefix(std::string_view text) {
  // Constants of this file: a typo here is a bug that the unit tests catch at once.
  auto c = Cidr::parse(text);
  if (!c) throw std::logic_error("bad built-in prefix " + std::string(text));
  return *c;
}

std::vector<DefaultRule> makeDefaults() {
  return {
      // Most specific first: the reason names the narrowest rule.
      {prefix("169.254.169.254/32"), "cloud metadata service"},
      {prefix("fd00:ec2::254/128"), "cloud metadata service"},
      {prefix("255.255.255.255/32"), "broadcast"},
      {prefix("0.0.0.0/8"), "unspecified (\"this network\", RFC 791)"},
      {prefix("127.0.0.0/8"), "loopback"},
      {prefix("10.0.0.0/8"), "private (RFC 1918)"},
      {prefix("172.16.0.0/12"), "private (RFC 1918)"},
      {prefix("192.168.0.0/16"), "private (RFC 1918)"},
      {prefix("100.64.0.0/10"), "carrier-grade NAT shared space (RFC 6598)"},
      {prefix("169.254.0.0/16"), "link-local"},
      {prefix("224.0.0.0/4"), "multicast"},
      {prefix("240.0.0.0/4"), "reserved (RFC 1112)"},
      {prefix("::/128"), "unspecified"},
      {prefix("::1/128"), "loopback"},
      {prefix("fe80::/10"), "link-local"},
      {prefix("fec0::/10"), "site-local (deprecated, RFC 3879)"},
      {prefix("fc00::/7"), "unique local (RFC 4193)"},
      {prefix("ff00::/8"), "multicast"},
      // Local-use NAT64 (RFC 8215) translates to addresses of the operator's choice, often
      // private ones, at a position that depends on the operator's prefix length.
      {prefix("64:ff9b:1::/48"), "local-use NAT64 (RFC 8215)"},
  };
}

const Cidr* firstMatch(const std::vector<Cidr>& list, const IpAddress& a) {
  for (const Cidr& c : list) {
    if (c.contains(a)) return &c;
  }
  return nullptr;
}

// "::ffff:127.0.0.1 carries 127.0.0.1: " when the rule matched the embedded address.
std::string via(const IpAddress& peer, const IpAddress& matched) {
  if (peer == matched) return {};
  return peer.toString() + " carries " + matched.toString() + ": ";
}

}  // namespace

const std::vector<DefaultRule>& defaultDeniedRanges() {
  static const std::vector<DefaultRule> rules = makeDefaults();
  return rules;
}

Result<PeerPolicy> PeerPolicy::fromLists(const std::vector<std::string>& allow,
                                         const std::vector<std::string>& deny,
                                         const std::vector<std::string>& ownAddresses) {
  PeerPolicy policy;
  auto addAll = [](const std::vector<std::string>& texts, std::string_view listName,
                   std::vector<Cidr>& out) -> Result<void> {
    for (std::size_t i = 0; i < texts.size(); ++i) {
      auto c = Cidr::parse(texts[i]);
      if (!c) {
        return makeError(400, "relay " + std::string(listName) + " list entry " +
                                  std::to_string(i + 1) + ": " + c.error().message);
      }
      out.push_back(*c);
    }
    return {};
  };
  if (auto r = addAll(allow, "allow", policy.allow_); !r) return r.error();
  if (auto r = addAll(deny, "deny", policy.deny_); !r) return r.error();
  for (std::size_t i = 0; i < ownAddresses.size(); ++i) {
    auto a = IpAddress::parse(ownAddresses[i]);
    if (!a) {
      return makeError(400, "relay own address " + std::to_string(i + 1) + ": " +
                                a.error().message);
    }
    policy.own_.push_back(*a);
  }
  return policy;
}

Decision PeerPolicy::check(const IpAddress& peer) const {
  // The address as given, then the IPv4 address it carries, if any.
  std::optional<IpAddress> embedded = peer.embeddedIpv4();
  std::vector<IpAddress> forms{peer};
  if (embedded) forms.push_back(*embedded);

  for (const IpAddress& a : forms) {
    for (const IpAddress& own : own_) {
      if (own == a) return {false, via(peer, a) + "the Edge's own address"};
      // The Edge's IPv4 address reached through its own dual-stack socket as ::ffff:x.
      if (auto ownV4 = own.embeddedIpv4(); ownV4 && *ownV4 == a) {
        return {false, via(peer, a) + "the Edge's own address"};
      }
    }
  }
  for (const IpAddress& a : forms) {
    if (const Cidr* c = firstMatch(deny_, a)) return {false, via(peer, a) + "deny list " + c->toString()};
  }
  // Each form must pass on its own: allow-listing ::/0 does not open ::ffff:127.0.0.1,
  // whose IPv4 form is still loopback, unless 127.0.0.0/8 is allow-listed too.
  std::string allowedBy;
  for (const IpAddress& a : forms) {
    if (const Cidr* c = firstMatch(allow_, a)) {
      if (allowedBy.empty()) allowedBy = via(peer, a) + "allow list " + c->toString();
      continue;
    }
    for (const DefaultRule& rule : defaultDeniedRanges()) {
      if (rule.prefix.contains(a)) {
        return {false, via(peer, a) + std::string(rule.what) + " (" + rule.prefix.toString() + ")"};
      }
    }
  }
  return {true, allowedBy.empty() ? std::string("public address") : allowedBy};
}

}  // namespace parley::relay
