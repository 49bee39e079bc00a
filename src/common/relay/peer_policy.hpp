#pragma once
// Which peers a TURN allocation may relay to (RFC 8656 §21.3, "Preventing Relay to
// Unintended Destinations"; issue 3 §5). The Edge asks at CreatePermission and
// ChannelBind and answers 403 Forbidden with the decision's reason when refused; data then
// only flows to permitted peers, so this is off the per-packet path.
//
// Order of the rules (the first that matches decides):
//   1. The Edge's own addresses: always refused, whatever the lists say. A relay that sends
//      to itself loops packets through its own relay ports (an amplifier).
//   2. The deny list (administered CIDRs): refused.
//   3. The allow list (administered CIDRs): allowed. It overrides the default rules, e.g.
//      to reach a media server on 10.1.0.0/16 in a lab.
//   4. The default rules (below): refused.
//   5. Anything else is a public address: allowed.
// So deny overrides allow, and allow overrides the defaults. An IPv6 address that carries
// an IPv4 address (IPv4-mapped, -compatible, -translated, NAT64 64:ff9b::/96, 6to4) has two
// forms, and the rules apply to both: otherwise ::ffff:127.0.0.1 or 64:ff9b::a00:1 would
// reach loopback or 10.0.0.1 through a dual-stack socket or a NAT64 gateway. Either form
// on the deny list or being an own address refuses the peer; it is allowed only if each
// form is allow-listed or matches no default rule (allowing ::/0 does not open
// ::ffff:10.0.0.1; allowing 10.0.0.0/8 does).

#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/relay/address.hpp"

namespace parley::relay {

struct Decision {
  bool allowed = false;
  // Names the rule, for logs and the 403 reason phrase: "loopback (127.0.0.0/8)",
  // "deny list 203.0.113.0/24", "allow list 10.1.0.0/16", "the Edge's own address",
  // "public address". An embedded address is named: "::ffff:127.0.0.1 carries 127.0.0.1:
  // loopback (127.0.0.0/8)".
  std::string reason;
};

// A default rule: a prefix refused unless allow-listed, and what it is.
struct DefaultRule {
  Cidr prefix;
  std::string_view what;
};

// The default-refused prefixes, IPv4 and IPv6, most specific first (so the reason names
// 169.254.169.254 as cloud metadata rather than as link-local).
const std::vector<DefaultRule>& defaultDeniedRanges();

class PeerPolicy {
 public:
  // The default rules, empty lists and no own addresses.
  PeerPolicy() = default;

  // Builds a policy from administered text lists, naming the first malformed entry
  // ("relay deny list entry 3: malformed address prefix '10.0.0/8': ...").
  static Result<PeerPolicy> fromLists(const std::vector<std::string>& allow,
                                      const std::vector<std::string>& deny,
                                      const std::vector<std::string>& ownAddresses = {});

  void allow(const Cidr& prefix) { allow_.push_back(prefix); }
  void deny(const Cidr& prefix) { deny_.push_back(prefix); }
  // Every address the Edge listens or relays on (including a public address behind 1:1
  // NAT, which the Edge itself cannot see on its interfaces).
  void addOwnAddress(const IpAddress& address) { own_.push_back(address); }

  Decision check(const IpAddress& peer) const;

  const std::vector<Cidr>& allowList() const noexcept { return allow_; }
  const std::vector<Cidr>& denyList() const noexcept { return deny_; }

 private:
  std::vector<Cidr> allow_;
  std::vector<Cidr> deny_;
  std::vector<IpAddress> own_;
};

}  // namespace parley::relay
