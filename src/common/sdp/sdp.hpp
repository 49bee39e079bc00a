#pragma once
// Session Description Protocol (RFC 8866, which obsoletes RFC 4566): model, parser and
// serializer. Typed attribute accessors live in attributes.hpp, the RFC 3264 answer helper
// in offer_answer.hpp.
//
// What the parser enforces and what it tolerates (RFC 8866 section 5, and why):
//  * Strict: the first line is exactly "v=0"; every line is "<letter>=<value>" with no
//    whitespace around '='; a type letter outside v o s i u e p c b t r z k a m rejects the
//    whole description (section 5: a parser MUST ignore a description with a type letter
//    it does not understand); o= and s= are present exactly once; fields that may occur
//    once per section (o s i u c z k at session level, i k per media) occur once; session
//    fields (o s u e p t r z) never appear after the first m=; r= follows a t=; numbers
//    (ports, times, bandwidth, TTL) are decimal and in range; media, proto parts, formats,
//    nettype, addrtype, bwtype and attribute names are tokens (section 9 grammar); NUL and
//    bare CR never appear.
//  * Tolerated, because published examples and deployed clients do it:
//    - LF-only line ends (section 5 "SHOULD also accept"), a missing end-of-line on the
//      last line, and blank lines at the very end of the body;
//    - any order of the lines inside the session section or inside a media section (e.g.
//      AES67/ST 2110 senders put c= before s=); the serializer writes section 5 order;
//    - an empty "s=" (RFC 4317 examples) and "s= ";
//    - no t= line (RTSP/ONVIF and RFC 4145 examples); the model then has no timing and the
//      serializer writes none;
//    - no c= line anywhere (RTSP); connectionFor() then returns nullopt;
//    - "m=" with no formats when its port is 0 (a rejected stream);
//    - several spaces between the fields of o= c= t= r= z= m= lines.
//  * Attribute values are not validated by the parser: unknown and malformed attributes are
//    kept verbatim and in order, so serialize(parse(x)) keeps them; the typed accessors in
//    attributes.hpp validate on access.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

namespace parley::sdp {

// Error::code of every parse failure: a malformed body is a SIP 400 (RFC 3261 section 21.4.1).
inline constexpr int kSdpSyntaxError = 400;

// a=<name>[:<value>] (RFC 8866 section 5.13). `value` is absent for property attributes
// ("a=rtcp-mux") and holds the bytes after the first ':' verbatim (even leading spaces).
struct Attribute {
  std::string name;
  std::optional<std::string> value;
  bool operator==(const Attribute&) const = default;
};

// Attribute lists shared by the session level and each media description.
struct AttributeList {
  std::vector<Attribute> attributes;

  // First attribute with this name (names compared case-insensitively), or nullptr.
  const Attribute* findAttribute(std::string_view name) const;
  std::vector<const Attribute*> findAttributes(std::string_view name) const;
  bool hasAttribute(std::string_view name) const { return findAttribute(name) != nullptr; }
  void addAttribute(std::string name, std::optional<std::string> value = std::nullopt);
  // Removes every attribute with this name; returns how many were removed.
  size_t removeAttributes(std::string_view name);

  bool operator==(const AttributeList&) const = default;
};

// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (5.2).
// sess-id and sess-version are kept as digit strings: they may exceed 64 bits.
struct Origin {
  std::string username = "-";
  std::string sessionId = "0";
  std::string sessionVersion = "0";
  std::string netType = "IN";
  std::string addrType = "IP4";
  std::string address;
  bool operator==(const Origin&) const = default;
};

// c=<nettype> <addrtype> <connection-address> (5.7). For IP4 the address may carry
// "/<ttl>[/<number of addresses>]", for IP6 "/<number of addresses>"; they are split off
// into ttl / numAddresses. Other address types keep the address verbatim.
struct Connection {
  std::string netType = "IN";
  std::string addrType = "IP4";
  std::string address;
  std::optional<uint32_t> ttl;
  std::optional<uint32_t> numAddresses;
  bool operator==(const Connection&) const = default;
};

// b=<bwtype>:<bandwidth> (5.8).
struct Bandwidth {
  std::string type;
  uint64_t value = 0;
  bool operator==(const Bandwidth&) const = default;
};

// r=<repeat interval> <active duration> <offsets from start-time> (5.10). Typed times
// ("7d", "25h", "3600") are kept as written; see parseTypedTime().
struct RepeatTime {
  std::string interval;
  std::string duration;
  std::vector<std::string> offsets;
  bool operator==(const RepeatTime&) const = default;
};

// t=<start-time> <stop-time> (5.9) and the r= lines that follow it.
struct Timing {
  uint64_t start = 0;
  uint64_t stop = 0;
  std::vector<RepeatTime> repeats;
  bool operator==(const Timing&) const = default;
};

// One "<adjustment time> <offset>" pair of z= (5.11).
struct TimeZoneAdjustment {
  std::string time;
  std::string offset;
  bool operator==(const TimeZoneAdjustment&) const = default;
};

// m=<media> <port>[/<number of ports>] <proto> <fmt> ... (5.14) and its i= c= b= k= a= lines.
struct MediaDescription : AttributeList {
  std::string media;
  uint16_t port = 0;
  std::optional<uint32_t> numPorts;
  std::string proto;
  std::vector<std::string> formats;
  std::optional<std::string> information;  // i=
  std::vector<Connection> connections;     // c= (several are allowed for multicast)
  std::vector<Bandwidth> bandwidths;
  std::optional<std::string> key;  // k= (obsolete, kept verbatim)
  bool operator==(const MediaDescription&) const = default;
};

struct SessionDescription : AttributeList {
  Origin origin;
  std::string sessionName;                 // s=
  std::optional<std::string> information;  // i=
  std::optional<std::string> uri;          // u=
  std::vector<std::string> emails;         // e=
  std::vector<std::string> phones;         // p=
  std::optional<Connection> connection;    // c=
  std::vector<Bandwidth> bandwidths;
  std::vector<Timing> timings;  // empty only when the parsed body had no t= (tolerated)
  std::vector<TimeZoneAdjustment> timeZones;  // z=
  std::optional<std::string> key;             // k= (obsolete, kept verbatim)
  std::vector<MediaDescription> media;
  bool operator==(const SessionDescription&) const = default;
};

// Parses a complete session description. Errors (code kSdpSyntaxError) name the line
// number and the fault, e.g. "line 4: c= needs <nettype> <addrtype> <address>".
Result<SessionDescription> parseSdp(std::string_view text);

// Writes the description in RFC 8866 section 5 order with CRLF line ends.
std::string serialize(const SessionDescription& sdp);

// Helpers for individual fields, also used by the attribute parsers.
Result<Connection> parseConnection(std::string_view value);
std::string formatConnection(const Connection& c);
// Seconds of a typed time ("3600", "1h", "7d"; section 5.10), nullopt when malformed or too big.
std::optional<uint64_t> parseTypedTime(std::string_view s);

// The c= that applies to a media description: its first own c=, else the session's.
std::optional<Connection> connectionFor(const SessionDescription& sdp, const MediaDescription& m);

// Literal address checks (no name resolution). IPv6 accepts the RFC 4291 text forms,
// including an embedded dotted IPv4 tail.
bool isIpv4Address(std::string_view s);
bool isIpv6Address(std::string_view s);

}  // namespace parley::sdp
