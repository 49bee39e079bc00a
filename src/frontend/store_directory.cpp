#include "frontend/store_directory.hpp"

#include <filesystem>
#include <stdexcept>
#include <utility>

#include "common/base/clock.hpp"
#include "common/daemon/logging.hpp"

namespace parley::frontend {
namespace {

store::Transport toStore(sip::Transport t) {
  switch (t) {
    case sip::Transport::Udp: return store::Transport::Udp;
    case sip::Transport::Tcp: return store::Transport::Tcp;
    case sip::Transport::Tls: return store::Transport::Tls;
  }
  return store::Transport::Udp;
}

sip::Transport fromStore(store::Transport t) {
  switch (t) {
    case store::Transport::Udp: return sip::Transport::Udp;
    case store::Transport::Tcp: return sip::Transport::Tcp;
    case store::Transport::Tls: return sip::Transport::Tls;
  }
  return sip::Transport::Udp;
}

store::BindingKey keyOf(const Binding& b) {
  store::BindingKey k;
  k.aor = b.aor;
  k.contact = b.contact;
  if (!b.instance.empty()) k.instance = b.instance;
  return k;
}

store::Store openExisting(const std::string& path) {
  // Never create an empty store on a mistyped path: the daemon would run with no users.
  if (!std::filesystem::exists(path)) {
    throw std::runtime_error("no topology store at " + path + " (run `parleyctl topology init`)");
  }
  return store::Store::open(path);
}

// Enough for the users active at once on a busy pool member; beyond it, a miss costs one
// indexed SQLite read, and memory per registered user stays small.
constexpr size_t kUserCacheSize = 8192;

}  // namespace

StoreDirectory::StoreDirectory(const std::string& path, std::string serverName)
    : store_(openExisting(path)), serverName_(std::move(serverName)) {}

std::string StoreDirectory::domain() {
  auto d = store_.topology().defaultDomain();
  if (!d) throw std::runtime_error("the topology store has no SIP domain: run `parleyctl topology init`");
  return *d;
}

std::optional<UserRecord> StoreDirectory::toRecord(const std::optional<store::User>& user) {
  if (!user) return std::nullopt;
  UserRecord r;
  r.aor = user->sipUri;
  r.displayName = user->displayName;
  r.lineUri = user->lineUri.value_or("");
  r.enabled = user->enabled;
  for (const auto& c : store_.users().credentials(user->sipUri)) {
    r.realm = c.realm;
    (c.algorithm == store::DigestAlgorithm::Md5 ? r.ha1Md5 : r.ha1Sha256) = c.ha1;
  }
  return r;
}

void StoreDirectory::dropCacheIfStale() {
  int64_t changes = store_.changeCounter();
  if (changes != seenChanges_) {
    userCache_.clear();
    seenChanges_ = changes;
  }
}

std::optional<UserRecord> StoreDirectory::findUser(const std::string& aor) {
  dropCacheIfStale();
  auto it = userCache_.find(aor);
  if (it != userCache_.end()) return it->second;
  if (userCache_.size() >= kUserCacheSize) userCache_.clear();  // bounded: unknown names are cached too
  return userCache_.emplace(aor, toRecord(store_.users().find(aor))).first->second;
}

std::optional<UserRecord> StoreDirectory::findByLine(const std::string& telUri) {
  dropCacheIfStale();
  auto it = userCache_.find(telUri);
  if (it != userCache_.end()) return it->second;
  if (userCache_.size() >= kUserCacheSize) userCache_.clear();
  return userCache_.emplace(telUri, toRecord(store_.users().findByLineUri(telUri))).first->second;
}

void StoreDirectory::saveBinding(const Binding& b) { pending_.push_back({false, b}); }

void StoreDirectory::deleteBinding(const Binding& b) { pending_.push_back({true, b}); }

void StoreDirectory::commitPending() {
  if (pending_.empty()) return;
  std::vector<PendingWrite> writes = std::exchange(pending_, {});
  const int64_t now = unixNow();
  try {
    store_.transaction([&] {
      for (const auto& w : writes) {
        if (w.remove) {
          (void)store_.registrations().remove(keyOf(w.binding));
        } else {
          (void)store_.registrations().upsert(toRegistration(w.binding), now);
        }
      }
    });
  } catch (const std::exception& e) {
    daemon::logger("store")->error("cannot save {} registration change(s): {}", writes.size(), e.what());
  }
}

store::Registration StoreDirectory::toRegistration(const Binding& b) const {
  store::Registration r;
  r.aor = b.aor;
  r.contact = b.contact;
  if (!b.instance.empty()) r.instance = b.instance;
  r.q = b.q;
  r.expiresAt = b.expiresAt;
  r.callId = b.callId.empty() ? "-" : b.callId;
  r.cseq = b.cseq;
  r.transport = toStore(b.path.transport);
  r.sourceAddress = b.path.address;
  r.sourcePort = b.path.port;
  r.connectionId = b.path.connectionId;
  r.frontendServer = serverName_;
  r.userAgent = b.userAgent;
  return r;
}

std::vector<Binding> StoreDirectory::loadBindings(int64_t now) {
  std::vector<Binding> out;
  for (const auto& r : store_.registrations().listAll(now)) {
    Binding b;
    b.aor = r.aor;
    b.contact = r.contact;
    b.instance = r.instance.value_or("");
    b.q = r.q.value_or(1.0);
    b.expiresAt = r.expiresAt;
    b.callId = r.callId;
    b.cseq = r.cseq;
    b.path = sip::Peer{fromStore(r.transport), r.sourceAddress, r.sourcePort, r.connectionId};
    b.userAgent = r.userAgent;
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace parley::frontend
