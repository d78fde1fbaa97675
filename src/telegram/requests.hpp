// JSON bodies of the Bot API requests tgkeep sends. Pure functions: values in, a compact JSON
// text out (sent as Content-Type: application/json); the transport lives elsewhere. Optional
// parameters are omitted when unset, so Telegram applies its own defaults.
//
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tgkeep::telegram {

struct GetUpdates {
  std::optional<std::int64_t> offset;        // last confirmed update_id + 1
  int limit = 100;                           // 1..100
  int timeout = 30;                          // long-polling seconds; 0 for short polling
  std::vector<std::string> allowed_updates;  // empty: omitted (Telegram keeps the last setting)
};

// An inline keyboard: rows of buttons, each sending its callback_data back when pressed.
struct InlineButton {
  std::string text;
  std::string callback_data;  // 1-64 bytes
};
using InlineKeyboard = std::vector<std::vector<InlineButton>>;

struct SendMessage {
  std::int64_t chat_id = 0;
  std::string text;  // at most 4096 UTF-16 code units: see text_split.hpp
  // Sent as reply_parameters {message_id, allow_sending_without_reply: true}, so a reply to a
  // message deleted meanwhile is still delivered.
  std::optional<std::int64_t> reply_to_message_id;
  std::optional<std::int64_t> message_thread_id;  // forum topic
  std::string business_connection_id;             // empty: omitted
  InlineKeyboard keyboard;                        // empty: omitted
};

struct EditMessageText {
  std::int64_t chat_id = 0;
  std::int64_t message_id = 0;
  std::string text;
  InlineKeyboard keyboard;  // empty: the message keeps no keyboard
};

std::string get_updates_body(const GetUpdates& request);
std::string send_message_body(const SendMessage& request);
std::string edit_message_text_body(const EditMessageText& request);
std::string answer_callback_query_body(std::string_view callback_query_id,
                                       std::optional<std::string_view> text = std::nullopt);
std::string delete_webhook_body(bool drop_pending_updates = false);
std::string get_me_body();  // "{}"

}  // namespace tgkeep::telegram
