#pragma once
// Versioned schema migrations (private to the store).
//
// The `schema_version` table holds one row per migration applied. At open, every step with
// a version above the file's is applied in order, each in its own transaction together with
// its schema_version row, so a crash leaves the file at a whole version. A file whose
// version is above the newest this build knows is refused: an older binary must not write
// to a schema it does not understand.
//
// Rules for new steps: append, never edit a released step; one step per schema change;
// prefer ADD COLUMN, new tables and lookup-table rows to rebuilding tables.

#include <cstdint>
#include <span>
#include <string_view>

namespace parley::store {

class Database;

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

// All steps, in order; versions are 1, 2, 3, ...
std::span<const Migration> migrations() noexcept;
int latestSchemaVersion() noexcept;

// The file's version: 0 for a new, empty file.
int schemaVersion(Database& db);

// Brings the file to latestSchemaVersion(). `nowUnix` stamps the schema_version rows.
void migrate(Database& db, std::int64_t nowUnix);

}  // namespace parley::store
