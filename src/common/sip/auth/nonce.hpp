#pragma once
// Stateless, tamper-proof digest nonces, and the nonce-count memory that refuses replays.
//
// A nonce is the lower-case hex of
//     version (1 byte, 1) | issue time (8 bytes, unix seconds, big-endian) |
//     random (12 bytes) | MAC (16 bytes)
// with MAC = the first 16 bytes of HMAC-SHA256(secret, label | version | time | random |
// realm). The server keeps no state to issue or validate one; only a server that knows
// the secret can make one, and one made for one realm is refused in another. Unix time,
// not a steady clock, so that every server of a pool (sharing the secret) and a restarted
// server accept each other's nonces.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::sip::auth {

struct OpenedNonce {
  std::int64_t issuedAt = 0;  // unix seconds
  std::string mac{};          // 16 raw bytes: identifies the nonce in the nc memory
};

class NonceCodec {
 public:
  // `secret` signs new nonces; nonces signed with any of `previous` are still accepted,
  // so a pool can rotate its secret without failing clients in the middle of a login.
  explicit NonceCodec(std::string secret, std::vector<std::string> previous = {});

  // A new nonce for `realm`, with 12 random bytes from the system's CSPRNG.
  std::string issue(std::string_view realm, std::int64_t nowUnix) const;
  // The same with given random bytes (tests).
  std::string issueWith(std::string_view realm, std::int64_t nowUnix,
                        std::string_view random12) const;
  // Empty unless `nonce` is well-formed and was made with one of the secrets for `realm`.
  std::optional<OpenedNonce> open(std::string_view nonce, std::string_view realm) const;

 private:
  std::string mac(const std::string& secret, std::string_view body, std::string_view realm) const;

  std::string secret_;
  std::vector<std::string> previous_;
};

// Remembers, per nonce, the highest nonce-count accepted, so a request replayed with the
// same (or an older) nc is refused (RFC 7616 §3.3 and §5.3). Memory is bounded: entries
// go when their nonce expires, and when more than `maxEntries` nonces are live the oldest
// are evicted. An evicted nonce is not forgotten as "never seen": every nonce issued no
// later than the newest evicted one is reported Unknown, so eviction can force clients to
// take a fresh nonce but can never let a replay through.
class NonceCountTracker {
 public:
  enum class Check : std::uint8_t { Fresh, Replay, Unknown };

  explicit NonceCountTracker(std::size_t maxEntries)
      : maxEntries_(maxEntries > 0 ? maxEntries : 1) {}

  // Whether `nc` is above every nc accepted for this nonce; does not record it.
  Check check(const OpenedNonce& nonce, std::uint32_t nc) const;
  // Records `nc` as accepted for this nonce (call after the response was verified).
  void record(const OpenedNonce& nonce, std::uint32_t nc);
  // Forgets nonces issued at or before `issuedBefore` (they are expired anyway).
  void purge(std::int64_t issuedBefore);
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  std::size_t maxEntries_;
  std::map<std::pair<std::int64_t, std::string>, std::uint32_t> entries_;
  std::optional<std::int64_t> evictedThrough_;
};

}  // namespace parley::sip::auth
