#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/base/crypto.hpp"
#include "store_test_util.hpp"

namespace parley::store {
namespace {

using testing::InitialisedStoreTest;
using testing::kNow;

class UsersTest : public InitialisedStoreTest {
 protected:
  UserRepository& users() { return store_.users(); }
};

TEST_F(UsersTest, AddFindListUpdateRemove) {
  User alice = users().add({.sipUri = "sip:Alice@Example.com",
                            .displayName = "Alice Liddell",
                            .lineUri = "tel:+14255550100;ext=100"});
  EXPECT_GT(alice.id, 0);
  EXPECT_EQ(alice.sipUri, "sip:alice@example.com");
  EXPECT_EQ(alice.lineUri, "tel:+14255550100;ext=100");
  EXPECT_TRUE(alice.enabled);
  EXPECT_EQ(alice.clientPolicy, "default");
  EXPECT_EQ(alice.createdAt, kNow);
  EXPECT_EQ(alice.updatedAt, kNow);

  users().add({.sipUri = "sip:bob@example.com", .displayName = "Bob"});
  EXPECT_EQ(users().count(), 2);

  auto found = users().find("SIP:ALICE@example.COM");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, alice.id);
  EXPECT_EQ(found->displayName, "Alice Liddell");
  EXPECT_EQ(users().findById(alice.id)->sipUri, "sip:alice@example.com");
  EXPECT_EQ(users().findByLineUri("TEL:+14255550100;EXT=100")->sipUri, "sip:alice@example.com");
  EXPECT_FALSE(users().find("sip:carol@example.com"));
  EXPECT_FALSE(users().find("not a uri"));
  EXPECT_FALSE(users().findByLineUri("tel:+19999"));

  auto all = users().list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].sipUri, "sip:alice@example.com");
  EXPECT_EQ(all[1].sipUri, "sip:bob@example.com");

  store_.policies().add({.name = "restricted", .imAllowed = false});
  User changed = *found;
  changed.displayName = "Alice L.";
  changed.lineUri.reset();
  changed.enabled = false;
  changed.clientPolicy = "restricted";
  EXPECT_TRUE(users().update(changed));
  auto after = users().find("sip:alice@example.com");
  EXPECT_EQ(after->displayName, "Alice L.");
  EXPECT_FALSE(after->lineUri);
  EXPECT_FALSE(after->enabled);
  EXPECT_EQ(after->clientPolicy, "restricted");
  EXPECT_EQ(after->createdAt, kNow);

  User ghost;
  ghost.sipUri = "sip:ghost@example.com";
  EXPECT_FALSE(users().update(ghost));

  EXPECT_TRUE(users().remove("sip:alice@example.com"));
  EXPECT_FALSE(users().remove("sip:alice@example.com"));
  EXPECT_FALSE(users().find("sip:alice@example.com"));
  EXPECT_EQ(users().count(), 1);
}

TEST_F(UsersTest, UniqueViolationsGiveClearErrors) {
  users().add({.sipUri = "sip:alice@example.com", .lineUri = "tel:+14255550100"});
  std::string message;
  EXPECT_EQ(errorKind([&] { users().add({.sipUri = "sip:ALICE@example.com"}); }, &message),
            StoreError::Kind::Conflict);
  EXPECT_NE(message.find("user sip:alice@example.com already exists"), std::string::npos)
      << message;

  EXPECT_EQ(
      errorKind(
          [&] { users().add({.sipUri = "sip:bob@example.com", .lineUri = "tel:+14255550100"}); },
          &message),
      StoreError::Kind::Conflict);
  EXPECT_NE(message.find("tel:+14255550100 is already assigned to sip:alice@example.com"),
            std::string::npos)
      << message;
  EXPECT_FALSE(users().find("sip:bob@example.com"));

  User bob = users().add({.sipUri = "sip:bob@example.com"});
  bob.lineUri = "tel:+14255550100";
  EXPECT_EQ(errorKind([&] { users().update(bob); }), StoreError::Kind::Conflict);
  // The same number with another extension is another line.
  bob.lineUri = "tel:+14255550100;ext=2";
  EXPECT_TRUE(users().update(bob));
}

TEST_F(UsersTest, InvalidInputIsRefused) {
  std::string message;
  EXPECT_EQ(errorKind([&] { users().add({.sipUri = "alice@example.com"}); }, &message),
            StoreError::Kind::Invalid);
  EXPECT_NE(message.find("must start with sip:"), std::string::npos) << message;

  EXPECT_EQ(
      errorKind(
          [&] { users().add({.sipUri = "sip:alice@example.com", .lineUri = "tel:4255550100"}); },
          &message),
      StoreError::Kind::Invalid);
  EXPECT_NE(message.find("tel:+"), std::string::npos) << message;
  EXPECT_EQ(errorKind([&] {
              users().add({.sipUri = "sip:alice@example.com", .lineUri = "tel:+1234567890123456"});
            }),
            StoreError::Kind::Invalid);

  EXPECT_EQ(errorKind([&] { users().add({.sipUri = "sip:alice@elsewhere.org"}); }, &message),
            StoreError::Kind::Invalid);
  EXPECT_NE(message.find("does not serve the domain 'elsewhere.org'"), std::string::npos)
      << message;

  EXPECT_EQ(
      errorKind([&] { users().add({.sipUri = "sip:alice@example.com", .clientPolicy = "gold"}); },
                &message),
      StoreError::Kind::NotFound);
  EXPECT_NE(message.find("client policy 'gold' does not exist"), std::string::npos) << message;
  EXPECT_EQ(users().count(), 0);
}

