// Test-only helper: parse a reply body and read values by JSON pointer ("/result/0/update_id").
// Throws (simdjson_error) on malformed JSON or a missing path, which fails the test.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace tgkeep::sandbox::testing {

class TestJson {
 public:
  explicit TestJson(std::string_view text) : text_(text) {
    root_ = parser_.parse(text_.data(), text_.size()).value();
  }
  simdjson::dom::element at(std::string_view pointer) { return root_.at_pointer(pointer).value(); }
  bool has(std::string_view pointer) { return !root_.at_pointer(pointer).error(); }
  std::int64_t integer(std::string_view pointer) { return at(pointer).get_int64().value(); }
  std::string string(std::string_view pointer) {
    return std::string(at(pointer).get_string().value());
  }
  bool boolean(std::string_view pointer) { return at(pointer).get_bool().value(); }
  std::size_t size(std::string_view pointer) { return at(pointer).get_array().size(); }

 private:
  std::string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

}  // namespace tgkeep::sandbox::testing
