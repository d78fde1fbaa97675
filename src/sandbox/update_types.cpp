#include "sandbox/update_types.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace tgkeep::sandbox {
namespace {

constexpr std::array<std::string_view, 23> kUpdateTypeNames = {
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
};
static_assert(kUpdateTypeNames.size() <= 32);

}  // namespace

std::optional<unsigned> update_type_index(std::string_view name) {
  for (unsigned i = 0; i < kUpdateTypeNames.size(); ++i) {
    if (kUpdateTypeNames[i] == name) return i;
  }
  return std::nullopt;
}

std::string_view update_type_name(unsigned index) {
  return kUpdateTypeNames.at(index);
}

unsigned update_type_count() {
  return kUpdateTypeNames.size();
}

UpdateTypeMask all_update_types() {
  return (UpdateTypeMask{1} << kUpdateTypeNames.size()) - 1;
}

std::optional<UpdateTypeMask> parse_allowed_updates(std::string_view value) {
  if (value.empty()) return std::nullopt;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(value.data(), value.size()).get(root)) return std::nullopt;
  UpdateTypeMask mask = 0;
  simdjson::dom::array names;
  if (!root.get_array().get(names)) {
    for (auto item : names) {
      std::string_view name;
      if (item.get_string().get(name)) continue;
      std::string lower(name);
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (auto index = update_type_index(lower)) mask |= UpdateTypeMask{1} << *index;
    }
  }
  return mask == 0 ? all_update_types() : mask;
}

std::string allowed_updates_json(UpdateTypeMask mask) {
  std::string out = "[";
  for (unsigned i = 0; i < kUpdateTypeNames.size(); ++i) {
    if (!(mask & (UpdateTypeMask{1} << i))) continue;
    if (out.size() > 1) out += ',';
    out += '"';
    out += kUpdateTypeNames[i];
    out += '"';
  }
  out += ']';
  return out;
}

}  // namespace tgkeep::sandbox
