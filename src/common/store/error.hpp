#pragma once
// Errors of the topology store. A store failure is a control-plane or environment failure
// (the file cannot be opened, the disk is full, an administrator asked for a duplicate user),
// so it is an exception; "not found" is not a failure and comes back as an empty optional.

#include <stdexcept>
#include <string>
#include <string_view>

namespace parley::store {

class StoreError : public std::runtime_error {
 public:
  enum class Kind {
    Invalid,       // an argument failed validation (a malformed tel URI, an empty name)
    Conflict,      // a unique key is taken, or the row is still referenced (in use)
    NotFound,      // a row this operation refers to does not exist (a pool's site)
    SchemaTooNew,  // the file was written by a newer Parley than this build
    NotAStore,     // the file is an SQLite database, but not a Parley store
    Busy,          // another process held the write lock past the busy timeout
    Io,            // the file cannot be opened, read or written (permissions, disk full)
    Internal,      // any other SQLite failure: a bug in the store, or a corrupt file
  };

  StoreError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}

  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

std::string_view kindName(StoreError::Kind kind) noexcept;

}  // namespace parley::store
