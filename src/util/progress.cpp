#include "util/progress.hpp"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

namespace tgkeep {
namespace {

constexpr int kBarWidth = 24;
// A terminal redraw more often than this is wasted work.
constexpr auto kTerminalEvery = std::chrono::milliseconds(100);

std::string duration_text(double seconds) {
  const auto s = static_cast<std::int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

bool is_terminal(std::FILE* file) {
  return ::isatty(::fileno(file)) == 1;
}

Progress::Progress(std::string what, std::string unit, std::FILE* out, bool terminal,
                   std::chrono::milliseconds plain_every, Clock clock)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      out_(out),
      terminal_(terminal),
      plain_every_(plain_every),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      started_(clock_()),
      last_print_(started_) {}

std::string Progress::line(std::uint64_t done, std::uint64_t total,
                           std::chrono::steady_clock::duration elapsed, bool terminal) const {
  total = std::max(total, done);
  const double seconds = std::chrono::duration<double>(elapsed).count();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  const double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  std::string eta = "?";
  if (done >= total) {
    eta = "0:00";
  } else if (rate > 0) {
    eta = duration_text(static_cast<double>(total - done) / rate);
  }
  std::string out;
  if (terminal) {
    const int filled = static_cast<int>(fraction * kBarWidth);
    out = fmt::format("{} [{}{}] ", what_, std::string(filled, '#'),
                      std::string(kBarWidth - filled, '.'));
  } else {
    out = what_ + ": ";
  }
  out += fmt::format("{}/{} {} ({:.0f}%), {:.0f} {}/s, {} elapsed, ETA {}", done, total, unit_,
                     fraction * 100.0, rate, unit_, duration_text(seconds), eta);
  return out;
}

void Progress::update(std::uint64_t done, std::uint64_t total) {
  const auto now = clock_();
  const auto every = terminal_ ? std::chrono::milliseconds(kTerminalEvery) : plain_every_;
  if (printed_ && now - last_print_ < every) return;
  if (!printed_ && !terminal_ && now - started_ < plain_every_) return;
  last_print_ = now;
  printed_ = true;
  const std::string text = line(done, total, now - started_, terminal_);
  if (terminal_) {
    fmt::print(out_, "\r{}\x1b[K", text);
  } else {
    fmt::print(out_, "{}\n", text);
  }
  std::fflush(out_);
}

void Progress::finish(std::uint64_t done, std::uint64_t total) {
  const std::string text = line(done, total, clock_() - started_, terminal_);
  if (terminal_) {
    fmt::print(out_, "\r{}\x1b[K\n", text);
  } else {
    fmt::print(out_, "{}\n", text);
  }
  std::fflush(out_);
}

}  // namespace tgkeep
