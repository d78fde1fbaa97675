#include "app/copy_text.hpp"

#include <utility>

#include "util/utf8.hpp"

namespace tgkeep::app {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

void append_escaped(std::string& out, std::string_view value) {
  for (std::size_t i = 0; i < value.size();) {
    const char c = value[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const Utf8Sequence seq = utf8_sequence_at(value, i);
      if (seq.valid) {
        out.append(value.substr(i, seq.length));
      } else {
        out.append(kReplacement);
      }
      i += seq.length;
      continue;
    }
    switch (c) {
      case '\0':
        out.append(kReplacement);
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      default:
        out.push_back(c);
    }
    ++i;
  }
}

}  // namespace

void CopyText::field(std::optional<std::string_view> value) {
  if (row_started_) data_.push_back('\t');
  row_started_ = true;
  if (!value) {
    data_.append("\\N");
    return;
  }
  append_escaped(data_, *value);
}

void CopyText::end_row() {
  data_.push_back('\n');
  row_started_ = false;
}

std::string CopyText::take() {
  std::string out = std::move(data_);
  data_.clear();
  row_started_ = false;
  return out;
}

}  // namespace tgkeep::app
