#include "common/sdp/offer_answer.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "common/base/strings.hpp"

namespace parley::sdp {

namespace {

constexpr int kLocalError = 500;

// Formats that only make sense beside a real codec: a stream offering nothing else in
// common is rejected rather than answered with DTMF or comfort noise alone.
bool isAuxiliary(std::string_view name) {
  static constexpr std::array<std::string_view, 6> kAux{"telephone-event", "CN",      "red",
                                                        "ulpfec",          "flexfec", "rtx"};
  return std::any_of(kAux.begin(), kAux.end(),
                     [&](std::string_view a) { return iequals(a, name); });
}

bool sends(Direction d) { return d == Direction::SendRecv || d == Direction::SendOnly; }
bool receives(Direction d) { return d == Direction::SendRecv || d == Direction::RecvOnly; }

Direction fromFlags(bool send, bool receive) {
  if (send && receive) return Direction::SendRecv;
  if (send) return Direction::SendOnly;
  if (receive) return Direction::RecvOnly;
  return Direction::Inactive;
}

const LocalCodec* findLocal(const std::vector<LocalCodec>& codecs, const RtpMap& offered) {
  uint32_t channels = offered.channels.value_or(1);
  for (const auto& c : codecs) {
    if (iequals(c.name, offered.encodingName) && c.clockRate == offered.clockRate &&
        c.channels == channels) {
      return &c;
    }
  }
  return nullptr;
}

MediaDescription rejected(const MediaDescription& offered) {
  // RFC 3264 section 6: port zero; the formats listed are ignored but at least one must be
  // present, so the offer's are echoed.
  MediaDescription m;
  m.media = offered.media;
  m.port = 0;
  m.proto = offered.proto;
  m.formats = offered.formats;
  if (auto id = mid(offered)) m.addAttribute("mid", *id);
  return m;
}

}  // namespace

Direction answerDirection(Direction offered, Direction local) {
  // The answerer may send only what the offerer will receive, and receive only what the
  // offerer will send (RFC 3264 section 6.1).
  return fromFlags(receives(offered) && sends(local), sends(offered) && receives(local));
}

Result<SessionDescription> makeAnswer(const SessionDescription& offer,
                                      const AnswerOptions& options) {
  if (options.address.empty()) return makeError(kLocalError, "answer needs a local media address");
  if (options.firstPort == 0) return makeError(kLocalError, "answer needs a non-zero first port");
  if (!offer.media.empty() && options.firstPort + 2 * (offer.media.size() - 1) + 1 > 65535) {
    return makeError(kLocalError, "answer ports would exceed 65535");
  }
  SessionDescription answer;
  std::string addrType = isIpv6Address(options.address) ? "IP6" : "IP4";
  answer.origin = Origin{options.username, options.sessionId, options.sessionVersion, "IN",
                         addrType,         options.address};
  answer.sessionName = options.sessionName;
  answer.connection = Connection{"IN", addrType, options.address, std::nullopt, std::nullopt};
  // RFC 3264 section 6: the t= line in the answer MUST equal that of the offer.
  answer.timings = offer.timings;
  if (answer.timings.empty()) answer.timings.push_back(Timing{});

  for (size_t i = 0; i < offer.media.size(); ++i) {
    const MediaDescription& off = offer.media[i];
    bool protoOk = std::any_of(options.protos.begin(), options.protos.end(),
                               [&](const std::string& p) { return iequals(p, off.proto); });
    if (off.port == 0 || !protoOk) {
      answer.media.push_back(rejected(off));
      continue;
    }
    MediaDescription m;
    m.media = off.media;
    m.port = static_cast<uint16_t>(options.firstPort + 2 * i);
    m.proto = off.proto;
    bool hasMain = false;
    std::vector<Attribute> formatAttrs;
    // One pass over the rtpmaps: looking each format up separately would be quadratic in
    // the size of a hostile offer. The first rtpmap of a payload type wins.
    std::array<std::optional<RtpMap>, 128> maps;
    for (auto& r : rtpMaps(off)) {
      if (!maps[r.payloadType]) maps[r.payloadType] = std::move(r);
    }
    // Offer order is kept: RFC 3264 section 6.1 recommends the offer's relative order.
    for (const auto& format : off.formats) {
      auto pt = parseNumber<uint8_t>(format);
      if (!pt || *pt > 127) continue;  // not an RTP payload type
      auto codec = maps[*pt] ? maps[*pt] : staticPayloadType(*pt);
      if (!codec) continue;  // a dynamic type without rtpmap names no codec
      const LocalCodec* local = findLocal(options.codecs, *codec);
      if (local == nullptr) continue;
      hasMain = hasMain || !isAuxiliary(codec->encodingName);
      m.formats.push_back(format);
      formatAttrs.push_back({"rtpmap", formatRtpMap(*codec)});
      if (!local->fmtp.empty()) formatAttrs.push_back({"fmtp", format + " " + local->fmtp});
    }
    if (!hasMain) {
      answer.media.push_back(rejected(off));
      continue;
    }
    if (auto id = mid(off)) m.addAttribute("mid", *id);
    for (auto& a : formatAttrs) m.attributes.push_back(std::move(a));
    setDirection(m, answerDirection(direction(offer, off), options.direction));
    if (options.rtcpMux && hasRtcpMux(off)) m.addAttribute("rtcp-mux");
    answer.media.push_back(std::move(m));
  }
  return answer;
}

bool hasActiveMedia(const SessionDescription& sdp) {
  return std::any_of(sdp.media.begin(), sdp.media.end(),
                     [](const MediaDescription& m) { return m.port != 0; });
}

}  // namespace parley::sdp
