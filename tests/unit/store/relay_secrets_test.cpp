#include <gtest/gtest.h>

#include <set>

#include "common/store/sqlite.hpp"
#include "store_test_util.hpp"

namespace parley::store {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::kNow;
using testing::StoreTest;

class RelaySecretsTest : public StoreTest {
 protected:
  RelaySecretRepository& secrets() { return store_.relaySecrets(); }
};

TEST_F(RelaySecretsTest, TableExistsInANewStore) {
  Database db = Database::open(path(), {});
  Statement st(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'relay_secrets'");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.columnInt(0), 1);
  EXPECT_TRUE(secrets().listAll().empty());
  EXPECT_TRUE(secrets().listActive(kNow).empty());
}

TEST_F(RelaySecretsTest, FirstRotationCreatesARandomSecret) {
  RelaySecretRotation r = secrets().rotate(kNow, hours(8));
  EXPECT_GT(r.added.id, 0);
  EXPECT_EQ(r.added.secret.size(), 64u);
  EXPECT_EQ(r.added.secret.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(r.added.notBefore, kNow);
  EXPECT_EQ(r.added.createdAt, kNow);
  EXPECT_FALSE(r.added.notAfter);
  EXPECT_TRUE(r.retiring.empty());
  EXPECT_FALSE(r.retireAt);

  auto active = secrets().listActive(kNow);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].id, r.added.id);
  EXPECT_EQ(active[0].secret, r.added.secret);
}

TEST_F(RelaySecretsTest, RotationOverlapsThenRetires) {
  auto first = secrets().rotate(kNow, hours(8)).added;
  const std::int64_t t = kNow + 86400;
  RelaySecretRotation r = secrets().rotate(t, hours(8));
  EXPECT_NE(r.added.secret, first.secret);
  ASSERT_EQ(r.retiring.size(), 1u);
  EXPECT_EQ(r.retiring[0], first.id);
  EXPECT_EQ(r.retireAt, t + 8 * 3600);

  // During the overlap both are active, the new one first (it signs).
  auto during = secrets().listActive(t + 8 * 3600 - 1);
  ASSERT_EQ(during.size(), 2u);
  EXPECT_EQ(during[0].id, r.added.id);
  EXPECT_EQ(during[1].id, first.id);
  EXPECT_EQ(during[1].notAfter, t + 8 * 3600);

  // At the retirement only the new one is.
  auto after = secrets().listActive(t + 8 * 3600);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, r.added.id);
  EXPECT_EQ(secrets().listAll().size(), 2u);  // still stored until purged

  EXPECT_EQ(secrets().purgeRetired(t + 8 * 3600 - 1), 0u);
  EXPECT_EQ(secrets().purgeRetired(t + 8 * 3600), 1u);
  ASSERT_EQ(secrets().listAll().size(), 1u);
  EXPECT_EQ(secrets().listAll()[0].id, r.added.id);
}

TEST_F(RelaySecretsTest, RepeatedRotationKeepsTheEarlierRetirement) {
  auto a = secrets().rotate(kNow, hours(8)).added;
  auto b = secrets().rotate(kNow + 3600, hours(8)).added;  // a retires at kNow + 9h
  RelaySecretRotation r = secrets().rotate(kNow + 7200, hours(8));  // b at kNow + 10h
  // Only b is newly scheduled; a keeps its earlier date.
  EXPECT_EQ(r.retiring, (std::vector<std::int64_t>{b.id}));
  EXPECT_EQ(r.retireAt, kNow + 10 * 3600);
  auto all = secrets().listAll();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, r.added.id);
  EXPECT_FALSE(all[0].notAfter);
  EXPECT_EQ(all[1].notAfter, kNow + 10 * 3600);
  EXPECT_EQ(all[2].notAfter, kNow + 9 * 3600);  // not pushed later
}

TEST_F(RelaySecretsTest, ZeroOverlapRetiresAtOnce) {
  auto old = secrets().rotate(kNow, hours(8)).added;
  RelaySecretRotation r = secrets().rotate(kNow + 60, seconds(0));
  auto active = secrets().listActive(kNow + 60);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].id, r.added.id);
  EXPECT_EQ(secrets().purgeRetired(kNow + 60), 1u);
  EXPECT_TRUE(secrets().listActive(kNow + 60)[0].secret != old.secret);
}

TEST_F(RelaySecretsTest, NegativeOverlapIsInvalid) {
  try {
    secrets().rotate(kNow, seconds(-1));
    ADD_FAILURE() << "no StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::Invalid);
  }
  EXPECT_TRUE(secrets().listAll().empty());
}

TEST_F(RelaySecretsTest, SecretsDifferAndSurviveReopen) {
  std::set<std::string> seen;
  std::string newest;
  for (int i = 0; i < 5; ++i) {
    newest = secrets().rotate(kNow + i, hours(8)).added.secret;
    seen.insert(newest);
  }
  EXPECT_EQ(seen.size(), 5u);
  store_ = reopen();
  auto active = store_.relaySecrets().listActive(kNow + 4);
  ASSERT_EQ(active.size(), 5u);
  EXPECT_EQ(active[0].secret, newest);
}

TEST_F(RelaySecretsTest, ClockSetBackNeverLeavesTwoSigners) {
  auto future = secrets().rotate(kNow + 86400, hours(8)).added;  // made by a clock ahead
  RelaySecretRotation r = secrets().rotate(kNow, hours(1));
  ASSERT_EQ(r.retiring.size(), 1u);
  auto all = secrets().listAll();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, future.id);
  // Retired at its own start: it never signs.
  EXPECT_EQ(all[0].notAfter, all[0].notBefore);
}

}  // namespace
}  // namespace parley::store
