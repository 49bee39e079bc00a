#pragma once
// STUN message model, decoder and encoder (RFC 8489; RFC 5389 clients share the format),
// with the attributes of ICE (RFC 8445), TURN (RFC 8656) and TURN-TCP (RFC 6062).
//
// Sans-I/O: bytes in, a Message or an Error out; a Message (plus integrity options) in,
// bytes out. Nothing here throws on network input. Error::code is the STUN error code a
// server should answer with (400 malformed, 420 unknown comprehension-required attribute).
//
// Attributes are kept as raw TLVs in wire order (including the padding octets they arrived
// with, so a decoded message re-encodes byte-identically and its MESSAGE-INTEGRITY still
// verifies); typed accessors and adders interpret them. decode() validates the value of
// every attribute type it knows, so the typed accessors of a decoded message only return
// nullopt when the attribute is absent.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

namespace parley::stun {

inline constexpr uint32_t kMagicCookie = 0x2112A442;
inline constexpr size_t kHeaderSize = 20;
inline constexpr size_t kMaxMessageSize = kHeaderSize + 0xFFFF;  // 16-bit length field

// Methods (12 bits). Values other than these decode too; the server decides (400).
enum class Method : uint16_t {
  Binding = 0x001,
  Allocate = 0x003,           // RFC 8656
  Refresh = 0x004,
  Send = 0x006,
  Data = 0x007,
  CreatePermission = 0x008,
  ChannelBind = 0x009,
  Connect = 0x00A,            // RFC 6062
  ConnectionBind = 0x00B,
  ConnectionAttempt = 0x00C,
};

enum class MessageClass : uint8_t {
  Request = 0,
  Indication = 1,
  SuccessResponse = 2,
  ErrorResponse = 3,
};

// Attribute types. 0x0000-0x7FFF are comprehension-required, 0x8000-0xFFFF optional.
namespace attr {
inline constexpr uint16_t MappedAddress = 0x0001;
inline constexpr uint16_t Username = 0x0006;
inline constexpr uint16_t MessageIntegrity = 0x0008;
inline constexpr uint16_t ErrorCode = 0x0009;
inline constexpr uint16_t UnknownAttributes = 0x000A;
inline constexpr uint16_t ChannelNumber = 0x000C;
inline constexpr uint16_t Lifetime = 0x000D;
inline constexpr uint16_t XorPeerAddress = 0x0012;
inline constexpr uint16_t Data = 0x0013;
inline constexpr uint16_t Realm = 0x0014;
inline constexpr uint16_t Nonce = 0x0015;
inline constexpr uint16_t XorRelayedAddress = 0x0016;
inline constexpr uint16_t RequestedAddressFamily = 0x0017;
inline constexpr uint16_t EvenPort = 0x0018;
inline constexpr uint16_t RequestedTransport = 0x0019;
inline constexpr uint16_t DontFragment = 0x001A;
inline constexpr uint16_t MessageIntegritySha256 = 0x001C;
inline constexpr uint16_t PasswordAlgorithm = 0x001D;
inline constexpr uint16_t Userhash = 0x001E;
inline constexpr uint16_t XorMappedAddress = 0x0020;
inline constexpr uint16_t ReservationToken = 0x0022;
inline constexpr uint16_t Priority = 0x0024;
inline constexpr uint16_t UseCandidate = 0x0025;
inline constexpr uint16_t ConnectionId = 0x002A;
inline constexpr uint16_t AdditionalAddressFamily = 0x8000;
inline constexpr uint16_t AddressErrorCode = 0x8001;
inline constexpr uint16_t PasswordAlgorithms = 0x8002;
inline constexpr uint16_t AlternateDomain = 0x8003;
inline constexpr uint16_t Icmp = 0x8004;
inline constexpr uint16_t Software = 0x8022;
inline constexpr uint16_t AlternateServer = 0x8023;
inline constexpr uint16_t Fingerprint = 0x8028;
inline constexpr uint16_t IceControlled = 0x8029;
inline constexpr uint16_t IceControlling = 0x802A;
}  // namespace attr

constexpr bool isComprehensionRequired(uint16_t type) noexcept { return type < 0x8000; }
// True for the attribute types this library knows (and validates on decode).
bool isKnownAttribute(uint16_t type) noexcept;
// "XOR-MAPPED-ADDRESS", or "0x1234" for unknown types.
std::string attributeName(uint16_t type);
// "Binding", ..., or "0x123" for unknown methods.
std::string methodName(Method method);
std::string_view className(MessageClass cls) noexcept;
// The RFC's reason phrase for a STUN/TURN error code, "" if none is registered.
std::string_view defaultReason(int code) noexcept;

// 14-bit message type <-> method and class (RFC 8489 section 5, figure 3).
constexpr uint16_t messageType(Method method, MessageClass cls) noexcept {
  auto m = static_cast<uint16_t>(method);
  auto c = static_cast<uint16_t>(cls);
  return static_cast<uint16_t>((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) |
                               ((c & 0x1) << 4) | ((c & 0x2) << 7));
}
constexpr Method methodOf(uint16_t type) noexcept {
  return static_cast<Method>((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
}
constexpr MessageClass classOf(uint16_t type) noexcept {
  return static_cast<MessageClass>(((type >> 4) & 0x1) | ((type >> 7) & 0x2));
}

using TransactionId = std::array<uint8_t, 12>;

enum class AddressFamily : uint8_t { IPv4 = 0x01, IPv6 = 0x02 };

// An IP address and port as carried by the address attributes (network byte order bytes).
struct SocketAddress {
  AddressFamily family = AddressFamily::IPv4;
  std::array<uint8_t, 16> ip{};  // IPv4 uses the first 4 octets; the rest stay zero
  uint16_t port = 0;

  // "192.0.2.1" / "2001:db8::1"; nullopt if `text` is neither.
  static std::optional<SocketAddress> parse(std::string_view ipText, uint16_t port);
  std::string ipString() const;
  // "192.0.2.1:3478" / "[2001:db8::1]:3478"
  std::string toString() const;
  bool operator==(const SocketAddress&) const = default;
};

struct ErrorCodeValue {
  int code = 0;  // 300..699
  std::string reason;
  bool operator==(const ErrorCodeValue&) const = default;
};

// ADDRESS-ERROR-CODE (RFC 8656 section 18.13): an error for one address family.
struct AddressErrorCodeValue {
  AddressFamily family = AddressFamily::IPv4;
  int code = 0;
  std::string reason;
  bool operator==(const AddressErrorCodeValue&) const = default;
};

// ICMP (RFC 8656 section 18.12).
struct IcmpValue {
  uint8_t type = 0;  // 7 bits
  uint8_t code = 0;
  uint32_t errorData = 0;
  bool operator==(const IcmpValue&) const = default;
};

// PASSWORD-ALGORITHM(S) entries (RFC 8489 section 14.11/14.12).
inline constexpr uint16_t kPasswordAlgorithmMd5 = 0x0001;
inline constexpr uint16_t kPasswordAlgorithmSha256 = 0x0002;
struct PasswordAlgorithmValue {
  uint16_t algorithm = 0;
  std::vector<uint8_t> parameters;
  bool operator==(const PasswordAlgorithmValue&) const = default;
};

// REQUESTED-TRANSPORT protocol numbers (RFC 8656 section 18.7, RFC 6062).
inline constexpr uint8_t kTransportUdp = 17;
inline constexpr uint8_t kTransportTcp = 6;

struct Attribute {
  uint16_t type = 0;
  std::vector<uint8_t> value;
  // The padding octets that followed the value on the wire (RFC 8489 section 14: padding
  // content is ignored on receipt, but is covered by MESSAGE-INTEGRITY and FINGERPRINT, and
  // RFC 5769's vectors pad with 0x20). Encoded as zeros when shorter than needed.
  std::vector<uint8_t> padding;
  bool operator==(const Attribute&) const = default;
};

struct Message {
  Method method = Method::Binding;
  MessageClass cls = MessageClass::Request;
  TransactionId transactionId{};
  std::vector<Attribute> attributes;  // wire order
  // Filled by decode(): comprehension-required attribute types it does not know, in order
  // of appearance, without duplicates: the UNKNOWN-ATTRIBUTES of a 420 answer.
  std::vector<uint16_t> unknownComprehensionRequired;

  bool operator==(const Message&) const = default;

  uint16_t type() const noexcept { return messageType(method, cls); }

  // --- raw access ---
  const Attribute* find(uint16_t type) const noexcept;  // first occurrence
  std::vector<const Attribute*> findAll(uint16_t type) const;
  bool has(uint16_t type) const noexcept { return find(type) != nullptr; }
  Attribute& add(uint16_t type, std::span<const uint8_t> value);
  Attribute& add(uint16_t type, std::string_view value);
  // Removes every occurrence; returns how many.
  size_t remove(uint16_t type);

  // --- typed accessors (first occurrence; nullopt if absent or malformed) ---
  // MAPPED-ADDRESS, ALTERNATE-SERVER, XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS,
  // XOR-RELAYED-ADDRESS (the XOR ones are un-XORed with the cookie and transaction id).
  std::optional<SocketAddress> address(uint16_t type) const;
  std::vector<SocketAddress> addresses(uint16_t type) const;  // every occurrence
  // USERNAME, REALM, NONCE, SOFTWARE, ALTERNATE-DOMAIN (bytes as sent).
  std::optional<std::string> text(uint16_t type) const;
  // PRIORITY, LIFETIME, CONNECTION-ID.
  std::optional<uint32_t> u32(uint16_t type) const;
  // ICE-CONTROLLED, ICE-CONTROLLING, RESERVATION-TOKEN.
  std::optional<uint64_t> u64(uint16_t type) const;
  std::optional<ErrorCodeValue> errorCode() const;
  std::optional<std::vector<uint16_t>> unknownAttributes() const;
  // The raw number: decode() does not check the 0x4000-0x4FFF range; a TURN server answers
  // 400 outside it (RFC 8656 section 11.2, isValidChannelNumber() in framing.hpp).
  std::optional<uint16_t> channelNumber() const;
  std::optional<uint8_t> requestedTransport() const;
  // REQUESTED-ADDRESS-FAMILY or ADDITIONAL-ADDRESS-FAMILY: the raw family octet (0x01 IPv4,
  // 0x02 IPv6; anything else is for the server to refuse with 440).
  std::optional<uint8_t> addressFamily(uint16_t type) const;
  std::optional<bool> evenPort() const;  // the R bit
  std::optional<AddressErrorCodeValue> addressErrorCode() const;
  // ICMP type in the third octet, code in the fourth (after 16 reserved bits).
  std::optional<IcmpValue> icmp() const;
  std::optional<PasswordAlgorithmValue> passwordAlgorithm() const;
  std::optional<std::vector<PasswordAlgorithmValue>> passwordAlgorithms() const;
  std::optional<std::span<const uint8_t>> data() const;

  // --- typed adders (append in call order; integrity attributes are added by encode) ---
  Attribute& addAddress(uint16_t type, const SocketAddress& address);
  Attribute& addText(uint16_t type, std::string_view text) { return add(type, text); }
  Attribute& addU32(uint16_t type, uint32_t value);
  Attribute& addU64(uint16_t type, uint64_t value);
  Attribute& addFlag(uint16_t type);  // USE-CANDIDATE, DONT-FRAGMENT (empty value)
  Attribute& addErrorCode(int code, std::string_view reason = {});  // default reason if empty
  Attribute& addUnknownAttributes(std::span<const uint16_t> types);
  Attribute& addChannelNumber(uint16_t channel);
  Attribute& addRequestedTransport(uint8_t protocol);
  Attribute& addAddressFamily(uint16_t type, AddressFamily family);
  Attribute& addEvenPort(bool reserveNext);
  Attribute& addAddressErrorCode(const AddressErrorCodeValue& value);
  Attribute& addIcmp(const IcmpValue& value);
  Attribute& addPasswordAlgorithm(const PasswordAlgorithmValue& value);
  Attribute& addPasswordAlgorithms(std::span<const PasswordAlgorithmValue> values);
  Attribute& addData(std::span<const uint8_t> bytes) { return add(attr::Data, bytes); }
};

struct Header {
  Method method = Method::Binding;
  MessageClass cls = MessageClass::Request;
  uint16_t length = 0;  // attribute octets after the header
  TransactionId transactionId{};
};

// Reads the 20-octet header only: lets a server answer a request that decode() rejected
// (a 400 needs the transaction id). Fails if `bytes` is shorter than 20 octets, the first two
// bits are not zero, the length is not a multiple of 4, or the magic cookie is wrong
// (RFC 3489 messages carry no cookie and are not supported).
Result<Header> peekHeader(std::span<const uint8_t> bytes);

// Cheap test for demultiplexing (RFC 8489 section 7 / RFC 7983): header shape, cookie, and
// a length field that matches the buffer.
bool looksLikeStun(std::span<const uint8_t> bytes) noexcept;

struct DecodeOptions {
  // When true (the default), an unknown comprehension-required attribute fails decode with
  // code 420 (the caller no longer has the Message, but peekHeader() gives the
  // transaction id). When false, decode succeeds and lists them in
  // Message::unknownComprehensionRequired, for servers that build the 420 themselves and for
  // indications and responses, where they are not an error to answer.
  bool rejectUnknownComprehensionRequired = true;
};

// Decodes one whole message: `bytes` must be exactly the datagram or the frame, so a header
// length that disagrees with its size is an error (400), as is an attribute running past
// the end, an invalid value of a known attribute, or FINGERPRINT not last. Attributes after
// MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, and after
// MESSAGE-INTEGRITY-SHA256 other than FINGERPRINT, are dropped (RFC 8489 sections 14.5/14.6).
Result<Message> decode(std::span<const uint8_t> bytes, const DecodeOptions& options = {});

// What encode() appends after the message's own attributes, in the RFC's order:
// MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256, FINGERPRINT (RFC 8489 sections 14.5-14.7).
// `key` comes from integrity.hpp (shortTermKey / longTermKey).
struct IntegrityOptions {
  std::string key{};
  bool messageIntegrity = false;        // HMAC-SHA1, 20 octets
  bool messageIntegritySha256 = false;  // HMAC-SHA256, truncated to sha256Length
  size_t sha256Length = 32;             // 16..32, multiple of 4
  bool fingerprint = false;
};

// Size of encode()'s output; more than kMaxMessageSize means encode() would fail.
size_t encodedSize(const Message& message, const IntegrityOptions& options = {});

// Encodes the header and every attribute of `message` as they are (a decoded message's own
// MESSAGE-INTEGRITY/FINGERPRINT included: call stripIntegrity() first to recompute them),
// then appends what `options` asks for. Returns an empty vector if the message would exceed
// the 16-bit length field or sha256Length is invalid (never for a message that decoded).
std::vector<uint8_t> encode(const Message& message, const IntegrityOptions& options = {});

// Removes MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT.
void stripIntegrity(Message& message);

// Response helpers: same method and transaction id as `request`.
Message makeResponse(const Message& request, MessageClass cls);
Message makeErrorResponse(const Message& request, int code, std::string_view reason = {});
// A 420 listing request.unknownComprehensionRequired (decode with the rejection off).
Message makeUnknownAttributesResponse(const Message& request);

}  // namespace parley::stun
