#include "common/sip/parser.hpp"

#include <cstring>

#include "common/base/strings.hpp"
#include "common/sip/lexer.hpp"
#include "common/sip/message_internal.hpp"

namespace parley::sip {

namespace {

Error bad(std::string message) { return makeError(400, std::move(message)); }

// A short, printable rendition of untrusted text for error messages.
std::string excerpt(std::string_view s, size_t max = 40) {
  std::string out;
  const size_t n = s.size() < max ? s.size() : max;
  out.reserve(n + 3);
  for (size_t i = 0; i < n; ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    out.push_back(u < 0x20 || u == 0x7F ? '?' : s[i]);
  }
  if (s.size() > max) out += "...";
  return out;
}

const char* findLf(std::string_view s, size_t from) noexcept {
  if (from >= s.size()) return nullptr;
  return static_cast<const char*>(std::memchr(s.data() + from, '\n', s.size() - from));
}

// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (§25.1); only 2.0 is served (§8.2.2 → 505).
Result<void> checkVersion(std::string_view v) {
  const bool shaped = [&] {
    if (v.size() < 7 || !iequals(v.substr(0, 4), "SIP/")) return false;
    size_t i = 4;
    const size_t majorStart = i;
    while (i < v.size() && lex::isDigit(v[i])) ++i;
    if (i == majorStart || i >= v.size() || v[i] != '.') return false;
    ++i;
    const size_t minorStart = i;
    while (i < v.size() && lex::isDigit(v[i])) ++i;
    return i != minorStart && i == v.size();
  }();
  if (!shaped) return bad("malformed SIP-Version '" + excerpt(v) + "'");
  if (v.substr(4) != "2.0") {
    return makeError(505, "SIP version '" + excerpt(v) + "' is not supported (only SIP/2.0)");
  }
  return {};
}

// The start line, parsed in place so the Message is built once (no Result<Message> moves).
struct StartLine {
  bool isRequest = true;
  std::string_view method;
  Uri uri;
  int status = 0;
  std::string_view reason;
};

Result<void> parseStartLine(std::string_view line, StartLine& out) {
  if (line.size() >= 4 && iequals(line.substr(0, 4), "SIP/")) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    const size_t sp = line.find(' ');
    auto version = checkVersion(line.substr(0, sp));
    if (!version) return version.error();
    if (sp == std::string_view::npos) return bad("malformed status line: missing status code");
    size_t i = sp + 1;
    const size_t codeStart = i;
    while (i < line.size() && lex::isDigit(line[i])) ++i;
    if (i - codeStart != 3 || (i < line.size() && line[i] != ' ')) {
      const size_t end = line.find(' ', codeStart);
      return bad(
          "malformed status line: status code '" +
          excerpt(line.substr(codeStart, end == std::string_view::npos ? std::string_view::npos
                                                                       : end - codeStart)) +
          "' is not three digits");
    }
    const int code = (line[codeStart] - '0') * 100 + (line[codeStart + 1] - '0') * 10 +
                     (line[codeStart + 2] - '0');
    if (code < 100 || code > 699) {
      return bad("malformed status line: status code " + std::to_string(code) +
                 " is outside 100-699");
    }
    std::string_view reason = i < line.size() ? line.substr(i + 1) : std::string_view{};
    for (char c : reason) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7F) {
        return bad("malformed status line: control character in the reason phrase");
      }
    }
    out.isRequest = false;
    out.status = code;
    out.reason = reason;
    return {};
  }
  // Request-Line = Method SP Request-URI SP SIP-Version CRLF, single SPs (§7.1, RFC 4475
  // §3.1.2.9 and §3.1.2.10).
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) {
    return bad("malformed request line '" + excerpt(line) +
               "': expected 'Method SP Request-URI SP SIP-Version'");
  }
  std::string_view method = line.substr(0, sp1);
  if (!lex::isTokenString(method)) {
    return bad("malformed request line: invalid method '" + excerpt(method) + "'");
  }
  const size_t sp2 = line.rfind(' ');
  if (sp2 == sp1) {
    return bad("malformed request line: expected 'Method SP Request-URI SP SIP-Version'");
  }
  std::string_view version = line.substr(sp2 + 1);
  if (version.empty()) return bad("malformed request line: trailing whitespace");
  std::string_view uriText = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (uriText.empty() || lex::isWs(uriText.front()) || lex::isWs(uriText.back())) {
    return bad("malformed request line: more than one SP between elements");
  }
  auto v = checkVersion(version);
  if (!v) return v.error();
  for (char c : uriText) {
    if (lex::isWs(c)) return bad("malformed Request-URI: embedded whitespace");
  }
  Error err;
  if (!detail::parseUriInto(uriText, out.uri, err)) {
    std::string m = "malformed Request-URI: ";
    std::string_view inner = err.message;
    if (inner.substr(0, 15) == "malformed URI '") {
      m.append(inner.substr(10));  // "'...': why"
    } else {
      m.append(inner);
    }
    return bad(std::move(m));
  }
  out.isRequest = true;
  out.method = method;
  return {};
}

}  // namespace

