// The chat-facing Bot API methods (sendMessage, editMessageText, deleteMessage,
// answerCallbackQuery, sendChatAction): validation as Telegram does it, the Message they
// return, and a SentLog record of what the bot did. Internal to the sandbox module; called
// through call_bot_method(). Pure functions over BotState; not thread-safe.
#pragma once

#include <string_view>

#include "sandbox/api_reply.hpp"
#include "sandbox/bot_api_state.hpp"
#include "sandbox/request_params.hpp"

namespace tgkeep::sandbox {

// 400 "Bad Request: <what>".
ApiReply bad_request(std::string_view what);

ApiReply send_message(BotState& bot, const RequestParams& params, const Instant& now);
ApiReply edit_message_text(BotState& bot, const RequestParams& params, const Instant& now);
ApiReply delete_message(BotState& bot, const RequestParams& params, const Instant& now);
ApiReply answer_callback_query(BotState& bot, const RequestParams& params, const Instant& now);
ApiReply send_chat_action(BotState& bot, const RequestParams& params, const Instant& now);

// The sender of a stored message: the bot, a known user, or a placeholder user with its id.
UserInfo sender_of(const BotState& bot, const StoredMessage& message);
// The Message JSON of a stored message, with its replied-to message when there is one.
std::string render_message(const BotState& bot, Chat& chat, const StoredMessage& message);

}  // namespace tgkeep::sandbox
