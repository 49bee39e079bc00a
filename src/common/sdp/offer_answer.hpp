#pragma once
// A minimal RFC 3264 answerer for RTP streams: picks the codecs both sides support per m=
// line, rejects (port 0) the lines with nothing usable, and mirrors the offered direction.
// Out of scope here, left to the caller: ICE, DTLS and SDES attributes, BUNDLE, multicast
// (RFC 3264 section 6.2), port ranges (m=<port>/<n>), bandwidth and ptime negotiation.

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/sdp/attributes.hpp"
#include "common/sdp/sdp.hpp"

namespace parley::sdp {

// A codec the answerer supports; matched on name (case-insensitive), clock rate and channel
// count (RFC 3264 section 6.1 matches formats, not payload type numbers).
struct LocalCodec {
  std::string name;
  uint32_t clockRate = 8000;
  uint32_t channels = 1;
  std::string fmtp;  // parameters to answer with for this codec ("0-15"), empty for none
};

struct AnswerOptions {
  std::string address;  // the answerer's media address (IPv4, IPv6 or FQDN)
  std::vector<LocalCodec> codecs;
  std::vector<std::string> protos{"RTP/AVP"};  // transport protocols accepted
  // The accepted stream on the i-th (0-based) m= line gets firstPort + 2*i, leaving +1 for
  // RTCP; callers with a port allocator overwrite MediaDescription::port afterwards.
  uint16_t firstPort = 0;
  Direction direction = Direction::SendRecv;  // what the answerer is willing to do
  bool rtcpMux = false;                       // answer a=rtcp-mux when offered (RFC 5761)
  std::string username = "-";
  std::string sessionId = "0";
  std::string sessionVersion = "0";
  std::string sessionName = "-";
};

// The answer's direction for an offered one (RFC 3264 section 6.1): the answerer sends only
// if the offerer receives and the answerer wants to send, and the same for receiving.
Direction answerDirection(Direction offered, Direction local);

// Builds the answer: one m= per offered m= in the same order; an accepted line keeps the
// offer's payload type numbers and relative order, lists only common formats with their
// rtpmap, an explicit direction, and a=mid when offered; a line whose port is 0 in the
// offer, whose proto is not in `protos`, or that has no common codec other than
// telephone-event/CN/red/ulpfec/rtx is rejected with port 0. The t= line equals the offer's.
// Errors (code 500) only for unusable options: no address, a port that would overflow.
Result<SessionDescription> makeAnswer(const SessionDescription& offer,
                                      const AnswerOptions& options);

// True when at least one m= line of the description has a non-zero port.
bool hasActiveMedia(const SessionDescription& sdp);

}  // namespace parley::sdp