Result<Message> parseMessage(std::string_view bytes, const ParseLimits& limits) {
  if (bytes.size() > limits.maxMessageBytes) {
    return makeError(413, "message of " + std::to_string(bytes.size()) +
                              " octets exceeds the limit of " +
                              std::to_string(limits.maxMessageBytes));
  }
  const size_t n = bytes.size();
  size_t pos = 0;
  // §7.5: CRLFs before the start line are ignored.
  while (pos < n && (bytes[pos] == '\r' || bytes[pos] == '\n')) ++pos;
  if (pos == n) return bad("empty message");
  const size_t headStart = pos;

  const char* lf = findLf(bytes, pos);
  size_t lineEnd = lf ? static_cast<size_t>(lf - bytes.data()) : n;
  std::string_view startLine = bytes.substr(pos, lineEnd - pos);
  if (!startLine.empty() && startLine.back() == '\r') startLine.remove_suffix(1);
  if (startLine.find('\r') != std::string_view::npos) return bad("stray CR in the start line");
  if (startLine.size() > limits.maxHeaderBytes) {
    return bad("start line exceeds " + std::to_string(limits.maxHeaderBytes) + " octets");
  }
  StartLine start;
  if (auto r = parseStartLine(startLine, start); !r) return r.error();
  Message msg = start.isRequest ? Message::request(std::string(start.method), std::move(start.uri))
                                : Message::response(start.status, std::string(start.reason));
  std::vector<Header>& headers = msg.headers();
  // A typical request carries 10-30 header fields once list values are split; reserving
  // avoids re-moving every Header while the vector grows.
  headers.reserve(32);

  pos = lf ? lineEnd + 1 : n;
  size_t bodyStart = n;
  std::optional<size_t> contentLengthIndex;  // the first Content-Length frames the body
  std::vector<std::string_view> parts;
  std::string folded;
  for (;;) {
    if (pos >= n) break;  // no empty line: a datagram's end ends the header section
    if (bytes[pos] == '\n') {
      bodyStart = pos + 1;
      break;
    }
    if (bytes[pos] == '\r' && pos + 1 < n && bytes[pos + 1] == '\n') {
      bodyStart = pos + 2;
      break;
    }
    if (lex::isWs(bytes[pos])) return bad("continuation line without a header field before it");
    // field-name
    const size_t nameStart = pos;
    while (pos < n && lex::isToken(bytes[pos])) ++pos;
    std::string_view name = bytes.substr(nameStart, pos - nameStart);
    while (pos < n && lex::isWs(bytes[pos])) ++pos;
    if (pos >= n || bytes[pos] != ':') {
      if (name.empty()) {
        return bad("invalid character in a header field name at line starting '" +
                   excerpt(bytes.substr(nameStart, 20)) + "'");
      }
      return bad("header line '" + excerpt(bytes.substr(nameStart, 40)) +
                 "' has no colon after the field name");
    }
    if (name.empty()) return bad("header line with an empty field name");
    ++pos;
    // The value runs to the end of the line plus any continuation lines (§7.3.1: folding
    // LWS is equivalent to one SP).
    lf = findLf(bytes, pos);
    lineEnd = lf ? static_cast<size_t>(lf - bytes.data()) : n;
    std::string_view first = bytes.substr(pos, lineEnd - pos);
    if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
    size_t next = lf ? lineEnd + 1 : n;
    bool isFolded = false;
    std::string_view value = trim(first);
    if (next < n && lex::isWs(bytes[next])) {
      isFolded = true;
      folded.assign(value);
      while (next < n && lex::isWs(bytes[next])) {
        lf = findLf(bytes, next);
        lineEnd = lf ? static_cast<size_t>(lf - bytes.data()) : n;
        std::string_view cont = trim(bytes.substr(next, lineEnd - next));
        if (!cont.empty()) {
          if (!folded.empty()) folded.push_back(' ');
          folded.append(cont);
        }
        next = lf ? lineEnd + 1 : n;
      }
    }
    if (next - headStart > limits.maxHeaderBytes) {
      return bad("header section exceeds " + std::to_string(limits.maxHeaderBytes) + " octets");
    }
    std::string_view fullValue = isFolded ? std::string_view(folded) : value;
    if (fullValue.find('\r') != std::string_view::npos) {
      return bad("stray CR in the value of header " + excerpt(name));
    }
    pos = next;

    Header h;
    detail::resolveTokenHeaderName(name, h.id, h.name);
    if (h.id == HeaderId::ContentLength && !contentLengthIndex) {
      contentLengthIndex = headers.size();
    }
    if (fullValue.find(',') != std::string_view::npos && detail::isListHeader(h.id, h.name)) {
      parts.clear();
      if (!lex::splitList(fullValue, parts)) {
        return bad("malformed " + h.name + " header: unbalanced quotes or <>");
      }
      if (parts.size() == 1) {
        h.value.assign(parts.front());
        headers.push_back(std::move(h));
      } else {
        for (std::string_view p : parts) {
          if (p.empty()) return bad("malformed " + h.name + " header: empty element in the list");
          headers.push_back(Header{h.id, h.name, std::string(p)});
        }
      }
    } else {
      if (isFolded) {
        h.value = std::move(folded);
        folded.clear();
      } else {
        h.value.assign(fullValue);
      }
      headers.push_back(std::move(h));
    }
    if (headers.size() > limits.maxHeaders) {
      return bad("more than " + std::to_string(limits.maxHeaders) + " header fields");
    }
  }
  std::optional<std::string_view> contentLength;
  if (contentLengthIndex) contentLength = headers[*contentLengthIndex].value;

  const size_t available = bodyStart <= n ? n - bodyStart : 0;
  if (contentLength) {
    auto len = parseNumber<size_t>(*contentLength);
    if (!len) {
      return bad("malformed Content-Length header: '" + excerpt(*contentLength) + "'");
    }
    // §18.3: a datagram's body ends at Content-Length; extra octets are discarded, missing
    // ones make the message unusable.
    if (*len > available) {
      return bad("Content-Length " + std::to_string(*len) + " exceeds the datagram (" +
                 std::to_string(available) + " octets of body)");
    }
    msg.body.assign(bytes.substr(bodyStart, *len));
  } else if (available > 0) {
    msg.body.assign(bytes.substr(bodyStart));
  }
  return msg;
}

