#include "common/sip/txn/dialog.hpp"

#include <algorithm>
#include <utility>

#include "common/base/crypto.hpp"
#include "common/base/strings.hpp"
#include "common/sip/txn/matching.hpp"

namespace parley::sip {

std::string makeBranch() {
  std::string b(kMagicCookie);
  b += crypto::randomToken(16);
  return b;
}

std::string makeTag() { return crypto::randomToken(8); }

std::string DialogId::toString() const {
  return callId + ";local=" + localTag + ";remote=" + remoteTag;
}

namespace {

std::string tagOf(const Result<NameAddr>& na) { return na.ok() ? na->tag() : std::string(); }

// The URI of the first Contact, if there is one.
std::optional<Uri> firstContact(const Message& m) {
  auto contacts = m.contacts();
  if (!contacts.ok() || contacts->empty()) return std::nullopt;
  return contacts->front().uri;
}

Result<std::vector<Uri>> recordRoute(const Message& m) {
  std::vector<Uri> out;
  if (m.headerCount(HeaderId::RecordRoute) == 0) return out;
  auto rr = m.nameAddrs(HeaderId::RecordRoute);
  if (!rr.ok()) return makeError(400, "malformed Record-Route: " + rr.error().message);
  out.reserve(rr->size());
  for (auto& na : *rr) out.push_back(std::move(na.uri));
  return out;
}

// Methods whose requests carry the sender's Contact (§20, Table 3; RFC 3311, 3265, 3515).
bool carriesContact(std::string_view method) {
  return method == "INVITE" || method == "UPDATE" || method == "SUBSCRIBE" ||
         method == "NOTIFY" || method == "REFER";
}

bool isTargetRefresh(std::string_view method) {
  return method == "INVITE" || method == "UPDATE" || method == "SUBSCRIBE" ||
         method == "NOTIFY";
}

std::string bracketed(const Uri& uri) { return "<" + uri.toString() + ">"; }

// What both ends of a new dialog take from the request and the 101-299 response that
// create it (§12.1): the request's From and CSeq, the response's To.
struct DialogParts {
  NameAddr from;
  NameAddr to;
  CSeq cseq;
};

Result<DialogParts> dialogParts(const Message& request, const Message& response) {
  const int code = response.status();
  if (!request.isRequest() || !response.isResponse() || code <= 100 || code >= 300) {
    return makeError(0, "a dialog is created by a 101-299 response to a request");
  }
  auto from = request.from();
  auto to = response.to();
  auto cseq = request.cseq();
  if (!from.ok() || !to.ok() || !cseq.ok() || request.callId().empty()) {
    return makeError(400, "cannot create dialog: From, To, CSeq or Call-ID missing or malformed");
  }
  return DialogParts{std::move(*from), std::move(*to), std::move(*cseq)};
}

}  // namespace

DialogId DialogId::fromIncomingRequest(const Message& request) {
  return DialogId{std::string(request.callId()), tagOf(request.to()), tagOf(request.from())};
}

DialogId DialogId::fromIncomingResponse(const Message& response) {
  return DialogId{std::string(response.callId()), tagOf(response.from()), tagOf(response.to())};
}

size_t DialogIdHash::operator()(const DialogId& id) const noexcept {
  std::hash<std::string> h;
  size_t v = h(id.callId);
  v ^= h(id.localTag) + 0x9e3779b97f4a7c15ULL + (v << 6) + (v >> 2);
  v ^= h(id.remoteTag) + 0x9e3779b97f4a7c15ULL + (v << 6) + (v >> 2);
  return v;
}

Result<Dialog> Dialog::createUac(const Message& request, const Message& response) {
  auto parts = dialogParts(request, response);
  if (!parts.ok()) return parts.error();
  auto& [from, to, cseq] = *parts;
  const int code = response.status();
  if (to.tag().empty() && code < 200) {
    return makeError(0, "a provisional response without a To tag creates no dialog");
  }
  auto routes = recordRoute(response);
  if (!routes.ok()) return routes.error();

  Dialog d;
  d.id_ = DialogId{std::string(request.callId()), from.tag(), to.tag()};
  d.state_ = code >= 200 ? State::Confirmed : State::Early;
  d.secure_ = request.requestUri().scheme == Uri::Scheme::Sips;
  d.routeSet_ = std::move(*routes);
  std::reverse(d.routeSet_.begin(), d.routeSet_.end());  // §12.1.2: reverse order
  // A response without Contact (a non-conforming 18x, or an RFC 2543 peer) leaves the
  // Request-URI as the best target there is.
  d.remoteTarget_ = firstContact(response).value_or(request.requestUri());
  if (auto c = firstContact(request)) d.localTarget_ = *c;
  d.local_ = std::move(from);
  d.remote_ = std::move(to);
  d.localSeq_ = cseq.number;
  return d;
}

Result<Dialog> Dialog::createUas(const Message& request, const Message& response) {
  auto parts = dialogParts(request, response);
  if (!parts.ok()) return parts.error();
  auto& [from, to, cseq] = *parts;
  const int code = response.status();
  if (to.tag().empty()) return makeError(0, "the response has no To tag: add ours first");
  auto remoteTarget = firstContact(request);
  if (!remoteTarget) return makeError(400, "the request has no Contact to send requests to");
  auto routes = recordRoute(request);
  if (!routes.ok()) return routes.error();

  Dialog d;
  d.id_ = DialogId{std::string(request.callId()), to.tag(), from.tag()};
  d.state_ = code >= 200 ? State::Confirmed : State::Early;
  d.secure_ = request.requestUri().scheme == Uri::Scheme::Sips;
  d.routeSet_ = std::move(*routes);  // §12.1.1: in order
  d.remoteTarget_ = std::move(*remoteTarget);
  if (auto c = firstContact(response)) d.localTarget_ = *c;
  d.local_ = std::move(to);
  d.remote_ = std::move(from);
  d.remoteSeq_ = cseq.number;
  return d;
}

void Dialog::onResponse(const Message& response, bool toInitialInvite) {
  if (state_ == State::Terminated || !response.isResponse()) return;
  const int code = response.status();
  auto cseq = response.cseq();
  const std::string method = cseq.ok() ? cseq->method : std::string();
  if (code >= 200 && code < 300) {
    if (toInitialInvite && state_ == State::Early) {
      // §13.2.2.4: the 2xx confirms the early dialog; its route set is recomputed.
      state_ = State::Confirmed;
      if (auto routes = recordRoute(response); routes.ok()) {
        routeSet_ = std::move(*routes);
        std::reverse(routeSet_.begin(), routeSet_.end());
      }
    }
    if (isTargetRefresh(method) || toInitialInvite) refreshTarget(response);  // §12.2.1.2
    return;
  }
  if (code >= 300) {
    if (toInitialInvite && state_ == State::Early) {
      state_ = State::Terminated;
    } else if (!toInitialInvite && (code == 481 || code == 408)) {
      state_ = State::Terminated;  // §12.2.1.2: the dialog is gone at the far end
    }
  }
}

void Dialog::confirm() noexcept {
  if (state_ == State::Early) state_ = State::Confirmed;
}

Result<void> Dialog::onRequest(const Message& request) {
  auto cseq = request.cseq();
  if (!cseq.ok()) return makeError(400, "malformed CSeq: " + cseq.error().message);
  if (request.method() == Method::Ack || request.method() == Method::Cancel) return {};
  if (remoteSeq_ && cseq->number < *remoteSeq_) {
    return makeError(500, "CSeq " + std::to_string(cseq->number) +
                              " is lower than the dialog's " + std::to_string(*remoteSeq_) +
                              ": request out of order");
  }
  remoteSeq_ = cseq->number;
  return {};
}

void Dialog::refreshTarget(const Message& withContact) {
  if (auto c = firstContact(withContact)) remoteTarget_ = std::move(*c);
}

Message Dialog::makeRequestWithSeq(std::string method, uint32_t seq) const {
  // §12.2.1.1: with an empty route set, or a loose router first (lr), the Request-URI is the
  // remote target and the Route set is the route set. A strict router first takes the
  // Request-URI (minus what a Request-URI may not carry: method and headers, §19.1.1) and
  // the remote target goes last in Route.
  Uri requestUri;
  std::vector<const Uri*> routes;
  if (routeSet_.empty() || routeSet_.front().param("lr") != nullptr) {
    requestUri = remoteTarget_;
    for (const auto& r : routeSet_) routes.push_back(&r);
  } else {
    requestUri = routeSet_.front();
    requestUri.headers.clear();
    std::erase_if(requestUri.params, [](const Param& p) { return iequals(p.name, "method"); });
    for (size_t i = 1; i < routeSet_.size(); ++i) routes.push_back(&routeSet_[i]);
    routes.push_back(&remoteTarget_);
  }

  Message m = Message::request(method, std::move(requestUri));
  m.addHeader(HeaderId::MaxForwards, "70");
  for (const Uri* r : routes) m.addHeader(HeaderId::Route, bracketed(*r));
  m.addHeader(HeaderId::From, local_.toString());
  m.addHeader(HeaderId::To, remote_.toString());
  m.addHeader(HeaderId::CallId, id_.callId);
  m.addHeader(HeaderId::CSeq, std::to_string(seq) + " " + method);
  if (carriesContact(method) && !localTarget_.host.empty()) {
    m.addHeader(HeaderId::Contact, bracketed(localTarget_));
  }
  return m;
}

Message Dialog::makeRequest(std::string method) {
  // §12.2.1.1: the local sequence number goes up by one for each new request; a UAS side
  // that has sent nothing yet starts anywhere below 2**31 (§8.1.1.5), here at 1.
  const uint32_t seq = localSeq_ ? *localSeq_ + 1 : 1;
  localSeq_ = seq;
  return makeRequestWithSeq(std::move(method), seq);
}

Message Dialog::makeAck(const Message& invite) const {
  auto cseq = invite.cseq();
  const uint32_t seq = cseq.ok() ? cseq->number : localSeq_.value_or(1);
  Message ack = makeRequestWithSeq("ACK", seq);
  for (HeaderId id : {HeaderId::Authorization, HeaderId::ProxyAuthorization}) {
    for (auto v : invite.headerValues(id)) ack.addHeader(id, std::string(v));
  }
  return ack;
}

Uri Dialog::nextHop(const Message& request) {
  if (request.headerCount(HeaderId::Route) > 0) {
    auto routes = request.nameAddrs(HeaderId::Route);
    if (routes.ok() && !routes->empty()) return routes->front().uri;
  }
  return request.requestUri();
}

Dialog& DialogSet::insert(Dialog dialog) {
  DialogId id = dialog.id();
  auto [it, _] = dialogs_.insert_or_assign(std::move(id), std::move(dialog));
  return it->second;
}

Dialog* DialogSet::find(const DialogId& id) {
  auto it = dialogs_.find(id);
  return it == dialogs_.end() ? nullptr : &it->second;
}

const Dialog* DialogSet::find(const DialogId& id) const {
  auto it = dialogs_.find(id);
  return it == dialogs_.end() ? nullptr : &it->second;
}

bool DialogSet::erase(const DialogId& id) { return dialogs_.erase(id) > 0; }

std::vector<DialogId> DialogSet::idsFor(std::string_view callId, std::string_view localTag) const {
  std::vector<DialogId> out;
  for (const auto& [id, _] : dialogs_) {
    if (id.callId == callId && id.localTag == localTag) out.push_back(id);
  }
  return out;
}

}  // namespace parley::sip
