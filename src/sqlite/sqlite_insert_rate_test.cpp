// Measures updates/s through SqliteStore::commit_updates in batches of 100 (each update: a raw
// update row, a message, a user upsert; 1000 private chats taking turns), with synchronous=FULL
// on the real disk. Prints rates; asserts only correctness, never timing.
//
//   ./sqlite_insert_rate_test                      # 200,000 updates into a new database
//   TGKEEP_SQLITE_RATE_UPDATES=1000000 ./sqlite_insert_rate_test
//   TGKEEP_SQLITE_RATE_PREFILL=1000000 ...         # first fill, untimed: a grown database
//   TGKEEP_SQLITE_RATE_IN_FLIGHT=256 ...           # batches queued at once (default 64)
//   TGKEEP_SQLITE_RATE_CACHE_KIB=131072 ...        # page cache (default: SqliteOptions')
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "sqlite/sqlite_test_support.hpp"

namespace tgkeep::sqlite::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kBatch = 100;
constexpr int kSegment = 200000;

int env_int(const char* name, int fallback) {
  const char* env = std::getenv(name);
  return env != nullptr ? std::atoi(env) : fallback;
}

int round_to_batch(int n) {
  return n > kBatch ? n - n % kBatch : kBatch;
}

// A typical private-chat text message: about 600 bytes of JSON.
storage::UpdateRecord realistic_update(std::int64_t id) {
  const std::int64_t chat = 100000 + id % 1000;
  const std::int64_t user = chat;
  const std::string text =
      "Привет! Сообщение номер " + std::to_string(id) +
      ", немного текста, чтобы было похоже на правду 🙂";
  storage::UpdateRecord u = message_update(id, chat, id, user, text, 1700000000 + id / 100);
  u.raw_json =
      R"({"update_id":)" + std::to_string(id) + R"(,"message":{"message_id":)" +
      std::to_string(id) + R"(,"from":{"id":)" + std::to_string(user) +
      R"(,"is_bot":false,"first_name":"Алёна","last_name":"Иванова","username":"alena_)" +
      std::to_string(user) + R"(","language_code":"ru"},"chat":{"id":)" + std::to_string(chat) +
      R"(,"first_name":"Алёна","last_name":"Иванова","username":"alena","type":"private"},"date":)" +
      std::to_string(1700000000 + id / 100) + R"(,"text":")" + text + R"("}})";
  return u;
}

std::vector<storage::UpdateRecord> make_batch(std::int64_t first_id) {
  std::vector<storage::UpdateRecord> batch;
  batch.reserve(kBatch);
  for (int i = 0; i < kBatch; ++i) batch.push_back(realistic_update(first_id + i));
  return batch;
}

// CPU seconds (user + system) this process has used so far: unlike wall time, barely moved by
// other processes competing for the cores.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

// Bytes this process has written so far (Linux: /proc/self/io), 0 where unknown.
double bytes_written() {
  std::ifstream io("/proc/self/io");
  std::string key;
  double value = 0;
  while (io >> key >> value) {
    if (key == "wchar:") return value;
  }
  return 0;
}

// What a measured run did, from its start.
struct Meter {
  Clock::time_point start = Clock::now();
  double cpu = cpu_seconds();
  double written = bytes_written();
};

void report(const char* mode, int n, const Meter& m, std::uint64_t transactions,
            const std::filesystem::path& db_file) {
  const auto elapsed = Clock::now() - m.start;
  const double cpu = cpu_seconds() - m.cpu;
  const double written = bytes_written() - m.written;
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(db_file, ec);
  std::printf(
      "[rate] %-26s %7d updates in %6.3f s = %6.0f updates/s (CPU %.1f us, %.1f KB written per "
      "update; %llu transactions, db %.0f MB)\n",
      mode, n, seconds, n / seconds, cpu / n * 1e6, written / n / 1e3,
      static_cast<unsigned long long>(transactions), ec ? 0.0 : static_cast<double>(bytes) / 1e6);
}

class InsertRate : public StoreTest {
 protected:
  void SetUp() override {
    SqliteOptions o;
    o.cache_size_kib = env_int("TGKEEP_SQLITE_RATE_CACHE_KIB", static_cast<int>(o.cache_size_kib));
    open_store(o);
    next_id_ = 1;
    if (const int prefill = round_to_batch(env_int("TGKEEP_SQLITE_RATE_PREFILL", 0));
        prefill > kBatch) {
      std::printf("[rate] prefilling %d updates (untimed)\n", prefill);
      EXPECT_EQ(pipelined(prefill, false), prefill);
    }
  }

  // Commits n updates, up to `in flight` batches queued at once, as an intake under load would.
  // Returns how many were stored.
  int pipelined(int n, bool progress) {
    const int max_in_flight = env_int("TGKEEP_SQLITE_RATE_IN_FLIGHT", 64);
    std::mutex mu;
    std::condition_variable cv;
    int in_flight = 0;
    int stored = 0;
    auto segment_start = Clock::now();
    for (int done = 0; done < n; done += kBatch) {
      auto batch = make_batch(next_id_);
      next_id_ += kBatch;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return in_flight < max_in_flight; });
        ++in_flight;
      }
      store->commit_updates(std::move(batch), [&](Result<storage::CommitSummary> r) {
        std::lock_guard lock(mu);
        if (r.ok()) stored += static_cast<int>(r->stored);
        --in_flight;
        cv.notify_all();
      });
      if (progress && n > kSegment && (done + kBatch) % kSegment == 0) {
        const auto now = Clock::now();
        std::printf("[rate]   updates %7d..%7d: %6.0f updates/s\n", done + kBatch - kSegment + 1,
                    done + kBatch,
                    kSegment / std::chrono::duration<double>(now - segment_start).count());
        segment_start = now;
      }
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
    return stored;
  }

  std::int64_t next_id_ = 1;
};

TEST_F(InsertRate, Pipelined) {
  const int n = round_to_batch(env_int("TGKEEP_SQLITE_RATE_UPDATES", 200000));
  const auto before = store->transactions_committed();
  const Meter meter;
  const int stored = pipelined(n, true);
  report("pipelined (batches queued)", n, meter, store->transactions_committed() - before,
         db_file());
  EXPECT_EQ(stored, n);
}

// One batch at a time, waiting for each: long polling's pattern, one fsync per 100 updates.
TEST_F(InsertRate, OneBatchAtATime) {
  const int n = round_to_batch(env_int("TGKEEP_SQLITE_RATE_UPDATES", 200000) / 4);
  const auto before = store->transactions_committed();
  const Meter meter;
  int stored = 0;
  for (int done = 0; done < n; done += kBatch) {
    auto batch = make_batch(next_id_);
    next_id_ += kBatch;
    auto r = await<storage::CommitSummary>(
        [&](auto cb) { store->commit_updates(std::move(batch), std::move(cb)); });
    ASSERT_TRUE(r.ok()) << r.error().message;
    stored += static_cast<int>(r->stored);
  }
  report("one batch at a time", n, meter, store->transactions_committed() - before, db_file());
  EXPECT_EQ(stored, n);
}

}  // namespace
}  // namespace tgkeep::sqlite::testing
