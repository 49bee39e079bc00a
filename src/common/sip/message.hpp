#pragma once
// The SIP message model (RFC 3261 §7): a request or a response, an ordered list of headers,
// and a body. Known list headers (Via, Contact, Route, Record-Route, Allow, Supported,
// Require, Proxy-Require, ...) are split by the parser into one Header per value, which
// RFC 3261 §7.3.1 makes equivalent on the wire; every other header, unknown ones included,
// is kept intact, in order. Compact names (v, f, t, i, m, l, c, k, ...) are stored under
// their long names.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/sip/headers.hpp"
#include "common/sip/uri.hpp"

namespace parley::sip {

enum class Method : uint8_t {
  Invite, Ack, Bye, Cancel, Register, Options, Message, Info, Update, Refer, Prack,
  Subscribe, Notify, Publish, Service, Unknown
};
Method methodFromString(std::string_view text) noexcept;  // exact, case-sensitive (§7.1)
std::string_view methodName(Method m) noexcept;            // "" for Unknown

enum class HeaderId : uint8_t {
  Other, Via, From, To, CallId, CSeq, MaxForwards, Contact, ContentLength, ContentType,
  ContentEncoding, Route, RecordRoute, Expires, MinExpires, Authorization, ProxyAuthorization,
  WwwAuthenticate, ProxyAuthenticate, AuthenticationInfo, Require, ProxyRequire, Supported,
  Unsupported, Allow, Accept, Event, Subject, UserAgent, Server, Warning, Timestamp,
  ReferTo, ReferredBy, Date, RetryAfter, AllowEvents, Path
};
// Recognises long and compact names, case-insensitively; Other for anything else.
HeaderId headerIdFromName(std::string_view name) noexcept;
std::string_view canonicalHeaderName(HeaderId id) noexcept;  // "" for Other

struct Header {
  HeaderId id = HeaderId::Other;
  std::string name;   // canonical long name for known headers, as received otherwise
  std::string value;  // folding undone, surrounding whitespace trimmed
};

class Message {
 public:
  static Message request(std::string method, Uri requestUri);
  static Message response(int status, std::string reason);

  bool isRequest() const noexcept { return isRequest_; }
  bool isResponse() const noexcept { return !isRequest_; }

  // Request line.
  Method method() const noexcept { return method_; }
  const std::string& methodText() const noexcept { return methodText_; }
  const Uri& requestUri() const noexcept { return requestUri_; }
  Uri& requestUri() noexcept { return requestUri_; }
  void setMethod(std::string text);

  // Status line.
  int status() const noexcept { return status_; }
  const std::string& reason() const noexcept { return reason_; }
  void setStatus(int status, std::string reason);

  // Headers, in wire order.
  const std::vector<Header>& headers() const noexcept { return headers_; }
  std::vector<Header>& headers() noexcept { return headers_; }
  std::optional<std::string_view> header(HeaderId id) const noexcept;        // first value
  std::optional<std::string_view> header(std::string_view name) const noexcept;
  std::vector<std::string_view> headerValues(HeaderId id) const;
  size_t headerCount(HeaderId id) const noexcept;
  void addHeader(HeaderId id, std::string value);            // appends
  void addHeader(std::string name, std::string value);       // appends (name resolved)
  void prependHeader(HeaderId id, std::string value);        // before the first of its kind, else first
  void setHeader(HeaderId id, std::string value);            // replaces all of that kind
  void removeHeaders(HeaderId id);
  void removeFirstHeader(HeaderId id);

  // Typed accessors for the routing headers, parsed on demand.
  Result<Via> topVia() const;
  Result<std::vector<Via>> vias() const;
  Result<NameAddr> from() const;
  Result<NameAddr> to() const;
  Result<CSeq> cseq() const;
  std::string_view callId() const noexcept;  // "" when absent
  std::optional<int> maxForwards() const noexcept;  // nullopt when absent or malformed
  // Contacts; an empty vector for none. `*` (a wildcard un-REGISTER) is reported by isStarContact.
  Result<std::vector<NameAddr>> contacts() const;
  bool isStarContact() const noexcept;
  Result<std::vector<NameAddr>> nameAddrs(HeaderId id) const;  // Route, Record-Route, Path

  std::string body;

  // Wire form. Content-Length is always written, from body.size(), replacing any present.
  // CR or LF inside a header value or reason phrase is written as SP (no header injection).
  std::string serialize() const;

 private:
  bool isRequest_ = true;
  Method method_ = Method::Unknown;
  std::string methodText_;
  Uri requestUri_;
  int status_ = 0;
  std::string reason_;
  std::vector<Header> headers_;
};

// The standard reason phrase for a status code ("Not Found"), or "" for an unknown code.
std::string_view defaultReason(int status) noexcept;

// A response to `request` per RFC 3261 §8.2.6: Via (all), From, To, Call-ID and CSeq copied;
// the To tag is added when `toTag` is non-empty and the To has none. Timestamp copied on 100.
Message makeResponse(const Message& request, int status, std::string_view reason = {},
                     std::string_view toTag = {});

}  // namespace parley::sip
