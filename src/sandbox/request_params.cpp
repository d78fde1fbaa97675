#include "sandbox/request_params.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>

namespace tgkeep::sandbox {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of `name=` inside a header such as `form-data; name="x"; filename="y"`.
std::string_view header_attribute(std::string_view header, std::string_view name) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t semi = header.find(';', pos);
    if (semi == std::string_view::npos) semi = header.size();
    std::string_view item = trim(header.substr(pos, semi - pos));
    pos = semi + 1;
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos || !iequals(trim(item.substr(0, eq)), name)) continue;
    std::string_view value = trim(item.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return {};
}

}  // namespace

void RequestParams::set(std::string name, std::string value) {
  for (auto& item : items_) {
    if (item.first == name) {
      item.second = std::move(value);
      return;
    }
  }
  items_.emplace_back(std::move(name), std::move(value));
}

const std::string* RequestParams::find(std::string_view name) const {
  for (const auto& item : items_) {
    if (item.first == name) return &item.second;
  }
  return nullptr;
}

std::string_view RequestParams::get(std::string_view name) const {
  const std::string* value = find(name);
  return value ? std::string_view(*value) : std::string_view();
}

std::int64_t RequestParams::get_int(std::string_view name, std::int64_t fallback) const {
  std::string_view text = trim(get(name));
  if (text.empty()) return fallback;
  if (text.front() == '+') text.remove_prefix(1);
  std::int64_t value = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  if (r.ec != std::errc()) return fallback;
  return value;
}

bool RequestParams::get_bool(std::string_view name) const {
  const std::string_view text = trim(get(name));
  return text == "1" || iequals(text, "true");
}

std::optional<std::int64_t> parse_int64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t value = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), value);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

void parse_urlencoded(std::string_view text, RequestParams& params) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    const std::string_view pair = text.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      params.set(url_decode(pair), std::string());
    } else {
      params.set(url_decode(pair.substr(0, eq)), url_decode(pair.substr(eq + 1)));
    }
  }
}

Status parse_json_body(std::string_view body, RequestParams& params) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(body.data(), body.size()).get(root); error) {
    return Error::invalid(std::string("can't parse JSON body: ") + simdjson::error_message(error));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) return Error::invalid("JSON body must be an object");
  for (auto field : object) {
    std::string name(field.key);
    std::string_view text;
    if (field.value.get_string().get(text) == simdjson::SUCCESS) {
      params.set(std::move(name), std::string(text));
    } else if (field.value.is_null()) {
      // Telegram ignores null members.
    } else {
      params.set(std::move(name), simdjson::minify(field.value));
    }
  }
  return Status::success();
}

Status parse_multipart_body(std::string_view body, std::string_view content_type,
                            RequestParams& params) {
  const std::string_view boundary = header_attribute(content_type, "boundary");
  if (boundary.empty()) return Error::invalid("multipart body without a boundary");
  const std::string delimiter = "--" + std::string(boundary);
  std::size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return Error::invalid("multipart boundary not found");
  for (;;) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return Status::success();  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return Error::invalid("malformed multipart delimiter");
    pos += 2;
    const std::size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return Error::invalid("malformed multipart part");
    const std::string_view headers = body.substr(pos, headers_end - pos);
    const std::size_t content_start = headers_end + 4;
    const std::size_t next = body.find("\r\n" + delimiter, content_start);
    if (next == std::string_view::npos) return Error::invalid("unterminated multipart part");
    std::string_view name;
    std::size_t line_start = 0;
    while (line_start <= headers.size()) {
      std::size_t line_end = headers.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = headers.size();
      const std::string_view line = headers.substr(line_start, line_end - line_start);
      line_start = line_end + 2;
      const std::size_t colon = line.find(':');
      if (colon != std::string_view::npos &&
          iequals(trim(line.substr(0, colon)), "content-disposition")) {
        name = header_attribute(line.substr(colon + 1), "name");
      }
    }
    if (!name.empty()) {
      params.set(std::string(name), std::string(body.substr(content_start, next - content_start)));
    }
    pos = next + 2;
  }
}

Status parse_request_params(std::string_view query, std::string_view content_type,
                            std::string_view body, RequestParams& params) {
  parse_urlencoded(query, params);
  const std::string_view type = trim(content_type.substr(0, content_type.find(';')));
  if (trim(body).empty()) return Status::success();
  if (iequals(type, "application/json")) return parse_json_body(body, params);
  if (iequals(type, "multipart/form-data")) {
    return parse_multipart_body(body, content_type, params);
  }
  // Telegram reads an unlabelled body as a form, as do we.
  parse_urlencoded(body, params);
  return Status::success();
}

}  // namespace tgkeep::sandbox
