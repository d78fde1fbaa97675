#include "util/json_writer.hpp"

#include "util/utf8.hpp"

#include <charconv>
#include <utility>

namespace tgkeep {
namespace {

// Bytes that need no escaping and are not the start of a multi-byte sequence.
bool plain_ascii(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(esc, sizeof esc);
    }
  }
}

template <class Int>
void append_integer(std::string& out, Int n) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, res.ptr);
}

}  // namespace

void append_json_string(std::string& out, std::string_view utf8) {
  const auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
  const std::size_t n = utf8.size();
  out.reserve(out.size() + n + 2);
  out += '"';
  std::size_t i = 0;
  while (i < n) {
    std::size_t run = i;
    while (run < n && plain_ascii(p[run])) ++run;
    out.append(utf8.data() + i, run - i);
    i = run;
    if (i >= n) break;
    if (p[i] < 0x80) {
      append_escape(out, p[i]);
      ++i;
      continue;
    }
    const Utf8Sequence step = utf8_sequence_at(utf8, i);
    if (step.valid) {
      out.append(utf8.data() + i, step.length);
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD
    }
    i += step.length;
  }
  out += '"';
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
  } else if (need_comma_) {
    out_ += ',';
  }
}

void JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  need_comma_ = false;
}

void JsonWriter::end_object() {
  out_ += '}';
  need_comma_ = true;
  after_key_ = false;
}

void JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  need_comma_ = false;
}

void JsonWriter::end_array() {
  out_ += ']';
  need_comma_ = true;
  after_key_ = false;
}

void JsonWriter::key(std::string_view name) {
  if (need_comma_) out_ += ',';
  append_json_string(out_, name);
  out_ += ':';
  after_key_ = true;
  need_comma_ = false;
}

void JsonWriter::value(std::string_view s) {
  before_value();
  append_json_string(out_, s);
  need_comma_ = true;
}

void JsonWriter::value(std::int64_t n) {
  before_value();
  append_integer(out_, n);
  need_comma_ = true;
}

void JsonWriter::value(std::uint64_t n) {
  before_value();
  append_integer(out_, n);
  need_comma_ = true;
}

void JsonWriter::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
  need_comma_ = true;
}

void JsonWriter::null() {
  before_value();
  out_ += "null";
  need_comma_ = true;
}

void JsonWriter::raw(std::string_view json) {
  before_value();
  out_ += json;
  need_comma_ = true;
}

std::string JsonWriter::release() {
  std::string text = std::move(out_);
  clear();
  return text;
}

void JsonWriter::clear() {
  out_.clear();
  need_comma_ = false;
  after_key_ = false;
}

}  // namespace tgkeep
