// SqliteStore: opening, reopening, read-only mode, and the operator-facing errors.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>

#include "sqlite/migrations.hpp"
#include "sqlite/sqlite_test_support.hpp"

namespace tgkeep::sqlite::testing {
namespace {

using namespace std::chrono_literals;

Error open_error(const SqliteOptions& options) {
  auto opened = SqliteStore::open(options);
  if (opened.ok()) {
    ADD_FAILURE() << "open succeeded";
    return Error::fatal("");
  }
  return opened.error();
}

SqliteOptions options_in(const std::filesystem::path& dir) {
  SqliteOptions o;
  o.data_dir = dir;
  return o;
}

TEST(SqliteStoreOpen, CreatesDataDirAndSchema) {
  TempDir dir;
  auto opened = SqliteStore::open(options_in(dir.path() / "a" / "b"));
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ((*opened)->schema_version(), latest_schema_version());
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "a" / "b" / "tgkeep.db"));
  RawDb raw(dir.path() / "a" / "b" / "tgkeep.db");
  EXPECT_EQ(raw.value("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.value("PRAGMA page_size"), "4096");
  EXPECT_EQ(raw.value("PRAGMA application_id"), std::to_string(kApplicationId));
  EXPECT_EQ(raw.value("PRAGMA user_version"), std::to_string(latest_schema_version()));
}

TEST_F(StoreTest, ReopenKeepsDataAndSchemaVersion) {
  commit({message_update(1, 42, 1, 7, "kept")});
  const int version = store->schema_version();
  store->close();
  store.reset();

  open_store();
  EXPECT_EQ(store->schema_version(), version);
  ASSERT_EQ(recent(42).size(), 1u);
  EXPECT_EQ(recent(42)[0].text, "kept");
  EXPECT_EQ(commit({message_update(1, 42, 1, 7, "kept")}).duplicates, 1u);
  store.reset();
  open_store();  // and once more: re-opening is idempotent
  EXPECT_EQ(store->schema_version(), version);
}

TEST(SqliteStoreOpen, ReadOnlyWithoutDataSaysWhatToDo) {
  TempDir dir;
  SqliteOptions o = options_in(dir.path() / "missing");
  o.read_only = true;
  Error e = open_error(o);
  EXPECT_EQ(e.message, "no data in " + (dir.path() / "missing").string() +
                           ": run `tgkeep run` or `tgkeep migrate` first");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "missing"));

  o.data_dir = dir.path();  // exists, but holds no database
  EXPECT_EQ(open_error(o).message,
            "no data in " + dir.path().string() + ": run `tgkeep run` or `tgkeep migrate` first");
}

TEST_F(StoreTest, ReadOnlyReadsBesideTheWriterAndRefusesWrites) {
  commit({message_update(1, 42, 1, 7, "hello")});
  SqliteOptions o = options_in(dir.path() / "data");
  o.read_only = true;
  auto reader = SqliteStore::open(o);
  ASSERT_TRUE(reader.ok()) << reader.error().message;

  auto messages = await<std::vector<storage::MessageRecord>>(
      [&](auto done) { (*reader)->recent_messages(42, 10, std::move(done)); });
  ASSERT_TRUE(messages.ok()) << messages.error().message;
  EXPECT_EQ(messages->size(), 1u);

  auto write = await<storage::CommitSummary>([&](auto done) {
    (*reader)->commit_updates({message_update(2, 42, 2, 7, "x")}, std::move(done));
  });
  ASSERT_FALSE(write.ok());
  EXPECT_NE(write.error().message.find("read-only"), std::string::npos);
  EXPECT_TRUE(await_status([&](auto done) { (*reader)->flush(std::move(done)); }).ok());
}

TEST(SqliteStoreOpen, FileThatIsNotADatabase) {
  TempDir dir;
  std::ofstream(dir.path() / "tgkeep.db") << "this is a text file, not a database, honestly\n"
                                          << std::string(4096, 'x');
  Error e = open_error(options_in(dir.path()));
  EXPECT_EQ(e.kind, ErrorKind::fatal);
  EXPECT_EQ(e.message, (dir.path() / "tgkeep.db").string() +
                           " is not a SQLite database; move it away or choose another data dir");
}

TEST(SqliteStoreOpen, DatabaseOfAnotherApplicationIsLeftAlone) {
  TempDir dir;
  {
    RawDb other(dir.path() / "tgkeep.db");
    other.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY)");
  }
  Error e = open_error(options_in(dir.path()));
  EXPECT_NE(e.message.find("tgkeep did not create"), std::string::npos) << e.message;
  RawDb other(dir.path() / "tgkeep.db");
  EXPECT_EQ(other.value("PRAGMA journal_mode"), "delete");  // untouched
}

TEST(SqliteStoreOpen, DataDirThatCannotBeCreated) {
  TempDir dir;
  std::ofstream(dir.path() / "plain-file") << "x";
  const auto bad = dir.path() / "plain-file" / "data";
  Error e = open_error(options_in(bad));
  EXPECT_EQ(e.kind, ErrorKind::fatal);
  EXPECT_EQ(e.message, "cannot create data directory " + bad.string() + ": Not a directory");

  e = open_error(options_in(dir.path() / "plain-file"));
  EXPECT_NE(e.message.find("plain-file"), std::string::npos) << e.message;
}

TEST_F(StoreTest, SchemaNewerThanThisBinaryIsRefused) {
  store.reset();
  {
    RawDb raw(db_file());
    raw.exec("PRAGMA user_version = 99");
  }
  Error e = open_error(options_in(dir.path() / "data"));
  EXPECT_EQ(e.kind, ErrorKind::fatal);
  EXPECT_EQ(e.message, "database schema version 99 is newer than this tgkeep (knows " +
                           std::to_string(latest_schema_version()) + "); upgrade tgkeep");
}

TEST_F(StoreTest, DiskFullIsTransientAndNamesTheFile) {
  store.reset();
  SqliteOptions o = options_in(dir.path() / "data");
  o.max_page_count = 40;  // 160 KiB
  open_store(o);

  storage::UpdateRecord big = message_update(1, 42, 1, 7, "big");
  big.raw_json = std::string(400 * 1024, 'j');
  auto r = await<storage::CommitSummary>(
      [&](auto done) { store->commit_updates({big}, std::move(done)); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::transient);
  EXPECT_EQ(r.error().message, "disk full writing " + db_file().string());

  // Nothing of the failed batch is stored, and small writes go on.
  EXPECT_EQ(commit({message_update(2, 42, 2, 7, "small")}).stored, 1u);
  EXPECT_EQ(recent(42).size(), 1u);
}

TEST_F(StoreTest, LockedDatabaseIsTransient) {
  store.reset();
  SqliteOptions o = options_in(dir.path() / "data");
  o.busy_timeout = 50ms;
  open_store(o);

  RawDb other(db_file());
  other.exec("BEGIN IMMEDIATE");
  auto r = await<storage::CommitSummary>([&](auto done) {
    store->commit_updates({message_update(1, 42, 1, 7, "x")}, std::move(done));
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::transient);
  EXPECT_NE(r.error().message.find("is locked by another process"), std::string::npos)
      << r.error().message;
  other.exec("ROLLBACK");
  EXPECT_EQ(commit({message_update(1, 42, 1, 7, "x")}).stored, 1u);
}

}  // namespace
}  // namespace tgkeep::sqlite::testing
