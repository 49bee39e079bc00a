#include <gtest/gtest.h>

#include "store_test_util.hpp"

namespace parley::store {
namespace {

using testing::InitialisedStoreTest;

class PoliciesTest : public InitialisedStoreTest {
 protected:
  PolicyRepository& policies() { return store_.policies(); }

};

TEST_F(PoliciesTest, DefaultPolicyExists) {
  auto def = policies().find(kDefaultPolicyName);
  ASSERT_TRUE(def);
  EXPECT_EQ(def->maxRegistrationExpiry, 3600);
  EXPECT_EQ(def->maxBindings, 10);
  EXPECT_TRUE(def->imAllowed);
  EXPECT_EQ(def->extraJson, "{}");
  EXPECT_EQ(errorKind([&] { policies().remove("default"); }), StoreError::Kind::Conflict);
  EXPECT_NE(last_.find("cannot be removed"), std::string::npos);
}

TEST_F(PoliciesTest, AddUpdateListRemove) {
  ClientPolicy kiosk = policies().add({.name = "kiosk",
                                       .maxRegistrationExpiry = 600,
                                       .maxBindings = 1,
                                       .imAllowed = false,
                                       .extraJson = R"({"presence": false})"});
  EXPECT_GT(kiosk.id, 0);
  EXPECT_EQ(errorKind([&] { policies().add({.name = "kiosk"}); }), StoreError::Kind::Conflict);
  EXPECT_NE(last_.find("'kiosk' already exists"), std::string::npos);

  auto names = policies().list();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0].name, "default");
  EXPECT_EQ(names[1].name, "kiosk");
  EXPECT_EQ(names[1].extraJson, R"({"presence": false})");

  kiosk.maxBindings = 2;
  EXPECT_TRUE(policies().update(kiosk));
  EXPECT_EQ(policies().find("kiosk")->maxBindings, 2);
  EXPECT_FALSE(policies().update(ClientPolicy{.name = "nope"}));

  store_.users().add({.sipUri = "sip:lobby@example.com", .clientPolicy = "kiosk"});
  EXPECT_EQ(policies().forUser("sip:LOBBY@example.com")->name, "kiosk");
  EXPECT_FALSE(policies().forUser("sip:ghost@example.com"));
  EXPECT_EQ(errorKind([&] { policies().remove("kiosk"); }), StoreError::Kind::Conflict);
  EXPECT_NE(last_.find("assigned to 1 user"), std::string::npos) << last_;

  store_.users().remove("sip:lobby@example.com");
  EXPECT_TRUE(policies().remove("kiosk"));
  EXPECT_FALSE(policies().remove("kiosk"));
}

TEST_F(PoliciesTest, InvalidSettingsAreRefused) {
  EXPECT_EQ(errorKind([&] { policies().add({.name = ""}); }), StoreError::Kind::Invalid);
  EXPECT_EQ(errorKind([&] { policies().add({.name = "x", .maxRegistrationExpiry = 0}); }),
            StoreError::Kind::Invalid);
  EXPECT_EQ(errorKind([&] { policies().add({.name = "x", .maxBindings = -1}); }),
            StoreError::Kind::Invalid);
  EXPECT_EQ(errorKind([&] { policies().add({.name = "x", .extraJson = "{not json"}); }),
            StoreError::Kind::Invalid);
  EXPECT_NE(last_.find("JSON object"), std::string::npos);
  EXPECT_EQ(errorKind([&] { policies().add({.name = "x", .extraJson = "[1, 2]"}); }),
            StoreError::Kind::Invalid);
  EXPECT_EQ(policies().list().size(), 1u);
}

}  // namespace
}  // namespace parley::store
