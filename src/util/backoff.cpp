#include "util/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

namespace tgkeep {

namespace {

BackoffPolicy sanitized(BackoffPolicy p) {
  using std::chrono::milliseconds;
  p.initial = std::max(p.initial, milliseconds{1});
  p.max = std::max(p.max, p.initial);
  if (!(p.multiplier >= 1.0)) p.multiplier = 1.0;  // also catches NaN
  return p;
}

}  // namespace

Backoff::Backoff(BackoffPolicy policy, std::function<double()> uniform01)
    : policy_(sanitized(policy)),
      uniform01_(std::move(uniform01)),
      ceiling_ms_(static_cast<double>(policy_.initial.count())) {}

std::chrono::milliseconds Backoff::next() {
  const double max_ms = static_cast<double>(policy_.max.count());
  const double ceiling = std::min(ceiling_ms_, max_ms);
  double u = uniform01_ ? uniform01_() : 0.0;
  if (!(u >= 0.0)) u = 0.0;  // also catches NaN
  if (u > 1.0) u = 1.0;
  const double half = ceiling / 2.0;
  const double delay = std::clamp(std::round(half + u * half), 1.0, max_ms);

  ++attempts_;
  // Stop growing once at the cap, so the ceiling never overflows however long the retries go on.
  ceiling_ms_ = std::min(ceiling * policy_.multiplier, max_ms);
  return std::chrono::milliseconds{static_cast<std::chrono::milliseconds::rep>(delay)};
}

void Backoff::reset() {
  attempts_ = 0;
  ceiling_ms_ = static_cast<double>(policy_.initial.count());
}

Backoff make_backoff(BackoffPolicy policy) {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device()};
  return Backoff(policy, [engine = std::mt19937_64(seed)]() mutable {
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  });
}

}  // namespace tgkeep
