// Reply: one RESP2 reply of a Redis server as a plain value (nil, integer, bulk string, status,
// error, or an array of replies, nested), plus its RESP encoding and a one-line description.
//
// A nil bulk string ($-1) and a nil array (*-1) are both `nil`. Strings are binary-safe.
// An error reply is a value here; what it means is decided by classify_error_reply()
// (error.hpp), the one place that reads error texts.
//
// Thread-safety: a value type. Ownership: a reply owns its text and its elements.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "redis/error.hpp"

namespace tgkeep::redis {

enum class ReplyType { nil, integer, string, status, error, array };

std::string_view reply_type_name(ReplyType type);

struct Reply {
  ReplyType type = ReplyType::nil;
  std::int64_t integer = 0;     // integer
  std::string text;             // string, status, error
  std::vector<Reply> elements;  // array

  static Reply nil() { return Reply{}; }
  static Reply of_integer(std::int64_t value);
  static Reply of_string(std::string value);
  static Reply of_status(std::string value);
  static Reply of_error(std::string value);
  static Reply of_array(std::vector<Reply> elements);

  bool is_nil() const { return type == ReplyType::nil; }
  bool is_error() const { return type == ReplyType::error; }
  bool is_string() const { return type == ReplyType::string; }
  bool is_integer() const { return type == ReplyType::integer; }
  bool is_array() const { return type == ReplyType::array; }
  // A status reply with exactly this text ("OK", "PONG", ...).
  bool is_status(std::string_view expected) const {
    return type == ReplyType::status && text == expected;
  }

  friend bool operator==(const Reply&, const Reply&) = default;
};

// The reply as a server sends it. Status and error texts must not contain "\r\n" (no parsed reply
// does); bulk strings may contain anything.
std::string encode_reply(const Reply& reply);

// One line for logs and test output: strings quoted and escaped, long ones cut, nesting shown.
std::string describe(const Reply& reply);

// The value of `field` in a flat map reply ([k1, v1, k2, v2, ...]: XINFO's answers, a stream
// entry's fields), or null.
const Reply* map_value(const Reply& map, std::string_view field);

// The error for a reply of the wrong shape: "Redis answered <reply> to <what>".
RedisError unexpected_reply(const Reply& reply, std::string_view what);
std::ostream& operator<<(std::ostream& out, const Reply& reply);

}  // namespace tgkeep::redis
