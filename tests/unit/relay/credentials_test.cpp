#include "common/relay/credentials.hpp"

#include <gtest/gtest.h>

#include "common/base/crypto.hpp"
#include "common/base/strings.hpp"

namespace parley::relay {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr std::int64_t kNow = 1700000000;

RelaySecret secret(std::string id, std::string key, std::int64_t notBefore,
                   std::optional<std::int64_t> notAfter = std::nullopt) {
  return RelaySecret{std::move(id), std::move(key), notBefore, notAfter};
}

// RFC 2202 §3 test case 2, through the function issueCredentials signs with. (The RFC's
// data cannot be an issued username, which always starts with "<expiry>:".)
TEST(RelayCredentials, Rfc2202HmacSha1Vector) {
  EXPECT_EQ(toHex(crypto::hmacSha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(relayPassword("Jefe", "what do ya want for nothing?"), "7/zfauXrL6LSdBbV8YTfnCWafHk=");
}

// Expected password computed independently:
//   printf '1700028800:sip:alice@example.com' | openssl dgst -sha1 -hmac Jefe -binary | base64
TEST(RelayCredentials, IssueMatchesTurnRestForm) {
  auto c = issueCredentials("Jefe", "sip:alice@example.com", kNow);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->expiresAt, kNow + 8 * 3600);
  EXPECT_EQ(c->username, "1700028800:sip:alice@example.com");
  EXPECT_EQ(c->password, "PEvuFfZZYJJlDU58sPP/WZrWmFU=");

  auto shortLived = issueCredentials("north", "alice", kNow, seconds(28800));
  ASSERT_TRUE(shortLived);
  EXPECT_EQ(shortLived->username, "1700028800:alice");
  EXPECT_EQ(shortLived->password, "ktxESxPCv//jHj8cdvkYmo90C+Q=");
}

TEST(RelayCredentials, IssueRefusesBadInput) {
  EXPECT_FALSE(issueCredentials("", "alice", kNow));
  EXPECT_FALSE(issueCredentials("k", "", kNow));
  EXPECT_FALSE(issueCredentials("k", "ali\nce", kNow));
  EXPECT_FALSE(issueCredentials("k", "alice", kNow, seconds(0)));
  EXPECT_FALSE(issueCredentials("k", std::string(600, 'a'), kNow));
  auto e = issueCredentials("k", "alice", kNow, seconds(-5));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, 500);
}

TEST(RelayCredentials, RoundTrip) {
  SecretRing ring({secret("1", "s3cret", kNow - 100)});
  auto c = ring.issue("sip:alice@example.com", kNow);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->secretId, "1");
  auto v = verifyUsername(c->username, ring, kNow + 3600);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->user, "sip:alice@example.com");
  EXPECT_EQ(v->expiresAt, c->expiresAt);
  ASSERT_EQ(v->passwords.size(), 1u);
  EXPECT_EQ(v->passwords[0].secretId, "1");
  EXPECT_TRUE(crypto::constantTimeEquals(v->passwords[0].password, c->password));
}

TEST(RelayCredentials, Expiry) {
  SecretRing ring({secret("1", "s3cret", 0)});
  auto c = ring.issue("alice", kNow, hours(8));
  ASSERT_TRUE(c);
  EXPECT_TRUE(verifyUsername(c->username, ring, c->expiresAt - 1));
  auto v = verifyUsername(c->username, ring, c->expiresAt);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, 401);
  EXPECT_NE(v.error().message.find("expired"), std::string::npos) << v.error().message;
}

TEST(RelayCredentials, TamperedUsernameGivesOtherPasswords) {
  SecretRing ring({secret("1", "s3cret", 0)});
  auto c = ring.issue("alice", kNow);
  ASSERT_TRUE(c);
  // A later expiry or another user: the form is fine, but no candidate password equals the
  // issued one, so MESSAGE-INTEGRITY fails at the Edge.
  for (const std::string& forged :
       {std::to_string(c->expiresAt + 86400) + ":alice", std::to_string(c->expiresAt) + ":mallory",
        std::to_string(c->expiresAt) + ":alice "}) {
    auto v = verifyUsername(forged, ring, kNow);
    ASSERT_TRUE(v) << forged;
    for (const auto& p : v->passwords) EXPECT_NE(p.password, c->password) << forged;
  }
}

