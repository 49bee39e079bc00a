#pragma once
// RFC 3261 §7 / §25 message parsing, for datagrams (UDP) and for streams (TCP/TLS) through
// StreamFramer. Errors carry the status code the Front End answers (400, 413, 505, ...) in
// Error::code and a reason that names the fault in Error::message.

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/result.hpp"
#include "common/sip/message.hpp"

namespace parley::sip {

struct ParseLimits {
  size_t maxMessageBytes = 65535;  // whole message, header and body (413 / connection close)
  size_t maxHeaderBytes = 16384;   // start line plus headers (413? no: 400 over limit)
  size_t maxHeaders = 256;
};

// Parses one whole message. For a datagram, octets after the Content-Length body are
// discarded (RFC 3261 §18.3); a missing Content-Length means the body runs to the end.
[[nodiscard]] Result<Message> parseMessage(std::string_view bytes, const ParseLimits& limits = {});

// Frames SIP messages on a byte stream by Content-Length. Leading CRLFs are RFC 5626
// keep-alives: a double CRLF ("ping") is reported so the transport can answer with a
// single CRLF ("pong").
class StreamFramer {
 public:
  enum class Status { NeedMore, Frame, Ping, Error };
  struct Output {
    Status status = Status::NeedMore;
    std::string frame;  // one whole message's bytes, for Frame
    Error error;        // for Error: the stream cannot be resynchronised; close it
  };

  explicit StreamFramer(ParseLimits limits = {}) : limits_(limits) {}
  void feed(std::string_view bytes);
  // Call repeatedly until NeedMore.
  Output next();
  size_t buffered() const noexcept { return buffer_.size() - start_; }

 private:
  ParseLimits limits_;
  std::string buffer_;
  // Added by the implementation: the unconsumed data starts at buffer_[start_]; scanned_
  // octets after it are known not to end the header section; frameLen_ is the length of the
  // pending frame once its header section and Content-Length are known (0 = not yet).
  size_t start_ = 0;
  size_t scanned_ = 0;
  size_t frameLen_ = 0;
  std::optional<Error> error_;  // sticky: once the stream is unframeable it stays so
};

}  // namespace parley::sip
