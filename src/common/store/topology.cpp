#include "common/store/topology.hpp"

#include <array>

#include "common/base/strings.hpp"
#include "common/store/context.hpp"
#include "common/store/validation.hpp"

namespace parley::store {
namespace {

constexpr std::array<std::string_view, 4> kRoleNames{"frontend", "edge", "mediation", "mcu"};

constexpr std::string_view kPoolColumns =
    "SELECT p.id, p.fqdn, p.role, s.name FROM pools p JOIN sites s ON s.id = p.site_id ";
constexpr std::string_view kServerColumns =
    "SELECT v.id, v.fqdn, p.fqdn, v.address FROM servers v JOIN pools p ON p.id = v.pool_id ";

std::optional<Pool> readPool(const Statement& st) {
  auto role = parsePoolRole(st.columnText(2));
  if (!role) return std::nullopt;  // a role a later schema added; this build cannot run it
  return Pool{st.columnInt(0), st.columnText(1), *role, st.columnText(3)};
}

Server readServer(const Statement& st) {
  return Server{st.columnInt(0), st.columnText(1), st.columnText(2), st.columnText(3)};
}

std::int64_t countWhere(Database& db, std::string_view sql, std::int64_t id) {
  Statement st(db, sql);
  st.bind(1, id);
  return st.step() ? st.columnInt(0) : 0;
}

std::string checkKey(std::string_view key) {
  if (key.empty() || key.size() > 128) {
    throw StoreError(StoreError::Kind::Invalid, "a setting key must have 1 to 128 characters");
  }
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) {
      throw StoreError(StoreError::Kind::Invalid,
                       "setting key '" + std::string(key) +
                           "' may only hold lower-case letters, digits and '._-'");
    }
  }
  return std::string(key);
}

}  // namespace

std::string_view poolRoleName(PoolRole role) noexcept {
  return kRoleNames.at(static_cast<size_t>(role));
}

std::optional<PoolRole> parsePoolRole(std::string_view name) noexcept {
  for (size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == name) return static_cast<PoolRole>(i);
  }
  return std::nullopt;
}

// ---- init, domains, settings ----

void TopologyRepository::init(std::string_view defaultDomain) {
  std::string name = detail::valid(canonicalDomain(defaultDomain));
  Database& db = ctx_->db;
  Transaction tx(db);
  if (auto existing = this->defaultDomain()) {
    throw StoreError(StoreError::Kind::Conflict,
                     "the topology is already initialised (default domain " + *existing + ")");
  }
  Statement st(db,
               "INSERT INTO domains(name, is_default, created_at) VALUES (?1, 1, ?2) "
               "ON CONFLICT(name) DO UPDATE SET is_default = 1");
  st.bind(1, name).bind(2, ctx_->now()).run();
  setSetting("topology.initialized_at", std::to_string(ctx_->now()));
  tx.commit();
}

bool TopologyRepository::initialized() { return defaultDomain().has_value(); }

void TopologyRepository::addDomain(std::string_view name) {
  std::string domain = detail::valid(canonicalDomain(name));
  Database& db = ctx_->db;
  Transaction tx(db);
  if (servesDomain(domain)) {
    throw StoreError(StoreError::Kind::Conflict, "domain " + domain + " is already served");
  }
  Statement st(db, "INSERT INTO domains(name, is_default, created_at) VALUES (?1, 0, ?2)");
  st.bind(1, domain).bind(2, ctx_->now()).run();
  tx.commit();
}

std::vector<Domain> TopologyRepository::domains() {
  Statement st(ctx_->db, "SELECT name, is_default FROM domains ORDER BY is_default DESC, name");
  std::vector<Domain> out;
  while (st.step()) out.push_back(Domain{st.columnText(0), st.columnInt(1) != 0});
  return out;
}

bool TopologyRepository::servesDomain(std::string_view name) {
  auto domain = canonicalDomain(name);
  if (!domain) return false;
  Statement st(ctx_->db, "SELECT 1 FROM domains WHERE name = ?1");
  st.bind(1, *domain);
  return st.step();
}

std::optional<std::string> TopologyRepository::defaultDomain() {
  Statement st(ctx_->db, "SELECT name FROM domains WHERE is_default = 1");
  if (!st.step()) return std::nullopt;
  return st.columnText(0);
}

