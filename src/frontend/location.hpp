#pragma once
// The location service (RFC 3261 §10): each address of record's current contacts and the
// path back to each device. Held in memory for routing, written through to the topology
// store by the owner (FrontendCore), and reloaded from it at start-up so registrations
// survive a restart.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/sip/peer.hpp"
#include "common/sip/uri.hpp"

namespace parley::frontend {

struct Binding {
  std::string aor;         // "sip:alice@parley.test"
  std::string contact;     // the Contact URI as registered
  std::string instance;    // +sip.instance, when the device sent one
  double q = 1.0;
  int64_t expiresAt = 0;   // unix seconds
  std::string callId;
  uint32_t cseq = 0;
  // Where the REGISTER came from: requests to the device go back this way (over the same
  // connection for TCP/TLS), whatever private address its Contact names.
  sip::Peer path;
  std::string userAgent;
};

class LocationService {
 public:
  // Live bindings of `aor` at `now`, highest q first.
  std::vector<Binding> lookup(const std::string& aor, int64_t now) const;
  // The binding whose Contact URI is `contactUri` (in-dialog requests target a Contact).
  std::optional<Binding> findByContact(const sip::Uri& contactUri, int64_t now) const;
  const Binding* find(const std::string& aor, const std::string& contact) const;
  // Whether `peer` (a UDP address and port, or a stream connection) is the path of a live
  // registration: a request from it comes from one of our users' devices.
  bool isRegisteredPeer(const sip::Peer& peer) const;

  void upsert(const Binding& b);
  bool remove(const std::string& aor, const std::string& contact);
  std::vector<Binding> removeAll(const std::string& aor);
  // Drops the bindings reached over a stream connection that closed (RFC 5626 §4.4.1: the
  // flow failed, and a phone cannot be reached on a new connection).
  std::vector<Binding> removeByConnection(uint64_t connectionId);
  // Drops expired bindings; returns them so the caller can delete them from the store.
  std::vector<Binding> purgeExpired(int64_t now);
  size_t size() const noexcept { return count_; }

 private:
  // Key for findByContact: host:port plus user of the contact, lower-cased.
  static std::string contactKey(const sip::Uri& uri);

  std::unordered_map<std::string, std::vector<Binding>> byAor_;
  static std::string pathKey(const sip::Peer& peer);
  // The two indexes below follow every binding added or removed.
  void index(const Binding& b);
  void unindex(const Binding& b);

  // Contact key -> (AOR, contact) of the binding, for findByContact.
  std::unordered_map<std::string, std::pair<std::string, std::string>> byContactKey_;
  std::unordered_map<std::string, int> registeredPaths_;
  size_t count_ = 0;
};

}  // namespace parley::frontend
