#pragma once
// What every repository of one Store shares (private to the store).

#include <cstdint>
#include <functional>

#include "common/store/sqlite.hpp"

namespace parley::store::detail {

struct Context {
  Database db;
  // Unix seconds for created/updated stamps of administrative rows.
  std::function<std::int64_t()> clock;

  std::int64_t now() const { return clock(); }
};

// Throws StoreError::Kind::Invalid with the message of a failed validation Result.
template <class R>
auto valid(R&& result) {
  if (!result) throw StoreError(StoreError::Kind::Invalid, result.error().message);
  return std::forward<R>(result).value();
}

}  // namespace parley::store::detail
