#include "hot/hot_tier.hpp"

#include <algorithm>
#include <charconv>

#include <spdlog/spdlog.h>

#include "hot/hot_codec.hpp"

namespace tgkeep::hot {

namespace asio = boost::asio;
using redis::CommandBatch;
using redis::RedisError;
using redis::RedisResult;
using redis::RedisStatus;
using redis::Reply;

namespace {

// Dirty chats tracked one by one up to this many; beyond it every list is dropped (SCAN).
constexpr std::size_t kMaxDirty = 100'000;
constexpr std::size_t kMaxExpiryTracked = 1'000'000;

std::int64_t millis(std::chrono::seconds s) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(s).count();
}

std::optional<std::int64_t> as_integer(const Reply& reply) {
  if (reply.is_integer()) return reply.integer;
  if (!reply.is_string()) return std::nullopt;
  std::int64_t n = 0;
  const char* end = reply.text.data() + reply.text.size();
  auto [ptr, ec] = std::from_chars(reply.text.data(), end, n);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return n;
}

// Messages grouped by chat, chats in order of first appearance, messages in order.
struct ChatEntries {
  std::vector<std::int64_t> chats;
  std::unordered_map<std::int64_t, std::vector<std::string>> entries;

  void add(const storage::MessageRecord& message) { add(message.chat_id, encode_entry(message)); }
  void add(std::int64_t chat_id, std::string entry) {
    auto [it, inserted] = entries.try_emplace(chat_id);
    if (inserted) chats.push_back(chat_id);
    it->second.push_back(std::move(entry));
  }
};

}  // namespace

HotTier::HotTier(redis::Client& client, HotKeys keys, HotTierOptions options)
    : client_(client), keys_(std::move(keys)), options_(options) {}

RedisError HotTier::note_failure(RedisError error) {
  ++counters_.failures;
  return error;
}

void HotTier::mark_dirty(std::span<const std::int64_t> chats) {
  for (std::int64_t chat : chats) {
    if (dirty_.size() >= kMaxDirty) {
      dirty_overflow_ = true;
      dirty_.clear();
      return;
    }
    dirty_.insert(chat);
  }
}

void HotTier::add_drop(CommandBatch& batch, std::int64_t chat_id) {
  const std::string seq = keys_.chat_history_seq(chat_id);
  batch.add("INCR", seq);
  batch.add("PEXPIRE", seq, millis(options_.history_idle));
  batch.add("UNLINK", keys_.chat_history(chat_id));
  expiry_refreshed_.erase(chat_id);
}

void HotTier::add_append(CommandBatch& batch, std::int64_t chat_id,
                         std::span<const std::string> entries) {
  const std::string key = keys_.chat_history(chat_id);
  std::vector<std::string_view> argv;
  argv.reserve(entries.size() + 2);
  argv.push_back("RPUSHX");
  argv.push_back(key);
  for (const auto& entry : entries) argv.push_back(entry);
  batch.add_argv(argv);

  const auto now = std::chrono::steady_clock::now();
  auto [it, inserted] = expiry_refreshed_.try_emplace(chat_id, now);
  if (inserted || now - it->second >= options_.history_idle / 16) {
    it->second = now;
    batch.add("PEXPIRE", key, millis(options_.history_idle));
  }
  if (expiry_refreshed_.size() > kMaxExpiryTracked) expiry_refreshed_.clear();
}

