// ApiReply: one HTTP answer of the emulator (status, body, content type), and builders for
// the Bot API envelope exactly as Telegram writes it:
//   {"ok":true,"result":...[,"description":"..."]}
//   {"ok":false,"error_code":N,"description":"..."[,"parameters":{"retry_after":N}]}
// The HTTP status always equals error_code. Pure values; thread-compatible.
#pragma once

#include <string>
#include <string_view>

namespace tgkeep::sandbox {

struct ApiReply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
};

ApiReply ok_reply(std::string_view result_json, std::string_view description = {});
ApiReply error_reply(unsigned code, std::string_view description);
// 429 "Too Many Requests: retry after N" with parameters.retry_after.
ApiReply retry_after_reply(int seconds);
// The standard description Telegram uses for a bare status (401 "Unauthorized", ...).
std::string_view default_description(unsigned code);
// An nginx-style HTML error page, as api.telegram.org's front serves for 502/503/504.
ApiReply html_error_reply(unsigned code);

}  // namespace tgkeep::sandbox
