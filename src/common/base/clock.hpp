#pragma once
// Time for protocol cores. Cores never read the wall clock: the shell passes `now` in.
// Clock exists for the shells, and ManualClock for tests of timer paths.

#include <chrono>

namespace parley {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
using Duration = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemSteadyClock final : public Clock {
 public:
  TimePoint now() const override { return SteadyClock::now(); }
};

class ManualClock final : public Clock {
 public:
  TimePoint now() const override { return now_; }
  void advance(Duration d) { now_ += d; }
  void set(TimePoint t) { now_ = t; }

 private:
  TimePoint now_{std::chrono::hours(1)};
};

// Seconds since the Unix epoch, for what is stored or sent (expiry times in the store).
inline long long unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace parley
