#include <gtest/gtest.h>

#include "hot/hot_keys.hpp"
#include "hot/usage_window.hpp"

namespace tgkeep::hot {
namespace {

TEST(HotKeys, HashTagsGroupAChatsAndAUsersKeys) {
  auto keys = HotKeys::with_prefix("tgkeep");
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->chat_history(-100123), "tgkeep:{chat:-100123}:history");
  EXPECT_EQ(keys->user_profile(7), "tgkeep:{user:7}:profile");
  EXPECT_EQ(keys->user_usage(7, "d20261122"), "tgkeep:{user:7}:usage:d20261122");
  EXPECT_EQ(keys->update_seen(123), "tgkeep:update:123");
  EXPECT_EQ(keys->outbox_stream(), "tgkeep:{outbox}:stream");
  EXPECT_EQ(keys->outbox_lease(), "tgkeep:{outbox}:lease");
  EXPECT_EQ(keys->reply_state(-5, "u7.0"), "tgkeep:{chat:-5}:reply:u7.0");
}

TEST(HotKeys, PrefixesThatWouldBreakHashTagsAreRefused) {
  for (const char* bad : {"", "a{b", "a}b", "with space", "tab\there"}) {
    auto keys = HotKeys::with_prefix(bad);
    EXPECT_FALSE(keys) << bad;
  }
  EXPECT_TRUE(HotKeys::with_prefix("bot-1:prod_eu"));
}

TEST(Tariffs, ParseSeveral) {
  auto tariffs = parse_tariffs(" free = 30/day , pro=1000/month,burst=5/hour", "TGKEEP_TARIFFS");
  ASSERT_TRUE(tariffs) << tariffs.error().message;
  ASSERT_EQ(tariffs->size(), 3u);
  EXPECT_EQ((*tariffs)[0].name, "free");
  EXPECT_EQ((*tariffs)[0].limit, 30);
  EXPECT_EQ((*tariffs)[0].period, Period::day);
  EXPECT_EQ((*tariffs)[1].period, Period::month);
  EXPECT_EQ((*tariffs)[2].limit, 5);
}

TEST(Tariffs, ErrorsNameTheSettingAndTheItem) {
  for (const char* bad :
       {"", "free", "free=30", "free=x/day", "free=-1/day", "free=30/year", "=30/day",
        "a=1/day,a=2/day", "free=30/day,pro=9999999999999999999/day"}) {
    auto tariffs = parse_tariffs(bad, "TGKEEP_TARIFFS");
    ASSERT_FALSE(tariffs) << bad;
    EXPECT_NE(tariffs.error().message.find("TGKEEP_TARIFFS"), std::string::npos);
  }
}

TEST(UsageWindow, DayHourMonthBoundariesInUtc) {
  const std::int64_t t = 1795323600;  // 2026-11-22 05:00:00 UTC
  auto day = window_at(Period::day, t);
  EXPECT_EQ(day.id, "d20261122");
  EXPECT_EQ(day.start, 1795305600);
  EXPECT_EQ(day.end, 1795392000);
  auto hour = window_at(Period::hour, t + 59 * 60);
  EXPECT_EQ(hour.id, "h2026112205");
  EXPECT_EQ(hour.end, t + 3600);
  auto month = window_at(Period::month, t);
  EXPECT_EQ(month.id, "m202611");
  EXPECT_EQ(month.end - month.start, 30 * 86400);
  EXPECT_EQ(window_at(Period::month, month.end).id, "m202612");
  EXPECT_EQ(window_at(Period::day, day.end - 1).id, "d20261122");
  EXPECT_EQ(window_at(Period::day, day.end).id, "d20261123");
}

TEST(UsageWindow, IsoWeeksAcrossTheYearEnd) {
  // 2026-12-31 is a Thursday: ISO week 2026-W53. 2027-01-01 (Friday) is still 2026-W53.
  const std::int64_t dec31 = 1798675200;
  EXPECT_EQ(window_at(Period::week, dec31).id, "w2026W53");
  EXPECT_EQ(window_at(Period::week, dec31 + 86400).id, "w2026W53");
  auto week = window_at(Period::week, dec31);
  EXPECT_EQ(week.end - week.start, 7 * 86400);
  EXPECT_EQ(window_at(Period::week, week.end).id, "w2027W01");
  // 2026-11-22 is a Sunday: ISO week 47, which began on Monday 2026-11-16.
  auto w47 = window_at(Period::week, 1795338000);
  EXPECT_EQ(w47.id, "w2026W47");
  EXPECT_EQ(w47.start, 1795305600 - 6 * 86400);
}

}  // namespace
}  // namespace tgkeep::hot
