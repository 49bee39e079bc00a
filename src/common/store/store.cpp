#include "common/store/store.hpp"

#include "common/store/sqlite.hpp"

#include "common/base/clock.hpp"
#include "common/store/context.hpp"
#include "common/store/migrations.hpp"

namespace parley::store {

struct Store::Impl {
  explicit Impl(detail::Context context) : ctx(std::move(context)) {}

  detail::Context ctx;
  UserRepository users{ctx};
  RegistrationRepository registrations{ctx};
  TopologyRepository topology{ctx};
  PolicyRepository policies{ctx};
  RelaySecretRepository relaySecrets{ctx};
};

Store Store::open(const std::string& path, const OpenOptions& options) {
  Database::Options dbOptions;
  dbOptions.busyTimeout = options.busyTimeout;
  dbOptions.synchronousFull = options.durability == Durability::Full;
  std::function<std::int64_t()> clock = options.clock;
  if (!clock) clock = [] { return static_cast<std::int64_t>(unixNow()); };

  auto impl =
      std::make_unique<Impl>(detail::Context{Database::open(path, dbOptions), std::move(clock)});
  migrate(impl->ctx.db, impl->ctx.now());
  return Store(std::move(impl));
}

Store::Store(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

UserRepository& Store::users() noexcept { return impl_->users; }
RegistrationRepository& Store::registrations() noexcept { return impl_->registrations; }
TopologyRepository& Store::topology() noexcept { return impl_->topology; }
PolicyRepository& Store::policies() noexcept { return impl_->policies; }
RelaySecretRepository& Store::relaySecrets() noexcept { return impl_->relaySecrets; }

void Store::transaction(const std::function<void()>& fn) {
  Transaction tx(impl_->ctx.db);
  fn();
  tx.commit();
}

std::int64_t Store::changeCounter() {
  Statement st(impl_->ctx.db, "PRAGMA data_version");
  return st.step() ? st.columnInt(0) : 0;
}

int Store::schemaVersion() { return parley::store::schemaVersion(impl_->ctx.db); }

int Store::latestSchemaVersion() noexcept { return parley::store::latestSchemaVersion(); }

const std::string& Store::path() const noexcept { return impl_->ctx.db.path(); }

}  // namespace parley::store
