// The rows the batch writer (pg_writer.cpp) sends with COPY: one row of its staging table per
// entry, and, on its direct path, rows of raw_updates and messages themselves. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "outbox/entry.hpp"
#include "pg/copy_text.hpp"

namespace tgkeep::outbox::stage {

// The m_* columns of a staging row; what a kind does not use stays NULL.
struct MessageColumns {
  std::optional<std::int64_t> chat_id{}, message_id{}, user_id{};
  std::optional<std::string_view> role{}, text{};
  std::optional<std::int64_t> date{}, update_id{};
  std::optional<bool> edited{};
  std::optional<std::int64_t> edit_date{};
  std::optional<std::string_view> reply_key{}, status{};
};

// A whole message row, as pg::sql::message_values writes it.
MessageColumns message_row(const storage::MessageRecord& m, std::optional<std::int64_t> update_id);

// The parts of one staging row; null pointers are NULL columns.
struct StageRow {
  int seg = 0;
  int seq = 0;
  std::string_view kind;
  std::optional<bool> first_of_id{};
  std::optional<std::int64_t> update_id{};
  const UpdateEntry* update = nullptr;
  const MessageColumns* message = nullptr;
  const storage::UserRecord* sender = nullptr;
  const storage::UsageEvent* usage = nullptr;
};

// Appends a row of the staging table (every column, in pg_writer.cpp's kCreateStage order).
void append_stage_row(pg::CopyText& rows, const StageRow& row);

// Appends the raw_updates row of an update, in kRawUpdateColumns order, as PgStore stores it.
void append_raw_update(pg::CopyText& rows, const UpdateEntry& update);
inline constexpr std::string_view kRawUpdateColumns =
    "update_id, type, chat_id, json, received_at, needs_handling, handled";

// Appends a messages row in pg::sql::kMessageColumns order.
void append_message(pg::CopyText& rows, const MessageColumns& message);

}  // namespace tgkeep::outbox::stage
