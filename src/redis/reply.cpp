#include "redis/reply.hpp"

#include <ostream>

#include <fmt/format.h>

namespace tgkeep::redis {
namespace {

constexpr std::size_t kDescribeTextLimit = 200;
constexpr std::size_t kDescribeElementLimit = 20;

void encode_into(std::string& out, const Reply& reply) {
  switch (reply.type) {
    case ReplyType::nil:
      out += "$-1\r\n";
      return;
    case ReplyType::integer:
      fmt::format_to(std::back_inserter(out), ":{}\r\n", reply.integer);
      return;
    case ReplyType::string:
      fmt::format_to(std::back_inserter(out), "${}\r\n", reply.text.size());
      out += reply.text;
      out += "\r\n";
      return;
    case ReplyType::status:
    case ReplyType::error:
      out += reply.type == ReplyType::status ? '+' : '-';
      out += reply.text;
      out += "\r\n";
      return;
    case ReplyType::array:
      fmt::format_to(std::back_inserter(out), "*{}\r\n", reply.elements.size());
      for (const auto& element : reply.elements) encode_into(out, element);
      return;
  }
}

void quote_into(std::string& out, std::string_view text) {
  out += '"';
  const std::size_t shown = std::min(text.size(), kDescribeTextLimit);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      fmt::format_to(std::back_inserter(out), "\\x{:02x}", c);
    }
  }
  out += '"';
  if (shown < text.size()) fmt::format_to(std::back_inserter(out), "...({} bytes)", text.size());
}

void describe_into(std::string& out, const Reply& reply) {
  switch (reply.type) {
    case ReplyType::nil:
      out += "nil";
      return;
    case ReplyType::integer:
      fmt::format_to(std::back_inserter(out), "{}", reply.integer);
      return;
    case ReplyType::string:
      quote_into(out, reply.text);
      return;
    case ReplyType::status:
    case ReplyType::error:
      out += reply.type == ReplyType::status ? "status " : "error ";
      quote_into(out, reply.text);
      return;
    case ReplyType::array: {
      out += '[';
      const std::size_t shown = std::min(reply.elements.size(), kDescribeElementLimit);
      for (std::size_t i = 0; i < shown; ++i) {
        if (i > 0) out += ", ";
        describe_into(out, reply.elements[i]);
      }
      if (shown < reply.elements.size()) {
        fmt::format_to(std::back_inserter(out), ", ...({} elements)", reply.elements.size());
      }
      out += ']';
      return;
    }
  }
}

}  // namespace

std::string_view reply_type_name(ReplyType type) {
  switch (type) {
    case ReplyType::nil:
      return "nil";
    case ReplyType::integer:
      return "integer";
    case ReplyType::string:
      return "string";
    case ReplyType::status:
      return "status";
    case ReplyType::error:
      return "error";
    case ReplyType::array:
      return "array";
  }
  return "unknown";
}

Reply Reply::of_integer(std::int64_t value) {
  Reply r;
  r.type = ReplyType::integer;
  r.integer = value;
  return r;
}

Reply Reply::of_string(std::string value) {
  Reply r;
  r.type = ReplyType::string;
  r.text = std::move(value);
  return r;
}

Reply Reply::of_status(std::string value) {
  Reply r;
  r.type = ReplyType::status;
  r.text = std::move(value);
  return r;
}

Reply Reply::of_error(std::string value) {
  Reply r;
  r.type = ReplyType::error;
  r.text = std::move(value);
  return r;
}

Reply Reply::of_array(std::vector<Reply> elements) {
  Reply r;
  r.type = ReplyType::array;
  r.elements = std::move(elements);
  return r;
}

std::string encode_reply(const Reply& reply) {
  std::string out;
  encode_into(out, reply);
  return out;
}

const Reply* map_value(const Reply& map, std::string_view field) {
  for (std::size_t i = 0; i + 1 < map.elements.size(); i += 2) {
    if (map.elements[i].text == field) return &map.elements[i + 1];
  }
  return nullptr;
}

RedisError unexpected_reply(const Reply& reply, std::string_view what) {
  return make_error(ErrorCode::protocol,
                    "Redis answered " + describe(reply) + " to " + std::string(what));
}

std::string describe(const Reply& reply) {
  std::string out;
  describe_into(out, reply);
  return out;
}

std::ostream& operator<<(std::ostream& out, const Reply& reply) {
  return out << describe(reply);
}

}  // namespace tgkeep::redis