asio::awaitable<void> HotTier::repair() {
  if ((dirty_.empty() && !dirty_overflow_) || !up()) co_return;
  std::size_t dropped = 0;
  if (dirty_overflow_) {
    std::string cursor = "0";
    const std::string pattern = keys_.chat_history_pattern();
    do {
      auto scanned = co_await client_.command("SCAN", cursor, "MATCH", pattern, "COUNT", 1000);
      if (!scanned || !scanned->is_array() || scanned->elements.size() != 2) co_return;
      cursor = scanned->elements[0].text;
      CommandBatch batch;
      for (const auto& key : scanned->elements[1].elements) batch.add("UNLINK", key.text);
      if (!batch.empty()) {
        auto unlinked = co_await client_.pipeline(std::move(batch));
        if (!unlinked) co_return;
        dropped += unlinked->size();
      }
    } while (cursor != "0");
    dirty_overflow_ = false;
  }
  if (!dirty_.empty()) {
    CommandBatch batch;
    for (std::int64_t chat : dirty_) add_drop(batch, chat);
    auto done = co_await client_.pipeline(std::move(batch));
    if (!done) co_return;
    dropped += dirty_.size();
    dirty_.clear();
  }
  counters_.dropped_lists += dropped;
  spdlog::info(
      "hot tier: dropped {} chat histories written while Redis was unreachable; they refill "
      "from the system of record",
      dropped);
}

asio::awaitable<RedisResult<std::vector<bool>>> HotTier::known_updates(
    std::span<const std::int64_t> update_ids) {
  CommandBatch batch;
  for (std::int64_t id : update_ids) batch.add("EXISTS", keys_.update_seen(id));
  auto replies = co_await client_.pipeline(std::move(batch));
  if (!replies) co_return note_failure(replies.error());
  std::vector<bool> known;
  known.reserve(update_ids.size());
  for (const Reply& reply : *replies) {
    if (reply.is_error()) co_return note_failure(client_.error_of(reply));
    known.push_back(reply.is_integer() && reply.integer == 1);
  }
  co_return known;
}

asio::awaitable<RedisStatus> HotTier::after_commit(std::span<const storage::UpdateRecord> updates) {
  const UpdateCommands no_outbox;
  HotWrite written = co_await after_commit(updates, no_outbox);
  co_return std::move(written.hot);
}

RedisStatus HotTier::leading_status(const RedisResult<std::vector<Reply>>& replies,
                                    std::size_t count) {
  if (count == 0) return RedisStatus::success();
  if (!replies) return RedisStatus(replies.error());
  for (std::size_t i = 0; i < count && i < replies->size(); ++i) {
    if ((*replies)[i].is_error()) return RedisStatus(note_failure(client_.error_of((*replies)[i])));
  }
  return RedisStatus::success();
}

asio::awaitable<HotWrite> HotTier::after_commit(std::span<const storage::UpdateRecord> updates,
                                                const UpdateCommands& outbox) {
  co_await repair();
  // The history entries of new messages, in the order of `updates` ("" for none).
  std::vector<std::string> entries(updates.size());
  for (std::size_t i = 0; i < updates.size(); ++i) {
    const auto& message = updates[i].message;
    if (!message || message->edited) continue;
    if (message->update_id) {
      entries[i] = encode_entry(*message);
    } else {
      storage::MessageRecord with_id = *message;
      with_id.update_id = updates[i].update_id;
      entries[i] = encode_entry(with_id);
    }
  }
  CommandBatch batch;
  if (outbox) {
    for (std::size_t i = 0; i < updates.size(); ++i) outbox(batch, updates[i], entries[i]);
  }
  const std::size_t leading = batch.size();
  const auto dedupe_seconds = options_.dedupe_ttl.count();
  ChatEntries appends;
  std::vector<std::int64_t> dropped;
  std::unordered_set<std::int64_t> users;
  for (std::size_t i = 0; i < updates.size(); ++i) {
    const auto& update = updates[i];
    batch.add("SET", keys_.update_seen(update.update_id), "1", "EX", dedupe_seconds);
    if (update.user && users.insert(update.user->id).second) {
      batch.add("UNLINK", keys_.user_profile(update.user->id));
    }
    if (!update.message) continue;
    if (update.message->edited) {
      if (std::find(dropped.begin(), dropped.end(), update.message->chat_id) == dropped.end())
        dropped.push_back(update.message->chat_id);
      continue;
    }
    appends.add(update.message->chat_id, std::move(entries[i]));
  }
  for (std::int64_t chat : dropped) add_drop(batch, chat);
  std::vector<std::int64_t> appended;
  std::vector<std::size_t> reply_index;
  for (std::int64_t chat : appends.chats) {
    if (std::find(dropped.begin(), dropped.end(), chat) != dropped.end()) continue;
    reply_index.push_back(batch.size());
    appended.push_back(chat);
    add_append(batch, chat, appends.entries[chat]);
  }
  auto replies = co_await client_.pipeline(std::move(batch));
  HotWrite out;
  out.outbox = leading_status(replies, leading);
  if (!replies) {
    mark_dirty(appended);
    mark_dirty(dropped);
    out.hot = note_failure(replies.error());
    co_return out;
  }
  std::optional<RedisError> first_error;
  for (std::size_t i = leading; i < replies->size(); ++i) {
    const Reply& reply = (*replies)[i];
    if (reply.is_error() && !first_error) first_error = client_.error_of(reply);
  }
  if (first_error) {
    // Which write failed matters little: treat every touched chat as unknown.
    mark_dirty(appended);
    mark_dirty(dropped);
    out.hot = note_failure(*first_error);
    co_return out;
  }
  std::vector<std::int64_t> lengths;
  for (std::size_t index : reply_index) lengths.push_back((*replies)[index].integer);
  out.hot = co_await settle_appends(appended, lengths);
  co_return out;
}

