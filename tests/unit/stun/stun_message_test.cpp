// STUN message model, decoder and encoder (src/common/stun/message.hpp, integrity.hpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/stun/integrity.hpp"
#include "common/stun/message.hpp"

namespace parley::stun {
namespace {

TransactionId someTid() {
  return TransactionId{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c};
}

Message request(Method method = Method::Binding) {
  Message m;
  m.method = method;
  m.cls = MessageClass::Request;
  m.transactionId = someTid();
  return m;
}

// Encodes, decodes, and checks the decoded message equals the original.
Message roundTrip(const Message& m, const IntegrityOptions& o = {}) {
  auto bytes = encode(m, o);
  EXPECT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.size(), encodedSize(m, o));
  EXPECT_EQ(bytes.size() % 4, 0u);
  auto d = decode(bytes);
  EXPECT_TRUE(d) << (d ? "" : d.error().message);
  if (!d) return {};
  Message copy = *d;
  stripIntegrity(copy);
  Message orig = m;
  // Encoded padding is zeros; compare values.
  for (auto& a : copy.attributes) a.padding.clear();
  for (auto& a : orig.attributes) a.padding.clear();
  EXPECT_EQ(copy, orig);
  EXPECT_EQ(encode(*d), bytes);  // as decoded: byte-identical
  return *d;
}

std::vector<uint8_t> header(uint16_t type, uint16_t length) {
  std::vector<uint8_t> b{static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type),
                         static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length),
                         0x21, 0x12, 0xA4, 0x42};
  for (int i = 0; i < 12; ++i) b.push_back(static_cast<uint8_t>(i));
  return b;
}

void appendAttr(std::vector<uint8_t>& b, uint16_t type, std::vector<uint8_t> value) {
  b.push_back(static_cast<uint8_t>(type >> 8));
  b.push_back(static_cast<uint8_t>(type));
  b.push_back(static_cast<uint8_t>(value.size() >> 8));
  b.push_back(static_cast<uint8_t>(value.size()));
  b.insert(b.end(), value.begin(), value.end());
  while (b.size() % 4 != 0) b.push_back(0);
  uint16_t len = static_cast<uint16_t>(b.size() - 20);
  b[2] = static_cast<uint8_t>(len >> 8);
  b[3] = static_cast<uint8_t>(len);
}

TEST(StunType, MethodAndClassPackIntoTheType) {
  EXPECT_EQ(messageType(Method::Binding, MessageClass::Request), 0x0001);
  EXPECT_EQ(messageType(Method::Binding, MessageClass::Indication), 0x0011);
  EXPECT_EQ(messageType(Method::Binding, MessageClass::SuccessResponse), 0x0101);
  EXPECT_EQ(messageType(Method::Binding, MessageClass::ErrorResponse), 0x0111);
  EXPECT_EQ(messageType(Method::Allocate, MessageClass::Request), 0x0003);
  EXPECT_EQ(messageType(Method::Send, MessageClass::Indication), 0x0016);
  EXPECT_EQ(messageType(Method::Data, MessageClass::Indication), 0x0017);
  EXPECT_EQ(messageType(Method::ChannelBind, MessageClass::SuccessResponse), 0x0109);
  EXPECT_EQ(messageType(Method::ConnectionAttempt, MessageClass::Indication), 0x001C);
  for (uint16_t m = 0; m < 0x1000; ++m) {
    for (uint8_t c = 0; c < 4; ++c) {
      auto t = messageType(static_cast<Method>(m), static_cast<MessageClass>(c));
      ASSERT_LT(t, 0x4000);
      ASSERT_EQ(methodOf(t), static_cast<Method>(m));
      ASSERT_EQ(classOf(t), static_cast<MessageClass>(c));
    }
  }
}

TEST(StunType, Names) {
  EXPECT_EQ(methodName(Method::CreatePermission), "CreatePermission");
  EXPECT_EQ(methodName(static_cast<Method>(0x123)), "0x123");
  EXPECT_EQ(attributeName(attr::XorMappedAddress), "XOR-MAPPED-ADDRESS");
  EXPECT_EQ(attributeName(0x7777), "0x7777");
  EXPECT_EQ(className(MessageClass::ErrorResponse), "error response");
  EXPECT_EQ(defaultReason(438), "Stale Nonce");
  EXPECT_TRUE(isComprehensionRequired(0x7FFF));
  EXPECT_FALSE(isComprehensionRequired(0x8000));
}

