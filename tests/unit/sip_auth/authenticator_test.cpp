#include "common/sip/auth/authenticator.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <stdexcept>

namespace parley::sip::auth {
namespace {

constexpr std::string_view kRealm = "example.com";
constexpr std::int64_t kT0 = 1700000000;

// A client answering a challenge (RFC 7616 §3.4 with qop=auth).
struct Client {
  std::string username = "alice";
  std::string password = "wonderland";
  std::string uri = "sip:example.com";
  std::string cnonce = "0a4f113b";

  Credentials answer(const std::string& nonce, Algorithm alg, std::uint32_t nc,
                     std::string_view method = "REGISTER", std::string_view realm = kRealm) const {
    char ncText[9];
    std::snprintf(ncText, sizeof ncText, "%08x", nc);
    Credentials c;
    c.username = username;
    c.realm = std::string(realm);
    c.nonce = nonce;
    c.uri = uri;
    c.algorithm = std::string(algorithmName(alg));
    c.qop = "auth";
    c.nc = ncText;
    c.cnonce = cnonce;
    c.response = computeResponse(alg, computeHa1(alg, username, realm, password), nonce, ncText,
                                 cnonce, "auth", method, uri);
    return c;
  }
};

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest() : auth_(config()) {}

  static DigestConfig config() {
    DigestConfig c;
    c.secret = "0123456789abcdef0123456789abcdef";
    c.nonceLifetime = std::chrono::seconds(300);
    c.maxClockSkew = std::chrono::seconds(30);
    return c;
  }

  // The store: alice's HA1s computed from her password, as UserRepository keeps them.
  Ha1Lookup lookup() const {
    return [](std::string_view user, std::string_view realm,
              Algorithm alg) -> std::optional<std::string> {
      if (user != "alice" || realm != kRealm) return std::nullopt;
      return computeHa1(alg, user, realm, "wonderland");
    };
  }

  Outcome verify(const Credentials& c, std::int64_t now, std::string_view method = "REGISTER") {
    return auth_.verify(c, kRealm, method, lookup(), now);
  }

  DigestAuthenticator auth_;
  Client client_;
};

TEST_F(AuthenticatorTest, ChallengeOffersSha256ThenMd5WithOneNonce) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  ASSERT_EQ(ch.headerValues.size(), 2u);
  EXPECT_EQ(ch.headerValues[0], "Digest realm=\"example.com\", nonce=\"" + ch.nonce +
                                    "\", algorithm=SHA-256, qop=\"auth\"");
  EXPECT_EQ(ch.headerValues[1], "Digest realm=\"example.com\", nonce=\"" + ch.nonce +
                                    "\", algorithm=MD5, qop=\"auth\"");
  Challenge stale = auth_.challenge(kRealm, kT0, true);
  EXPECT_NE(stale.nonce, ch.nonce);
  EXPECT_NE(stale.headerValues[0].find(", stale=true"), std::string::npos);
}

TEST_F(AuthenticatorTest, ChallengeQuotesRealmAndCarriesOpaque) {
  DigestConfig c = config();
  c.opaque = "op\"aque";
  c.algorithms = {Algorithm::Sha256};
  DigestAuthenticator a(c);
  Challenge ch = a.challenge("we \"quote\" \\ this", kT0);
  ASSERT_EQ(ch.headerValues.size(), 1u);
  EXPECT_EQ(ch.headerValues[0], "Digest realm=\"we \\\"quote\\\" \\\\ this\", nonce=\"" + ch.nonce +
                                    "\", opaque=\"op\\\"aque\", algorithm=SHA-256, qop=\"auth\"");
}

TEST_F(AuthenticatorTest, BothAlgorithmsAuthenticate) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  for (Algorithm alg : {Algorithm::Sha256, Algorithm::Md5}) {
    Outcome o = verify(client_.answer(ch.nonce, alg, alg == Algorithm::Sha256 ? 1 : 2), kT0 + 1);
    EXPECT_EQ(o.status, Status::Ok) << statusName(o.status) << ": " << o.reason;
    EXPECT_EQ(o.username, "alice");
    EXPECT_EQ(o.algorithm, alg);
  }
}

