#include "common/stun/message.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>

#include "common/base/crypto.hpp"
#include "common/stun/integrity.hpp"

namespace parley::stun {

namespace {

constexpr size_t pad4(size_t n) noexcept { return (n + 3) & ~size_t{3}; }

uint16_t get16(const uint8_t* p) noexcept {
  return static_cast<uint16_t>((uint16_t{p[0]} << 8) | p[1]);
}
uint32_t get32(const uint8_t* p) noexcept {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint64_t get64(const uint8_t* p) noexcept {
  return (uint64_t{get32(p)} << 32) | get32(p + 4);
}
void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v));
}
void set16(std::vector<uint8_t>& out, size_t at, uint16_t v) noexcept {
  out[at] = static_cast<uint8_t>(v >> 8);
  out[at + 1] = static_cast<uint8_t>(v);
}

std::string hex16(uint16_t v, int digits) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%0*x", digits, static_cast<unsigned>(v));
  return buf;
}

struct AttributeInfo {
  uint16_t type;
  const char* name;
};

constexpr AttributeInfo kAttributes[] = {
    {attr::MappedAddress, "MAPPED-ADDRESS"},
    {attr::Username, "USERNAME"},
    {attr::MessageIntegrity, "MESSAGE-INTEGRITY"},
    {attr::ErrorCode, "ERROR-CODE"},
    {attr::UnknownAttributes, "UNKNOWN-ATTRIBUTES"},
    {attr::ChannelNumber, "CHANNEL-NUMBER"},
    {attr::Lifetime, "LIFETIME"},
    {attr::XorPeerAddress, "XOR-PEER-ADDRESS"},
    {attr::Data, "DATA"},
    {attr::Realm, "REALM"},
    {attr::Nonce, "NONCE"},
    {attr::XorRelayedAddress, "XOR-RELAYED-ADDRESS"},
    {attr::RequestedAddressFamily, "REQUESTED-ADDRESS-FAMILY"},
    {attr::EvenPort, "EVEN-PORT"},
    {attr::RequestedTransport, "REQUESTED-TRANSPORT"},
    {attr::DontFragment, "DONT-FRAGMENT"},
    {attr::MessageIntegritySha256, "MESSAGE-INTEGRITY-SHA256"},
    {attr::PasswordAlgorithm, "PASSWORD-ALGORITHM"},
    {attr::Userhash, "USERHASH"},
    {attr::XorMappedAddress, "XOR-MAPPED-ADDRESS"},
    {attr::ReservationToken, "RESERVATION-TOKEN"},
    {attr::Priority, "PRIORITY"},
    {attr::UseCandidate, "USE-CANDIDATE"},
    {attr::ConnectionId, "CONNECTION-ID"},
    {attr::AdditionalAddressFamily, "ADDITIONAL-ADDRESS-FAMILY"},
    {attr::AddressErrorCode, "ADDRESS-ERROR-CODE"},
    {attr::PasswordAlgorithms, "PASSWORD-ALGORITHMS"},
    {attr::AlternateDomain, "ALTERNATE-DOMAIN"},
    {attr::Icmp, "ICMP"},
    {attr::Software, "SOFTWARE"},
    {attr::AlternateServer, "ALTERNATE-SERVER"},
    {attr::Fingerprint, "FINGERPRINT"},
    {attr::IceControlled, "ICE-CONTROLLED"},
    {attr::IceControlling, "ICE-CONTROLLING"},
};

const AttributeInfo* infoFor(uint16_t type) noexcept {
  for (const auto& a : kAttributes) {
    if (a.type == type) return &a;
  }
  return nullptr;
}

bool isXorAddress(uint16_t type) noexcept {
  return type == attr::XorMappedAddress || type == attr::XorPeerAddress ||
         type == attr::XorRelayedAddress;
}
bool isAddress(uint16_t type) noexcept {
  return isXorAddress(type) || type == attr::MappedAddress || type == attr::AlternateServer;
}

