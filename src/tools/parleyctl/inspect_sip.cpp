// `parleyctl inspect sip FILE`: parse a SIP message the way the Front End does and print it as
// JSON with the verdict (see inspect.hpp).
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "common/sip/message.hpp"
#include "common/sip/parser.hpp"
#include "common/sip/validate.hpp"
#include "tools/parleyctl/inspect.hpp"
#include "tools/parleyctl/input_file.hpp"

namespace parley::tools {

namespace {

// ordered_json keeps the fields in reading order (start line, headers, routing, verdict).
using json = nlohmann::ordered_json;

json paramsJson(const std::vector<sip::Param>& params) {
  json out = json::array();
  for (const auto& p : params) {
    json j;
    j["name"] = p.name;
    j["value"] = p.value ? json(*p.value) : json(nullptr);
    out.push_back(std::move(j));
  }
  return out;
}

json uriJson(const sip::Uri& uri) {
  json j;
  j["text"] = uri.toString();
  j["scheme"] = uri.schemeText;
  if (uri.isSip()) {
    j["user"] = uri.user;
    j["host"] = uri.host;
    j["port"] = uri.port ? json(*uri.port) : json(nullptr);
    j["params"] = paramsJson(uri.params);
    if (!uri.headers.empty()) j["headers"] = paramsJson(uri.headers);
  } else {
    j["opaque"] = uri.opaque;
    if (!uri.params.empty()) j["params"] = paramsJson(uri.params);
  }
  return j;
}

json nameAddrJson(const sip::NameAddr& na) {
  json j;
  j["display"] = na.displayName;
  j["uri"] = uriJson(na.uri);
  j["tag"] = na.tag();
  j["params"] = paramsJson(na.params);
  return j;
}

json viaJson(const sip::Via& via) {
  json j;
  j["protocol"] = via.protocol;
  j["transport"] = via.transport;
  j["host"] = via.host;
  j["port"] = via.port ? json(*via.port) : json(nullptr);
  j["branch"] = via.branch();
  j["params"] = paramsJson(via.params);
  return j;
}

// Each routing header separately, so one malformed header does not hide the others.
template <class T, class F>
void put(json& into, const char* key, const Result<T>& r, F convert) {
  if (r) {
    into[key] = convert(r.value());
  } else {
    into[key] = json{{"error", r.error().message}};
  }
}

json routingJson(const sip::Message& m) {
  json r = json::object();
  if (m.headerCount(sip::HeaderId::Via) > 0) {
    put(r, "via", m.vias(), [](const std::vector<sip::Via>& vs) {
      json a = json::array();
      for (const auto& v : vs) a.push_back(viaJson(v));
      return a;
    });
  }
  if (m.header(sip::HeaderId::From)) put(r, "from", m.from(), nameAddrJson);
  if (m.header(sip::HeaderId::To)) put(r, "to", m.to(), nameAddrJson);
  if (m.header(sip::HeaderId::CallId)) r["callId"] = std::string(m.callId());
  if (m.header(sip::HeaderId::CSeq)) {
    put(r, "cseq", m.cseq(), [](const sip::CSeq& c) {
      return json{{"number", c.number}, {"method", c.method}};
    });
  }
  if (auto mf = m.header(sip::HeaderId::MaxForwards)) {
    auto v = m.maxForwards();
    r["maxForwards"] = v ? json(*v) : json{{"error", "malformed: " + std::string(*mf)}};
  }
  if (m.isStarContact()) {
    r["contacts"] = "*";
  } else if (m.headerCount(sip::HeaderId::Contact) > 0) {
    put(r, "contacts", m.contacts(), [](const std::vector<sip::NameAddr>& cs) {
      json a = json::array();
      for (const auto& c : cs) a.push_back(nameAddrJson(c));
      return a;
    });
  }
  for (auto [id, key] : {std::pair{sip::HeaderId::Route, "route"},
                         std::pair{sip::HeaderId::RecordRoute, "recordRoute"},
                         std::pair{sip::HeaderId::Path, "path"}}) {
    if (m.headerCount(id) == 0) continue;
    put(r, key, m.nameAddrs(id), [](const std::vector<sip::NameAddr>& ns) {
      json a = json::array();
      for (const auto& n : ns) a.push_back(nameAddrJson(n));
      return a;
    });
  }
  return r;
}

json messageJson(const sip::Message& m) {
  json j;
  if (m.isRequest()) {
    j["kind"] = "request";
    j["startLine"] = {{"method", m.methodText()},
                      {"requestUri", uriJson(m.requestUri())},
                      {"version", "SIP/2.0"}};
  } else {
    j["kind"] = "response";
    j["startLine"] = {{"version", "SIP/2.0"}, {"status", m.status()}, {"reason", m.reason()}};
  }
  json headers = json::array();
  for (const auto& h : m.headers()) headers.push_back({{"name", h.name}, {"value", h.value}});
  j["headers"] = std::move(headers);
  j["routing"] = routingJson(m);
  j["bodyLength"] = m.body.size();
  return j;
}

void print(std::ostream& out, const json& j) {
  // Messages may carry arbitrary octets (RFC 4475 §3.1.1.2); never throw on bad UTF-8.
  out << j.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

}  // namespace

int inspectSipFile(const std::string& path, std::ostream& out, std::ostream& err) {
  auto file = readInputFile(path, err);
  if (!file) return 2;
  const std::string& bytes = *file;
  json j;
  j["file"] = path;
  j["size"] = bytes.size();
  auto parsed = sip::parseMessage(bytes);
  if (!parsed) {
    j["verdict"] = {
        {"accepted", false}, {"status", parsed.error().code}, {"reason", parsed.error().message}};
    print(out, j);
    out << "rejected: " << parsed.error().code << ' ' << parsed.error().message << '\n';
    return 1;
  }
  const sip::Message& m = parsed.value();
  j.update(messageJson(m));
  auto rejection = m.isRequest() ? sip::checkRequest(m) : sip::checkResponse(m);
  if (rejection) {
    json v = {{"accepted", false}, {"status", rejection->status}, {"reason", rejection->reason}};
    if (!rejection->unsupported.empty()) v["unsupported"] = rejection->unsupported;
    j["verdict"] = std::move(v);
    print(out, j);
    out << "rejected: " << rejection->status << ' ' << rejection->reason << '\n';
    return 1;
  }
  json v = {{"accepted", true}};
  if (m.isRequest() && sip::maxForwardsExhausted(m)) {
    v["note"] = "Max-Forwards is 0: a proxy answers 483 instead of forwarding";
  }
  j["verdict"] = std::move(v);
  print(out, j);
  return 0;
}

}  // namespace parley::tools