void TopologyRepository::setDefaultDomain(std::string_view name) {
  std::string domain = detail::valid(canonicalDomain(name));
  Database& db = ctx_->db;
  Transaction tx(db);
  if (!servesDomain(domain)) {
    throw StoreError(StoreError::Kind::NotFound, "domain " + domain + " is not served");
  }
  db.exec("UPDATE domains SET is_default = 0 WHERE is_default = 1");
  Statement st(db, "UPDATE domains SET is_default = 1 WHERE name = ?1");
  st.bind(1, domain).run();
  tx.commit();
}

bool TopologyRepository::removeDomain(std::string_view name) {
  auto domain = canonicalDomain(name);
  if (!domain) return false;
  Database& db = ctx_->db;
  Transaction tx(db);
  if (defaultDomain() == *domain) {
    throw StoreError(
        StoreError::Kind::Conflict,
        "domain " + *domain + " is the default domain; make another the default first");
  }
  {
    Statement st(db,
                 "SELECT count(*) FROM users WHERE substr(sip_uri, -length(?1) - 1) = '@' || ?1");
    st.bind(1, *domain);
    std::int64_t users = st.step() ? st.columnInt(0) : 0;
    if (users > 0) {
      throw StoreError(StoreError::Kind::Conflict,
                       "domain " + *domain + " still has " + std::to_string(users) + " user(s)");
    }
  }
  Statement del(db, "DELETE FROM domains WHERE name = ?1");
  del.bind(1, *domain).run();
  bool removed = db.changes() > 0;
  tx.commit();
  return removed;
}