TEST_F(AuthenticatorTest, AbsentAlgorithmMeansMd5) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  Credentials c = client_.answer(ch.nonce, Algorithm::Md5, 1);
  c.algorithm.reset();
  Outcome o = verify(c, kT0);
  EXPECT_EQ(o.status, Status::Ok) << o.reason;
  EXPECT_EQ(o.algorithm, Algorithm::Md5);
}

TEST_F(AuthenticatorTest, WrongPasswordIsBadResponse) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  Client wrong = client_;
  wrong.password = "looking-glass";
  Outcome o = verify(wrong.answer(ch.nonce, Algorithm::Sha256, 1), kT0 + 1);
  EXPECT_EQ(o.status, Status::BadResponse);
  EXPECT_FALSE(o.staleChallenge());
  // The same response for another method or URI does not verify either.
  Credentials c = client_.answer(ch.nonce, Algorithm::Sha256, 1, "INVITE");
  EXPECT_EQ(verify(c, kT0 + 1, "REGISTER").status, Status::BadResponse);
  // A failed attempt does not consume the nc.
  EXPECT_EQ(verify(client_.answer(ch.nonce, Algorithm::Sha256, 1), kT0 + 1).status, Status::Ok);
}

TEST_F(AuthenticatorTest, UnknownUser) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  Client bob = client_;
  bob.username = "bob";
  Outcome o = verify(bob.answer(ch.nonce, Algorithm::Sha256, 1), kT0);
  EXPECT_EQ(o.status, Status::UnknownUser);
  EXPECT_EQ(o.username, "bob");
}

TEST_F(AuthenticatorTest, ProvidedHa1) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  Credentials c = client_.answer(ch.nonce, Algorithm::Sha256, 1);
  std::optional<std::string> ha1 = computeHa1(Algorithm::Sha256, "alice", kRealm, "wonderland");
  EXPECT_EQ(auth_.verify(c, kRealm, "REGISTER", ha1, kT0).status, Status::Ok);
  EXPECT_EQ(auth_.verify(c, kRealm, "REGISTER", std::optional<std::string>{}, kT0).status,
            Status::UnknownUser);
  // An upper-case stored HA1 is accepted; a truncated one is not a usable credential.
  std::optional<std::string> upper = *ha1;
  for (char& ch2 : *upper) ch2 = static_cast<char>(std::toupper(static_cast<unsigned char>(ch2)));
  Credentials c2 = client_.answer(ch.nonce, Algorithm::Sha256, 2);
  EXPECT_EQ(auth_.verify(c2, kRealm, "REGISTER", upper, kT0).status, Status::Ok);
  std::optional<std::string> truncated = ha1->substr(0, 32);
  Credentials c3 = client_.answer(ch.nonce, Algorithm::Sha256, 3);
  EXPECT_EQ(auth_.verify(c3, kRealm, "REGISTER", truncated, kT0).status, Status::UnknownUser);
}

TEST_F(AuthenticatorTest, ExpiredNonceIsStaleOnlyWithTheRightPassword) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  EXPECT_EQ(verify(client_.answer(ch.nonce, Algorithm::Sha256, 1), kT0 + 299).status, Status::Ok);
  Outcome o = verify(client_.answer(ch.nonce, Algorithm::Sha256, 2), kT0 + 300);
  EXPECT_EQ(o.status, Status::StaleNonce);
  EXPECT_TRUE(o.staleChallenge());
  // stale=true promises the password was right: a wrong one is still BadResponse.
  Client wrong = client_;
  wrong.password = "nope";
  EXPECT_EQ(verify(wrong.answer(ch.nonce, Algorithm::Sha256, 3), kT0 + 1000).status,
            Status::BadResponse);
}

