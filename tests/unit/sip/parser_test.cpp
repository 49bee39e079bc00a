#include "common/sip/parser.hpp"

#include <gtest/gtest.h>

#include "sip_test_util.hpp"

namespace parley::sip {
namespace {

using test::crlf;

const std::string kInvite =
    crlf({"INVITE sip:bob@biloxi.example.com SIP/2.0",
          "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds", "Max-Forwards: 70",
          "To: Bob <sip:bob@biloxi.example.com>",
          "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
          "Call-ID: a84b4c76e66710@pc33.atlanta.example.com", "CSeq: 314159 INVITE",
          "Contact: <sip:alice@pc33.atlanta.example.com>", "Content-Type: application/sdp",
          "Content-Length: 4", "",
          "v=0"});  // "v=0\r\n" is the 5-octet tail; Content-Length 4 drops the final LF

TEST(Parser, ParsesRequest) {
  auto m = parseMessage(kInvite);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE(m->isRequest());
  EXPECT_EQ(m->method(), Method::Invite);
  EXPECT_EQ(m->methodText(), "INVITE");
  EXPECT_EQ(m->requestUri().user, "bob");
  ASSERT_EQ(m->headers().size(), 9u);
  EXPECT_EQ(m->headers()[0].id, HeaderId::Via);
  EXPECT_EQ(m->headers()[0].name, "Via");
  EXPECT_EQ(m->body, "v=0\r");
  EXPECT_EQ(m->callId(), "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(m->maxForwards(), 70);
  EXPECT_EQ(m->cseq()->number, 314159u);
  EXPECT_EQ(m->from()->tag(), "1928301774");
  EXPECT_EQ(m->to()->displayName, "Bob");
  EXPECT_EQ(m->topVia()->branch(), "z9hG4bK776asdhds");
}

TEST(Parser, ParsesResponses) {
  auto m = parseMessage(
      crlf({"SIP/2.0 180 Ringing", "Via: SIP/2.0/UDP h;branch=z9hG4bK1", "Content-Length: 0", ""}));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE(m->isResponse());
  EXPECT_EQ(m->status(), 180);
  EXPECT_EQ(m->reason(), "Ringing");
  auto empty = parseMessage(crlf({"SIP/2.0 100 ", "Content-Length: 0", ""}));
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->reason(), "");
  auto bare = parseMessage(crlf({"SIP/2.0 100", "Content-Length: 0", ""}));
  ASSERT_TRUE(bare);
  auto spaced = parseMessage(crlf({"SIP/2.0 404 Not  Found here", "l: 0", ""}));
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->reason(), "Not  Found here");
}

TEST(Parser, CompactFormsStoredUnderLongNames) {
  auto m = parseMessage(
      crlf({"OPTIONS sip:x@example.com SIP/2.0", "v: SIP/2.0/UDP h;branch=z9hG4bK1",
            "f: <sip:a@b>;tag=1", "t: <sip:x@example.com>", "i: abc", "m: <sip:a@h>", "k: path",
            "c: text/plain", "e: gzip", "s: hello", "o: presence", "r: <sip:c@d>", "b: <sip:e@f>",
            "u: dialog", "x: 1800", "a: *;audio", "L: 0", ""}));
  ASSERT_TRUE(m) << m.error().message;
  std::vector<std::pair<HeaderId, std::string>> want = {
      {HeaderId::Via, "Via"},
      {HeaderId::From, "From"},
      {HeaderId::To, "To"},
      {HeaderId::CallId, "Call-ID"},
      {HeaderId::Contact, "Contact"},
      {HeaderId::Supported, "Supported"},
      {HeaderId::ContentType, "Content-Type"},
      {HeaderId::ContentEncoding, "Content-Encoding"},
      {HeaderId::Subject, "Subject"},
      {HeaderId::Event, "Event"},
      {HeaderId::ReferTo, "Refer-To"},
      {HeaderId::ReferredBy, "Referred-By"},
      {HeaderId::AllowEvents, "Allow-Events"},
      {HeaderId::Other, "Session-Expires"},
      {HeaderId::Other, "Accept-Contact"},
      {HeaderId::ContentLength, "Content-Length"}};
  ASSERT_EQ(m->headers().size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(m->headers()[i].id, want[i].first) << i;
    EXPECT_EQ(m->headers()[i].name, want[i].second) << i;
  }
  EXPECT_EQ(m->header("x"), "1800");
  EXPECT_EQ(m->header("session-expires"), "1800");
}

TEST(Parser, FoldingAndOddWhitespace) {
  auto m = parseMessage(crlf(
      {"INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0",
       "TO :", " sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n",
       "from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>", "  ;",
       "  tag = 98asjd8", "MaX-fOrWaRdS: 0068", "cseq: 0009", "  INVITE", "Via  : SIP  /   2.0",
       " /UDP", "    192.0.2.2;branch=390skdjuw", "s :", "NewFangledHeader:   newfangled value",
       " continued newfangled value", "\tand a tab", "Call-ID: x", "Content-Length   : 0", ""}));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->header(HeaderId::To), "sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
  EXPECT_EQ(m->to()->tag(), "1918181833n");
  EXPECT_EQ(m->from()->displayName, "J Rosenberg \\\"");
  EXPECT_EQ(m->from()->tag(), "98asjd8");
  EXPECT_EQ(m->maxForwards(), 68);
  EXPECT_EQ(m->cseq()->number, 9u);
  EXPECT_EQ(m->cseq()->method, "INVITE");
  EXPECT_EQ(m->topVia()->host, "192.0.2.2");
  EXPECT_EQ(m->header(HeaderId::Subject), "");
  EXPECT_EQ(m->header("newfangledheader"), "newfangled value continued newfangled value and a tab");
  EXPECT_EQ(m->headers()[6].name, "NewFangledHeader");
}

TEST(Parser, SplitsKnownListHeadersOnly) {
  auto m = parseMessage(crlf(
      {"INVITE sip:b@example.com SIP/2.0",
       "Via: SIP/2.0/TCP a.example.com;branch=z9hG4bK1 , SIP/2.0/UDP b.example.com;branch=z9hG4bK2",
       "Contact: \"Doe, John\" <sip:j@h1>;q=0.5, <sip:j,k@h2;x=a>",
       "Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>", "Supported: 100rel, timer,path",
       "Authorization: Digest username=\"a\", realm=\"b\", nonce=\"c\"",
       "Date: Sat, 13 Nov 2010 23:29:00 GMT",
       "Retry-After: 18000;duration=3600 (in a meeting, back soon)", "X-Custom: a, b",
       "Warning: 370 devnull \"Choose a bigger, pipe\", 307 isi.edu \"Session parameter 'foo' not "
       "understood\"",
       "Content-Length: 0", ""}));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->headerCount(HeaderId::Via), 2u);
  EXPECT_EQ(m->headerValues(HeaderId::Via)[1], "SIP/2.0/UDP b.example.com;branch=z9hG4bK2");
  auto contacts = m->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 2u);
  EXPECT_EQ((*contacts)[0].displayName, "Doe, John");
  EXPECT_EQ((*contacts)[1].uri.user, "j,k");
  EXPECT_EQ(m->headerCount(HeaderId::Route), 2u);
  EXPECT_EQ(m->headerCount(HeaderId::Supported), 3u);
  EXPECT_EQ(m->headerValues(HeaderId::Supported)[2], "path");
  EXPECT_EQ(m->headerCount(HeaderId::Authorization), 1u);
  EXPECT_EQ(m->headerCount(HeaderId::Date), 1u);
  EXPECT_EQ(m->headerCount(HeaderId::RetryAfter), 1u);
  EXPECT_EQ(m->header("X-Custom"), "a, b");
  EXPECT_EQ(m->headerCount(HeaderId::Warning), 2u);
  auto vias = m->vias();
  ASSERT_TRUE(vias);
  EXPECT_EQ((*vias)[1].transport, "UDP");
}

