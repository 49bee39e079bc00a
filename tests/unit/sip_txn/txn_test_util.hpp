#pragma once
// Helpers for driving the transaction layer with fake time and hand-written messages.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/base/clock.hpp"
#include "common/sip/message.hpp"
#include "common/sip/parser.hpp"
#include "common/sip/peer.hpp"
#include "common/sip/txn/transaction_layer.hpp"

namespace parley::sip::testing {

using namespace std::chrono_literals;

inline const TimePoint kT0{std::chrono::hours(1)};

// Parses a message written with "\n" line ends (turned into CRLF).
inline Message msg(std::string_view text) {
  std::string wire;
  for (char c : text) {
    if (c == '\n') wire += '\r';
    wire += c;
  }
  auto r = parseMessage(wire);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message) << "\n" << text;
  return r.ok() ? std::move(r.value()) : Message::request("OPTIONS", Uri{});
}

inline Message parseWire(const std::string& bytes) {
  auto r = parseMessage(bytes);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message) << "\n" << bytes;
  return r.ok() ? std::move(r.value()) : Message::request("OPTIONS", Uri{});
}

inline Peer udp(std::string address = "192.0.2.10", uint16_t port = 5060) {
  return Peer{Transport::Udp, std::move(address), port, 0};
}
inline Peer tcp(std::string address = "192.0.2.10", uint16_t port = 5060, uint64_t conn = 7) {
  return Peer{Transport::Tcp, std::move(address), port, conn};
}

// An event with the fake time (ms after kT0) at which it was produced.
struct Stamped {
  long long ms;
  TxnEvent event;
};

template <class T>
const T* as(const Stamped& s) {
  return std::get_if<T>(&s.event);
}

// Owns a layer and a fake clock; every call drains the events it produced.
class Harness {
 public:
  explicit Harness(TimerConfig cfg = {}) : layer(cfg) {}

  TransactionLayer layer;
  TimePoint now = kT0;

  long long elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - kT0).count();
  }

  std::vector<Stamped> drain() {
    std::vector<Stamped> out;
    while (auto ev = layer.poll()) out.push_back(Stamped{elapsed(), std::move(*ev)});
    return out;
  }

  std::vector<Stamped> receive(const Peer& from, Message m) {
    layer.onMessage(from, std::move(m), now);
    return drain();
  }

  // Runs every timer up to and including `ms` after kT0, at its exact deadline, then sets
  // the clock to `ms`.
  std::vector<Stamped> runUntil(long long ms) {
    const TimePoint end = kT0 + std::chrono::milliseconds(ms);
    std::vector<Stamped> out;
    while (auto d = layer.nextDeadline()) {
      if (*d > end) break;
      now = *d;
      layer.onTimer(now);
      for (auto& e : drain()) out.push_back(std::move(e));
    }
    now = end;
    return out;
  }

  void at(long long ms) { now = kT0 + std::chrono::milliseconds(ms); }
};

// Times (ms) of the SendTo events in `evs`.
inline std::vector<long long> sendTimes(const std::vector<Stamped>& evs) {
  std::vector<long long> out;
  for (const auto& e : evs) {
    if (as<SendTo>(e)) out.push_back(e.ms);
  }
  return out;
}

// The event as a T; a test failure (and an empty T) when it is something else. Tests use it
// rather than dereferencing as<T>() so that no path dereferences a null pointer.
template <class T>
const T& get(const Stamped& s) {
  if (const T* p = as<T>(s)) return *p;
  ADD_FAILURE() << "event " << s.event.index() << " at " << s.ms << " ms is not the expected type";
  static const T empty{};
  return empty;
}

template <class T>
std::vector<const T*> all(const std::vector<Stamped>& evs) {
  std::vector<const T*> out;
  for (const auto& e : evs) {
    if (const T* p = as<T>(e)) out.push_back(p);
  }
  return out;
}

template <class T>
size_t count(const std::vector<Stamped>& evs) {
  return all<T>(evs).size();
}

template <class T>
const T* first(const std::vector<Stamped>& evs) {
  auto v = all<T>(evs);
  return v.empty() ? nullptr : v.front();
}

// The first event of type T; a test failure (and an empty T) when there is none.
template <class T>
const T& firstOf(const std::vector<Stamped>& evs) {
  if (const T* p = first<T>(evs)) return *p;
  ADD_FAILURE() << "no event of the expected type";
  static const T empty{};
  return empty;
}

}  // namespace parley::sip::testing
