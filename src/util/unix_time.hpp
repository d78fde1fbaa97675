// The wall clock in unix seconds, as Telegram dates messages.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace tgkeep {

inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-11-23 00:00": a moment in UTC to the minute, for texts shown to users.
inline std::string utc_minute(std::int64_t unix_seconds) {
  using namespace std::chrono;
  const sys_seconds t{seconds(unix_seconds)};
  const auto day = floor<days>(t);
  const year_month_day date{day};
  const hh_mm_ss time{t - day};
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u %02d:%02d", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()));
  return out;
}

}  // namespace tgkeep
