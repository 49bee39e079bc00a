#include "common/sip/message.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>

#include "common/base/strings.hpp"
#include "common/sip/lexer.hpp"
#include "common/sip/message_internal.hpp"

namespace parley::sip {

namespace {

struct MethodEntry {
  std::string_view name;
  Method method;
};

constexpr std::array<MethodEntry, 15> kMethods = {{
    {"INVITE", Method::Invite},
    {"ACK", Method::Ack},
    {"BYE", Method::Bye},
    {"CANCEL", Method::Cancel},
    {"REGISTER", Method::Register},
    {"OPTIONS", Method::Options},
    {"MESSAGE", Method::Message},
    {"INFO", Method::Info},
    {"UPDATE", Method::Update},
    {"REFER", Method::Refer},
    {"PRACK", Method::Prack},
    {"SUBSCRIBE", Method::Subscribe},
    {"NOTIFY", Method::Notify},
    {"PUBLISH", Method::Publish},
    {"SERVICE", Method::Service},
}};

struct HeaderEntry {
  std::string_view name;
  HeaderId id;
};

// Indexed by HeaderId.
constexpr std::array<std::string_view, 38> kCanonical = {
    "",
    "Via",
    "From",
    "To",
    "Call-ID",
    "CSeq",
    "Max-Forwards",
    "Contact",
    "Content-Length",
    "Content-Type",
    "Content-Encoding",
    "Route",
    "Record-Route",
    "Expires",
    "Min-Expires",
    "Authorization",
    "Proxy-Authorization",
    "WWW-Authenticate",
    "Proxy-Authenticate",
    "Authentication-Info",
    "Require",
    "Proxy-Require",
    "Supported",
    "Unsupported",
    "Allow",
    "Accept",
    "Event",
    "Subject",
    "User-Agent",
    "Server",
    "Warning",
    "Timestamp",
    "Refer-To",
    "Referred-By",
    "Date",
    "Retry-After",
    "Allow-Events",
    "Path",
};
static_assert(static_cast<size_t>(HeaderId::Path) + 1 == kCanonical.size());

// Canonical names grouped by lower-case first letter, for headerIdFromName.
struct Buckets {
  std::array<std::array<uint8_t, 8>, 26> ids{};
  std::array<uint8_t, 26> count{};
};

constexpr Buckets makeBuckets() {
  Buckets b;
  for (size_t i = 1; i < kCanonical.size(); ++i) {
    const auto letter = static_cast<size_t>(asciiLower(kCanonical[i][0]) - 'a');
    b.ids[letter][b.count[letter]++] = static_cast<uint8_t>(i);  // overflow fails to compile
  }
  return b;
}

constexpr Buckets kBuckets = makeBuckets();

// RFC 3261 §7.3.3 and later extensions' compact forms that map onto a HeaderId.
constexpr HeaderId compactId(char c) noexcept {
  switch (asciiLower(c)) {
    case 'v':
      return HeaderId::Via;
    case 'f':
      return HeaderId::From;
    case 't':
      return HeaderId::To;
    case 'i':
      return HeaderId::CallId;
    case 'm':
      return HeaderId::Contact;
    case 'l':
      return HeaderId::ContentLength;
    case 'c':
      return HeaderId::ContentType;
    case 'e':
      return HeaderId::ContentEncoding;
    case 'k':
      return HeaderId::Supported;
    case 's':
      return HeaderId::Subject;
    case 'o':
      return HeaderId::Event;  // RFC 6665
    case 'r':
      return HeaderId::ReferTo;  // RFC 3515
    case 'b':
      return HeaderId::ReferredBy;  // RFC 3892
    case 'u':
      return HeaderId::AllowEvents;  // RFC 6665
    default:
      return HeaderId::Other;
  }
}

// Compact forms of headers Parley has no HeaderId for; stored under their long names.
constexpr std::string_view compactOtherName(char c) noexcept {
  switch (asciiLower(c)) {
    case 'a':
      return "Accept-Contact";  // RFC 3841
    case 'j':
      return "Reject-Contact";  // RFC 3841
    case 'd':
      return "Request-Disposition";  // RFC 3841
    case 'x':
      return "Session-Expires";  // RFC 4028
    case 'y':
      return "Identity";  // RFC 8224
    case 'n':
      return "Identity-Info";  // RFC 4474
    default:
      return {};
  }
}

bool sameKind(const Header& h, HeaderId id) noexcept { return h.id == id; }

}  // namespace

Method methodFromString(std::string_view text) noexcept {
  for (const auto& e : kMethods) {
    if (e.name == text) return e.method;
  }
  return Method::Unknown;
}

std::string_view methodName(Method m) noexcept {
  for (const auto& e : kMethods) {
    if (e.method == m) return e.name;
  }
  return {};
}

namespace {

// Case-insensitive equality of a token (§25.1 token characters only) with a canonical name
// made of letters and '-'. OR-ing 0x20 folds ASCII letters; among token characters only '-'
// itself folds to '-', and none folds to a letter unless it is one, so for a token this is
// exact. Eight octets at a time: this runs once per header line.
bool tokenEqualsCanonical(std::string_view token, std::string_view canon) noexcept {
  const size_t n = token.size();
  constexpr uint64_t kFold = 0x2020202020202020ull;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t a = 0;
    uint64_t b = 0;
    std::memcpy(&a, token.data() + i, 8);
    std::memcpy(&b, canon.data() + i, 8);
    if ((a | kFold) != (b | kFold)) return false;
  }
  for (; i < n; ++i) {
    if ((token[i] | 0x20) != (canon[i] | 0x20)) return false;
  }
  return true;
}

}  // namespace