// The 16 octets an address is XORed with: the cookie, then the transaction id (RFC 8489
// section 14.2; IPv4 and the port use only the cookie's leading octets).
std::array<uint8_t, 16> xorPad(const TransactionId& tid) noexcept {
  std::array<uint8_t, 16> pad{};
  pad[0] = static_cast<uint8_t>(kMagicCookie >> 24);
  pad[1] = static_cast<uint8_t>(kMagicCookie >> 16);
  pad[2] = static_cast<uint8_t>(kMagicCookie >> 8);
  pad[3] = static_cast<uint8_t>(kMagicCookie);
  std::copy(tid.begin(), tid.end(), pad.begin() + 4);
  return pad;
}

// Address attribute value (RFC 8489 sections 14.1/14.2): reserved octet, family, port, IP.
std::optional<SocketAddress> parseAddress(std::span<const uint8_t> v, bool xored,
                                          const TransactionId& tid) {
  if (v.size() < 4) return std::nullopt;
  SocketAddress a;
  size_t ipLen = 0;
  if (v[1] == 0x01) {
    a.family = AddressFamily::IPv4;
    ipLen = 4;
  } else if (v[1] == 0x02) {
    a.family = AddressFamily::IPv6;
    ipLen = 16;
  } else {
    return std::nullopt;
  }
  if (v.size() != 4 + ipLen) return std::nullopt;
  auto pad = xorPad(tid);
  a.port = get16(v.data() + 2);
  if (xored) a.port ^= static_cast<uint16_t>(kMagicCookie >> 16);
  for (size_t i = 0; i < ipLen; ++i) {
    a.ip[i] = static_cast<uint8_t>(v[4 + i] ^ (xored ? pad[i] : 0));
  }
  return a;
}

std::vector<uint8_t> formatAddress(const SocketAddress& a, bool xored, const TransactionId& tid) {
  std::vector<uint8_t> v;
  size_t ipLen = a.family == AddressFamily::IPv6 ? 16 : 4;
  v.push_back(0);
  v.push_back(static_cast<uint8_t>(a.family));
  put16(v, xored ? static_cast<uint16_t>(a.port ^ (kMagicCookie >> 16)) : a.port);
  auto pad = xorPad(tid);
  for (size_t i = 0; i < ipLen; ++i) {
    v.push_back(static_cast<uint8_t>(a.ip[i] ^ (xored ? pad[i] : 0)));
  }
  return v;
}

// ERROR-CODE (RFC 8489 section 14.8): 21 reserved bits, class (3 bits, 3..6), number
// (0..99), reason phrase. ADDRESS-ERROR-CODE has the family in the first octet.
std::optional<std::pair<int, std::string>> parseCode(std::span<const uint8_t> v) {
  if (v.size() < 4) return std::nullopt;
  int cls = v[2] & 0x07;
  int number = v[3];
  if (cls < 3 || cls > 6 || number > 99) return std::nullopt;
  return std::make_pair(cls * 100 + number, std::string(v.begin() + 4, v.end()));
}

// PASSWORD-ALGORITHM entries: algorithm, parameters length, parameters padded to 4.
// Returns the octets consumed, or 0 if malformed. `last` allows the final entry's padding
// to be omitted (the attribute's own padding then supplies it).
size_t parseAlgorithm(std::span<const uint8_t> v, PasswordAlgorithmValue& out, bool last) {
  if (v.size() < 4) return 0;
  out.algorithm = get16(v.data());
  size_t len = get16(v.data() + 2);
  if (4 + len > v.size()) return 0;
  out.parameters.assign(v.begin() + 4, v.begin() + 4 + static_cast<ptrdiff_t>(len));
  size_t used = 4 + pad4(len);
  if (used > v.size()) {
    if (!last) return 0;
    used = v.size();
  }
  return used;
}

void formatAlgorithm(std::vector<uint8_t>& v, const PasswordAlgorithmValue& a) {
  put16(v, a.algorithm);
  size_t len = std::min<size_t>(a.parameters.size(), 0xFFFF);
  put16(v, static_cast<uint16_t>(len));
  v.insert(v.end(), a.parameters.begin(), a.parameters.begin() + static_cast<ptrdiff_t>(len));
  while (v.size() % 4 != 0) v.push_back(0);
}

