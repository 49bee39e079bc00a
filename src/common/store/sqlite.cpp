#include "common/store/sqlite.hpp"

#include <sqlite3.h>

#include <string>
#include <utility>

namespace parley::store {
namespace {

StoreError::Kind kindOf(int extendedRc) {
  switch (extendedRc & 0xFF) {
    case SQLITE_CONSTRAINT:
      switch (extendedRc) {
        case SQLITE_CONSTRAINT_CHECK:
        case SQLITE_CONSTRAINT_NOTNULL:
        case SQLITE_CONSTRAINT_DATATYPE:
          return StoreError::Kind::Invalid;
        default:
          return StoreError::Kind::Conflict;  // UNIQUE, PRIMARYKEY, FOREIGNKEY
      }
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StoreError::Kind::Busy;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return StoreError::Kind::Io;
    case SQLITE_NOTADB:
      return StoreError::Kind::NotAStore;
    default:
      return StoreError::Kind::Internal;
  }
}

}  // namespace

std::string_view kindName(StoreError::Kind kind) noexcept {
  switch (kind) {
    case StoreError::Kind::Invalid:
      return "invalid";
    case StoreError::Kind::Conflict:
      return "conflict";
    case StoreError::Kind::NotFound:
      return "not found";
    case StoreError::Kind::SchemaTooNew:
      return "schema too new";
    case StoreError::Kind::NotAStore:
      return "not a store";
    case StoreError::Kind::Busy:
      return "busy";
    case StoreError::Kind::Io:
      return "i/o";
    case StoreError::Kind::Internal:
      return "internal";
  }
  return "internal";
}

// ---- Database ----

Database Database::open(const std::string& path, const Options& options) {
  sqlite3* handle = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close(handle);
    throw StoreError(kindOf(rc), "store " + path + ": cannot open: " + message);
  }
  Database db(handle, path);
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, static_cast<int>(options.busyTimeout.count()));

  // Foreign keys are off by default in SQLite and only settable outside a transaction;
  // read the setting back, since a build without them would silently accept the pragma.
  db.exec("PRAGMA foreign_keys = ON");
  {
    Statement check(db, "PRAGMA foreign_keys");
    if (!check.step() || check.columnInt(0) != 1) {
      throw StoreError(StoreError::Kind::Internal,
                       "store " + path + ": this SQLite does not enforce foreign keys");
    }
  }

  // WAL: readers (parleyctl, other daemons) never block the writer, and a commit is one
  // append to the log. An in-memory database reports "memory" and stays so.
  {
    Statement wal(db, "PRAGMA journal_mode = WAL");
    std::string mode = wal.step() ? wal.columnText(0) : std::string();
    if (mode != "wal" && mode != "memory") {
      throw StoreError(StoreError::Kind::Io,
                       "store " + path + ": cannot switch to WAL journal mode (got '" + mode +
                           "'); is the file on a network file system?");
    }
  }
  db.exec(options.synchronousFull ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  return db;
}

Database::~Database() {
  finalizeCached();
  // sqlite3_close_v2 defers the close until any statement still alive is finalized, so a
  // leaked statement cannot make the destructor fail.
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      savepointDepth_(std::exchange(other.savepointDepth_, 0)),
      statementCache_(std::move(other.statementCache_)) {
  other.statementCache_.clear();
}

sqlite3_stmt* Database::takeCached(std::string_view sql) noexcept {
  auto it = statementCache_.find(std::string(sql));
  if (it == statementCache_.end()) return nullptr;
  sqlite3_stmt* stmt = it->second;
  statementCache_.erase(it);
  return stmt;
}

void Database::giveBack(sqlite3_stmt* stmt) noexcept {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  // One cached copy per SQL text; a second one in use at the same time is finalized.
  if (!statementCache_.emplace(sqlite3_sql(stmt), stmt).second) sqlite3_finalize(stmt);
}

void Database::finalizeCached() noexcept {
  for (auto& [sql, stmt] : statementCache_) sqlite3_finalize(stmt);
  statementCache_.clear();
}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    finalizeCached();
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    savepointDepth_ = std::exchange(other.savepointDepth_, 0);
    statementCache_ = std::move(other.statementCache_);
    other.statementCache_.clear();
  }
  return *this;
}

void Database::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw StoreError(kindOf(sqlite3_extended_errcode(db_)), "store " + path_ + ": " + detail);
  }
}

std::int64_t Database::lastInsertRowId() const noexcept { return sqlite3_last_insert_rowid(db_); }

std::int64_t Database::changes() const noexcept { return sqlite3_changes64(db_); }

bool Database::inTransaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }

StoreError Database::error(int rc, std::string_view what) const {
  int extended = db_ != nullptr ? sqlite3_extended_errcode(db_) : rc;
  if ((extended & 0xFF) != (rc & 0xFF)) extended = rc;
  std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  return StoreError(kindOf(extended), "store " + path_ + ": " + std::string(what) + ": " + message);
}

// ---- Statement ----

Statement::Statement(Database& db, std::string_view sql) : db_(&db) {
  stmt_ = db.takeCached(sql);
  if (stmt_ != nullptr) return;
  int rc =
      sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) db.fail(rc, "cannot prepare statement");
}

Statement::~Statement() {
  if (stmt_ != nullptr) db_->giveBack(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) db_->giveBack(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) db_->fail(rc, "cannot bind parameter");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) db_->fail(rc, "cannot bind parameter");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_->fail(rc, "cannot bind parameter");
  return *this;
}

Statement& Statement::bindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) db_->fail(rc, "cannot bind parameter");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // Take the message before reset() can replace it.
  StoreError error = db_->error(rc, std::string("cannot execute '") + sqlite3_sql(stmt_) + "'");
  sqlite3_reset(stmt_);
  throw error;
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() noexcept { sqlite3_reset(stmt_); }

bool Statement::isNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::columnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::columnDouble(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::columnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

std::optional<std::int64_t> Statement::columnOptionalInt(int column) const {
  if (isNull(column)) return std::nullopt;
  return columnInt(column);
}

std::optional<double> Statement::columnOptionalDouble(int column) const {
  if (isNull(column)) return std::nullopt;
  return columnDouble(column);
}

std::optional<std::string> Statement::columnOptionalText(int column) const {
  if (isNull(column)) return std::nullopt;
  return columnText(column);
}

// ---- Transaction ----

Transaction::Transaction(Database& db) : db_(db) {
  if (db.savepointDepth_ == 0 && !db.inTransaction()) {
    db.exec("BEGIN IMMEDIATE");
  } else {
    savepoint_ = "parley_sp_" + std::to_string(db.savepointDepth_);
    db.exec("SAVEPOINT " + savepoint_);
  }
  ++db_.savepointDepth_;
}

Transaction::~Transaction() {
  if (done_) return;
  --db_.savepointDepth_;
  // Errors are ignored: after some failures (SQLITE_FULL, an I/O error) SQLite has rolled
  // back already, and a destructor must not throw.
  std::string sql = savepoint_.empty() ? std::string("ROLLBACK")
                                       : "ROLLBACK TO " + savepoint_ + "; RELEASE " + savepoint_;
  sqlite3_exec(db_.handle(), sql.c_str(), nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec(savepoint_.empty() ? std::string("COMMIT") : "RELEASE " + savepoint_);
  done_ = true;
  --db_.savepointDepth_;
}

}  // namespace parley::store
