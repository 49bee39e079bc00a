#include "common/sip/validate.hpp"

#include <gtest/gtest.h>

#include "common/sip/parser.hpp"
#include "sip_test_util.hpp"

namespace parley::sip {
namespace {

using test::crlf;

std::vector<std::string> baseLines() {
  return {"INVITE sip:bob@biloxi.example.com SIP/2.0",
          "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
          "Max-Forwards: 70",
          "To: Bob <sip:bob@biloxi.example.com>",
          "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
          "Call-ID: a84b4c76e66710@pc33.atlanta.example.com",
          "CSeq: 314159 INVITE",
          "Contact: <sip:alice@pc33.atlanta.example.com>"};
}

Message build(std::vector<std::string> lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\r\n";
  text += "Content-Length: 0\r\n\r\n";
  auto m = parseMessage(text);
  EXPECT_TRUE(m) << m.error().message << "\n" << text;
  return m ? std::move(m.value()) : Message{};
}

// Replaces (or with an empty replacement removes) the line starting with `prefix`.
std::vector<std::string> with(std::string_view prefix, std::string replacement) {
  auto lines = baseLines();
  for (auto it = lines.begin(); it != lines.end(); ++it) {
    if (it->starts_with(prefix)) {
      if (replacement.empty()) {
        lines.erase(it);
      } else {
        *it = std::move(replacement);
      }
      return lines;
    }
  }
  lines.push_back(std::move(replacement));
  return lines;
}

void expectRejected(const Message& m, int status, std::string_view fragment) {
  auto r = checkRequest(m);
  ASSERT_TRUE(r) << "accepted, expected " << status << " " << fragment;
  EXPECT_EQ(r->status, status) << r->reason;
  EXPECT_NE(r->reason.find(fragment), std::string::npos) << r->reason;
}

TEST(CheckRequest, AcceptsAWellFormedRequest) { EXPECT_FALSE(checkRequest(build(baseLines()))); }

TEST(CheckRequest, ToleratesMissingMaxForwards) {
  auto m = build(with("Max-Forwards", ""));
  EXPECT_FALSE(checkRequest(m));
  EXPECT_FALSE(maxForwardsExhausted(m));
}

TEST(CheckRequest, MissingRequiredHeaders) {
  expectRejected(build(with("To:", "")), 400, "missing required header field: To");
  expectRejected(build(with("Via:", "")), 400, "Via");
  auto lines = baseLines();
  lines.erase(lines.begin() + 3, lines.begin() + 7);
  expectRejected(build(lines), 400, "missing required header fields: To, From, Call-ID, CSeq");
}

TEST(CheckRequest, SingleValueHeadersMustBeSingle) {
  auto lines = baseLines();
  lines.push_back("CSeq: 2 INVITE");
  lines.push_back("Call-ID: other");
  expectRejected(build(lines), 400, "Call-ID, CSeq");
  auto cl = baseLines();
  cl.push_back("l: 0");
  expectRejected(build(cl), 400, "Content-Length");
  auto mf = baseLines();
  mf.push_back("Max-Forwards: 5");
  expectRejected(build(mf), 400, "Max-Forwards");
}

TEST(CheckRequest, MalformedRoutingHeaders) {
  expectRejected(build(with("From:", "From: <sip:alice@atlanta.example.com")), 400,
                 "malformed From header");
  expectRejected(build(with("To:", "To: Bell, Alexander <sip:x@y>")), 400, "malformed To header");
  expectRejected(build(with("Via:", "Via: SIP/2.0/UDP")), 400,
                 "malformed Via header: missing sent-by");
  expectRejected(build(with("Via:", "Via: SIP/3.0/UDP host")), 400, "sent-protocol");
  expectRejected(build(with("CSeq:", "CSeq: 99999999999 INVITE")), 400, "out of range");
  expectRejected(build(with("CSeq:", "CSeq: 1 OPTIONS")), 400,
                 "CSeq method 'OPTIONS' does not match the request method 'INVITE'");
  expectRejected(build(with("Max-Forwards", "Max-Forwards: 300")), 400, "Max-Forwards");
  expectRejected(build(with("Max-Forwards", "Max-Forwards: -1")), 400, "Max-Forwards");
  expectRejected(build(with("Contact", "Contact: sip:a@b?x=y")), 400, "Contact");
  expectRejected(build(with("Contact", "Contact: *")), 400, "REGISTER");
  expectRejected(build(with("Route", "Route: <sip:p1.example.com;lr>;;")), 400, "Route");
  expectRejected(build(with("Call-ID", "Call-ID: has space")), 400, "Call-ID");
  expectRejected(build(with("Date", "Date: Fri, 01 Jan 2010 16:00:00 EST")), 400, "Date");
  EXPECT_FALSE(checkRequest(build(with("Date", "Date: Sat, 13 Nov 2010 23:29:00 GMT"))));
}

TEST(CheckRequest, RequestUri) {
  expectRejected(build(with("INVITE", "INVITE nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0")),
                 416, "nobodyknowsthisscheme");
  expectRejected(
      build(with("INVITE", "INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0")), 400,
      "Request-URI");
  EXPECT_FALSE(checkRequest(build(with("INVITE", "INVITE tel:+1-201-555-0123 SIP/2.0"))));
  EXPECT_FALSE(checkRequest(build(with("INVITE", "INVITE sips:bob@biloxi.example.com SIP/2.0"))));
}

TEST(CheckRequest, ProxyRequire) {
  auto m = build(with("Proxy-Require", "Proxy-Require: foo, bar"));
  auto r = checkRequest(m);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 420);
  EXPECT_EQ(r->unsupported, (std::vector<std::string>{"foo", "bar"}));
  EXPECT_NE(r->reason.find("foo, bar"), std::string::npos);
  const std::string_view supported[] = {"FOO", "bar"};
  CheckOptions options;
  options.supportedProxyRequire = supported;
  EXPECT_FALSE(checkRequest(m, options));
  const std::string_view onlyFoo[] = {"foo"};
  options.supportedProxyRequire = onlyFoo;
  auto partial = checkRequest(m, options);
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->unsupported, (std::vector<std::string>{"bar"}));
  // Require is the UAS's business, not the proxy's.
  EXPECT_FALSE(checkRequest(build(with("Require", "Require: foo"))));
}

