#pragma once
// Transaction timer values (RFC 3261 §17 and Table 4; RFC 6026). Everything the state
// machines wait for is derived from this struct, so tests shrink T1 and watch every timer
// path run in milliseconds of fake time.

#include <chrono>

#include "common/base/clock.hpp"

namespace parley::sip {

struct TimerConfig {
  // RTT estimate (Timer A/E/G start here; 500 ms unless the network is known to be faster).
  Duration t1{500};
  // Cap of the non-INVITE request and INVITE final-response retransmission interval.
  Duration t2{4000};
  // Longest time a message stays in the network (Timers I and K on unreliable transports).
  Duration t4{5000};
  // Timer D: how long an INVITE client transaction stays in Completed on an unreliable
  // transport to absorb retransmitted non-2xx finals. RFC 3261 asks for at least 32 s; it is
  // a separate knob because it is not a multiple of T1.
  Duration timerD{32000};
  // §17.2.1: the INVITE server transaction sends 100 Trying itself unless the TU sends a
  // provisional or final response within 200 ms. 0 sends it as the INVITE arrives (what a
  // stateful proxy wants, §16.2); autoTrying = false leaves it entirely to the TU.
  bool autoTrying = true;
  Duration tryingDelay{200};

  // Timers B, F, H, J, L and M: 64*T1.
  Duration timeout() const noexcept { return t1 * 64; }
};

}  // namespace parley::sip
