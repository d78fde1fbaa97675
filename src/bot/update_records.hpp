// From a parsed Telegram update to the record storage keeps. Pure.
#pragma once

#include "storage/records.hpp"
#include "telegram/update.hpp"

namespace tgkeep::bot {

// The record of `update`: its raw JSON, the message it carries (role user; edits marked), and the
// sender to upsert. `needs_handling` says whether a handler still has to act on it; `now` (unix
// seconds) dates the sender's visit when the update carries no message date of its own.
storage::UpdateRecord to_record(const telegram::Update& update, bool needs_handling,
                                std::int64_t now);

// The record of a reply to update `update_id` before it is sent (role assistant, status pending).
storage::MessageRecord pending_reply(std::int64_t chat_id, std::int64_t update_id, std::string text,
                                     std::int64_t date, std::string reply_key);

}  // namespace tgkeep::bot
