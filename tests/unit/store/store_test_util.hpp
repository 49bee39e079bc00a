#pragma once
// A throw-away directory per test, and a store opened in it with a fixed clock.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "common/store/store.hpp"

namespace parley::store::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "parley-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline constexpr std::int64_t kNow = 1700000000;

inline OpenOptions fixedClock() {
  OpenOptions o;
  o.clock = [] { return kNow; };
  return o;
}

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() : store_(Store::open(path(), fixedClock())) {}
  std::string path() const { return dir_.file("topology.db"); }
  Store reopen() { return Store::open(path(), fixedClock()); }

  TempDir dir_;
  Store store_;

  // The kind of StoreError `fn` throws (its message in last_, and in *message if given); a
  // failure if none.
  StoreError::Kind errorKind(const std::function<void()>& fn, std::string* message = nullptr) {
    try {
      fn();
    } catch (const StoreError& e) {
      last_ = e.what();
      if (message != nullptr) *message = last_;
      return e.kind();
    }
    ADD_FAILURE() << "no StoreError";
    return StoreError::Kind::Internal;
  }
  std::string last_;
};

// A store with the topology initialised for example.com.
class InitialisedStoreTest : public StoreTest {
 protected:
  InitialisedStoreTest() { store_.topology().init("example.com"); }
};

}  // namespace parley::store::testing