asio::awaitable<RedisStatus> HotTier::append(std::span<const storage::MessageRecord> messages) {
  HotWrite written = co_await append(messages, CommandBatch());
  co_return std::move(written.hot);
}

asio::awaitable<HotWrite> HotTier::append(std::span<const storage::MessageRecord> messages,
                                          CommandBatch outbox) {
  co_await repair();
  ChatEntries appends;
  for (const auto& message : messages) appends.add(message);
  const std::size_t leading = outbox.size();
  CommandBatch batch = std::move(outbox);
  std::vector<std::size_t> reply_index;
  for (std::int64_t chat : appends.chats) {
    reply_index.push_back(batch.size());
    add_append(batch, chat, appends.entries[chat]);
  }
  auto replies = co_await client_.pipeline(std::move(batch));
  HotWrite out;
  out.outbox = leading_status(replies, leading);
  if (!replies) {
    mark_dirty(appends.chats);
    out.hot = note_failure(replies.error());
    co_return out;
  }
  std::vector<std::int64_t> lengths;
  for (std::size_t index : reply_index) {
    const Reply& reply = (*replies)[index];
    if (reply.is_error()) {
      mark_dirty(appends.chats);
      out.hot = note_failure(client_.error_of(reply));
      co_return out;
    }
    lengths.push_back(reply.integer);
  }
  out.hot = co_await settle_appends(appends.chats, lengths);
  co_return out;
}

asio::awaitable<RedisStatus> HotTier::settle_appends(const std::vector<std::int64_t>& chats,
                                                     const std::vector<std::int64_t>& lengths) {
  const auto cap = static_cast<std::int64_t>(options_.history_cap);
  const std::int64_t slack = std::max<std::int64_t>(8, cap / 8);
  CommandBatch batch;
  std::vector<std::int64_t> touched;
  for (std::size_t i = 0; i < chats.size(); ++i) {
    if (lengths[i] == 0) {
      // No list: a read-through fill may be racing with this write; make sure it cannot win.
      add_drop(batch, chats[i]);
      touched.push_back(chats[i]);
    } else if (lengths[i] > cap + 1 + slack) {
      batch.add("LTRIM", keys_.chat_history(chats[i]), -(cap + 1), -1);
      touched.push_back(chats[i]);
    }
  }
  if (batch.empty()) co_return RedisStatus::success();
  auto replies = co_await client_.pipeline(std::move(batch));
  if (!replies) {
    mark_dirty(touched);
    co_return note_failure(replies.error());
  }
  co_return RedisStatus::success();
}

asio::awaitable<RedisStatus> HotTier::drop_history(std::int64_t chat_id) {
  HotWrite written = co_await drop_history(chat_id, CommandBatch());
  co_return std::move(written.hot);
}