namespace detail {

HeaderId headerIdFromToken(std::string_view name) noexcept {
  if (name.size() == 1) return compactId(name[0]);
  if (name.size() < 2) return HeaderId::Other;
  // Dispatch on the first letter, then length: at most six candidates share a letter.
  const char first = asciiLower(name[0]);
  if (first < 'a' || first > 'z') return HeaderId::Other;
  const auto letter = static_cast<size_t>(first - 'a');
  for (uint8_t k = 0; k < kBuckets.count[letter]; ++k) {
    const uint8_t i = kBuckets.ids[letter][k];
    const std::string_view c = kCanonical[i];
    if (c.size() == name.size() && tokenEqualsCanonical(name, c)) {
      return static_cast<HeaderId>(i);
    }
  }
  return HeaderId::Other;
}

}  // namespace detail

HeaderId headerIdFromName(std::string_view name) noexcept {
  // Header names are tokens; anything else names no known header (and the fast comparison
  // is only exact for tokens).
  if (!lex::isTokenString(name)) return HeaderId::Other;
  return detail::headerIdFromToken(name);
}

std::string_view canonicalHeaderName(HeaderId id) noexcept {
  const auto i = static_cast<size_t>(id);
  return i < kCanonical.size() ? kCanonical[i] : std::string_view{};
}