// --- StreamFramer --------------------------------------------------------------------------

namespace {

// Finds every Content-Length (long or compact name) in a complete header section and
// returns its value; 0 when absent. Conflicting or malformed values make the stream
// unframeable (RFC 3261 §18.3: a stream relies on Content-Length alone).
Result<size_t> streamContentLength(std::string_view head) {
  std::optional<size_t> found;
  size_t pos = 0;
  // Skip the start line.
  const char* lf = findLf(head, 0);
  if (!lf) return size_t{0};
  pos = static_cast<size_t>(lf - head.data()) + 1;
  std::string folded;
  while (pos < head.size()) {
    if (head[pos] == '\n' || head[pos] == '\r') break;
    const size_t nameStart = pos;
    while (pos < head.size() && lex::isToken(head[pos])) ++pos;
    std::string_view name = head.substr(nameStart, pos - nameStart);
    const bool isCl = iequals(name, "Content-Length") || iequals(name, "l");
    lf = findLf(head, pos);
    size_t lineEnd = lf ? static_cast<size_t>(lf - head.data()) : head.size();
    size_t next = lf ? lineEnd + 1 : head.size();
    if (!isCl) {
      pos = next;
      continue;
    }
    while (pos < lineEnd && lex::isWs(head[pos])) ++pos;
    if (pos >= lineEnd || head[pos] != ':') {
      pos = next;
      continue;
    }
    folded.assign(trim(head.substr(pos + 1, lineEnd - pos - 1)));
    while (next < head.size() && lex::isWs(head[next])) {
      lf = findLf(head, next);
      lineEnd = lf ? static_cast<size_t>(lf - head.data()) : head.size();
      folded.append(trim(head.substr(next, lineEnd - next)));
      next = lf ? lineEnd + 1 : head.size();
    }
    auto len = parseNumber<size_t>(folded);
    if (!len) return bad("malformed Content-Length header: '" + excerpt(folded) + "'");
    if (found && *found != *len) return bad("conflicting Content-Length headers on a stream");
    found = *len;
    pos = next;
  }
  return found.value_or(0);
}

}  // namespace

