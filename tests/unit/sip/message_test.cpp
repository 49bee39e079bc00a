#include "common/sip/message.hpp"

#include <gtest/gtest.h>

#include "common/sip/parser.hpp"
#include "sip_test_util.hpp"

namespace parley::sip {
namespace {

using test::crlf;

Message sampleRequest() {
  auto m = parseMessage(crlf(
      {"INVITE sip:bob@biloxi.example.com SIP/2.0",
       "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
       "Via: SIP/2.0/TCP proxy.example.com;branch=z9hG4bKabc", "Max-Forwards: 70",
       "To: Bob <sip:bob@biloxi.example.com>",
       "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
       "Call-ID: a84b4c76e66710@pc33.atlanta.example.com", "CSeq: 314159 INVITE", "Timestamp: 54",
       "Contact: <sip:alice@pc33.atlanta.example.com>", "Content-Length: 0", ""}));
  EXPECT_TRUE(m) << m.error().message;
  return m ? std::move(m.value()) : Message{};
}

TEST(Methods, NamesAreCaseSensitive) {
  EXPECT_EQ(methodFromString("INVITE"), Method::Invite);
  EXPECT_EQ(methodFromString("invite"), Method::Unknown);
  EXPECT_EQ(methodFromString("SERVICE"), Method::Service);
  EXPECT_EQ(methodFromString("FOO"), Method::Unknown);
  EXPECT_EQ(methodName(Method::Prack), "PRACK");
  EXPECT_EQ(methodName(Method::Unknown), "");
}

TEST(HeaderNames, LongCompactAndCase) {
  EXPECT_EQ(headerIdFromName("via"), HeaderId::Via);
  EXPECT_EQ(headerIdFromName("V"), HeaderId::Via);
  EXPECT_EQ(headerIdFromName("CALL-ID"), HeaderId::CallId);
  EXPECT_EQ(headerIdFromName("i"), HeaderId::CallId);
  EXPECT_EQ(headerIdFromName("www-authenticate"), HeaderId::WwwAuthenticate);
  EXPECT_EQ(headerIdFromName("Path"), HeaderId::Path);
  EXPECT_EQ(headerIdFromName("X-Foo"), HeaderId::Other);
  EXPECT_EQ(headerIdFromName("q"), HeaderId::Other);
  EXPECT_EQ(headerIdFromName(""), HeaderId::Other);
  EXPECT_EQ(headerIdFromName("1"), HeaderId::Other);
  EXPECT_EQ(canonicalHeaderName(HeaderId::CSeq), "CSeq");
  EXPECT_EQ(canonicalHeaderName(HeaderId::Other), "");
  // Every canonical name maps back to its id.
  for (int i = 1; i <= static_cast<int>(HeaderId::Path); ++i) {
    auto id = static_cast<HeaderId>(i);
    EXPECT_EQ(headerIdFromName(canonicalHeaderName(id)), id) << canonicalHeaderName(id);
  }
}

TEST(Message, BuildAndSerializeRequest) {
  auto uri = parseUri("sip:bob@biloxi.example.com");
  ASSERT_TRUE(uri);
  Message m = Message::request("OPTIONS", uri.value());
  EXPECT_EQ(m.method(), Method::Options);
  m.addHeader(HeaderId::Via, "SIP/2.0/UDP h;branch=z9hG4bK1");
  m.addHeader("t", "<sip:bob@biloxi.example.com>");
  m.addHeader("X-Custom", "yes");
  m.addHeader(HeaderId::ContentLength, "999");  // replaced on the wire
  m.body = "hi";
  EXPECT_EQ(m.headers()[1].name, "To");
  EXPECT_EQ(m.headers()[1].id, HeaderId::To);
  EXPECT_EQ(m.serialize(),
            "OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n"
            "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
            "To: <sip:bob@biloxi.example.com>\r\n"
            "X-Custom: yes\r\n"
            "Content-Length: 2\r\n\r\nhi");
  m.setMethod("FOO");
  EXPECT_EQ(m.method(), Method::Unknown);
  EXPECT_EQ(m.methodText(), "FOO");
}

TEST(Message, BuildAndSerializeResponse) {
  Message r = Message::response(486, "Busy Here");
  EXPECT_TRUE(r.isResponse());
  EXPECT_EQ(r.serialize(), "SIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n\r\n");
  r.setStatus(600, "Busy Everywhere");
  EXPECT_EQ(r.status(), 600);
}

TEST(Message, SerializeNeverInjectsHeaders) {
  Message r = Message::response(404, "Not\r\nX-Injected: 1");
  r.addHeader(HeaderId::Subject, "hi\r\nVia: SIP/2.0/UDP evil");
  const std::string wire = r.serialize();
  EXPECT_EQ(wire,
            "SIP/2.0 404 Not  X-Injected: 1\r\nSubject: hi  Via: SIP/2.0/UDP evil\r\n"
            "Content-Length: 0\r\n\r\n");
  auto again = parseMessage(wire);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->headers().size(), 2u);
  EXPECT_EQ(again->headerCount(HeaderId::Via), 0u);
}

TEST(Message, HeaderManipulation) {
  Message m = sampleRequest();
  EXPECT_EQ(m.headerCount(HeaderId::Via), 2u);
  m.prependHeader(HeaderId::Via, "SIP/2.0/UDP me.example.com;branch=z9hG4bKme");
  EXPECT_EQ(m.headers()[0].value, "SIP/2.0/UDP me.example.com;branch=z9hG4bKme");
  EXPECT_EQ(m.topVia()->host, "me.example.com");
  m.removeFirstHeader(HeaderId::Via);
  EXPECT_EQ(m.topVia()->host, "pc33.atlanta.example.com");
  m.prependHeader(HeaderId::Route, "<sip:p1.example.com;lr>");  // none yet: goes first
  EXPECT_EQ(m.headers()[0].id, HeaderId::Route);
  m.setHeader(HeaderId::Via, "SIP/2.0/UDP only;branch=z9hG4bKo");
  EXPECT_EQ(m.headerCount(HeaderId::Via), 1u);
  EXPECT_EQ(m.headers()[1].id, HeaderId::Via);  // replaced in place
  m.setHeader(HeaderId::MaxForwards, "69");
  EXPECT_EQ(m.maxForwards(), 69);
  m.setHeader(HeaderId::Subject, "new");
  EXPECT_EQ(m.headers().back().id, HeaderId::Subject);
  m.removeHeaders(HeaderId::Route);
  EXPECT_EQ(m.headerCount(HeaderId::Route), 0u);
  EXPECT_FALSE(m.header(HeaderId::Route));
  EXPECT_EQ(m.header("call-id"), "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(m.header("i"), "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_FALSE(m.header("X-Nope"));
  m.addHeader("X-Nope", "1");
  EXPECT_EQ(m.header("x-nope"), "1");
}

TEST(Message, TypedAccessorsReportMissingAndMalformed) {
  Message m = Message::response(200, "OK");
  EXPECT_FALSE(m.topVia());
  EXPECT_EQ(m.topVia().error().message, "missing Via header");
  EXPECT_FALSE(m.from());
  EXPECT_FALSE(m.cseq());
  EXPECT_EQ(m.callId(), "");
  EXPECT_FALSE(m.maxForwards());
  auto none = m.contacts();
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  m.addHeader(HeaderId::Via, "SIP/2.0/UDP");
  EXPECT_EQ(m.topVia().error().message, "malformed Via header: missing sent-by");
  m.addHeader(HeaderId::MaxForwards, "-1");
  EXPECT_FALSE(m.maxForwards());
  m.setHeader(HeaderId::MaxForwards, "99999999999999999999");
  EXPECT_FALSE(m.maxForwards());
  m.addHeader(HeaderId::From, "<sip:a@b");
  EXPECT_NE(m.from().error().message.find("malformed From header"), std::string::npos);
  // Values added unsplit are split by the list accessors.
  m.addHeader(HeaderId::Route, "<sip:a@b;lr>, <sip:c@d;lr>");
  auto routes = m.nameAddrs(HeaderId::Route);
  ASSERT_TRUE(routes);
  EXPECT_EQ(routes->size(), 2u);
}

TEST(Message, StarContact) {
  auto m = parseMessage(crlf({"REGISTER sip:example.com SIP/2.0", "Contact: *", "Expires: 0", ""}));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->isStarContact());
  auto c = m->contacts();
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->empty());
}