namespace detail {

void resolveHeaderName(std::string_view name, HeaderId& id, std::string& out) {
  if (!lex::isTokenString(name)) {
    id = HeaderId::Other;
    out.assign(name);
    return;
  }
  resolveTokenHeaderName(name, id, out);
}

void resolveTokenHeaderName(std::string_view name, HeaderId& id, std::string& out) {
  id = headerIdFromToken(name);
  if (id != HeaderId::Other) {
    out.assign(canonicalHeaderName(id));
    return;
  }
  if (name.size() == 1) {
    std::string_view longName = compactOtherName(name[0]);
    if (!longName.empty()) {
      out.assign(longName);
      return;
    }
  }
  out.assign(name);
}

bool isListHeader(HeaderId id, std::string_view name) noexcept {
  switch (id) {
    case HeaderId::Via:
    case HeaderId::Contact:
    case HeaderId::Route:
    case HeaderId::RecordRoute:
    case HeaderId::Path:
    case HeaderId::Allow:
    case HeaderId::Supported:
    case HeaderId::Require:
    case HeaderId::ProxyRequire:
    case HeaderId::Unsupported:
    case HeaderId::Accept:
    case HeaderId::AllowEvents:
    case HeaderId::ContentEncoding:
    case HeaderId::Warning:
      return true;
    case HeaderId::Other:
      break;
    default:
      return false;
  }
  // Extension list headers whose elements never hold a bare comma (§25.1, RFC 3608, 3841,
  // 3329, 3455). Auth, Date and Retry-After style headers are deliberately absent.
  static constexpr std::array<std::string_view, 14> kLists = {
      "Accept-Encoding", "Accept-Language", "Alert-Info",       "Call-Info",       "Error-Info",
      "In-Reply-To",     "Service-Route",   "Content-Language", "Accept-Contact",  "Reject-Contact",
      "Security-Client", "Security-Server", "Security-Verify",  "P-Associated-URI"};
  for (std::string_view l : kLists) {
    if (iequals(l, name)) return true;
  }
  return false;
}

}  // namespace detail

Message Message::request(std::string method, Uri requestUri) {
  Message m;
  m.isRequest_ = true;
  m.method_ = methodFromString(method);
  m.methodText_ = std::move(method);
  m.requestUri_ = std::move(requestUri);
  return m;
}

Message Message::response(int status, std::string reason) {
  Message m;
  m.isRequest_ = false;
  m.status_ = status;
  m.reason_ = std::move(reason);
  return m;
}

void Message::setMethod(std::string text) {
  method_ = methodFromString(text);
  methodText_ = std::move(text);
}

void Message::setStatus(int status, std::string reason) {
  status_ = status;
  reason_ = std::move(reason);
}

std::optional<std::string_view> Message::header(HeaderId id) const noexcept {
  for (const Header& h : headers_) {
    if (h.id == id) return std::string_view(h.value);
  }
  return std::nullopt;
}

