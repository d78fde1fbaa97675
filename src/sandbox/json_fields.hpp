// Reading the members of the JSON objects posted to the admin and chat-page endpoints.
//
// FieldReader reads optional members of one object; a member of the wrong type records the
// first error ("field \"chat_id\" must be an integer") and reads as absent, so a handler reads
// everything, then checks `error` once. for_each_object() walks a body that is one object or an
// array of objects. Pure and thread-compatible; the objects must outlive the reader (they
// belong to the simdjson parser that produced them).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/api_reply.hpp"

namespace tgkeep::sandbox {

struct FieldReader {
  simdjson::dom::object obj;
  std::string error;

  // Integers; a float with an integral value (1e3) is accepted, as JSON writers produce them.
  std::optional<std::int64_t> integer(const char* key);
  std::optional<double> number(const char* key);
  std::optional<std::string> string(const char* key);
  std::optional<bool> boolean(const char* key);
  // An array of integers.
  std::optional<std::vector<std::int64_t>> integers(const char* key);
  // Records "field \"<key>\" must be <what>" unless an error was recorded already.
  void fail(const char* key, const char* what);
};

// 400 "Bad Request: <description>".
ApiReply bad_request_reply(std::string_view description);

// Calls `each` for every object of `body` (one object or an array of objects) and stops at the
// first reply that is not 200, which it returns. Otherwise sets *count and returns 200 `true`.
// Invalid JSON and non-objects are 400s.
ApiReply for_each_object(std::string_view body,
                         const std::function<ApiReply(simdjson::dom::object)>& each,
                         std::size_t* count);

}  // namespace tgkeep::sandbox
