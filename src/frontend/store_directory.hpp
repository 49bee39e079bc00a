#pragma once
// The Front End's view of the topology store: users and their digest hashes, and the
// write-through persistence of registrations.

#include <string>
#include <unordered_map>
#include <vector>

#include "common/store/store.hpp"
#include "frontend/directory.hpp"

namespace parley::frontend {

class StoreDirectory final : public UserDirectory, public RegistrationSink {
 public:
  // Opens an existing store; throws store::StoreError naming the file when it cannot.
  StoreDirectory(const std::string& path, std::string serverName);

  // The deployment's default SIP domain; throws if the topology was never initialised.
  std::string domain();

  std::optional<UserRecord> findUser(const std::string& aor) override;
  std::optional<UserRecord> findByLine(const std::string& telUri) override;
  void saveBinding(const Binding& b) override;
  void deleteBinding(const Binding& b) override;
  std::vector<Binding> loadBindings(int64_t now) override;

  // Registrations are written in groups: saves and deletes queue up while the shell handles
  // the messages that are ready, then commit in one transaction before any answer leaves
  // (group commit). A 200 to REGISTER is therefore never sent for a binding a crash loses.
  void commitPending();
  size_t pendingWrites() const noexcept { return pending_.size(); }

 private:
  std::optional<UserRecord> toRecord(const std::optional<store::User>& user);
  store::Registration toRegistration(const Binding& b) const;

  struct PendingWrite {
    bool remove = false;
    Binding binding;
  };

  store::Store store_;
  std::string serverName_;
  std::vector<PendingWrite> pending_;
  // Users as last read, dropped whenever another process (parleyctl) changes the store, so
  // a new password or a disabled user takes effect at once without a query per request.
  std::unordered_map<std::string, std::optional<UserRecord>> userCache_;
  int64_t seenChanges_ = -1;
  void dropCacheIfStale();
};

}  // namespace parley::frontend
