#include "util/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <vector>

namespace tgkeep {
namespace {

using namespace std::chrono_literals;
using time_point = RateLimiter::time_point;

const time_point t0 = time_point{} + 1h;

TEST(RateLimiter, FreeSlotIsNow) {
  RateLimiter limiter({});
  EXPECT_EQ(limiter.reserve(42, false, t0), t0);
  EXPECT_EQ(limiter.reserve(43, true, t0 + 5s), t0 + 5s);
}

TEST(RateLimiter, OneMessagePerSecondPerChat) {
  RateLimiter limiter({});
  EXPECT_EQ(limiter.reserve(1, false, t0), t0);
  EXPECT_EQ(limiter.reserve(1, false, t0), t0 + 1s);
  EXPECT_EQ(limiter.reserve(1, false, t0 + 100ms), t0 + 2s);
  // Once the queued slots are in the past, the chat is free again.
  EXPECT_EQ(limiter.reserve(1, false, t0 + 3500ms), t0 + 3500ms);
  EXPECT_EQ(limiter.reserve(1, false, t0 + 3600ms), t0 + 4500ms);
}

TEST(RateLimiter, ThirtyPerSecondAcrossChats) {
  RateLimiter limiter({});
  std::vector<time_point> slots;
  for (int chat = 0; chat < 100; ++chat) slots.push_back(limiter.reserve(chat, false, t0));
  EXPECT_EQ(slots.front(), t0);
  ASSERT_TRUE(std::is_sorted(slots.begin(), slots.end()));
  EXPECT_EQ(std::count_if(slots.begin(), slots.end(), [](auto t) { return t < t0 + 1s; }), 30);
  for (std::size_t i = 1; i < slots.size(); ++i) {
    EXPECT_GE(slots[i] - slots[i - 1], 1s / 30.0) << i;
  }
  for (std::size_t i = 0; i + 30 < slots.size(); ++i) {
    EXPECT_GE(slots[i + 30] - slots[i], 1s) << i;
  }
}

TEST(RateLimiter, TwentyPerMinuteInGroups) {
  RateLimiter limiter({});
  std::vector<time_point> slots;
  for (int i = 0; i < 45; ++i) slots.push_back(limiter.reserve(-100, true, t0));
  // A quiet group gets one message a second until the window is full...
  for (int i = 0; i < 20; ++i) EXPECT_EQ(slots[i], t0 + i * 1s) << i;
  // ...then each further message waits for the one 20 back to leave the 60 s window.
  EXPECT_EQ(slots[20], t0 + 60s);
  EXPECT_EQ(slots[21], t0 + 61s);
  EXPECT_EQ(slots[40], t0 + 120s);
  for (std::size_t i = 0; i + 20 < slots.size(); ++i) {
    EXPECT_GE(slots[i + 20] - slots[i], 60s) << i;
  }
  // A private chat is not held by the group window.
  RateLimiter other({});
  for (int i = 0; i < 25; ++i) EXPECT_EQ(other.reserve(7, false, t0), t0 + i * 1s);
}

TEST(RateLimiter, BurstLetsAQuietChatGetSeveralAtOnce) {
  RateLimits limits;
  limits.global_per_second = 0;  // off, to see the per-chat bucket alone
  limits.per_chat_burst = 3;
  RateLimiter limiter(limits);
  EXPECT_EQ(limiter.reserve(1, false, t0), t0);
  EXPECT_EQ(limiter.reserve(1, false, t0), t0);
  EXPECT_EQ(limiter.reserve(1, false, t0), t0);
  EXPECT_EQ(limiter.reserve(1, false, t0), t0 + 1s);
  EXPECT_EQ(limiter.reserve(1, false, t0), t0 + 2s);
  // After a quiet spell the burst is back.
  EXPECT_EQ(limiter.reserve(1, false, t0 + 10s), t0 + 10s);
  EXPECT_EQ(limiter.reserve(1, false, t0 + 10s), t0 + 10s);
}

TEST(RateLimiter, DisabledNeverWaits) {
  RateLimits limits;
  limits.enabled = false;
  RateLimiter limiter(limits);
  limiter.pause(std::nullopt, 60s, t0);
  limiter.pause(1, 60s, t0);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(limiter.reserve(1, i % 2 == 0, t0), t0);
    ASSERT_EQ(limiter.reserve(i, true, t0), t0);
  }
  EXPECT_EQ(limiter.tracked_chats(), 0u);
}

TEST(RateLimiter, ScopesWithoutAUsableRateAreOff) {
  RateLimits limits;
  limits.global_per_second = 0;
  limits.per_chat_per_second = std::numeric_limits<double>::quiet_NaN();
  limits.per_group_per_minute = -5;
  RateLimiter limiter(limits);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(limiter.reserve(i % 3, i % 2 == 0, t0), t0);
  }
}

TEST(RateLimiter, ChatPauseHoldsOnlyThatChat) {
  RateLimiter limiter({});
  limiter.pause(5, 30s, t0);
  EXPECT_EQ(limiter.reserve(5, false, t0 + 1s), t0 + 30s);
  EXPECT_EQ(limiter.reserve(5, false, t0 + 1s), t0 + 31s);
  EXPECT_EQ(limiter.reserve(6, false, t0 + 1s), t0 + 1s);
}

TEST(RateLimiter, GlobalPauseHoldsEveryChat) {
  RateLimiter limiter({});
  limiter.pause(std::nullopt, 10s, t0);
  const auto a = limiter.reserve(1, false, t0);
  const auto b = limiter.reserve(2, true, t0 + 1s);
  EXPECT_EQ(a, t0 + 10s);
  EXPECT_GE(b - a, 1s / 30.0);
  EXPECT_LT(b - a, 1s / 29.0);
  // Once it is over, slots are free again.
  EXPECT_EQ(limiter.reserve(3, false, t0 + 20s), t0 + 20s);
}

