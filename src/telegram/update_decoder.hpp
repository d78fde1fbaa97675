// Decodes simdjson DOM values into the typed structs of update.hpp. A field of the wrong type
// counts as absent, unknown fields are ignored, and nothing throws. No recursion beyond the fixed
// shape of an update (update -> callback_query -> message -> chat/from).
//
// Thread-safety: stateless functions; the element must stay valid (its parser not reused) while
// they run.
#pragma once

#include <optional>

#include <simdjson.h>

#include "telegram/update.hpp"

namespace tgkeep::telegram::detail {

// A User needs an integer id.
std::optional<User> decode_user(simdjson::dom::element e);

// A Message needs an integer message_id and a chat with an integer id.
std::optional<Message> decode_message(simdjson::dom::element e);

// Fills every field of `out` except raw_json (see update.hpp for how kinds are chosen). Returns
// false when `e` is not an object with an integer update_id; `out` is then partly filled.
bool decode_update(simdjson::dom::element e, Update& out);

}  // namespace tgkeep::telegram::detail
