// The compact JSON of hot_codec.hpp on an already parsed simdjson element: the value decoders,
// for formats that embed a history entry or a profile (the outbox's entries) without a second
// parse, and the field readers and letters both formats share. A separate header so that simdjson
// stays out of hot_codec.hpp's users.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "storage/records.hpp"
#include "util/result.hpp"

namespace tgkeep::hot {

[[nodiscard]] Result<storage::MessageRecord> decode_entry(simdjson::dom::element root);
[[nodiscard]] Result<storage::UserRecord> decode_profile(simdjson::dom::element root);

namespace compact {

// A role and a reply status as one letter: "u"/"a"; "p"/"f"/"s"/"r" (resending).
std::string_view role_letter(storage::Role role);
std::string_view status_letter(storage::ReplyStatus status);

// Field readers: false when the value has another type (or an unknown letter).
inline bool read_int(simdjson::dom::element v, std::int64_t& out) {
  return v.get_int64().get(out) == simdjson::SUCCESS;
}
inline bool read_int(simdjson::dom::element v, std::optional<std::int64_t>& out) {
  std::int64_t n = 0;
  if (v.get_int64().get(n) != simdjson::SUCCESS) return false;
  out = n;
  return true;
}
inline bool read_text(simdjson::dom::element v, std::string& out) {
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return false;
  out.assign(s);
  return true;
}
bool read_role(simdjson::dom::element v, storage::Role& out);
bool read_status(simdjson::dom::element v, storage::ReplyStatus& out);

// Reads the fields of the object `root` into `apply(key, value)`. Answers what is wrong (not an
// object, a field of the wrong type), or nullopt.
template <class Apply>
std::optional<std::string> read_fields(simdjson::dom::element root, Apply apply) {
  simdjson::dom::object object;
  if (root.get(object)) return std::string("not a JSON object");
  for (auto field : object) {
    if (!apply(field.key, field.value)) {
      return fmt::format("field \"{}\" has the wrong type", field.key);
    }
  }
  return std::nullopt;
}

}  // namespace compact
}  // namespace tgkeep::hot