TEST_F(UsersTest, PasswordsAreStoredOnlyAsHa1) {
  users().add({.sipUri = "sip:alice@example.com"});
  EXPECT_TRUE(users().setPassword("sip:alice@example.com", "Circle of Life"));
  EXPECT_FALSE(users().setPassword("sip:nobody@example.com", "x"));

  auto creds = users().credentials("sip:alice@example.com");
  ASSERT_EQ(creds.size(), 2u);
  for (const DigestCredential& c : creds) {
    EXPECT_EQ(c.username, "alice");
    EXPECT_EQ(c.realm, "example.com");
    EXPECT_EQ(c.updatedAt, kNow);
    if (c.algorithm == DigestAlgorithm::Md5) {
      EXPECT_EQ(c.ha1, crypto::md5Hex("alice:example.com:Circle of Life"));
    } else {
      EXPECT_EQ(c.ha1, crypto::sha256Hex("alice:example.com:Circle of Life"));
    }
  }
  // (The HA1 formula is sip::auth::computeHa1, checked against RFC 7616 §3.9.1 in
  // tests/unit/sip_auth/digest_test.cpp.)
  EXPECT_EQ(users().digestHa1("alice", "example.com", DigestAlgorithm::Sha256),
            crypto::sha256Hex("alice:example.com:Circle of Life"));
  EXPECT_EQ(users().digestHa1("alice", "example.com", DigestAlgorithm::Md5),
            crypto::md5Hex("alice:example.com:Circle of Life"));
  EXPECT_FALSE(users().digestHa1("alice", "other.realm", DigestAlgorithm::Md5));
  EXPECT_FALSE(users().digestHa1("bob", "example.com", DigestAlgorithm::Md5));

  // The plain password is nowhere in the file (database and WAL).
  store_ = reopen();
  for (const std::string& file : {path(), path() + "-wal"}) {
    std::error_code ec;
    auto size = std::filesystem::file_size(file, ec);
    if (ec) continue;  // no WAL left
    std::string bytes(size, '\0');
    std::ifstream(file, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(size));
    EXPECT_EQ(bytes.find("Circle of Life"), std::string::npos) << file;
  }
}

TEST_F(UsersTest, PasswordRealmsAndReplacement) {
  users().add({.sipUri = "sip:alice@example.com"});
  users().setPassword("sip:alice@example.com", "one", "Parley Realm");
  EXPECT_TRUE(users().digestHa1("alice", "Parley Realm", DigestAlgorithm::Sha256));
  EXPECT_FALSE(users().digestHa1("alice", "example.com", DigestAlgorithm::Sha256));
  // A new password replaces every old credential.
  users().setPassword("sip:alice@example.com", "two");
  EXPECT_FALSE(users().digestHa1("alice", "Parley Realm", DigestAlgorithm::Sha256));
  EXPECT_EQ(users().digestHa1("alice", "example.com", DigestAlgorithm::Sha256),
            crypto::sha256Hex("alice:example.com:two"));

  EXPECT_EQ(errorKind([&] { users().setPassword("sip:alice@example.com", ""); }),
            StoreError::Kind::Invalid);

  // Two users of different domains with the same user part cannot share one realm.
  store_.topology().addDomain("example.org");
  users().add({.sipUri = "sip:alice@example.org"});
  EXPECT_TRUE(users().setPassword("sip:alice@example.org", "three"));  // realm example.org
  std::string message;
  EXPECT_EQ(errorKind([&] { users().setPassword("sip:alice@example.org", "x", "example.com"); },
                      &message),
            StoreError::Kind::Conflict);
  EXPECT_NE(message.find("already used by sip:alice@example.com"), std::string::npos) << message;

  EXPECT_TRUE(users().clearPassword("sip:alice@example.com"));
  EXPECT_TRUE(users().credentials("sip:alice@example.com").empty());
  EXPECT_FALSE(users().digestHa1("alice", "example.com", DigestAlgorithm::Sha256));
}

TEST_F(UsersTest, DisabledUsersCannotAuthenticate) {
  User alice = users().add({.sipUri = "sip:alice@example.com"});
  users().setPassword(alice.sipUri, "pw");
  alice.enabled = false;
  users().update(alice);
  EXPECT_FALSE(users().digestHa1("alice", "example.com", DigestAlgorithm::Sha256));
  EXPECT_EQ(users().credentials(alice.sipUri).size(), 2u);  // kept for when re-enabled
}

TEST_F(UsersTest, RemovingAUserRemovesCredentialsAndRegistrations) {
  users().add({.sipUri = "sip:alice@example.com"});
  users().setPassword("sip:alice@example.com", "pw");
  Registration r;
  r.aor = "sip:alice@example.com";
  r.contact = "sip:alice@192.0.2.1:5060";
  r.expiresAt = kNow + 600;
  r.callId = "c1";
  r.cseq = 1;
  r.sourceAddress = "192.0.2.1";
  r.sourcePort = 5060;
  store_.registrations().upsert(r, kNow);
  ASSERT_EQ(store_.registrations().count("sip:alice@example.com", kNow), 1);

  EXPECT_TRUE(users().remove("sip:alice@example.com"));
  EXPECT_EQ(store_.registrations().count("sip:alice@example.com", kNow), 0);
  // The credentials went with the user: a new alice starts without any.
  users().add({.sipUri = "sip:alice@example.com"});
  EXPECT_TRUE(users().credentials("sip:alice@example.com").empty());
  EXPECT_FALSE(users().digestHa1("alice", "example.com", DigestAlgorithm::Md5));
}

}  // namespace
}  // namespace parley::store