TEST(Parser, EmptyListHeaderKept) {
  auto m = parseMessage(crlf(
      {"OPTIONS sip:b@example.com SIP/2.0", "Supported:", "Accept: ", "Content-Length: 0", ""}));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->header(HeaderId::Supported), "");
  EXPECT_EQ(m->header(HeaderId::Accept), "");
}

TEST(Parser, BodyFraming) {
  // §18.3: octets after the Content-Length body of a datagram are discarded.
  auto m = parseMessage(
      crlf({"MESSAGE sip:b@example.com SIP/2.0", "Content-Length: 5", "", "hello world"}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->body, "hello");
  // No Content-Length: the body runs to the end of the datagram.
  auto n = parseMessage(crlf({"MESSAGE sip:b@example.com SIP/2.0", "", "hello"}));
  ASSERT_TRUE(n);
  EXPECT_EQ(n->body, "hello\r\n");
  // Binary bodies with NUL, bare CR and LF.
  std::string bin = crlf({"MESSAGE sip:b@example.com SIP/2.0", "Content-Length: 6", ""});
  bin += std::string("a\0\r\nb\r", 6);
  auto b = parseMessage(bin);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->body, std::string("a\0\r\nb\r", 6));
  // A header section ended by the datagram itself.
  auto h = parseMessage("OPTIONS sip:b@example.com SIP/2.0\r\nCall-ID: x\r\n");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->callId(), "x");
  EXPECT_TRUE(h->body.empty());
}

