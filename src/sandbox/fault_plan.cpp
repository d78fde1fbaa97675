#include "sandbox/fault_plan.hpp"

#include <algorithm>

namespace tgkeep::sandbox {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

}  // namespace

ApiReply FaultRule::reply() const {
  if (html) return html_error_reply(status);
  if (status == 429 && description.empty()) return retry_after_reply(retry_after);
  ApiReply r = error_reply(
      status, description.empty() ? default_description(status) : std::string_view(description));
  if (status == 429) {
    // Keep parameters.retry_after with a custom description.
    r.body.pop_back();
    r.body += ",\"parameters\":{\"retry_after\":" + std::to_string(retry_after) + "}}";
  }
  return r;
}

std::optional<FaultRule> FaultPlan::take(std::string_view method) {
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (it->method != "*" && !iequals(it->method, method)) continue;
    FaultRule taken = *it;
    if (--it->count <= 0) rules_.erase(it);
    return taken;
  }
  return std::nullopt;
}

}  // namespace tgkeep::sandbox
