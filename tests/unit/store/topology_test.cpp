#include <gtest/gtest.h>

#include "store_test_util.hpp"

namespace parley::store {
namespace {

using testing::StoreTest;

class TopologyTest : public StoreTest {
 protected:
  TopologyRepository& topology() { return store_.topology(); }

};

TEST_F(TopologyTest, InitSetsTheDefaultDomainOnce) {
  EXPECT_FALSE(topology().initialized());
  EXPECT_FALSE(topology().defaultDomain());
  topology().init("Example.COM");
  EXPECT_TRUE(topology().initialized());
  EXPECT_EQ(topology().defaultDomain(), "example.com");
  EXPECT_TRUE(topology().servesDomain("EXAMPLE.com"));
  EXPECT_TRUE(topology().setting("topology.initialized_at"));
  EXPECT_EQ(errorKind([&] { topology().init("example.org"); }), StoreError::Kind::Conflict);
  EXPECT_NE(last_.find("already initialised"), std::string::npos);
}

TEST_F(TopologyTest, Domains) {
  topology().init("example.com");
  topology().addDomain("example.org");
  topology().addDomain("contoso.net");
  EXPECT_EQ(errorKind([&] { topology().addDomain("EXAMPLE.org"); }), StoreError::Kind::Conflict);
  auto ds = topology().domains();
  ASSERT_EQ(ds.size(), 3u);
  EXPECT_EQ(ds[0].name, "example.com");
  EXPECT_TRUE(ds[0].isDefault);
  EXPECT_EQ(ds[1].name, "contoso.net");
  EXPECT_FALSE(ds[1].isDefault);

  EXPECT_EQ(errorKind([&] { topology().removeDomain("example.com"); }), StoreError::Kind::Conflict);
  topology().setDefaultDomain("example.org");
  EXPECT_EQ(topology().defaultDomain(), "example.org");
  EXPECT_EQ(errorKind([&] { topology().setDefaultDomain("nowhere.net"); }),
            StoreError::Kind::NotFound);

  store_.users().add({.sipUri = "sip:alice@contoso.net"});
  EXPECT_EQ(errorKind([&] { topology().removeDomain("contoso.net"); }), StoreError::Kind::Conflict);
  EXPECT_NE(last_.find("1 user"), std::string::npos);
  EXPECT_TRUE(topology().removeDomain("example.com"));
  EXPECT_FALSE(topology().removeDomain("example.com"));
}

TEST_F(TopologyTest, SitesPoolsServers) {
  Site redmond = topology().addSite("Redmond");
  EXPECT_GT(redmond.id, 0);
  EXPECT_EQ(errorKind([&] { topology().addSite("Redmond"); }), StoreError::Kind::Conflict);

  Pool fe = topology().addPool("FE-Pool.example.com", PoolRole::Frontend, "Redmond");
  EXPECT_EQ(fe.fqdn, "fe-pool.example.com");
  EXPECT_EQ(fe.site, "Redmond");
  topology().addPool("edge.example.com", PoolRole::Edge, "Redmond");
  EXPECT_EQ(errorKind([&] { topology().addPool("fe-pool.example.com", PoolRole::Mcu, "Redmond"); }),
            StoreError::Kind::Conflict);
  EXPECT_EQ(errorKind([&] { topology().addPool("x.example.com", PoolRole::Mcu, "Dublin"); }),
            StoreError::Kind::NotFound);
  EXPECT_NE(last_.find("site 'Dublin' does not exist"), std::string::npos);

  Server s1 = topology().addServer("fe1.example.com", "fe-pool.example.com", "192.0.2.11");
  topology().addServer("fe2.example.com", "fe-pool.example.com", "2001:db8::12");
  EXPECT_EQ(s1.pool, "fe-pool.example.com");
  EXPECT_EQ(errorKind([&] {
              topology().addServer("fe1.example.com", "fe-pool.example.com", "192.0.2.99");
            }),
            StoreError::Kind::Conflict);
  EXPECT_EQ(
      errorKind([&] { topology().addServer("fe3.example.com", "nope.example.com", "192.0.2.13"); }),
      StoreError::Kind::NotFound);
  EXPECT_EQ(
      errorKind([&] { topology().addServer("fe3.example.com", "fe-pool.example.com", "fe3"); }),
      StoreError::Kind::Invalid);

  EXPECT_EQ(topology().pools().size(), 2u);
  ASSERT_EQ(topology().pools(PoolRole::Edge).size(), 1u);
  EXPECT_EQ(topology().pools(PoolRole::Edge)[0].fqdn, "edge.example.com");
  EXPECT_TRUE(topology().pools(PoolRole::Mediation).empty());
  EXPECT_EQ(topology().servers("FE-POOL.example.com").size(), 2u);
  EXPECT_EQ(topology().findServer("fe2.example.com")->address, "2001:db8::12");
  EXPECT_EQ(topology().findPool("fe-pool.example.com")->role, PoolRole::Frontend);

  EXPECT_EQ(errorKind([&] { topology().removeSite("Redmond"); }), StoreError::Kind::Conflict);
  EXPECT_EQ(errorKind([&] { topology().removePool("fe-pool.example.com"); }),
            StoreError::Kind::Conflict);
  EXPECT_NE(last_.find("2 server(s)"), std::string::npos);
  EXPECT_TRUE(topology().removeServer("fe1.example.com"));
  EXPECT_TRUE(topology().removeServer("fe2.example.com"));
  EXPECT_FALSE(topology().removeServer("fe2.example.com"));
  EXPECT_TRUE(topology().removePool("fe-pool.example.com"));
  EXPECT_TRUE(topology().removePool("edge.example.com"));
  EXPECT_TRUE(topology().removeSite("Redmond"));
  EXPECT_TRUE(topology().sites().empty());
}

TEST_F(TopologyTest, RoleNames) {
  for (PoolRole r : {PoolRole::Frontend, PoolRole::Edge, PoolRole::Mediation, PoolRole::Mcu}) {
    EXPECT_EQ(parsePoolRole(poolRoleName(r)), r);
  }
  EXPECT_FALSE(parsePoolRole("director"));
}

TEST_F(TopologyTest, Settings) {
  EXPECT_FALSE(topology().setting("sip.realm"));
  topology().setSetting("sip.realm", "Parley");
  topology().setSetting("sip.realm", "Parley 2");
  EXPECT_EQ(topology().setting("sip.realm"), "Parley 2");
  EXPECT_EQ(errorKind([&] { topology().setSetting("Bad Key", "x"); }), StoreError::Kind::Invalid);
  EXPECT_TRUE(topology().removeSetting("sip.realm"));
  EXPECT_FALSE(topology().removeSetting("sip.realm"));
}

}  // namespace
}  // namespace parley::store