asio::awaitable<HotWrite> HotTier::drop_history(std::int64_t chat_id, CommandBatch outbox) {
  co_await repair();
  const std::size_t leading = outbox.size();
  CommandBatch batch = std::move(outbox);
  add_drop(batch, chat_id);
  auto replies = co_await client_.pipeline(std::move(batch));
  HotWrite out;
  out.outbox = leading_status(replies, leading);
  if (!replies) {
    const std::vector<std::int64_t> chats(1, chat_id);
    mark_dirty(chats);
    out.hot = note_failure(replies.error());
  }
  co_return out;
}

asio::awaitable<RedisResult<HotHistory>> HotTier::history(std::int64_t chat_id, std::size_t limit) {
  co_await repair();
  HotHistory out;
  if (limit > options_.history_cap || dirty_overflow_ || dirty_.contains(chat_id)) {
    ++counters_.history_misses;
    co_return redis::make_error(redis::ErrorCode::unavailable,
                                "the hot tier cannot answer for this chat right now");
  }
  CommandBatch batch;
  batch.add("LRANGE", keys_.chat_history(chat_id), -static_cast<std::int64_t>(limit), -1);
  batch.add("GET", keys_.chat_history_seq(chat_id));
  auto replies = co_await client_.pipeline(std::move(batch));
  if (!replies) co_return note_failure(replies.error());
  const Reply& range = (*replies)[0];
  const Reply& seq = (*replies)[1];
  if (range.is_error()) co_return note_failure(client_.error_of(range));
  if (!range.is_array()) co_return note_failure(redis::unexpected_reply(range, "LRANGE"));
  if (range.elements.empty()) {
    ++counters_.history_misses;
    out.seq = seq.is_string() ? seq.text : std::string();
    co_return out;
  }
  out.present = true;
  std::unordered_set<std::string> seen;
  for (const Reply& element : range.elements) {
    if (element.text.empty()) continue;  // the marker at the list's head
    auto message = decode_entry(element.text);
    if (!message) {
      // Not ours or damaged: drop the list; this read goes to the system of record.
      co_await drop_history(chat_id);
      co_return redis::make_error(redis::ErrorCode::protocol, message.error().message);
    }
    if (seen.insert(entry_identity(*message)).second) out.messages.push_back(std::move(*message));
  }
  // Appends arrive in handling order; a chat's history is in update order (a reply right after
  // its question), as the system of record keeps it.
  std::stable_sort(out.messages.begin(), out.messages.end(), [](const auto& a, const auto& b) {
    return a.update_id.value_or(0) < b.update_id.value_or(0);
  });
  ++counters_.history_hits;
  co_return out;
}

asio::awaitable<RedisResult<bool>> HotTier::seed_history(
    std::int64_t chat_id, const std::string& seq,
    std::span<const storage::MessageRecord> messages) {
  std::vector<std::string> args;
  args.reserve(messages.size() + 5);
  args.push_back(keys_.chat_history(chat_id));
  args.push_back(keys_.chat_history_seq(chat_id));
  args.push_back(seq);
  args.push_back(std::to_string(options_.history_cap));
  args.push_back(std::to_string(millis(options_.history_idle)));
  const std::size_t skip =
      messages.size() > options_.history_cap ? messages.size() - options_.history_cap : 0;
  for (const auto& message : messages.subspan(skip)) args.push_back(encode_entry(message));
  auto reply = co_await eval(seed_history_script(), std::move(args), 2);
  if (!reply) co_return note_failure(reply.error());
  if (!reply->is_integer()) co_return note_failure(redis::unexpected_reply(*reply, "the history fill"));
  if (reply->integer == 1) {
    ++counters_.seeds;
    expiry_refreshed_[chat_id] = std::chrono::steady_clock::now();
  }
  co_return reply->integer == 1;
}

