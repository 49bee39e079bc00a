#pragma once
// Client policies: per-user settings the Front End enforces and provisions to clients.
// Every user has one; a user created without one gets "default", which always exists.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::store {

namespace detail {
struct Context;
}

inline constexpr std::string_view kDefaultPolicyName = "default";

struct ClientPolicy {
  std::int64_t id = 0;
  std::string name{};
  // Longest registration the registrar grants, in seconds (it lowers a larger Expires).
  std::int64_t maxRegistrationExpiry = 3600;
  // Most simultaneous registered contacts (devices) per user.
  std::int64_t maxBindings = 10;
  bool imAllowed = true;
  // Settings not yet promoted to columns, as a JSON object ("{}" when none).
  std::string extraJson = "{}";
};

class PolicyRepository {
 public:
  explicit PolicyRepository(detail::Context& ctx) noexcept : ctx_(&ctx) {}

  // Throws Invalid (empty name, a value not above 0, extra not a JSON object) or Conflict.
  ClientPolicy add(const ClientPolicy& policy);
  std::optional<ClientPolicy> find(std::string_view name);
  std::vector<ClientPolicy> list();  // ordered by name
  // Writes every setting of the policy named `policy.name`; false if there is none.
  bool update(const ClientPolicy& policy);
  // False if there is none; Conflict for the default policy or one assigned to users.
  bool remove(std::string_view name);
  // The policy of a user (by SIP URI); empty when there is no such user.
  std::optional<ClientPolicy> forUser(std::string_view sipUri);

 private:
  detail::Context* ctx_;
};

}  // namespace parley::store
