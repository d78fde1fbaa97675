// outbox_pg_writer_bench: write_to_postgres's throughput beside a plain COPY of the same message
// rows, against a running PostgreSQL (bench/outbox_pg_writer.py gives it a fresh database).
//
//   outbox_pg_writer_bench CONNINFO [--entries N] [--chats C] [--batch B] [--seed S]
//     (defaults: 100000 entries, 5000 chats, batches of 1000)
//
// Generates N update entries as intake makes them: text messages of 90 to 110 bytes of mixed
// Cyrillic and ASCII words in C private chats, each with its raw update JSON and its sender.
// Migrates the database, writes the entries with write_to_postgres in batches of B, then empties
// the tables and COPYs the same message rows into messages (the same columns): once as a single
// COPY (the figure the writer is held against), once as one COPY per B rows. Both sides' times
// include formatting their data. Prints one line of JSON; exits 1 when anything fails.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include "outbox/pg_writer.hpp"
#include "pg/migrations.hpp"
#include "pg/store_sql.hpp"
#include "util/json_writer.hpp"

namespace {

namespace asio = boost::asio;
using tgkeep::outbox::Entry;
using tgkeep::outbox::UpdateEntry;
using tgkeep::pg::Connection;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::int64_t kFirstChat = 200'000'000;  // private chats: chat id = user id
constexpr std::int64_t kDate = 1'795'000'000;
constexpr auto kTimeout = 120s;

struct Args {
  std::string conninfo;
  long entries = 100'000;
  long chats = 5'000;
  long batch = 1'000;
  long seed = 7;
};

// 90 to 110 bytes of words, half Cyrillic (2-byte UTF-8), half ASCII.
std::string make_text(std::mt19937_64& rng) {
  static constexpr std::string_view kRussian[] = {"да",        "нет",   "спасибо",  "хорошо",
                                                  "сообщение", "бот",   "работает", "быстро",
                                                  "история",   "завтра"};
  static constexpr std::string_view kEnglish[] = {"ok",  "sync",     "outbox",  "batch", "copy",
                                                  "row", "postgres", "message", "fast",  "later"};
  const std::size_t target = 90 + rng() % 21;
  std::string text;
  for (;;) {
    const std::string_view word = rng() % 2 ? kRussian[rng() % 10] : kEnglish[rng() % 10];
    if (text.size() + 1 + word.size() > target) break;
    if (!text.empty()) text += ' ';
    text += word;
  }
  return text;
}

std::string raw_update(const tgkeep::storage::UpdateRecord& u) {
  const auto& m = *u.message;
  const auto& user = *u.user;
  tgkeep::JsonWriter w;
  w.begin_object();
  w.key("update_id");
  w.value(u.update_id);
  w.key("message");
  w.begin_object();
  w.key("message_id");
  w.value(*m.message_id);
  for (std::string_view part : {"from", "chat"}) {
    w.key(part);
    w.begin_object();
    w.key("id");
    w.value(user.id);
    if (part == "from") {
      w.key("is_bot");
      w.value(false);
      w.key("language_code");
      w.value(user.language_code);
    } else {
      w.key("type");
      w.value("private");
    }
    w.key("first_name");
    w.value(user.first_name);
    w.key("username");
    w.value(user.username);
    w.end_object();
  }
  w.key("date");
  w.value(m.date);
  w.key("text");
  w.value(m.text);
  w.end_object();
  w.end_object();
  return w.release();
}

// The updates of `chats` private chats, each a text message from the chat's user.
std::vector<Entry> make_entries(const Args& args) {
  std::mt19937_64 rng(static_cast<std::uint64_t>(args.seed));
  std::vector<std::string> texts;
  for (int i = 0; i < 4096; ++i) texts.push_back(make_text(rng));
  static constexpr std::string_view kNames[] = {"Анна", "Иван", "Maria", "John", "Ольга", "Alex"};
  std::vector<std::int64_t> last_message(static_cast<std::size_t>(args.chats), 0);
  std::vector<Entry> entries;
  entries.reserve(static_cast<std::size_t>(args.entries));
  for (long i = 0; i < args.entries; ++i) {
    const auto chat_index = rng() % static_cast<std::uint64_t>(args.chats);
    const std::int64_t chat = kFirstChat + static_cast<std::int64_t>(chat_index);
    tgkeep::storage::UpdateRecord u;
    u.update_id = i + 1;
    u.type = "message";
    u.chat_id = chat;
    u.needs_handling = true;
    tgkeep::storage::MessageRecord m;
    m.chat_id = chat;
    m.message_id = ++last_message[chat_index];
    m.user_id = chat;
    m.text = texts[rng() % texts.size()];
    m.date = kDate + i / 50;
    u.message = m;
    tgkeep::storage::UserRecord user;
    user.id = chat;
    user.username = fmt::format("user{}", chat);
    user.first_name = std::string(kNames[chat_index % 6]);
    user.language_code = chat_index % 3 ? "ru" : "en";
    user.seen_at = m.date;
    u.user = user;
    u.raw_json = raw_update(u);
    UpdateEntry entry;
    entry.update = std::move(u);
    entry.received_at = kDate + i / 50 + 1;
    entries.emplace_back(std::move(entry));
  }
  return entries;
}

// The messages rows of `entries` in COPY's text format (the bench's texts need no escaping).
std::string message_rows(std::span<const Entry> entries) {
  std::string out;
  for (const Entry& e : entries) {
    const auto& u = std::get<UpdateEntry>(e).update;
    const auto& m = *u.message;
    fmt::format_to(std::back_inserter(out), "{}\t{}\t{}\tuser\t{}\t{}\t{}\tf\t\\N\t\\N\tsent\n",
                   m.chat_id, *m.message_id, *m.user_id, m.text, m.date, u.update_id);
  }
  return out;
}

void check(bool ok, std::string_view what, std::string_view message) {
  if (ok) return;
  std::fprintf(stderr, "outbox_pg_writer_bench: %.*s: %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(message.size()), message.data());
  std::exit(1);
}

// Exits when `result` failed (not a coroutine: no conditional temporaries in coroutine bodies).
template <class R>
void check_result(const R& result, std::string_view what) {
  if (!result.ok()) check(false, what, result.error().message);
}

asio::awaitable<void> sql(Connection& db, std::string text) {
  auto done = co_await db.query(tgkeep::pg::sql::plain(std::move(text)), kTimeout);
  check_result(done, "a statement");
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// COPYs the message rows of `entries` in chunks of `chunk`; returns the seconds it took.
asio::awaitable<double> copy_messages(Connection& db, std::span<const Entry> entries,
                                      std::size_t chunk) {
  const std::string copy =
      fmt::format("COPY messages ({}) FROM STDIN", tgkeep::pg::sql::kMessageColumns);
  const auto start = Clock::now();
  for (std::size_t at = 0; at < entries.size(); at += chunk) {
    const auto part = entries.subspan(at, std::min(chunk, entries.size() - at));
    auto copied = co_await db.copy_in(copy, message_rows(part), kTimeout);
    check_result(copied, "COPY into messages");
  }
  co_return seconds_since(start);
}

asio::awaitable<std::string> bench(const Args& args) {
  const std::vector<Entry> entries = make_entries(args);
  tgkeep::pg::ConnectOptions options;
  options.conninfo = args.conninfo;
  options.where = "PostgreSQL (bench)";
  auto connected = co_await Connection::connect(co_await asio::this_coro::executor, options);
  check_result(connected, "connecting");
  Connection& db = **connected;
  auto migrated = co_await tgkeep::pg::migrate(db);
  check_result(migrated, "migrating");
  const auto batch = static_cast<std::size_t>(args.batch);
  const std::span<const Entry> all(entries);
  const std::string empty_tables = "TRUNCATE raw_updates, messages, users RESTART IDENTITY";

  co_await sql(db, "CHECKPOINT");
  const auto start = Clock::now();
  for (std::size_t at = 0; at < all.size(); at += batch) {
    auto written = co_await tgkeep::outbox::write_to_postgres(
        db, all.subspan(at, std::min(batch, all.size() - at)), kTimeout);
    check_result(written, "write_to_postgres");
  }
  const double writer_s = seconds_since(start);

  co_await sql(db, empty_tables);
  co_await sql(db, "CHECKPOINT");
  const double copy_s = co_await copy_messages(db, all, all.size());
  co_await sql(db, empty_tables);
  co_await sql(db, "CHECKPOINT");
  const double batched_s = co_await copy_messages(db, all, batch);

  const double n = static_cast<double>(all.size());
  co_return fmt::format(
      "{{\"bench\":\"outbox_pg_writer\",\"entries\":{},\"chats\":{},\"batch\":{},"
      "\"writer_rows_per_s\":{:.0f},\"copy_rows_per_s\":{:.0f},\"ratio\":{:.3f},"
      "\"copy_batched_rows_per_s\":{:.0f},\"ratio_batched\":{:.3f}}}",
      all.size(), args.chats, batch, n / writer_s, n / copy_s, copy_s / writer_s, n / batched_s,
      batched_s / writer_s);
}

Args parse(int argc, char** argv) {
  Args args;
  check(argc >= 2, "usage", "outbox_pg_writer_bench CONNINFO [--entries N] [--chats C] ...");
  args.conninfo = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const long value = std::atol(argv[i + 1]);
    check(value > 0, "usage", flag);
    if (flag == "--entries") {
      args.entries = value;
    } else if (flag == "--chats") {
      args.chats = value;
    } else if (flag == "--batch") {
      args.batch = value;
    } else if (flag == "--seed") {
      args.seed = value;
    } else {
      check(false, "unknown flag", flag);
    }
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  asio::io_context io;
  std::optional<std::string> line;
  asio::co_spawn(io, bench(args), [&](std::exception_ptr e, std::string out) {
    if (e) std::rethrow_exception(e);
    line = std::move(out);
  });
  io.run();
  check(line.has_value(), "bench", "did not finish");
  std::printf("%s\n", line->c_str());
  return 0;
}