std::optional<std::string_view> Message::header(std::string_view name) const noexcept {
  HeaderId id = headerIdFromName(name);
  if (id != HeaderId::Other) return header(id);
  std::string_view longName = name.size() == 1 ? compactOtherName(name[0]) : std::string_view{};
  for (const Header& h : headers_) {
    if (h.id == HeaderId::Other &&
        (iequals(h.name, name) || (!longName.empty() && iequals(h.name, longName)))) {
      return std::string_view(h.value);
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> Message::headerValues(HeaderId id) const {
  std::vector<std::string_view> out;
  for (const Header& h : headers_) {
    if (h.id == id) out.emplace_back(h.value);
  }
  return out;
}

size_t Message::headerCount(HeaderId id) const noexcept {
  return static_cast<size_t>(std::count_if(headers_.begin(), headers_.end(),
                                           [id](const Header& h) { return h.id == id; }));
}

void Message::addHeader(HeaderId id, std::string value) {
  headers_.push_back(Header{id, std::string(canonicalHeaderName(id)), std::move(value)});
}

void Message::addHeader(std::string name, std::string value) {
  Header h;
  detail::resolveHeaderName(name, h.id, h.name);
  h.value = std::move(value);
  headers_.push_back(std::move(h));
}

void Message::prependHeader(HeaderId id, std::string value) {
  auto it = std::find_if(headers_.begin(), headers_.end(),
                         [id](const Header& h) { return sameKind(h, id); });
  if (it == headers_.end()) it = headers_.begin();
  headers_.insert(it, Header{id, std::string(canonicalHeaderName(id)), std::move(value)});
}

void Message::setHeader(HeaderId id, std::string value) {
  auto it = std::find_if(headers_.begin(), headers_.end(),
                         [id](const Header& h) { return sameKind(h, id); });
  if (it == headers_.end()) {
    addHeader(id, std::move(value));
    return;
  }
  it->value = std::move(value);
  it->name.assign(canonicalHeaderName(id));
  const auto keep = static_cast<size_t>(it - headers_.begin());
  size_t index = 0;
  std::erase_if(headers_, [&](const Header& h) { return index++ > keep && h.id == id; });
}

void Message::removeHeaders(HeaderId id) {
  std::erase_if(headers_, [id](const Header& h) { return h.id == id; });
}

void Message::removeFirstHeader(HeaderId id) {
  auto it = std::find_if(headers_.begin(), headers_.end(),
                         [id](const Header& h) { return sameKind(h, id); });
  if (it != headers_.end()) headers_.erase(it);
}

namespace detail {

Error headerError(HeaderId id, const Error& inner) {
  std::string m = "malformed ";
  m.append(canonicalHeaderName(id));
  m += " header: ";
  // Strip the generic prefix of the lower-level parser, the header name says it better.
  std::string_view msg = inner.message;
  for (std::string_view prefix :
       {"malformed name-addr: ", "malformed Via header: ", "malformed CSeq header: "}) {
    if (msg.substr(0, prefix.size()) == prefix) {
      msg.remove_prefix(prefix.size());
      break;
    }
  }
  m.append(msg);
  return makeError(400, std::move(m));
}

bool forEachElement(std::string_view value, std::vector<std::string_view>& scratch,
                    const std::function<bool(std::string_view)>& fn, Error& err, HeaderId id) {
  if (value.find(',') == std::string_view::npos) {
    // The parser has already split list values, so this is the common case.
    std::string_view v = trim(value);
    if (v.empty()) {
      err = headerError(id, makeError(400, "empty value"));
      return false;
    }
    return fn(v);
  }
  scratch.clear();
  if (!lex::splitList(value, scratch)) {
    err = headerError(id, makeError(400, "unbalanced quotes or <>"));
    return false;
  }
  for (std::string_view p : scratch) {
    if (p.empty()) {
      err = headerError(id, makeError(400, "empty list element"));
      return false;
    }
    if (!fn(p)) return false;
  }
  return true;
}

}  // namespace detail

namespace {

using detail::headerError;

Error missing(HeaderId id) {
  std::string m = "missing ";
  m.append(canonicalHeaderName(id));
  m += " header";
  return makeError(400, std::move(m));
}

// Splits one stored value into list elements (values normally arrive split by the parser,
// but callers may add "a, b" themselves).
template <class T, class F>
Result<std::vector<T>> parseListValues(const std::vector<Header>& headers, HeaderId id, F parse) {
  std::vector<T> out;
  std::vector<std::string_view> parts;
  for (const Header& h : headers) {
    if (h.id != id) continue;
    parts.clear();
    if (!lex::splitList(h.value, parts)) {
      return headerError(id, makeError(400, "unbalanced quotes or <>"));
    }
    for (std::string_view p : parts) {
      if (p.empty()) return headerError(id, makeError(400, "empty list element"));
      auto r = parse(p);
      if (!r) return headerError(id, r.error());
      out.push_back(std::move(r.value()));
    }
  }
  return out;
}

}  // namespace

Result<Via> Message::topVia() const {
  auto v = header(HeaderId::Via);
  if (!v) return missing(HeaderId::Via);
  std::vector<std::string_view> parts;
  if (!lex::splitList(*v, parts) || parts.empty() || parts.front().empty()) {
    return headerError(HeaderId::Via, makeError(400, "empty or unbalanced value"));
  }
  auto r = parseVia(parts.front());
  if (!r) return headerError(HeaderId::Via, r.error());
  return r;
}

Result<std::vector<Via>> Message::vias() const {
  return parseListValues<Via>(headers_, HeaderId::Via, parseVia);
}

Result<NameAddr> Message::from() const {
  auto v = header(HeaderId::From);
  if (!v) return missing(HeaderId::From);
  auto r = parseNameAddr(*v);
  if (!r) return headerError(HeaderId::From, r.error());
  return r;
}

Result<NameAddr> Message::to() const {
  auto v = header(HeaderId::To);
  if (!v) return missing(HeaderId::To);
  auto r = parseNameAddr(*v);
  if (!r) return headerError(HeaderId::To, r.error());
  return r;
}

Result<CSeq> Message::cseq() const {
  auto v = header(HeaderId::CSeq);
  if (!v) return missing(HeaderId::CSeq);
  auto r = parseCSeq(*v);
  if (!r) return headerError(HeaderId::CSeq, r.error());
  return r;
}

std::string_view Message::callId() const noexcept {
  auto v = header(HeaderId::CallId);
  return v ? *v : std::string_view{};
}

std::optional<int> Message::maxForwards() const noexcept {
  auto v = header(HeaderId::MaxForwards);
  if (!v) return std::nullopt;
  // 1*DIGIT (§25.1): parseNumber refuses signs, junk and overflow.
  auto n = parseNumber<unsigned>(trim(*v));
  if (!n || *n > 0x7FFFFFFFu) return std::nullopt;
  return static_cast<int>(*n);
}

Result<std::vector<NameAddr>> Message::contacts() const {
  std::vector<NameAddr> out;
  std::vector<std::string_view> parts;
  for (const Header& h : headers_) {
    if (h.id != HeaderId::Contact) continue;
    parts.clear();
    if (!lex::splitList(h.value, parts)) {
      return headerError(HeaderId::Contact, makeError(400, "unbalanced quotes or <>"));
    }
    for (std::string_view p : parts) {
      if (p == "*") continue;  // reported by isStarContact()
      if (p.empty()) return headerError(HeaderId::Contact, makeError(400, "empty list element"));
      auto r = parseNameAddr(p);
      if (!r) return headerError(HeaderId::Contact, r.error());
      out.push_back(std::move(r.value()));
    }
  }
  return out;
}

bool Message::isStarContact() const noexcept {
  for (const Header& h : headers_) {
    if (h.id == HeaderId::Contact && trim(h.value) == "*") return true;
  }
  return false;
}

Result<std::vector<NameAddr>> Message::nameAddrs(HeaderId id) const {
  return parseListValues<NameAddr>(headers_, id, parseNameAddr);
}

namespace {

// Parsed values never hold CR or LF, but values set by the application might (a reason
// phrase or display name taken from elsewhere). Writing them raw would let that text inject
// header fields, so each CR/LF goes out as SP, which §7.3.1 makes equivalent to a fold.
void appendLineSafe(std::string& out, std::string_view value) {
  // Fast path (every parsed value): two vectorised scans find neither octet.
  if (value.empty() || (std::memchr(value.data(), '\r', value.size()) == nullptr &&
                        std::memchr(value.data(), '\n', value.size()) == nullptr)) {
    out.append(value);
    return;
  }
  const char* from = value.data();
  const char* const end = from + value.size();
  for (const char* p = from; p != end; ++p) {
    if (*p == '\r' || *p == '\n') {
      out.append(from, p);
      out.push_back(' ');
      from = p + 1;
    }
  }
  out.append(from, end);
}

}  // namespace

std::string Message::serialize() const {
  size_t size = 64 + body.size();
  for (const Header& h : headers_) size += h.name.size() + h.value.size() + 4;
  std::string out;
  out.reserve(size);
  if (isRequest_) {
    out += methodText_;
    out.push_back(' ');
    out += requestUri_.toString();
    out += " SIP/2.0\r\n";
  } else {
    out += "SIP/2.0 ";
    out += std::to_string(status_);
    out.push_back(' ');
    appendLineSafe(out, reason_);
    out += "\r\n";
  }
  for (const Header& h : headers_) {
    if (h.id == HeaderId::ContentLength) continue;
    out += h.name;
    out += ": ";
    appendLineSafe(out, h.value);
    out += "\r\n";
  }
  out += "Content-Length: ";
  out += std::to_string(body.size());
  out += "\r\n\r\n";
  out += body;
  return out;
}

std::string_view defaultReason(int status) noexcept {
  switch (status) {
    case 100:
      return "Trying";
    case 180:
      return "Ringing";
    case 181:
      return "Call Is Being Forwarded";
    case 182:
      return "Queued";
    case 183:
      return "Session Progress";
    case 199:
      return "Early Dialog Terminated";
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 204:
      return "No Notification";
    case 300:
      return "Multiple Choices";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Moved Temporarily";
    case 305:
      return "Use Proxy";
    case 380:
      return "Alternative Service";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 412:
      return "Conditional Request Failed";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request-URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Unsupported URI Scheme";
    case 417:
      return "Unknown Resource-Priority";
    case 420:
      return "Bad Extension";
    case 421:
      return "Extension Required";
    case 422:
      return "Session Interval Too Small";
    case 423:
      return "Interval Too Brief";
    case 428:
      return "Use Identity Header";
    case 429:
      return "Provide Referrer Identity";
    case 430:
      return "Flow Failed";
    case 433:
      return "Anonymity Disallowed";
    case 436:
      return "Bad Identity-Info";
    case 437:
      return "Unsupported Certificate";
    case 438:
      return "Invalid Identity Header";
    case 439:
      return "First Hop Lacks Outbound Support";
    case 440:
      return "Max-Breadth Exceeded";
    case 469:
      return "Bad Info Package";
    case 470:
      return "Consent Needed";
    case 480:
      return "Temporarily Unavailable";
    case 481:
      return "Call/Transaction Does Not Exist";
    case 482:
      return "Loop Detected";
    case 483:
      return "Too Many Hops";
    case 484:
      return "Address Incomplete";
    case 485:
      return "Ambiguous";
    case 486:
      return "Busy Here";
    case 487:
      return "Request Terminated";
    case 488:
      return "Not Acceptable Here";
    case 489:
      return "Bad Event";
    case 491:
      return "Request Pending";
    case 493:
      return "Undecipherable";
    case 494:
      return "Security Agreement Required";
    case 500:
      return "Server Internal Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Server Time-out";
    case 505:
      return "Version Not Supported";
    case 513:
      return "Message Too Large";
    case 555:
      return "Push Notification Service Not Supported";
    case 580:
      return "Precondition Failure";
    case 600:
      return "Busy Everywhere";
    case 603:
      return "Decline";
    case 604:
      return "Does Not Exist Anywhere";
    case 606:
      return "Not Acceptable";
    case 607:
      return "Unwanted";
    case 608:
      return "Rejected";
    default:
      return {};
  }
}

Message makeResponse(const Message& request, int status, std::string_view reason,
                     std::string_view toTag) {
  Message r =
      Message::response(status, std::string(reason.empty() ? defaultReason(status) : reason));
  size_t n = 0;
  for (const Header& h : request.headers()) {
    switch (h.id) {
      case HeaderId::Via:
      case HeaderId::From:
      case HeaderId::To:
      case HeaderId::CallId:
      case HeaderId::CSeq:
        ++n;
        break;
      case HeaderId::Timestamp:
        if (status == 100) ++n;
        break;
      default:
        break;
    }
  }
  r.headers().reserve(n + 4);
  // §8.2.6.2: Via values in order, From, Call-ID and CSeq copied verbatim; To copied and
  // tagged; §8.2.6.1: a 100 Trying copies Timestamp.
  for (const Header& h : request.headers()) {
    switch (h.id) {
      case HeaderId::Via:
      case HeaderId::From:
      case HeaderId::CallId:
      case HeaderId::CSeq:
        r.headers().push_back(h);
        break;
      case HeaderId::Timestamp:
        if (status == 100) r.headers().push_back(h);
        break;
      case HeaderId::To: {
        Header to = h;
        if (!toTag.empty() && r.headerCount(HeaderId::To) == 0) {
          auto parsed = parseNameAddr(h.value);
          if (parsed && parsed->param("tag") == nullptr) {
            to.value += ";tag=";
            to.value.append(toTag);
          }
        }
        r.headers().push_back(std::move(to));
        break;
      }
      default:
        break;
    }
  }
  return r;
}

}  // namespace parley::sip
