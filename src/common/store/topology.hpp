#pragma once
// The deployment's topology: sites, pools of servers by role, servers, the SIP domains it
// serves and deployment-wide settings.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::store {

namespace detail {
struct Context;
}

enum class PoolRole : std::uint8_t { Frontend, Edge, Mediation, Mcu };

// "frontend", "edge", "mediation", "mcu".
std::string_view poolRoleName(PoolRole role) noexcept;
std::optional<PoolRole> parsePoolRole(std::string_view name) noexcept;

struct Site {
  std::int64_t id = 0;
  std::string name{};
};

struct Pool {
  std::int64_t id = 0;
  std::string fqdn{};  // lower case; also the name on the pool's certificate
  PoolRole role = PoolRole::Frontend;
  std::string site{};  // the site's name
};

struct Server {
  std::int64_t id = 0;
  std::string fqdn{};
  std::string pool{};     // the pool's FQDN
  std::string address{};  // numeric IPv4 or IPv6
};

struct Domain {
  std::string name{};  // lower case
  bool isDefault = false;
};

class TopologyRepository {
 public:
  explicit TopologyRepository(detail::Context& ctx) noexcept : ctx_(&ctx) {}

  // `topology init`: makes `defaultDomain` the first served domain and the default one.
  // Conflict if the topology was initialised already.
  void init(std::string_view defaultDomain);
  bool initialized();

  // Throw Invalid, Conflict (the name or FQDN is taken) or NotFound (the site or pool
  // referred to does not exist). Removal returns false when there is nothing to remove and
  // throws Conflict while something still refers to the row (a site's pools, a pool's
  // servers).
  Site addSite(std::string_view name);
  std::optional<Site> findSite(std::string_view name);
  std::vector<Site> sites();
  bool removeSite(std::string_view name);

  Pool addPool(std::string_view fqdn, PoolRole role, std::string_view site);
  std::optional<Pool> findPool(std::string_view fqdn);
  std::vector<Pool> pools();
  std::vector<Pool> pools(PoolRole role);
  bool removePool(std::string_view fqdn);

  Server addServer(std::string_view fqdn, std::string_view pool, std::string_view address);
  std::optional<Server> findServer(std::string_view fqdn);
  std::vector<Server> servers();
  std::vector<Server> servers(std::string_view pool);
  bool removeServer(std::string_view fqdn);

  // SIP domains the deployment serves (users' URIs must be in one of them).
  void addDomain(std::string_view name);
  std::vector<Domain> domains();  // the default first, then by name
  bool servesDomain(std::string_view name);
  std::optional<std::string> defaultDomain();
  // NotFound if the domain is not served.
  void setDefaultDomain(std::string_view name);
  // Conflict for the default domain, or while users are in it.
  bool removeDomain(std::string_view name);

  // Deployment-wide settings; keys are lower case letters, digits and "._-".
  void setSetting(std::string_view key, std::string_view value);
  std::optional<std::string> setting(std::string_view key);
  bool removeSetting(std::string_view key);

 private:
  detail::Context* ctx_;
};

}  // namespace parley::store
