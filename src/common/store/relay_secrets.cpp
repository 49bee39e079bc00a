#include "common/store/relay_secrets.hpp"

#include <algorithm>

#include "common/base/crypto.hpp"
#include "common/base/strings.hpp"
#include "common/store/context.hpp"

namespace parley::store {
namespace {

// 32 bytes: the size of an HMAC-SHA1 block's worth of key material and more than its
// 160-bit output, so the key is never the weak point.
constexpr std::size_t kSecretBytes = 32;

constexpr std::string_view kColumns =
    "SELECT id, secret, created_at, not_before, not_after FROM relay_secrets ";
constexpr std::string_view kNewestFirst = "ORDER BY not_before DESC, id DESC";

RelaySecret readSecret(const Statement& st) {
  RelaySecret s;
  s.id = st.columnInt(0);
  s.secret = st.columnText(1);
  s.createdAt = st.columnInt(2);
  s.notBefore = st.columnInt(3);
  s.notAfter = st.columnOptionalInt(4);
  return s;
}

}  // namespace

std::vector<RelaySecret> RelaySecretRepository::listActive(std::int64_t now) {
  Statement st(ctx_->db, std::string(kColumns) + "WHERE not_after IS NULL OR not_after > ?1 " +
                             std::string(kNewestFirst));
  st.bind(1, now);
  std::vector<RelaySecret> out;
  while (st.step()) out.push_back(readSecret(st));
  return out;
}

std::vector<RelaySecret> RelaySecretRepository::listAll() {
  Statement st(ctx_->db, std::string(kColumns) + std::string(kNewestFirst));
  std::vector<RelaySecret> out;
  while (st.step()) out.push_back(readSecret(st));
  return out;
}

RelaySecretRotation RelaySecretRepository::rotate(std::int64_t now, std::chrono::seconds overlap) {
  if (overlap.count() < 0) {
    throw StoreError(StoreError::Kind::Invalid,
                     "relay secret rotation: the overlap must not be negative");
  }
  const std::int64_t retireAt = now + overlap.count();
  Database& db = ctx_->db;
  Transaction tx(db);
  RelaySecretRotation out;
  {
    // Retirement only moves earlier: a secret already retiring sooner keeps its date. A
    // secret whose notBefore is later than retireAt (a clock set back) retires at its
    // notBefore, so it never signs.
    Statement ids(db, "SELECT id, max(?1, not_before) FROM relay_secrets "
                      "WHERE not_after IS NULL OR not_after > ?1 ORDER BY id");
    ids.bind(1, retireAt);
    while (ids.step()) {
      out.retiring.push_back(ids.columnInt(0));
      out.retireAt = std::max(out.retireAt.value_or(0), ids.columnInt(1));
    }
    Statement retire(db, "UPDATE relay_secrets SET not_after = max(?1, not_before) "
                         "WHERE not_after IS NULL OR not_after > ?1");
    retire.bind(1, retireAt).run();
  }
  RelaySecret s;
  s.secret = toHex(crypto::randomBytes(kSecretBytes));
  s.createdAt = ctx_->now();
  s.notBefore = now;
  Statement insert(db, "INSERT INTO relay_secrets(secret, created_at, not_before) VALUES (?1, ?2, ?3)");
  insert.bind(1, s.secret).bind(2, s.createdAt).bind(3, s.notBefore).run();
  s.id = db.lastInsertRowId();
  out.added = s;
  tx.commit();
  return out;
}

std::size_t RelaySecretRepository::purgeRetired(std::int64_t now) {
  Database& db = ctx_->db;
  Transaction tx(db);
  Statement del(db, "DELETE FROM relay_secrets WHERE not_after IS NOT NULL AND not_after <= ?1");
  del.bind(1, now).run();
  auto removed = static_cast<std::size_t>(db.changes());
  tx.commit();
  return removed;
}

}  // namespace parley::store
