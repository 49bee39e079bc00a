#pragma once
// Users: who may sign in, with what identity, line URI and client policy, and the digest
// credentials they authenticate with. Passwords are never stored, only HA1 hashes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/sip/auth/digest.hpp"

namespace parley::store {

namespace detail {
struct Context;
}

// The digest algorithms and HA1 are the authenticator's (sip/auth): the hashes stored here
// are by construction the ones it verifies.
using DigestAlgorithm = sip::auth::Algorithm;
inline std::string_view digestAlgorithmName(DigestAlgorithm algorithm) noexcept {
  return sip::auth::algorithmName(algorithm);
}

struct User {
  std::int64_t id = 0;
  std::string sipUri{};  // canonical: "sip:alice@example.com", lower case
  std::string displayName{};
  std::optional<std::string> lineUri{};  // "tel:+14255550100" or "tel:+14255550100;ext=100"
  bool enabled = true;
  std::string clientPolicy = "default";
  std::int64_t createdAt = 0;  // unix seconds
  std::int64_t updatedAt = 0;
};

struct NewUser {
  std::string sipUri{};  // canonicalised on write; its domain must be one the deployment serves
  std::string displayName{};
  std::optional<std::string> lineUri{};
  bool enabled = true;
  std::string clientPolicy = "default";
};

struct DigestCredential {
  DigestAlgorithm algorithm = DigestAlgorithm::Sha256;
  std::string username{};  // the user part of the SIP URI
  std::string realm{};
  std::string ha1{};  // lower-case hex
  std::int64_t updatedAt = 0;
};

class UserRepository {
 public:
  explicit UserRepository(detail::Context& ctx) noexcept : ctx_(&ctx) {}

  // Adds a user. Throws StoreError: Invalid (a malformed SIP or line URI, a domain the
  // deployment does not serve), NotFound (no such client policy), Conflict (the SIP URI or
  // the line URI is taken).
  User add(const NewUser& user);

  // Look-ups canonicalise their argument; a malformed one finds nothing.
  std::optional<User> find(std::string_view sipUri);
  std::optional<User> findById(std::int64_t id);
  std::optional<User> findByLineUri(std::string_view lineUri);
  std::vector<User> list();  // ordered by SIP URI
  std::int64_t count();

  // Writes display name, line URI, enabled and client policy of the user `user.sipUri`
  // (the SIP URI itself is the identity and does not change). False if there is no such
  // user; throws as add() does.
  bool update(const User& user);

  // Removes the user with their credentials and registrations. False if there is none.
  bool remove(std::string_view sipUri);

  // Replaces all of the user's credentials by MD5 and SHA-256 HA1s of `password` for
  // `realm`, which defaults to the domain of the user's SIP URI (the realm Parley
  // challenges with). The digest username is the user part of the SIP URI: "alice" for
  // sip:alice@example.com. False if there is no such user; throws Invalid for an empty
  // password or realm, Conflict if another user has the same username in that realm.
  bool setPassword(std::string_view sipUri, std::string_view password,
                   std::optional<std::string_view> realm = std::nullopt);
  // Removes the user's credentials: they can no longer authenticate.
  bool clearPassword(std::string_view sipUri);
  std::vector<DigestCredential> credentials(std::string_view sipUri);

  // The HA1 to verify a digest response with: by digest username (exact, as received),
  // realm and algorithm. Empty when there is no such credential or the user is disabled,
  // so a disabled account cannot authenticate.
  std::optional<std::string> digestHa1(std::string_view username, std::string_view realm,
                                       DigestAlgorithm algorithm);

 private:
  detail::Context* ctx_;
};

}  // namespace parley::store