TEST_F(AuthenticatorTest, NonceFromTheFutureBeyondSkewIsStale) {
  Challenge ch = auth_.challenge(kRealm, kT0 + 31);
  EXPECT_EQ(verify(client_.answer(ch.nonce, Algorithm::Sha256, 1), kT0).status, Status::StaleNonce);
  Challenge near = auth_.challenge(kRealm, kT0 + 30);
  EXPECT_EQ(verify(client_.answer(near.nonce, Algorithm::Sha256, 1), kT0).status, Status::Ok);
}

TEST_F(AuthenticatorTest, ForgedNonceIsBadNonce) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  // A nonce made up by the client, one with its time pushed forward, one of another server
  // (other secret) and one made for another realm.
  std::string forged = ch.nonce;
  forged[17] = forged[17] == '0' ? '1' : '0';
  DigestConfig other = config();
  other.secret = "another pool's secret";
  DigestAuthenticator otherServer(other);
  for (const std::string& nonce :
       {std::string("dcd98b7102dd2f0e8b11d0f600bfb0c093"), forged,
        otherServer.challenge(kRealm, kT0).nonce, auth_.challenge("example.org", kT0).nonce}) {
    Outcome o = verify(client_.answer(nonce, Algorithm::Sha256, 1), kT0);
    EXPECT_EQ(o.status, Status::BadNonce) << nonce;
    EXPECT_FALSE(o.staleChallenge());
  }
}

TEST_F(AuthenticatorTest, ReplayedNonceCountIsRefused) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  Credentials first = client_.answer(ch.nonce, Algorithm::Sha256, 1);
  EXPECT_EQ(verify(first, kT0).status, Status::Ok);
  Outcome replay = verify(first, kT0 + 1);
  EXPECT_EQ(replay.status, Status::Replay);
  EXPECT_TRUE(replay.staleChallenge());
  // Going back is a replay too, also across algorithms (the nc belongs to the nonce).
  EXPECT_EQ(verify(client_.answer(ch.nonce, Algorithm::Sha256, 5), kT0).status, Status::Ok);
  EXPECT_EQ(verify(client_.answer(ch.nonce, Algorithm::Md5, 3), kT0).status, Status::Replay);
  EXPECT_EQ(verify(client_.answer(ch.nonce, Algorithm::Md5, 5), kT0).status, Status::Replay);
}

TEST_F(AuthenticatorTest, IncreasingNonceCountIsAccepted) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  for (std::uint32_t nc = 1; nc <= 5; ++nc) {
    EXPECT_EQ(verify(client_.answer(ch.nonce, Algorithm::Sha256, nc), kT0 + nc).status, Status::Ok);
  }
  EXPECT_EQ(verify(client_.answer(ch.nonce, Algorithm::Sha256, 0x10), kT0 + 9).status, Status::Ok);
  EXPECT_EQ(auth_.trackedNonces(), 1u);
  // Each nonce has its own count.
  Challenge second = auth_.challenge(kRealm, kT0);
  EXPECT_EQ(verify(client_.answer(second.nonce, Algorithm::Sha256, 1), kT0).status, Status::Ok);
}

TEST_F(AuthenticatorTest, UnknownOrUnofferedAlgorithmIsMalformed) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  Credentials c = client_.answer(ch.nonce, Algorithm::Sha256, 1);
  for (std::string alg : {"SHA-512-256", "MD5-sess", "SHA-256-sess", "rot13"}) {
    c.algorithm = alg;
    Outcome o = verify(c, kT0);
    EXPECT_EQ(o.status, Status::Malformed) << alg;
    EXPECT_NE(o.reason.find("not supported"), std::string::npos) << o.reason;
  }
  DigestConfig shaOnly = config();
  shaOnly.algorithms = {Algorithm::Sha256};
  DigestAuthenticator strict(shaOnly);
  Challenge ch2 = strict.challenge(kRealm, kT0);
  EXPECT_EQ(ch2.headerValues.size(), 1u);
  Outcome o = strict.verify(client_.answer(ch2.nonce, Algorithm::Md5, 1), kRealm, "REGISTER",
                            lookup(), kT0);
  EXPECT_EQ(o.status, Status::Malformed);
  EXPECT_NE(o.reason.find("not offered"), std::string::npos);
}