std::optional<std::vector<PasswordAlgorithmValue>> parseAlgorithms(std::span<const uint8_t> v) {
  std::vector<PasswordAlgorithmValue> out;
  while (!v.empty()) {
    PasswordAlgorithmValue a;
    size_t used = parseAlgorithm(v, a, true);
    if (used == 0) return std::nullopt;
    out.push_back(std::move(a));
    v = v.subspan(used);
  }
  return out;
}

// Validates the value of a known attribute; "" if fine, else what is wrong.
std::string checkValue(uint16_t type, std::span<const uint8_t> v) {
  size_t n = v.size();
  auto exact = [&](size_t want) {
    return n == want ? std::string() : "length " + std::to_string(n) + ", expected " +
                                           std::to_string(want);
  };
  auto atMost = [&](size_t max) {
    return n <= max ? std::string() : "longer than " + std::to_string(max) + " octets";
  };
  TransactionId zero{};
  switch (type) {
    case attr::MappedAddress:
    case attr::AlternateServer:
    case attr::XorMappedAddress:
    case attr::XorPeerAddress:
    case attr::XorRelayedAddress:
      return parseAddress(v, false, zero) ? std::string() : "not an IPv4 or IPv6 address";
    // Text attributes: RFC 8489 bounds (USERNAME < 509 octets; REALM, NONCE, SOFTWARE
    // < 128 characters = at most 763 octets), kept at RFC 5389's 513 for USERNAME.
    case attr::Username: return atMost(512);
    case attr::Realm:
    case attr::Nonce:
    case attr::Software: return atMost(763);
    case attr::AlternateDomain: return atMost(255);
    case attr::Userhash: return exact(32);
    case attr::MessageIntegrity: return exact(20);
    case attr::MessageIntegritySha256:
      return (n >= 16 && n <= 32 && n % 4 == 0) ? std::string()
                                                 : "length must be 16-32 and a multiple of 4";
    case attr::Fingerprint: return exact(4);
    case attr::ErrorCode:
      if (n > 4 + 763) return atMost(4 + 763);
      return parseCode(v) ? std::string() : "class must be 3-6 and number 0-99";
    case attr::AddressErrorCode:
      if (n > 4 + 763) return atMost(4 + 763);
      if (n >= 1 && v[0] != 0x01 && v[0] != 0x02) return "unknown address family";
      return parseCode(v) ? std::string() : "class must be 3-6 and number 0-99";
    case attr::UnknownAttributes:
      return n % 2 == 0 ? std::string() : "odd length";
    case attr::PasswordAlgorithm: {
      PasswordAlgorithmValue a;
      size_t used = parseAlgorithm(v, a, true);
      return used != 0 && used == n ? std::string() : "malformed algorithm entry";
    }
    case attr::PasswordAlgorithms:
      return parseAlgorithms(v) ? std::string() : "malformed algorithm list";
    case attr::Priority:
    case attr::Lifetime:
    case attr::ConnectionId:
    case attr::ChannelNumber:
    case attr::RequestedTransport:
    case attr::RequestedAddressFamily:
    case attr::AdditionalAddressFamily: return exact(4);
    case attr::IceControlled:
    case attr::IceControlling:
    case attr::ReservationToken:
    case attr::Icmp: return exact(8);
    case attr::UseCandidate:
    case attr::DontFragment: return exact(0);
    case attr::EvenPort: return exact(1);
    case attr::Data: return {};
    default: return {};
  }
}

Error malformed(std::string what) { return makeError(400, std::move(what)); }

}  // namespace

bool isKnownAttribute(uint16_t type) noexcept { return infoFor(type) != nullptr; }

std::string attributeName(uint16_t type) {
  if (const auto* i = infoFor(type)) return i->name;
  return hex16(type, 4);
}

