// JsonWriter: builds one compact JSON text (a Bot API request body, a JSON Lines record) by
// appending to a string. It does not build a tree and does not reorder anything.
//
// Commas and colons are placed by the writer; structure is the caller's job: every begin_* needs
// its end_*, and inside an object every value needs a key first. A misuse produces wrong JSON,
// not undefined behaviour. Strings are always emitted as valid JSON, whatever bytes they hold (see
// append_json_string).
//
// Thread-safety: none; one writer per thread. Plain value, movable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace tgkeep {

// Appends `utf8` to `out` as a JSON string literal, quotes included (RFC 8259). `"` and `\` are
// escaped, as are control characters: \b \f \n \r \t by their short form, the others as \u00XX.
// Valid UTF-8 is copied as is (no \u escapes for non-ASCII text). Each ill-formed UTF-8 sequence
// (maximal subpart, as Unicode recommends) is replaced by U+FFFD, so the output is always valid
// JSON and valid UTF-8.
void append_json_string(std::string& out, std::string_view utf8);

class JsonWriter {
 public:
  JsonWriter() = default;

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view name);

  void value(std::string_view s);                            // a JSON string
  void value(const char* s) { value(std::string_view(s)); }  // not bool
  void value(std::int64_t n);
  void value(std::uint64_t n);
  void value(bool b);
  // Any other integer type: int, unsigned, long long, ... (plain overloads would be ambiguous).
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, std::int64_t> &&
           !std::is_same_v<T, std::uint64_t>) void value(T n) {
    if constexpr (std::is_signed_v<T>) {
      value(static_cast<std::int64_t>(n));
    } else {
      value(static_cast<std::uint64_t>(n));
    }
  }
  void null();
  // Text that already is JSON (for example a stored raw update); written verbatim.
  void raw(std::string_view json);

  const std::string& str() const { return out_; }
  // Moves the text out and leaves the writer empty, ready for the next document.
  std::string release();
  void clear();

 private:
  void before_value();

  std::string out_;
  bool need_comma_ = false;  // a value was written at the current level
  bool after_key_ = false;   // a key was written and waits for its value
};

}  // namespace tgkeep
