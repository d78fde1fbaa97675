#include "sandbox/text_markup.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sandbox/json_text.hpp"
#include "sandbox/text_markup_parsers.hpp"

namespace tgkeep::sandbox {
namespace markup {

Error parse_error(std::string message) {
  return Error::invalid("can't parse entities: " + std::move(message));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<FormattedText> finish(std::string text, std::vector<Entity> entities) {
  std::erase_if(entities, [](const Entity& e) { return e.end <= e.begin; });
  std::stable_sort(entities.begin(), entities.end(), [](const Entity& a, const Entity& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  FormattedText result;
  if (!entities.empty()) {
    result.entities_json = "[";
    for (const Entity& e : entities) {
      if (result.entities_json.size() > 1) result.entities_json += ',';
      const std::size_t offset = utf16_length(std::string_view(text).substr(0, e.begin));
      const std::size_t length =
          utf16_length(std::string_view(text).substr(e.begin, e.end - e.begin));
      result.entities_json += fmt::format("{{\"offset\":{},\"length\":{},\"type\":\"{}\"{}}}",
                                          offset, length, e.type, e.extra);
    }
    result.entities_json += ']';
  }
  result.text = std::move(text);
  return result;
}

}  // namespace markup

Result<FormattedText> apply_parse_mode(std::string_view text, std::string_view parse_mode) {
  const std::string mode = markup::lower(parse_mode);
  if (mode.empty()) return FormattedText{std::string(text), {}};
  if (mode == "html") return markup::parse_html(text);
  if (mode == "markdownv2") return markup::parse_markdown_v2(text);
  if (mode == "markdown") return markup::parse_markdown_legacy(text);
  return Error::invalid("unsupported parse_mode");
}

}  // namespace tgkeep::sandbox