std::string methodName(Method method) {
  switch (method) {
    case Method::Binding: return "Binding";
    case Method::Allocate: return "Allocate";
    case Method::Refresh: return "Refresh";
    case Method::Send: return "Send";
    case Method::Data: return "Data";
    case Method::CreatePermission: return "CreatePermission";
    case Method::ChannelBind: return "ChannelBind";
    case Method::Connect: return "Connect";
    case Method::ConnectionBind: return "ConnectionBind";
    case Method::ConnectionAttempt: return "ConnectionAttempt";
  }
  return hex16(static_cast<uint16_t>(method), 3);
}

std::string_view className(MessageClass cls) noexcept {
  switch (cls) {
    case MessageClass::Request: return "request";
    case MessageClass::Indication: return "indication";
    case MessageClass::SuccessResponse: return "success response";
    case MessageClass::ErrorResponse: return "error response";
  }
  return "?";
}

std::string_view defaultReason(int code) noexcept {
  switch (code) {
    case 300: return "Try Alternate";
    case 400: return "Bad Request";
    case 401: return "Unauthenticated";
    case 403: return "Forbidden";
    case 405: return "Mobility Forbidden";
    case 420: return "Unknown Attribute";
    case 437: return "Allocation Mismatch";
    case 438: return "Stale Nonce";
    case 440: return "Address Family not Supported";
    case 441: return "Wrong Credentials";
    case 442: return "Unsupported Transport Protocol";
    case 443: return "Peer Address Family Mismatch";
    case 446: return "Connection Already Exists";
    case 447: return "Connection Timeout or Failure";
    case 486: return "Allocation Quota Reached";
    case 487: return "Role Conflict";
    case 500: return "Server Error";
    case 508: return "Insufficient Capacity";
    default: return "";
  }
}

// ---------------------------------------------------------------------------------------
// SocketAddress

std::optional<SocketAddress> SocketAddress::parse(std::string_view ipText, uint16_t port) {
  std::string s(ipText);
  SocketAddress a;
  a.port = port;
  if (inet_pton(AF_INET, s.c_str(), a.ip.data()) == 1) {
    a.family = AddressFamily::IPv4;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.ip.data()) == 1) {
    a.family = AddressFamily::IPv6;
    return a;
  }
  return std::nullopt;
}

std::string SocketAddress::ipString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  int af = family == AddressFamily::IPv6 ? AF_INET6 : AF_INET;
  if (inet_ntop(af, ip.data(), buf, sizeof buf) == nullptr) return "?";
  return buf;
}

std::string SocketAddress::toString() const {
  if (family == AddressFamily::IPv6) return "[" + ipString() + "]:" + std::to_string(port);
  return ipString() + ":" + std::to_string(port);
}

// ---------------------------------------------------------------------------------------
// Message: raw access

const Attribute* Message::find(uint16_t type) const noexcept {
  for (const auto& a : attributes) {
    if (a.type == type) return &a;
  }
  return nullptr;
}

std::vector<const Attribute*> Message::findAll(uint16_t type) const {
  std::vector<const Attribute*> out;
  for (const auto& a : attributes) {
    if (a.type == type) out.push_back(&a);
  }
  return out;
}

Attribute& Message::add(uint16_t type, std::span<const uint8_t> value) {
  attributes.push_back(Attribute{type, std::vector<uint8_t>(value.begin(), value.end()), {}});
  return attributes.back();
}

Attribute& Message::add(uint16_t type, std::string_view value) {
  const auto* p = reinterpret_cast<const uint8_t*>(value.data());
  return add(type, std::span<const uint8_t>(p, value.size()));
}

size_t Message::remove(uint16_t type) {
  auto before = attributes.size();
  std::erase_if(attributes, [type](const Attribute& a) { return a.type == type; });
  return before - attributes.size();
}

// ---------------------------------------------------------------------------------------
// Message: typed accessors

std::optional<SocketAddress> Message::address(uint16_t type) const {
  const auto* a = find(type);
  if (a == nullptr || !isAddress(type)) return std::nullopt;
  return parseAddress(a->value, isXorAddress(type), transactionId);
}

