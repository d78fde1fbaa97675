// The update types of the Bot API and the allowed_updates setting that filters them.
//
// Known types are numbered so a set of them fits a bitmask. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tgkeep::sandbox {

// A set of known update types (bit i = kUpdateTypeNames[i]).
using UpdateTypeMask = std::uint32_t;

// Index of `name` among the known update types, or nullopt for an unknown type.
std::optional<unsigned> update_type_index(std::string_view name);
std::string_view update_type_name(unsigned index);
unsigned update_type_count();
// The emulator's default filter: every type. Telegram's default list leaves out chat_member,
// message_reaction and message_reaction_count because it never creates those updates for a
// bot that did not ask; the emulator only holds such updates when a test injected them on
// purpose, so without an explicit list it delivers them.
UpdateTypeMask all_update_types();
// Parses allowed_updates as Telegram does: JSON text of an array of strings, names matched
// case-insensitively, unknown names ignored; an empty array (or any other JSON value, or no known
// name) means the default (all_update_types()). Returns nullopt when the value is absent or not
// JSON, in which case the previous setting stays.
std::optional<UpdateTypeMask> parse_allowed_updates(std::string_view value);
// `["message","callback_query"]`.
std::string allowed_updates_json(UpdateTypeMask mask);

}  // namespace tgkeep::sandbox
