// The hot tier's value decoders on an already parsed simdjson element, for formats that embed a
// history entry or a profile (the outbox's update entries): no second parse of the same bytes.
// A separate header so that simdjson stays out of hot_codec.hpp's users.
#pragma once

#include <simdjson.h>

#include "storage/records.hpp"
#include "util/result.hpp"

namespace tgkeep::hot {

[[nodiscard]] Result<storage::MessageRecord> decode_entry(simdjson::dom::element root);
[[nodiscard]] Result<storage::UserRecord> decode_profile(simdjson::dom::element root);

}  // namespace tgkeep::hot