TEST(StunRoundTrip, EmptyBindingRequest) {
  Message m = request();
  auto bytes = encode(m);
  ASSERT_EQ(bytes.size(), 20u);
  EXPECT_EQ(bytes[0], 0x00);
  EXPECT_EQ(bytes[1], 0x01);
  EXPECT_EQ(bytes[2], 0x00);
  EXPECT_EQ(bytes[3], 0x00);
  EXPECT_TRUE(looksLikeStun(bytes));
  roundTrip(m);
}

TEST(StunRoundTrip, AddressAttributes) {
  for (uint16_t type : {attr::MappedAddress, attr::XorMappedAddress, attr::XorPeerAddress,
                        attr::XorRelayedAddress, attr::AlternateServer}) {
    for (const char* ip : {"192.0.2.1", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::",
                           "fe80::1:2:3:4"}) {
      Message m = request(Method::Allocate);
      auto addr = SocketAddress::parse(ip, 54321);
      ASSERT_TRUE(addr) << ip;
      m.addAddress(type, *addr);
      auto d = roundTrip(m);
      auto back = d.address(type);
      ASSERT_TRUE(back) << attributeName(type) << " " << ip;
      EXPECT_EQ(*back, *addr);
      EXPECT_EQ(back->ipString(), SocketAddress::parse(ip, 0)->ipString());
    }
  }
}

TEST(StunRoundTrip, XorAddressIsXoredOnTheWire) {
  Message m = request();
  m.addAddress(attr::XorMappedAddress, *SocketAddress::parse("192.0.2.1", 32853));
  auto bytes = encode(m);
  // Port 32853 ^ 0x2112 = 0xA147, 192.0.2.1 ^ 0x2112A442 = 0xE112A643 (RFC 5769 2.2).
  EXPECT_EQ(bytes[26], 0xA1);
  EXPECT_EQ(bytes[27], 0x47);
  EXPECT_EQ(bytes[28], 0xE1);
  EXPECT_EQ(bytes[31], 0x43);
  m.attributes.clear();
  m.addAddress(attr::MappedAddress, *SocketAddress::parse("192.0.2.1", 32853));
  bytes = encode(m);
  EXPECT_EQ(bytes[26], 0x80);
  EXPECT_EQ(bytes[27], 0x55);
  EXPECT_EQ(bytes[28], 192);
}

TEST(StunRoundTrip, SeveralPeerAddresses) {
  Message m = request(Method::CreatePermission);
  m.addAddress(attr::XorPeerAddress, *SocketAddress::parse("198.51.100.7", 1));
  m.addAddress(attr::XorPeerAddress, *SocketAddress::parse("2001:db8::7", 2));
  auto d = roundTrip(m);
  auto all = d.addresses(attr::XorPeerAddress);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].toString(), "198.51.100.7:1");
  EXPECT_EQ(all[1].toString(), "[2001:db8::7]:2");
  EXPECT_EQ(d.findAll(attr::XorPeerAddress).size(), 2u);
}

TEST(StunRoundTrip, TextAttributes) {
  for (uint16_t type : {attr::Username, attr::Realm, attr::Nonce, attr::Software,
                        attr::AlternateDomain}) {
    for (std::string text : {std::string(), std::string("a"), std::string("abcd"),
                             std::string("abcde"), std::string(255, 'x')}) {
      Message m = request();
      m.addText(type, text);
      auto d = roundTrip(m);
      EXPECT_EQ(d.text(type), text) << attributeName(type);
    }
  }
}