TEST(Parser, LeadingCrlfIgnoredAndBareLfTolerated) {
  auto m = parseMessage("\r\n\r\nOPTIONS sip:b@example.com SIP/2.0\nCall-ID: x\nl: 2\n\nab");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->callId(), "x");
  EXPECT_EQ(m->body, "ab");
}

TEST(Parser, UnknownMethodsAndHeadersKeptIntact) {
  auto m = parseMessage(crlf({"RE%47IST%45R sip:registrar.example.com SIP/2.0",
                              "C%6Fntact: <sip:alias2@host2.example.com>",
                              "extensionHeader-!.%*+_`'~: \xEF\xBB\xBF\xE5\xA4\xA7", "l: 0", ""}));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->method(), Method::Unknown);
  EXPECT_EQ(m->methodText(), "RE%47IST%45R");
  EXPECT_EQ(m->headers()[0].id, HeaderId::Other);
  EXPECT_EQ(m->headers()[0].name, "C%6Fntact");
  EXPECT_EQ(m->headerCount(HeaderId::Contact), 0u);
  EXPECT_EQ(m->headers()[1].value, "\xEF\xBB\xBF\xE5\xA4\xA7");
}

struct BadCase {
  std::string text;
  int code;
  const char* fragment;
};

TEST(Parser, RejectsMalformedWithStatusAndReason) {
  const BadCase cases[] = {
      {"", 400, "empty message"},
      {"\r\n\r\n", 400, "empty message"},
      {crlf({"OPTIONS sip:a@b SIP/7.0", ""}), 505, "SIP/7.0"},
      {crlf({"SIP/3.0 200 OK", ""}), 505, "not supported"},
      {crlf({"OPTIONS sip:a@b HTTP/1.1", ""}), 400, "SIP-Version"},
      {crlf({"OPTIONS sip:a@b SIP/2.0x", ""}), 400, "SIP-Version"},
      {crlf({"OPTIONS  sip:a@b SIP/2.0", ""}), 400, "more than one SP"},
      {crlf({"OPTIONS sip:a@b SIP/2.0 ", ""}), 400, "trailing whitespace"},
      {crlf({"OPTIONS sip:a@b; lr SIP/2.0", ""}), 400, "whitespace"},
      {crlf({"OPTIONS <sip:a@b> SIP/2.0", ""}), 400, "Request-URI"},
      {crlf({"OPTIONS sip:a@b", ""}), 400, "request line"},
      {crlf({"OPT\"IONS sip:a@b SIP/2.0", ""}), 400, "invalid method"},
      {crlf({"SIP/2.0 4294967301 big", ""}), 400, "status code"},
      {crlf({"SIP/2.0 99 low", ""}), 400, "status code"},
      {crlf({"SIP/2.0 700 high", ""}), 400, "outside 100-699"},
      {crlf({"SIP/2.0 20x OK", ""}), 400, "status code"},
      {crlf({"OPTIONS sip:a@b SIP/2.0", "NoColonHere", ""}), 400, "no colon"},
      {crlf({"OPTIONS sip:a@b SIP/2.0", ": value", ""}), 400, "empty field name"},
      {crlf({"OPTIONS sip:a@b SIP/2.0", " folded: first", ""}), 400, "continuation"},
      {crlf({"OPTIONS sip:a@b SIP/2.0", "Bad Name: x", ""}), 400, "no colon"},
      {crlf({"OPTIONS sip:a@b SIP/2.0", "Content-Length: -999", ""}), 400, "Content-Length"},
      {crlf({"OPTIONS sip:a@b SIP/2.0", "Content-Length: 18446744073709551616", ""}), 400,
       "Content-Length"},
      {crlf({"OPTIONS sip:a@b SIP/2.0", "Content-Length: 12abc", ""}), 400, "Content-Length"},
      {crlf({"OPTIONS sip:a@b SIP/2.0", "Content-Length: 9999", "", "short"}), 400,
       "Content-Length 9999 exceeds the datagram"},
      {crlf({"OPTIONS sip:a@b SIP/2.0", "Via: SIP/2.0/UDP h;;,;,,", ""}), 400,
       "malformed Via header: empty element"},
      // A list value that cannot be split is rejected; one without commas is kept intact
      // and left to the typed accessors (see UnsplittableListValues).
      {crlf({"OPTIONS sip:a@b SIP/2.0", "Contact: <sip:a@b, <sip:c@d>", ""}), 400, "unbalanced"},
      {crlf({"OPTIONS sip:a@b SIP/2.0", "Contact: \"open, <sip:a@b>", ""}), 400, "unbalanced"},
      {"OPTIONS sip:a@b SIP/2.0\r\nX: a\rb\r\n\r\n", 400, "stray CR"},
  };
  for (const auto& c : cases) {
    auto m = parseMessage(c.text);
    ASSERT_FALSE(m) << c.text;
    EXPECT_EQ(m.error().code, c.code) << c.text << " -> " << m.error().message;
    EXPECT_NE(m.error().message.find(c.fragment), std::string::npos)
        << c.text << " -> " << m.error().message;
  }
}

