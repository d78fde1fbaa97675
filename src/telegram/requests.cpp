#include "telegram/requests.hpp"

#include "util/json_writer.hpp"

namespace tgkeep::telegram {

std::string get_updates_body(const GetUpdates& request) {
  JsonWriter w;
  w.begin_object();
  if (request.offset) {
    w.key("offset");
    w.value(*request.offset);
  }
  w.key("limit");
  w.value(request.limit);
  w.key("timeout");
  w.value(request.timeout);
  if (!request.allowed_updates.empty()) {
    w.key("allowed_updates");
    w.begin_array();
    for (const auto& type : request.allowed_updates) w.value(type);
    w.end_array();
  }
  w.end_object();
  return w.release();
}

namespace {

void write_keyboard(JsonWriter& w, const InlineKeyboard& keyboard) {
  w.key("reply_markup");
  w.begin_object();
  w.key("inline_keyboard");
  w.begin_array();
  for (const auto& row : keyboard) {
    w.begin_array();
    for (const auto& button : row) {
      w.begin_object();
      w.key("text");
      w.value(button.text);
      w.key("callback_data");
      w.value(button.callback_data);
      w.end_object();
    }
    w.end_array();
  }
  w.end_array();
  w.end_object();
}

}  // namespace

std::string send_message_body(const SendMessage& request) {
  JsonWriter w;
  w.begin_object();
  if (!request.business_connection_id.empty()) {
    w.key("business_connection_id");
    w.value(request.business_connection_id);
  }
  w.key("chat_id");
  w.value(request.chat_id);
  if (request.message_thread_id) {
    w.key("message_thread_id");
    w.value(*request.message_thread_id);
  }
  w.key("text");
  w.value(request.text);
  if (request.reply_to_message_id) {
    w.key("reply_parameters");
    w.begin_object();
    w.key("message_id");
    w.value(*request.reply_to_message_id);
    w.key("allow_sending_without_reply");
    w.value(true);
    w.end_object();
  }
  if (!request.keyboard.empty()) write_keyboard(w, request.keyboard);
  w.end_object();
  return w.release();
}

std::string edit_message_text_body(const EditMessageText& request) {
  JsonWriter w;
  w.begin_object();
  w.key("chat_id");
  w.value(request.chat_id);
  w.key("message_id");
  w.value(request.message_id);
  w.key("text");
  w.value(request.text);
  if (!request.keyboard.empty()) write_keyboard(w, request.keyboard);
  w.end_object();
  return w.release();
}

std::string answer_callback_query_body(std::string_view callback_query_id,
                                       std::optional<std::string_view> text) {
  JsonWriter w;
  w.begin_object();
  w.key("callback_query_id");
  w.value(callback_query_id);
  if (text) {
    w.key("text");
    w.value(*text);
  }
  w.end_object();
  return w.release();
}

std::string delete_webhook_body(bool drop_pending_updates) {
  return drop_pending_updates ? R"({"drop_pending_updates":true})"
                              : R"({"drop_pending_updates":false})";
}

std::string get_me_body() {
  return "{}";
}

}  // namespace tgkeep::telegram
