#include "sandbox/json_fields.hpp"

namespace tgkeep::sandbox {

using simdjson::dom::element;
using simdjson::dom::object;

std::optional<std::int64_t> FieldReader::integer(const char* key) {
  element e;
  if (obj[key].get(e) || e.is_null()) return std::nullopt;
  std::int64_t v = 0;
  if (e.get_int64().get(v)) {
    double d = 0;
    if (e.get_double().get(d) || d != static_cast<double>(static_cast<std::int64_t>(d))) {
      fail(key, "an integer");
      return std::nullopt;
    }
    v = static_cast<std::int64_t>(d);
  }
  return v;
}

std::optional<double> FieldReader::number(const char* key) {
  element e;
  if (obj[key].get(e) || e.is_null()) return std::nullopt;
  double v = 0;
  if (e.get_double().get(v)) fail(key, "a number");
  return v;
}

std::optional<std::string> FieldReader::string(const char* key) {
  element e;
  if (obj[key].get(e) || e.is_null()) return std::nullopt;
  std::string_view v;
  if (e.get_string().get(v)) {
    fail(key, "a string");
    return std::nullopt;
  }
  return std::string(v);
}

std::optional<bool> FieldReader::boolean(const char* key) {
  element e;
  if (obj[key].get(e) || e.is_null()) return std::nullopt;
  bool v = false;
  if (e.get_bool().get(v)) fail(key, "a boolean");
  return v;
}

std::optional<std::vector<std::int64_t>> FieldReader::integers(const char* key) {
  element e;
  if (obj[key].get(e) || e.is_null()) return std::nullopt;
  simdjson::dom::array array;
  if (e.get_array().get(array)) {
    fail(key, "an array of integers");
    return std::nullopt;
  }
  std::vector<std::int64_t> out;
  for (element item : array) {
    std::int64_t v = 0;
    if (item.get_int64().get(v)) {
      fail(key, "an array of integers");
      return std::nullopt;
    }
    out.push_back(v);
  }
  return out;
}

void FieldReader::fail(const char* key, const char* what) {
  if (error.empty()) error = std::string("field \"") + key + "\" must be " + what;
}

ApiReply bad_request_reply(std::string_view description) {
  return error_reply(400, std::string("Bad Request: ").append(description));
}

ApiReply for_each_object(std::string_view body, const std::function<ApiReply(object)>& each,
                         std::size_t* count) {
  simdjson::dom::parser parser;
  element root;
  if (auto error = parser.parse(body.data(), body.size()).get(root); error) {
    return bad_request_reply(std::string("invalid JSON: ") + simdjson::error_message(error));
  }
  std::vector<element> items;
  simdjson::dom::array array;
  if (!root.get_array().get(array)) {
    for (element item : array) items.push_back(item);
  } else {
    items.push_back(root);
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    object obj;
    if (items[i].get_object().get(obj)) {
      return bad_request_reply("item " + std::to_string(i) + " is not a JSON object");
    }
    ApiReply r = each(obj);
    if (r.status != 200) return r;
  }
  *count = items.size();
  return ok_reply("true");
}

}  // namespace tgkeep::sandbox
