#include "common/stun/framing.hpp"

#include <string>

#include "common/stun/message.hpp"

namespace parley::stun {

namespace {

constexpr size_t pad4(size_t n) noexcept { return (n + 3) & ~size_t{3}; }

uint16_t get16(const uint8_t* p) noexcept {
  return static_cast<uint16_t>((uint16_t{p[0]} << 8) | p[1]);
}

}  // namespace

Result<ChannelDataView> decodeChannelData(std::span<const uint8_t> bytes, bool stream) {
  if (bytes.size() < kChannelDataHeaderSize) return makeError(400, "ChannelData shorter than 4 octets");
  uint16_t channel = get16(bytes.data());
  if (!isValidChannelNumber(channel)) {
    return makeError(400, "channel number " + std::to_string(channel) +
                              " is outside 0x4000-0x4FFF");
  }
  size_t len = get16(bytes.data() + 2);
  size_t body = bytes.size() - kChannelDataHeaderSize;
  if (body < len) return makeError(400, "ChannelData shorter than its length field");
  if (stream ? body != pad4(len) : body > pad4(len)) {
    return makeError(400, "ChannelData has octets beyond its length and padding");
  }
  return ChannelDataView{channel, bytes.subspan(kChannelDataHeaderSize, len)};
}

bool appendChannelData(std::vector<uint8_t>& out, uint16_t channel,
                       std::span<const uint8_t> data, bool stream) {
  if (!isValidChannelNumber(channel) || data.size() > 0xFFFF) return false;
  out.push_back(static_cast<uint8_t>(channel >> 8));
  out.push_back(static_cast<uint8_t>(channel));
  out.push_back(static_cast<uint8_t>(data.size() >> 8));
  out.push_back(static_cast<uint8_t>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
  if (stream) out.resize(out.size() + pad4(data.size()) - data.size(), 0);
  return true;
}

std::vector<uint8_t> encodeChannelData(uint16_t channel, std::span<const uint8_t> data,
                                       bool stream) {
  std::vector<uint8_t> out;
  out.reserve(kChannelDataHeaderSize + pad4(data.size()));
  appendChannelData(out, channel, data, stream);
  return out;
}

Error StreamFramer::fail(std::string message) {
  failed_ = true;
  failure_ = message;
  buffer_.clear();
  start_ = 0;
  return makeError(400, std::move(message));
}

Result<void> StreamFramer::feed(std::span<const uint8_t> bytes) {
  if (failed_) return makeError(400, failure_);
  if (buffered() > maxFrame_) {
    return fail("more than " + std::to_string(maxFrame_) + " octets buffered without a frame");
  }
  // Compact once the consumed prefix dominates, so the buffer does not grow without bound.
  if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<ptrdiff_t>(start_));
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  return {};
}

Result<std::optional<Frame>> StreamFramer::next() {
  if (failed_) return makeError(400, failure_);
  std::span<const uint8_t> avail(buffer_.data() + start_, buffer_.size() - start_);
  if (avail.empty()) return std::optional<Frame>();
  uint8_t first = avail[0];
  Frame frame;
  size_t frameSize = 0;   // octets consumed from the stream
  size_t keep = 0;        // octets handed out (ChannelData drops the stream padding)
  if (first <= 3) {
    frame.kind = FrameKind::Stun;
    if (avail.size() >= 8) {
      uint32_t cookie = (uint32_t{avail[4]} << 24) | (uint32_t{avail[5]} << 16) |
                        (uint32_t{avail[6]} << 8) | avail[7];
      if (cookie != kMagicCookie) return fail("STUN message without the magic cookie in stream");
    }
    if (avail.size() < 4) return std::optional<Frame>();
    size_t len = get16(avail.data() + 2);
    if (len % 4 != 0) return fail("STUN message length is not a multiple of 4");
    frameSize = kHeaderSize + len;
    keep = frameSize;
  } else if (first >= 0x40 && first <= 0x4F) {
    frame.kind = FrameKind::ChannelData;
    if (avail.size() < 4) return std::optional<Frame>();
    size_t len = get16(avail.data() + 2);
    keep = kChannelDataHeaderSize + len;
    frameSize = kChannelDataHeaderSize + pad4(len);  // padded over streams (section 12.5)
  } else {
    return fail("stream octet " + std::to_string(first) + " starts neither STUN nor ChannelData");
  }
  if (frameSize > maxFrame_) {
    return fail("frame of " + std::to_string(frameSize) + " octets exceeds the limit");
  }
  if (avail.size() < frameSize) return std::optional<Frame>();
  frame.bytes.assign(avail.begin(), avail.begin() + static_cast<ptrdiff_t>(keep));
  start_ += frameSize;
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  return std::optional<Frame>(std::move(frame));
}

}  // namespace parley::stun
