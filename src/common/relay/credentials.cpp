#include "common/relay/credentials.hpp"

#include <algorithm>
#include <cstdint>

#include "common/base/crypto.hpp"
#include "common/base/strings.hpp"

namespace parley::relay {
namespace {

bool hasControlCharacter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Error malformed(std::string_view why) {
  return makeError(401, "malformed relay username: " + std::string(why) +
                            " (expected \"<expiry unix seconds>:<user>\")");
}

}  // namespace

std::string relayPassword(std::string_view secret, std::string_view username) {
  return crypto::base64Encode(crypto::hmacSha1(secret, username));
}

Result<RelayCredentials> issueCredentials(std::string_view secret, std::string_view user,
                                          std::int64_t nowUnix, std::chrono::seconds lifetime) {
  if (secret.empty()) return makeError(500, "cannot issue relay credentials: the relay secret is empty");
  if (user.empty() || hasControlCharacter(user)) {
    return makeError(500, "cannot issue relay credentials: the user name is empty or has "
                          "control characters");
  }
  if (lifetime.count() <= 0) {
    return makeError(500, "cannot issue relay credentials: the lifetime must be above 0 seconds");
  }
  RelayCredentials c;
  c.expiresAt = nowUnix + lifetime.count();
  c.username = std::to_string(c.expiresAt) + ":" + std::string(user);
  if (c.username.size() > kMaxUsernameBytes) {
    return makeError(500, "cannot issue relay credentials: the user name is too long for a "
                          "STUN USERNAME (" + std::to_string(kMaxUsernameBytes) + " bytes at most)");
  }
  c.password = relayPassword(secret, c.username);
  return c;
}

std::size_t SecretRing::purgeRetired(std::int64_t nowUnix) {
  return std::erase_if(secrets_, [&](const RelaySecret& s) { return s.retiredAt(nowUnix); });
}

const RelaySecret* SecretRing::signingSecret(std::int64_t nowUnix) const noexcept {
  const RelaySecret* best = nullptr;
  for (const RelaySecret& s : secrets_) {
    if (!s.signsAt(nowUnix) || s.secret.empty()) continue;
    if (best == nullptr || s.notBefore > best->notBefore) {
      best = &s;
    } else if (s.notBefore == best->notBefore) {
      // Two rotations in one second: the secret not scheduled to retire (or retiring
      // later) signs; then the last added.
      auto end = [](const RelaySecret& x) { return x.notAfter.value_or(INT64_MAX); };
      if (end(s) >= end(*best)) best = &s;
    }
  }
  return best;
}

std::vector<const RelaySecret*> SecretRing::verifyingSecrets(std::int64_t nowUnix) const {
  std::vector<const RelaySecret*> out;
  const RelaySecret* signing = signingSecret(nowUnix);
  if (signing != nullptr) out.push_back(signing);
  for (const RelaySecret& s : secrets_) {
    if (&s == signing || s.retiredAt(nowUnix) || s.secret.empty()) continue;
    out.push_back(&s);
  }
  return out;
}

Result<RelayCredentials> SecretRing::issue(std::string_view user, std::int64_t nowUnix,
                                           std::chrono::seconds lifetime) const {
  const RelaySecret* s = signingSecret(nowUnix);
  if (s == nullptr) {
    return makeError(500, "cannot issue relay credentials: no relay secret is active (create one "
                          "with `parleyctl edge secret rotate`)");
  }
  // Never outlive the secret: after its retirement no Edge could verify the credential.
  if (s->notAfter && nowUnix + lifetime.count() > *s->notAfter) {
    lifetime = std::chrono::seconds(*s->notAfter - nowUnix);
  }
  auto c = issueCredentials(s->secret, user, nowUnix, lifetime);
  if (c) c->secretId = s->id;
  return c;
}

Result<CheckedUsername> verifyUsername(std::string_view username, const SecretRing& secrets,
                                       std::int64_t nowUnix) {
  if (username.size() > kMaxUsernameBytes) return malformed("longer than a STUN USERNAME");
  auto colon = username.find(':');
  if (colon == std::string_view::npos) return malformed("no ':'");
  std::string_view expiryText = username.substr(0, colon);
  // 18 digits at most: always fits in int64 and is far beyond any real expiry.
  if (!allDigits(expiryText) || expiryText.size() > 18) {
    return malformed("the expiry before ':' is not a number of seconds");
  }
  CheckedUsername out;
  out.expiresAt = parseNumber<std::int64_t>(expiryText).value_or(0);
  out.user = std::string(username.substr(colon + 1));
  if (out.user.empty()) return malformed("no user after ':'");
  if (nowUnix >= out.expiresAt) {
    return makeError(401, "relay credentials expired at " + std::to_string(out.expiresAt) +
                              " (now " + std::to_string(nowUnix) +
                              "); the client must obtain new ones from the Front End");
  }
  for (const RelaySecret* s : secrets.verifyingSecrets(nowUnix)) {
    out.passwords.push_back({s->id, relayPassword(s->secret, username)});
  }
  if (out.passwords.empty()) {
    return makeError(401, "no relay secret is active on this Edge; cannot verify relay "
                          "credentials (check the topology store: `parleyctl edge secret list`)");
  }
  return out;
}

}  // namespace parley::relay
