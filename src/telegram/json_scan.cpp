#include "telegram/json_scan.hpp"

#include <cstddef>

namespace tgkeep::telegram::detail {
namespace {

constexpr std::size_t kFail = std::string_view::npos;

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

// s[i] is '"'. Returns the index after the closing quote.
std::size_t skip_string(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"') return i + 1;
    if (c == '\\') {
      ++i;  // the escaped character, whatever it is; the caller's parser checks it
    } else if (c < 0x20) {
      return kFail;
    }
  }
  return kFail;
}

bool ends_scalar(char c) {
  return is_space(c) || c == ',' || c == ']' || c == '}' || c == ':' || c == '"' || c == '[' ||
         c == '{';
}

// Returns the index after the value starting at s[i].
std::size_t skip_value(std::string_view s, std::size_t i) {
  if (i >= s.size()) return kFail;
  const char first = s[i];
  if (first == '"') return skip_string(s, i);
  if (first == '{' || first == '[') {
    std::size_t depth = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '"') {
        i = skip_string(s, i);
        if (i == kFail) return kFail;
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return kFail;
  }
  std::size_t end = i;
  while (end < s.size() && !ends_scalar(s[end])) ++end;
  return end == i ? kFail : end;
}

// Shared walk over `open member (, member)* close`. `member` parses one member at s[i] and
// returns the index after it.
template <class Member>
bool split(std::string_view s, char open, char close, Member&& member) {
  std::size_t i = skip_space(s, 0);
  if (i >= s.size() || s[i] != open) return false;
  i = skip_space(s, i + 1);
  if (i < s.size() && s[i] == close) return skip_space(s, i + 1) == s.size();
  while (true) {
    i = member(i);
    if (i == kFail) return false;
    i = skip_space(s, i);
    if (i >= s.size()) return false;
    if (s[i] == close) return skip_space(s, i + 1) == s.size();
    if (s[i] != ',') return false;
    i = skip_space(s, i + 1);
  }
}

}  // namespace

bool split_object(std::string_view json, std::vector<RawMember>& members) {
  members.clear();
  return split(json, '{', '}', [&](std::size_t i) -> std::size_t {
    if (i >= json.size() || json[i] != '"') return kFail;
    const std::size_t key_end = skip_string(json, i);
    if (key_end == kFail) return kFail;
    std::size_t v = skip_space(json, key_end);
    if (v >= json.size() || json[v] != ':') return kFail;
    v = skip_space(json, v + 1);
    const std::size_t v_end = skip_value(json, v);
    if (v_end == kFail) return kFail;
    members.push_back({json.substr(i, key_end - i), json.substr(v, v_end - v)});
    return v_end;
  });
}

bool split_array(std::string_view json, std::vector<std::string_view>& elements) {
  elements.clear();
  return split(json, '[', ']', [&](std::size_t i) -> std::size_t {
    const std::size_t end = skip_value(json, i);
    if (end == kFail) return kFail;
    elements.push_back(json.substr(i, end - i));
    return end;
  });
}

std::string_view trim_json_space(std::string_view json) {
  std::size_t b = skip_space(json, 0);
  std::size_t e = json.size();
  while (e > b && is_space(json[e - 1])) --e;
  return json.substr(b, e - b);
}

}  // namespace tgkeep::telegram::detail
