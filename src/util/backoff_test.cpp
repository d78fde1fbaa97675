#include "util/backoff.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace tgkeep {
namespace {

using std::chrono::milliseconds;

Backoff fixed(double u, BackoffPolicy policy = {}) {
  return Backoff(policy, [u] { return u; });
}

TEST(Backoff, GrowsExponentiallyWithoutJitterAtTheTop) {
  // u just below 1 gives (almost) the top of each interval: 500, 1000, 2000, ...
  Backoff b = fixed(0.999999);
  EXPECT_EQ(b.next(), milliseconds{500});
  EXPECT_EQ(b.next(), milliseconds{1000});
  EXPECT_EQ(b.next(), milliseconds{2000});
  EXPECT_EQ(b.next(), milliseconds{4000});
  EXPECT_EQ(b.attempts(), 4);
}

TEST(Backoff, LowestJitterIsHalfTheInterval) {
  Backoff b = fixed(0.0);
  EXPECT_EQ(b.next(), milliseconds{250});
  EXPECT_EQ(b.next(), milliseconds{500});
  EXPECT_EQ(b.next(), milliseconds{1000});
}

TEST(Backoff, IsCappedAtMaxForever) {
  Backoff b = fixed(0.999999, {milliseconds{500}, milliseconds{3000}, 2.0});
  std::vector<milliseconds> got;
  for (int i = 0; i < 6; ++i) got.push_back(b.next());
  EXPECT_EQ(
      got, (std::vector<milliseconds>{milliseconds{500}, milliseconds{1000}, milliseconds{2000},
                                      milliseconds{3000}, milliseconds{3000}, milliseconds{3000}}));
  for (int i = 0; i < 10000; ++i) ASSERT_LE(b.next(), milliseconds{3000});
  EXPECT_EQ(b.attempts(), 10006);
}

TEST(Backoff, ResetStartsOver) {
  Backoff b = fixed(0.999999);
  b.next();
  b.next();
  b.next();
  b.reset();
  EXPECT_EQ(b.attempts(), 0);
  EXPECT_EQ(b.next(), milliseconds{500});
  EXPECT_EQ(b.attempts(), 1);
}

TEST(Backoff, JitterStaysWithinHalfIntervalAndCeiling) {
  // A deterministic sweep of u over [0, 1).
  int calls = 0;
  Backoff b({milliseconds{100}, milliseconds{10000}, 2.0},
            [&calls] { return static_cast<double>(calls++ % 97) / 97.0; });
  for (int round = 0; round < 50; ++round) {
    b.reset();
    double ceiling = 100;
    for (int attempt = 0; attempt < 12; ++attempt) {
      const auto d = b.next();
      const double cap = ceiling < 10000 ? ceiling : 10000;
      EXPECT_GE(d.count(), static_cast<long>(cap / 2)) << "attempt " << attempt;
      EXPECT_LE(d.count(), static_cast<long>(cap)) << "attempt " << attempt;
      ceiling *= 2;
    }
  }
}

TEST(Backoff, FirstDelayIsNeverZero) {
  Backoff tiny = fixed(0.0, {milliseconds{0}, milliseconds{0}, 2.0});
  EXPECT_EQ(tiny.next(), milliseconds{1});
  Backoff one = fixed(0.0, {milliseconds{1}, milliseconds{1}, 2.0});
  EXPECT_EQ(one.next(), milliseconds{1});
}

TEST(Backoff, HostileRandomnessAndPolicyAreClamped) {
  Backoff above = fixed(7.0);
  EXPECT_EQ(above.next(), milliseconds{500});
  Backoff below = fixed(-3.0);
  EXPECT_EQ(below.next(), milliseconds{250});
  Backoff nan = fixed(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(nan.next(), milliseconds{250});

  // A multiplier below 1 would shrink delays: treated as a constant backoff.
  Backoff shrinking = fixed(0.999999, {milliseconds{800}, milliseconds{30000}, 0.5});
  EXPECT_EQ(shrinking.next(), milliseconds{800});
  EXPECT_EQ(shrinking.next(), milliseconds{800});

  // max below initial is raised to initial.
  Backoff inverted = fixed(0.999999, {milliseconds{2000}, milliseconds{10}, 2.0});
  EXPECT_EQ(inverted.next(), milliseconds{2000});
  EXPECT_EQ(inverted.next(), milliseconds{2000});
}

TEST(Backoff, HugeMultiplierDoesNotOverflow) {
  Backoff b = fixed(0.999999, {milliseconds{500}, milliseconds{60000}, 1e300});
  EXPECT_EQ(b.next(), milliseconds{500});
  for (int i = 0; i < 100; ++i) ASSERT_EQ(b.next(), milliseconds{60000});
}

TEST(Backoff, RandomSeededFactoryStaysInBounds) {
  Backoff b = make_backoff({milliseconds{100}, milliseconds{1000}, 3.0});
  const auto first = b.next();
  EXPECT_GE(first, milliseconds{50});
  EXPECT_LE(first, milliseconds{100});
  for (int i = 0; i < 1000; ++i) {
    const auto d = b.next();
    ASSERT_GE(d, milliseconds{1});
    ASSERT_LE(d, milliseconds{1000});
  }
}

}  // namespace
}  // namespace tgkeep
