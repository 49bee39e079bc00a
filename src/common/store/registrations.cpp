#include "common/store/registrations.hpp"

#include <array>

#include "common/base/strings.hpp"
#include "common/store/context.hpp"

namespace parley::store {
namespace {

constexpr std::array<std::string_view, 3> kTransportNames{"udp", "tcp", "tls"};

constexpr std::string_view kColumns =
    "SELECT aor, contact, instance, reg_id, q, expires_at, call_id, cseq, transport, "
    "source_address, source_port, connection_id, frontend_server, user_agent, updated_at, id "
    "FROM registrations ";

// Matches one binding by key: ?1 aor, ?2 contact, ?3 instance, ?4 reg-id. `IS` compares
// NULLs as equal, which is what an absent reg-id needs.
constexpr std::string_view kKeyWhere =
    "WHERE aor = ?1 AND ((?3 IS NULL AND instance IS NULL AND contact = ?2) OR "
    "(?3 IS NOT NULL AND instance = ?3 AND reg_id IS ?4)) ";

std::optional<Registration> readRegistration(const Statement& st) {
  auto transport = parseTransport(st.columnText(8));
  if (!transport) return std::nullopt;  // a transport a later schema added
  Registration r;
  r.aor = st.columnText(0);
  r.contact = st.columnText(1);
  r.instance = st.columnOptionalText(2);
  if (auto regId = st.columnOptionalInt(3)) r.regId = static_cast<std::uint32_t>(*regId);
  r.q = st.columnOptionalDouble(4);
  r.expiresAt = st.columnInt(5);
  r.callId = st.columnText(6);
  r.cseq = static_cast<std::uint32_t>(st.columnInt(7));
  r.transport = *transport;
  r.sourceAddress = st.columnText(9);
  r.sourcePort = static_cast<std::uint16_t>(st.columnInt(10));
  r.connectionId = static_cast<std::uint64_t>(st.columnInt(11));
  r.frontendServer = st.columnText(12);
  r.userAgent = st.columnText(13);
  r.updatedAt = st.columnInt(14);
  return r;
}

void bindKey(Statement& st, const std::string& aor, const BindingKey& key) {
  st.bind(1, aor).bind(2, key.contact).bind(3, key.instance).bind(4, key.regId);
}

struct Existing {
  std::int64_t id;
  std::int64_t expiresAt;
  std::string callId;
  std::uint32_t cseq;
};

std::optional<Existing> findExisting(Database& db, const std::string& aor, const BindingKey& key) {
  Statement st(db, std::string("SELECT id, expires_at, call_id, cseq FROM registrations ") +
                       std::string(kKeyWhere));
  bindKey(st, aor, key);
  if (!st.step()) return std::nullopt;
  return Existing{st.columnInt(0), st.columnInt(1), st.columnText(2),
                  static_cast<std::uint32_t>(st.columnInt(3))};
}

// RFC 3261 §10.3 step 7: same Call-ID and a CSeq not above the stored one.
bool outOfOrder(const Existing& e, std::string_view callId, std::uint32_t cseq, std::int64_t now) {
  return e.expiresAt > now && e.callId == callId && cseq <= e.cseq;
}

void deleteId(Database& db, std::int64_t id) {
  Statement del(db, "DELETE FROM registrations WHERE id = ?1");
  del.bind(1, id).run();
}

}  // namespace

std::string_view transportName(Transport transport) noexcept {
  return kTransportNames.at(static_cast<size_t>(transport));
}

std::optional<Transport> parseTransport(std::string_view name) noexcept {
  for (size_t i = 0; i < kTransportNames.size(); ++i) {
    if (kTransportNames[i] == name) return static_cast<Transport>(i);
  }
  return std::nullopt;
}

UpsertResult RegistrationRepository::upsert(const Registration& b, std::int64_t now) {
  auto invalid = [&](const std::string& what) {
    return StoreError(StoreError::Kind::Invalid,
                      "registration of " + b.contact + " for " + b.aor + ": " + what);
  };
  if (b.aor.empty()) throw invalid("the AOR is empty");
  if (b.contact.empty()) throw invalid("the contact is empty");
  if (b.callId.empty()) throw invalid("the Call-ID is empty");
  if (b.expiresAt <= now) throw invalid("it expires at or before now; remove it instead");
  if (b.q && !(*b.q >= 0.0 && *b.q <= 1.0)) throw invalid("q is outside 0 to 1");
  if (b.instance && b.instance->empty()) throw invalid("the instance is empty");

  const std::string aor = toLower(b.aor);
  Database& db = ctx_->db;
  Transaction tx(db);
  auto existing = findExisting(db, aor, b.key());
  if (existing && outOfOrder(*existing, b.callId, b.cseq, now)) {
    return UpsertResult::OutOfOrder;  // the destructor rolls back the empty transaction
  }
  bool live = existing && existing->expiresAt > now;
  if (existing) deleteId(db, existing->id);
  // Delete and insert rather than update: with a new instance the contact changes too, and
  // one statement writes every column.
  Statement ins(db,
                "INSERT INTO registrations(aor, contact, instance, reg_id, q, expires_at, "
                "call_id, cseq, transport, source_address, source_port, connection_id, "
                "frontend_server, user_agent, updated_at) VALUES "
                "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
  ins.bind(1, aor).bind(2, b.contact).bind(3, b.instance).bind(4, b.regId).bind(5, b.q);
  ins.bind(6, b.expiresAt).bind(7, b.callId).bind(8, b.cseq).bind(9, transportName(b.transport));
  ins.bind(10, b.sourceAddress).bind(11, b.sourcePort).bind(12, b.connectionId);
  ins.bind(13, b.frontendServer).bind(14, b.userAgent).bind(15, now).run();
  tx.commit();
  return live ? UpsertResult::Refreshed : UpsertResult::Created;
}

RemoveResult RegistrationRepository::remove(const BindingKey& key, std::string_view callId,
                                            std::uint32_t cseq, std::int64_t now) {
  const std::string aor = toLower(key.aor);
  Database& db = ctx_->db;
  Transaction tx(db);
  auto existing = findExisting(db, aor, key);
  if (!existing) return RemoveResult::NotFound;
  if (outOfOrder(*existing, callId, cseq, now)) return RemoveResult::OutOfOrder;
  deleteId(db, existing->id);
  tx.commit();
  return existing->expiresAt > now ? RemoveResult::Removed : RemoveResult::NotFound;
}

bool RegistrationRepository::remove(const BindingKey& key) {
  Database& db = ctx_->db;
  Transaction tx(db);
  Statement del(db, std::string("DELETE FROM registrations ") + std::string(kKeyWhere));
  bindKey(del, toLower(key.aor), key);
  del.run();
  bool removed = db.changes() > 0;
  tx.commit();
  return removed;
}

std::int64_t RegistrationRepository::removeAll(std::string_view aor) {
  Database& db = ctx_->db;
  Transaction tx(db);
  Statement del(db, "DELETE FROM registrations WHERE aor = ?1");
  del.bind(1, toLower(aor)).run();
  std::int64_t n = db.changes();
  tx.commit();
  return n;
}

std::int64_t RegistrationRepository::removeByConnection(std::string_view frontendServer,
                                                        std::uint64_t connectionId) {
  Database& db = ctx_->db;
  Transaction tx(db);
  Statement del(db, "DELETE FROM registrations WHERE frontend_server = ?1 AND connection_id = ?2");
  del.bind(1, frontendServer).bind(2, connectionId).run();
  std::int64_t n = db.changes();
  tx.commit();
  return n;
}

std::optional<Registration> RegistrationRepository::find(const BindingKey& key, std::int64_t now) {
  Statement st(ctx_->db, std::string(kColumns) + std::string(kKeyWhere) + "AND expires_at > ?5");
  bindKey(st, toLower(key.aor), key);
  st.bind(5, now);
  if (!st.step()) return std::nullopt;
  return readRegistration(st);
}

std::vector<Registration> RegistrationRepository::list(std::string_view aor, std::int64_t now) {
  Statement st(ctx_->db, std::string(kColumns) +
                             "WHERE aor = ?1 AND expires_at > ?2 "
                             "ORDER BY ifnull(q, 1.0) DESC, updated_at DESC, id DESC");
  st.bind(1, toLower(aor)).bind(2, now);
  std::vector<Registration> out;
  while (st.step()) {
    if (auto r = readRegistration(st)) out.push_back(std::move(*r));
  }
  return out;
}

std::int64_t RegistrationRepository::count(std::string_view aor, std::int64_t now) {
  Statement st(ctx_->db, "SELECT count(*) FROM registrations WHERE aor = ?1 AND expires_at > ?2");
  st.bind(1, toLower(aor)).bind(2, now);
  return st.step() ? st.columnInt(0) : 0;
}

std::vector<Registration> RegistrationRepository::listAll(std::int64_t now, bool includeExpired) {
  Statement st(ctx_->db,
               std::string(kColumns) + "WHERE ?1 OR expires_at > ?2 ORDER BY aor, contact, id");
  st.bind(1, includeExpired).bind(2, now);
  std::vector<Registration> out;
  while (st.step()) {
    if (auto r = readRegistration(st)) out.push_back(std::move(*r));
  }
  return out;
}

std::int64_t RegistrationRepository::purgeExpired(std::int64_t now) {
  Database& db = ctx_->db;
  Transaction tx(db);
  Statement del(db, "DELETE FROM registrations WHERE expires_at <= ?1");
  del.bind(1, now).run();
  std::int64_t n = db.changes();
  tx.commit();
  return n;
}

}  // namespace parley::store