TEST(Parser, UnsplittableListValues) {
  auto m = parseMessage(crlf({"OPTIONS sip:a@b SIP/2.0", "Contact: <sip:a@b", "l: 0", ""}));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->header(HeaderId::Contact), "<sip:a@b");
  auto c = m->contacts();
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("malformed Contact header"), std::string::npos);
}

TEST(Parser, SizeLimits) {
  ParseLimits limits;
  limits.maxMessageBytes = 200;
  limits.maxHeaderBytes = 120;
  limits.maxHeaders = 3;
  std::string big = crlf({"MESSAGE sip:b@example.com SIP/2.0", "Content-Length: 300", ""}) +
                    std::string(300, 'x');
  auto m = parseMessage(big, limits);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, 413);
  std::string longHeader =
      crlf({"OPTIONS sip:b@example.com SIP/2.0", "Subject: " + std::string(150, 's'), ""});
  auto h = parseMessage(longHeader, limits);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().code, 400);
  EXPECT_NE(h.error().message.find("header section exceeds"), std::string::npos);
  auto many = parseMessage(
      crlf({"OPTIONS sip:b@example.com SIP/2.0", "A: 1", "B: 2", "C: 3", "D: 4", ""}), limits);
  ASSERT_FALSE(many);
  EXPECT_NE(many.error().message.find("more than 3 header fields"), std::string::npos);
  // Split list values count too: one line must not smuggle thousands of headers.
  auto split =
      parseMessage(crlf({"OPTIONS sip:b@example.com SIP/2.0", "Supported: a,b,c,d", ""}), limits);
  ASSERT_FALSE(split);
}

TEST(Parser, LongValuesAreNotTruncated) {
  const std::string name(3000, 'n');
  auto m = parseMessage(crlf({"OPTIONS sip:b@example.com SIP/2.0",
                              "To: \"" + name + "\" <sip:b@example.com>", "l: 0", ""}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->to()->displayName, name);
}

TEST(Parser, RoundTripsWhatItParses) {
  for (const std::string& text :
       {kInvite,
        crlf({"SIP/2.0 200 OK", "v: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2",
              "Subject:", "X-Folded: a", " b", "l: 3", "", "abc"}),
        crlf({"OPTIONS sip:[2001:db8::1]:5070;transport=udp SIP/2.0", "Route: <sip:[::1];lr>",
              ""})}) {
    auto m = parseMessage(text);
    ASSERT_TRUE(m) << m.error().message;
    test::expectRoundTrip(m.value());
  }
}

}  // namespace
}  // namespace parley::sip
