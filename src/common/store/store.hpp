#pragma once
// The topology store: one SQLite file (WAL) shared by every daemon of a server and by
// parleyctl. Callers use the typed repositories; no SQL exists outside src/common/store.
//
//   auto store = parley::store::Store::open("/var/lib/parley/topology.db");
//   store.topology().init("example.com");
//   store.users().add({.sipUri = "sip:alice@example.com", .displayName = "Alice"});
//   store.users().setPassword("sip:alice@example.com", "secret");
//
// Errors are StoreError exceptions (store/error.hpp); "not found" is an empty optional or
// false. Every write is a transaction of its own; Store::transaction() groups several.
// A Store is used by one thread at a time (each process or thread opens its own); other
// processes may use the same file at once, waiting up to the busy timeout for the lock.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/store/error.hpp"
#include "common/store/policies.hpp"
#include "common/store/registrations.hpp"
#include "common/store/relay_secrets.hpp"
#include "common/store/topology.hpp"
#include "common/store/users.hpp"

namespace parley::store {

// How far a committed write is durable. The journal is WAL in both cases, so the file is
// never corrupted by a crash or power loss; the choice is what a power loss may take back.
enum class Durability : std::uint8_t {
  // synchronous=NORMAL: a commit is written to the WAL (the OS page cache) before it
  // returns, so it survives kill -9 and any crash of the process; the WAL is fsync'ed at
  // checkpoints, so an OS crash or power loss may lose the last commits, never consistency.
  // The default: registrations are refreshed by their clients within one expiry, and an
  // fsync per REGISTER would cap the registrar at the disk's fsync rate.
  Normal,
  // synchronous=FULL: the WAL is fsync'ed at every commit; survives power loss too.
  // For administrative writes (parleyctl), where a few milliseconds per write do not matter.
  Full,
};

struct OpenOptions {
  Durability durability = Durability::Normal;
  // How long a write waits for another process's write lock before StoreError Busy.
  std::chrono::milliseconds busyTimeout{5000};
  // Unix seconds for created/updated stamps of users and schema versions; the wall clock
  // when empty. Registrations take `now` from the caller instead.
  std::function<std::int64_t()> clock{};
};

class Store {
 public:
  // Opens the store at `path`, creating the file if needed, and migrates it to the newest
  // schema. Throws StoreError: Io (cannot open or write), NotAStore (another
  // application's database), SchemaTooNew (written by a newer Parley), Busy.
  static Store open(const std::string& path, const OpenOptions& options = {});

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  UserRepository& users() noexcept;
  RegistrationRepository& registrations() noexcept;
  TopologyRepository& topology() noexcept;
  PolicyRepository& policies() noexcept;
  RelaySecretRepository& relaySecrets() noexcept;

  // Runs `fn` in one transaction: all of its repository writes commit together, or none
  // does if it throws (the exception propagates).
  void transaction(const std::function<void()>& fn);

  // Changes whenever another connection (another daemon, parleyctl) commits to the file:
  // callers that cache what they read compare it to know when to read again.
  std::int64_t changeCounter();

  int schemaVersion();
  static int latestSchemaVersion() noexcept;
  const std::string& path() const noexcept;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::store