std::vector<SocketAddress> Message::addresses(uint16_t type) const {
  std::vector<SocketAddress> out;
  if (!isAddress(type)) return out;
  for (const auto* a : findAll(type)) {
    if (auto s = parseAddress(a->value, isXorAddress(type), transactionId)) out.push_back(*s);
  }
  return out;
}

std::optional<std::string> Message::text(uint16_t type) const {
  const auto* a = find(type);
  if (a == nullptr) return std::nullopt;
  return std::string(a->value.begin(), a->value.end());
}

std::optional<uint32_t> Message::u32(uint16_t type) const {
  const auto* a = find(type);
  if (a == nullptr || a->value.size() != 4) return std::nullopt;
  return get32(a->value.data());
}

std::optional<uint64_t> Message::u64(uint16_t type) const {
  const auto* a = find(type);
  if (a == nullptr || a->value.size() != 8) return std::nullopt;
  return get64(a->value.data());
}

std::optional<ErrorCodeValue> Message::errorCode() const {
  const auto* a = find(attr::ErrorCode);
  if (a == nullptr) return std::nullopt;
  auto c = parseCode(a->value);
  if (!c) return std::nullopt;
  return ErrorCodeValue{c->first, std::move(c->second)};
}

std::optional<std::vector<uint16_t>> Message::unknownAttributes() const {
  const auto* a = find(attr::UnknownAttributes);
  if (a == nullptr || a->value.size() % 2 != 0) return std::nullopt;
  std::vector<uint16_t> out;
  for (size_t i = 0; i + 1 < a->value.size(); i += 2) out.push_back(get16(a->value.data() + i));
  return out;
}

std::optional<uint16_t> Message::channelNumber() const {
  const auto* a = find(attr::ChannelNumber);
  if (a == nullptr || a->value.size() != 4) return std::nullopt;
  return get16(a->value.data());
}

std::optional<uint8_t> Message::requestedTransport() const {
  const auto* a = find(attr::RequestedTransport);
  if (a == nullptr || a->value.size() != 4) return std::nullopt;
  return a->value[0];
}

std::optional<uint8_t> Message::addressFamily(uint16_t type) const {
  if (type != attr::RequestedAddressFamily && type != attr::AdditionalAddressFamily) {
    return std::nullopt;
  }
  const auto* a = find(type);
  if (a == nullptr || a->value.size() != 4) return std::nullopt;
  return a->value[0];
}

std::optional<bool> Message::evenPort() const {
  const auto* a = find(attr::EvenPort);
  if (a == nullptr || a->value.size() != 1) return std::nullopt;
  return (a->value[0] & 0x80) != 0;
}

std::optional<AddressErrorCodeValue> Message::addressErrorCode() const {
  const auto* a = find(attr::AddressErrorCode);
  if (a == nullptr || a->value.empty() || (a->value[0] != 0x01 && a->value[0] != 0x02)) {
    return std::nullopt;
  }
  auto c = parseCode(a->value);
  if (!c) return std::nullopt;
  return AddressErrorCodeValue{static_cast<AddressFamily>(a->value[0]), c->first,
                               std::move(c->second)};
}

std::optional<IcmpValue> Message::icmp() const {
  const auto* a = find(attr::Icmp);
  if (a == nullptr || a->value.size() != 8) return std::nullopt;
  return IcmpValue{a->value[2], a->value[3], get32(a->value.data() + 4)};
}

std::optional<PasswordAlgorithmValue> Message::passwordAlgorithm() const {
  const auto* a = find(attr::PasswordAlgorithm);
  if (a == nullptr) return std::nullopt;
  PasswordAlgorithmValue v;
  size_t used = parseAlgorithm(a->value, v, true);
  if (used == 0 || used != a->value.size()) return std::nullopt;
  return v;
}

std::optional<std::vector<PasswordAlgorithmValue>> Message::passwordAlgorithms() const {
  const auto* a = find(attr::PasswordAlgorithms);
  if (a == nullptr) return std::nullopt;
  return parseAlgorithms(a->value);
}

