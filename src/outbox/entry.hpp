// An outbox entry: one write bound for the system of record, as it travels through the Redis
// Stream between the bot (which adds it in the same pipeline as its hot-tier update) and the
// syncer (which writes it to PostgreSQL, then acknowledges it). See docs/outbox.md.
//
// Every kind carries its natural idempotency key, so an entry written twice (a syncer killed
// between its write and its acknowledgement) changes nothing the second time:
//   update   update_id                 (the raw update, its message and its sender)
//   handled  update_ids                (marks updates as handled)
//   reply    reply_key                 (a reply recorded as pending before it is sent)
//   settle   reply_key                 (a reply's fate: sent with its message_id, or failed)
//   edit     chat_id+message_id+role   (the bot's own edit of a message it sent)
//   forget   chat_id                   (/reset: the chat's history is forgotten)
//   usage    user_id+update_id         (a usage event)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "storage/records.hpp"

namespace tgkeep::outbox {

struct UpdateEntry {
  storage::UpdateRecord update;
  std::int64_t received_at = 0;  // unix seconds: when the bot received it
};
struct HandledEntry {
  std::vector<std::int64_t> update_ids;
};
struct ReplyEntry {
  storage::MessageRecord reply;  // role assistant, status pending, reply_key set
};
struct SettleEntry {
  std::string reply_key;
  storage::ReplyStatus status = storage::ReplyStatus::sent;
  std::optional<std::int64_t> message_id;
  std::int64_t date = 0;
};
struct EditEntry {
  std::int64_t chat_id = 0;
  std::int64_t message_id = 0;
  storage::Role role = storage::Role::assistant;
  std::string text;
  std::int64_t edit_date = 0;
};
struct ForgetEntry {
  std::int64_t chat_id = 0;
};
struct UsageEntry {
  storage::UsageEvent event;
};

using Entry = std::variant<UpdateEntry, HandledEntry, ReplyEntry, SettleEntry, EditEntry,
                           ForgetEntry, UsageEntry>;

// The chat an entry belongs to, if any (for the hot tier's bookkeeping).
std::optional<std::int64_t> chat_of(const Entry& entry);

}  // namespace tgkeep::outbox