void TopologyRepository::setSetting(std::string_view key, std::string_view value) {
  std::string k = checkKey(key);
  Database& db = ctx_->db;
  Transaction tx(db);
  Statement st(db,
               "INSERT INTO settings(key, value) VALUES (?1, ?2) "
               "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  st.bind(1, k).bind(2, value).run();
  tx.commit();
}

std::optional<std::string> TopologyRepository::setting(std::string_view key) {
  Statement st(ctx_->db, "SELECT value FROM settings WHERE key = ?1");
  st.bind(1, key);
  if (!st.step()) return std::nullopt;
  return st.columnText(0);
}

bool TopologyRepository::removeSetting(std::string_view key) {
  Database& db = ctx_->db;
  Transaction tx(db);
  Statement st(db, "DELETE FROM settings WHERE key = ?1");
  st.bind(1, key).run();
  bool removed = db.changes() > 0;
  tx.commit();
  return removed;
}

// ---- sites ----

Site TopologyRepository::addSite(std::string_view name) {
  std::string site = detail::valid(checkName("site", name));
  Database& db = ctx_->db;
  Transaction tx(db);
  if (findSite(site)) {
    throw StoreError(StoreError::Kind::Conflict, "site '" + site + "' already exists");
  }
  Statement st(db, "INSERT INTO sites(name) VALUES (?1)");
  st.bind(1, site).run();
  Site out{db.lastInsertRowId(), site};
  tx.commit();
  return out;
}

std::optional<Site> TopologyRepository::findSite(std::string_view name) {
  Statement st(ctx_->db, "SELECT id, name FROM sites WHERE name = ?1");
  st.bind(1, trim(name));
  if (!st.step()) return std::nullopt;
  return Site{st.columnInt(0), st.columnText(1)};
}

std::vector<Site> TopologyRepository::sites() {
  Statement st(ctx_->db, "SELECT id, name FROM sites ORDER BY name");
  std::vector<Site> out;
  while (st.step()) out.push_back(Site{st.columnInt(0), st.columnText(1)});
  return out;
}

bool TopologyRepository::removeSite(std::string_view name) {
  Database& db = ctx_->db;
  Transaction tx(db);
  auto site = findSite(name);
  if (!site) return false;
  std::int64_t pools = countWhere(db, "SELECT count(*) FROM pools WHERE site_id = ?1", site->id);
  if (pools > 0) {
    throw StoreError(StoreError::Kind::Conflict,
                     "site '" + site->name + "' still has " + std::to_string(pools) + " pool(s)");
  }
  Statement del(db, "DELETE FROM sites WHERE id = ?1");
  del.bind(1, site->id).run();
  tx.commit();
  return true;
}

// ---- pools ----

Pool TopologyRepository::addPool(std::string_view fqdn, PoolRole role, std::string_view site) {
  std::string name = detail::valid(canonicalDomain(fqdn));
  Database& db = ctx_->db;
  Transaction tx(db);
  auto theSite = findSite(site);
  if (!theSite) {
    throw StoreError(StoreError::Kind::NotFound,
                     "site '" + std::string(trim(site)) + "' does not exist");
  }
  if (findPool(name)) {
    throw StoreError(StoreError::Kind::Conflict, "pool " + name + " already exists");
  }
  Statement st(db, "INSERT INTO pools(fqdn, role, site_id) VALUES (?1, ?2, ?3)");
  st.bind(1, name).bind(2, poolRoleName(role)).bind(3, theSite->id).run();
  Pool out{db.lastInsertRowId(), name, role, theSite->name};
  tx.commit();
  return out;
}

std::optional<Pool> TopologyRepository::findPool(std::string_view fqdn) {
  auto name = canonicalDomain(fqdn);
  if (!name) return std::nullopt;
  Statement st(ctx_->db, std::string(kPoolColumns) + "WHERE p.fqdn = ?1");
  st.bind(1, *name);
  if (!st.step()) return std::nullopt;
  return readPool(st);
}

std::vector<Pool> TopologyRepository::pools() {
  Statement st(ctx_->db, std::string(kPoolColumns) + "ORDER BY p.fqdn");
  std::vector<Pool> out;
  while (st.step()) {
    if (auto p = readPool(st)) out.push_back(std::move(*p));
  }
  return out;
}

std::vector<Pool> TopologyRepository::pools(PoolRole role) {
  Statement st(ctx_->db, std::string(kPoolColumns) + "WHERE p.role = ?1 ORDER BY p.fqdn");
  st.bind(1, poolRoleName(role));
  std::vector<Pool> out;
  while (st.step()) {
    if (auto p = readPool(st)) out.push_back(std::move(*p));
  }
  return out;
}

bool TopologyRepository::removePool(std::string_view fqdn) {
  Database& db = ctx_->db;
  Transaction tx(db);
  auto pool = findPool(fqdn);
  if (!pool) return false;
  std::int64_t servers =
      countWhere(db, "SELECT count(*) FROM servers WHERE pool_id = ?1", pool->id);
  if (servers > 0) {
    throw StoreError(StoreError::Kind::Conflict,
                     "pool " + pool->fqdn + " still has " + std::to_string(servers) + " server(s)");
  }
  Statement del(db, "DELETE FROM pools WHERE id = ?1");
  del.bind(1, pool->id).run();
  tx.commit();
  return true;
}

// ---- servers ----

Server TopologyRepository::addServer(std::string_view fqdn, std::string_view pool,
                                     std::string_view address) {
  std::string name = detail::valid(canonicalDomain(fqdn));
  std::string addr = detail::valid(canonicalAddress(address));
  Database& db = ctx_->db;
  Transaction tx(db);
  auto thePool = findPool(pool);
  if (!thePool) {
    throw StoreError(StoreError::Kind::NotFound,
                     "pool " + std::string(trim(pool)) + " does not exist");
  }
  if (findServer(name)) {
    throw StoreError(StoreError::Kind::Conflict, "server " + name + " already exists");
  }
  Statement st(db, "INSERT INTO servers(fqdn, pool_id, address) VALUES (?1, ?2, ?3)");
  st.bind(1, name).bind(2, thePool->id).bind(3, addr).run();
  Server out{db.lastInsertRowId(), name, thePool->fqdn, addr};
  tx.commit();
  return out;
}

std::optional<Server> TopologyRepository::findServer(std::string_view fqdn) {
  auto name = canonicalDomain(fqdn);
  if (!name) return std::nullopt;
  Statement st(ctx_->db, std::string(kServerColumns) + "WHERE v.fqdn = ?1");
  st.bind(1, *name);
  if (!st.step()) return std::nullopt;
  return readServer(st);
}

std::vector<Server> TopologyRepository::servers() {
  Statement st(ctx_->db, std::string(kServerColumns) + "ORDER BY v.fqdn");
  std::vector<Server> out;
  while (st.step()) out.push_back(readServer(st));
  return out;
}

std::vector<Server> TopologyRepository::servers(std::string_view pool) {
  std::vector<Server> out;
  auto name = canonicalDomain(pool);
  if (!name) return out;
  Statement st(ctx_->db, std::string(kServerColumns) + "WHERE p.fqdn = ?1 ORDER BY v.fqdn");
  st.bind(1, *name);
  while (st.step()) out.push_back(readServer(st));
  return out;
}

bool TopologyRepository::removeServer(std::string_view fqdn) {
  auto name = canonicalDomain(fqdn);
  if (!name) return false;
  Database& db = ctx_->db;
  Transaction tx(db);
  Statement del(db, "DELETE FROM servers WHERE fqdn = ?1");
  del.bind(1, *name).run();
  bool removed = db.changes() > 0;
  tx.commit();
  return removed;
}

}  // namespace parley::store
