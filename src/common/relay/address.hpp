#pragma once
// IP addresses and CIDR prefixes for the relay's address policy, without sockets.
//
// The Edge gets peer addresses as bytes (XOR-PEER-ADDRESS, RFC 8656 §14.3) and the
// administrator writes them as text (allow and deny lists); both meet here. IPv4 addresses
// are kept as IPv4: an IPv4-mapped IPv6 address (::ffff:a.b.c.d) stays IPv6 so that the
// policy can say which form it saw, and `embeddedIpv4()` extracts the IPv4 inside it.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/base/result.hpp"

namespace parley::relay {

enum class IpFamily : std::uint8_t { V4, V6 };

class IpAddress {
 public:
  // 0.0.0.0.
  IpAddress() = default;
  static IpAddress v4(std::array<std::uint8_t, 4> bytes) noexcept;
  static IpAddress v4(std::uint32_t hostOrder) noexcept;
  static IpAddress v6(const std::array<std::uint8_t, 16>& bytes) noexcept;
  // 4 bytes: IPv4, 16 bytes: IPv6, anything else: an error (400, as for a bad STUN address).
  static Result<IpAddress> fromBytes(std::span<const std::uint8_t> bytes);
  // Dotted-quad IPv4 or RFC 4291 §2.2 IPv6 text, optionally in brackets ("[2001:db8::1]").
  // Zone identifiers ("fe80::1%eth0"), ports, leading zeros in IPv4 octets and surrounding
  // spaces are refused: an address on an allow list must mean exactly one thing.
  static Result<IpAddress> parse(std::string_view text);

  IpFamily family() const noexcept { return family_; }
  bool isV4() const noexcept { return family_ == IpFamily::V4; }
  bool isV6() const noexcept { return family_ == IpFamily::V6; }
  // 4 significant bytes for IPv4 (the rest zero), 16 for IPv6.
  const std::array<std::uint8_t, 16>& bytes() const noexcept { return bytes_; }
  std::size_t size() const noexcept { return isV4() ? 4 : 16; }
  // Bit `i` counted from the most significant bit of the first byte.
  bool bit(unsigned i) const noexcept { return (bytes_[i / 8] >> (7 - i % 8)) & 1U; }

  // The IPv4 address an IPv6 address carries in one of the forms that reach it (or a
  // gateway that forwards to it): IPv4-mapped ::ffff:0:0/96 (RFC 4291 §2.5.5.2),
  // IPv4-compatible ::/96 (deprecated, §2.5.5.1; not :: and ::1), IPv4-translated
  // ::ffff:0:0:0/96 (RFC 2765), the NAT64 well-known prefix 64:ff9b::/96 (RFC 6052) and
  // 6to4 2002::/16 (RFC 3056). Empty for IPv4 and for other IPv6 addresses.
  std::optional<IpAddress> embeddedIpv4() const noexcept;

  // Canonical text: dotted quad, or RFC 5952 IPv6 (inet_ntop).
  std::string toString() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;

 private:
  IpFamily family_ = IpFamily::V4;
  std::array<std::uint8_t, 16> bytes_{};
};

// An address prefix: "10.0.0.0/8", "fe80::/10"; a bare address is a /32 or /128.
class Cidr {
 public:
  Cidr() = default;
  // Throws std::invalid_argument if the length exceeds the family's width; host bits past
  // the length are cleared. For constants in code; text from outside goes through parse().
  Cidr(IpAddress network, unsigned prefixLength);
  // Refuses host bits set past the prefix length ("10.1.2.3/8"): on an administered list
  // that is almost always a typo, so the error names the prefix that was probably meant.
  static Result<Cidr> parse(std::string_view text);

  const IpAddress& network() const noexcept { return network_; }
  unsigned prefixLength() const noexcept { return prefixLength_; }
  // Same family and the first prefixLength bits equal. An IPv4 prefix never matches an
  // IPv6 address here; the policy applies IPv4 rules to embedded IPv4 itself.
  bool contains(const IpAddress& address) const noexcept;
  std::string toString() const;

  friend bool operator==(const Cidr&, const Cidr&) = default;

 private:
  IpAddress network_;
  unsigned prefixLength_ = 0;
};

}  // namespace parley::relay
