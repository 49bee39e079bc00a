#include <gtest/gtest.h>

#include "store_test_util.hpp"

namespace parley::store {
namespace {

using testing::kNow;
using testing::StoreTest;

Registration binding(std::string contact, std::int64_t expiresAt, std::string callId = "call-1",
                     std::uint32_t cseq = 1) {
  Registration r;
  r.aor = "sip:alice@example.com";
  r.contact = std::move(contact);
  r.expiresAt = expiresAt;
  r.callId = std::move(callId);
  r.cseq = cseq;
  r.transport = Transport::Tls;
  r.sourceAddress = "198.51.100.7";
  r.sourcePort = 49152;
  r.connectionId = 42;
  r.frontendServer = "fe1.example.com";
  r.userAgent = "Parley-Test/1.0";
  return r;
}

class RegistrationsTest : public StoreTest {
 protected:
  RegistrationRepository& regs() { return store_.registrations(); }
};

TEST_F(RegistrationsTest, UpsertCreatesThenRefreshes) {
  Registration r = binding("sip:alice@198.51.100.7:49152;transport=tls", kNow + 3600);
  r.q = 0.5;
  EXPECT_EQ(regs().upsert(r, kNow), UpsertResult::Created);

  auto stored = regs().find(r.key(), kNow);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->aor, "sip:alice@example.com");
  EXPECT_EQ(stored->contact, r.contact);
  EXPECT_FALSE(stored->instance);
  EXPECT_FALSE(stored->regId);
  EXPECT_EQ(stored->q, 0.5);
  EXPECT_EQ(stored->expiresAt, kNow + 3600);
  EXPECT_EQ(stored->callId, "call-1");
  EXPECT_EQ(stored->cseq, 1u);
  EXPECT_EQ(stored->transport, Transport::Tls);
  EXPECT_EQ(stored->sourceAddress, "198.51.100.7");
  EXPECT_EQ(stored->sourcePort, 49152);
  EXPECT_EQ(stored->connectionId, 42u);
  EXPECT_EQ(stored->frontendServer, "fe1.example.com");
  EXPECT_EQ(stored->userAgent, "Parley-Test/1.0");
  EXPECT_EQ(stored->updatedAt, kNow);

  r.cseq = 2;
  r.expiresAt = kNow + 7200;
  r.q.reset();
  EXPECT_EQ(regs().upsert(r, kNow + 10), UpsertResult::Refreshed);
  stored = regs().find(r.key(), kNow + 10);
  EXPECT_EQ(stored->cseq, 2u);
  EXPECT_EQ(stored->expiresAt, kNow + 7200);
  EXPECT_FALSE(stored->q);
  EXPECT_EQ(stored->updatedAt, kNow + 10);
  EXPECT_EQ(regs().count("sip:alice@example.com", kNow + 10), 1);
}

TEST_F(RegistrationsTest, CallIdAndCSeqOrdering) {
  Registration r = binding("sip:alice@192.0.2.1", kNow + 600, "call-1", 5);
  regs().upsert(r, kNow);
  // RFC 3261 §10.3 step 7: same Call-ID needs a higher CSeq.
  r.cseq = 5;
  EXPECT_EQ(regs().upsert(r, kNow), UpsertResult::OutOfOrder);
  r.cseq = 4;
  r.expiresAt = kNow + 9999;
  EXPECT_EQ(regs().upsert(r, kNow), UpsertResult::OutOfOrder);
  EXPECT_EQ(regs().find(r.key(), kNow)->expiresAt, kNow + 600);  // nothing written
  // Another Call-ID (the phone rebooted) replaces the binding whatever its CSeq.
  r.callId = "call-2";
  r.cseq = 1;
  EXPECT_EQ(regs().upsert(r, kNow), UpsertResult::Refreshed);
  EXPECT_EQ(regs().find(r.key(), kNow)->callId, "call-2");
  // Removal follows the same rule.
  EXPECT_EQ(regs().remove(r.key(), "call-2", 1, kNow), RemoveResult::OutOfOrder);
  EXPECT_EQ(regs().remove(r.key(), "call-2", 2, kNow), RemoveResult::Removed);
  EXPECT_EQ(regs().remove(r.key(), "call-2", 3, kNow), RemoveResult::NotFound);
}

TEST_F(RegistrationsTest, ExpiredBindingCountsAsAbsent) {
  Registration r = binding("sip:alice@192.0.2.1", kNow + 60, "call-1", 5);
  regs().upsert(r, kNow);
  EXPECT_FALSE(regs().find(r.key(), kNow + 60));
  EXPECT_TRUE(regs().list("sip:alice@example.com", kNow + 60).empty());
  r.cseq = 1;  // lower CSeq, same Call-ID: fine, the old binding is dead
  r.expiresAt = kNow + 200;
  EXPECT_EQ(regs().upsert(r, kNow + 100), UpsertResult::Created);
}

TEST_F(RegistrationsTest, InstanceAndRegIdKeyTheBinding) {
  Registration a = binding("sip:alice@192.0.2.1:5061;transport=tls", kNow + 600, "c", 1);
  a.instance = "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";
  a.regId = 1;
  EXPECT_EQ(regs().upsert(a, kNow), UpsertResult::Created);
  // Same instance and reg-id from a new address (NAT rebinding): the same binding.
  Registration moved = a;
  moved.contact = "sip:alice@192.0.2.99:6000;transport=tls";
  moved.cseq = 2;
  EXPECT_EQ(regs().upsert(moved, kNow), UpsertResult::Refreshed);
  EXPECT_EQ(regs().count(a.aor, kNow), 1);
  EXPECT_EQ(regs().find(a.key(), kNow)->contact, moved.contact);
  // A second flow (reg-id 2) of the same instance is another binding (RFC 5626).
  Registration flow2 = moved;
  flow2.regId = 2;
  flow2.callId = "c2";
  EXPECT_EQ(regs().upsert(flow2, kNow), UpsertResult::Created);
  // A contact without instance is keyed by its URI, apart from the instance bindings.
  Registration plain = binding(moved.contact, kNow + 600, "c3", 1);
  EXPECT_EQ(regs().upsert(plain, kNow), UpsertResult::Created);
  EXPECT_EQ(regs().count(a.aor, kNow), 3);

  EXPECT_TRUE(regs().remove(flow2.key()));
  EXPECT_FALSE(regs().remove(flow2.key()));
  EXPECT_EQ(regs().count(a.aor, kNow), 2);
}

TEST_F(RegistrationsTest, ListOrderAndExpiry) {
  Registration low = binding("sip:a@192.0.2.1", kNow + 100, "c1");
  low.q = 0.1;
  Registration mid = binding("sip:a@192.0.2.2", kNow + 200, "c2");
  mid.q = 0.5;
  Registration none = binding("sip:a@192.0.2.3", kNow + 300, "c3");  // no q: ranks as 1.0
  Registration other = binding("sip:b@192.0.2.4", kNow + 300, "c4");
  other.aor = "sip:bob@example.com";
  regs().upsert(low, kNow);
  regs().upsert(mid, kNow);
  regs().upsert(none, kNow);
  regs().upsert(other, kNow);

  auto list = regs().list("SIP:Alice@Example.com", kNow);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].contact, none.contact);
  EXPECT_EQ(list[1].contact, mid.contact);
  EXPECT_EQ(list[2].contact, low.contact);

  EXPECT_EQ(regs().list("sip:alice@example.com", kNow + 100).size(), 2u);
  EXPECT_EQ(regs().count("sip:alice@example.com", kNow + 250), 1);
  EXPECT_EQ(regs().listAll(kNow).size(), 4u);
  EXPECT_EQ(regs().listAll(kNow + 250).size(), 2u);
  EXPECT_EQ(regs().listAll(kNow + 250, true).size(), 4u);
  auto all = regs().listAll(kNow);
  EXPECT_EQ(all[0].aor, "sip:alice@example.com");
  EXPECT_EQ(all[3].aor, "sip:bob@example.com");

  EXPECT_EQ(regs().purgeExpired(kNow + 200), 2);
  EXPECT_EQ(regs().listAll(kNow, true).size(), 2u);
  EXPECT_EQ(regs().purgeExpired(kNow + 200), 0);
}

