#include "common/store/policies.hpp"

#include "common/base/strings.hpp"
#include "common/store/context.hpp"
#include "common/store/validation.hpp"

namespace parley::store {
namespace {

constexpr std::string_view kPolicyColumns =
    "SELECT p.id, p.name, p.max_registration_expiry, p.max_bindings, p.im_allowed, p.extra "
    "FROM client_policies p ";

ClientPolicy readPolicy(const Statement& st) {
  ClientPolicy p;
  p.id = st.columnInt(0);
  p.name = st.columnText(1);
  p.maxRegistrationExpiry = st.columnInt(2);
  p.maxBindings = st.columnInt(3);
  p.imAllowed = st.columnInt(4) != 0;
  p.extraJson = st.columnText(5);
  return p;
}

// Returns the validated name; throws Invalid for a bad value.
std::string checkPolicy(Database& db, const ClientPolicy& policy) {
  std::string name = detail::valid(checkName("client policy", policy.name));
  if (policy.maxRegistrationExpiry <= 0) {
    throw StoreError(StoreError::Kind::Invalid, "client policy '" + name +
                                                    "': the maximum registration expiry must "
                                                    "be above 0 seconds");
  }
  if (policy.maxBindings <= 0) {
    throw StoreError(
        StoreError::Kind::Invalid,
        "client policy '" + name + "': the maximum number of bindings must be above 0");
  }
  Statement st(db, "SELECT CASE WHEN json_valid(?1) THEN json_type(?1) = 'object' ELSE 0 END");
  st.bind(1, policy.extraJson);
  if (!st.step() || st.columnInt(0) != 1) {
    throw StoreError(StoreError::Kind::Invalid,
                     "client policy '" + name + "': extra settings must be a JSON object");
  }
  return name;
}

void bindPolicy(Statement& st, const std::string& name, const ClientPolicy& p) {
  st.bind(1, name).bind(2, p.maxRegistrationExpiry).bind(3, p.maxBindings);
  st.bind(4, p.imAllowed).bind(5, p.extraJson);
}

}  // namespace

ClientPolicy PolicyRepository::add(const ClientPolicy& policy) {
  Database& db = ctx_->db;
  std::string name = checkPolicy(db, policy);
  Transaction tx(db);
  if (find(name)) {
    throw StoreError(StoreError::Kind::Conflict, "client policy '" + name + "' already exists");
  }
  Statement st(db,
               "INSERT INTO client_policies(name, max_registration_expiry, max_bindings, "
               "im_allowed, extra) VALUES (?1, ?2, ?3, ?4, ?5)");
  bindPolicy(st, name, policy);
  st.run();
  ClientPolicy out = policy;
  out.id = db.lastInsertRowId();
  out.name = name;
  tx.commit();
  return out;
}

std::optional<ClientPolicy> PolicyRepository::find(std::string_view name) {
  Statement st(ctx_->db, std::string(kPolicyColumns) + "WHERE p.name = ?1");
  st.bind(1, trim(name));
  if (!st.step()) return std::nullopt;
  return readPolicy(st);
}

std::vector<ClientPolicy> PolicyRepository::list() {
  Statement st(ctx_->db, std::string(kPolicyColumns) + "ORDER BY p.name");
  std::vector<ClientPolicy> out;
  while (st.step()) out.push_back(readPolicy(st));
  return out;
}

bool PolicyRepository::update(const ClientPolicy& policy) {
  Database& db = ctx_->db;
  std::string name = checkPolicy(db, policy);
  Transaction tx(db);
  Statement st(db,
               "UPDATE client_policies SET max_registration_expiry = ?2, max_bindings = ?3, "
               "im_allowed = ?4, extra = ?5 WHERE name = ?1");
  bindPolicy(st, name, policy);
  st.run();
  bool changed = db.changes() > 0;
  tx.commit();
  return changed;
}

bool PolicyRepository::remove(std::string_view name) {
  std::string key(trim(name));
  if (key == kDefaultPolicyName) {
    throw StoreError(StoreError::Kind::Conflict, "the default client policy cannot be removed");
  }
  Database& db = ctx_->db;
  Transaction tx(db);
  {
    Statement st(db, "SELECT count(*) FROM users WHERE client_policy = ?1");
    st.bind(1, key);
    std::int64_t users = st.step() ? st.columnInt(0) : 0;
    if (users > 0) {
      throw StoreError(StoreError::Kind::Conflict,
                       "client policy '" + key + "' is assigned to " + std::to_string(users) +
                           " user(s); assign them another policy first");
    }
  }
  Statement del(db, "DELETE FROM client_policies WHERE name = ?1");
  del.bind(1, key).run();
  bool removed = db.changes() > 0;
  tx.commit();
  return removed;
}

std::optional<ClientPolicy> PolicyRepository::forUser(std::string_view sipUri) {
  auto uri = canonicalUserUri(sipUri);
  if (!uri) return std::nullopt;
  Statement st(ctx_->db, std::string(kPolicyColumns) +
                             "JOIN users u ON u.client_policy = p.name WHERE u.sip_uri = ?1");
  st.bind(1, *uri);
  if (!st.step()) return std::nullopt;
  return readPolicy(st);
}

}  // namespace parley::store
