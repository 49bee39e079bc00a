// Fuzzes the datagram parser and everything a proxy then does with a message: the request
// and response checks, the typed header accessors, makeResponse, and the serialize round
// trip. Property: whatever parseMessage accepts, it accepts again after serialize(), with
// the same structure, and serialize() is then a fixed point.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/sip/message.hpp"
#include "common/sip/parser.hpp"
#include "common/sip/validate.hpp"

namespace {

using namespace parley::sip;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "property violated: %s\n%s\n", what, detail.c_str());
  std::abort();
}

bool sameStructure(const Message& a, const Message& b) {
  if (a.isRequest() != b.isRequest() || a.methodText() != b.methodText() ||
      a.status() != b.status() || a.reason() != b.reason() || a.body != b.body) {
    return false;
  }
  if (a.isRequest() && a.requestUri().toString() != b.requestUri().toString()) return false;
  size_t i = 0;
  size_t j = 0;
  const auto& ha = a.headers();
  const auto& hb = b.headers();
  for (;;) {
    while (i < ha.size() && ha[i].id == HeaderId::ContentLength) ++i;
    while (j < hb.size() && hb[j].id == HeaderId::ContentLength) ++j;
    if (i == ha.size() || j == hb.size()) return i == ha.size() && j == hb.size();
    if (ha[i].id != hb[j].id || ha[i].name != hb[j].name || ha[i].value != hb[j].value) {
      return false;
    }
    ++i;
    ++j;
  }
}

void exercise(const Message& m) {
  (void)m.topVia();
  (void)m.vias();
  (void)m.from();
  (void)m.to();
  (void)m.cseq();
  (void)m.callId();
  (void)m.maxForwards();
  (void)m.contacts();
  (void)m.isStarContact();
  (void)m.nameAddrs(HeaderId::Route);
  (void)m.nameAddrs(HeaderId::RecordRoute);
  for (const auto& h : m.headers()) {
    if (h.id == HeaderId::Authorization || h.id == HeaderId::WwwAuthenticate) {
      auto a = parseAuthParams(h.value);
      if (a) (void)parseAuthParams(a->toString());
    }
  }
  if (m.isRequest()) {
    (void)m.requestUri().addressOfRecord();
    auto reparsed = parseUri(m.requestUri().toString());
    if (!reparsed) fail("Request-URI toString does not parse", m.requestUri().toString());
    if (!uriEquivalent(m.requestUri(), reparsed.value())) {
      fail("Request-URI not equivalent to itself after toString", m.requestUri().toString());
    }
    (void)checkRequest(m);
    (void)maxForwardsExhausted(m);
    Message r = makeResponse(m, 200, {}, "fuzztag");
    (void)r.serialize();
  } else {
    (void)checkResponse(m);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = parseMessage(input);
  if (!parsed) {
    if (parsed.error().code < 400 || parsed.error().message.empty()) {
      fail("rejection without a status or reason", parsed.error().message);
    }
    return 0;
  }
  const Message& m = parsed.value();
  exercise(m);
  const std::string wire = m.serialize();
  // Serialising may lengthen the header section (compact names, one line per list element,
  // an added Content-Length), so the second parse must not be held to the first's limits.
  ParseLimits unlimited;
  unlimited.maxMessageBytes = static_cast<size_t>(-1);
  unlimited.maxHeaderBytes = static_cast<size_t>(-1);
  unlimited.maxHeaders = static_cast<size_t>(-1);
  auto again = parseMessage(wire, unlimited);
  if (!again) fail(("serialized message does not parse: " + again.error().message).c_str(), wire);
  if (!sameStructure(m, again.value())) fail("round trip changed the structure", wire);
  if (again->serialize() != wire) fail("serialize is not a fixed point", wire);
  return 0;
}
