// SqliteStore: the store thread, group commit, concurrency, flush and close.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "sqlite/sqlite_test_support.hpp"

namespace tgkeep::sqlite::testing {
namespace {

using namespace std::chrono_literals;
using storage::CommitSummary;

// Holds the store thread inside a completion until release(), so that everything queued
// meanwhile forms one batch.
class ThreadGate {
 public:
  explicit ThreadGate(SqliteStore& store) : open_(release_.get_future().share()) {
    auto held = std::make_shared<std::promise<void>>();
    auto is_held = held->get_future();
    store.flush([held, open = open_](Status) {
      held->set_value();
      open.wait();
    });
    is_held.wait();
  }
  void release() { release_.set_value(); }

 private:
  std::promise<void> release_;
  std::shared_future<void> open_;
};

// Counts completions and wakes a waiter when all have arrived.
class Countdown {
 public:
  explicit Countdown(int n) : left_(n) {}
  void arrive() {
    std::lock_guard lock(mu_);
    if (--left_ == 0) zero_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mu_);
    zero_.wait(lock, [this] { return left_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable zero_;
  int left_;
};

TEST_F(StoreTest, QueuedWritesCommitInOneTransaction) {
  ThreadGate gate(*store);
  const auto before = store->transactions_committed();
  constexpr int kOps = 1000;
  std::atomic<int> stored{0};
  Countdown all(kOps);
  for (int i = 1; i <= kOps; ++i) {
    store->commit_updates({message_update(i, 42, i, 7, "m")}, [&](Result<CommitSummary> r) {
      if (r.ok() && r->stored == 1) ++stored;
      all.arrive();
    });
  }
  gate.release();
  all.wait();
  EXPECT_EQ(stored.load(), kOps);
  EXPECT_EQ(store->transactions_committed() - before, 1u);  // max_batch is 1000
}

TEST_F(StoreTest, MaxBatchBoundsTheTransaction) {
  store.reset();
  SqliteOptions o;
  o.max_batch = 100;
  open_store(o);
  ThreadGate gate(*store);
  const auto before = store->transactions_committed();
  Countdown all(1000);
  for (int i = 1; i <= 1000; ++i) {
    store->commit_updates({message_update(i, 42, i, 7, "m")},
                          [&](Result<CommitSummary>) { all.arrive(); });
  }
  gate.release();
  all.wait();
  EXPECT_EQ(store->transactions_committed() - before, 10u);
}

TEST_F(StoreTest, AFailingWriteDoesNotSinkItsBatch) {
  auto first = reply(42, "u1.0", "sent");
  first.message_id = 77;
  ASSERT_TRUE(await<storage::ReplyState>([&](auto done) {
                store->record_reply(first, std::move(done));
              }).ok());

  ThreadGate gate(*store);
  std::promise<Result<CommitSummary>> a, c;
  std::promise<Result<storage::ReplyState>> b;
  store->commit_updates({message_update(1, 42, 1, 7, "before")},
                        [&](Result<CommitSummary> r) { a.set_value(std::move(r)); });
  auto clash = reply(42, "u2.0", "same Telegram message_id");
  clash.message_id = 77;  // breaks UNIQUE(chat_id, message_id, role) after writing nothing else
  store->record_reply(clash, [&](Result<storage::ReplyState> r) { b.set_value(std::move(r)); });
  store->commit_updates({message_update(2, 42, 2, 7, "after")},
                        [&](Result<CommitSummary> r) { c.set_value(std::move(r)); });
  gate.release();

  auto ra = a.get_future().get();
  auto rb = b.get_future().get();
  auto rc = c.get_future().get();
  EXPECT_TRUE(ra.ok());
  ASSERT_FALSE(rb.ok());
  EXPECT_EQ(rb.error().kind, ErrorKind::invalid_input);
  EXPECT_NE(rb.error().message.find("UNIQUE"), std::string::npos) << rb.error().message;
  EXPECT_TRUE(rc.ok());
  EXPECT_EQ(recent(42).size(), 3u);  // the first reply and two messages
}

// Disk full in the middle of a batch: SQLite abandons the transaction; the write that caused it
// fails, the others are run again and commit. A completion's verdict always matches the file.
TEST_F(StoreTest, DiskFullInABatchReportsEveryWriteTruthfully) {
  store.reset();
  SqliteOptions o;
  o.max_page_count = 40;
  open_store(o);

  ThreadGate gate(*store);
  std::promise<Result<CommitSummary>> a, b, c;
  store->commit_updates({message_update(1, 42, 1, 7, "before")},
                        [&](Result<CommitSummary> r) { a.set_value(std::move(r)); });
  storage::UpdateRecord big = message_update(2, 42, 2, 7, "big");
  big.raw_json = std::string(400 * 1024, 'j');
  store->commit_updates({big}, [&](Result<CommitSummary> r) { b.set_value(std::move(r)); });
  store->commit_updates({message_update(3, 42, 3, 7, "after")},
                        [&](Result<CommitSummary> r) { c.set_value(std::move(r)); });
  gate.release();

  auto ra = a.get_future().get();
  auto rb = b.get_future().get();
  auto rc = c.get_future().get();
  ASSERT_FALSE(rb.ok());
  EXPECT_EQ(rb.error().message, "disk full writing " + db_file().string());
  RawDb raw(db_file());
  EXPECT_EQ(raw.value("SELECT count(*) FROM raw_updates WHERE update_id = 1"), ra.ok() ? "1" : "0");
  EXPECT_EQ(raw.value("SELECT count(*) FROM raw_updates WHERE update_id = 2"), "0");
  EXPECT_EQ(raw.value("SELECT count(*) FROM raw_updates WHERE update_id = 3"), rc.ok() ? "1" : "0");
  EXPECT_TRUE(ra.ok()) << ra.error().message;  // retried after the loss
  EXPECT_TRUE(rc.ok()) << rc.error().message;  // writes after the failure go on
}

TEST_F(StoreTest, ReadQueuedAfterAWriteSeesIt) {
  ThreadGate gate(*store);
  store->commit_updates({message_update(1, 42, 1, 7, "x")}, [](Result<CommitSummary>) {});
  std::promise<std::size_t> seen;
  store->recent_messages(42, 10, [&](Result<std::vector<storage::MessageRecord>> r) {
    seen.set_value(r.ok() ? r->size() : 999);
  });
  gate.release();
  EXPECT_EQ(seen.get_future().get(), 1u);
}

TEST_F(StoreTest, ConcurrentCallersFromSeveralThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int id = t * kPerThread + i + 1;
        auto r = await<CommitSummary>([&](auto done) {
          store->commit_updates({message_update(id, 100 + t, i + 1, t, "m")}, std::move(done));
        });
        if (!r.ok() || r->stored != 1) ++failures;
        if (i % 25 == 0) {
          auto read = await<std::vector<storage::MessageRecord>>(
              [&](auto done) { store->recent_messages(100 + t, 5, std::move(done)); });
          if (!read.ok() || read->empty()) ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(recent(100 + t, 1000).size(), 250u);
  EXPECT_LE(store->transactions_committed(), static_cast<std::uint64_t>(kThreads * kPerThread));
}

TEST_F(StoreTest, FlushCompletesAfterEverythingBeforeItIsDurable) {
  std::atomic<int> committed{0};
  for (int i = 1; i <= 50; ++i) {
    store->commit_updates({message_update(i, 42, i, 7, "m")}, [&](Result<CommitSummary> r) {
      if (r.ok()) ++committed;
    });
  }
  ASSERT_TRUE(await_status([&](auto done) { store->flush(std::move(done)); }));
  EXPECT_EQ(committed.load(), 50);
  RawDb raw(db_file());
  EXPECT_EQ(raw.value("SELECT count(*) FROM messages"), "50");
}

TEST_F(StoreTest, CloseRunsWhatIsQueuedThenRefusesCalls) {
  auto gate = std::make_unique<ThreadGate>(*store);
  std::atomic<int> ok{0};
  for (int i = 1; i <= 100; ++i) {
    store->commit_updates({message_update(i, 42, i, 7, "m")}, [&](Result<CommitSummary> r) {
      if (r.ok()) ++ok;
    });
  }
  std::thread opener([&] {
    std::this_thread::sleep_for(50ms);
    gate->release();
  });
  store->close();  // waits for the gate, then for the 100 writes
  opener.join();
  EXPECT_EQ(ok.load(), 100);
  store->close();  // idempotent

  std::promise<std::pair<bool, std::thread::id>> late;
  store->commit_updates({message_update(1000, 42, 1000, 7, "late")}, [&](Result<CommitSummary> r) {
    late.set_value({r.ok(), std::this_thread::get_id()});
  });
  auto [late_ok, late_thread] = late.get_future().get();
  EXPECT_FALSE(late_ok);
  EXPECT_NE(late_thread, std::this_thread::get_id());  // never inside the call

  Status flushed = await_status([&](auto done) { store->flush(std::move(done)); });
  ASSERT_FALSE(flushed.ok());
  EXPECT_EQ(flushed.error().message, "the SQLite store is closed");

  store.reset();
  open_store();
  EXPECT_EQ(recent(42, 1000).size(), 100u);
}

TEST_F(StoreTest, CompletionsMayQueueMoreWorkAndMayThrow) {
  std::promise<std::size_t> nested;
  store->commit_updates({message_update(1, 42, 1, 7, "x")}, [&](Result<CommitSummary>) {
    store->recent_messages(42, 10, [&](Result<std::vector<storage::MessageRecord>> r) {
      nested.set_value(r.ok() ? r->size() : 0);
    });
  });
  EXPECT_EQ(nested.get_future().get(), 1u);

  store->flush([](Status) { throw std::runtime_error("a buggy completion (expected in test)"); });
  EXPECT_EQ(commit({message_update(2, 42, 2, 7, "y")}).stored, 1u);  // the thread lives on
}

}  // namespace
}  // namespace tgkeep::sqlite::testing
