// Progress of a long command (`tgkeep sync --once`, `tgkeep import-sqlite`): on a terminal, one
// line redrawn in place ("\r") with a bar, done/total, rate and ETA; elsewhere (CI logs, pipes)
// a plain line at most every `plain_every`, plus one at the end. The total may grow while work
// goes on (a backlog that still receives entries).
//
// Thread-safety: none; one reporter per command. The clock is injected for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace tgkeep {

class Progress {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `what` names the work ("synced", "imported"); `unit` the items ("entries", "rows").
  Progress(std::string what, std::string unit, std::FILE* out, bool terminal,
           std::chrono::milliseconds plain_every = std::chrono::seconds(1), Clock clock = {});

  // Reports `done` of `total`; prints when due.
  void update(std::uint64_t done, std::uint64_t total);
  // The final line (always printed).
  void finish(std::uint64_t done, std::uint64_t total);

  // The text of one report; exposed for tests. `elapsed` since construction.
  std::string line(std::uint64_t done, std::uint64_t total,
                   std::chrono::steady_clock::duration elapsed, bool terminal) const;

 private:
  std::string what_;
  std::string unit_;
  std::FILE* out_;
  bool terminal_;
  std::chrono::milliseconds plain_every_;
  Clock clock_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_print_;
  bool printed_ = false;
};

// True when `file` is a terminal.
bool is_terminal(std::FILE* file);

}  // namespace tgkeep