void StreamFramer::feed(std::string_view bytes) {
  if (error_) return;
  if (start_ > 0) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  buffer_.append(bytes);
}

StreamFramer::Output StreamFramer::next() {
  Output out;
  if (error_) {
    out.status = Status::Error;
    out.error = *error_;
    return out;
  }
  auto fail = [&](Error e) {
    error_ = e;
    out.status = Status::Error;
    out.error = std::move(e);
    return out;
  };
  for (;;) {
    std::string_view view(buffer_);
    view.remove_prefix(start_);
    if (frameLen_ == 0) {
      if (scanned_ == 0) {
        // Between messages: RFC 5626 §3.5.1 keep-alives. CRLFCRLF is a ping, a lone CRLF
        // a pong (or §7.5 noise before a start line).
        if (view.empty()) return out;
        if (view.size() >= 4 && view.substr(0, 4) == "\r\n\r\n") {
          start_ += 4;
          out.status = Status::Ping;
          return out;
        }
        if (view.front() == '\r' || view.front() == '\n') {
          if (std::string_view("\r\n\r\n").substr(0, view.size()) == view) return out;
          if (view.front() == '\n') {
            start_ += 1;
            continue;
          }
          if (view.size() >= 2 && view[1] == '\n') {
            start_ += 2;
            continue;
          }
          return fail(bad("stray CR before a start line"));
        }
      }
      // Look for the empty line that ends the header section, resuming where the last
      // call stopped (backing up over a partial line terminator).
      size_t i = scanned_;
      size_t headEnd = 0;
      for (;;) {
        const char* lf = findLf(view, i);
        if (!lf) {
          scanned_ = view.size();
          break;
        }
        const size_t at = static_cast<size_t>(lf - view.data());
        if (at + 1 < view.size() && view[at + 1] == '\n') {
          headEnd = at + 2;
          break;
        }
        if (at + 2 < view.size() && view[at + 1] == '\r' && view[at + 2] == '\n') {
          headEnd = at + 3;
          break;
        }
        if (at + 2 >= view.size() && (at + 1 >= view.size() || view[at + 1] == '\r')) {
          scanned_ = at;  // the terminator may complete with the next chunk
          break;
        }
        i = at + 1;
      }
      if (headEnd == 0) {
        if (view.size() > limits_.maxHeaderBytes) {
          return fail(bad("header section exceeds " + std::to_string(limits_.maxHeaderBytes) +
                          " octets on a stream"));
        }
        return out;
      }
      if (headEnd > limits_.maxHeaderBytes) {
        return fail(bad("header section exceeds " + std::to_string(limits_.maxHeaderBytes) +
                        " octets on a stream"));
      }
      auto len = streamContentLength(view.substr(0, headEnd));
      if (!len) return fail(len.error());
      if (*len > limits_.maxMessageBytes || headEnd + *len > limits_.maxMessageBytes) {
        return fail(makeError(413, "message of " + std::to_string(headEnd) + "+" +
                                       std::to_string(*len) + " octets exceeds the limit of " +
                                       std::to_string(limits_.maxMessageBytes)));
      }
      frameLen_ = headEnd + *len;
    }
    if (view.size() < frameLen_) return out;
    out.status = Status::Frame;
    out.frame.assign(view.substr(0, frameLen_));
    start_ += frameLen_;
    frameLen_ = 0;
    scanned_ = 0;
    return out;
  }
}

}  // namespace parley::sip
