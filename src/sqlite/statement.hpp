// Statement: one prepared SQLite statement (sqlite3_stmt), owned, reusable.
//
// Prepared once by Connection::prepare and kept for the life of the connection; every use binds,
// steps and resets it. Binding errors are remembered and returned by the next step(), so call
// sites check one return code. Text is bound without copying (SQLITE_STATIC): the bound string
// must outlive the step, and reset() (also run by Statement::Use on scope exit) clears bindings.
//
// Thread-safety: none; a Statement belongs to its connection's thread. Move-only.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

struct sqlite3_stmt;

namespace tgkeep::sqlite {

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  void bind(int index, std::int64_t value);
  void bind(int index, std::optional<std::int64_t> value);
  void bind(int index, std::string_view text);
  void bind_null(int index);

  // SQLITE_ROW, SQLITE_DONE or an error code (including a remembered binding error).
  int step();
  // Clears the statement for its next use (bindings too).
  void reset();

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  std::optional<std::int64_t> optional_int64(int column) const;
  // Valid until the next step() or reset().
  std::string_view text(int column) const;

  explicit operator bool() const { return stmt_ != nullptr; }

  // Resets the statement when the scope ends, whatever the path out of it.
  class Use {
   public:
    explicit Use(Statement& s) : s_(s) {}
    ~Use() { s_.reset(); }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;

   private:
    Statement& s_;
  };

 private:
  void remember(int rc);

  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = 0;
};

}  // namespace tgkeep::sqlite
