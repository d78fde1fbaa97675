// Rows in PostgreSQL's COPY text format (tab between fields, newline after each row, \N for
// NULL, backslash escapes), as `tgkeep import-sqlite` sends them to its staging tables.
//
// Text PostgreSQL cannot take is replaced, not refused, so one odd byte does not stop an import:
// a NUL byte becomes U+FFFD (as store_sql's without_nul does for PgStore's parameters), and so
// does each ill-formed UTF-8 sequence (a server in UTF8 would reject the whole COPY). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tgkeep::app {

class CopyText {
 public:
  // Appends one field (nullopt = NULL) to the current row.
  void field(std::optional<std::string_view> value);
  // Ends the current row.
  void end_row();

  const std::string& data() const { return data_; }
  std::string take();  // the data so far; starts empty again
  std::size_t size() const { return data_.size(); }

 private:
  std::string data_;
  bool row_started_ = false;
};

}  // namespace tgkeep::app
