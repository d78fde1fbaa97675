// Backoff: how long to wait before the next retry of an operation that failed transiently
// (a Bot API 5xx, a dropped connection, a database that is restarting).
//
// Exponential growth with "equal jitter": the n-th delay (n = 1, 2, ...) is drawn uniformly
// from [d/2, d], where d = min(max, initial * multiplier^(n-1)). Equal jitter rather than
// "full" or "decorrelated" jitter because it keeps a guaranteed floor: the first delay is never
// shorter than initial/2 (so a failing dependency is never hammered with immediate retries),
// delays never exceed `max`, and many clients that failed at the same moment still spread out
// over half of each interval. Every delay is at least 1 ms, never 0.
//
// Randomness is injected (a function returning a double in [0, 1)) so tests are deterministic;
// values outside [0, 1) are clamped. make_backoff() builds one seeded from std::random_device
// for production use.
//
// Thread-safety: none. One Backoff belongs to one retry loop; reset() it after a success.
#pragma once

#include <chrono>
#include <functional>

namespace tgkeep {

struct BackoffPolicy {
  std::chrono::milliseconds initial{500};  // the nominal first delay; values below 1 ms act as 1 ms
  std::chrono::milliseconds max{30000};    // no delay is ever longer; raised to `initial` if lower
  double multiplier = 2.0;                 // growth per attempt; values below 1 (or NaN) act as 1
};

class Backoff {
 public:
  // `uniform01` returns a number in [0, 1); it is called once per next().
  Backoff(BackoffPolicy policy, std::function<double()> uniform01);

  // The delay before the next retry; counts one more attempt.
  std::chrono::milliseconds next();

  // Back to the first delay, after a success.
  void reset();

  // How many delays next() has handed out since construction or the last reset().
  int attempts() const { return attempts_; }

  const BackoffPolicy& policy() const { return policy_; }

 private:
  BackoffPolicy policy_;
  std::function<double()> uniform01_;
  double ceiling_ms_;  // d for the next attempt, before jitter
  int attempts_ = 0;
};

// A Backoff whose randomness is a std::mt19937_64 seeded from std::random_device.
Backoff make_backoff(BackoffPolicy policy = {});

}  // namespace tgkeep
