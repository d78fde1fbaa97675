// Usage quotas (the bot's tariffs): how many messages a user may send per period, and the
// period window a moment falls in. Pure; time is passed in (unix seconds, UTC).
//
// A tariff is written `NAME=LIMIT/PERIOD`, e.g. `free=30/day`; several are comma separated
// (`free=30/day,pro=1000/day`). Periods: hour, day, week (ISO, from Monday), month. Windows
// reset at the period's UTC boundary.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace tgkeep::hot {

enum class Period { hour, day, week, month };

struct Tariff {
  std::string name;
  std::int64_t limit = 0;  // messages per window
  Period period = Period::day;
};

// `text` as in the header comment; `what` names the setting in errors (TGKEEP_TARIFFS).
[[nodiscard]] Result<std::vector<Tariff>> parse_tariffs(std::string_view text,
                                                        std::string_view what);

struct UsageWindow {
  std::int64_t start = 0;  // unix seconds, inclusive
  std::int64_t end = 0;    // unix seconds, exclusive: when the quota resets
  std::string id;          // names the window in keys: h2026112205, d20261122, w2026W47, m202611
};

UsageWindow window_at(Period period, std::int64_t unix_seconds);

std::string_view period_name(Period period);

}  // namespace tgkeep::hot
