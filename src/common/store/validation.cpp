#include "common/store/validation.hpp"

#include <arpa/inet.h>

#include <array>

#include "common/base/sip_chars.hpp"
#include "common/base/strings.hpp"

namespace parley::store {
namespace {

using sip_chars::isAlnum;
using sip_chars::isDigit;

// RFC 3261 §25.1: unreserved = alphanum / mark; the user-unreserved set minus ";?/", which
// read as parameters or paths to too many tools.
constexpr bool isUserChar(char c) noexcept {
  return sip_chars::has(c, sip_chars::kUnreserved | sip_chars::kPasswordExtra);
}

Error invalid(std::string message) { return makeError(0, std::move(message)); }

}  // namespace

Result<std::string> canonicalDomain(std::string_view text) {
  std::string name = toLower(trim(text));
  if (name.empty()) return invalid("a domain name is empty");
  if (name.size() > 253) return invalid("domain name '" + name + "' is longer than 253 characters");
  for (std::string_view label : split(name, '.')) {
    if (label.empty()) return invalid("domain name '" + name + "' has an empty label");
    if (label.size() > 63) {
      return invalid("domain name '" + name + "' has a label longer than 63 characters");
    }
    if (label.front() == '-' || label.back() == '-') {
      return invalid("domain name '" + name + "' has a label that starts or ends with '-'");
    }
    for (char c : label) {
      if (!isAlnum(c) && c != '-') {
        return invalid("domain name '" + name + "' contains '" + std::string(1, c) +
                       "' (only letters, digits, '-' and '.' are allowed)");
      }
    }
  }
  return name;
}

Result<std::string> canonicalUserUri(std::string_view text) {
  std::string_view s = trim(text);
  const std::string shown(s);
  if (s.size() >= 5 && iequals(s.substr(0, 5), "sips:")) {
    return invalid("user URI '" + shown + "' uses sips:; write it as sip:user@domain");
  }
  if (s.size() < 4 || !iequals(s.substr(0, 4), "sip:")) {
    return invalid("user URI '" + shown + "' must start with sip: (as in sip:alice@example.com)");
  }
  s.remove_prefix(4);
  size_t at = s.find('@');
  if (at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) {
    return invalid("user URI '" + shown + "' must have exactly one '@' (sip:user@domain)");
  }
  std::string_view user = s.substr(0, at);
  std::string_view host = s.substr(at + 1);
  if (user.empty()) return invalid("user URI '" + shown + "' has an empty user part");
  if (user.size() > 128)
    return invalid("user URI '" + shown + "' has a user part over 128 characters");
  for (char c : user) {
    if (c == ':') return invalid("user URI '" + shown + "' must not carry a password");
    if (c == '%') return invalid("user URI '" + shown + "' must not contain %-escapes");
    if (!isUserChar(c)) {
      return invalid("user URI '" + shown + "' has '" + std::string(1, c) + "' in its user part");
    }
  }
  if (host.find_first_of(":;?") != std::string_view::npos) {
    return invalid("user URI '" + shown + "' must not have a port, parameters or headers");
  }
  auto domain = canonicalDomain(host);
  if (!domain) return invalid("user URI '" + shown + "': " + domain.error().message);
  return "sip:" + toLower(user) + "@" + *domain;
}

Result<std::string> canonicalLineUri(std::string_view text) {
  std::string_view s = trim(text);
  const std::string shown(s);
  if (s.size() < 5 || !iequals(s.substr(0, 4), "tel:") || s[4] != '+') {
    return invalid("line URI '" + shown + "' must start with tel:+ (as in tel:+14255550100)");
  }
  s.remove_prefix(5);
  size_t digits = 0;
  while (digits < s.size() && isDigit(s[digits])) ++digits;
  if (digits == 0 || digits > 15) {
    return invalid("line URI '" + shown + "' must have 1 to 15 digits after tel:+ (E.164)");
  }
  std::string out = "tel:+" + std::string(s.substr(0, digits));
  s.remove_prefix(digits);
  if (s.empty()) return out;
  if (s.size() < 5 || !iequals(s.substr(0, 5), ";ext=")) {
    return invalid("line URI '" + shown +
                   "' may only continue with ;ext=digits after the number (no separators)");
  }
  s.remove_prefix(5);
  if (s.empty()) return invalid("line URI '" + shown + "' has an empty extension");
  for (char c : s) {
    if (!isDigit(c)) return invalid("line URI '" + shown + "' has a non-digit in its extension");
  }
  return out + ";ext=" + std::string(s);
}

Result<std::string> canonicalAddress(std::string_view text) {
  std::string s(trim(text));
  std::array<unsigned char, 16> bytes{};
  std::array<char, INET6_ADDRSTRLEN> out{};
  if (inet_pton(AF_INET, s.c_str(), bytes.data()) == 1) {
    inet_ntop(AF_INET, bytes.data(), out.data(), out.size());
    return std::string(out.data());
  }
  if (inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1) {
    inet_ntop(AF_INET6, bytes.data(), out.data(), out.size());
    return std::string(out.data());
  }
  return invalid("address '" + s + "' is not a numeric IPv4 or IPv6 address");
}

Result<std::string> checkName(std::string_view what, std::string_view text) {
  std::string_view s = trim(text);
  if (s.empty()) return invalid(std::string(what) + " name is empty");
  if (s.size() > 128) return invalid(std::string(what) + " name is longer than 128 characters");
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      return invalid(std::string(what) + " name contains a control character");
    }
  }
  return std::string(s);
}

std::string_view uriUser(std::string_view canonicalUri) noexcept {
  size_t at = canonicalUri.find('@');
  if (canonicalUri.size() < 4 || at == std::string_view::npos) return {};
  return canonicalUri.substr(4, at - 4);
}

std::string_view uriDomain(std::string_view canonicalUri) noexcept {
  size_t at = canonicalUri.find('@');
  if (at == std::string_view::npos) return {};
  return canonicalUri.substr(at + 1);
}

}  // namespace parley::store
