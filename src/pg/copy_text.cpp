#include "pg/copy_text.hpp"

#include <utility>

#include <fmt/format.h>

#include "util/utf8.hpp"

namespace tgkeep::pg {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool plain(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '\\';
}

void append_escaped(std::string& out, std::string_view value) {
  for (std::size_t i = 0; i < value.size();) {
    // Runs of printable ASCII, the bulk of any text, are copied whole.
    std::size_t run = i;
    while (run < value.size() && plain(static_cast<unsigned char>(value[run]))) ++run;
    out.append(value.substr(i, run - i));
    if (run == value.size()) return;
    i = run;
    const char c = value[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const Utf8Sequence seq = utf8_sequence_at(value, i);
      out.append(seq.valid ? value.substr(i, seq.length) : kReplacement);
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
        out.push_back(c);  // other control characters stand for themselves
    }
    ++i;
  }
}

}  // namespace

void CopyText::next_field() {
  if (row_started_) data_.push_back('\t');
  row_started_ = true;
}

void CopyText::field(std::optional<std::string_view> value) {
  next_field();
  if (!value) {
    data_.append("\\N");
    return;
  }
  append_escaped(data_, *value);
}

void CopyText::number(std::optional<std::int64_t> value) {
  if (!value) return field(std::nullopt);
  next_field();
  fmt::format_to(std::back_inserter(data_), "{}", *value);
}

void CopyText::flag(std::optional<bool> value) {
  if (!value) return field(std::nullopt);
  next_field();
  data_.push_back(*value ? 't' : 'f');
}

void CopyText::nulls(int count) {
  for (int i = 0; i < count; ++i) field(std::nullopt);
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

}  // namespace tgkeep::pg
