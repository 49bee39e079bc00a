#include <gtest/gtest.h>

#include <fstream>

#include "common/store/migrations.hpp"
#include "common/store/sqlite.hpp"
#include "store_test_util.hpp"

namespace parley::store {
namespace {

using testing::fixedClock;
using testing::StoreTest;
using testing::TempDir;

std::int64_t scalar(const std::string& path, const std::string& sql) {
  Database db = Database::open(path, {});
  Statement st(db, sql);
  EXPECT_TRUE(st.step()) << sql;
  return st.columnInt(0);
}

StoreError::Kind openFails(const std::string& path, std::string* message = nullptr) {
  try {
    Store::open(path, fixedClock());
  } catch (const StoreError& e) {
    if (message != nullptr) *message = e.what();
    return e.kind();
  }
  ADD_FAILURE() << "opening " << path << " succeeded";
  return StoreError::Kind::Internal;
}

TEST(Schema, MigrationsAreNumberedInOrder) {
  int expected = 1;
  for (const Migration& m : migrations()) {
    EXPECT_EQ(m.version, expected++);
    EXPECT_FALSE(m.description.empty());
  }
  EXPECT_EQ(latestSchemaVersion(), expected - 1);
  EXPECT_EQ(Store::latestSchemaVersion(), latestSchemaVersion());
}

TEST_F(StoreTest, MigratesAnEmptyFile) {
  EXPECT_EQ(store_.schemaVersion(), Store::latestSchemaVersion());
  EXPECT_EQ(scalar(path(), "SELECT count(*) FROM schema_version"), Store::latestSchemaVersion());
  EXPECT_EQ(scalar(path(), "SELECT applied_at FROM schema_version WHERE version = 1"),
            testing::kNow);
  for (const char* table : {"sites", "pools", "servers", "domains", "settings", "users",
                            "user_credentials", "client_policies", "registrations"}) {
    EXPECT_EQ(scalar(path(), std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") +
                                 table + "'"),
              1)
        << table;
  }
  // Marked as ours.
  EXPECT_EQ(scalar(path(), "PRAGMA application_id"), 0x50524C59);
}

TEST_F(StoreTest, ReopenIsIdempotent) {
  store_.topology().init("example.com");
  store_ = reopen();
  store_ = reopen();
  EXPECT_EQ(store_.schemaVersion(), Store::latestSchemaVersion());
  EXPECT_EQ(scalar(path(), "SELECT count(*) FROM schema_version"), Store::latestSchemaVersion());
  EXPECT_EQ(store_.topology().defaultDomain(), "example.com");
  EXPECT_EQ(store_.policies().list().size(), 1u);  // the default policy is not seeded twice
}

// A file last written by an older build (here: schema 1) is brought up to date at open,
// keeping its data.
TEST_F(StoreTest, UpgradesAnOlderStore) {
  store_.topology().init("example.com");
  {
    Database db = Database::open(path(), {});
    db.exec("DROP INDEX registrations_by_aor; DROP TABLE relay_secrets; "
            "DELETE FROM schema_version WHERE version > 1");
  }
  EXPECT_EQ(scalar(path(), "SELECT max(version) FROM schema_version"), 1);
  store_ = reopen();
  EXPECT_EQ(store_.schemaVersion(), Store::latestSchemaVersion());
  EXPECT_EQ(
      scalar(path(), "SELECT count(*) FROM sqlite_schema WHERE name = 'registrations_by_aor'"), 1);
  EXPECT_EQ(store_.topology().defaultDomain(), "example.com");
}

TEST_F(StoreTest, WalForeignKeysAndSynchronous) {
  EXPECT_EQ(scalar(path(), "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"),
            1);
  // A fresh connection opened through the wrapper has foreign keys on and synchronous NORMAL.
  EXPECT_EQ(scalar(path(), "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(scalar(path(), "PRAGMA synchronous"), 1);
  Database::Options full;
  full.synchronousFull = true;
  Database db = Database::open(path(), full);
  Statement st(db, "PRAGMA synchronous");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.columnInt(0), 2);
}

TEST_F(StoreTest, RefusesAStoreWithANewerSchema) {
  {
    Database db = Database::open(path(), {});
    db.exec("INSERT INTO schema_version(version, description, applied_at) VALUES (999, 'x', 0)");
  }
  std::string message;
  EXPECT_EQ(openFails(path(), &message), StoreError::Kind::SchemaTooNew);
  EXPECT_NE(message.find("schema version 999"), std::string::npos) << message;
  EXPECT_NE(message.find("newer"), std::string::npos) << message;
  EXPECT_NE(message.find(path()), std::string::npos) << message;
}

TEST(Schema, RefusesAnotherApplicationsDatabase) {
  TempDir dir;
  std::string path = dir.file("other.db");
  {
    Database db = Database::open(path, {});
    db.exec("CREATE TABLE accounts (id INTEGER PRIMARY KEY)");
  }
  std::string message;
  EXPECT_EQ(openFails(path, &message), StoreError::Kind::NotAStore);
  EXPECT_NE(message.find("not a Parley store"), std::string::npos) << message;
}

TEST(Schema, RefusesAFileThatIsNotSqlite) {
  TempDir dir;
  std::string path = dir.file("notes.txt");
  std::ofstream(path) << std::string(4096, 'x');
  EXPECT_EQ(openFails(path), StoreError::Kind::NotAStore);
}

TEST(Schema, UnopenablePathIsAnIoError) {
  TempDir dir;
  std::string message;
  EXPECT_EQ(openFails(dir.file("no/such/dir/topology.db"), &message), StoreError::Kind::Io);
  EXPECT_NE(message.find("cannot open"), std::string::npos) << message;
}

TEST_F(StoreTest, TransactionRollsBackOnException) {
  store_.topology().init("example.com");
  EXPECT_THROW(store_.transaction([&] {
    store_.topology().addSite("Redmond");
    store_.topology().addDomain("example.org");
    throw std::runtime_error("changed my mind");
  }),
               std::runtime_error);
  EXPECT_TRUE(store_.topology().sites().empty());
  EXPECT_FALSE(store_.topology().servesDomain("example.org"));

  // A failing repository call inside a transaction undoes the whole group.
  EXPECT_THROW(store_.transaction([&] {
    store_.topology().addSite("Redmond");
    store_.topology().addSite("Redmond");
  }),
               StoreError);
  EXPECT_TRUE(store_.topology().sites().empty());

  store_.transaction([&] {
    store_.topology().addSite("Redmond");
    store_.topology().addSite("Dublin");
  });
  EXPECT_EQ(store_.topology().sites().size(), 2u);
}

TEST_F(StoreTest, NestedTransactionRollsBackOnlyItsPart) {
  Database db = Database::open(path(), {});
  db.exec("CREATE TABLE t (v INTEGER)");
  {
    Transaction outer(db);
    db.exec("INSERT INTO t VALUES (1)");
    {
      Transaction inner(db);
      db.exec("INSERT INTO t VALUES (2)");
      // No commit: an early return or exception rolls back to the savepoint.
    }
    {
      Transaction inner(db);
      db.exec("INSERT INTO t VALUES (3)");
      inner.commit();
    }
    outer.commit();
  }
  Statement st(db, "SELECT group_concat(v) FROM t");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.columnText(0), "1,3");
}

TEST_F(StoreTest, ErrorsNameTheirKind) {
  EXPECT_EQ(kindName(StoreError::Kind::Conflict), "conflict");
  EXPECT_EQ(kindName(StoreError::Kind::SchemaTooNew), "schema too new");
  try {
    store_.topology().addDomain("bad domain");
    FAIL();
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::Invalid);
    const std::runtime_error& base = e;  // StoreError is a std::runtime_error
    EXPECT_NE(std::string(base.what()).find("bad domain"), std::string::npos);
  }
}

}  // namespace
}  // namespace parley::store