std::optional<std::span<const uint8_t>> Message::data() const {
  const auto* a = find(attr::Data);
  if (a == nullptr) return std::nullopt;
  return std::span<const uint8_t>(a->value);
}

// ---------------------------------------------------------------------------------------
// Message: typed adders

Attribute& Message::addAddress(uint16_t type, const SocketAddress& address) {
  return add(type, formatAddress(address, isXorAddress(type), transactionId));
}

Attribute& Message::addU32(uint16_t type, uint32_t value) {
  std::vector<uint8_t> v;
  put32(v, value);
  return add(type, v);
}

Attribute& Message::addU64(uint16_t type, uint64_t value) {
  std::vector<uint8_t> v;
  put32(v, static_cast<uint32_t>(value >> 32));
  put32(v, static_cast<uint32_t>(value));
  return add(type, v);
}

Attribute& Message::addFlag(uint16_t type) { return add(type, std::span<const uint8_t>()); }

Attribute& Message::addErrorCode(int code, std::string_view reason) {
  std::vector<uint8_t> v{0, 0, static_cast<uint8_t>((code / 100) & 0x07),
                         static_cast<uint8_t>(code % 100)};
  if (reason.empty()) reason = defaultReason(code);
  v.insert(v.end(), reason.begin(), reason.end());
  return add(attr::ErrorCode, v);
}

Attribute& Message::addUnknownAttributes(std::span<const uint16_t> types) {
  std::vector<uint8_t> v;
  for (auto t : types) put16(v, t);
  return add(attr::UnknownAttributes, v);
}

Attribute& Message::addChannelNumber(uint16_t channel) {
  std::vector<uint8_t> v;
  put16(v, channel);
  put16(v, 0);  // RFFU
  return add(attr::ChannelNumber, v);
}

Attribute& Message::addRequestedTransport(uint8_t protocol) {
  std::vector<uint8_t> v{protocol, 0, 0, 0};
  return add(attr::RequestedTransport, v);
}

Attribute& Message::addAddressFamily(uint16_t type, AddressFamily family) {
  std::vector<uint8_t> v{static_cast<uint8_t>(family), 0, 0, 0};
  return add(type, v);
}

Attribute& Message::addEvenPort(bool reserveNext) {
  std::vector<uint8_t> v{static_cast<uint8_t>(reserveNext ? 0x80 : 0x00)};
  return add(attr::EvenPort, v);
}

Attribute& Message::addAddressErrorCode(const AddressErrorCodeValue& value) {
  std::vector<uint8_t> v{static_cast<uint8_t>(value.family), 0,
                         static_cast<uint8_t>((value.code / 100) & 0x07),
                         static_cast<uint8_t>(value.code % 100)};
  std::string_view reason = value.reason.empty() ? defaultReason(value.code) : value.reason;
  v.insert(v.end(), reason.begin(), reason.end());
  return add(attr::AddressErrorCode, v);
}

Attribute& Message::addIcmp(const IcmpValue& value) {
  std::vector<uint8_t> v{0, 0, value.type, value.code};
  put32(v, value.errorData);
  return add(attr::Icmp, v);
}

Attribute& Message::addPasswordAlgorithm(const PasswordAlgorithmValue& value) {
  std::vector<uint8_t> v;
  formatAlgorithm(v, value);
  return add(attr::PasswordAlgorithm, v);
}

Attribute& Message::addPasswordAlgorithms(std::span<const PasswordAlgorithmValue> values) {
  std::vector<uint8_t> v;
  for (const auto& a : values) formatAlgorithm(v, a);
  return add(attr::PasswordAlgorithms, v);
}

// ---------------------------------------------------------------------------------------
// Decoding

