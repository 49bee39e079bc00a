#include "common/store/migrations.hpp"

#include <array>
#include <string>

#include "common/store/error.hpp"
#include "common/store/sqlite.hpp"

namespace parley::store {
namespace {

// 'PRLY': marks the file as a Parley store for `file(1)` and for the check at open.
constexpr std::int64_t kApplicationId = 0x50524C59;

// Version 1: topology, domains and settings, client policies, users and their digest
// credentials, registrations.
//
// Room to grow, without rebuilding tables (SQLite cannot ALTER a CHECK constraint):
// - Enumerations (server roles, transports, digest algorithms) are lookup tables that
//   later steps extend with an INSERT: a 'director' role, 'ws'/'wss' transports,
//   'SHA-512-256'.
// - Every entity has an INTEGER id, so later tables (edge pool secrets, conferences owned by
//   users, dial plans assigned to sites or users, trunks of mediation pools) reference it.
// - Credentials are rows per (user, realm, algorithm), not columns of users.
// - Deployment-wide values live in `settings` (key/value), policy settings that are not
//   columns yet in the policy's `extra` JSON object.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE settings (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE domains (
  name       TEXT PRIMARY KEY NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX domains_one_default ON domains(is_default) WHERE is_default = 1;

CREATE TABLE server_roles (name TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
INSERT INTO server_roles(name) VALUES ('frontend'), ('edge'), ('mediation'), ('mcu');

CREATE TABLE sites (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE pools (
  id      INTEGER PRIMARY KEY,
  fqdn    TEXT NOT NULL UNIQUE,
  role    TEXT NOT NULL REFERENCES server_roles(name),
  site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE RESTRICT
);
CREATE INDEX pools_by_site ON pools(site_id);

CREATE TABLE servers (
  id      INTEGER PRIMARY KEY,
  fqdn    TEXT NOT NULL UNIQUE,
  pool_id INTEGER NOT NULL REFERENCES pools(id) ON DELETE RESTRICT,
  address TEXT NOT NULL
);
CREATE INDEX servers_by_pool ON servers(pool_id);

CREATE TABLE client_policies (
  id                      INTEGER PRIMARY KEY,
  name                    TEXT NOT NULL UNIQUE,
  max_registration_expiry INTEGER NOT NULL CHECK (max_registration_expiry > 0),
  max_bindings            INTEGER NOT NULL CHECK (max_bindings > 0),
  im_allowed              INTEGER NOT NULL CHECK (im_allowed IN (0, 1)),
  extra                   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(extra))
);
INSERT INTO client_policies(name, max_registration_expiry, max_bindings, im_allowed)
  VALUES ('default', 3600, 10, 1);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  sip_uri       TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL DEFAULT '',
  line_uri      TEXT UNIQUE,
  enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  client_policy TEXT NOT NULL DEFAULT 'default'
                REFERENCES client_policies(name) ON UPDATE CASCADE ON DELETE RESTRICT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX users_by_policy ON users(client_policy);

CREATE TABLE digest_algorithms (name TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
INSERT INTO digest_algorithms(name) VALUES ('MD5'), ('SHA-256');

-- Only hashes: ha1 = H(username ":" realm ":" password) (RFC 7616 §3.4.2, RFC 8760).
CREATE TABLE user_credentials (
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  username   TEXT NOT NULL,
  realm      TEXT NOT NULL,
  algorithm  TEXT NOT NULL REFERENCES digest_algorithms(name),
  ha1        TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, realm, algorithm),
  UNIQUE (username, realm, algorithm)
);

CREATE TABLE transports (name TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
INSERT INTO transports(name) VALUES ('udp'), ('tcp'), ('tls');

-- Bindings of the location service (RFC 3261 §10.3), keyed by aor + contact, or, for a
-- client that sends +sip.instance, by aor + instance + reg-id (RFC 5626 §6).
CREATE TABLE registrations (
  id              INTEGER PRIMARY KEY,
  aor             TEXT NOT NULL,
  contact         TEXT NOT NULL,
  instance        TEXT,
  reg_id          INTEGER,
  q               REAL CHECK (q IS NULL OR (q >= 0 AND q <= 1)),
  expires_at      INTEGER NOT NULL,
  call_id         TEXT NOT NULL,
  cseq            INTEGER NOT NULL,
  transport       TEXT NOT NULL REFERENCES transports(name),
  source_address  TEXT NOT NULL,
  source_port     INTEGER NOT NULL CHECK (source_port BETWEEN 0 AND 65535),
  connection_id   INTEGER NOT NULL DEFAULT 0,
  frontend_server TEXT NOT NULL DEFAULT '',
  user_agent      TEXT NOT NULL DEFAULT '',
  updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX registrations_by_contact ON registrations(aor, contact)
  WHERE instance IS NULL;
CREATE UNIQUE INDEX registrations_by_instance ON registrations(aor, instance, ifnull(reg_id, -1))
  WHERE instance IS NOT NULL;
CREATE INDEX registrations_by_expiry ON registrations(expires_at);
CREATE INDEX registrations_by_connection ON registrations(frontend_server, connection_id);
)sql";

// Version 2: the registrar reads and writes bindings by AOR; without this index those
// look-ups scan every live binding (the partial unique indexes cannot serve `aor = ?`).
constexpr std::string_view kSchemaV2 = R"sql(
CREATE INDEX registrations_by_aor ON registrations(aor, expires_at);
)sql";

// Version 3: the relay secrets every Edge of the pool shares with the Front Ends (TURN
// REST-style relay credentials; see relay_secrets.hpp). `secret` is the HMAC key as text
// (64 hex digits of 32 random bytes), so an administrator can give it to a TURN client
// (turnutils_uclient -W) in a test. A secret signs from not_before; not_after is its
// retirement (NULL: none scheduled), set by a rotation to the rotation time plus the
// overlap, after which nothing verifies with it and it can be purged.
constexpr std::string_view kSchemaV3 = R"sql(
CREATE TABLE relay_secrets (
  id         INTEGER PRIMARY KEY,
  secret     TEXT NOT NULL UNIQUE CHECK (length(secret) >= 32),
  created_at INTEGER NOT NULL,
  not_before INTEGER NOT NULL,
  not_after  INTEGER CHECK (not_after IS NULL OR not_after >= not_before)
);
CREATE INDEX relay_secrets_by_retirement ON relay_secrets(not_after);
)sql";

constexpr std::array<Migration, 3> kMigrations{{
    {1, "topology, users, client policies, registrations", kSchemaV1},
    {2, "registrations: index by AOR", kSchemaV2},
    {3, "relay secrets shared by Edge pools and Front Ends", kSchemaV3},
}};

bool tableExists(Database& db, std::string_view name) {
  Statement st(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
  st.bind(1, name);
  return st.step();
}

std::int64_t pragmaInt(Database& db, std::string_view sql) {
  Statement st(db, sql);
  return st.step() ? st.columnInt(0) : 0;
}

}  // namespace

std::span<const Migration> migrations() noexcept { return kMigrations; }

int latestSchemaVersion() noexcept { return kMigrations.back().version; }

int schemaVersion(Database& db) {
  if (!tableExists(db, "schema_version")) return 0;
  Statement st(db, "SELECT ifnull(max(version), 0) FROM schema_version");
  return st.step() ? static_cast<int>(st.columnInt(0)) : 0;
}

void migrate(Database& db, std::int64_t nowUnix) {
  {
    // The write lock is taken before looking, so two processes opening a new file at once
    // do not both create it.
    Transaction tx(db);
    std::int64_t appId = pragmaInt(db, "PRAGMA application_id");
    const std::string notAStore =
        "store " + db.path() +
        ": the file is an SQLite database of another application, not a Parley store; give "
        "the path of a Parley store or of a new file";
    if (tableExists(db, "schema_version")) {
      if (appId != kApplicationId) throw StoreError(StoreError::Kind::NotAStore, notAStore);
    } else {
      bool empty = pragmaInt(db, "SELECT count(*) FROM sqlite_schema") == 0;
      if (appId != 0 || !empty) throw StoreError(StoreError::Kind::NotAStore, notAStore);
      db.exec(
          "CREATE TABLE schema_version (\n"
          "  version     INTEGER PRIMARY KEY,\n"
          "  description TEXT NOT NULL,\n"
          "  applied_at  INTEGER NOT NULL\n"
          ")");
      db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    }
    tx.commit();
  }

  for (;;) {
    Transaction tx(db);
    int current = schemaVersion(db);
    if (current > latestSchemaVersion()) {
      throw StoreError(StoreError::Kind::SchemaTooNew,
                       "store " + db.path() + " has schema version " + std::to_string(current) +
                           ", newer than this Parley build understands (" +
                           std::to_string(latestSchemaVersion()) +
                           "); run a Parley release at least as new as the one that last "
                           "upgraded it");
    }
    if (current == latestSchemaVersion()) {
      tx.commit();
      return;
    }
    const Migration& step = kMigrations.at(static_cast<size_t>(current));
    try {
      db.exec(step.sql);
    } catch (const StoreError& e) {
      throw StoreError(e.kind(), "store " + db.path() + ": migration to schema version " +
                                     std::to_string(step.version) + " failed: " + e.what());
    }
    Statement record(db,
                     "INSERT INTO schema_version(version, description, applied_at) "
                     "VALUES (?1, ?2, ?3)");
    record.bind(1, step.version).bind(2, step.description).bind(3, nowUnix).run();
    tx.commit();
  }
}

}  // namespace parley::store
