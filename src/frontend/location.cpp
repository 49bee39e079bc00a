#include "frontend/location.hpp"

#include <algorithm>

#include "common/base/strings.hpp"

namespace parley::frontend {

std::string LocationService::contactKey(const sip::Uri& uri) {
  std::string key = toLower(uri.user) + "@" + toLower(uri.host) + ":" +
                    std::to_string(uri.port.value_or(0));
  return key;
}

std::string LocationService::pathKey(const sip::Peer& peer) {
  if (peer.connectionId != 0) return "c" + std::to_string(peer.connectionId);
  return std::string(sip::transportName(peer.transport)) + ":" + peer.address + ":" + std::to_string(peer.port);
}

void LocationService::index(const Binding& b) {
  ++registeredPaths_[pathKey(b.path)];
  if (auto uri = sip::parseUri(b.contact)) byContactKey_[contactKey(*uri)] = {b.aor, b.contact};
}

void LocationService::unindex(const Binding& b) {
  auto p = registeredPaths_.find(pathKey(b.path));
  if (p != registeredPaths_.end() && --p->second <= 0) registeredPaths_.erase(p);
  if (auto uri = sip::parseUri(b.contact)) byContactKey_.erase(contactKey(*uri));
}

bool LocationService::isRegisteredPeer(const sip::Peer& peer) const {
  return registeredPaths_.count(pathKey(peer)) > 0 ||
         (peer.connectionId != 0 &&
          registeredPaths_.count(pathKey(sip::Peer{peer.transport, peer.address, peer.port, 0})) > 0);
}

std::vector<Binding> LocationService::lookup(const std::string& aor, int64_t now) const {
  std::vector<Binding> out;
  auto it = byAor_.find(aor);
  if (it == byAor_.end()) return out;
  for (const auto& b : it->second) {
    if (b.expiresAt > now) out.push_back(b);
  }
  std::stable_sort(out.begin(), out.end(), [](const Binding& a, const Binding& b) { return a.q > b.q; });
  return out;
}

std::optional<Binding> LocationService::findByContact(const sip::Uri& contactUri, int64_t now) const {
  auto k = byContactKey_.find(contactKey(contactUri));
  if (k == byContactKey_.end()) return std::nullopt;
  const Binding* b = find(k->second.first, k->second.second);
  if (b == nullptr || b->expiresAt <= now) return std::nullopt;
  return *b;
}

const Binding* LocationService::find(const std::string& aor, const std::string& contact) const {
  auto it = byAor_.find(aor);
  if (it == byAor_.end()) return nullptr;
  for (const auto& b : it->second) {
    if (b.contact == contact) return &b;
  }
  return nullptr;
}

void LocationService::upsert(const Binding& b) {
  auto& list = byAor_[b.aor];
  auto same = [&](const Binding& x) {
    // RFC 5626: a device identified by +sip.instance replaces its own older contact.
    return x.contact == b.contact || (!b.instance.empty() && x.instance == b.instance);
  };
  auto it = std::find_if(list.begin(), list.end(), same);
  if (it != list.end()) {
    unindex(*it);
    *it = b;
  } else {
    list.push_back(b);
    ++count_;
  }
  index(b);
}

bool LocationService::remove(const std::string& aor, const std::string& contact) {
  auto it = byAor_.find(aor);
  if (it == byAor_.end()) return false;
  auto& list = it->second;
  auto b = std::find_if(list.begin(), list.end(), [&](const Binding& x) { return x.contact == contact; });
  if (b == list.end()) return false;
  unindex(*b);
  list.erase(b);
  --count_;
  if (list.empty()) byAor_.erase(it);
  return true;
}

std::vector<Binding> LocationService::removeAll(const std::string& aor) {
  std::vector<Binding> removed;
  auto it = byAor_.find(aor);
  if (it == byAor_.end()) return removed;
  removed = std::move(it->second);
  byAor_.erase(it);
  for (const auto& b : removed) unindex(b);
  count_ -= removed.size();
  return removed;
}

std::vector<Binding> LocationService::removeByConnection(uint64_t connectionId) {
  std::vector<Binding> removed;
  if (connectionId == 0) return removed;
  for (const auto& [aor, list] : byAor_) {
    for (const auto& b : list) {
      if (b.path.connectionId == connectionId) removed.push_back(b);
    }
  }
  for (const auto& b : removed) remove(b.aor, b.contact);
  return removed;
}

std::vector<Binding> LocationService::purgeExpired(int64_t now) {
  std::vector<Binding> expired;
  for (auto it = byAor_.begin(); it != byAor_.end();) {
    auto& list = it->second;
    for (auto b = list.begin(); b != list.end();) {
      if (b->expiresAt <= now) {
        unindex(*b);
        expired.push_back(std::move(*b));
        b = list.erase(b);
        --count_;
      } else {
        ++b;
      }
    }
    it = list.empty() ? byAor_.erase(it) : std::next(it);
  }
  return expired;
}

}  // namespace parley::frontend
