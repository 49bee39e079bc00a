#include "common/sip/auth/authenticator.hpp"

#include <algorithm>
#include <stdexcept>

#include "common/base/crypto.hpp"
#include "common/base/strings.hpp"

namespace parley::sip::auth {
namespace {

constexpr std::size_t kGeneratedSecretBytes = 32;
// verify() forgets expired nonces at most this often (seconds).
constexpr std::int64_t kPurgeInterval = 10;

DigestConfig withSecret(DigestConfig config) {
  if (config.secret.empty()) config.secret = crypto::randomBytes(kGeneratedSecretBytes);
  if (config.algorithms.empty()) {
    throw std::invalid_argument("digest authentication needs at least one algorithm");
  }
  if (config.nonceLifetime.count() <= 0) {
    throw std::invalid_argument("the digest nonce lifetime must be above 0 seconds");
  }
  return config;
}

// quoted-string with "\" and DQUOTE escaped (RFC 3261 §25.1 quoted-pair).
std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

bool isHex(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

// nc-value = 8LHEX (RFC 7616 §3.4); upper case is tolerated.
std::optional<std::uint32_t> parseNc(const std::optional<std::string>& nc) noexcept {
  if (!nc || nc->size() != 8 || !isHex(*nc)) return std::nullopt;
  std::uint32_t v = 0;
  for (char c : *nc) {
    int d = (c >= '0' && c <= '9') ? c - '0' : (asciiLower(c) - 'a' + 10);
    v = (v << 4) | static_cast<std::uint32_t>(d);
  }
  return v;
}

}  // namespace

std::string_view statusName(Status status) noexcept {
  switch (status) {
    case Status::Ok:
      return "ok";
    case Status::NoCredentials:
      return "no credentials";
    case Status::UnknownUser:
      return "unknown user";
    case Status::BadResponse:
      return "bad response";
    case Status::StaleNonce:
      return "stale nonce";
    case Status::Replay:
      return "replay";
    case Status::BadNonce:
      return "bad nonce";
    case Status::Malformed:
      return "malformed";
  }
  return "malformed";
}

DigestAuthenticator::DigestAuthenticator(DigestConfig config)
    : config_(withSecret(std::move(config))),
      codec_(config_.secret, config_.previousSecrets),
      tracker_(config_.maxTrackedNonces) {}

Challenge DigestAuthenticator::challenge(std::string_view realm, std::int64_t nowUnix, bool stale) {
  Challenge out;
  out.nonce = codec_.issue(realm, nowUnix);
  for (Algorithm alg : config_.algorithms) {
    std::string v = "Digest realm=" + quoted(realm) + ", nonce=\"" + out.nonce + "\"";
    if (!config_.opaque.empty()) v += ", opaque=" + quoted(config_.opaque);
    v += ", algorithm=";
    v += algorithmName(alg);
    v += ", qop=\"auth\"";
    if (stale) v += ", stale=true";
    out.headerValues.push_back(std::move(v));
  }
  return out;
}

Outcome DigestAuthenticator::verify(const Credentials& c, std::string_view realm,
                                    std::string_view method, const Ha1Lookup& lookupHa1,
                                    std::int64_t nowUnix) {
  Outcome out;
  out.username = c.username;
  auto result = [&out](Status status, std::string reason) {
    out.status = status;
    out.reason = std::move(reason);
    return out;
  };

  // RFC 3261 §22.3: credentials for another realm are for someone else on the path.
  if (c.realm != realm)
    return result(Status::NoCredentials, "the credentials are for another realm");

  // Absent algorithm means MD5 (RFC 7616 §3.4).
  std::optional<Algorithm> alg = c.algorithm ? parseAlgorithm(*c.algorithm) : Algorithm::Md5;
  if (!alg) return result(Status::Malformed, "algorithm " + *c.algorithm + " is not supported");
  if (std::find(config_.algorithms.begin(), config_.algorithms.end(), *alg) ==
      config_.algorithms.end()) {
    return result(Status::Malformed,
                  "algorithm " + std::string(algorithmName(*alg)) + " was not offered");
  }
  out.algorithm = alg;

  if (!c.qop) {
    return result(Status::Malformed,
                  "qop is missing (digest without qop, RFC 2069 style, is not accepted)");
  }
  if (!iequals(*c.qop, "auth")) {
    return result(Status::Malformed, "qop " + *c.qop + " is not supported; only auth is offered");
  }
  if (!c.cnonce || c.cnonce->empty()) return result(Status::Malformed, "cnonce is missing");
  std::optional<std::uint32_t> nc = parseNc(c.nc);
  if (!nc) return result(Status::Malformed, "nc is missing or not 8 hex digits");
  if (*nc == 0) return result(Status::Malformed, "nc must start at 00000001");
  if (c.userhash) return result(Status::Malformed, "userhash was not offered");
  if (!config_.opaque.empty() && c.opaque != config_.opaque) {
    return result(Status::Malformed, "opaque does not match the challenge");
  }
  std::string response = toLower(c.response);
  if (response.size() != hexDigestLength(*alg) || !isHex(response)) {
    return result(Status::Malformed, "response is not a " + std::to_string(hexDigestLength(*alg)) +
                                         "-digit hex digest");
  }

  std::optional<OpenedNonce> nonce = codec_.open(c.nonce, realm);
  if (!nonce)
    return result(Status::BadNonce, "the nonce was not issued by this server for this realm");

  std::optional<std::string> ha1 = lookupHa1 ? lookupHa1(c.username, realm, *alg) : std::nullopt;
  if (ha1) *ha1 = toLower(*ha1);
  bool usable = ha1 && ha1->size() == hexDigestLength(*alg) && isHex(*ha1);
  // An unknown user costs the same hashing as a known one, so timing does not tell them apart.
  std::string expected =
      computeResponse(*alg, usable ? *ha1 : std::string(hexDigestLength(*alg), '0'), c.nonce, *c.nc,
                      *c.cnonce, *c.qop, method, c.uri);
  if (!usable) {
    return result(Status::UnknownUser, ha1 ? "the stored HA1 is not a valid digest"
                                           : "no credentials are stored for this user");
  }
  if (!crypto::constantTimeEquals(expected, response)) {
    return result(Status::BadResponse, "the response does not match: wrong password");
  }

  // Only now is the nonce's age relevant: stale=true promises the client that its password
  // was right (RFC 7616 §3.3).
  if (nowUnix >= lastPurge_ + kPurgeInterval) purge(nowUnix);
  const std::int64_t lifetime = config_.nonceLifetime.count();
  if (nowUnix >= nonce->issuedAt + lifetime ||
      nonce->issuedAt > nowUnix + config_.maxClockSkew.count()) {
    return result(Status::StaleNonce, "the nonce has expired");
  }
  switch (tracker_.check(*nonce, *nc)) {
    case NonceCountTracker::Check::Replay:
      return result(Status::Replay, "nc " + *c.nc + " was already used with this nonce");
    case NonceCountTracker::Check::Unknown:
      return result(Status::StaleNonce, "the nonce was evicted from the nonce-count memory");
    case NonceCountTracker::Check::Fresh:
      break;
  }
  tracker_.record(*nonce, *nc);
  return result(Status::Ok, "");
}

Outcome DigestAuthenticator::verify(const Credentials& credentials, std::string_view realm,
                                    std::string_view method, const std::optional<std::string>& ha1,
                                    std::int64_t nowUnix) {
  return verify(
      credentials, realm, method,
      [&ha1](std::string_view, std::string_view, Algorithm) { return ha1; }, nowUnix);
}

Outcome DigestAuthenticator::verifyHeader(std::optional<std::string_view> headerValue,
                                          std::string_view realm, std::string_view method,
                                          const Ha1Lookup& lookupHa1, std::int64_t nowUnix) {
  if (!headerValue) return Outcome{Status::NoCredentials, "no credentials were sent", {}, {}};
  auto parsed = parseCredentials(*headerValue);
  if (!parsed) return Outcome{Status::Malformed, parsed.error().message, {}, {}};
  if (!parsed.value()) {
    return Outcome{Status::NoCredentials, "the credentials use another scheme than Digest", {}, {}};
  }
  return verify(*parsed.value(), realm, method, lookupHa1, nowUnix);
}

void DigestAuthenticator::purge(std::int64_t nowUnix) {
  tracker_.purge(nowUnix - config_.nonceLifetime.count());
  lastPurge_ = nowUnix;
}

}  // namespace parley::sip::auth