TEST(StunRoundTrip, IntegerAndFlagAttributes) {
  Message m = request(Method::Allocate);
  m.addU32(attr::Priority, 0x6e0001ff);
  m.addFlag(attr::UseCandidate);
  m.addU64(attr::IceControlling, 0x0123456789abcdefull);
  m.addU64(attr::IceControlled, 0xfedcba9876543210ull);
  m.addU32(attr::Lifetime, 600);
  m.addU64(attr::ReservationToken, 0x1122334455667788ull);
  m.addU32(attr::ConnectionId, 0xdeadbeef);
  m.addFlag(attr::DontFragment);
  m.addChannelNumber(0x4001);
  m.addRequestedTransport(kTransportUdp);
  m.addAddressFamily(attr::RequestedAddressFamily, AddressFamily::IPv6);
  m.addAddressFamily(attr::AdditionalAddressFamily, AddressFamily::IPv6);
  m.addEvenPort(true);
  auto d = roundTrip(m);
  EXPECT_EQ(d.u32(attr::Priority), 0x6e0001ffu);
  EXPECT_TRUE(d.has(attr::UseCandidate));
  EXPECT_EQ(d.u64(attr::IceControlling), 0x0123456789abcdefull);
  EXPECT_EQ(d.u64(attr::IceControlled), 0xfedcba9876543210ull);
  EXPECT_EQ(d.u32(attr::Lifetime), 600u);
  EXPECT_EQ(d.u64(attr::ReservationToken), 0x1122334455667788ull);
  EXPECT_EQ(d.u32(attr::ConnectionId), 0xdeadbeefu);
  EXPECT_TRUE(d.has(attr::DontFragment));
  EXPECT_EQ(d.channelNumber(), 0x4001);
  EXPECT_EQ(d.requestedTransport(), kTransportUdp);
  EXPECT_EQ(d.addressFamily(attr::RequestedAddressFamily), 0x02);
  EXPECT_EQ(d.addressFamily(attr::AdditionalAddressFamily), 0x02);
  EXPECT_EQ(d.evenPort(), true);

  Message e = request(Method::Allocate);
  e.addEvenPort(false);
  EXPECT_EQ(roundTrip(e).evenPort(), false);
}

TEST(StunRoundTrip, ErrorCodes) {
  for (int code : {300, 400, 401, 420, 438, 486, 508, 699}) {
    Message m = makeErrorResponse(request(Method::Allocate), code);
    auto d = roundTrip(m);
    ASSERT_TRUE(d.errorCode()) << code;
    EXPECT_EQ(d.errorCode()->code, code);
    EXPECT_EQ(d.errorCode()->reason, std::string(defaultReason(code)));
    EXPECT_EQ(d.cls, MessageClass::ErrorResponse);
  }
  Message m = makeErrorResponse(request(), 403, "Forbidden IP");
  EXPECT_EQ(roundTrip(m).errorCode(), (ErrorCodeValue{403, "Forbidden IP"}));
}

TEST(StunRoundTrip, UnknownAttributesAnd420) {
  auto bytes = header(0x0001, 0);
  appendAttr(bytes, 0x7777, {1, 2, 3});
  appendAttr(bytes, 0x0030, {});
  appendAttr(bytes, 0x7777, {4});
  appendAttr(bytes, 0xC001, {9, 9});  // optional: ignored, not listed
  auto strict = decode(bytes);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().code, 420);
  EXPECT_NE(strict.error().message.find("0x7777"), std::string::npos);

  auto lenient = decode(bytes, {.rejectUnknownComprehensionRequired = false});
  ASSERT_TRUE(lenient);
  EXPECT_EQ(lenient->unknownComprehensionRequired, (std::vector<uint16_t>{0x7777, 0x0030}));
  EXPECT_EQ(lenient->attributes.size(), 4u);

  Message answer = makeUnknownAttributesResponse(*lenient);
  EXPECT_EQ(answer.transactionId, lenient->transactionId);
  auto d = roundTrip(answer);
  EXPECT_EQ(d.errorCode()->code, 420);
  EXPECT_EQ(d.unknownAttributes(), (std::vector<uint16_t>{0x7777, 0x0030}));

  // An unknown optional attribute alone is fine.
  auto opt = header(0x0001, 0);
  appendAttr(opt, 0xC001, {9, 9});
  EXPECT_TRUE(decode(opt));
}

TEST(StunRoundTrip, PasswordAlgorithmsAndData) {
  Message m = request(Method::Allocate);
  std::vector<PasswordAlgorithmValue> algs{{kPasswordAlgorithmMd5, {}},
                                           {kPasswordAlgorithmSha256, {}},
                                           {0x7000, {1, 2, 3, 4, 5}}};
  m.addPasswordAlgorithms(algs);
  m.addPasswordAlgorithm({kPasswordAlgorithmSha256, {}});
  std::vector<uint8_t> payload(161, 0xAB);
  m.addData(payload);
  m.add(attr::Userhash, std::string(32, 'h'));
  m.addAddressErrorCode({AddressFamily::IPv6, 440, ""});
  m.addIcmp({3, 4, 1400});
  auto d = roundTrip(m);
  EXPECT_EQ(d.passwordAlgorithms(), algs);
  EXPECT_EQ(d.passwordAlgorithm(), (PasswordAlgorithmValue{kPasswordAlgorithmSha256, {}}));
  auto data = d.data();
  ASSERT_TRUE(data);
  EXPECT_EQ(std::vector<uint8_t>(data->begin(), data->end()), payload);
  EXPECT_EQ(d.addressErrorCode(),
            (AddressErrorCodeValue{AddressFamily::IPv6, 440, "Address Family not Supported"}));
  EXPECT_EQ(d.icmp(), (IcmpValue{3, 4, 1400}));
  EXPECT_EQ(d.text(attr::Userhash), std::string(32, 'h'));
}

