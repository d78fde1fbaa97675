// The JSON the sandbox chat page reads (GET /_chat/state, /_chat/messages, /_chat/events):
// compact views of users, chats, messages and timeline events. A message view is the
// message's current state:
//   {"message_id":7,"from":{User},"date":1700000000,"edit_date":1700000050,"text":"...",
//    "entities":[...],"reply_markup":{"inline_keyboard":...},"reply_to_message_id":3,
//    "deleted":true}
// (optional members only when set). See docs/sandbox.md. Pure functions over BotState;
// not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/bot_api_state.hpp"

namespace tgkeep::sandbox {

inline constexpr std::size_t kPageListLimit = 500;    // users and chats in a state reply
inline constexpr std::size_t kPageEventsLimit = 500;  // events in one events reply

// "123456:AAH…cdef": enough to tell tokens apart, not enough to use one.
std::string masked_token(std::string_view token);

void append_page_message(std::string& out, const BotState& bot, const StoredMessage& message);
// {"id","type","title","username","members":[ids],"last_message":view|null}.
void append_page_chat(std::string& out, const BotState& bot, const Chat& chat);

// {"bot":{...},"bots":[...],"users":[...],"users_total":N,"chats":[...],"chats_total":N,
//  "last_seq":N}. `bots` lists every bot of the emulator, `bot` among them.
std::string page_state_json(const BotState& bot, const std::vector<const BotState*>& bots);

// {"chat":{...},"messages":[views, oldest first],"last_seq":N}: the last `limit` remembered
// messages of `chat`, deleted ones included (flagged).
std::string page_messages_json(const BotState& bot, const Chat& chat, std::size_t limit);

// {"events":[...],"last_seq":N,"gap":false}: events after `since` (of one chat, or all), at
// most kPageEventsLimit; `last_seq` is where the next request should continue. With "gap":true
// events were lost (or `since` is from before a restart): the page must reload.
std::string page_events_json(const BotState& bot, std::int64_t since,
                             std::optional<std::int64_t> chat_id);

}  // namespace tgkeep::sandbox
