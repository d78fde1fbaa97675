// hot_tier_bench: the hot tier's history append throughput and history read latency against a
// running Redis (bench/redis_hot_tier.py runs it beside redis-benchmark).
//
//   hot_tier_bench HOST PORT append [--chats N] [--messages M] [--batch B] [--inflight K]
//                                   [--pool P] [--seed S]
//     (defaults: 10000 chats, 1000000 messages, batches of 100, 8 in flight, 2 connections,
//      20 seeded messages per chat)
//   hot_tier_bench HOST PORT read [--chats N] [--reads R] [--pool P] [--seed S]
//     (defaults: 10000 chats, 20000 reads, 2 connections, 60 seeded messages per chat)
//
// Both first fill every chat's list the way the read path does (a history miss, then
// seed_history). append: batches of B messages over random chats, as intake hands them over, K
// batches in flight. read: history(chat, 50) of random chats one at a time, the latency a handler
// sees. Prints one line of JSON. Writes keys under "tgkeep-bench:": use a scratch server.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "hot/hot_codec.hpp"
#include "hot/hot_tier.hpp"
#include "redis/client.hpp"
#include "util/testing/run.hpp"

namespace {

namespace asio = boost::asio;
using tgkeep::hot::HotKeys;
using tgkeep::hot::HotTier;
using tgkeep::redis::Client;
using tgkeep::storage::MessageRecord;
using tgkeep::storage::Role;
using tgkeep::testing::run;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kFirstChat = 100'000'000;  // private chats: chat id = user id
constexpr std::int64_t kDate = 1'795'000'000;
constexpr std::size_t kReadLimit = 50;

struct Args {
  std::string mode;
  long chats = 10'000;
  long messages = 1'000'000;
  long batch = 100;
  long inflight = 8;
  long reads = 20'000;
  long pool = 2;
  long seed = -1;  // per mode
};

// Message texts of 60 to 120 bytes of UTF-8, whole words of mixed Russian, English and emoji
// (2- and 4-byte sequences, so the encoder's UTF-8 path is measured too).
std::vector<std::string> make_texts(std::mt19937_64& rng, std::size_t count) {
  static constexpr std::string_view kWords[] = {
      "привет",  "как",    "дела",     "сегодня", "погода",  "отличная", "спасибо",  "за",
      "помощь",  "что",    "нового",   "в",       "проекте", "hello",    "the",      "bot",
      "answers", "quick",  "question", "about",   "Redis",   "👍",        "😂",        "🔥",
      "ok",      "завтра", "встреча",  "в 10:00", "напомни", "please",   "thanks!",  "🙏",
      "ладно",   "да",     "нет",      "может",   "быть",    "link:",    "tg://bot", "👀"};
  std::uniform_int_distribution<std::size_t> size(60, 120);
  std::uniform_int_distribution<std::size_t> word(0, std::size(kWords) - 1);
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t target = size(rng);
    std::string text;
    while (true) {
      const std::string_view next = kWords[word(rng)];
      if (text.size() + 1 + next.size() > target && text.size() >= 60) break;
      if (!text.empty()) text += ' ';
      text += next;
    }
    texts.push_back(std::move(text));
  }
  return texts;
}

// Realistic records of one private chat: the user's messages and the bot's replies, alternating.
class Messages {
 public:
  explicit Messages(std::uint64_t seed) : rng_(seed), texts_(make_texts(rng_, 4096)) {}

  MessageRecord next(std::int64_t chat_id) {
    MessageRecord m;
    m.chat_id = chat_id;
    m.message_id = ++message_id_;
    m.update_id = (message_id_ + 1) / 2;  // a reply carries the update it answers
    m.date = kDate + message_id_ / 4;
    m.text = texts_[rng_() % texts_.size()];
    if (message_id_ % 2 == 1) {
      m.user_id = chat_id;
    } else {
      m.role = Role::assistant;
      m.reply_key = "u" + std::to_string(*m.update_id) + ".0";
    }
    return m;
  }
  std::int64_t random_chat(long chats) {
    return kFirstChat + static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(chats));
  }

 private:
  std::mt19937_64 rng_;
  std::vector<std::string> texts_;
  std::int64_t message_id_ = 0;
};

