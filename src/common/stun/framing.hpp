#pragma once
// TURN ChannelData (RFC 8656 section 12.4), first-octet demultiplexing (RFC 7983), and a
// stream framer for STUN and ChannelData over TCP/TLS (RFC 8656 section 12.5, RFC 6062).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/base/result.hpp"

namespace parley::stun {

inline constexpr uint16_t kMinChannel = 0x4000;
inline constexpr uint16_t kMaxChannel = 0x4FFF;
inline constexpr size_t kChannelDataHeaderSize = 4;

constexpr bool isValidChannelNumber(uint16_t channel) noexcept {
  return channel >= kMinChannel && channel <= kMaxChannel;
}

// What a packet's first octet says it is (RFC 7983 section 7, with TURN channels).
enum class PacketKind { Stun, Zrtp, Dtls, ChannelData, RtpRtcp, Unknown };
constexpr PacketKind classifyFirstByte(uint8_t b) noexcept {
  if (b <= 3) return PacketKind::Stun;
  if (b >= 16 && b <= 19) return PacketKind::Zrtp;
  if (b >= 20 && b <= 63) return PacketKind::Dtls;
  if (b >= 64 && b <= 79) return PacketKind::ChannelData;
  if (b >= 128 && b <= 191) return PacketKind::RtpRtcp;
  return PacketKind::Unknown;
}

// A view into the bytes it was decoded from.
struct ChannelDataView {
  uint16_t channel = 0;
  std::span<const uint8_t> data;
};

// Decodes one ChannelData message. Over UDP (`stream` false) the datagram holds the 4-octet
// header, `length` octets of data and at most 3 octets of optional padding (RFC 8656
// section 12.5: padding is optional over UDP); a shorter datagram, or one with more trailing
// octets, is an error. Over a stream the frame must be exactly the padded size. Channel
// numbers outside 0x4000-0x4FFF are errors. Error::code is 400 (nothing is answered to
// ChannelData; the code only classifies).
Result<ChannelDataView> decodeChannelData(std::span<const uint8_t> bytes, bool stream = false);

// Appends a ChannelData message to `out`; pads to a multiple of 4 when `stream` (required
// over TCP/TLS), not over UDP. Returns false (appending nothing) if the channel is invalid
// or the data exceeds 65535 octets.
bool appendChannelData(std::vector<uint8_t>& out, uint16_t channel,
                       std::span<const uint8_t> data, bool stream = false);
std::vector<uint8_t> encodeChannelData(uint16_t channel, std::span<const uint8_t> data,
                                       bool stream = false);

enum class FrameKind { Stun, ChannelData };

struct Frame {
  FrameKind kind = FrameKind::Stun;
  // STUN: the whole message, ready for decode(). ChannelData: header and data without the
  // stream padding, ready for decodeChannelData(bytes, false).
  std::vector<uint8_t> bytes;
};

// Splits a TCP/TLS byte stream into STUN messages and ChannelData frames. Feed whatever
// arrived; call next() until it returns nullopt (need more bytes). An Error means the stream
// cannot be resynchronized (first octet neither STUN nor ChannelData, bad STUN length or
// cookie, reserved channel number): close the connection. After an error the framer stays
// failed.
class StreamFramer {
 public:
  // `maxFrame` is the largest frame accepted (the largest possible is 20 + 65535 octets, a
  // STUN message; a smaller value limits message size). A caller that drains next() after
  // each feed() holds at most maxFrame - 1 octets plus one read.
  explicit StreamFramer(size_t maxFrame = 20 + 0xFFFF) : maxFrame_(maxFrame) {}

  // Appends bytes. Returns an Error (and the framer fails) if more than maxFrame octets were
  // already waiting: the caller fed without draining next().
  Result<void> feed(std::span<const uint8_t> bytes);
  Result<std::optional<Frame>> next();

  size_t buffered() const noexcept { return buffer_.size() - start_; }
  bool failed() const noexcept { return failed_; }

 private:
  Error fail(std::string message);

  std::vector<uint8_t> buffer_;
  size_t start_ = 0;  // consumed prefix, compacted lazily
  size_t maxFrame_;
  bool failed_ = false;
  std::string failure_;
};

}  // namespace parley::stun