TEST(StunRoundTrip, EveryKnownAttributeNamed) {
  for (uint32_t t = 0; t <= 0xFFFF; ++t) {
    auto type = static_cast<uint16_t>(t);
    if (isKnownAttribute(type)) {
      EXPECT_NE(attributeName(type).rfind("0x", 0), 0u) << t;
    }
  }
}

TEST(StunIntegrity, EncoderAppendsInOrderAndChecksVerify) {
  Message m = request(Method::Allocate);
  m.addText(attr::Username, "alice");
  m.addText(attr::Realm, "example.com");
  m.addText(attr::Nonce, "abc");
  auto key = longTermKey("alice", "example.com", "secret");
  ASSERT_TRUE(key);
  ASSERT_EQ(key->size(), 16u);
  for (size_t len : {16u, 20u, 32u}) {
    IntegrityOptions o{.key = *key,
                       .messageIntegrity = true,
                       .messageIntegritySha256 = true,
                       .sha256Length = len,
                       .fingerprint = true};
    auto bytes = encode(m, o);
    auto d = decode(bytes);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->attributes.size(), 6u);
    EXPECT_EQ(d->attributes[3].type, attr::MessageIntegrity);
    EXPECT_EQ(d->attributes[4].type, attr::MessageIntegritySha256);
    EXPECT_EQ(d->attributes[4].value.size(), len);
    EXPECT_EQ(d->attributes[5].type, attr::Fingerprint);
    EXPECT_EQ(checkMessageIntegrity(bytes, *key), Check::Valid);
    EXPECT_EQ(checkMessageIntegritySha256(bytes, *key), Check::Valid);
    EXPECT_EQ(checkFingerprint(bytes), Check::Valid);
    EXPECT_EQ(checkMessageIntegrity(bytes, "other"), Check::Invalid);
    EXPECT_EQ(checkMessageIntegritySha256(bytes, "other"), Check::Invalid);
  }
  IntegrityOptions bad{.key = *key, .messageIntegritySha256 = true, .sha256Length = 18};
  EXPECT_TRUE(encode(m, bad).empty());
}

TEST(StunIntegrity, AttributesAfterIntegrityAreIgnored) {
  Message m = request();
  m.addText(attr::Username, "u");
  auto bytes = encode(m, {.key = "k", .messageIntegrity = true});
  appendAttr(bytes, attr::Software, {'x'});  // an attacker's addition after MI
  auto d = decode(bytes);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->has(attr::Software));
  EXPECT_EQ(checkMessageIntegrity(bytes, "k"), Check::Valid);  // MI still covers its part
  // An unknown comprehension-required attribute after MI is ignored too, not a 420.
  appendAttr(bytes, 0x7777, {});
  EXPECT_TRUE(decode(bytes));
}

TEST(StunIntegrity, FingerprintMustBeLast) {
  Message m = request();
  auto bytes = encode(m, {.fingerprint = true});
  EXPECT_EQ(checkFingerprint(bytes), Check::Valid);
  appendAttr(bytes, attr::Software, {'x'});
  auto d = decode(bytes);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, 400);
  EXPECT_EQ(checkFingerprint(bytes), Check::Invalid);
}

TEST(StunIntegrity, Crc32KnownValue) {
  std::string s = "123456789";
  EXPECT_EQ(crc32({reinterpret_cast<const uint8_t*>(s.data()), s.size()}), 0xCBF43926u);
  EXPECT_EQ(crc32({}), 0u);
}

