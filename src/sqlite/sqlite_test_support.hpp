// Helpers for the SQLite store's tests: a temporary data dir, waiting on completions, record
// builders, and a raw side connection to look at what the store wrote.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "sqlite/sqlite_store.hpp"
#include "storage/testing/store_test_support.hpp"

namespace tgkeep::sqlite::testing {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tgkeep-sqlite-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::system_error(errno, std::generic_category());
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Waiting for completions and building records: shared with the other stores' tests.
using storage::testing::await;
using storage::testing::await_status;
using storage::testing::edit_update;
using storage::testing::message_update;
using storage::testing::reply;

// A second, raw connection to the store's file (WAL lets it read beside the store).
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& file) {
    if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << sqlite3_errmsg(db_);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // The first column of the first row; nullopt for NULL or no row.
  std::optional<std::string> value(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sqlite3_errmsg(db_) << " in " << sql;
      return std::nullopt;
    }
    std::optional<std::string> out;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      ADD_FAILURE() << err << " in " << sql;
      sqlite3_free(err);
    }
  }
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// A store in its own temporary directory.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { open_store(); }

  void open_store(SqliteOptions options = {}) {
    if (options.data_dir.empty()) options.data_dir = dir.path() / "data";
    auto opened = SqliteStore::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store = std::move(opened).value();
  }

  std::filesystem::path db_file() const { return dir.path() / "data" / SqliteStore::kFileName; }

  storage::CommitSummary commit(std::vector<storage::UpdateRecord> updates) {
    auto r = await<storage::CommitSummary>(
        [&](auto done) { store->commit_updates(std::move(updates), std::move(done)); });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : storage::CommitSummary{};
  }

  std::vector<storage::MessageRecord> recent(std::int64_t chat_id, std::size_t limit = 100) {
    auto r = await<std::vector<storage::MessageRecord>>(
        [&](auto done) { store->recent_messages(chat_id, limit, std::move(done)); });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : std::vector<storage::MessageRecord>{};
  }

  TempDir dir;
  std::unique_ptr<SqliteStore> store;
};

}  // namespace tgkeep::sqlite::testing
