#pragma once
// Relay credentials, TURN REST API style (draft-uberti-behave-turn-rest-00 §2, as coturn's
// use-auth-secret does): the Front End issues them and every Edge of the pool verifies them
// with a secret they share through the topology store, with no round trip between them.
//
//   username = "<expiry, unix seconds>:<user>"           e.g. "1700028800:sip:alice@example.com"
//   password = base64(HMAC-SHA1(secret, username))
//
// The Edge then treats username and password as TURN long-term credentials (RFC 8656 §9.2,
// RFC 8489 §9.2): key = MD5(username ":" realm ":" password), MESSAGE-INTEGRITY(-SHA256)
// checked with it. The user part may itself contain ':' (a SIP URI); the expiry is the text
// before the first ':'.
//
// Secret rotation (SecretRing). Each secret has an id, notBefore and an optional notAfter
// (its retirement):
// - Credentials are issued with the signing secret: among the secrets with
//   notBefore <= now < notAfter, the one with the latest notBefore (ties: the one retiring
//   last, then the last added).
//   A credential never outlives its secret: its expiry is capped at the secret's notAfter.
// - A credential is accepted while ANY non-retired secret (now < notAfter; notBefore does
//   not matter, so a secret published ahead of its use already verifies) produces its
//   password and its expiry is in the future. The username does not say which secret
//   signed it, so the Edge gets one candidate password per such secret and tries
//   MESSAGE-INTEGRITY with each (one or two in practice).
// - Rotation adds a secret that signs from now and sets the retirement of the previous ones
//   to now + overlap, with overlap >= the longest credential lifetime (8 hours by default):
//   every credential signed by an old secret has expired before that secret retires, so no
//   signed-in user breaks. An overlap of 0 is the emergency rotation for a leaked secret:
//   every outstanding credential stops working and clients fetch new ones after their 401.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

namespace parley::relay {

inline constexpr std::chrono::seconds kDefaultCredentialLifetime = std::chrono::hours(8);
// RFC 8489 §14.3: USERNAME is less than 509 bytes.
inline constexpr std::size_t kMaxUsernameBytes = 508;

struct RelayCredentials {
  std::string username;  // "<expiry>:<user>"
  std::string password;  // base64(HMAC-SHA1(secret, username))
  std::int64_t expiresAt = 0;  // unix seconds
  std::string secretId;  // which secret signed it (for logs; never sent to the client)
};

struct RelaySecret {
  std::string id;      // a label for logs ("3"); never secret
  std::string secret;  // the HMAC key, used byte for byte
  std::int64_t notBefore = 0;  // signs from here (unix seconds)
  std::optional<std::int64_t> notAfter;  // retired from here; none: not scheduled

  bool retiredAt(std::int64_t now) const noexcept { return notAfter && now >= *notAfter; }
  bool signsAt(std::int64_t now) const noexcept { return notBefore <= now && !retiredAt(now); }
};

// base64(HMAC-SHA1(secret, username)): the password for `username` under `secret`.
std::string relayPassword(std::string_view secret, std::string_view username);

// Issues credentials for `user` valid for `lifetime` from `nowUnix`. Fails (500: a server
// fault, not the client's) for an empty secret, an empty user or one with control
// characters, a lifetime not above zero, or a username longer than a STUN USERNAME allows.
Result<RelayCredentials> issueCredentials(std::string_view secret, std::string_view user,
                                          std::int64_t nowUnix,
                                          std::chrono::seconds lifetime = kDefaultCredentialLifetime);

struct CandidatePassword {
  std::string secretId;
  std::string password;
};

struct CheckedUsername {
  std::string user;  // the part after "<expiry>:"
  std::int64_t expiresAt = 0;
  // One per non-retired secret, signing secret first: MESSAGE-INTEGRITY must verify with
  // one of them (compare in constant time).
  std::vector<CandidatePassword> passwords;
};

// Checks the form and expiry of a relay username and gives the passwords to verify its
// MESSAGE-INTEGRITY with. Errors carry code 401 (RFC 8489 §9.2.4: a username that is not
// currently valid), and a message saying which: "relay credentials expired at ...": the
// client must fetch new ones; "malformed relay username ..."; "no relay secret ...".
class SecretRing;
Result<CheckedUsername> verifyUsername(std::string_view username, const SecretRing& secrets,
                                       std::int64_t nowUnix);

class SecretRing {
 public:
  SecretRing() = default;
  explicit SecretRing(std::vector<RelaySecret> secrets) : secrets_(std::move(secrets)) {}

  void add(RelaySecret secret) { secrets_.push_back(std::move(secret)); }
  // Drops secrets retired at `now`; returns how many.
  std::size_t purgeRetired(std::int64_t nowUnix);

  // The secret to issue with at `now` (see the file comment); null if none signs.
  const RelaySecret* signingSecret(std::int64_t nowUnix) const noexcept;
  // Every secret not retired at `now`, signing secret first.
  std::vector<const RelaySecret*> verifyingSecrets(std::int64_t nowUnix) const;

  // issueCredentials with the signing secret, expiry capped at its retirement. Fails (500)
  // when no secret signs at `now`.
  Result<RelayCredentials> issue(std::string_view user, std::int64_t nowUnix,
                                 std::chrono::seconds lifetime = kDefaultCredentialLifetime) const;

  const std::vector<RelaySecret>& secrets() const noexcept { return secrets_; }

 private:
  std::vector<RelaySecret> secrets_;
};

}  // namespace parley::relay
