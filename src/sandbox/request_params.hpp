// RequestParams: the arguments of one Bot API call, as Telegram's server sees them.
//
// Telegram accepts the same parameters from the query string, an
// application/x-www-form-urlencoded body, a multipart/form-data body or an application/json
// body, and treats them all as strings: in a JSON body a string member is its unescaped
// value and any other member (number, bool, object, array) is its JSON text. So `reply_markup`
// is always JSON text, whichever way it came. Later sources override earlier ones (the body
// overrides the query string).
//
// Parsing is pure (bytes in, values out) and never throws for bad input: it returns an Error
// whose message is fit for a 400 description. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.hpp"

namespace tgkeep::sandbox {

class RequestParams {
 public:
  void set(std::string name, std::string value);

  bool has(std::string_view name) const { return find(name) != nullptr; }
  // The value, or an empty view when absent.
  std::string_view get(std::string_view name) const;
  const std::string* find(std::string_view name) const;

  // Telegram's lenient integer reading: absent or unparsable gives `fallback`.
  std::int64_t get_int(std::string_view name, std::int64_t fallback = 0) const;
  // "true" (any case) or "1".
  bool get_bool(std::string_view name) const;

  std::size_t size() const { return items_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// Decodes %XX and '+' (as space) of a query string or form component.
std::string url_decode(std::string_view s);

// Adds `a=1&b=2` pairs (query string or form body) to `params`.
void parse_urlencoded(std::string_view text, RequestParams& params);

// Adds the members of a JSON object body to `params`.
Status parse_json_body(std::string_view body, RequestParams& params);

// Adds the text parts of a multipart/form-data body; file parts are kept as their bytes.
Status parse_multipart_body(std::string_view body, std::string_view content_type,
                            RequestParams& params);

// Fills `params` from the query string and the body, choosing the body parser by
// content type (parameters such as "; charset=utf-8" are ignored). An empty body is fine.
Status parse_request_params(std::string_view query, std::string_view content_type,
                            std::string_view body, RequestParams& params);

// Strict integer parsing (optional sign, digits, nothing else).
std::optional<std::int64_t> parse_int64(std::string_view s);

}  // namespace tgkeep::sandbox