// Fills the lists of chats [first, first + count) as the read path does: a miss, then a seed.
asio::awaitable<long> seed_worker(HotTier& hot, Messages& gen, std::int64_t first, long count,
                                  long messages) {
  long seeded = 0;
  for (long i = 0; i < count; ++i) {
    const std::int64_t chat = first + i;
    auto miss = co_await hot.history(chat, kReadLimit);
    if (miss && miss->present) {  // left by an earlier run: start from a known history
      co_await hot.drop_history(chat);
      miss = co_await hot.history(chat, kReadLimit);
    }
    if (!miss || miss->present) continue;
    std::vector<MessageRecord> history;
    for (long j = 0; j < messages; ++j) history.push_back(gen.next(chat));
    auto created = co_await hot.seed_history(chat, miss->seq, history);
    seeded += created && *created ? 1 : 0;
  }
  co_return seeded;
}

// 64 chats at a time: seeding is setup, not the figure.
bool seed_all(asio::io_context& io, HotTier& hot, Messages& gen, long chats, long messages) {
  constexpr long kWorkers = 64;
  const long share = (chats + kWorkers - 1) / kWorkers;
  long seeded = 0;
  long finished = 0;
  for (long w = 0; w < kWorkers; ++w) {
    const long count = std::max(0L, std::min(share, chats - w * share));
    asio::co_spawn(io, seed_worker(hot, gen, kFirstChat + w * share, count, messages),
                   [&](std::exception_ptr e, long n) {
                     if (e) std::rethrow_exception(e);
                     seeded += n;
                     ++finished;
                   });
  }
  io.restart();
  while (finished < kWorkers) io.run_one();
  if (seeded != chats) std::fprintf(stderr, "seeded %ld of %ld chats\n", seeded, chats);
  return seeded == chats;
}

// Appends batches of `batch` messages of random chats until `remaining` runs out (shared by all
// workers; one thread). Returns the messages appended.
asio::awaitable<long> append_worker(HotTier& hot, Messages& gen, const Args& args,
                                    long& remaining) {
  long appended = 0;
  std::vector<MessageRecord> batch;
  while (remaining > 0) {
    const long n = std::min(args.batch, remaining);
    remaining -= n;
    batch.clear();
    for (long i = 0; i < n; ++i) batch.push_back(gen.next(gen.random_chat(args.chats)));
    auto status = co_await hot.append(batch);
    if (!status) {
      std::fprintf(stderr, "append: %s\n", status.error().message.c_str());
      co_return appended;
    }
    appended += n;
  }
  co_return appended;
}

int bench_append(asio::io_context& io, HotTier& hot, const Args& args) {
  Messages gen(1);
  if (!seed_all(io, hot, gen, args.chats, args.seed)) return 1;
  // The average entry as stored, from a sample drawn like the appended ones.
  double entry_bytes = 0;
  for (int i = 0; i < 10'000; ++i) {
    entry_bytes += static_cast<double>(
        tgkeep::hot::encode_entry(gen.next(gen.random_chat(args.chats))).size());
  }
  entry_bytes /= 10'000;

  long remaining = args.messages;
  long appended = 0;
  long finished = 0;
  const auto start = Clock::now();
  for (long w = 0; w < args.inflight; ++w) {
    asio::co_spawn(io, append_worker(hot, gen, args, remaining), [&](std::exception_ptr e, long n) {
      if (e) std::rethrow_exception(e);
      appended += n;
      ++finished;
    });
  }
  io.restart();
  while (finished < args.inflight) io.run_one();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  const auto& c = hot.counters();
  std::printf(
      "{\"bench\":\"hot_history_append\",\"messages\":%ld,\"chats\":%ld,\"batch\":%ld,"
      "\"inflight\":%ld,\"pool\":%ld,\"seconds\":%.3f,\"messages_per_s\":%.0f,"
      "\"entry_bytes\":%.1f,\"failures\":%llu,\"dropped_lists\":%llu}\n",
      appended, args.chats, args.batch, args.inflight, args.pool, seconds,
      static_cast<double>(appended) / seconds, entry_bytes,
      static_cast<unsigned long long>(c.failures),
      static_cast<unsigned long long>(c.dropped_lists));
  return appended == args.messages && c.failures == 0 && c.dropped_lists == 0 ? 0 : 1;
}

