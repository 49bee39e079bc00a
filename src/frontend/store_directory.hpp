#pragma once
// The Front End's view of the topology store: users and their digest hashes, and the
// write-through persistence of registrations.

#include <string>

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

 private:
  std::optional<UserRecord> toRecord(const std::optional<store::User>& user);

  store::Store store_;
  std::string serverName_;
};

}  // namespace parley::frontend