TEST_F(RegistrationsTest, RemoveAllAndByConnection) {
  Registration a = binding("sip:a@192.0.2.1", kNow + 100, "c1");
  Registration b = binding("sip:a@192.0.2.2", kNow + 100, "c2");
  b.connectionId = 43;
  Registration c = binding("sip:b@192.0.2.3", kNow + 100, "c3");
  c.aor = "sip:bob@example.com";
  c.frontendServer = "fe2.example.com";
  regs().upsert(a, kNow);
  regs().upsert(b, kNow);
  regs().upsert(c, kNow);
  EXPECT_EQ(regs().removeByConnection("fe1.example.com", 42), 1);
  EXPECT_EQ(regs().removeByConnection("fe2.example.com", 43), 0);
  EXPECT_EQ(regs().removeAll("sip:ALICE@example.com"), 1);
  EXPECT_EQ(regs().listAll(kNow).size(), 1u);
}

TEST_F(RegistrationsTest, LargeConnectionIdsRoundTrip) {
  Registration r = binding("sip:a@192.0.2.1", kNow + 100);
  r.connectionId = 0xFFFFFFFFFFFFFFF0ULL;
  r.transport = Transport::Tcp;
  r.regId = 0xFFFFFFFFu;
  r.instance = "<urn:uuid:1>";
  regs().upsert(r, kNow);
  auto s = regs().find(r.key(), kNow);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->connectionId, 0xFFFFFFFFFFFFFFF0ULL);
  EXPECT_EQ(s->regId, 0xFFFFFFFFu);
  EXPECT_EQ(s->transport, Transport::Tcp);
  EXPECT_EQ(regs().removeByConnection("fe1.example.com", 0xFFFFFFFFFFFFFFF0ULL), 1);
}

TEST_F(RegistrationsTest, InvalidBindingsAreRefused) {
  auto kind = [&](Registration r) {
    try {
      regs().upsert(r, kNow);
    } catch (const StoreError& e) {
      return e.kind();
    }
    return StoreError::Kind::Internal;
  };
  Registration r = binding("sip:a@192.0.2.1", kNow + 100);
  Registration bad = r;
  bad.expiresAt = kNow;
  EXPECT_EQ(kind(bad), StoreError::Kind::Invalid);
  bad = r;
  bad.contact.clear();
  EXPECT_EQ(kind(bad), StoreError::Kind::Invalid);
  bad = r;
  bad.callId.clear();
  EXPECT_EQ(kind(bad), StoreError::Kind::Invalid);
  bad = r;
  bad.q = 1.5;
  EXPECT_EQ(kind(bad), StoreError::Kind::Invalid);
  bad = r;
  bad.instance = "";
  EXPECT_EQ(kind(bad), StoreError::Kind::Invalid);
  EXPECT_TRUE(regs().listAll(kNow, true).empty());
}

TEST(TransportNames, RoundTrip) {
  for (Transport t : {Transport::Udp, Transport::Tcp, Transport::Tls}) {
    EXPECT_EQ(parseTransport(transportName(t)), t);
  }
  EXPECT_FALSE(parseTransport("sctp"));
}

}  // namespace
}  // namespace parley::store
