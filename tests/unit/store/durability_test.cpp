#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store_test_util.hpp"

namespace parley::store {
namespace {

using testing::fixedClock;
using testing::kNow;
using testing::TempDir;

Registration sample(std::string contact) {
  Registration r;
  r.aor = "sip:alice@example.com";
  r.contact = std::move(contact);
  r.expiresAt = kNow + 3600;
  r.callId = "durable";
  r.cseq = 7;
  r.transport = Transport::Tcp;
  r.sourceAddress = "192.0.2.5";
  r.sourcePort = 40000;
  r.connectionId = 9;
  r.frontendServer = "fe1.example.com";
  return r;
}

TEST(Durability, EverythingSurvivesCloseAndReopen) {
  TempDir dir;
  std::string path = dir.file("topology.db");
  {
    Store store = Store::open(path, fixedClock());
    store.topology().init("example.com");
    store.topology().addSite("Redmond");
    store.users().add({.sipUri = "sip:alice@example.com", .lineUri = "tel:+14255550100"});
    store.users().setPassword("sip:alice@example.com", "pw");
    store.registrations().upsert(sample("sip:alice@192.0.2.5:40000;transport=tcp"), kNow);
  }
  Store store = Store::open(path, fixedClock());
  EXPECT_EQ(store.topology().defaultDomain(), "example.com");
  EXPECT_TRUE(store.topology().findSite("Redmond"));
  EXPECT_EQ(store.users().find("sip:alice@example.com")->lineUri, "tel:+14255550100");
  EXPECT_TRUE(store.users().digestHa1("alice", "example.com", DigestAlgorithm::Sha256));
  auto regs = store.registrations().list("sip:alice@example.com", kNow);
  ASSERT_EQ(regs.size(), 1u);
  EXPECT_EQ(regs[0].cseq, 7u);
}

// A registration committed by a process that is then killed with SIGKILL (no destructor, no
// checkpoint, no close) is there when the store is opened again: WAL with synchronous=NORMAL
// has written the commit to the log before upsert() returned.
TEST(Durability, RegistrationSurvivesKillMinus9) {
  TempDir dir;
  std::string path = dir.file("topology.db");
  { Store::open(path, fixedClock()).topology().init("example.com"); }

  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    try {
      Store store = Store::open(path, fixedClock());
      store.registrations().upsert(sample("sip:alice@192.0.2.5:40000;transport=tcp"), kNow);
      store.registrations().upsert(sample("sip:alice@192.0.2.6:40001;transport=tcp"), kNow);
      char ok = 'k';
      (void)!write(ready[1], &ok, 1);
      for (;;) pause();  // killed while the store is still open
    } catch (...) {
      _exit(3);
    }
  }
  close(ready[1]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1) << "the child could not write its registrations";
  close(ready[0]);
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));

  Store store = Store::open(path, fixedClock());
  auto regs = store.registrations().list("sip:alice@example.com", kNow);
  ASSERT_EQ(regs.size(), 2u);
  EXPECT_EQ(regs[0].callId, "durable");
}

// A second connection (another daemon, or parleyctl) sees committed writes at once and can
// write too; WAL keeps readers and the writer out of each other's way.
TEST(Durability, TwoConnectionsShareTheFile) {
  TempDir dir;
  std::string path = dir.file("topology.db");
  Store daemon = Store::open(path, fixedClock());
  Store ctl = Store::open(path, fixedClock());
  ctl.topology().init("example.com");
  EXPECT_EQ(daemon.topology().defaultDomain(), "example.com");
  daemon.registrations().upsert(sample("sip:alice@192.0.2.5"), kNow);
  EXPECT_EQ(ctl.registrations().listAll(kNow).size(), 1u);
}

// A daemon caching users learns from the change counter that parleyctl wrote, and not
// from its own writes.
TEST(Durability, ChangeCounterMovesOnOtherConnectionsCommits) {
  TempDir dir;
  std::string path = dir.file("topology.db");
  Store daemon = Store::open(path, fixedClock());
  Store ctl = Store::open(path, fixedClock());
  ctl.topology().init("example.com");
  int64_t before = daemon.changeCounter();
  daemon.registrations().upsert(sample("sip:alice@192.0.2.5"), kNow);
  EXPECT_EQ(daemon.changeCounter(), before);
  ctl.users().add({.sipUri = "sip:bob@example.com", .displayName = "Bob"});
  EXPECT_NE(daemon.changeCounter(), before);
  // Repeated statements come from the statement cache and still see fresh data.
  EXPECT_TRUE(daemon.users().find("sip:bob@example.com"));
  EXPECT_FALSE(daemon.users().find("sip:carol@example.com"));
  ctl.users().add({.sipUri = "sip:carol@example.com", .displayName = "Carol"});
  EXPECT_TRUE(daemon.users().find("sip:carol@example.com"));
}

// While one connection holds a write transaction, another's write waits for the busy
// timeout and then fails with Busy rather than corrupting or hanging.
TEST(Durability, LockedStoreReportsBusy) {
  TempDir dir;
  std::string path = dir.file("topology.db");
  Store holder = Store::open(path, fixedClock());
  OpenOptions quick = fixedClock();
  quick.busyTimeout = std::chrono::milliseconds(0);
  Store other = Store::open(path, quick);
  holder.transaction([&] {
    holder.topology().setSetting("a", "1");
    try {
      other.topology().setSetting("b", "2");
      ADD_FAILURE() << "the second writer got the lock";
    } catch (const StoreError& e) {
      EXPECT_EQ(e.kind(), StoreError::Kind::Busy) << e.what();
    }
  });
  EXPECT_EQ(other.topology().setting("a"), "1");
  other.topology().setSetting("b", "2");
}

}  // namespace
}  // namespace parley::store
