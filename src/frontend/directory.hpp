#pragma once
// What the Front End core needs from the topology store, as two small interfaces, so the
// core is tested without SQLite and the store can change (PostgreSQL for pools) behind them.

#include <optional>
#include <string>
#include <vector>

#include "frontend/location.hpp"

namespace parley::frontend {

struct UserRecord {
  std::string aor;          // "sip:alice@parley.test"
  std::string displayName;
  std::string lineUri;      // "tel:+15550101" or ""
  bool enabled = true;
  std::string realm;        // the realm the hashes were computed for
  std::string ha1Md5;       // MD5(user:realm:password), hex
  std::string ha1Sha256;    // SHA-256(user:realm:password), hex
};

class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  virtual std::optional<UserRecord> findUser(const std::string& aor) = 0;
  // Reverse number lookup: the user whose line URI is `telUri` ("tel:+15550101").
  virtual std::optional<UserRecord> findByLine(const std::string& telUri) = 0;
};

// Write-through persistence of the location service.
class RegistrationSink {
 public:
  virtual ~RegistrationSink() = default;
  virtual void saveBinding(const Binding& b) = 0;
  virtual void deleteBinding(const Binding& b) = 0;
  virtual std::vector<Binding> loadBindings(int64_t now) = 0;
};

}  // namespace parley::frontend
