// libFuzzer target for the STUN/TURN codec: whatever decodes must encode to bytes that decode
// to the same message (and re-encode identically); re-signing it must verify; the integrity
// checks, ChannelData decoding and the stream framer must not crash on any input.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "common/stun/framing.hpp"
#include "common/stun/integrity.hpp"
#include "common/stun/message.hpp"

namespace {

namespace stun = parley::stun;

[[noreturn]] void die(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "stun_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void checkMessage(std::span<const uint8_t> input) {
  auto strict = stun::decode(input);
  auto first = stun::decode(input, {.rejectUnknownComprehensionRequired = false});
  if (strict && !first) die("strict decode accepted what lenient decode rejected");
  if (!first) {
    if (strict.error().code != 400 && strict.error().code != 420) die("unexpected error code");
    return;
  }
  if (!strict && (strict.error().code != 420 || first->unknownComprehensionRequired.empty())) {
    die("lenient decode accepted a message strict decode rejected as malformed",
        strict.error().message);
  }
  if (!stun::looksLikeStun(input)) die("decoded message does not look like STUN");

  auto bytes = stun::encode(*first);
  if (bytes.empty()) die("decoded message does not encode");
  if (bytes.size() > input.size()) die("re-encoding grew the message");
  if (bytes.size() == input.size() && !std::equal(bytes.begin(), bytes.end(), input.begin())) {
    die("same-size re-encoding differs from the input");
  }
  auto second = stun::decode(bytes, {.rejectUnknownComprehensionRequired = false});
  if (!second) die("encoded message does not decode", second.error().message);
  if (!(*second == *first)) die("re-decoded message differs");
  if (stun::encode(*second) != bytes) die("encoding is not stable");
  if (bytes.size() == input.size() &&
      stun::checkFingerprint(input) != stun::checkFingerprint(bytes)) {
    die("fingerprint verdict changed on identical bytes");
  }

  // Typed accessors on every attribute type present.
  for (const auto& a : first->attributes) {
    (void)first->address(a.type);
    (void)first->addresses(a.type);
    (void)first->text(a.type);
    (void)first->u32(a.type);
    (void)first->u64(a.type);
    (void)first->addressFamily(a.type);
  }
  (void)first->errorCode();
  (void)first->unknownAttributes();
  (void)first->channelNumber();
  (void)first->requestedTransport();
  (void)first->evenPort();
  (void)first->addressErrorCode();
  (void)first->icmp();
  (void)first->passwordAlgorithm();
  (void)first->passwordAlgorithms();
  (void)first->data();

  // Re-signed with fresh integrity, everything verifies.
  stun::Message plain = *first;
  stun::stripIntegrity(plain);
  stun::IntegrityOptions o{.key = "fuzz-key",
                           .messageIntegrity = true,
                           .messageIntegritySha256 = true,
                           .sha256Length = 16 + (input.size() % 5) * 4,
                           .fingerprint = true};
  if (stun::encodedSize(plain, o) <= stun::kMaxMessageSize) {
    auto signedBytes = stun::encode(plain, o);
    if (signedBytes.empty()) die("re-signing failed");
    if (!stun::decode(signedBytes, {.rejectUnknownComprehensionRequired = false})) {
      die("re-signed message does not decode");
    }
    if (stun::checkMessageIntegrity(signedBytes, o.key) != stun::Check::Valid ||
        stun::checkMessageIntegritySha256(signedBytes, o.key) != stun::Check::Valid ||
        stun::checkFingerprint(signedBytes) != stun::Check::Valid) {
      die("re-signed message does not verify");
    }
  }
}

void checkFraming(std::span<const uint8_t> input) {
  for (bool stream : {false, true}) {
    auto cd = stun::decodeChannelData(input, stream);
    if (cd) {
      auto again = stun::encodeChannelData(cd->channel, cd->data, stream);
      auto back = stun::decodeChannelData(again, stream);
      if (!back || back->channel != cd->channel ||
          !std::equal(back->data.begin(), back->data.end(), cd->data.begin(), cd->data.end())) {
        die("ChannelData does not round-trip");
      }
    }
  }
  // Feed the input to the framer in chunks whose sizes come from the input itself.
  stun::StreamFramer framer(4096);
  size_t pos = 0;
  size_t total = 0;
  while (pos < input.size()) {
    size_t n = std::min<size_t>(1 + input[pos] % 17, input.size() - pos);
    if (!framer.feed(input.subspan(pos, n))) return;
    pos += n;
    for (;;) {
      auto f = framer.next();
      if (!f) return;
      if (!*f) break;
      total += (*f)->bytes.size();
      if ((*f)->kind == stun::FrameKind::ChannelData &&
          !stun::decodeChannelData((*f)->bytes, false)) {
        die("framed ChannelData does not decode");
      }
    }
  }
  if (total > input.size()) die("framer produced more octets than it was fed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  checkMessage(input);
  (void)stun::checkMessageIntegrity(input, "k");
  (void)stun::checkMessageIntegritySha256(input, "k");
  (void)stun::checkFingerprint(input);
  (void)stun::peekHeader(input);
  checkFraming(input);
  return 0;
}
