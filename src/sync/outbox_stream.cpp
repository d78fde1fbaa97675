#include "sync/outbox_stream.hpp"

#include <charconv>

#include "outbox/entry_codec.hpp"

namespace tgkeep::sync {

namespace asio = boost::asio;
using outbox::StreamId;
using redis::CommandBatch;
using redis::RedisResult;
using redis::RedisStatus;
using redis::Reply;

namespace {

// A reply's state outlives any sync lag by far; PostgreSQL has it long before it expires.
constexpr std::int64_t kReplyStateSeconds = 2 * 24 * 3600;

}  // namespace

std::chrono::milliseconds Backlog::lag(std::chrono::system_clock::time_point now) const {
  if (!oldest) return std::chrono::milliseconds(0);
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const auto oldest_ms = static_cast<std::int64_t>(oldest->ms);
  return std::chrono::milliseconds(now_ms > oldest_ms ? now_ms - oldest_ms : 0);
}

std::string reply_state_text(storage::ReplyStatus status, std::optional<std::int64_t> message_id) {
  switch (status) {
    case storage::ReplyStatus::pending:
      return "p";
    case storage::ReplyStatus::failed:
      return "f";
    case storage::ReplyStatus::resending:
      return "r";
    case storage::ReplyStatus::sent:
      break;
  }
  return message_id ? "s:" + std::to_string(*message_id) : std::string("s");
}

storage::ReplyState parse_reply_state(std::string_view text) {
  storage::ReplyState state;
  state.existed = true;
  if (text == "p") {
    state.status = storage::ReplyStatus::pending;
  } else if (text == "f") {
    state.status = storage::ReplyStatus::failed;
  } else if (text == "r") {
    state.status = storage::ReplyStatus::resending;
  } else {
    state.status = storage::ReplyStatus::sent;
    if (text.starts_with("s:")) {
      std::int64_t id = 0;
      const auto digits = text.substr(2);
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
      if (ec == std::errc() && ptr == digits.data() + digits.size()) state.message_id = id;
    }
  }
  return state;
}

OutboxStream::OutboxStream(redis::Client& client, const hot::HotKeys& keys)
    : client_(client), keys_(keys), stream_(keys.outbox_stream()), lease_(keys.outbox_lease()) {}

namespace {

void add_xadd(CommandBatch& batch, const std::string& stream, const outbox::EncodedEntry& encoded) {
  const std::string_view kind(&encoded.kind, 1);
  if (encoded.raw.empty()) {
    batch.add("XADD", stream, "*", "k", kind, "v", encoded.value);
  } else {
    batch.add("XADD", stream, "*", "k", kind, "v", encoded.value, "r", encoded.raw);
  }
}

}  // namespace

void OutboxStream::add(CommandBatch& batch, const outbox::Entry& entry) const {
  add_xadd(batch, stream_, outbox::encode(entry));
}

void OutboxStream::add_update(CommandBatch& batch, const storage::UpdateRecord& update,
                              std::int64_t received_at, std::string_view message_entry) const {
  add_xadd(batch, stream_, outbox::encode_update(update, received_at, message_entry));
}

asio::awaitable<RedisStatus> OutboxStream::write(std::span<const outbox::Entry> entries) {
  CommandBatch batch;
  for (const auto& entry : entries) add(batch, entry);
  if (batch.empty()) co_return RedisStatus::success();
  auto replies = co_await client_.pipeline(std::move(batch));
  if (!replies) co_return replies.error();
  for (const Reply& reply : *replies) {
    if (reply.is_error()) co_return client_.error_of(reply);
  }
  co_return RedisStatus::success();
}

asio::awaitable<RedisStatus> OutboxStream::ensure_group() {
  auto created = co_await client_.command("XGROUP", "CREATE", stream_, kSyncGroup, "0", "MKSTREAM");
  if (!created && created.error().message.find("BUSYGROUP") == std::string::npos) {
    co_return created.error();
  }
  co_return RedisStatus::success();
}

asio::awaitable<RedisResult<std::optional<storage::ReplyState>>> OutboxStream::claim_reply(
    std::int64_t chat_id, const std::string& reply_key) {
  // SET NX GET: sets "p" when absent and answers nil, else answers the state and sets nothing.
  auto claimed = co_await client_.command("SET", keys_.reply_state(chat_id, reply_key), "p", "NX",
                                          "GET", "EX", kReplyStateSeconds);
  if (!claimed) co_return claimed.error();
  std::optional<storage::ReplyState> out;
  if (claimed->is_string()) out = parse_reply_state(claimed->text);
  co_return out;
}

void OutboxStream::add_reply_settled(CommandBatch& batch, std::int64_t chat_id,
                                     const std::string& reply_key, storage::ReplyStatus status,
                                     std::optional<std::int64_t> message_id) const {
  batch.add("SET", keys_.reply_state(chat_id, reply_key), reply_state_text(status, message_id),
            "EX", kReplyStateSeconds);
}

asio::awaitable<RedisResult<std::optional<StreamId>>> OutboxStream::newest() {
  auto last = co_await client_.command("XREVRANGE", stream_, "+", "-", "COUNT", 1);
  if (!last) co_return last.error();
  std::optional<StreamId> out;
  if (!last->is_array()) co_return redis::unexpected_reply(*last, "XREVRANGE");
  if (!last->elements.empty() && !last->elements[0].elements.empty()) {
    out = outbox::parse_stream_id(last->elements[0].elements[0].text);
  }
  co_return out;
}

asio::awaitable<RedisResult<Backlog>> OutboxStream::backlog() {
  CommandBatch batch;
  batch.add("XLEN", stream_);
  batch.add("XRANGE", stream_, "-", "+", "COUNT", 1);
  auto replies = co_await client_.pipeline(std::move(batch));
  if (!replies) co_return replies.error();
  const Reply& length = (*replies)[0];
  const Reply& first = (*replies)[1];
  if (length.is_error()) co_return client_.error_of(length);
  if (!length.is_integer() || !first.is_array()) co_return redis::unexpected_reply(length, "XLEN");
  Backlog out;
  out.entries = static_cast<std::uint64_t>(length.integer);
  if (!first.elements.empty() && !first.elements[0].elements.empty()) {
    out.oldest = outbox::parse_stream_id(first.elements[0].elements[0].text);
  }
  co_return out;
}

asio::awaitable<RedisResult<bool>> OutboxStream::synced_through(StreamId id) {
  CommandBatch batch;
  batch.add("XINFO", "GROUPS", stream_);
  batch.add("XPENDING", stream_, kSyncGroup);
  auto replies = co_await client_.pipeline(std::move(batch));
  if (!replies) co_return replies.error();
  const Reply& groups = (*replies)[0];
  const Reply& pending = (*replies)[1];
  if (groups.is_error()) co_return client_.error_of(groups);
  if (pending.is_error()) co_return false;  // no group yet: nothing was read
  std::optional<StreamId> delivered;
  for (const Reply& group : groups.elements) {
    const Reply* name = redis::map_value(group, "name");
    const Reply* last = redis::map_value(group, "last-delivered-id");
    if (name && last && name->text == kSyncGroup) delivered = outbox::parse_stream_id(last->text);
  }
  if (!delivered || *delivered < id) co_return false;
  // XPENDING's summary: [count, smallest id, greatest id, consumers].
  if (!pending.is_array() || pending.elements.size() < 2) co_return redis::unexpected_reply(pending, "XPENDING");
  if (pending.elements[0].integer == 0) co_return true;
  const auto smallest = outbox::parse_stream_id(pending.elements[1].text);
  co_return smallest && *smallest > id;
}

}  // namespace tgkeep::sync
