// Store: the one interface every storage backend implements (SQLite now; Redis and PostgreSQL
// later). The tiering and failover logic is written once, above it.
//
// Every operation is asynchronous: it is queued and its completion is called later, exactly once,
// on a thread of the store (never inside the call). Callers that live on an event loop re-post
// the completion to it (see storage/store_awaitable.hpp). All methods are thread-safe.
//
// Durability: a write's completion reports success only once the write is durable at this
// backend's commit point (for SQLite: the transaction committed with synchronous=FULL). Writes
// queued together are committed together (group commit); their completions follow the commit.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "storage/records.hpp"
#include "util/result.hpp"

namespace tgkeep::storage {

template <class T>
using Completion = std::function<void(Result<T>)>;
using StatusCompletion = std::function<void(Status)>;

struct CommitSummary {
  std::size_t stored = 0;      // updates newly stored
  std::size_t duplicates = 0;  // update_ids already known, skipped entirely
};

// What record_reply found: the reply is new, or it was recorded before with this status (a
// restart replaying an update whose reply may already have gone out).
struct ReplyState {
  bool existed = false;
  ReplyStatus status = ReplyStatus::pending;
  std::optional<std::int64_t> message_id;
};

class Store {
 public:
  virtual ~Store() = default;

  // Stores updates, their messages and users, idempotently by update_id: a known update_id is
  // skipped whole. An edited message updates the stored message's text when its edit_date is not
  // older than the stored one. All of the batch commits atomically.
  virtual void commit_updates(std::vector<UpdateRecord> updates,
                              Completion<CommitSummary> done) = 0;

  // Marks updates as handled (their replies are settled).
  virtual void mark_handled(std::vector<std::int64_t> update_ids, StatusCompletion done) = 0;

  // Updates stored with needs_handling that were never marked handled, oldest first (work a
  // crash interrupted).
  virtual void unhandled_updates(std::size_t limit, Completion<std::vector<UpdateRecord>> done) = 0;

  // The highest update_id ever stored, if any.
  virtual void last_update_id(Completion<std::optional<std::int64_t>> done) = 0;

  // Records a reply (role assistant, status pending) before it is sent, idempotently by
  // reply_key: when the key exists, nothing changes and its state is reported.
  virtual void record_reply(MessageRecord reply, Completion<ReplyState> done) = 0;

  // Settles a recorded reply: sent with Telegram's message_id and date, or failed.
  virtual void settle_reply(std::string reply_key, ReplyStatus status,
                            std::optional<std::int64_t> message_id, std::int64_t date,
                            StatusCompletion done) = 0;

  // Replaces the text of a stored message and marks it edited: the bot's own edits of what it
  // sent (an edited incoming message arrives as an update and goes through commit_updates).
  // Nothing happens when no such message is stored.
  virtual void edit_message(std::int64_t chat_id, std::int64_t message_id, Role role,
                            std::string text, std::int64_t edit_date, StatusCompletion done) = 0;

  // The latest `limit` messages of a chat (both roles, replies not yet sent included), oldest
  // first.
  virtual void recent_messages(std::int64_t chat_id, std::size_t limit,
                               Completion<std::vector<MessageRecord>> done) = 0;

  // Forgets a chat's history: its messages, and the text of its raw updates. The update_ids stay
  // known, so a redelivered update is still not stored again.
  virtual void forget_chat(std::int64_t chat_id, StatusCompletion done) = 0;

  // Calls `row` for every stored message matching the filter, oldest first, on the store's
  // thread, then `done`. For export: rows are streamed, not collected.
  virtual void export_messages(ExportFilter filter, std::function<void(const MessageRecord&)> row,
                               StatusCompletion done) = 0;

  // A user as last seen, if known.
  virtual void find_user(std::int64_t user_id, Completion<std::optional<UserRecord>> done) = 0;

  // Records a usage event, idempotently by (user_id, update_id).
  virtual void record_usage(UsageEvent event, StatusCompletion done) = 0;

  // How many usage events `user_id` has with from <= at < to.
  virtual void count_usage(std::int64_t user_id, std::int64_t from, std::int64_t to,
                           Completion<std::int64_t> done) = 0;

  // Puts a known user on a tariff ("" = the default). Completes with false when the user was
  // never seen.
  virtual void set_user_tariff(std::int64_t user_id, std::string tariff,
                               Completion<bool> done) = 0;

  // The operator's lexicon texts; and setting (or, with an empty text, removing) one.
  virtual void lexicon_texts(Completion<std::vector<LexiconText>> done) = 0;
  virtual void set_lexicon_text(LexiconText entry, StatusCompletion done) = 0;

  // flush() completes once everything queued before it is committed. close() runs what is
  // queued, commits, and returns; calls made after it complete with an error.
  virtual void flush(StatusCompletion done) = 0;
  virtual void close() = 0;
};

}  // namespace tgkeep::storage
