#pragma once
// Digest authentication of SIP requests (RFC 3261 §22, RFC 7616, RFC 8760), sans I/O: it
// works on header value text and plain values, takes the time as an argument and reads
// neither a clock nor a database (the HA1 comes from a callback).
//
// Use by a registrar or UAS (401, WWW-Authenticate / Authorization) and by a proxy (407,
// Proxy-Authenticate / Proxy-Authorization) alike; the header values are the same.
//
//   DigestAuthenticator auth({.secret = poolSecret});
//   Outcome o = auth.verifyHeader(authorizationValue, realm, "REGISTER", lookup, unixNow);
//   switch (o.status) {
//     case Status::Ok: ...                                  // authenticated as o.username
//     case Status::Malformed: 400 with o.reason
//     case Status::UnknownUser: case Status::BadResponse:  // wrong user or password
//       403, or 401 with a fresh challenge if the client should ask its user again
//     default:                                             // NoCredentials, StaleNonce,
//       401 with auth.challenge(realm, now, o.staleChallenge()).headerValues
//   }
//
// Decisions (see docs in the report):
// - Only qop=auth. Credentials without qop (the RFC 2069 form) are refused as Malformed:
//   without cnonce and nc they cannot be protected against replay within the nonce's
//   lifetime, RFC 7616 requires qop, and every SIP client since RFC 3261 sends it.
// - The nonce-count must rise strictly per nonce. Two requests sent in parallel with one
//   nonce that arrive out of order make the later-numbered first and the other a Replay,
//   which gets stale=true, so the client retries with a fresh nonce and no prompt.
// - Not thread-safe. Run one per worker (sharded by AOR so a client's requests meet the
//   same nc memory), all with the same secret. Servers of a pool accept each other's nonces
//   when they share the secret, but each remembers only the nc values it saw.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/sip/auth/credentials.hpp"
#include "common/sip/auth/digest.hpp"
#include "common/sip/auth/nonce.hpp"

namespace parley::sip::auth {

struct DigestConfig {
  // HMAC key for nonces: at least 32 random bytes, shared by the servers of a pool. When
  // empty a random one is made, and nonces then do not survive a restart (clients are
  // re-challenged once, with stale=false).
  std::string secret{};
  // Earlier secrets whose nonces are still accepted during a rotation.
  std::vector<std::string> previousSecrets{};
  std::chrono::seconds nonceLifetime{300};
  // How far in the future a nonce's issue time may be (clocks of pool members differ).
  std::chrono::seconds maxClockSkew{30};
  // Offered in this order, one challenge each (RFC 8760 §2.4: SHA-256 first). Credentials
  // with an algorithm not listed are Malformed.
  std::vector<Algorithm> algorithms{Algorithm::Sha256, Algorithm::Md5};
  // Sent in challenges when non-empty; credentials must then return it unchanged.
  std::string opaque{};
  // Most nonces whose nc is remembered at once (about 100 bytes each).
  std::size_t maxTrackedNonces = 100000;
};

struct Challenge {
  std::string nonce{};
  // WWW-Authenticate or Proxy-Authenticate values, one per algorithm in preference order:
  //   Digest realm="example.com", nonce="...", algorithm=SHA-256, qop="auth"
  std::vector<std::string> headerValues{};
};

enum class Status : std::uint8_t {
  Ok,             // the response is right, the nonce is fresh and its nc new
  NoCredentials,  // no Digest credentials for this realm: challenge
  UnknownUser,    // no HA1 for this username, realm and algorithm (or the user is disabled)
  BadResponse,    // the response is wrong: a wrong password
  StaleNonce,     // right response, but the nonce expired: challenge with stale=true
  Replay,         // right response, but this nc was already used with this nonce
  BadNonce,       // a nonce this server did not make (forged, or another secret or realm)
  Malformed,      // unusable credentials: see reason
};

std::string_view statusName(Status status) noexcept;

struct Outcome {
  Status status = Status::NoCredentials;
  std::string reason{};    // what was wrong, in words for a log or a 400 reason phrase
  std::string username{};  // as presented, when credentials were parsed
  std::optional<Algorithm> algorithm{};

  bool ok() const noexcept { return status == Status::Ok; }
  // Whether the next challenge should say stale=true (RFC 7616 §3.3): the client knew the
  // password, so it should retry with the new nonce without asking its user.
  bool staleChallenge() const noexcept {
    return status == Status::StaleNonce || status == Status::Replay;
  }
};

// Returns the stored HA1 (lower-case hex) for a digest username, realm and algorithm, or
// empty when there is none.
using Ha1Lookup = std::function<std::optional<std::string>(
    std::string_view username, std::string_view realm, Algorithm algorithm)>;

class DigestAuthenticator {
 public:
  explicit DigestAuthenticator(DigestConfig config = {});

  // A challenge for `realm` with a new nonce. `stale` after StaleNonce or Replay.
  Challenge challenge(std::string_view realm, std::int64_t nowUnix, bool stale = false);

  // Verifies credentials of a request with `method` (the Request-Line's method, e.g.
  // "REGISTER") to `realm`. Credentials for another realm are NoCredentials. On Ok the nc
  // is recorded.
  Outcome verify(const Credentials& credentials, std::string_view realm, std::string_view method,
                 const Ha1Lookup& lookupHa1, std::int64_t nowUnix);
  // The same with the HA1 known already (for the algorithm the credentials name; empty
  // when the user is unknown).
  Outcome verify(const Credentials& credentials, std::string_view realm, std::string_view method,
                 const std::optional<std::string>& ha1, std::int64_t nowUnix);
  // Parses the header value, then verifies. An absent header or another scheme is
  // NoCredentials, a parse error Malformed.
  Outcome verifyHeader(std::optional<std::string_view> headerValue, std::string_view realm,
                       std::string_view method, const Ha1Lookup& lookupHa1, std::int64_t nowUnix);

  // Forgets the nc of nonces that have expired. verify() also does it now and then.
  void purge(std::int64_t nowUnix);
  std::size_t trackedNonces() const noexcept { return tracker_.size(); }
  const DigestConfig& config() const noexcept { return config_; }

 private:
  DigestConfig config_;
  NonceCodec codec_;
  NonceCountTracker tracker_;
  std::int64_t lastPurge_ = 0;
};

}  // namespace parley::sip::auth