Result<Header> peekHeader(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderSize) return malformed("shorter than a STUN header (20 octets)");
  if ((bytes[0] & 0xC0) != 0) return malformed("first two bits of a STUN message must be zero");
  if (get32(bytes.data() + 4) != kMagicCookie) {
    return malformed("magic cookie is not 0x2112A442 (RFC 3489 messages are not supported)");
  }
  Header h;
  uint16_t type = get16(bytes.data());
  h.method = methodOf(type);
  h.cls = classOf(type);
  h.length = get16(bytes.data() + 2);
  if (h.length % 4 != 0) return malformed("message length is not a multiple of 4");
  std::copy(bytes.begin() + 8, bytes.begin() + 20, h.transactionId.begin());
  return h;
}

bool looksLikeStun(std::span<const uint8_t> bytes) noexcept {
  return bytes.size() >= kHeaderSize && (bytes[0] & 0xC0) == 0 &&
         get32(bytes.data() + 4) == kMagicCookie && get16(bytes.data() + 2) % 4 == 0 &&
         get16(bytes.data() + 2) + kHeaderSize == bytes.size();
}

Result<Message> decode(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  auto header = peekHeader(bytes);
  if (!header) return header.error();
  if (header->length + kHeaderSize != bytes.size()) {
    return malformed("header length " + std::to_string(header->length) + " does not match the " +
                     std::to_string(bytes.size() - kHeaderSize) + " attribute octets received");
  }
  Message m;
  m.method = header->method;
  m.cls = header->cls;
  m.transactionId = header->transactionId;

  // After MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT count; after
  // MESSAGE-INTEGRITY-SHA256 only FINGERPRINT (RFC 8489 sections 14.5, 14.6).
  enum class Stage { Open, AfterMi, AfterMiSha256, AfterFingerprint };
  Stage stage = Stage::Open;
  size_t pos = kHeaderSize;
  while (pos < bytes.size()) {
    if (bytes.size() - pos < 4) return malformed("truncated attribute header");
    uint16_t type = get16(bytes.data() + pos);
    size_t len = get16(bytes.data() + pos + 2);
    size_t padded = pad4(len);
    if (padded > bytes.size() - pos - 4) {
      return malformed(attributeName(type) + " runs past the end of the message");
    }
    auto value = bytes.subspan(pos + 4, len);
    auto padding = bytes.subspan(pos + 4 + len, padded - len);
    pos += 4 + padded;

    if (stage == Stage::AfterFingerprint) return malformed("FINGERPRINT is not the last attribute");
    bool keep = true;
    if (type == attr::Fingerprint) {
      stage = Stage::AfterFingerprint;
    } else if (stage == Stage::AfterMiSha256) {
      keep = false;
    } else if (stage == Stage::AfterMi) {
      keep = type == attr::MessageIntegritySha256;
      if (keep) stage = Stage::AfterMiSha256;
    } else if (type == attr::MessageIntegrity) {
      stage = Stage::AfterMi;
    } else if (type == attr::MessageIntegritySha256) {
      stage = Stage::AfterMiSha256;
    }
    if (!keep) continue;

    if (isKnownAttribute(type)) {
      std::string problem = checkValue(type, value);
      if (!problem.empty()) return malformed("invalid " + attributeName(type) + ": " + problem);
    } else if (isComprehensionRequired(type)) {
      if (std::find(m.unknownComprehensionRequired.begin(), m.unknownComprehensionRequired.end(),
                    type) == m.unknownComprehensionRequired.end()) {
        m.unknownComprehensionRequired.push_back(type);
      }
    }
    m.attributes.push_back(Attribute{type, std::vector<uint8_t>(value.begin(), value.end()),
                                     std::vector<uint8_t>(padding.begin(), padding.end())});
  }
  if (options.rejectUnknownComprehensionRequired && !m.unknownComprehensionRequired.empty()) {
    std::string names;
    for (auto t : m.unknownComprehensionRequired) names += (names.empty() ? "" : ", ") + hex16(t, 4);
    return makeError(420, "unknown comprehension-required attribute(s): " + names);
  }
  return m;
}

// ---------------------------------------------------------------------------------------
// Encoding

