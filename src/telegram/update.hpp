// Typed views of Telegram Bot API updates, as far as tgkeep needs them.
//
// An Update always keeps its raw JSON: types and fields tgkeep does not model are stored raw and
// never cause an error. Only message-like updates (message, edited_message, channel_post,
// edited_channel_post, business_message, edited_business_message) and callback_query are typed.
// A message-like kind always has `message`, and callback_query always has `callback_query`: an
// update of those types that lacks what makes it usable (message_id and chat.id; a query's id and
// from.id), or whose payload is not an object, is kind other, with `type` and raw_json kept.
// Plain values, no I/O; safe to copy and move between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tgkeep::telegram {

enum class UpdateKind {
  message,
  edited_message,
  channel_post,
  edited_channel_post,
  business_message,
  edited_business_message,
  callback_query,
  other,  // any other field, including types newer than this code
};

// The Bot API field name of a kind ("message", "callback_query", ...); "other" for other.
const char* kind_name(UpdateKind kind);

struct User {
  std::int64_t id = 0;
  bool is_bot = false;
  std::string first_name;
  std::string last_name;
  std::string username;
  std::string language_code;
};

struct Chat {
  std::int64_t id = 0;
  std::string type;  // "private", "group", "supergroup", "channel"
  std::string title;
  std::string username;

  bool is_group() const { return type == "group" || type == "supergroup"; }
};

struct Message {
  std::int64_t message_id = 0;
  std::int64_t date = 0;                  // unix seconds
  std::optional<std::int64_t> edit_date;  // set on edited messages
  Chat chat;
  std::optional<User> from;                    // absent in channels
  std::optional<std::int64_t> sender_chat_id;  // posts on behalf of a chat
  std::optional<std::int64_t> message_thread_id;
  std::string business_connection_id;
  std::string text;  // `text`, or the `caption` of a media message; empty when neither
  bool has_text = false;
};

struct CallbackQuery {
  std::string id;
  User from;
  std::optional<Message> message;  // absent for inline messages or when inaccessible
  std::string data;
  std::string inline_message_id;
};

struct Update {
  std::int64_t update_id = 0;
  UpdateKind kind = UpdateKind::other;
  std::string type;  // the update's field name as sent ("message", "my_chat_member", ...)
  // The update object exactly as received; only lone UTF-16 surrogate escapes, which no JSON
  // store accepts, are rewritten as \ufffd (see json_surrogates.hpp).
  std::string raw_json;
  std::optional<Message> message;  // for every message-like kind
  std::optional<CallbackQuery> callback_query;
  // For kind other: the payload's `chat.id` and its `from` (or `user`), when it has them, so types
  // that are not modelled (my_chat_member, chat_join_request, message_reaction, ...) still keep
  // their chat's order and name their sender.
  std::optional<std::int64_t> other_chat_id;
  std::optional<User> other_from;

  // The chat whose order this update must keep, if any.
  std::optional<std::int64_t> chat_id() const;
  // The user who caused the update, if known.
  const User* sender() const;
  bool is_edit() const {
    return kind == UpdateKind::edited_message || kind == UpdateKind::edited_channel_post ||
           kind == UpdateKind::edited_business_message;
  }
};

}  // namespace tgkeep::telegram
