#include "common/sdp/attributes.hpp"

#include <algorithm>
#include <array>

#include "common/base/strings.hpp"

namespace parley::sdp {

namespace {

Error bad(std::string what) { return makeError(kSdpSyntaxError, std::move(what)); }

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool allOf(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}

bool isDigits(std::string_view s) { return allOf(s, isDigit); }

bool isTokenChar(char c) {
  if (isAlpha(c) || isDigit(c)) return true;
  return std::string_view("!#$%&'*+-.^_`{|}~").find(c) != std::string_view::npos;
}
bool isToken(std::string_view s) { return allOf(s, isTokenChar); }

// Splits on runs of SP and HTAB (RFC 4568 uses 1*WSP; other attributes are tolerated
// likewise), dropping empty pieces.
std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  auto ws = [](char c) { return c == ' ' || c == '\t'; };
  while (i < s.size()) {
    while (i < s.size() && ws(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !ws(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::string quoted(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out.push_back(c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '?');
  }
  if (s.size() > kMax) out += "...";
  return out + "'";
}

std::optional<std::string> valueOf(const AttributeList& attrs, std::string_view name) {
  const Attribute* a = attrs.findAttribute(name);
  if (a == nullptr) return std::nullopt;
  return a->value.value_or(std::string());
}

// Parses each attribute called `name` with `parse`, keeping the ones that succeed.
template <class T, class Fn>
std::vector<T> collect(const AttributeList& attrs, std::string_view name, Fn parse) {
  std::vector<T> out;
  for (const Attribute* a : attrs.findAttributes(name)) {
    auto r = parse(a->value.value_or(std::string()));
    if (r) out.push_back(std::move(r).value());
  }
  return out;
}

bool isIceChar(char c) { return isAlpha(c) || isDigit(c) || c == '+' || c == '/'; }

bool isBase64Char(char c) { return isAlpha(c) || isDigit(c) || c == '+' || c == '/'; }

}  // namespace

// ---- RTP payload formats ------------------------------------------------------------

Result<RtpMap> parseRtpMap(std::string_view value) {
  auto w = words(value);
  if (w.size() != 2) return bad("rtpmap needs <payload type> <encoding>/<clock rate>");
  auto pt = parseNumber<unsigned>(w[0]);
  if (!pt || *pt > 127) return bad("rtpmap payload type " + quoted(w[0]) + " is not 0 to 127");
  auto parts = split(w[1], '/');
  if (parts.size() < 2 || parts.size() > 3) {
    return bad("rtpmap encoding " + quoted(w[1]) + " is not <name>/<clock rate>[/<params>]");
  }
  if (!isToken(parts[0]))
    return bad("rtpmap encoding name " + quoted(parts[0]) + " is not a token");
  auto clock = parseNumber<uint32_t>(parts[1]);
  if (!clock || *clock == 0)
    return bad("rtpmap clock rate " + quoted(parts[1]) + " is not a positive number");
  RtpMap r{static_cast<uint8_t>(*pt), std::string(parts[0]), *clock, std::nullopt};
  if (parts.size() == 3) {
    auto ch = parseNumber<uint32_t>(parts[2]);
    if (!ch || *ch == 0)
      return bad("rtpmap encoding parameters " + quoted(parts[2]) + " are not a channel count");
    r.channels = *ch;
  }
  return r;
}

std::string formatRtpMap(const RtpMap& r) {
  std::string out =
      std::to_string(r.payloadType) + " " + r.encodingName + "/" + std::to_string(r.clockRate);
  if (r.channels) out += "/" + std::to_string(*r.channels);
  return out;
}

std::optional<RtpMap> staticPayloadType(uint8_t pt) {
  struct Entry {
    uint8_t pt;
    const char* name;
    uint32_t clock;
    uint32_t channels;  // 0: not audio, no encoding parameters
  };
  // RFC 3551 section 6, tables 4 and 5 (reserved and unassigned numbers left out).
  static constexpr std::array<Entry, 24> kTable{{
      {0, "PCMU", 8000, 1},   {3, "GSM", 8000, 1},    {4, "G723", 8000, 1},
      {5, "DVI4", 8000, 1},   {6, "DVI4", 16000, 1},  {7, "LPC", 8000, 1},
      {8, "PCMA", 8000, 1},   {9, "G722", 8000, 1},   {10, "L16", 44100, 2},
      {11, "L16", 44100, 1},  {12, "QCELP", 8000, 1}, {13, "CN", 8000, 1},
      {14, "MPA", 90000, 0},  {15, "G728", 8000, 1},  {16, "DVI4", 11025, 1},
      {17, "DVI4", 22050, 1}, {18, "G729", 8000, 1},  {25, "CelB", 90000, 0},
      {26, "JPEG", 90000, 0}, {28, "nv", 90000, 0},   {31, "H261", 90000, 0},
      {32, "MPV", 90000, 0},  {33, "MP2T", 90000, 0}, {34, "H263", 90000, 0},
  }};
  for (const auto& e : kTable) {
    if (e.pt != pt) continue;
    RtpMap r{e.pt, e.name, e.clock, std::nullopt};
    if (e.channels != 0) r.channels = e.channels;
    return r;
  }
  return std::nullopt;
}

std::vector<FmtpParameter> Fmtp::parameterList() const {
  std::vector<FmtpParameter> out;
  for (auto item : split(parameters, ';')) {
    item = trim(item);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      out.push_back({std::string(item), std::nullopt});
    } else {
      out.push_back(
          {std::string(trim(item.substr(0, eq))), std::string(trim(item.substr(eq + 1)))});
    }
  }
  return out;
}

Result<Fmtp> parseFmtp(std::string_view value) {
  size_t sp = value.find_first_of(" \t");
  std::string_view format = value.substr(0, sp);
  if (format.empty() || format.find_first_of("\t ") != std::string_view::npos) {
    return bad("fmtp needs <format> <parameters>");
  }
  Fmtp f{std::string(format), {}};
  if (sp != std::string_view::npos) {
    std::string_view rest = value.substr(sp);
    size_t start = rest.find_first_not_of(" \t");
    if (start != std::string_view::npos) f.parameters = std::string(rest.substr(start));
  }
  return f;
}

std::vector<RtpMap> rtpMaps(const MediaDescription& m) {
  return collect<RtpMap>(m, "rtpmap", parseRtpMap);
}

std::optional<RtpMap> rtpMap(const MediaDescription& m, std::string_view format) {
  auto pt = parseNumber<unsigned>(format);
  if (!pt) return std::nullopt;
  for (const Attribute* a : m.findAttributes("rtpmap")) {
    auto r = parseRtpMap(a->value.value_or(std::string()));
    if (r && r->payloadType == *pt) return std::move(r).value();
  }
  return std::nullopt;
}

std::optional<RtpMap> codecFor(const MediaDescription& m, std::string_view format) {
  if (auto r = rtpMap(m, format)) return r;
  auto pt = parseNumber<unsigned>(format);
  if (!pt || *pt > 127) return std::nullopt;
  return staticPayloadType(static_cast<uint8_t>(*pt));
}

std::optional<Fmtp> fmtp(const MediaDescription& m, std::string_view format) {
  for (const auto& f : collect<Fmtp>(m, "fmtp", parseFmtp)) {
    if (f.format == format) return f;
  }
  return std::nullopt;
}

// ---- Direction, packetisation, RTCP, mid ------------------------------------------

std::string_view toString(Direction d) {
  switch (d) {
    case Direction::SendRecv:
      return "sendrecv";
    case Direction::SendOnly:
      return "sendonly";
    case Direction::RecvOnly:
      return "recvonly";
    case Direction::Inactive:
      return "inactive";
  }
  return "sendrecv";
}

std::optional<Direction> directionFromName(std::string_view name) {
  for (auto d :
       {Direction::SendRecv, Direction::SendOnly, Direction::RecvOnly, Direction::Inactive}) {
    if (iequals(name, toString(d))) return d;
  }
  return std::nullopt;
}

std::optional<Direction> directionAttribute(const AttributeList& attrs) {
  for (const auto& a : attrs.attributes) {
    if (auto d = directionFromName(a.name)) return d;
  }
  return std::nullopt;
}

Direction direction(const SessionDescription& sdp, const MediaDescription& m) {
  if (auto d = directionAttribute(m)) return *d;
  if (auto d = directionAttribute(sdp)) return *d;
  return Direction::SendRecv;
}

void setDirection(AttributeList& attrs, Direction d) {
  std::erase_if(attrs.attributes,
                [](const Attribute& a) { return directionFromName(a.name).has_value(); });
  attrs.addAttribute(std::string(toString(d)));
}

Result<double> parsePtime(std::string_view value) {
  std::string_view v = trim(value);
  size_t dot = v.find('.');
  std::string_view whole = v.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : v.substr(dot + 1);
  auto w = parseNumber<uint32_t>(whole);
  if (!isDigits(whole) || !w || (dot != std::string_view::npos && !isDigits(frac))) {
    return bad("ptime " + quoted(value) + " is not a number of milliseconds");
  }
  double result = *w;
  double scale = 0.1;
  for (char c : frac) {
    result += (c - '0') * scale;
    scale /= 10;
  }
  if (result <= 0) return bad("ptime must be greater than zero");
  return result;
}

std::optional<double> ptime(const MediaDescription& m) {
  auto v = collect<double>(m, "ptime", parsePtime);
  if (v.empty()) return std::nullopt;
  return v.front();
}

std::optional<double> maxPtime(const MediaDescription& m) {
  auto v = collect<double>(m, "maxptime", parsePtime);
  if (v.empty()) return std::nullopt;
  return v.front();
}

Result<Rtcp> parseRtcp(std::string_view value) {
  auto w = words(value);
  if (w.size() != 1 && w.size() != 4) {
    return bad("rtcp needs <port> [<nettype> <addrtype> <connection-address>]");
  }
  auto port = parseNumber<uint16_t>(w[0]);
  if (!port) return bad("rtcp port " + quoted(w[0]) + " is not 0 to 65535");
  Rtcp r{*port, std::nullopt};
  if (w.size() == 4) {
    auto c = parseConnection(std::string(w[1]) + " " + std::string(w[2]) + " " + std::string(w[3]));
    if (!c) return bad("rtcp address: " + c.error().message);
    r.connection = std::move(c).value();
  }
  return r;
}

std::optional<Rtcp> rtcp(const MediaDescription& m) {
  auto v = collect<Rtcp>(m, "rtcp", parseRtcp);
  if (v.empty()) return std::nullopt;
  return v.front();
}

bool hasRtcpMux(const MediaDescription& m) { return m.hasAttribute("rtcp-mux"); }

std::optional<std::string> mid(const MediaDescription& m) { return valueOf(m, "mid"); }

// ---- ICE -------------------------------------------------------------------------------

Result<IceCandidate> parseIceCandidate(std::string_view value) {
  auto w = words(value);
  if (w.size() < 8) {
    return bad(
        "candidate needs <foundation> <component> <transport> <priority> <address> "
        "<port> typ <type>");
  }
  IceCandidate c;
  if (w[0].size() > 32 || !allOf(w[0], isIceChar)) {
    return bad("candidate foundation " + quoted(w[0]) + " is not 1 to 32 ice-chars");
  }
  c.foundation = std::string(w[0]);
  auto comp = parseNumber<uint16_t>(w[1]);
  if (w[1].size() > 3 || !comp || *comp == 0 || *comp > 256) {
    return bad("candidate component " + quoted(w[1]) + " is not 1 to 256");
  }
  c.component = *comp;
  if (!isToken(w[2])) return bad("candidate transport " + quoted(w[2]) + " is not a token");
  c.transport = std::string(w[2]);
  auto prio = parseNumber<uint32_t>(w[3]);
  if (w[3].size() > 10 || !prio)
    return bad("candidate priority " + quoted(w[3]) + " is not a 32-bit number");
  c.priority = *prio;
  c.address = std::string(w[4]);
  auto port = parseNumber<uint16_t>(w[5]);
  if (!port) return bad("candidate port " + quoted(w[5]) + " is not 0 to 65535");
  c.port = *port;
  if (!iequals(w[6], "typ"))
    return bad("candidate: expected 'typ' after the port, got " + quoted(w[6]));
  if (!isToken(w[7])) return bad("candidate type " + quoted(w[7]) + " is not a token");
  c.type = std::string(w[7]);
  size_t i = 8;
  // raddr and rport come right after the type (RFC 8839 section 5.1 grammar).
  if (i + 1 < w.size() && iequals(w[i], "raddr")) {
    c.relatedAddress = std::string(w[i + 1]);
    i += 2;
  }
  if (i + 1 < w.size() && iequals(w[i], "rport")) {
    auto rport = parseNumber<uint16_t>(w[i + 1]);
    if (!rport) return bad("candidate rport " + quoted(w[i + 1]) + " is not 0 to 65535");
    c.relatedPort = *rport;
    i += 2;
  }
  for (; i < w.size(); i += 2) {
    if (i + 1 >= w.size()) return bad("candidate extension " + quoted(w[i]) + " has no value");
    c.extensions.emplace_back(std::string(w[i]), std::string(w[i + 1]));
  }
  return c;
}

std::string formatIceCandidate(const IceCandidate& c) {
  std::string out = c.foundation + " " + std::to_string(c.component) + " " + c.transport + " " +
                    std::to_string(c.priority) + " " + c.address + " " + std::to_string(c.port) +
                    " typ " + c.type;
  if (c.relatedAddress) out += " raddr " + *c.relatedAddress;
  if (c.relatedPort) out += " rport " + std::to_string(*c.relatedPort);
  for (const auto& [name, value] : c.extensions) out += " " + name + " " + value;
  return out;
}

std::vector<IceCandidate> iceCandidates(const MediaDescription& m) {
  return collect<IceCandidate>(m, "candidate", parseIceCandidate);
}

std::optional<std::string> iceUfrag(const SessionDescription& sdp, const MediaDescription& m) {
  if (auto v = valueOf(m, "ice-ufrag")) return v;
  return valueOf(sdp, "ice-ufrag");
}

std::optional<std::string> icePwd(const SessionDescription& sdp, const MediaDescription& m) {
  if (auto v = valueOf(m, "ice-pwd")) return v;
  return valueOf(sdp, "ice-pwd");
}

std::vector<std::string> iceOptions(const SessionDescription& sdp, const MediaDescription& m) {
  auto v = valueOf(m, "ice-options");
  if (!v) v = valueOf(sdp, "ice-options");
  std::vector<std::string> out;
  if (v) {
    for (auto w : words(*v)) out.emplace_back(w);
  }
  return out;
}

bool isIceLite(const SessionDescription& sdp) { return sdp.hasAttribute("ice-lite"); }

bool hasEndOfCandidates(const SessionDescription& sdp, const MediaDescription& m) {
  return m.hasAttribute("end-of-candidates") || sdp.hasAttribute("end-of-candidates");
}

// ---- SDES ------------------------------------------------------------------------------

namespace {

Result<CryptoKeyParam> parseKeyParam(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return bad("crypto key-param " + quoted(text) + " is not <method>:<info>");
  }
  CryptoKeyParam k;
  k.method = std::string(text.substr(0, colon));
  k.info = std::string(text.substr(colon + 1));
  if (!isToken(k.method)) return bad("crypto key method " + quoted(k.method) + " is not a token");
  if (!iequals(k.method, "inline")) return k;  // extension methods are kept verbatim
  auto parts = split(k.info, '|');
  if (parts.size() > 3) return bad("crypto inline key has more than <key>|<lifetime>|<MKI>");
  std::string_view key = parts[0];
  size_t pad = key.find_last_not_of('=');
  if (key.empty() || pad == std::string_view::npos || key.size() - pad - 1 > 2 ||
      !std::all_of(key.begin(), key.begin() + static_cast<std::ptrdiff_t>(pad + 1), isBase64Char)) {
    return bad("crypto inline key " + quoted(key) + " is not base64");
  }
  k.key = std::string(key);
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    size_t c = p.find(':');
    if (c != std::string_view::npos) {
      // MKI: <value>:<length in bytes>, always the last field (RFC 4568 section 9.1).
      if (i + 1 != parts.size() || k.mki) return bad("crypto MKI must be the last key field");
      auto value = parseNumber<uint64_t>(p.substr(0, c));
      auto length = parseNumber<uint32_t>(p.substr(c + 1));
      if (!value || !length || *length == 0 || *length > 128 || p.size() - c - 1 > 3) {
        return bad("crypto MKI " + quoted(p) + " is not <value>:<length 1-128>");
      }
      k.mki = *value;
      k.mkiLength = *length;
    } else {
      std::string_view digits = p.starts_with("2^") ? p.substr(2) : p;
      if (k.lifetime || !isDigits(digits)) {
        return bad("crypto lifetime " + quoted(p) + " is not [2^]<digits>");
      }
      k.lifetime = std::string(p);
    }
  }
  return k;
}

}  // namespace

Result<Crypto> parseCrypto(std::string_view value) {
  auto w = words(value);
  if (w.size() < 3) return bad("crypto needs <tag> <crypto-suite> <key-params>");
  auto tag = parseNumber<uint32_t>(w[0]);
  if (w[0].size() > 9 || !tag) return bad("crypto tag " + quoted(w[0]) + " is not 1 to 9 digits");
  if (!allOf(w[1], [](char c) { return isAlpha(c) || isDigit(c) || c == '_'; })) {
    return bad("crypto suite " + quoted(w[1]) + " is not letters, digits and '_'");
  }
  Crypto c{*tag, std::string(w[1]), {}, {}};
  for (auto kp : split(w[2], ';')) {
    auto k = parseKeyParam(kp);
    if (!k) return k.error();
    c.keyParams.push_back(std::move(k).value());
  }
  for (size_t i = 3; i < w.size(); ++i) c.sessionParams.emplace_back(w[i]);
  return c;
}

std::vector<Crypto> cryptos(const MediaDescription& m) {
  return collect<Crypto>(m, "crypto", parseCrypto);
}

std::optional<std::string> decodeBase64(std::string_view s) {
  while (s.ends_with('=')) s.remove_suffix(1);
  std::string out;
  out.reserve(s.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    uint32_t v = 0;
    if (c >= 'A' && c <= 'Z') {
      v = static_cast<uint32_t>(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      v = static_cast<uint32_t>(c - 'a' + 26);
    } else if (c >= '0' && c <= '9') {
      v = static_cast<uint32_t>(c - '0' + 52);
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else {
      return std::nullopt;
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (bits >= 6) return std::nullopt;  // a single trailing sextet carries no whole byte
  return out;
}

// ---- DTLS ------------------------------------------------------------------------------

Result<Fingerprint> parseFingerprint(std::string_view value) {
  auto w = words(value);
  if (w.size() != 2) return bad("fingerprint needs <hash-function> <fingerprint>");
  if (!isToken(w[0])) return bad("fingerprint hash function " + quoted(w[0]) + " is not a token");
  auto pairs = split(w[1], ':');
  for (auto p : pairs) {
    bool hex = p.size() == 2 && std::all_of(p.begin(), p.end(), [](char c) {
                 return isDigit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
               });
    if (!hex) return bad("fingerprint " + quoted(w[1]) + " is not hex pairs separated by ':'");
  }
  return Fingerprint{std::string(w[0]), std::string(w[1])};
}

std::string_view toString(Setup s) {
  switch (s) {
    case Setup::Active:
      return "active";
    case Setup::Passive:
      return "passive";
    case Setup::ActPass:
      return "actpass";
    case Setup::HoldConn:
      return "holdconn";
  }
  return "actpass";
}

Result<Setup> parseSetup(std::string_view value) {
  std::string_view v = trim(value);
  for (auto s : {Setup::Active, Setup::Passive, Setup::ActPass, Setup::HoldConn}) {
    if (iequals(v, toString(s))) return s;
  }
  return bad("setup " + quoted(value) + " is not active, passive, actpass or holdconn");
}

std::vector<Fingerprint> fingerprints(const SessionDescription& sdp, const MediaDescription& m) {
  auto v = collect<Fingerprint>(m, "fingerprint", parseFingerprint);
  if (v.empty()) v = collect<Fingerprint>(sdp, "fingerprint", parseFingerprint);
  return v;
}

std::optional<Setup> setup(const SessionDescription& sdp, const MediaDescription& m) {
  auto v = collect<Setup>(m, "setup", parseSetup);
  if (v.empty()) v = collect<Setup>(sdp, "setup", parseSetup);
  if (v.empty()) return std::nullopt;
  return v.front();
}

}  // namespace parley::sdp
