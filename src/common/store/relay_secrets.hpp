#pragma once
// Relay secrets: the HMAC keys with which Front Ends sign TURN REST-style relay credentials
// and every Edge of the pool verifies them (src/common/relay/credentials.hpp), shared
// through the store so that no round trip between the roles is needed.
//
// Rotation with overlap: rotate(now, overlap) adds a new random secret that signs from
// `now` and schedules every earlier secret to retire at now + overlap (an earlier
// retirement already scheduled is kept). While a secret is not retired, Edges verify with
// it; so an overlap at least as long as the longest credential lifetime (8 hours by
// default) lets every credential signed with an old secret run out before that secret
// retires, and no signed-in user breaks. An overlap of 0 retires the old secrets at once
// (a leaked secret): outstanding credentials fail with 401 and clients fetch new ones.
//
// Times are unix seconds passed in by the caller.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::store {

namespace detail {
struct Context;
}

struct RelaySecret {
  std::int64_t id = 0;
  // The HMAC key, used as this text byte for byte: 64 lowercase hex digits. Never print it.
  std::string secret{};
  std::int64_t createdAt = 0;
  std::int64_t notBefore = 0;              // signs from here
  std::optional<std::int64_t> notAfter{};  // retired from here; none: not scheduled

  bool retiredAt(std::int64_t now) const noexcept { return notAfter && now >= *notAfter; }
};

struct RelaySecretRotation {
  RelaySecret added{};
  // Ids of the earlier secrets that are now scheduled to retire, and when (the latest).
  std::vector<std::int64_t> retiring{};
  std::optional<std::int64_t> retireAt{};
};

class RelaySecretRepository {
 public:
  explicit RelaySecretRepository(detail::Context& ctx) noexcept : ctx_(&ctx) {}

  // Secrets not retired at `now` (what an Edge verifies with), newest (latest notBefore,
  // then highest id) first; the first one with notBefore <= now is the one to sign with.
  std::vector<RelaySecret> listActive(std::int64_t now);
  // Every secret still stored, retired or not, newest first.
  std::vector<RelaySecret> listAll();
  // Adds a new random secret (32 bytes from the system's CSPRNG) that signs from `now` and
  // schedules the others to retire at now + overlap, in one transaction. Throws Invalid for
  // a negative overlap.
  RelaySecretRotation rotate(std::int64_t now, std::chrono::seconds overlap);
  // Deletes the secrets retired at `now`; returns how many.
  std::size_t purgeRetired(std::int64_t now);

 private:
  detail::Context* ctx_;
};

}  // namespace parley::store
