// The SQL of the PostgreSQL store (pg_store.hpp): statements with numbered text parameters, and
// the reading of their rows back into records. Pure: no I/O, no Asio.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"
#include "storage/records.hpp"

namespace tgkeep::pg {

// Replaces the JSON escape \u0000 (refused by jsonb, SQLSTATE 22P05) by \ufffd; the rest is kept.
std::string sanitize_json(std::string_view json);

namespace sql {

using Param = std::optional<std::string>;

inline constexpr std::size_t kExportPage = 500;  // rows per page of an export
// Sorts before every update_id: NULL update_ids come first, as in SQLite; pages start after it.
inline constexpr std::int64_t kMinInt64 = std::numeric_limits<std::int64_t>::min();
extern const char* const kMessageColumns;  // the message columns, in read_message's order
extern const char* const kSelectMessage;   // "SELECT id, <message columns> FROM messages "

// A parameter from a value; NUL bytes become U+FFFD (text cannot hold them, libpq would cut).
Param without_nul(Param value);
Param num(std::int64_t v);
Param num(std::optional<std::int64_t> v);
Param boolean(bool v);
Param text(std::string_view v);

// Values of a row back from text.
std::int64_t as_int(const Param& v);
std::optional<std::int64_t> as_opt_int(const Param& v);
bool as_bool(const Param& v);

// Statement text with its parameters, numbered as they are added.
struct Builder {
  Statement statement;
  std::string p(Param value, std::string_view type);
};

// A row of `SELECT id, <message columns>`.
storage::MessageRecord read_message(const std::vector<Param>& row);
std::string limit_of(std::size_t limit);
// The values of a message row, as "$a::int8, $b::int8, ...".
std::string message_values(Builder& b, const storage::MessageRecord& m,
                           std::optional<std::int64_t> update_id);

// One statement per update: the raw update, and only when it was new its message and user
// (data-modifying CTEs). Returns one row: 1 when stored, 0 for a known update_id.
Statement commit_statement(const storage::UpdateRecord& u, std::int64_t now);
// The first page of an export, or the page after (last_update_id, last_id).
Statement export_statement(const storage::ExportFilter& filter, std::int64_t last_update_id,
                           std::int64_t last_id);
Statement plain(std::string sql, std::vector<Param> params = {});
// "{1,2,3}": an int8[] parameter.
std::string int_array(const std::vector<std::int64_t>& ids);

}  // namespace sql
}  // namespace tgkeep::pg
