#pragma once
// Registrations: the location service's bindings of an address-of-record to contacts
// (RFC 3261 §10.3), with the transport path to reach each contact, written through to the
// store so they survive a restart of the Front End (and a kill -9 of it).
//
// A binding is keyed by aor + contact, or, when the client sent +sip.instance, by
// aor + instance + reg-id (RFC 5626 §6: one binding per instance and flow; reg-id absent is
// its own value). Times are unix seconds passed in by the caller; a binding is live while
// expiresAt > now. AORs are lower-cased on every call, as users' SIP URIs are.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::store {

namespace detail {
struct Context;
}

enum class Transport : std::uint8_t { Udp, Tcp, Tls };

// "udp", "tcp", "tls".
std::string_view transportName(Transport transport) noexcept;
std::optional<Transport> parseTransport(std::string_view name) noexcept;

struct BindingKey {
  std::string aor{};
  std::string contact{};
  std::optional<std::string> instance{};  // +sip.instance, e.g. "<urn:uuid:...>"
  std::optional<std::uint32_t> regId{};
};

struct Registration {
  std::string aor{};      // "sip:alice@example.com"
  std::string contact{};  // the Contact URI
  std::optional<std::string> instance{};
  std::optional<std::uint32_t> regId{};
  std::optional<double> q{};  // 0 to 1; empty when the Contact had no q
  std::int64_t expiresAt = 0;
  std::string callId{};
  std::uint32_t cseq = 0;
  // How to reach the contact: the flow the REGISTER arrived on.
  Transport transport = Transport::Udp;
  std::string sourceAddress{};
  std::uint16_t sourcePort = 0;
  std::uint64_t connectionId = 0;  // 0 for UDP
  std::string frontendServer{};    // FQDN of the Front End server holding the connection
  std::string userAgent{};
  std::int64_t updatedAt = 0;  // set by the store: the `now` of the last write

  BindingKey key() const { return BindingKey{aor, contact, instance, regId}; }
};

enum class UpsertResult : std::uint8_t {
  Created,     // no live binding had this key
  Refreshed,   // a live binding was updated
  OutOfOrder,  // same Call-ID with a CSeq not above the stored one: nothing written
};

enum class RemoveResult : std::uint8_t { Removed, NotFound, OutOfOrder };

class RegistrationRepository {
 public:
  explicit RegistrationRepository(detail::Context& ctx) noexcept : ctx_(&ctx) {}

  // Adds or refreshes a binding. As RFC 3261 §10.3 step 7 requires, a request with the
  // Call-ID of the live binding must carry a higher CSeq, or it is refused (OutOfOrder) and
  // nothing is written; a different Call-ID replaces the binding. An expired binding with
  // the same key counts as absent. Throws Invalid when expiresAt <= now (that is a removal),
  // for an empty aor, contact or Call-ID, or a q outside [0, 1].
  UpsertResult upsert(const Registration& binding, std::int64_t now);

  // Removes one binding (Expires: 0), with the same Call-ID/CSeq rule as upsert.
  RemoveResult remove(const BindingKey& key, std::string_view callId, std::uint32_t cseq,
                      std::int64_t now);
  // Removes one binding unconditionally (administrators, flow failure). False if none.
  bool remove(const BindingKey& key);
  // Removes all bindings of an AOR (Contact: *, or the user is deleted); returns how many.
  std::int64_t removeAll(std::string_view aor);
  // Removes the bindings reached over one connection of one Front End server, when that
  // connection closes (RFC 5626 §5: the flow is gone); returns how many.
  std::int64_t removeByConnection(std::string_view frontendServer, std::uint64_t connectionId);

  std::optional<Registration> find(const BindingKey& key, std::int64_t now);
  // Live bindings of an AOR: highest q first (absent q counts as 1), then the most recent.
  std::vector<Registration> list(std::string_view aor, std::int64_t now);
  std::int64_t count(std::string_view aor, std::int64_t now);
  // All bindings, by AOR then contact: live ones, or also the expired ones not yet purged.
  std::vector<Registration> listAll(std::int64_t now, bool includeExpired = false);

  // Deletes bindings with expiresAt <= now; returns how many.
  std::int64_t purgeExpired(std::int64_t now);

 private:
  detail::Context* ctx_;
};

}  // namespace parley::store
