#include "common/sdp/sdp.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "common/base/strings.hpp"

namespace parley::sdp {

namespace {

// Fields of o= c= t= r= z= m= are separated by single spaces in the grammar; runs of
// spaces are tolerated (see the header), so empty pieces are dropped.
std::vector<std::string_view> splitFields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool isDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// token-char of RFC 8866 section 9.
bool isTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`{|}~").find(c) != std::string_view::npos;
}

bool isToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), isTokenChar);
}

// A short printable rendering of untrusted text for error messages.
std::string excerpt(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out;
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out.push_back(c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '?');
  }
  if (s.size() > kMax) out += "...";
  return out;
}

Error fail(size_t line, std::string what) {
  return makeError(kSdpSyntaxError, "line " + std::to_string(line) + ": " + std::move(what));
}

// A field-level fault, turned into a line error by the caller.
Error fieldError(std::string what) { return makeError(kSdpSyntaxError, std::move(what)); }

Result<Origin> parseOrigin(std::string_view value) {
  auto f = splitFields(value);
  if (f.size() != 6) {
    return fieldError(
        "o= needs <username> <sess-id> <sess-version> <nettype> <addrtype> <address>, got " +
        std::to_string(f.size()) + " fields");
  }
  if (!isDigits(f[1])) return fieldError("o= sess-id must be decimal digits");
  if (!isToken(f[3]) || !isToken(f[4])) return fieldError("o= nettype and addrtype must be tokens");
  if (!isDigits(f[2])) return fieldError("o= sess-version must be decimal digits");
  return Origin{std::string(f[0]), std::string(f[1]), std::string(f[2]),
                std::string(f[3]), std::string(f[4]), std::string(f[5])};
}

Result<Bandwidth> parseBandwidth(std::string_view value) {
  size_t colon = value.find(':');
  if (colon == std::string_view::npos) return fieldError("b= needs <bwtype>:<bandwidth>");
  std::string_view type = value.substr(0, colon);
  if (!isToken(type)) return fieldError("b= bandwidth type must be a token");
  auto bw = parseNumber<uint64_t>(value.substr(colon + 1));
  if (!bw) return fieldError("b= bandwidth must be a decimal number");
  return Bandwidth{std::string(type), *bw};
}

Result<Timing> parseTiming(std::string_view value) {
  auto f = splitFields(value);
  if (f.size() != 2) return fieldError("t= needs <start-time> <stop-time>");
  auto start = parseNumber<uint64_t>(f[0]);
  auto stop = parseNumber<uint64_t>(f[1]);
  if (!start || !stop) return fieldError("t= times must be decimal NTP seconds");
  return Timing{*start, *stop, {}};
}

Result<RepeatTime> parseRepeat(std::string_view value) {
  auto f = splitFields(value);
  if (f.size() < 3) {
    return fieldError("r= needs <repeat interval> <active duration> <offset> ...");
  }
  for (auto t : f) {
    if (!parseTypedTime(t)) {
      return fieldError("r= field '" + excerpt(t) + "' is not a typed time (digits and d/h/m/s)");
    }
  }
  RepeatTime r{std::string(f[0]), std::string(f[1]), {}};
  for (size_t i = 2; i < f.size(); ++i) r.offsets.emplace_back(f[i]);
  return r;
}

Result<std::vector<TimeZoneAdjustment>> parseZones(std::string_view value) {
  auto f = splitFields(value);
  if (f.empty() || f.size() % 2 != 0) {
    return fieldError("z= needs pairs of <adjustment time> <offset>");
  }
  std::vector<TimeZoneAdjustment> out;
  for (size_t i = 0; i < f.size(); i += 2) {
    std::string_view offset = f[i + 1];
    std::string_view magnitude = offset.starts_with('-') ? offset.substr(1) : offset;
    if (!parseNumber<uint64_t>(f[i]) || !parseTypedTime(magnitude)) {
      return fieldError("z= pair '" + excerpt(f[i]) + " " + excerpt(offset) +
                        "' is not <time> [-]<typed time>");
    }
    out.push_back({std::string(f[i]), std::string(offset)});
  }
  return out;
}

Result<MediaDescription> parseMediaLine(std::string_view value) {
  auto f = splitFields(value);
  if (f.size() < 3) return fieldError("m= needs <media> <port> <proto> <fmt> ...");
  MediaDescription m;
  if (!isToken(f[0])) return fieldError("m= media type must be a token");
  m.media = std::string(f[0]);
  std::string_view port = f[1];
  size_t slash = port.find('/');
  auto p = parseNumber<uint16_t>(port.substr(0, slash));
  if (!p) return fieldError("m= port '" + excerpt(port) + "' is not a number from 0 to 65535");
  m.port = *p;
  if (slash != std::string_view::npos) {
    auto n = parseNumber<uint32_t>(port.substr(slash + 1));
    if (!n) return fieldError("m= number of ports in '" + excerpt(port) + "' is not a number");
    m.numPorts = *n;
  }
  // proto = token *("/" token); fmt = token (RFC 8866 section 9).
  auto protoParts = split(f[2], '/');
  if (!std::all_of(protoParts.begin(), protoParts.end(), isToken)) {
    return fieldError("m= transport protocol '" + excerpt(f[2]) + "' is not token/token...");
  }
  m.proto = std::string(f[2]);
  for (size_t i = 3; i < f.size(); ++i) {
    if (!isToken(f[i])) return fieldError("m= format '" + excerpt(f[i]) + "' is not a token");
    m.formats.emplace_back(f[i]);
  }
  // A rejected stream (port 0) from some clients carries no format; tolerated (header).
  if (m.formats.empty() && m.port != 0) return fieldError("m= lists no media format");
  return m;
}

Result<Attribute> parseAttributeLine(std::string_view value) {
  size_t colon = value.find(':');
  std::string_view name = value.substr(0, colon);
  if (!isToken(name)) {
    return fieldError("attribute name '" + excerpt(name) + "' is not a token");
  }
  Attribute a{std::string(name), std::nullopt};
  if (colon != std::string_view::npos) a.value = std::string(value.substr(colon + 1));
  return a;
}

constexpr std::string_view kKnownTypes = "vosiuepcbtrzkam";

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<SessionDescription> run() {
    size_t pos = 0;
    size_t lineNo = 0;
    size_t firstBlank = 0;  // line number of a blank line awaiting a verdict
    while (pos < text_.size()) {
      size_t nl = text_.find('\n', pos);
      size_t end = nl == std::string_view::npos ? text_.size() : nl;
      std::string_view line = text_.substr(pos, end - pos);
      pos = nl == std::string_view::npos ? text_.size() : nl + 1;
      ++lineNo;
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (line.empty()) {
        if (firstBlank == 0) firstBlank = lineNo;
        continue;
      }
      if (firstBlank != 0) {
        return fail(firstBlank, "empty line inside the description");
      }
      if (auto r = handleLine(lineNo, line); !r) return r.error();
    }
    if (!seenVersion_) return fail(1, "empty description; it must start with v=0");
    size_t endLine = lineNo + 1;
    if (!seenOrigin_) {
      return fail(endLine, "description ends without the required o= (origin) line");
    }
    if (!seenName_) {
      return fail(endLine, "description ends without the required s= (session name) line");
    }
    return std::move(sdp_);
  }

 private:
  Result<void> handleLine(size_t n, std::string_view line) {
    // RFC 8866 text fields are byte strings without NUL, CR or LF.
    for (char c : line) {
      if (c == '\0') return fail(n, "NUL byte in the line");
      if (c == '\r') return fail(n, "bare CR inside the line");
    }
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') {
      return fail(n,
                  "expected <type>=<value> with a lower-case type letter and no space "
                  "before '=', got '" +
                      excerpt(line) + "'");
    }
    char type = line[0];
    std::string_view value = line.substr(2);
    if (n == 1) {
      if (type != 'v') return fail(n, "a session description must start with v=0");
      if (value != "0") return fail(n, "unsupported protocol version v=" + excerpt(value));
      seenVersion_ = true;
      return {};
    }
    if (kKnownTypes.find(type) == std::string_view::npos) {
      return fail(n, std::string("unknown type letter '") + type +
                         "='; RFC 8866 section 5 requires ignoring such a description");
    }
    if (type == 'v') return fail(n, "v= may appear only once, as the first line");
    if (type == 'm') {
      auto m = parseMediaLine(value);
      if (!m) return fail(n, m.error().message);
      sdp_.media.push_back(std::move(m).value());
      mediaLine_ = n;
      mediaInfo_ = mediaKey_ = false;
      return {};
    }
    return mediaLine_ == 0 ? sessionLine(n, type, value) : mediaLine(n, type, value);
  }

  Result<void> once(size_t n, bool& seen, char type) {
    if (seen) {
      return fail(n, std::string("second ") + type + "= line; it may appear only once here");
    }
    seen = true;
    return {};
  }

  Result<void> sessionLine(size_t n, char type, std::string_view value) {
    switch (type) {
      case 'o': {
        if (auto r = once(n, seenOrigin_, type); !r) return r;
        auto o = parseOrigin(value);
        if (!o) return fail(n, o.error().message);
        sdp_.origin = std::move(o).value();
        return {};
      }
      case 's':
        if (auto r = once(n, seenName_, type); !r) return r;
        sdp_.sessionName = std::string(value);
        return {};
      case 'i':
        if (auto r = once(n, seenInfo_, type); !r) return r;
        sdp_.information = std::string(value);
        return {};
      case 'u':
        if (auto r = once(n, seenUri_, type); !r) return r;
        sdp_.uri = std::string(value);
        return {};
      case 'e':
        sdp_.emails.emplace_back(value);
        return {};
      case 'p':
        sdp_.phones.emplace_back(value);
        return {};
      case 'c': {
        if (auto r = once(n, seenConnection_, type); !r) return r;
        auto c = parseConnection(value);
        if (!c) return fail(n, c.error().message);
        sdp_.connection = std::move(c).value();
        return {};
      }
      case 'b': {
        auto b = parseBandwidth(value);
        if (!b) return fail(n, b.error().message);
        sdp_.bandwidths.push_back(std::move(b).value());
        return {};
      }
      case 't': {
        auto t = parseTiming(value);
        if (!t) return fail(n, t.error().message);
        sdp_.timings.push_back(std::move(t).value());
        return {};
      }
      case 'r': {
        if (sdp_.timings.empty()) return fail(n, "r= must follow a t= line");
        auto r = parseRepeat(value);
        if (!r) return fail(n, r.error().message);
        sdp_.timings.back().repeats.push_back(std::move(r).value());
        return {};
      }
      case 'z': {
        if (auto r = once(n, seenZone_, type); !r) return r;
        auto z = parseZones(value);
        if (!z) return fail(n, z.error().message);
        sdp_.timeZones = std::move(z).value();
        return {};
      }
      case 'k':
        if (auto r = once(n, seenKey_, type); !r) return r;
        sdp_.key = std::string(value);
        return {};
      case 'a': {
        auto a = parseAttributeLine(value);
        if (!a) return fail(n, a.error().message);
        sdp_.attributes.push_back(std::move(a).value());
        return {};
      }
      default:
        return fail(n, std::string("unexpected ") + type + "= line");
    }
  }

  Result<void> mediaLine(size_t n, char type, std::string_view value) {
    MediaDescription& m = sdp_.media.back();
    switch (type) {
      case 'i':
        if (auto r = once(n, mediaInfo_, type); !r) return r;
        m.information = std::string(value);
        return {};
      case 'c': {
        auto c = parseConnection(value);
        if (!c) return fail(n, c.error().message);
        m.connections.push_back(std::move(c).value());
        return {};
      }
      case 'b': {
        auto b = parseBandwidth(value);
        if (!b) return fail(n, b.error().message);
        m.bandwidths.push_back(std::move(b).value());
        return {};
      }
      case 'k':
        if (auto r = once(n, mediaKey_, type); !r) return r;
        m.key = std::string(value);
        return {};
      case 'a': {
        auto a = parseAttributeLine(value);
        if (!a) return fail(n, a.error().message);
        m.attributes.push_back(std::move(a).value());
        return {};
      }
      default:
        return fail(n, std::string(1, type) +
                           "= is a session-level line and may not follow "
                           "the m= on line " +
                           std::to_string(mediaLine_));
    }
  }

  std::string_view text_;
  SessionDescription sdp_;
  size_t mediaLine_ = 0;  // line number of the current m=, 0 in the session section
  bool seenVersion_ = false, seenOrigin_ = false, seenName_ = false, seenInfo_ = false,
       seenUri_ = false;
  bool seenConnection_ = false, seenZone_ = false, seenKey_ = false;
  bool mediaInfo_ = false, mediaKey_ = false;
};

void appendLine(std::string& out, char type, std::string_view value) {
  out.push_back(type);
  out.push_back('=');
  out.append(value);
  out += "\r\n";
}

void appendAttributes(std::string& out, const std::vector<Attribute>& attrs) {
  for (const auto& a : attrs) {
    out += "a=";
    out += a.name;
    if (a.value) {
      out.push_back(':');
      out += *a.value;
    }
    out += "\r\n";
  }
}

void appendBandwidths(std::string& out, const std::vector<Bandwidth>& bws) {
  for (const auto& b : bws) appendLine(out, 'b', b.type + ":" + std::to_string(b.value));
}

template <class Range>
std::string joinSpaces(const Range& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out.push_back(' ');
    out += p;
  }
  return out;
}

bool isIpv4Part(std::string_view s) {
  if (s.empty() || s.size() > 3 || !isDigits(s)) return false;
  if (s.size() > 1 && s[0] == '0') return false;  // no leading zeros: avoid octal confusion
  return parseNumber<unsigned>(s).value_or(256) <= 255;
}

bool isHexGroup(std::string_view s) {
  if (s.empty() || s.size() > 4) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

}  // namespace

const Attribute* AttributeList::findAttribute(std::string_view name) const {
  for (const auto& a : attributes) {
    if (iequals(a.name, name)) return &a;
  }
  return nullptr;
}

std::vector<const Attribute*> AttributeList::findAttributes(std::string_view name) const {
  std::vector<const Attribute*> out;
  for (const auto& a : attributes) {
    if (iequals(a.name, name)) out.push_back(&a);
  }
  return out;
}

void AttributeList::addAttribute(std::string name, std::optional<std::string> value) {
  attributes.push_back(Attribute{std::move(name), std::move(value)});
}

size_t AttributeList::removeAttributes(std::string_view name) {
  return std::erase_if(attributes, [&](const Attribute& a) { return iequals(a.name, name); });
}

Result<Connection> parseConnection(std::string_view value) {
  auto f = splitFields(value);
  if (f.size() != 3) return fieldError("c= needs <nettype> <addrtype> <connection-address>");
  if (!isToken(f[0]) || !isToken(f[1])) return fieldError("c= nettype and addrtype must be tokens");
  Connection c{std::string(f[0]), std::string(f[1]), std::string(f[2]), std::nullopt, std::nullopt};
  bool ip4 = iequals(c.addrType, "IP4");
  bool ip6 = iequals(c.addrType, "IP6");
  if (!ip4 && !ip6) return c;  // extension address types are kept verbatim (5.7)
  auto parts = split(f[2], '/');
  size_t maxSuffixes = ip4 ? 2 : 1;
  if (parts.size() > maxSuffixes + 1) {
    return fieldError("c= address '" + excerpt(f[2]) + "' has too many '/' suffixes");
  }
  if (parts[0].empty()) return fieldError("c= connection address is empty");
  c.address = std::string(parts[0]);
  std::vector<uint32_t> nums;
  for (size_t i = 1; i < parts.size(); ++i) {
    auto v = parseNumber<uint32_t>(parts[i]);
    if (!v) return fieldError("c= suffix '/" + excerpt(parts[i]) + "' is not a number");
    nums.push_back(*v);
  }
  if (ip4 && !nums.empty()) {
    if (nums[0] > 255) return fieldError("c= TTL must be 0 to 255");
    c.ttl = nums[0];
    if (nums.size() > 1) c.numAddresses = nums[1];
  } else if (ip6 && !nums.empty()) {
    c.numAddresses = nums[0];
  }
  return c;
}

std::string formatConnection(const Connection& c) {
  std::string out = c.netType + " " + c.addrType + " " + c.address;
  if (c.ttl) out += "/" + std::to_string(*c.ttl);
  if (c.numAddresses) out += "/" + std::to_string(*c.numAddresses);
  return out;
}

std::optional<uint64_t> parseTypedTime(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t unit = 1;
  switch (s.back()) {
    case 'd':
      unit = 86400;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'm':
      unit = 60;
      break;
    case 's':
      unit = 1;
      break;
    default:
      unit = 0;
      break;
  }
  if (unit != 0) {
    s.remove_suffix(1);
  } else {
    unit = 1;
  }
  if (!isDigits(s)) return std::nullopt;
  auto v = parseNumber<uint64_t>(s);
  if (!v || *v > std::numeric_limits<uint64_t>::max() / unit) return std::nullopt;
  return *v * unit;
}

Result<SessionDescription> parseSdp(std::string_view text) { return Parser(text).run(); }

std::string serialize(const SessionDescription& sdp) {
  std::string out;
  out.reserve(256 + sdp.media.size() * 256);
  out += "v=0\r\n";
  const Origin& o = sdp.origin;
  appendLine(out, 'o',
             o.username + " " + o.sessionId + " " + o.sessionVersion + " " + o.netType + " " +
                 o.addrType + " " + o.address);
  appendLine(out, 's', sdp.sessionName);
  if (sdp.information) appendLine(out, 'i', *sdp.information);
  if (sdp.uri) appendLine(out, 'u', *sdp.uri);
  for (const auto& e : sdp.emails) appendLine(out, 'e', e);
  for (const auto& p : sdp.phones) appendLine(out, 'p', p);
  if (sdp.connection) appendLine(out, 'c', formatConnection(*sdp.connection));
  appendBandwidths(out, sdp.bandwidths);
  for (const auto& t : sdp.timings) {
    appendLine(out, 't', std::to_string(t.start) + " " + std::to_string(t.stop));
    for (const auto& r : t.repeats) {
      std::string line = r.interval + " " + r.duration;
      for (const auto& off : r.offsets) line += " " + off;
      appendLine(out, 'r', line);
    }
  }
  if (!sdp.timeZones.empty()) {
    std::vector<std::string> parts;
    for (const auto& z : sdp.timeZones) parts.push_back(z.time + " " + z.offset);
    appendLine(out, 'z', joinSpaces(parts));
  }
  if (sdp.key) appendLine(out, 'k', *sdp.key);
  appendAttributes(out, sdp.attributes);
  for (const auto& m : sdp.media) {
    std::string line = m.media + " " + std::to_string(m.port);
    if (m.numPorts) line += "/" + std::to_string(*m.numPorts);
    line += " " + m.proto;
    for (const auto& f : m.formats) line += " " + f;
    appendLine(out, 'm', line);
    if (m.information) appendLine(out, 'i', *m.information);
    for (const auto& c : m.connections) appendLine(out, 'c', formatConnection(c));
    appendBandwidths(out, m.bandwidths);
    if (m.key) appendLine(out, 'k', *m.key);
    appendAttributes(out, m.attributes);
  }
  return out;
}

std::optional<Connection> connectionFor(const SessionDescription& sdp, const MediaDescription& m) {
  if (!m.connections.empty()) return m.connections.front();
  return sdp.connection;
}

bool isIpv4Address(std::string_view s) {
  auto parts = split(s, '.');
  return parts.size() == 4 && std::all_of(parts.begin(), parts.end(), isIpv4Part);
}

bool isIpv6Address(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return false;
  // A dotted IPv4 tail counts as two groups (RFC 4291 section 2.2, form 3).
  int tailGroups = 0;
  size_t lastColon = s.rfind(':');
  if (lastColon == std::string_view::npos) return false;
  if (s.find('.', lastColon) != std::string_view::npos) {
    if (!isIpv4Address(s.substr(lastColon + 1))) return false;
    s = s.substr(0, lastColon + 1);
    tailGroups = 2;
    // "::1.2.3.4" leaves "::" and "a::1.2.3.4" leaves "a::"; "a:1.2.3.4" leaves "a:".
    if (!s.ends_with("::")) s.remove_suffix(1);
  }
  size_t dbl = s.find("::");
  if (dbl != std::string_view::npos && s.find("::", dbl + 1) != std::string_view::npos) {
    return false;
  }
  auto countGroups = [](std::string_view part, int& groups) {
    if (part.empty()) return true;
    for (auto g : split(part, ':')) {
      if (!isHexGroup(g)) return false;
      ++groups;
    }
    return true;
  };
  int groups = tailGroups;
  if (dbl == std::string_view::npos) {
    if (!countGroups(s, groups)) return false;
    return groups == 8;
  }
  if (!countGroups(s.substr(0, dbl), groups) || !countGroups(s.substr(dbl + 2), groups)) {
    return false;
  }
  return groups <= 7;
}

}  // namespace parley::sdp