TEST(RateLimiter, PauseClampsHostileDurations) {
  RateLimiter limiter({});
  limiter.pause(1, std::chrono::seconds::max(), t0);
  EXPECT_EQ(limiter.reserve(1, false, t0), t0 + 7 * 24h);
  limiter.pause(2, -5s, t0);
  EXPECT_EQ(limiter.reserve(2, false, t0 + 1s), t0 + 1s);
  limiter.pause(std::nullopt, std::chrono::seconds::min(), t0);
  EXPECT_EQ(limiter.reserve(3, false, t0 + 2s), t0 + 2s);
}

TEST(RateLimiter, AQueuedChatDoesNotHoldUpOthers) {
  RateLimiter limiter({});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.reserve(1, false, t0), t0 + i * 1s);
  // Chat 2 comes later but only has to keep clear of the global slots already taken.
  const auto two = limiter.reserve(2, false, t0);
  EXPECT_GT(two, t0);
  EXPECT_LT(two, t0 + 100ms);
  // Gaps between chat 1's future slots remain usable.
  EXPECT_EQ(limiter.reserve(3, false, t0 + 2500ms), t0 + 2500ms);
}

TEST(RateLimiter, AnyClockOriginWorks) {
  for (const time_point start : {time_point{}, time_point{} - 10h, time_point::min() + 24h}) {
    RateLimiter limiter({});
    EXPECT_EQ(limiter.reserve(1, true, start), start);
    EXPECT_EQ(limiter.reserve(1, true, start), start + 1s);
    EXPECT_EQ(limiter.reserve(2, false, start), start + 33'333'334ns);  // 1/30 s, rounded up
  }
}

TEST(RateLimiter, HugeBurstDoesNotOverflow) {
  RateLimits limits;
  limits.global_per_second = 0;
  limits.per_chat_per_second = 1e-9;  // slower than once a day acts as once a day
  limits.per_chat_burst = std::numeric_limits<int>::max();
  RateLimiter limiter(limits);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.reserve(1, false, t0), t0);
  EXPECT_EQ(limiter.reserve(1, false, t0), t0 + 24h);
}

TEST(RateLimiter, TimeGoingBackwardsIsTreatedAsTheNewestTime) {
  RateLimiter limiter({});
  EXPECT_EQ(limiter.reserve(1, false, t0 + 10s), t0 + 10s);
  EXPECT_GE(limiter.reserve(2, false, t0), t0 + 10s);
}

TEST(RateLimiter, MemoryStaysBoundedOverMillionsOfChats) {
  RateLimiter limiter({});
  time_point now = t0;
  std::size_t most = 0;
  for (std::int64_t chat = 0; chat < 300'000; ++chat) {
    const bool group = chat % 4 == 0;
    ASSERT_EQ(limiter.reserve(chat, group, now), now) << chat;
    most = std::max(most, limiter.tracked_chats());
    now += 50ms;  // 20 sends a second, under every limit
  }
  // Live: private chats for 1 s, groups for 60 s: about 20 + 300 entries.
  EXPECT_LE(most, 1024u);
  // A chat seen long ago starts afresh.
  EXPECT_EQ(limiter.reserve(0, true, now), now);
}

TEST(RateLimiter, MemoryIsBoundedByLiveChatsUnderLoad) {
  RateLimits limits;
  limits.global_per_second = 0;  // off, so that ~66 sends a second all go out at once
  RateLimiter limiter(limits);
  time_point now = t0;
  std::size_t most = 0;
  for (std::int64_t chat = 0; chat < 100'000; ++chat) {
    // Groups stay live for a minute; 4000 sends a minute keep ~4000 of them alive.
    ASSERT_EQ(limiter.reserve(-chat, true, now), now);
    most = std::max(most, limiter.tracked_chats());
    now += 15ms;
  }
  EXPECT_LE(most, 2 * 4001u + 1);
}

// Deterministic pseudo-random traffic; checks every limit by brute force on the result.
TEST(RateLimiter, RandomTrafficNeverBreaksALimit) {
  RateLimiter limiter({});
  std::uint64_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return seed >> 33;
  };
  std::map<std::int64_t, std::vector<time_point>> per_chat;
  std::vector<time_point> all;
  time_point now = t0;
  for (int i = 0; i < 20'000; ++i) {
    now += std::chrono::milliseconds(next() % 40);
    const std::int64_t chat = static_cast<std::int64_t>(next() % 300) - 150;  // < 0: group
    if (next() % 500 == 0) limiter.pause(chat, std::chrono::seconds(next() % 5), now);
    if (next() % 2000 == 0) limiter.pause(std::nullopt, std::chrono::seconds(next() % 3), now);
    const auto at = limiter.reserve(chat, chat < 0, now);
    ASSERT_GE(at, now);
    per_chat[chat].push_back(at);
    all.push_back(at);
  }
  for (const auto& [chat, slots] : per_chat) {
    for (std::size_t i = 1; i < slots.size(); ++i) {
      ASSERT_GE(slots[i] - slots[i - 1], 1s) << "chat " << chat;  // also FIFO
    }
    if (chat < 0) {
      for (std::size_t i = 0; i + 20 < slots.size(); ++i) {
        ASSERT_GE(slots[i + 20] - slots[i], 60s) << "group " << chat;
      }
    }
  }
  std::sort(all.begin(), all.end());
  for (std::size_t i = 0; i + 30 < all.size(); ++i) ASSERT_GE(all[i + 30] - all[i], 1s);
}

}  // namespace
}  // namespace tgkeep
