// Dependency: what the bot knows of one thing it writes to (Redis, PostgreSQL, the local spool's
// disk): up or down, since when, why, and when to try it again.
//
// Callers report every outcome (succeeded / failed). The state changes on the first failure and on
// the first success after it; each change is one log line and one count in the metrics (never a
// line per failed write). While a dependency is down, callers skip it and go on to the next tier;
// probe_due() says when one call may try it again, with exponential backoff and jitter between
// probes, so an outage costs neither a timeout per record nor a hammered server.
//
// Thread-safety: the event loop thread only (the metrics text reads a snapshot taken there).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/backoff.hpp"

namespace tgkeep::health {

using Clock = std::chrono::steady_clock;

class Dependency {
 public:
  // `name`: "redis", "postgres", "spool" (metrics label, log prefix). `down_means`: what the bot
  // does meanwhile, for the log line ("records go to the spool", ...).
  Dependency(std::string name, std::string down_means,
             BackoffPolicy probes = {std::chrono::milliseconds(100),
                                     std::chrono::milliseconds(2000), 2.0});

  void succeeded(Clock::time_point now = Clock::now());
  void failed(std::string_view why, Clock::time_point now = Clock::now());
  // The same, when another component has logged the failure already (the Redis client logs its
  // connections): counted and probed alike, but neither this change nor the recovery is logged.
  void failed_quietly(std::string_view why, Clock::time_point now = Clock::now());

  bool up() const { return up_; }
  // Down, and the time for one more try has come (the next one is scheduled by failed()).
  bool probe_due(Clock::time_point now = Clock::now()) const { return !up_ && now >= next_probe_; }
  // Up, or down with a probe due: worth one try now.
  bool worth_trying(Clock::time_point now = Clock::now()) const { return up_ || probe_due(now); }

  const std::string& name() const { return name_; }
  const std::string& last_error() const { return last_error_; }
  Clock::time_point since() const { return since_; }
  std::uint64_t went_down() const { return went_down_; }
  std::uint64_t came_up() const { return came_up_; }

 private:
  std::string name_;
  std::string down_means_;
  Backoff probes_;
  bool up_ = true;
  bool announced_ = false;  // the current outage was logged here
  Clock::time_point since_ = Clock::now();
  Clock::time_point next_probe_{};
  std::string last_error_;
  std::uint64_t went_down_ = 0;
  std::uint64_t came_up_ = 0;
};

}  // namespace tgkeep::health
