// `parleyctl inspect stun FILE`: a STUN/TURN message as JSON, with its integrity checks.
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "common/base/strings.hpp"
#include "common/stun/integrity.hpp"
#include "common/stun/message.hpp"
#include "tools/parleyctl/inspect.hpp"
#include "tools/parleyctl/input_file.hpp"

namespace parley::tools {

namespace {

using json = nlohmann::ordered_json;
namespace stun = parley::stun;

std::string hex(std::span<const uint8_t> b) {
  return toHex(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

std::string hex16(uint16_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) s.push_back(kDigits[(v >> shift) & 0xF]);
  return s;
}

// STUN text attributes should be UTF-8 but come from the network; nlohmann throws on invalid
// UTF-8 when dumping, so invalid octets are shown as U+FFFD.
std::string text(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len != 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string familyName(uint8_t f) {
  return f == 0x01 ? "IPv4" : f == 0x02 ? "IPv6" : "unknown (" + std::to_string(f) + ")";
}

std::string algorithmName(uint16_t a) {
  return a == stun::kPasswordAlgorithmMd5      ? "MD5"
         : a == stun::kPasswordAlgorithmSha256 ? "SHA-256"
                                               : hex16(a);
}

json algorithmJson(const stun::PasswordAlgorithmValue& a) {
  json j{{"algorithm", algorithmName(a.algorithm)}};
  if (!a.parameters.empty()) j["parameters"] = hex(a.parameters);
  return j;
}

// The typed value of one attribute (the message was decoded, so known values are valid).
json valueJson(const stun::Message& m, const stun::Attribute& a) {
  namespace at = stun::attr;
  // Typed accessors read the first occurrence; build a one-attribute message for this one.
  stun::Message one;
  one.transactionId = m.transactionId;
  one.attributes.push_back(a);
  switch (a.type) {
    case at::MappedAddress:
    case at::AlternateServer:
    case at::XorMappedAddress:
    case at::XorPeerAddress:
    case at::XorRelayedAddress: {
      auto addr = one.address(a.type);
      if (!addr) break;
      return json{{"family", familyName(static_cast<uint8_t>(addr->family))},
                  {"address", addr->ipString()},
                  {"port", addr->port}};
    }
    case at::Username:
    case at::Realm:
    case at::Nonce:
    case at::Software:
    case at::AlternateDomain:
      return text(std::string_view(reinterpret_cast<const char*>(a.value.data()), a.value.size()));
    case at::Priority:
    case at::Lifetime:
    case at::ConnectionId:
      if (auto v = one.u32(a.type)) return *v;
      break;
    case at::IceControlled:
    case at::IceControlling:
    case at::ReservationToken: return hex(a.value);
    case at::ErrorCode:
      if (auto e = one.errorCode()) return json{{"code", e->code}, {"reason", text(e->reason)}};
      break;
    case at::AddressErrorCode:
      if (auto e = one.addressErrorCode()) {
        return json{{"family", familyName(static_cast<uint8_t>(e->family))},
                    {"code", e->code},
                    {"reason", text(e->reason)}};
      }
      break;
    case at::UnknownAttributes:
      if (auto list = one.unknownAttributes()) {
        json arr = json::array();
        for (auto t : *list) arr.push_back(stun::attributeName(t));
        return arr;
      }
      break;
    case at::ChannelNumber:
      if (auto c = one.channelNumber()) return hex16(*c);
      break;
    case at::RequestedTransport:
      if (auto p = one.requestedTransport()) {
        return json{{"protocol", *p},
                    {"name", *p == stun::kTransportUdp   ? "UDP"
                             : *p == stun::kTransportTcp ? "TCP"
                                                         : "other"}};
      }
      break;
    case at::RequestedAddressFamily:
    case at::AdditionalAddressFamily:
      if (auto f = one.addressFamily(a.type)) return familyName(*f);
      break;
    case at::EvenPort:
      if (auto r = one.evenPort()) return json{{"reserveNext", *r}};
      break;
    case at::Icmp:
      if (auto i = one.icmp()) {
        return json{{"type", i->type}, {"code", i->code}, {"errorData", i->errorData}};
      }
      break;
    case at::PasswordAlgorithm:
      if (auto p = one.passwordAlgorithm()) return algorithmJson(*p);
      break;
    case at::PasswordAlgorithms:
      if (auto list = one.passwordAlgorithms()) {
        json arr = json::array();
        for (const auto& p : *list) arr.push_back(algorithmJson(p));
        return arr;
      }
      break;
    case at::UseCandidate:
    case at::DontFragment: return true;
    default: break;
  }
  return hex(a.value);
}

json headerJson(const stun::Message& m, size_t size) {
  return json{{"type", hex16(m.type())},
              {"method", stun::methodName(m.method)},
              {"class", std::string(stun::className(m.cls))},
              {"length", size - stun::kHeaderSize},
              {"magicCookie", "0x2112a442"},
              {"transactionId", hex(m.transactionId)}};
}

struct Input {
  std::vector<uint8_t> bytes;
  std::string format;
  std::string error;  // not hex and not binary STUN: why
};

// Hex when every non-space character is a hex digit (a binary STUN message starts with
// 0x00-0x03, which is never a hex digit), else binary.
Input classify(const std::string& raw) {
  Input in;
  std::string digits;
  bool isHex = true;
  for (char c : raw) {
    auto u = static_cast<unsigned char>(c);
    if (std::isspace(u)) continue;
    if (!std::isxdigit(u)) {
      isHex = false;
      break;
    }
    digits.push_back(c);
  }
  if (isHex && !digits.empty()) {
    in.format = "hex";
    if (digits.size() % 2 != 0) {
      in.error = "odd number of hex digits";
      return in;
    }
    for (size_t i = 0; i < digits.size(); i += 2) {
      in.bytes.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
    }
    return in;
  }
  in.format = "binary";
  in.bytes.assign(raw.begin(), raw.end());
  return in;
}

}  // namespace

int inspectStunFile(const std::string& path, const StunCredentials& credentials,
                    std::ostream& out, std::ostream& err) {
  auto file = readInputFile(path, err);
  if (!file) return 2;
  const std::string& raw = *file;

  Input in = classify(raw);
  if (!in.error.empty()) {
    out << "rejected: " << in.error << "\n";
    return 1;
  }
  // Decode leniently so an unknown comprehension-required attribute is shown, then failed.
  auto decoded = stun::decode(in.bytes, {.rejectUnknownComprehensionRequired = false});
  if (!decoded) {
    out << "rejected: " << decoded.error().code << " " << decoded.error().message << "\n";
    return 1;
  }
  const stun::Message& m = *decoded;
  std::vector<std::string> failures;

  json attrs = json::array();
  for (const auto& a : m.attributes) {
    json j{{"type", hex16(a.type)}, {"name", stun::attributeName(a.type)}, {"length", a.value.size()}};
    j["value"] = valueJson(m, a);
    attrs.push_back(std::move(j));
  }
  json doc{{"format", in.format}, {"size", in.bytes.size()}, {"header", headerJson(m, in.bytes.size())},
           {"attributes", std::move(attrs)}};
  if (!m.unknownComprehensionRequired.empty()) {
    json list = json::array();
    for (auto t : m.unknownComprehensionRequired) list.push_back(hex16(t));
    doc["unknownComprehensionRequired"] = std::move(list);
    failures.push_back("unknown comprehension-required attribute(s): a server answers 420");
  }

  // The key: short-term without a realm, long-term with one (RFC 8489 section 9).
  json checks = json::object();
  std::optional<std::string> key;
  std::string keyKind;
  std::string keyProblem;
  bool wantsKey = m.has(stun::attr::MessageIntegrity) || m.has(stun::attr::MessageIntegritySha256);
  if (wantsKey && !credentials.password.empty()) {
    if (credentials.realm.empty()) {
      auto k = stun::shortTermKey(credentials.password);
      if (k) {
        key = *k;
        keyKind = "short-term";
      } else {
        keyProblem = k.error().message;
      }
    } else {
      std::string username = credentials.username;
      if (username.empty()) username = m.text(stun::attr::Username).value_or("");
      uint16_t algorithm = stun::kPasswordAlgorithmMd5;
      if (auto p = m.passwordAlgorithm()) algorithm = p->algorithm;
      if (username.empty()) {
        keyProblem = "no --username and no USERNAME in the message";
      } else {
        auto k = stun::longTermKey(username, credentials.realm, credentials.password, algorithm);
        if (k) {
          key = *k;
          keyKind = "long-term " + algorithmName(algorithm);
        } else {
          keyProblem = k.error().message;
        }
      }
    }
  } else if (wantsKey) {
    keyProblem = "no --password given";
  }

  auto integrityCheck = [&](const char* name, uint16_t type, auto checkFn) {
    if (!m.has(type)) return;
    json c{{"present", true}};
    if (key) {
      auto r = checkFn(std::span<const uint8_t>(in.bytes), *key);
      c["key"] = keyKind;
      c["result"] = std::string(stun::toString(r));
      if (r != stun::Check::Valid) {
        failures.push_back(std::string(name) + " does not verify with the " + keyKind + " key");
      }
    } else {
      c["result"] = "not checked: " + keyProblem;
      // Credentials were given but no key could be made from them: that is a failure.
      if (!credentials.password.empty()) failures.push_back(std::string(name) + " not checked: " + keyProblem);
    }
    checks[name] = std::move(c);
  };
  integrityCheck("MESSAGE-INTEGRITY", stun::attr::MessageIntegrity, stun::checkMessageIntegrity);
  integrityCheck("MESSAGE-INTEGRITY-SHA256", stun::attr::MessageIntegritySha256,
                 stun::checkMessageIntegritySha256);
  if (m.has(stun::attr::Fingerprint)) {
    auto r = stun::checkFingerprint(in.bytes);
    checks["FINGERPRINT"] = json{{"present", true}, {"result", std::string(stun::toString(r))}};
    if (r != stun::Check::Valid) failures.push_back("FINGERPRINT does not verify");
  }
  doc["checks"] = std::move(checks);
  out << doc.dump(2) << "\n";
  for (const auto& f : failures) out << "failed: " << f << "\n";
  return failures.empty() ? 0 : 1;
}

}  // namespace parley::tools