TEST_F(AuthenticatorTest, QopNcCnonceAndResponseFormat) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  auto expectMalformed = [&](Credentials c, std::string_view what) {
    Outcome o = verify(c, kT0);
    EXPECT_EQ(o.status, Status::Malformed) << what;
    EXPECT_NE(o.reason.find(what), std::string::npos) << o.reason;
  };
  Credentials good = client_.answer(ch.nonce, Algorithm::Sha256, 1);
  Credentials c = good;
  c.qop.reset();  // RFC 2069 style
  expectMalformed(c, "qop is missing");
  c = good;
  c.qop = "auth-int";
  expectMalformed(c, "auth-int");
  c = good;
  c.cnonce.reset();
  expectMalformed(c, "cnonce");
  c = good;
  c.nc = "1";
  expectMalformed(c, "nc");
  c = good;
  c.nc = "0000000g";
  expectMalformed(c, "nc");
  c = good;
  c.nc = "00000000";
  expectMalformed(c, "00000001");
  c = good;
  c.response = good.response.substr(0, 32);
  expectMalformed(c, "64-digit");
  c = good;
  c.userhash = true;
  expectMalformed(c, "userhash");
  // Upper-case hex in the response and nc is fine.
  c = good;
  for (char& ch2 : c.response)
    ch2 = static_cast<char>(std::toupper(static_cast<unsigned char>(ch2)));
  EXPECT_EQ(verify(c, kT0).status, Status::Ok);
}

TEST_F(AuthenticatorTest, OpaqueMustComeBack) {
  DigestConfig withOpaque = config();
  withOpaque.opaque = "abc";
  DigestAuthenticator a(withOpaque);
  Challenge ch = a.challenge(kRealm, kT0);
  Credentials c = client_.answer(ch.nonce, Algorithm::Sha256, 1);
  EXPECT_EQ(a.verify(c, kRealm, "REGISTER", lookup(), kT0).status, Status::Malformed);
  c.opaque = "abc";
  EXPECT_EQ(a.verify(c, kRealm, "REGISTER", lookup(), kT0).status, Status::Ok);
}

TEST_F(AuthenticatorTest, OtherRealmIsNoCredentials) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  Credentials c = client_.answer(ch.nonce, Algorithm::Sha256, 1, "REGISTER", "proxy.example.net");
  EXPECT_EQ(verify(c, kT0).status, Status::NoCredentials);
}

TEST_F(AuthenticatorTest, VerifyHeaderEndToEnd) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  Credentials c = client_.answer(ch.nonce, Algorithm::Sha256, 1);
  std::string header = "Digest username=\"alice\", realm=\"example.com\", nonce=\"" + c.nonce +
                       "\", uri=\"sip:example.com\", response=\"" + c.response +
                       "\", algorithm=SHA-256, cnonce=\"0a4f113b\", qop=auth, nc=00000001";
  EXPECT_EQ(auth_.verifyHeader(header, kRealm, "REGISTER", lookup(), kT0).status, Status::Ok);
  EXPECT_EQ(auth_.verifyHeader(header, kRealm, "REGISTER", lookup(), kT0).status, Status::Replay);
  EXPECT_EQ(auth_.verifyHeader(std::nullopt, kRealm, "REGISTER", lookup(), kT0).status,
            Status::NoCredentials);
  EXPECT_EQ(auth_.verifyHeader("Basic YWxpY2U6d29uZGVybGFuZA==", kRealm, "REGISTER", lookup(), kT0)
                .status,
            Status::NoCredentials);
  Outcome bad = auth_.verifyHeader("Digest username=\"alice", kRealm, "REGISTER", lookup(), kT0);
  EXPECT_EQ(bad.status, Status::Malformed);
  EXPECT_FALSE(bad.reason.empty());
}

