// Queries: every SQL statement of the SQLite store, prepared once, and the code that runs them.
//
// Synchronous and transaction-agnostic: write methods expect the caller (StoreWorker) to have
// opened the transaction and a savepoint around them; read methods run as single statements, each
// its own consistent snapshot. Semantics follow storage/store.hpp.
//
// Thread-safety: none; owned by SqliteStore and used only on the store thread. Holds a reference
// to the Connection, which must outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "sqlite/connection.hpp"
#include "sqlite/statement.hpp"
#include "storage/records.hpp"
#include "storage/store.hpp"
#include "util/result.hpp"

namespace tgkeep::sqlite {

class Queries {
 public:
  // `now` gives unix seconds for raw_updates.received_at.
  static Result<Queries> prepare(Connection& db, std::function<std::int64_t()> now);

  // Writes.
  Status commit_update(const storage::UpdateRecord& update, storage::CommitSummary& summary);
  Status mark_handled(std::int64_t update_id);
  Result<storage::ReplyState> record_reply(const storage::MessageRecord& reply);
  Status settle_reply(std::string_view reply_key, storage::ReplyStatus status,
                      std::optional<std::int64_t> message_id, std::int64_t date);
  Status forget_chat(std::int64_t chat_id);
  Status edit_message(std::int64_t chat_id, std::int64_t message_id, storage::Role role,
                      const std::string& text, std::int64_t edit_date);
  Result<bool> set_user_tariff(std::int64_t user_id, const std::string& tariff);
  Status record_usage(const storage::UsageEvent& event);
  Status set_lexicon_text(const storage::LexiconText& entry);

  // Reads.
  Result<std::vector<storage::UpdateRecord>> unhandled_updates(std::size_t limit);
  Result<std::optional<std::int64_t>> last_update_id();
  Result<std::vector<storage::MessageRecord>> recent_messages(std::int64_t chat_id,
                                                              std::size_t limit);
  Status export_messages(const storage::ExportFilter& filter,
                         const std::function<void(const storage::MessageRecord&)>& row);
  Result<std::optional<storage::UserRecord>> find_user(std::int64_t user_id);
  Result<std::int64_t> count_usage(std::int64_t user_id, std::int64_t from, std::int64_t to);
  Result<std::vector<storage::LexiconText>> lexicon_texts();

 private:
  explicit Queries(Connection& db) : db_(&db) {}

  Status insert_message(Statement& stmt, const storage::MessageRecord& m,
                        std::optional<std::int64_t> update_id, std::string_view doing);
  Status upsert_user(const storage::UserRecord& user);

  Connection* db_;
  std::function<std::int64_t()> now_;
  Statement insert_update_;
  Statement insert_message_;
  Statement upsert_edit_;
  Statement upsert_user_;
  Statement mark_handled_;
  Statement insert_reply_;
  Statement select_reply_;
  Statement settle_reply_;
  Statement forget_messages_;
  Statement forget_updates_;
  Statement edit_message_;
  Statement unhandled_;
  Statement last_update_id_;
  Statement recent_;
  Statement export_all_;
  Statement export_chat_;
  Statement export_user_;
  Statement export_chat_user_;
  Statement find_user_;
  Statement set_tariff_;
  Statement insert_usage_;
  Statement count_usage_;
  Statement lexicon_texts_;
  Statement set_lexicon_text_;
  Statement delete_lexicon_text_;
};

}  // namespace tgkeep::sqlite
