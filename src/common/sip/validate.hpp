#pragma once
// The checks a proxy or registrar makes on a parsed message before processing it
// (RFC 3261 §8.2.1-§8.2.3, §16.3), beyond what parseMessage already enforces.
// Routing decisions (Max-Forwards 0 -> 483, loops, authentication) are not made here.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/sip/message.hpp"

namespace parley::sip {

struct Rejection {
  int status = 400;
  std::string reason;  // names the fault, e.g. "multiple CSeq headers"
  // For 420: the Proxy-Require option tags not supported (goes into Unsupported).
  std::vector<std::string> unsupported;
};

struct CheckOptions {
  // Option tags this element supports in Proxy-Require (§16.3 step 4); none by default.
  std::span<const std::string_view> supportedProxyRequire;
};

// nullopt when the request may be processed; otherwise the response to send.
// Tolerates a missing Max-Forwards (RFC 2543 peers, RFC 4475 §3.4.1).
std::optional<Rejection> checkRequest(const Message& request);
std::optional<Rejection> checkRequest(const Message& request, const CheckOptions& options);

// True when the request carries Max-Forwards: 0 and so must not be forwarded (483, §16.3
// step 3). A request without Max-Forwards is not exhausted.
bool maxForwardsExhausted(const Message& request);

// nullopt when a proxy may process the response; otherwise why it is dropped (status is
// 400 for logging; responses are never answered).
std::optional<Rejection> checkResponse(const Message& response);

}  // namespace parley::sip
