#include "common/sip/validate.hpp"

#include <array>

#include "common/base/strings.hpp"
#include "common/sip/lexer.hpp"
#include "common/sip/message_internal.hpp"

namespace parley::sip {

namespace {

Rejection reject(int status, std::string reason) {
  Rejection r;
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

// §8.1.1 mandatory header fields. Max-Forwards is mandatory too, but RFC 2543 peers omit
// it and RFC 4475 §3.4.1 requires processing them, so it is checked only when present.
constexpr std::array<HeaderId, 5> kRequired = {HeaderId::To, HeaderId::From, HeaderId::CallId,
                                               HeaderId::CSeq, HeaderId::Via};

// Header fields whose grammar allows exactly one value (not a §7.3.1 list).
constexpr std::array<HeaderId, 7> kSingular = {
    HeaderId::To,          HeaderId::From,          HeaderId::CallId,     HeaderId::CSeq,
    HeaderId::MaxForwards, HeaderId::ContentLength, HeaderId::ContentType};

void appendName(std::string& list, HeaderId id) {
  if (!list.empty()) list += ", ";
  list.append(canonicalHeaderName(id));
}

// Call-ID = word [ "@" word ] (§25.1): no whitespace, not empty.
bool validCallId(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return false;
  }
  return true;
}

bool twoDigits(std::string_view s, size_t at, int lo, int hi) {
  if (at + 2 > s.size() || !lex::isDigit(s[at]) || !lex::isDigit(s[at + 1])) return false;
  const int v = (s[at] - '0') * 10 + (s[at + 1] - '0');
  return v >= lo && v <= hi;
}

// Date = rfc1123-date: wkday "," SP 2DIGIT SP month SP 4DIGIT SP time SP "GMT" (§20.17,
// §25.1). RFC 4475 §3.1.2.12 sends "EST".
bool validRfc1123Date(std::string_view d) {
  static constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu",
                                                            "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // "Sat, 13 Nov 2010 23:29:00 GMT" is exactly 29 octets.
  if (d.size() != 29) return false;
  bool day = false;
  for (auto k : kDays) day = day || d.substr(0, 3) == k;
  bool month = false;
  for (auto k : kMonths) month = month || d.substr(8, 3) == k;
  return day && month && d.substr(3, 2) == ", " && twoDigits(d, 5, 1, 31) && d[7] == ' ' &&
         d[11] == ' ' && twoDigits(d, 12, 0, 99) && twoDigits(d, 14, 0, 99) && d[16] == ' ' &&
         twoDigits(d, 17, 0, 23) && d[19] == ':' && twoDigits(d, 20, 0, 59) && d[22] == ':' &&
         twoDigits(d, 23, 0, 60) && d.substr(25) == " GMT";
}

// The checks common to requests and responses: the §8.1.1 headers are present, singular
// where the grammar says so, and parse. One pass counts the headers, one validates the list
// headers element by element without building vectors.
std::optional<Rejection> checkCommon(const Message& m, bool request) {
  std::array<uint32_t, detail::kHeaderIdCount> counts{};
  for (const Header& h : m.headers()) ++counts[static_cast<size_t>(h.id)];
  auto count = [&](HeaderId id) { return counts[static_cast<size_t>(id)]; };

  std::string missing;
  for (HeaderId id : kRequired) {
    if (count(id) == 0) appendName(missing, id);
  }
  if (!missing.empty()) {
    return reject(400, "missing required header field" +
                           std::string(missing.find(',') == std::string::npos ? "" : "s") + ": " +
                           missing);
  }
  std::string multiple;
  for (HeaderId id : kSingular) {
    if (count(id) > 1) appendName(multiple, id);
  }
  if (!multiple.empty()) {
    return reject(400, "multiple values in single-value header field" +
                           std::string(multiple.find(',') == std::string::npos ? "" : "s") + ": " +
                           multiple);
  }
  if (auto r = m.from(); !r) return reject(400, r.error().message);
  if (auto r = m.to(); !r) return reject(400, r.error().message);
  if (!validCallId(trim(m.callId()))) return reject(400, "malformed Call-ID header");
  auto cseq = m.cseq();
  if (!cseq) return reject(400, cseq.error().message);
  if (request && cseq->method != m.methodText()) {
    return reject(400, "CSeq method '" + cseq->method + "' does not match the request method '" +
                           m.methodText() + "'");
  }
  if (auto mf = m.header(HeaderId::MaxForwards)) {
    // Max-Forwards = 1*DIGIT in 0-255 (§20.22); RFC 4475 §3.1.2.4 sends 300.
    auto v = parseNumber<unsigned>(trim(*mf));
    if (!v || *v > 255) return reject(400, "malformed Max-Forwards header: must be 0-255");
  }
  if (auto date = m.header(HeaderId::Date); date && !validRfc1123Date(trim(*date))) {
    return reject(400, "malformed Date header: expected an RFC 1123 date in GMT");
  }

  // Via (every value: responses are routed back along them), and the name-addr lists a
  // proxy or registrar acts on.
  Error err;
  std::vector<std::string_view> scratch;
  bool firstVia = true;
  for (const Header& h : m.headers()) {
    bool ok = true;
    switch (h.id) {
      case HeaderId::Via:
        ok = detail::forEachElement(
            h.value, scratch,
            [&](std::string_view v) {
              auto via = parseVia(v);
              if (!via) {
                err = via.error();
                return false;
              }
              if (request && firstVia && via->protocol != "SIP/2.0") {
                err = makeError(400, "malformed Via header: sent-protocol '" + via->protocol +
                                         "' is not SIP/2.0");
                return false;
              }
              firstVia = false;
              return true;
            },
            err, h.id);
        break;
      case HeaderId::Contact:
        if (trim(h.value) == "*") break;  // checked by checkRequest
        [[fallthrough]];
      case HeaderId::Route:
      case HeaderId::RecordRoute:
        ok = detail::forEachElement(
            h.value, scratch,
            [&](std::string_view v) {
              auto na = parseNameAddr(v);
              if (!na) {
                err = detail::headerError(h.id, na.error());
                return false;
              }
              return true;
            },
            err, h.id);
        break;
      default:
        break;
    }
    if (!ok) return reject(err.code ? err.code : 400, err.message);
  }
  return std::nullopt;
}

}  // namespace

std::optional<Rejection> checkRequest(const Message& request) {
  return checkRequest(request, CheckOptions{});
}

std::optional<Rejection> checkRequest(const Message& request, const CheckOptions& options) {
  if (!request.isRequest()) return reject(400, "not a request");
  if (request.methodText().empty() || !lex::isTokenString(request.methodText())) {
    return reject(400, "malformed method");
  }
  // §16.3 step 1: reasonable syntax.
  if (auto r = checkCommon(request, true)) return r;
  const Uri& ruri = request.requestUri();
  if (ruri.isSip() && !ruri.headers.empty()) {
    // §19.1.1 table: headers are not allowed in a Request-URI; acting on them would let a
    // sender inject header fields (RFC 4475 §3.1.2.11).
    return reject(400,
                  "malformed Request-URI: URI headers ('?') are not allowed in a "
                  "Request-URI");
  }
  if (request.isStarContact()) {
    if (request.method() != Method::Register) {
      return reject(400, "Contact '*' is only allowed in REGISTER");
    }
    if (request.headerCount(HeaderId::Contact) > 1) {
      return reject(400, "Contact '*' must be the only Contact");
    }
  }
  // §16.3 step 2: URI scheme.
  if (ruri.scheme == Uri::Scheme::Other) {
    return reject(416, "unsupported URI scheme '" + ruri.schemeText + "' in the Request-URI");
  }
  // §16.3 step 4: Proxy-Require.
  Rejection unsupported;
  unsupported.status = 420;
  for (const Header& h : request.headers()) {
    if (h.id != HeaderId::ProxyRequire) continue;
    std::vector<std::string_view> tags;
    if (!lex::splitList(h.value, tags)) return reject(400, "malformed Proxy-Require header");
    for (std::string_view t : tags) {
      if (t.empty()) continue;
      bool supported = false;
      for (std::string_view s : options.supportedProxyRequire)
        supported = supported || iequals(s, t);
      if (!supported) unsupported.unsupported.emplace_back(t);
    }
  }
  if (!unsupported.unsupported.empty()) {
    unsupported.reason = "unsupported Proxy-Require option tag";
    if (unsupported.unsupported.size() > 1) unsupported.reason += "s";
    unsupported.reason += ": ";
    for (size_t i = 0; i < unsupported.unsupported.size(); ++i) {
      if (i) unsupported.reason += ", ";
      unsupported.reason += unsupported.unsupported[i];
    }
    return unsupported;
  }
  return std::nullopt;
}

bool maxForwardsExhausted(const Message& request) {
  auto mf = request.maxForwards();
  return mf && *mf == 0;
}

std::optional<Rejection> checkResponse(const Message& response) {
  if (!response.isResponse()) return reject(400, "not a response");
  if (response.status() < 100 || response.status() > 699) {
    return reject(400, "status code " + std::to_string(response.status()) + " is outside 100-699");
  }
  return checkCommon(response, false);
}

}  // namespace parley::sip
