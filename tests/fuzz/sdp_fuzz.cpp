// libFuzzer target for the SDP library: whatever parses must serialize to text that parses
// back to the same model and serializes identically; the typed accessors and the answer
// helper must not crash on any accepted description, and the answer must parse.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/sdp/attributes.hpp"
#include "common/sdp/offer_answer.hpp"
#include "common/sdp/sdp.hpp"

namespace {

[[noreturn]] void die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "sdp_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void touchAccessors(const parley::sdp::SessionDescription& s) {
  using namespace parley::sdp;
  size_t sink = 0;
  (void)isIceLite(s);
  for (const auto& m : s.media) {
    for (const auto& f : m.formats) {
      if (auto c = codecFor(m, f)) {
        auto again = parseRtpMap(formatRtpMap(*c));
        if (!again || !(*again == *c)) die("rtpmap does not round-trip", formatRtpMap(*c));
      }
      if (auto p = fmtp(m, f)) sink += p->parameterList().size();
    }
    for (const auto& c : iceCandidates(m)) {
      auto again = parseIceCandidate(formatIceCandidate(c));
      if (!again || !(*again == c)) die("candidate does not round-trip", formatIceCandidate(c));
    }
    for (const auto& c : cryptos(m)) {
      for (const auto& k : c.keyParams) {
        if (!k.key.empty() && decodeBase64(k.key)) ++sink;
      }
    }
    sink += static_cast<size_t>(direction(s, m));
    sink += ptime(m).has_value() + maxPtime(m).has_value() + rtcp(m).has_value();
    sink += hasRtcpMux(m) + mid(m).has_value() + iceUfrag(s, m).has_value();
    sink += icePwd(s, m).has_value() + iceOptions(s, m).size() + hasEndOfCandidates(s, m);
    sink += fingerprints(s, m).size() + setup(s, m).has_value();
    if (auto c = connectionFor(s, m)) sink += isIpv4Address(c->address) + isIpv6Address(c->address);
  }
  if (sink == static_cast<size_t>(-1)) std::fputc('\0', stderr);  // keep `sink` observable
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto first = parley::sdp::parseSdp(input);
  if (!first) return 0;

  std::string text = parley::sdp::serialize(*first);
  auto second = parley::sdp::parseSdp(text);
  if (!second) die("serialized description does not parse", second.error().message + "\n" + text);
  if (!(*second == *first)) die("re-parsed description differs", text);
  if (parley::sdp::serialize(*second) != text) die("serialization is not stable", text);

  touchAccessors(*first);

  parley::sdp::AnswerOptions options;
  options.address = "192.0.2.1";
  options.firstPort = 20000;
  options.codecs = {{"PCMU", 8000, 1, ""},
                    {"opus", 48000, 2, "useinbandfec=1"},
                    {"telephone-event", 8000, 1, "0-15"}};
  options.protos = {"RTP/AVP", "RTP/SAVPF", "UDP/TLS/RTP/SAVPF"};
  options.rtcpMux = true;
  auto answer = parley::sdp::makeAnswer(*first, options);
  if (answer) {
    std::string answerText = parley::sdp::serialize(*answer);
    auto parsedAnswer = parley::sdp::parseSdp(answerText);
    if (!parsedAnswer)
      die("answer does not parse", parsedAnswer.error().message + "\n" + answerText);
    if (answer->media.size() != first->media.size()) die("answer m= count differs", answerText);
  }
  return 0;
}
