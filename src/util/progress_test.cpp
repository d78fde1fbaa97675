// Progress lines: rate and ETA from an injected clock; plain lines are paced, terminal ones
// redrawn in place.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "util/progress.hpp"

namespace tgkeep {
namespace {

using namespace std::chrono_literals;

TEST(Progress, PlainLineHasRateAndEta) {
  Progress progress("synced", "entries", stdout, false);
  EXPECT_EQ(progress.line(500, 2000, 5s, false),
            "synced: 500/2000 entries (25%), 100 entries/s, 0:05 elapsed, ETA 0:15");
  EXPECT_EQ(progress.line(2000, 2000, 10s, false),
            "synced: 2000/2000 entries (100%), 200 entries/s, 0:10 elapsed, ETA 0:00");
  // A total that grew past what was known counts as done.
  EXPECT_EQ(progress.line(10, 5, 0s, false),
            "synced: 10/10 entries (100%), 0 entries/s, 0:00 elapsed, ETA 0:00");
  EXPECT_EQ(progress.line(0, 10, 0s, false),
            "synced: 0/10 entries (0%), 0 entries/s, 0:00 elapsed, ETA ?");
  EXPECT_TRUE(progress.line(1, 7201, 1s, false).ends_with("ETA 2h00m"));
}

TEST(Progress, TerminalLineHasABar) {
  Progress progress("imported", "rows", stdout, true);
  EXPECT_EQ(progress.line(50, 100, 1s, true),
            "imported [############............] 50/100 rows (50%), 50 rows/s, 0:01 elapsed, "
            "ETA 0:01");
}

TEST(Progress, PlainLinesArePaced) {
  auto now = std::chrono::steady_clock::time_point{};
  char* buffer = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  {
    Progress progress("synced", "entries", out, false, 1s, [&] { return now; });
    progress.update(1, 10);  // too early
    now += 1500ms;
    progress.update(2, 10);  // printed
    now += 500ms;
    progress.update(3, 10);  // paced away
    now += 600ms;
    progress.update(4, 10);  // printed
    progress.finish(10, 10);
  }
  std::fclose(out);
  const std::string text(buffer, size);
  std::free(buffer);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;
  EXPECT_NE(text.find("2/10"), std::string::npos);
  EXPECT_EQ(text.find("3/10"), std::string::npos);
  EXPECT_NE(text.find("10/10"), std::string::npos);
}

}  // namespace
}  // namespace tgkeep
