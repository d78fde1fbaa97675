// FaultPlan: injected failures for the next calls of a Bot API method.
//
// A rule says: the next `count` calls of `method` ("*" = any method) answer `status` (429 with
// parameters.retry_after, 5xx, 401, 409, ...) and/or are held `stall` before being answered
// (normally, when there is no status). Rules are consumed in the order they were added; the
// first rule that matches a call takes one use. Pure data; not thread-safe; owned by BotState.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/api_reply.hpp"

namespace tgkeep::sandbox {

struct FaultRule {
  std::string method = "*";  // compared case-insensitively
  unsigned status = 0;       // 0: no error, only the stall
  int retry_after = 1;       // for 429
  std::string description;   // empty: Telegram's usual text for the status
  bool html = false;         // answer with an nginx HTML page instead of JSON
  std::chrono::milliseconds stall{0};
  std::int64_t count = 1;

  // The error reply of this rule (status must be non-zero).
  ApiReply reply() const;
};

class FaultPlan {
 public:
  void add(FaultRule rule) { rules_.push_back(std::move(rule)); }
  void clear() { rules_.clear(); }
  // Takes one use of the first rule matching `method`.
  std::optional<FaultRule> take(std::string_view method);
  std::size_t active() const { return rules_.size(); }

 private:
  std::vector<FaultRule> rules_;
};

}  // namespace tgkeep::sandbox