namespace {

size_t attributesSize(const Message& message) {
  size_t n = 0;
  for (const auto& a : message.attributes) n += 4 + pad4(a.value.size());
  return n;
}

size_t integritySize(const IntegrityOptions& o) {
  return (o.messageIntegrity ? 24 : 0) + (o.messageIntegritySha256 ? 4 + o.sha256Length : 0) +
         (o.fingerprint ? 8 : 0);
}

void appendAttribute(std::vector<uint8_t>& out, uint16_t type, std::span<const uint8_t> value,
                     std::span<const uint8_t> padding) {
  put16(out, type);
  put16(out, static_cast<uint16_t>(value.size()));
  out.insert(out.end(), value.begin(), value.end());
  size_t need = pad4(value.size()) - value.size();
  for (size_t i = 0; i < need; ++i) out.push_back(i < padding.size() ? padding[i] : 0);
}

std::span<const uint8_t> asBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
std::string_view asView(const std::vector<uint8_t>& v) {
  return {reinterpret_cast<const char*>(v.data()), v.size()};
}

}  // namespace

size_t encodedSize(const Message& message, const IntegrityOptions& options) {
  return kHeaderSize + attributesSize(message) + integritySize(options);
}

std::vector<uint8_t> encode(const Message& message, const IntegrityOptions& options) {
  if (options.messageIntegritySha256 &&
      (options.sha256Length < 16 || options.sha256Length > 32 || options.sha256Length % 4 != 0)) {
    return {};
  }
  for (const auto& a : message.attributes) {
    if (a.value.size() > 0xFFFF) return {};
  }
  size_t total = encodedSize(message, options);
  if (total > kMaxMessageSize) return {};

  std::vector<uint8_t> out;
  out.reserve(total);
  put16(out, message.type());
  put16(out, 0);  // length, set below
  put32(out, kMagicCookie);
  out.insert(out.end(), message.transactionId.begin(), message.transactionId.end());
  for (const auto& a : message.attributes) appendAttribute(out, a.type, a.value, a.padding);

  // Each integrity attribute is computed with the length field counting up to and including
  // itself (RFC 8489 sections 14.5-14.7).
  if (options.messageIntegrity) {
    set16(out, 2, static_cast<uint16_t>(out.size() + 24 - kHeaderSize));
    std::string mac = crypto::hmacSha1(options.key, asView(out));
    appendAttribute(out, attr::MessageIntegrity, asBytes(mac), {});
  }
  if (options.messageIntegritySha256) {
    set16(out, 2, static_cast<uint16_t>(out.size() + 4 + options.sha256Length - kHeaderSize));
    std::string mac = crypto::hmacSha256(options.key, asView(out));
    mac.resize(options.sha256Length);
    appendAttribute(out, attr::MessageIntegritySha256, asBytes(mac), {});
  }
  if (options.fingerprint) {
    set16(out, 2, static_cast<uint16_t>(out.size() + 8 - kHeaderSize));
    uint32_t fp = crc32(out) ^ kFingerprintXor;
    std::vector<uint8_t> v;
    put32(v, fp);
    appendAttribute(out, attr::Fingerprint, v, {});
  }
  set16(out, 2, static_cast<uint16_t>(out.size() - kHeaderSize));
  return out;
}

void stripIntegrity(Message& message) {
  message.remove(attr::MessageIntegrity);
  message.remove(attr::MessageIntegritySha256);
  message.remove(attr::Fingerprint);
}

Message makeResponse(const Message& request, MessageClass cls) {
  Message r;
  r.method = request.method;
  r.cls = cls;
  r.transactionId = request.transactionId;
  return r;
}

Message makeErrorResponse(const Message& request, int code, std::string_view reason) {
  Message r = makeResponse(request, MessageClass::ErrorResponse);
  r.addErrorCode(code, reason);
  return r;
}

Message makeUnknownAttributesResponse(const Message& request) {
  Message r = makeErrorResponse(request, 420);
  r.addUnknownAttributes(request.unknownComprehensionRequired);
  return r;
}

}  // namespace parley::stun
