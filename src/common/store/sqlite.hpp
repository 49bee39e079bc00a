#pragma once
// A thin RAII layer over the SQLite C API. It is private to the store: code outside
// src/common/store never writes SQL, it calls the typed repositories (store.hpp).
//
// Every failure becomes a StoreError naming the database file, what was being done and
// SQLite's own message. A Database is used by one thread at a time.

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/store/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace parley::store {

class Database;

// A prepared statement. Parameters are numbered from 1 and columns from 0, as in SQLite.
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  // Text is copied by SQLite, so the view need not outlive the statement.
  Statement& bind(int index, std::string_view value);
  Statement& bindNull(int index);
  template <std::integral T>
  requires(!std::same_as<T, std::int64_t>) Statement& bind(int index, T value) {
    // uint64 values (connection ids) wrap into int64 and back unchanged (C++20 modular).
    return bind(index, static_cast<std::int64_t>(value));
  }
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bindNull(index);
  }

  // Runs one step: true when a row is available, false when the statement is done.
  bool step();
  // Runs a statement that returns no rows to completion.
  void run();
  // Makes the statement runnable again, keeping its bindings.
  void reset() noexcept;

  bool isNull(int column) const;
  std::int64_t columnInt(int column) const;
  double columnDouble(int column) const;
  std::string columnText(int column) const;
  std::optional<std::int64_t> columnOptionalInt(int column) const;
  std::optional<double> columnOptionalDouble(int column) const;
  std::optional<std::string> columnOptionalText(int column) const;

 private:
  Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  struct Options {
    std::chrono::milliseconds busyTimeout{5000};
    // PRAGMA synchronous=FULL instead of NORMAL (see store.hpp, Durability).
    bool synchronousFull = false;
  };

  // Opens (creating if needed) the file, with foreign keys on, WAL and the busy timeout.
  static Database open(const std::string& path, const Options& options);
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that take no parameters and return no rows.
  void exec(std::string_view sql);
  std::int64_t lastInsertRowId() const noexcept;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const noexcept;
  bool inTransaction() const noexcept;
  const std::string& path() const noexcept { return path_; }
  sqlite3* handle() const noexcept { return db_; }

  // The StoreError for SQLite result code `rc`, with `what` naming the operation.
  StoreError error(int rc, std::string_view what) const;
  [[noreturn]] void fail(int rc, std::string_view what) const { throw error(rc, what); }

 private:
  friend class Transaction;
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  friend class Statement;
  // Prepared statements are kept for reuse, keyed by their SQL: the registrar runs the same
  // few statements for every REGISTER, and compiling SQL each time cost more than running it.
  sqlite3_stmt* takeCached(std::string_view sql) noexcept;
  void giveBack(sqlite3_stmt* stmt) noexcept;
  void finalizeCached() noexcept;

  sqlite3* db_ = nullptr;
  std::string path_;
  int savepointDepth_ = 0;
  std::unordered_map<std::string, sqlite3_stmt*> statementCache_;
};

// A write transaction. The outermost one is BEGIN IMMEDIATE: it takes the write lock at
// the start, so two processes never both read and then fail to upgrade (SQLITE_BUSY in the
// middle of a transaction cannot be retried by the busy handler; at BEGIN it can). Nested
// ones are savepoints, so repository calls compose into one caller's transaction.
// Unless commit() ran, the destructor rolls back: on an exception or an early return.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Database& db_;
  std::string savepoint_;  // empty for the outermost BEGIN ... COMMIT
  bool done_ = false;
};

}  // namespace parley::store