TEST(RelayCredentials, MalformedUsernames) {
  SecretRing ring({secret("1", "s3cret", 0)});
  for (const std::string& bad :
       {std::string(""), std::string("alice"), std::string(":alice"), std::string("abc:alice"),
        std::string("-5:alice"), std::string("+5:alice"), std::string("1700000100:"),
        std::string(" 1700000100:alice"), std::string("99999999999999999999:alice"),
        std::string("1700000100:") + std::string(600, 'a')}) {
    auto v = verifyUsername(bad, ring, kNow);
    ASSERT_FALSE(v) << bad;
    EXPECT_EQ(v.error().code, 401) << bad;
    EXPECT_NE(v.error().message.find("malformed"), std::string::npos) << v.error().message;
  }
  // The user part may contain ':' (a SIP URI): only the first one separates.
  auto v = verifyUsername("1700000100:sip:bob@example.com", ring, kNow);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->user, "sip:bob@example.com");
}

TEST(RelayCredentials, NoSecretCannotIssueOrVerify) {
  SecretRing empty;
  EXPECT_FALSE(empty.issue("alice", kNow));
  auto v = verifyUsername("1700000100:alice", empty, kNow);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, 401);
}

// Rotation at T with an overlap of 8 h: the old secret retires at T + 8h.
TEST(RelayCredentials, RotationOverlap) {
  const std::int64_t t = kNow;
  const std::int64_t overlap = 8 * 3600;
  SecretRing before({secret("1", "old-secret", t - 86400)});
  auto oldCred = before.issue("alice", t - 1);  // issued just before the rotation
  ASSERT_TRUE(oldCred);

  SecretRing ring({secret("1", "old-secret", t - 86400, t + overlap), secret("2", "new-secret", t)});
  ASSERT_NE(ring.signingSecret(t), nullptr);
  EXPECT_EQ(ring.signingSecret(t)->id, "2");
  auto newCred = ring.issue("alice", t + 60);
  ASSERT_TRUE(newCred);
  EXPECT_EQ(newCred->secretId, "2");

  auto matches = [&](const RelayCredentials& c, std::int64_t now) {
    auto v = verifyUsername(c.username, ring, now);
    if (!v) return false;
    for (const auto& p : v->passwords) {
      if (crypto::constantTimeEquals(p.password, c.password)) return true;
    }
    return false;
  };
  // During the overlap both verify; the signing secret's password comes first.
  EXPECT_TRUE(matches(*oldCred, t + 3600));
  EXPECT_TRUE(matches(*newCred, t + 3600));
  auto v = verifyUsername(newCred->username, ring, t + 3600);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->passwords.size(), 2u);
  EXPECT_EQ(v->passwords[0].secretId, "2");
  // The old credential has expired by the retirement (lifetime <= overlap)...
  EXPECT_LE(oldCred->expiresAt, t + overlap);
  // ...and once retired the old secret verifies nothing, even a credential whose expiry
  // was (illegitimately) later: only the new secret is offered.
  auto late = issueCredentials("old-secret", "alice", t + overlap - 10, hours(8));
  ASSERT_TRUE(late);
  EXPECT_TRUE(matches(*late, t + overlap - 1));
  EXPECT_FALSE(matches(*late, t + overlap));
  auto after = verifyUsername(late->username, ring, t + overlap);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->passwords.size(), 1u);
  EXPECT_EQ(after->passwords[0].secretId, "2");
  EXPECT_TRUE(matches(*newCred, t + overlap));

  EXPECT_EQ(ring.purgeRetired(t + overlap), 1u);
  EXPECT_EQ(ring.secrets().size(), 1u);
}

TEST(RelayCredentials, CredentialNeverOutlivesItsSecret) {
  // The only secret retires in an hour (nothing replaced it): credentials are shortened.
  SecretRing ring({secret("1", "k", 0, kNow + 3600)});
  auto c = ring.issue("alice", kNow, hours(8));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->expiresAt, kNow + 3600);
  EXPECT_FALSE(ring.issue("alice", kNow + 3600));
}

TEST(RelayCredentials, SecretPublishedAheadVerifiesButDoesNotSign) {
  // A secret whose notBefore is in the future is already accepted (Edges learn it before
  // Front Ends use it), but the current one still signs.
  SecretRing ring({secret("1", "current", 0), secret("2", "next", kNow + 600)});
  EXPECT_EQ(ring.signingSecret(kNow)->id, "1");
  EXPECT_EQ(ring.verifyingSecrets(kNow).size(), 2u);
  EXPECT_EQ(ring.signingSecret(kNow + 600)->id, "2");
}

}  // namespace
}  // namespace parley::relay
