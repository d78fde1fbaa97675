// Rows in PostgreSQL's COPY text format (tab between fields, newline after each row, \N for
// NULL, backslash escapes), for the bulk loads: the syncer's staging rows (outbox/pg_writer) and
// `tgkeep import-sqlite`'s.
//
// Text PostgreSQL cannot take is replaced, not refused, so one odd byte does not stop a load: a
// NUL byte becomes U+FFFD (as store_sql's without_nul does for PgStore's parameters), and so does
// each ill-formed UTF-8 sequence (a server in UTF8 would reject the whole COPY). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tgkeep::pg {

class CopyText {
 public:
  // Appends one field to the current row; nullopt is NULL.
  void field(std::optional<std::string_view> value);
  void number(std::optional<std::int64_t> value);
  void flag(std::optional<bool> value);
  void nulls(int count);
  // Ends the current row.
  void end_row();

  const std::string& data() const { return data_; }
  std::string take();  // the data so far; starts empty again
  std::size_t size() const { return data_.size(); }

 private:
  void next_field();

  std::string data_;
  bool row_started_ = false;
};

}  // namespace tgkeep::pg
