#include "sandbox/api_reply.hpp"

#include <fmt/format.h>

#include "sandbox/json_text.hpp"

namespace tgkeep::sandbox {

ApiReply ok_reply(std::string_view result_json, std::string_view description) {
  ApiReply reply;
  reply.body.reserve(result_json.size() + 32);
  reply.body += "{\"ok\":true,\"result\":";
  reply.body += result_json;
  if (!description.empty()) append_member(reply.body, "description", description);
  reply.body += '}';
  return reply;
}

ApiReply error_reply(unsigned code, std::string_view description) {
  ApiReply reply;
  reply.status = code;
  reply.body = "{\"ok\":false";
  append_member(reply.body, "error_code", code);
  append_member(reply.body, "description", description);
  reply.body += '}';
  return reply;
}

ApiReply retry_after_reply(int seconds) {
  ApiReply reply;
  reply.status = 429;
  reply.body = fmt::format(
      "{{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after {0}\","
      "\"parameters\":{{\"retry_after\":{0}}}}}",
      seconds);
  return reply;
}

std::string_view default_description(unsigned code) {
  switch (code) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden: bot was blocked by the user";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict: terminated by other getUpdates request; make sure that only one bot "
             "instance is running";
    case 413:
      return "Request Entity Too Large";
    case 429:
      return "Too Many Requests: retry after 1";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Error";
  }
}

ApiReply html_error_reply(unsigned code) {
  ApiReply reply;
  reply.status = code;
  reply.content_type = "text/html";
  const std::string title = fmt::format("{} {}", code, default_description(code));
  reply.body = fmt::format(
      "<html>\r\n<head><title>{0}</title></head>\r\n<body>\r\n<center><h1>{0}</h1></center>\r\n"
      "<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n",
      title);
  return reply;
}

}  // namespace tgkeep::sandbox
