#pragma once
// Where a SIP message came from or goes to, independent of any socket library.

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::sip {

enum class Transport : uint8_t { Udp, Tcp, Tls };

constexpr std::string_view transportName(Transport t) noexcept {
  switch (t) {
    case Transport::Udp: return "UDP";
    case Transport::Tcp: return "TCP";
    case Transport::Tls: return "TLS";
  }
  return "UDP";
}

constexpr bool isReliable(Transport t) noexcept { return t != Transport::Udp; }

struct Peer {
  Transport transport = Transport::Udp;
  std::string address;  // numeric IPv4 or IPv6 (no brackets)
  uint16_t port = 0;
  // The connection a stream message arrived on (0 for UDP or "any"). Responses and requests
  // to a peer that registered over TCP/TLS go back on this connection: a phone behind NAT,
  // or one without a server certificate, cannot be reached on a new connection.
  uint64_t connectionId = 0;

  bool operator==(const Peer&) const = default;
};

}  // namespace parley::sip
