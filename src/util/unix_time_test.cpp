#include <gtest/gtest.h>

#include "util/unix_time.hpp"

namespace tgkeep {
namespace {

TEST(UnixTime, UtcMinute) {
  EXPECT_EQ(utc_minute(0), "1970-01-01 00:00");
  EXPECT_EQ(utc_minute(1'795'392'000), "2026-11-23 00:00");
  EXPECT_EQ(utc_minute(1'709'164'799), "2024-02-28 23:59");  // before a leap day
  EXPECT_EQ(utc_minute(1'709'251'259), "2024-03-01 00:00");  // seconds are cut, not rounded
}

}  // namespace
}  // namespace tgkeep