TEST(Message, DefaultReasons) {
  EXPECT_EQ(defaultReason(100), "Trying");
  EXPECT_EQ(defaultReason(200), "OK");
  EXPECT_EQ(defaultReason(404), "Not Found");
  EXPECT_EQ(defaultReason(420), "Bad Extension");
  EXPECT_EQ(defaultReason(483), "Too Many Hops");
  EXPECT_EQ(defaultReason(505), "Version Not Supported");
  EXPECT_EQ(defaultReason(603), "Decline");
  EXPECT_EQ(defaultReason(299), "");
  EXPECT_EQ(defaultReason(-1), "");
}

TEST(Message, MakeResponseCopiesTheRightHeaders) {
  Message req = sampleRequest();
  Message r = makeResponse(req, 180, {}, "as83kd9bs");
  EXPECT_EQ(r.status(), 180);
  EXPECT_EQ(r.reason(), "Ringing");
  ASSERT_EQ(r.headers().size(), 6u);
  EXPECT_EQ(r.headerCount(HeaderId::Via), 2u);
  EXPECT_EQ(r.headerValues(HeaderId::Via)[1], "SIP/2.0/TCP proxy.example.com;branch=z9hG4bKabc");
  EXPECT_EQ(r.to()->tag(), "as83kd9bs");
  EXPECT_EQ(r.header(HeaderId::To), "Bob <sip:bob@biloxi.example.com>;tag=as83kd9bs");
  EXPECT_EQ(r.from()->tag(), "1928301774");
  EXPECT_EQ(r.callId(), req.callId());
  EXPECT_EQ(r.cseq()->number, 314159u);
  EXPECT_EQ(r.headerCount(HeaderId::Timestamp), 0u);
  EXPECT_EQ(r.headerCount(HeaderId::Contact), 0u);
  EXPECT_EQ(r.headerCount(HeaderId::MaxForwards), 0u);

  Message trying = makeResponse(req, 100);
  EXPECT_EQ(trying.reason(), "Trying");
  EXPECT_EQ(trying.header(HeaderId::Timestamp), "54");
  EXPECT_EQ(trying.to()->tag(), "");

  Message custom = makeResponse(req, 404, "Nobody Home", "x");
  EXPECT_EQ(custom.reason(), "Nobody Home");

  // An existing To tag is kept.
  req.setHeader(HeaderId::To, "<sip:bob@biloxi.example.com>;tag=existing");
  EXPECT_EQ(makeResponse(req, 200, {}, "new").to()->tag(), "existing");
  auto reparsed = parseMessage(r.serialize());
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(reparsed->to()->tag(), "as83kd9bs");
}

}  // namespace
}  // namespace parley::sip
