#pragma once
// Typed views of the SDP attributes Parley acts on. The parser keeps attributes verbatim;
// these functions validate on access. `parseX(value)` takes the text after "a=name:" and
// returns an Error (code kSdpSyntaxError) naming the fault; the collection accessors
// (rtpMaps(), iceCandidates(), cryptos() ...) skip attributes that do not parse, so a
// caller that must report them iterates the attributes and calls parseX itself.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/result.hpp"
#include "common/sdp/sdp.hpp"

namespace parley::sdp {

// ---- RTP payload formats ------------------------------------------------------------

// a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
// (RFC 8866 section 6.6). For audio the encoding parameters are the channel count.
struct RtpMap {
  uint8_t payloadType = 0;
  std::string encodingName;
  uint32_t clockRate = 0;
  std::optional<uint32_t> channels;
  bool operator==(const RtpMap&) const = default;
};
Result<RtpMap> parseRtpMap(std::string_view value);
std::string formatRtpMap(const RtpMap& r);  // the attribute value, without "rtpmap:"

// The RFC 3551 section 6 static payload types (0-34), for m= lines without an rtpmap.
std::optional<RtpMap> staticPayloadType(uint8_t payloadType);

// a=fmtp:<format> <format specific parameters> (RFC 8866 section 6.15).
struct FmtpParameter {
  std::string name;
  std::optional<std::string> value;  // absent for a bare flag ("interlace")
  bool operator==(const FmtpParameter&) const = default;
};
struct Fmtp {
  std::string format;
  std::string parameters;  // verbatim
  // The common "k=v;k2=v2" form split on ';' with blanks trimmed; empty items dropped.
  std::vector<FmtpParameter> parameterList() const;
  bool operator==(const Fmtp&) const = default;
};
Result<Fmtp> parseFmtp(std::string_view value);

std::vector<RtpMap> rtpMaps(const MediaDescription& m);
std::optional<RtpMap> rtpMap(const MediaDescription& m, std::string_view format);
// rtpMap() or, for static payload types listed without one, the RFC 3551 mapping.
std::optional<RtpMap> codecFor(const MediaDescription& m, std::string_view format);
std::optional<Fmtp> fmtp(const MediaDescription& m, std::string_view format);

// ---- Direction, packetisation, RTCP, mid ------------------------------------------

enum class Direction { SendRecv, SendOnly, RecvOnly, Inactive };
std::string_view toString(Direction d);
std::optional<Direction> directionFromName(std::string_view name);
// The first direction attribute in the list, if any.
std::optional<Direction> directionAttribute(const AttributeList& attrs);
// RFC 8866 section 6.7: the media-level attribute overrides the session-level one; with
// neither, sendrecv.
Direction direction(const SessionDescription& sdp, const MediaDescription& m);
// Replaces any direction attribute of `attrs` with `d`.
void setDirection(AttributeList& attrs, Direction d);

// a=ptime / a=maxptime in milliseconds; fractional values are allowed (6.4, 6.5).
Result<double> parsePtime(std::string_view value);
std::optional<double> ptime(const MediaDescription& m);
std::optional<double> maxPtime(const MediaDescription& m);

// a=rtcp:<port> [<nettype> <addrtype> <connection-address>] (RFC 3605).
struct Rtcp {
  uint16_t port = 0;
  std::optional<Connection> connection;
  bool operator==(const Rtcp&) const = default;
};
Result<Rtcp> parseRtcp(std::string_view value);
std::optional<Rtcp> rtcp(const MediaDescription& m);
bool hasRtcpMux(const MediaDescription& m);                 // a=rtcp-mux (RFC 5761)
std::optional<std::string> mid(const MediaDescription& m);  // a=mid (RFC 5888)

// ---- ICE (RFC 8839) ------------------------------------------------------------------

// a=candidate:<foundation> <component-id> <transport> <priority> <connection-address>
//   <port> typ <cand-type> [raddr <rel-addr>] [rport <rel-port>] *(<name> <value>)
struct IceCandidate {
  std::string foundation;
  uint16_t component = 0;
  std::string transport;  // "UDP", "TCP", ... as written
  uint32_t priority = 0;
  std::string address;
  uint16_t port = 0;
  std::string type;  // host, srflx, prflx, relay or an extension
  std::optional<std::string> relatedAddress;
  std::optional<uint16_t> relatedPort;
  std::vector<std::pair<std::string, std::string>> extensions;  // e.g. {"generation","0"}
  bool operator==(const IceCandidate&) const = default;
};
Result<IceCandidate> parseIceCandidate(std::string_view value);
std::string formatIceCandidate(const IceCandidate& c);  // the value, without "candidate:"
std::vector<IceCandidate> iceCandidates(const MediaDescription& m);

// Media-level values override session-level ones (RFC 8839 section 5.4).
std::optional<std::string> iceUfrag(const SessionDescription& sdp, const MediaDescription& m);
std::optional<std::string> icePwd(const SessionDescription& sdp, const MediaDescription& m);
std::vector<std::string> iceOptions(const SessionDescription& sdp, const MediaDescription& m);
bool isIceLite(const SessionDescription& sdp);  // a=ice-lite is session-level only
bool hasEndOfCandidates(const SessionDescription& sdp, const MediaDescription& m);

// ---- SDES (RFC 4568) -----------------------------------------------------------------

// One key-param: "inline:<base64 key||salt>[|<lifetime>][|<MKI>:<MKI length>]" or an
// extension method kept verbatim in `info`.
struct CryptoKeyParam {
  std::string method;  // "inline" or an extension
  std::string info;    // everything after "<method>:"
  // For "inline" only:
  std::string key;                      // base64 key||salt
  std::optional<std::string> lifetime;  // as written, e.g. "2^20" or "1048576"
  std::optional<uint64_t> mki;
  std::optional<uint32_t> mkiLength;  // bytes, 1 to 128
  bool operator==(const CryptoKeyParam&) const = default;
};
// a=crypto:<tag> <crypto-suite> <key-params> [<session-param> ...]
struct Crypto {
  uint32_t tag = 0;
  std::string suite;
  std::vector<CryptoKeyParam> keyParams;  // at least one, ';'-separated in the attribute
  std::vector<std::string> sessionParams;
  bool operator==(const Crypto&) const = default;
};
Result<Crypto> parseCrypto(std::string_view value);
std::vector<Crypto> cryptos(const MediaDescription& m);
// Decodes standard base64 (with or without padding); nullopt on a bad character.
std::optional<std::string> decodeBase64(std::string_view s);

// ---- DTLS (RFC 8122, RFC 4145): parsed, not acted on here -----------------------------

struct Fingerprint {
  std::string hashFunction;  // "sha-256", ...
  std::string value;         // upper/lower-case hex pairs separated by ':'
  bool operator==(const Fingerprint&) const = default;
};
Result<Fingerprint> parseFingerprint(std::string_view value);
enum class Setup { Active, Passive, ActPass, HoldConn };
std::string_view toString(Setup s);
Result<Setup> parseSetup(std::string_view value);
// RFC 8122 allows several fingerprints (one per hash function): the media-level ones when
// the media description has any, else the session-level ones.
std::vector<Fingerprint> fingerprints(const SessionDescription& sdp, const MediaDescription& m);
// The media-level a=setup overrides a session-level one.
std::optional<Setup> setup(const SessionDescription& sdp, const MediaDescription& m);

}  // namespace parley::sdp
