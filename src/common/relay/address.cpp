#include "common/relay/address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <initializer_list>
#include <stdexcept>

#include "common/base/strings.hpp"

namespace parley::relay {
namespace {

Error malformed(std::string_view text, std::string_view why) {
  return makeError(400, "malformed IP address '" + std::string(text) + "': " + std::string(why));
}

bool startsWith(const std::array<std::uint8_t, 16>& b, std::initializer_list<std::uint8_t> prefix) {
  return std::equal(prefix.begin(), prefix.end(), b.begin());
}

bool allZero(const std::array<std::uint8_t, 16>& b, std::size_t from, std::size_t to) {
  return std::all_of(b.begin() + static_cast<std::ptrdiff_t>(from),
                     b.begin() + static_cast<std::ptrdiff_t>(to),
                     [](std::uint8_t x) { return x == 0; });
}

IpAddress v4At(const std::array<std::uint8_t, 16>& b, std::size_t offset) {
  return IpAddress::v4({b[offset], b[offset + 1], b[offset + 2], b[offset + 3]});
}

}  // namespace

IpAddress IpAddress::v4(std::array<std::uint8_t, 4> bytes) noexcept {
  IpAddress a;
  a.family_ = IpFamily::V4;
  std::copy(bytes.begin(), bytes.end(), a.bytes_.begin());
  return a;
}

IpAddress IpAddress::v4(std::uint32_t hostOrder) noexcept {
  return v4({static_cast<std::uint8_t>(hostOrder >> 24), static_cast<std::uint8_t>(hostOrder >> 16),
             static_cast<std::uint8_t>(hostOrder >> 8), static_cast<std::uint8_t>(hostOrder)});
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& bytes) noexcept {
  IpAddress a;
  a.family_ = IpFamily::V6;
  a.bytes_ = bytes;
  return a;
}

Result<IpAddress> IpAddress::fromBytes(std::span<const std::uint8_t> bytes) {
  if (bytes.size() == 4) return v4({bytes[0], bytes[1], bytes[2], bytes[3]});
  if (bytes.size() == 16) {
    std::array<std::uint8_t, 16> b{};
    std::copy(bytes.begin(), bytes.end(), b.begin());
    return v6(b);
  }
  return makeError(400, "an IP address has 4 or 16 bytes, not " + std::to_string(bytes.size()));
}

Result<IpAddress> IpAddress::parse(std::string_view text) {
  std::string_view t = text;
  bool bracketed = false;
  if (!t.empty() && t.front() == '[') {
    if (t.size() < 2 || t.back() != ']') return malformed(text, "unbalanced brackets");
    t = t.substr(1, t.size() - 2);
    bracketed = true;
  }
  if (t.empty()) return malformed(text, "empty");
  // inet_pton needs a NUL-terminated string and would stop at an embedded NUL.
  if (t.size() > 45 || t.find('\0') != std::string_view::npos) return malformed(text, "too long");
  if (t.find('%') != std::string_view::npos) {
    return malformed(text, "zone identifiers are not accepted (give a global address)");
  }
  std::string z(t);
  if (t.find(':') != std::string_view::npos) {
    std::array<std::uint8_t, 16> b{};
    if (inet_pton(AF_INET6, z.c_str(), b.data()) != 1) return malformed(text, "not an IPv6 address");
    return v6(b);
  }
  if (bracketed) return malformed(text, "brackets are for IPv6 addresses");
  std::array<std::uint8_t, 4> b{};
  // glibc's inet_pton takes exactly four decimal octets and refuses leading zeros, which
  // other parsers read as octal (010 = 8): no ambiguity survives.
  if (inet_pton(AF_INET, z.c_str(), b.data()) != 1) {
    return malformed(text, "not an IPv4 address (four decimal octets) or an IPv6 address");
  }
  return v4(b);
}

std::optional<IpAddress> IpAddress::embeddedIpv4() const noexcept {
  if (isV4()) return std::nullopt;
  const auto& b = bytes_;
  // ::ffff:a.b.c.d (mapped)
  if (allZero(b, 0, 10) && b[10] == 0xff && b[11] == 0xff) return v4At(b, 12);
  // ::ffff:0:a.b.c.d (translated, RFC 2765)
  if (allZero(b, 0, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0) {
    return v4At(b, 12);
  }
  // ::a.b.c.d (compatible); :: and ::1 are the unspecified and loopback addresses.
  if (allZero(b, 0, 12) && !(allZero(b, 12, 15) && b[15] <= 1)) return v4At(b, 12);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix, RFC 6052 §2.1)
  if (startsWith(b, {0x00, 0x64, 0xff, 0x9b}) && allZero(b, 4, 12)) return v4At(b, 12);
  // 2002:aabb:ccdd::/48 (6to4, RFC 3056 §2)
  if (startsWith(b, {0x20, 0x02})) return v4At(b, 2);
  return std::nullopt;
}

std::string IpAddress::toString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(isV4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf) == nullptr) return "?";
  return buf;
}

Cidr::Cidr(IpAddress network, unsigned prefixLength) : prefixLength_(prefixLength) {
  unsigned width = network.isV4() ? 32 : 128;
  if (prefixLength > width) throw std::invalid_argument("prefix length beyond the address width");
  auto b = network.bytes();
  for (unsigned i = prefixLength; i < width; ++i) {
    b[i / 8] = static_cast<std::uint8_t>(b[i / 8] & ~(1U << (7 - i % 8)));
  }
  network_ = network.isV4() ? IpAddress::v4({b[0], b[1], b[2], b[3]}) : IpAddress::v6(b);
}

Result<Cidr> Cidr::parse(std::string_view text) {
  std::string_view addressText = text;
  std::optional<unsigned> length;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    addressText = text.substr(0, slash);
    std::string_view lengthText = text.substr(slash + 1);
    // One to three decimal digits: no sign, no spaces, no hex.
    if (lengthText.empty() || lengthText.size() > 3 ||
        !std::all_of(lengthText.begin(), lengthText.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return makeError(400, "malformed address prefix '" + std::string(text) +
                                "': the prefix length after '/' must be a number");
    }
    length = parseNumber<unsigned>(lengthText);
  }
  auto address = IpAddress::parse(addressText);
  if (!address) {
    return makeError(400, "malformed address prefix '" + std::string(text) + "': " +
                              address.error().message);
  }
  unsigned width = address->isV4() ? 32 : 128;
  unsigned len = length.value_or(width);
  if (len > width) {
    return makeError(400, "malformed address prefix '" + std::string(text) + "': an " +
                              (address->isV4() ? "IPv4" : "IPv6") + " prefix length is 0 to " +
                              std::to_string(width));
  }
  Cidr cidr(*address, len);
  if (cidr.network() != *address) {
    return makeError(400, "malformed address prefix '" + std::string(text) +
                              "': bits are set past the prefix length; did you mean " +
                              cidr.toString() + "?");
  }
  return cidr;
}

bool Cidr::contains(const IpAddress& address) const noexcept {
  if (address.family() != network_.family()) return false;
  const auto& a = address.bytes();
  const auto& n = network_.bytes();
  unsigned whole = prefixLength_ / 8;
  if (!std::equal(n.begin(), n.begin() + whole, a.begin())) return false;
  unsigned rest = prefixLength_ % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xFFU << (8 - rest));
  return (a[whole] & mask) == (n[whole] & mask);
}

std::string Cidr::toString() const {
  return network_.toString() + "/" + std::to_string(prefixLength_);
}

}  // namespace parley::relay
