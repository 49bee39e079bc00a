#include "common/store/users.hpp"

#include "common/base/crypto.hpp"
#include "common/store/context.hpp"
#include "common/store/validation.hpp"

namespace parley::store {
namespace {

constexpr std::string_view kUserColumns =
    "SELECT id, sip_uri, display_name, line_uri, enabled, client_policy, created_at, "
    "updated_at FROM users ";

User readUser(const Statement& st) {
  User u;
  u.id = st.columnInt(0);
  u.sipUri = st.columnText(1);
  u.displayName = st.columnText(2);
  u.lineUri = st.columnOptionalText(3);
  u.enabled = st.columnInt(4) != 0;
  u.clientPolicy = st.columnText(5);
  u.createdAt = st.columnInt(6);
  u.updatedAt = st.columnInt(7);
  return u;
}

std::optional<User> queryOne(Database& db, std::string_view where, auto&& binder) {
  Statement st(db, std::string(kUserColumns) + std::string(where));
  binder(st);
  if (!st.step()) return std::nullopt;
  return readUser(st);
}

// Checks what add() and update() share, inside their transaction.
void checkReferences(Database& db, const std::string& sipUri,
                     const std::optional<std::string>& lineUri, const std::string& policy) {
  {
    Statement st(db, "SELECT 1 FROM client_policies WHERE name = ?1");
    st.bind(1, policy);
    if (!st.step()) {
      throw StoreError(StoreError::Kind::NotFound, "client policy '" + policy + "' does not exist");
    }
  }
  if (lineUri) {
    Statement st(db, "SELECT sip_uri FROM users WHERE line_uri = ?1 AND sip_uri <> ?2");
    st.bind(1, *lineUri).bind(2, sipUri);
    if (st.step()) {
      throw StoreError(StoreError::Kind::Conflict,
                       "line URI " + *lineUri + " is already assigned to " + st.columnText(0));
    }
  }
}

}  // namespace

User UserRepository::add(const NewUser& user) {
  std::string uri = detail::valid(canonicalUserUri(user.sipUri));
  std::optional<std::string> line;
  if (user.lineUri) line = detail::valid(canonicalLineUri(*user.lineUri));
  std::string policy = detail::valid(checkName("client policy", user.clientPolicy));

  Database& db = ctx_->db;
  Transaction tx(db);
  {
    Statement st(db, "SELECT 1 FROM domains WHERE name = ?1");
    st.bind(1, uriDomain(uri));
    if (!st.step()) {
      throw StoreError(StoreError::Kind::Invalid,
                       "user " + uri + ": the deployment does not serve the domain '" +
                           std::string(uriDomain(uri)) + "'; add the domain to the topology first");
    }
  }
  if (queryOne(db, "WHERE sip_uri = ?1", [&](Statement& st) { st.bind(1, uri); })) {
    throw StoreError(StoreError::Kind::Conflict, "user " + uri + " already exists");
  }
  checkReferences(db, uri, line, policy);

  std::int64_t now = ctx_->now();
  Statement ins(db,
                "INSERT INTO users(sip_uri, display_name, line_uri, enabled, client_policy, "
                "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
  ins.bind(1, uri).bind(2, user.displayName).bind(3, line).bind(4, user.enabled);
  ins.bind(5, policy).bind(6, now).run();
  std::int64_t id = db.lastInsertRowId();
  tx.commit();
  return User{id, uri, user.displayName, line, user.enabled, policy, now, now};
}

std::optional<User> UserRepository::find(std::string_view sipUri) {
  auto uri = canonicalUserUri(sipUri);
  if (!uri) return std::nullopt;
  return queryOne(ctx_->db, "WHERE sip_uri = ?1", [&](Statement& st) { st.bind(1, *uri); });
}

std::optional<User> UserRepository::findById(std::int64_t id) {
  return queryOne(ctx_->db, "WHERE id = ?1", [&](Statement& st) { st.bind(1, id); });
}

std::optional<User> UserRepository::findByLineUri(std::string_view lineUri) {
  auto line = canonicalLineUri(lineUri);
  if (!line) return std::nullopt;
  return queryOne(ctx_->db, "WHERE line_uri = ?1", [&](Statement& st) { st.bind(1, *line); });
}

std::vector<User> UserRepository::list() {
  Statement st(ctx_->db, std::string(kUserColumns) + "ORDER BY sip_uri");
  std::vector<User> out;
  while (st.step()) out.push_back(readUser(st));
  return out;
}

std::int64_t UserRepository::count() {
  Statement st(ctx_->db, "SELECT count(*) FROM users");
  return st.step() ? st.columnInt(0) : 0;
}

bool UserRepository::update(const User& user) {
  auto uri = canonicalUserUri(user.sipUri);
  if (!uri) return false;
  std::optional<std::string> line;
  if (user.lineUri) line = detail::valid(canonicalLineUri(*user.lineUri));
  std::string policy = detail::valid(checkName("client policy", user.clientPolicy));

  Database& db = ctx_->db;
  Transaction tx(db);
  if (!queryOne(db, "WHERE sip_uri = ?1", [&](Statement& st) { st.bind(1, *uri); })) {
    return false;
  }
  checkReferences(db, *uri, line, policy);
  Statement st(db,
               "UPDATE users SET display_name = ?2, line_uri = ?3, enabled = ?4, "
               "client_policy = ?5, updated_at = ?6 WHERE sip_uri = ?1");
  st.bind(1, *uri).bind(2, user.displayName).bind(3, line).bind(4, user.enabled);
  st.bind(5, policy).bind(6, ctx_->now()).run();
  tx.commit();
  return true;
}

bool UserRepository::remove(std::string_view sipUri) {
  auto uri = canonicalUserUri(sipUri);
  if (!uri) return false;
  Database& db = ctx_->db;
  Transaction tx(db);
  Statement regs(db, "DELETE FROM registrations WHERE aor = ?1");
  regs.bind(1, *uri).run();
  Statement del(db, "DELETE FROM users WHERE sip_uri = ?1");  // credentials cascade
  del.bind(1, *uri).run();
  bool removed = db.changes() > 0;
  tx.commit();
  return removed;
}

bool UserRepository::setPassword(std::string_view sipUri, std::string_view password,
                                 std::optional<std::string_view> realm) {
  if (password.empty()) throw StoreError(StoreError::Kind::Invalid, "the password is empty");
  auto uri = canonicalUserUri(sipUri);
  if (!uri) return false;
  std::string theRealm =
      realm ? detail::valid(checkName("realm", *realm)) : std::string(uriDomain(*uri));
  std::string username(uriUser(*uri));

  Database& db = ctx_->db;
  Transaction tx(db);
  auto user = queryOne(db, "WHERE sip_uri = ?1", [&](Statement& st) { st.bind(1, *uri); });
  if (!user) return false;
  {
    Statement st(db,
                 "SELECT u.sip_uri FROM user_credentials c JOIN users u ON u.id = c.user_id "
                 "WHERE c.username = ?1 AND c.realm = ?2 AND c.user_id <> ?3");
    st.bind(1, username).bind(2, theRealm).bind(3, user->id);
    if (st.step()) {
      throw StoreError(StoreError::Kind::Conflict, "digest username '" + username + "' in realm '" +
                                                       theRealm + "' is already used by " +
                                                       st.columnText(0));
    }
  }
  Statement del(db, "DELETE FROM user_credentials WHERE user_id = ?1");
  del.bind(1, user->id).run();
  std::int64_t now = ctx_->now();
  Statement ins(db,
                "INSERT INTO user_credentials(user_id, username, realm, algorithm, ha1, "
                "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  for (DigestAlgorithm alg : {DigestAlgorithm::Md5, DigestAlgorithm::Sha256}) {
    ins.bind(1, user->id).bind(2, username).bind(3, theRealm).bind(4, digestAlgorithmName(alg));
    ins.bind(5, sip::auth::computeHa1(alg, username, theRealm, password)).bind(6, now).run();
    ins.reset();
  }
  tx.commit();
  return true;
}

bool UserRepository::clearPassword(std::string_view sipUri) {
  auto uri = canonicalUserUri(sipUri);
  if (!uri) return false;
  Database& db = ctx_->db;
  Transaction tx(db);
  auto user = queryOne(db, "WHERE sip_uri = ?1", [&](Statement& st) { st.bind(1, *uri); });
  if (!user) return false;
  Statement del(db, "DELETE FROM user_credentials WHERE user_id = ?1");
  del.bind(1, user->id).run();
  tx.commit();
  return true;
}

std::vector<DigestCredential> UserRepository::credentials(std::string_view sipUri) {
  std::vector<DigestCredential> out;
  auto uri = canonicalUserUri(sipUri);
  if (!uri) return out;
  Statement st(ctx_->db,
               "SELECT c.algorithm, c.username, c.realm, c.ha1, c.updated_at "
               "FROM user_credentials c JOIN users u ON u.id = c.user_id "
               "WHERE u.sip_uri = ?1 ORDER BY c.realm, c.algorithm");
  st.bind(1, *uri);
  while (st.step()) {
    auto alg = sip::auth::parseAlgorithm(st.columnText(0));
    if (!alg) continue;  // an algorithm a later schema added; this build cannot use it
    out.push_back(DigestCredential{*alg, st.columnText(1), st.columnText(2), st.columnText(3),
                                   st.columnInt(4)});
  }
  return out;
}

std::optional<std::string> UserRepository::digestHa1(std::string_view username,
                                                     std::string_view realm,
                                                     DigestAlgorithm algorithm) {
  Statement st(ctx_->db,
               "SELECT c.ha1 FROM user_credentials c JOIN users u ON u.id = c.user_id "
               "WHERE c.username = ?1 AND c.realm = ?2 AND c.algorithm = ?3 AND u.enabled = 1");
  st.bind(1, username).bind(2, realm).bind(3, digestAlgorithmName(algorithm));
  if (!st.step()) return std::nullopt;
  return st.columnText(0);
}

}  // namespace parley::store