TEST(StunIntegrity, PasswordPreparation) {
  EXPECT_EQ(preparePassword("VOkJxbRl1RmTxUk/WvJxBt").value(), "VOkJxbRl1RmTxUk/WvJxBt");
  EXPECT_EQ(preparePassword("").value(), "");
  EXPECT_EQ(preparePassword("a\xC2\xA0" "b").value(), "a b");                 // NBSP
  EXPECT_EQ(preparePassword("\xEF\xBC\xA1\xEF\xBD\x82").value(), "Ab");         // full-width
  EXPECT_EQ(preparePassword("x\xE2\x80\x8By").value(), "xy");                  // ZWSP
  EXPECT_EQ(preparePassword("\xC3\xA9t\xC3\xA9").value(), "\xC3\xA9t\xC3\xA9"); // é kept
  EXPECT_FALSE(preparePassword("tab\there"));
  EXPECT_FALSE(preparePassword("\xC3"));               // truncated UTF-8
  EXPECT_FALSE(preparePassword("\xC0\xAF"));           // overlong
  EXPECT_FALSE(preparePassword("\xED\xA0\x80"));       // surrogate
  EXPECT_FALSE(preparePassword("\xEE\x80\x80"));       // private use U+E000
  EXPECT_FALSE(longTermKey("u", "r", "p", 0x0003));
  EXPECT_EQ(longTermKey("u", "r", "p", kPasswordAlgorithmSha256)->size(), 32u);
}

TEST(StunDecode, RejectsMalformedHeaders) {
  EXPECT_EQ(decode({}).error().code, 400);
  auto h = header(0x0001, 0);
  for (size_t n = 0; n < 20; ++n) {
    EXPECT_FALSE(decode(std::span(h).first(n))) << n;
  }
  auto bad = h;
  bad[0] = 0x40;  // top bits set
  EXPECT_FALSE(decode(bad));
  bad = h;
  bad[4] = 0x00;  // no cookie (RFC 3489)
  EXPECT_FALSE(decode(bad));
  EXPECT_FALSE(peekHeader(bad));
  bad = h;
  bad[3] = 4;  // claims 4 octets that are not there
  EXPECT_FALSE(decode(bad));
  bad = h;
  bad.push_back(0);
  bad.push_back(0);
  bad.push_back(0);
  bad.push_back(0);  // 4 octets the header does not count
  EXPECT_FALSE(decode(bad));
  EXPECT_FALSE(looksLikeStun(bad));
  bad = header(0x0001, 2);
  bad.push_back(0);
  bad.push_back(0);
  EXPECT_FALSE(decode(bad));  // length not a multiple of 4
}

TEST(StunDecode, PeekHeaderGivesTheTransactionIdOfABadRequest) {
  auto b = header(0x0001, 0);
  appendAttr(b, attr::Priority, {1, 2});  // wrong length: 400
  auto d = decode(b);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, 400);
  auto h = peekHeader(b);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->method, Method::Binding);
  EXPECT_EQ(h->cls, MessageClass::Request);
  EXPECT_EQ(h->transactionId[11], 11);
}

TEST(StunDecode, RejectsAttributesRunningPastTheEnd) {
  auto b = header(0x0001, 0);
  appendAttr(b, attr::Software, {'a', 'b', 'c', 'd'});
  for (size_t cut = 1; cut < 8; ++cut) {
    auto t = std::vector<uint8_t>(b.begin(), b.end() - static_cast<ptrdiff_t>(cut));
    uint16_t len = static_cast<uint16_t>(t.size() - 20);
    t[2] = static_cast<uint8_t>(len >> 8);
    t[3] = static_cast<uint8_t>(len);
    EXPECT_FALSE(decode(t)) << cut;
  }
  auto o = b;
  o[22 + 1] = 0x40;  // attribute length 0x0040: overlong
  EXPECT_FALSE(decode(o));
  o = b;
  o[22] = 0xFF;  // attribute length 0xFF04
  EXPECT_FALSE(decode(o));
}