TEST(CheckRequest, StarContactInRegister) {
  auto lines = with("Contact", "Contact: *");
  lines[0] = "REGISTER sip:example.com SIP/2.0";
  lines[6] = "CSeq: 1 REGISTER";
  EXPECT_FALSE(checkRequest(build(lines)));
  lines.push_back("Contact: <sip:a@b>");
  expectRejected(build(lines), 400, "only Contact");
}

TEST(CheckRequest, MaxForwardsExhaustedIsNotARejection) {
  auto m = build(with("Max-Forwards", "Max-Forwards: 0"));
  EXPECT_FALSE(checkRequest(m));
  EXPECT_TRUE(maxForwardsExhausted(m));
  EXPECT_FALSE(maxForwardsExhausted(build(baseLines())));
}

TEST(CheckRequest, RejectsResponses) {
  EXPECT_TRUE(checkRequest(Message::response(200, "OK")));
  EXPECT_TRUE(checkResponse(build(baseLines())));
}

TEST(CheckResponse, AcceptsAndDrops) {
  auto ok = parseMessage(
      crlf({"SIP/2.0 200 OK", "Via: SIP/2.0/UDP a;branch=z9hG4bK1", "To: <sip:b@x>;tag=2",
            "From: <sip:a@x>;tag=1", "Call-ID: c", "CSeq: 1 INVITE", "l: 0", ""}));
  ASSERT_TRUE(ok);
  EXPECT_FALSE(checkResponse(*ok));
  Message noVia = *ok;
  noVia.removeHeaders(HeaderId::Via);
  auto r = checkResponse(noVia);
  ASSERT_TRUE(r);
  EXPECT_NE(r->reason.find("Via"), std::string::npos);
  Message bigCseq = *ok;
  bigCseq.setHeader(HeaderId::CSeq, "9292394834772304023312 OPTIONS");
  EXPECT_TRUE(checkResponse(bigCseq));
  Message badStatus = *ok;
  badStatus.setStatus(42, "?");
  EXPECT_TRUE(checkResponse(badStatus));
}

}  // namespace
}  // namespace parley::sip