asio::awaitable<RedisResult<Reply>> HotTier::eval(const Script& script,
                                                  std::vector<std::string> args,
                                                  std::size_t key_count) {
  const std::string keys = std::to_string(key_count);
  std::vector<std::string_view> argv;
  argv.reserve(args.size() + 3);
  argv.push_back("EVALSHA");
  argv.push_back(script.sha1);
  argv.push_back(keys);
  for (const auto& arg : args) argv.push_back(arg);
  auto reply = co_await client_.command_argv(argv);
  if (!reply && reply.error().code == redis::ErrorCode::noscript) {
    // A restarted or flushed server forgot the script: send its text once (EVAL caches it).
    argv[0] = "EVAL";
    argv[1] = script.text;
    reply = co_await client_.command_argv(argv);
  }
  co_return reply;
}

asio::awaitable<RedisResult<std::optional<storage::UserRecord>>> HotTier::profile(
    std::int64_t user_id) {
  auto reply = co_await client_.command("GET", keys_.user_profile(user_id));
  if (!reply) co_return note_failure(reply.error());
  std::optional<storage::UserRecord> none;
  if (!reply->is_string()) co_return none;
  auto user = decode_profile(reply->text);
  if (!user || user->id != user_id) {
    co_await drop_profile(user_id);
    co_return none;
  }
  co_return std::optional<storage::UserRecord>(std::move(*user));
}

asio::awaitable<RedisStatus> HotTier::cache_profile(const storage::UserRecord& user) {
  auto reply = co_await client_.command("SET", keys_.user_profile(user.id), encode_profile(user),
                                        "EX", options_.profile_ttl.count());
  if (!reply) co_return note_failure(reply.error());
  co_return RedisStatus::success();
}

asio::awaitable<RedisStatus> HotTier::drop_profile(std::int64_t user_id) {
  auto reply = co_await client_.command("UNLINK", keys_.user_profile(user_id));
  if (!reply) co_return note_failure(reply.error());
  co_return RedisStatus::success();
}

asio::awaitable<RedisResult<QuotaCount>> HotTier::consume_quota(std::int64_t user_id,
                                                                const std::string& window_id,
                                                                std::int64_t limit,
                                                                std::chrono::milliseconds ttl,
                                                                std::int64_t seed) {
  std::vector<std::string> args;
  args.push_back(keys_.user_usage(user_id, window_id));
  args.push_back(std::to_string(limit));
  args.push_back(std::to_string(ttl.count()));
  args.push_back(std::to_string(seed));
  auto reply = co_await eval(consume_quota_script(), std::move(args), 1);
  if (!reply) co_return note_failure(reply.error());
  if (!reply->is_array() || reply->elements.size() != 2 || !reply->elements[0].is_integer() ||
      !reply->elements[1].is_integer()) {
    co_return note_failure(redis::unexpected_reply(*reply, "the quota script"));
  }
  QuotaCount count;
  count.used = reply->elements[1].integer;
  const auto state = reply->elements[0].integer;
  count.state = state == 1   ? QuotaCount::State::consumed
                : state == 0 ? QuotaCount::State::spent
                             : QuotaCount::State::needs_seed;
  co_return count;
}

asio::awaitable<RedisResult<std::optional<std::int64_t>>> HotTier::usage(
    std::int64_t user_id, const std::string& window_id) {
  auto reply = co_await client_.command("GET", keys_.user_usage(user_id, window_id));
  if (!reply) co_return note_failure(reply.error());
  co_return as_integer(*reply);
}

asio::awaitable<RedisResult<std::int64_t>> HotTier::lexicon_version() {
  auto reply = co_await client_.command("GET", keys_.lexicon_version());
  if (!reply) co_return note_failure(reply.error());
  co_return as_integer(*reply).value_or(0);
}

asio::awaitable<RedisResult<std::int64_t>> HotTier::bump_lexicon_version() {
  auto reply = co_await client_.command("INCR", keys_.lexicon_version());
  if (!reply) co_return note_failure(reply.error());
  co_return reply->integer;
}

}  // namespace tgkeep::hot