TEST(StunDecode, RejectsInvalidKnownValues) {
  struct Bad {
    uint16_t type;
    std::vector<uint8_t> value;
  };
  std::vector<Bad> bad{
      {attr::XorMappedAddress, {0, 1, 0, 0}},                      // short IPv4
      {attr::XorMappedAddress, {0, 3, 0, 0, 1, 2, 3, 4}},          // family 3
      {attr::MappedAddress, {0, 2, 0, 0, 1, 2, 3, 4}},             // IPv6 with 4 octets
      {attr::MessageIntegrity, std::vector<uint8_t>(19, 0)},
      {attr::MessageIntegritySha256, std::vector<uint8_t>(12, 0)},
      {attr::MessageIntegritySha256, std::vector<uint8_t>(18, 0)},
      {attr::MessageIntegritySha256, std::vector<uint8_t>(36, 0)},
      {attr::Fingerprint, {1, 2}},
      {attr::ErrorCode, {0, 0, 2, 0}},                             // class 2
      {attr::ErrorCode, {0, 0, 4, 100}},                           // number 100
      {attr::ErrorCode, {0, 0, 4}},
      {attr::UnknownAttributes, {0, 1, 0}},
      {attr::Priority, {0, 0, 0}},
      {attr::IceControlled, {0, 0, 0, 0}},
      {attr::UseCandidate, {0}},
      {attr::EvenPort, {0, 0}},
      {attr::Userhash, std::vector<uint8_t>(31, 0)},
      {attr::Username, std::vector<uint8_t>(513, 'u')},
      {attr::Realm, std::vector<uint8_t>(764, 'r')},
      {attr::PasswordAlgorithm, {0, 2, 0, 8}},
      {attr::PasswordAlgorithms, {0, 2}},
      {attr::AddressErrorCode, {3, 0, 4, 40}},
      {attr::ChannelNumber, {0x40, 0}},
      {attr::Icmp, {0, 0, 0, 0}},
  };
  for (const auto& b : bad) {
    auto bytes = header(0x0101, 0);
    appendAttr(bytes, b.type, b.value);
    auto d = decode(bytes);
    ASSERT_FALSE(d) << attributeName(b.type) << " size " << b.value.size();
    EXPECT_EQ(d.error().code, 400);
    EXPECT_NE(d.error().message.find(attributeName(b.type)), std::string::npos)
        << d.error().message;
  }
}

TEST(StunDecode, GarbageNeverCrashes) {
  uint32_t state = 12345;
  auto rnd = [&] {
    state = state * 1103515245 + 12345;
    return static_cast<uint8_t>(state >> 16);
  };
  size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> b(rnd() % 96);
    for (auto& x : b) x = rnd();
    if (b.size() >= 20 && i % 2 == 0) {  // plausible header, random attributes
      b[0] &= 0x01;
      b[2] = 0;
      b[3] = static_cast<uint8_t>((b.size() - 20) & ~3u);
      b.resize(20 + b[3]);
      b[4] = 0x21;
      b[5] = 0x12;
      b[6] = 0xA4;
      b[7] = 0x42;
    }
    auto d = decode(b, {.rejectUnknownComprehensionRequired = false});
    if (d) {
      ++accepted;
      EXPECT_TRUE(decode(encode(*d), {.rejectUnknownComprehensionRequired = false}));
    }
    (void)checkMessageIntegrity(b, "k");
    (void)checkMessageIntegritySha256(b, "k");
    (void)checkFingerprint(b);
  }
  EXPECT_GT(accepted, 0u);
}

TEST(StunEncode, OversizeFailsCleanly) {
  Message m = request(Method::Send);
  m.addData(std::vector<uint8_t>(0xFFFF - 4 + 1, 0));
  EXPECT_GT(encodedSize(m), kMaxMessageSize);
  EXPECT_TRUE(encode(m).empty());
  Message ok = request(Method::Send);
  ok.addData(std::vector<uint8_t>(0xFFFF - 4 - 8 - 3, 0));
  auto bytes = encode(ok, {.fingerprint = true});
  ASSERT_FALSE(bytes.empty());
  EXPECT_TRUE(decode(bytes));
}

TEST(StunEncode, ResponsesKeepTheTransaction) {
  Message req = request(Method::Refresh);
  Message ok = makeResponse(req, MessageClass::SuccessResponse);
  EXPECT_EQ(ok.method, Method::Refresh);
  EXPECT_EQ(ok.transactionId, req.transactionId);
  EXPECT_EQ(ok.type(), 0x0104);
  EXPECT_EQ(makeErrorResponse(req, 437).type(), 0x0114);
}

TEST(StunMessage, RemoveAndFind) {
  Message m = request();
  m.addText(attr::Software, "a");
  m.addText(attr::Software, "b");
  m.addText(attr::Realm, "r");
  EXPECT_EQ(m.text(attr::Software), "a");
  EXPECT_EQ(m.remove(attr::Software), 2u);
  EXPECT_FALSE(m.has(attr::Software));
  EXPECT_FALSE(m.address(attr::Realm));  // not an address type
  EXPECT_FALSE(m.u32(attr::Realm));      // wrong size
}

}  // namespace
}  // namespace parley::stun
