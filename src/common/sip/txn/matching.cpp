#include "common/sip/txn/matching.hpp"

#include <optional>
#include <string>
#include <vector>

#include "common/base/strings.hpp"

namespace parley::sip {

bool hasMagicCookie(std::string_view branch) noexcept {
  return branch.size() > kMagicCookie.size() &&
         iequals(branch.substr(0, kMagicCookie.size()), kMagicCookie);
}

std::string sentByKey(const Via& via) {
  std::string key = toLower(via.host);
  key += ':';
  if (via.port) key += std::to_string(*via.port);
  return key;
}

std::string serverKey(const Via& topVia, std::string_view method) {
  // §17.2.3: "the method of the request matches the one that created the transaction,
  // except for ACK, where the method of the request that created the transaction is INVITE".
  std::string key = toLower(topVia.branch());
  key += '\n';
  key += sentByKey(topVia);
  key += '\n';
  key += method == "ACK" ? std::string_view("INVITE") : method;
  return key;
}

std::string clientKey(std::string_view branch, std::string_view cseqMethod) {
  std::string key = toLower(branch);
  key += '\n';
  key += cseqMethod;
  return key;
}

namespace {

bool paramsContained(const std::vector<Param>& a, const std::vector<Param>& b) {
  for (const auto& p : a) {
    const Param* q = findParam(b, p.name);
    if (q == nullptr) return false;
    if (p.value.has_value() != q->value.has_value()) return false;
    if (p.value && !iequals(*p.value, *q->value)) return false;
  }
  return true;
}

}  // namespace

bool viaEquivalent(const Via& a, const Via& b) {
  return iequals(a.protocol, b.protocol) && iequals(a.transport, b.transport) &&
         iequals(a.host, b.host) && a.port == b.port && a.params.size() == b.params.size() &&
         paramsContained(a.params, b.params) && paramsContained(b.params, a.params);
}

Peer responseDestination(const Peer& source, const Via& topVia) {
  Peer dest = source;
  if (isReliable(source.transport)) return dest;  // same connection (§18.2.2, first rule)
  if (topVia.param("rport") != nullptr) return dest;  // RFC 3581 §4: source port
  dest.port = topVia.port.value_or(uint16_t{5060});
  return dest;
}

namespace {

void copyAll(const Message& from, Message& to, HeaderId id) {
  for (auto v : from.headerValues(id)) to.addHeader(id, std::string(v));
}

// The top Via as text: the first Via header as written, unless a sender put several values in
// one header line, in which case the parsed top value is written out again.
std::optional<std::string> topViaText(const Message& m) {
  auto raw = m.header(HeaderId::Via);
  if (!raw) return std::nullopt;
  if (raw->find(',') == std::string_view::npos) return std::string(*raw);
  auto via = m.topVia();
  if (!via.ok()) return std::nullopt;
  return via->toString();
}

}  // namespace

Result<Message> makeNon2xxAck(const Message& invite, const Message& response) {
  auto via = topViaText(invite);
  auto from = invite.header(HeaderId::From);
  auto to = response.header(HeaderId::To);
  auto cseq = invite.cseq();
  if (!via || !from || !to || !cseq.ok() || invite.callId().empty()) {
    return makeError(400, "cannot build ACK: INVITE or response lacks Via, From, To, Call-ID or CSeq");
  }
  Message ack = Message::request("ACK", invite.requestUri());
  ack.addHeader(HeaderId::Via, std::move(*via));
  ack.addHeader(HeaderId::MaxForwards, "70");
  ack.addHeader(HeaderId::From, std::string(*from));
  ack.addHeader(HeaderId::To, std::string(*to));
  ack.addHeader(HeaderId::CallId, std::string(invite.callId()));
  ack.addHeader(HeaderId::CSeq, std::to_string(cseq->number) + " ACK");
  copyAll(invite, ack, HeaderId::Route);
  return ack;
}

Result<Message> makeCancel(const Message& request, std::string_view reason) {
  auto via = topViaText(request);
  auto from = request.header(HeaderId::From);
  auto to = request.header(HeaderId::To);
  auto cseq = request.cseq();
  if (!via || !from || !to || !cseq.ok() || request.callId().empty()) {
    return makeError(400, "cannot build CANCEL: request lacks Via, From, To, Call-ID or CSeq");
  }
  Message cancel = Message::request("CANCEL", request.requestUri());
  cancel.addHeader(HeaderId::Via, std::move(*via));
  cancel.addHeader(HeaderId::MaxForwards, "70");
  cancel.addHeader(HeaderId::From, std::string(*from));
  cancel.addHeader(HeaderId::To, std::string(*to));
  cancel.addHeader(HeaderId::CallId, std::string(request.callId()));
  cancel.addHeader(HeaderId::CSeq, std::to_string(cseq->number) + " CANCEL");
  copyAll(request, cancel, HeaderId::Route);
  if (!reason.empty()) cancel.addHeader("Reason", std::string(reason));
  return cancel;
}

}  // namespace parley::sip
