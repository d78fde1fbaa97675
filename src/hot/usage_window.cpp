#include "hot/usage_window.hpp"

#include <charconv>
#include <chrono>

#include <fmt/format.h>

namespace tgkeep::hot {
namespace {

using namespace std::chrono;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::int64_t unix_of(sys_days day) {
  return duration_cast<seconds>(day.time_since_epoch()).count();
}

bool parse_period(std::string_view text, Period& out) {
  if (text == "hour")
    out = Period::hour;
  else if (text == "day")
    out = Period::day;
  else if (text == "week")
    out = Period::week;
  else if (text == "month")
    out = Period::month;
  else
    return false;
  return true;
}

}  // namespace

std::string_view period_name(Period period) {
  switch (period) {
    case Period::hour:
      return "hour";
    case Period::day:
      return "day";
    case Period::week:
      return "week";
    case Period::month:
      return "month";
  }
  return "day";
}

Result<std::vector<Tariff>> parse_tariffs(std::string_view text, std::string_view what) {
  std::vector<Tariff> tariffs;
  auto fail = [&](std::string_view item, std::string_view why) {
    return Error::fatal(fmt::format(
        "{}: \"{}\" {}; write NAME=LIMIT/PERIOD, e.g. free=30/day,pro=1000/day (periods: hour, "
        "day, week, month)",
        what, item, why));
  };
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    const auto slash = item.find('/', eq == std::string_view::npos ? 0 : eq);
    if (eq == std::string_view::npos || slash == std::string_view::npos) {
      return fail(item, "is not a tariff");
    }
    Tariff tariff;
    tariff.name = std::string(trim(item.substr(0, eq)));
    if (tariff.name.empty()) return fail(item, "has no name");
    const auto limit = trim(item.substr(eq + 1, slash - eq - 1));
    auto [end, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), tariff.limit);
    if (ec != std::errc{} || end != limit.data() + limit.size() || tariff.limit < 0) {
      return fail(item, "has no whole, non-negative limit");
    }
    if (!parse_period(trim(item.substr(slash + 1)), tariff.period)) {
      return fail(item, "has an unknown period");
    }
    for (const auto& known : tariffs) {
      if (known.name == tariff.name) return fail(item, "names a tariff twice");
    }
    tariffs.push_back(std::move(tariff));
  }
  if (tariffs.empty()) return Error::fatal(fmt::format("{} names no tariff", what));
  return tariffs;
}

UsageWindow window_at(Period period, std::int64_t unix_seconds) {
  const sys_seconds moment{seconds(unix_seconds)};
  const sys_days day = floor<days>(moment);
  const year_month_day ymd{day};
  const int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month());
  const unsigned d = static_cast<unsigned>(ymd.day());
  UsageWindow w;
  switch (period) {
    case Period::hour: {
      const auto hour = floor<hours>(moment);
      w.start = duration_cast<seconds>(hour.time_since_epoch()).count();
      w.end = w.start + 3600;
      const auto h = duration_cast<hours>(hour - day).count();
      w.id = fmt::format("h{:04}{:02}{:02}{:02}", y, m, d, h);
      break;
    }
    case Period::day:
      w.start = unix_of(day);
      w.end = w.start + 86400;
      w.id = fmt::format("d{:04}{:02}{:02}", y, m, d);
      break;
    case Period::week: {
      const auto monday = day - (weekday(day) - Monday);
      const auto thursday = monday + days(3);  // ISO 8601: a week belongs to its Thursday's year
      const int iso_year = static_cast<int>(year_month_day(thursday).year());
      const auto first_thursday_year_start = sys_days(year(iso_year) / January / 1);
      const auto week = (thursday - first_thursday_year_start).count() / 7 + 1;
      w.start = unix_of(monday);
      w.end = w.start + 7 * 86400;
      w.id = fmt::format("w{:04}W{:02}", iso_year, week);
      break;
    }
    case Period::month: {
      const sys_days first = ymd.year() / ymd.month() / 1;
      const sys_days next = sys_days((ymd.year() / ymd.month() + months(1)) / 1);
      w.start = unix_of(first);
      w.end = unix_of(next);
      w.id = fmt::format("m{:04}{:02}", y, m);
      break;
    }
  }
  return w;
}

}  // namespace tgkeep::hot