TEST_F(AuthenticatorTest, SecretRotationKeepsOutstandingNonces) {
  Challenge ch = auth_.challenge(kRealm, kT0);
  DigestConfig rotated = config();
  rotated.previousSecrets = {rotated.secret};
  rotated.secret = "the next secret of the pool, 32+ bytes";
  DigestAuthenticator next(rotated);
  EXPECT_EQ(
      next.verify(client_.answer(ch.nonce, Algorithm::Sha256, 1), kRealm, "REGISTER", lookup(), kT0)
          .status,
      Status::Ok);
  // A server without the old secret refuses it.
  rotated.previousSecrets.clear();
  DigestAuthenticator forgetful(rotated);
  EXPECT_EQ(
      forgetful
          .verify(client_.answer(ch.nonce, Algorithm::Sha256, 1), kRealm, "REGISTER", lookup(), kT0)
          .status,
      Status::BadNonce);
}

TEST_F(AuthenticatorTest, NonceMemoryIsPurgedAndBounded) {
  for (int i = 0; i < 5; ++i) {
    Challenge ch = auth_.challenge(kRealm, kT0 + i);
    ASSERT_EQ(verify(client_.answer(ch.nonce, Algorithm::Sha256, 1), kT0 + i).status, Status::Ok);
  }
  EXPECT_EQ(auth_.trackedNonces(), 5u);
  auth_.purge(kT0 + 302);  // nonces issued at kT0, kT0+1, kT0+2 have expired
  EXPECT_EQ(auth_.trackedNonces(), 2u);
  // verify() purges by itself too.
  Challenge late = auth_.challenge(kRealm, kT0 + 1000);
  EXPECT_EQ(verify(client_.answer(late.nonce, Algorithm::Sha256, 1), kT0 + 1000).status,
            Status::Ok);
  EXPECT_EQ(auth_.trackedNonces(), 1u);

  DigestConfig small = config();
  small.maxTrackedNonces = 2;
  DigestAuthenticator a(small);
  std::vector<std::string> nonces;
  for (int i = 0; i < 3; ++i) {
    nonces.push_back(a.challenge(kRealm, kT0 + i).nonce);
    ASSERT_EQ(a.verify(client_.answer(nonces.back(), Algorithm::Sha256, 1), kRealm, "REGISTER",
                       lookup(), kT0 + i)
                  .status,
              Status::Ok);
  }
  EXPECT_EQ(a.trackedNonces(), 2u);
  // The evicted nonce cannot be replayed: the client is sent for a fresh nonce instead.
  Outcome o = a.verify(client_.answer(nonces[0], Algorithm::Sha256, 1), kRealm, "REGISTER",
                       lookup(), kT0 + 3);
  EXPECT_EQ(o.status, Status::StaleNonce);
}

TEST(DigestConfigTest, RandomSecretWhenNoneIsGiven) {
  DigestAuthenticator a;
  DigestAuthenticator b;
  EXPECT_EQ(a.config().secret.size(), 32u);
  Challenge ch = a.challenge(kRealm, kT0);
  Client client;
  auto lookup = [](std::string_view u, std::string_view r,
                   Algorithm alg) -> std::optional<std::string> {
    return computeHa1(alg, u, r, "wonderland");
  };
  EXPECT_EQ(a.verify(client.answer(ch.nonce, Algorithm::Sha256, 1), kRealm, "REGISTER", lookup, kT0)
                .status,
            Status::Ok);
  EXPECT_EQ(b.verify(client.answer(ch.nonce, Algorithm::Sha256, 1), kRealm, "REGISTER", lookup, kT0)
                .status,
            Status::BadNonce);
  DigestConfig none;
  none.algorithms.clear();
  EXPECT_THROW(DigestAuthenticator{none}, std::invalid_argument);
}

}  // namespace
}  // namespace parley::sip::auth
