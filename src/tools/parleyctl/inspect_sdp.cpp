// `parleyctl inspect sdp FILE`: the parsed session description as JSON.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "common/base/strings.hpp"
#include "common/sdp/attributes.hpp"
#include "common/sdp/sdp.hpp"
#include "tools/parleyctl/inspect.hpp"
#include "tools/parleyctl/input_file.hpp"

namespace parley::tools {

namespace {

using json = nlohmann::ordered_json;
namespace sdp = parley::sdp;

// SDP text fields are byte strings (RFC 8866 section 5) and need not be UTF-8; nlohmann
// throws on invalid UTF-8 when dumping, so such bytes are shown as U+FFFD.
std::string text(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool ok = len != 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

json toJson(const sdp::Connection& c) {
  json j{
      {"netType", text(c.netType)}, {"addrType", text(c.addrType)}, {"address", text(c.address)}};
  if (c.ttl) j["ttl"] = *c.ttl;
  if (c.numAddresses) j["numAddresses"] = *c.numAddresses;
  return j;
}

json toJson(const std::vector<sdp::Attribute>& attrs) {
  json out = json::array();
  for (const auto& a : attrs) {
    json j{{"name", text(a.name)}};
    if (a.value) j["value"] = text(*a.value);
    out.push_back(std::move(j));
  }
  return out;
}

json toJson(const sdp::IceCandidate& c) {
  json j{{"foundation", text(c.foundation)},
         {"component", c.component},
         {"transport", text(c.transport)},
         {"priority", c.priority},
         {"address", text(c.address)},
         {"port", c.port},
         {"type", text(c.type)}};
  if (c.relatedAddress) j["relatedAddress"] = text(*c.relatedAddress);
  if (c.relatedPort) j["relatedPort"] = *c.relatedPort;
  json ext = json::object();
  for (const auto& [name, value] : c.extensions) ext[text(name)] = text(value);
  if (!ext.empty()) j["extensions"] = std::move(ext);
  return j;
}

json toJson(const sdp::Crypto& c) {
  json keys = json::array();
  for (const auto& k : c.keyParams) {
    json j{{"method", text(k.method)}};
    if (k.key.empty()) {
      j["info"] = text(k.info);
    } else {
      j["key"] = text(k.key);
    }
    if (k.lifetime) j["lifetime"] = text(*k.lifetime);
    if (k.mki) j["mki"] = *k.mki;
    if (k.mkiLength) j["mkiLength"] = *k.mkiLength;
    keys.push_back(std::move(j));
  }
  json params = json::array();
  for (const auto& p : c.sessionParams) params.push_back(text(p));
  return json{{"tag", c.tag},
              {"suite", text(c.suite)},
              {"keyParams", std::move(keys)},
              {"sessionParams", std::move(params)}};
}

// Attributes Parley interprets, paired with their validator: a malformed one is listed
// under "invalidAttributes" with the reason, so an operator sees why it was ignored.
template <class Fn>
void checkAttribute(json& invalid, const sdp::Attribute& a, Fn parse) {
  auto r = parse(a.value.value_or(std::string()));
  if (!r) {
    invalid.push_back(json{{"name", text(a.name)},
                           {"value", text(a.value.value_or(std::string()))},
                           {"error", text(r.error().message)}});
  }
}

json invalidAttributes(const sdp::AttributeList& attrs) {
  json invalid = json::array();
  for (const auto& a : attrs.attributes) {
    if (iequals(a.name, "rtpmap")) checkAttribute(invalid, a, sdp::parseRtpMap);
    if (iequals(a.name, "fmtp")) checkAttribute(invalid, a, sdp::parseFmtp);
    if (iequals(a.name, "ptime") || iequals(a.name, "maxptime")) {
      checkAttribute(invalid, a, sdp::parsePtime);
    }
    if (iequals(a.name, "rtcp")) checkAttribute(invalid, a, sdp::parseRtcp);
    if (iequals(a.name, "candidate")) checkAttribute(invalid, a, sdp::parseIceCandidate);
    if (iequals(a.name, "crypto")) checkAttribute(invalid, a, sdp::parseCrypto);
    if (iequals(a.name, "fingerprint")) checkAttribute(invalid, a, sdp::parseFingerprint);
    if (iequals(a.name, "setup")) checkAttribute(invalid, a, sdp::parseSetup);
  }
  return invalid;
}

json mediaJson(const sdp::SessionDescription& s, const sdp::MediaDescription& m) {
  json formats = json::array();
  json codecs = json::array();
  for (const auto& f : m.formats) {
    formats.push_back(text(f));
    auto codec = sdp::codecFor(m, f);
    auto params = sdp::fmtp(m, f);
    if (!codec && !params) continue;
    json c{{"format", text(f)}};
    if (codec) {
      c["payloadType"] = codec->payloadType;
      c["encodingName"] = text(codec->encodingName);
      c["clockRate"] = codec->clockRate;
      if (codec->channels) c["channels"] = *codec->channels;
      c["static"] = !sdp::rtpMap(m, f).has_value();
    }
    if (params) c["fmtp"] = text(params->parameters);
    codecs.push_back(std::move(c));
  }
  json j{{"media", text(m.media)},
         {"port", m.port},
         {"proto", text(m.proto)},
         {"formats", std::move(formats)},
         {"codecs", std::move(codecs)},
         {"direction", std::string(sdp::toString(sdp::direction(s, m)))},
         {"rtcpMux", sdp::hasRtcpMux(m)}};
  if (m.numPorts) j["numPorts"] = *m.numPorts;
  if (m.information) j["information"] = text(*m.information);
  if (auto c = sdp::connectionFor(s, m)) j["connection"] = toJson(*c);
  if (!m.bandwidths.empty()) {
    json bw = json::array();
    for (const auto& b : m.bandwidths)
      bw.push_back(json{{"type", text(b.type)}, {"value", b.value}});
    j["bandwidths"] = std::move(bw);
  }
  if (auto p = sdp::ptime(m)) j["ptime"] = *p;
  if (auto p = sdp::maxPtime(m)) j["maxptime"] = *p;
  if (auto r = sdp::rtcp(m)) {
    json rj{{"port", r->port}};
    if (r->connection) rj["connection"] = toJson(*r->connection);
    j["rtcp"] = std::move(rj);
  }
  if (auto id = sdp::mid(m)) j["mid"] = text(*id);

  json ice = json::object();
  if (auto u = sdp::iceUfrag(s, m)) ice["ufrag"] = text(*u);
  if (auto p = sdp::icePwd(s, m)) ice["pwd"] = text(*p);
  auto options = sdp::iceOptions(s, m);
  if (!options.empty()) {
    json o = json::array();
    for (const auto& opt : options) o.push_back(text(opt));
    ice["options"] = std::move(o);
  }
  json candidates = json::array();
  for (const auto& c : sdp::iceCandidates(m)) candidates.push_back(toJson(c));
  if (!candidates.empty()) ice["candidates"] = std::move(candidates);
  if (sdp::hasEndOfCandidates(s, m)) ice["endOfCandidates"] = true;
  if (!ice.empty()) j["ice"] = std::move(ice);

  json crypto = json::array();
  for (const auto& c : sdp::cryptos(m)) crypto.push_back(toJson(c));
  if (!crypto.empty()) j["crypto"] = std::move(crypto);
  json fps = json::array();
  for (const auto& f : sdp::fingerprints(s, m)) {
    fps.push_back(json{{"hashFunction", text(f.hashFunction)}, {"value", text(f.value)}});
  }
  if (!fps.empty()) j["fingerprints"] = std::move(fps);
  if (auto st = sdp::setup(s, m)) j["setup"] = std::string(sdp::toString(*st));
  j["attributes"] = toJson(m.attributes);
  json invalid = invalidAttributes(m);
  if (!invalid.empty()) j["invalidAttributes"] = std::move(invalid);
  return j;
}

json sessionJson(const sdp::SessionDescription& s) {
  const auto& o = s.origin;
  json j{{"origin",
          {{"username", text(o.username)},
           {"sessionId", text(o.sessionId)},
           {"sessionVersion", text(o.sessionVersion)},
           {"netType", text(o.netType)},
           {"addrType", text(o.addrType)},
           {"address", text(o.address)}}},
         {"sessionName", text(s.sessionName)}};
  if (s.information) j["information"] = text(*s.information);
  if (s.uri) j["uri"] = text(*s.uri);
  if (!s.emails.empty()) {
    json e = json::array();
    for (const auto& v : s.emails) e.push_back(text(v));
    j["emails"] = std::move(e);
  }
  if (!s.phones.empty()) {
    json p = json::array();
    for (const auto& v : s.phones) p.push_back(text(v));
    j["phones"] = std::move(p);
  }
  j["connection"] = s.connection ? toJson(*s.connection) : json(nullptr);
  if (!s.bandwidths.empty()) {
    json bw = json::array();
    for (const auto& b : s.bandwidths)
      bw.push_back(json{{"type", text(b.type)}, {"value", b.value}});
    j["bandwidths"] = std::move(bw);
  }
  json timing = json::array();
  for (const auto& t : s.timings) {
    json tj{{"start", t.start}, {"stop", t.stop}};
    if (!t.repeats.empty()) {
      json reps = json::array();
      for (const auto& r : t.repeats) {
        json offs = json::array();
        for (const auto& off : r.offsets) offs.push_back(text(off));
        reps.push_back(json{{"interval", text(r.interval)},
                            {"duration", text(r.duration)},
                            {"offsets", std::move(offs)}});
      }
      tj["repeats"] = std::move(reps);
    }
    timing.push_back(std::move(tj));
  }
  j["timing"] = std::move(timing);
  if (!s.timeZones.empty()) {
    json z = json::array();
    for (const auto& tz : s.timeZones)
      z.push_back(json{{"time", text(tz.time)}, {"offset", text(tz.offset)}});
    j["timeZones"] = std::move(z);
  }
  if (sdp::isIceLite(s)) j["iceLite"] = true;
  j["attributes"] = toJson(s.attributes);
  json invalid = invalidAttributes(s);
  if (!invalid.empty()) j["invalidAttributes"] = std::move(invalid);
  json media = json::array();
  for (const auto& m : s.media) media.push_back(mediaJson(s, m));
  j["media"] = std::move(media);
  return j;
}

}  // namespace

int inspectSdpFile(const std::string& path, std::ostream& out, std::ostream& err) {
  auto file = readInputFile(path, err);
  if (!file) return 2;
  const std::string& bytes = *file;
  auto parsed = sdp::parseSdp(bytes);
  if (!parsed) {
    out << "rejected: " << parsed.error().code << " " << parsed.error().message << "\n";
    return 1;
  }
  out << sessionJson(*parsed).dump(2) << "\n";
  return 0;
}

}  // namespace parley::tools