// Sequential reads; latencies[i] in microseconds. False on a miss or an error.
asio::awaitable<bool> read_worker(HotTier& hot, Messages& gen, const Args& args, long count,
                                  std::vector<double>& latencies) {
  for (long i = 0; i < count; ++i) {
    const std::int64_t chat = gen.random_chat(args.chats);
    const auto start = Clock::now();
    auto got = co_await hot.history(chat, kReadLimit);
    const auto end = Clock::now();
    if (!got || !got->present || got->messages.size() != kReadLimit) {
      std::fprintf(stderr, "history of chat %lld: %s\n", static_cast<long long>(chat),
                   got ? "a miss or short" : got.error().message.c_str());
      co_return false;
    }
    latencies.push_back(std::chrono::duration<double, std::micro>(end - start).count());
  }
  co_return true;
}

int bench_read(asio::io_context& io, HotTier& hot, const Args& args) {
  Messages gen(2);
  if (!seed_all(io, hot, gen, args.chats, args.seed)) return 1;
  std::vector<double> latencies;
  latencies.reserve(static_cast<std::size_t>(args.reads));
  // A warm-up pass (connections, allocator, caches) that is not counted.
  if (!run(io, read_worker(hot, gen, args, std::min(1000L, args.reads), latencies))) return 1;
  latencies.clear();
  if (!run(io, read_worker(hot, gen, args, args.reads, latencies))) return 1;
  std::sort(latencies.begin(), latencies.end());
  const auto at = [&](double q) {
    return latencies[std::min(latencies.size() - 1,
                              static_cast<std::size_t>(q * static_cast<double>(latencies.size())))];
  };
  double sum = 0;
  for (double l : latencies) sum += l;
  std::printf(
      "{\"bench\":\"hot_history_read_last50\",\"reads\":%zu,\"chats\":%ld,\"seeded\":%ld,"
      "\"mean_us\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,"
      "\"sample_key\":\"%s\"}\n",
      latencies.size(), args.chats, args.seed, sum / static_cast<double>(latencies.size()),
      at(0.50), at(0.99), at(0.999), latencies.back(), hot.keys().chat_history(kFirstChat).c_str());
  return 0;
}

bool parse(int argc, char** argv, Args& args) {
  if (argc < 4) return false;
  args.mode = argv[3];
  if (args.mode != "append" && args.mode != "read") return false;
  for (int i = 4; i + 1 < argc; i += 2) {
    const std::string_view name = argv[i];
    const long value = std::atol(argv[i + 1]);
    if (value <= 0) return false;
    if (name == "--chats") {
      args.chats = value;
    } else if (name == "--messages") {
      args.messages = value;
    } else if (name == "--batch") {
      args.batch = value;
    } else if (name == "--inflight") {
      args.inflight = value;
    } else if (name == "--reads") {
      args.reads = value;
    } else if (name == "--pool") {
      args.pool = value;
    } else if (name == "--seed") {
      args.seed = value;
    } else {
      return false;
    }
  }
  if ((argc - 4) % 2 != 0) return false;
  // Reads need lists of at least 50 messages; appends start from a typical short history.
  if (args.seed < 0) args.seed = args.mode == "read" ? 60 : 20;
  return args.mode != "read" || args.seed >= static_cast<long>(kReadLimit);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: %s HOST PORT append|read [--chats N] [--messages M] [--batch B] "
                 "[--inflight K] [--reads R] [--pool P] [--seed S]\n",
                 argv[0]);
    return 2;
  }
  tgkeep::redis::Options options;
  options.host = argv[1];
  options.port = static_cast<std::uint16_t>(std::atoi(argv[2]));
  options.pool_size = static_cast<std::size_t>(args.pool);
  // A stall of the scratch server (its first allocations) must not count as an outage.
  options.command_timeout = std::chrono::seconds(10);

  asio::io_context io;
  auto created = Client::create(io.get_executor(), options);
  if (!created) {
    std::fprintf(stderr, "%s\n", created.error().message.c_str());
    return 1;
  }
  Client& client = *created.value();
  auto connected = run(io, client.connect());
  if (!connected) {
    std::fprintf(stderr, "%s\n", connected.error().message.c_str());
    return 1;
  }
  io.run_for(std::chrono::milliseconds(100));  // the rest of the pool
  HotTier hot(client, HotKeys::with_prefix("tgkeep-bench").value(), {});
  const int rc = args.mode == "append" ? bench_append(io, hot, args) : bench_read(io, hot, args);
  client.shutdown();
  io.restart();
  io.run_for(std::chrono::milliseconds(100));
  return rc;
}
