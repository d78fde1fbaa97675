#include "redis/connection.hpp"

#include <exception>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tgkeep::redis {
namespace {

namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr std::size_t kReadChunk = 64 * 1024;
// Write buffers grown past this by a big batch are released after the write.
constexpr std::size_t kKeptBufferBytes = 1024 * 1024;

// Bugs in a detached coroutine surface from io_context::run() instead of vanishing.
void rethrow(std::exception_ptr error) {
  if (error) std::rethrow_exception(error);
}

std::chrono::milliseconds until(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

}  // namespace

Connection::Connection(asio::any_io_executor ex, const Options& options,
                       std::shared_ptr<asio::ssl::context> tls, std::unique_ptr<Stream> stream)
    : ex_(ex),
      where_(describe_server(options)),
      tls_(std::move(tls)),
      stream_(std::move(stream)),
      reader_(options.max_reply_bytes),
      writer_wake_(ex, asio::steady_timer::time_point::max()),
      closed_signal_(ex, asio::steady_timer::time_point::max()),
      last_read_(Clock::now()) {}

Connection::~Connection() = default;

asio::awaitable<RedisResult<std::shared_ptr<Connection>>> Connection::open(
    asio::any_io_executor ex, Options options, std::shared_ptr<asio::ssl::context> tls) {
  const auto deadline = Clock::now() + options.connect_timeout;
  auto stream = co_await Stream::open(ex, options, tls.get(), deadline);
  if (!stream) co_return stream.error();
  std::shared_ptr<Connection> conn(
      new Connection(ex, options, std::move(tls), std::move(stream.value())));
  conn->start();

  const HandshakePlan plan = plan_handshake(options);
  auto replies = co_await conn->exchange(plan.batch.bytes(), plan.batch.size(), until(deadline));
  if (!replies) {
    conn->close();
    co_return replies.error();
  }
  auto outcome = check_handshake(options, plan, replies.value());
  if (!outcome) {
    conn->close();
    co_return outcome.error();
  }
  conn->handshake_ = outcome.value();
  conn->phase_ = TransportPhase::session;
  co_return conn;
}

void Connection::start() {
  asio::co_spawn(ex_, read_loop(shared_from_this()), rethrow);
  asio::co_spawn(ex_, write_loop(shared_from_this()), rethrow);
}

asio::awaitable<RedisResult<std::vector<Reply>>> Connection::exchange(
    std::string commands, std::size_t count, std::chrono::milliseconds timeout) {
  if (closed_) co_return error_when_closed();
  std::vector<Reply> none;
  if (count == 0) co_return none;
  auto self = shared_from_this();
  auto pending = std::make_shared<Pending>();
  pending->expected = count;
  pending->replies.reserve(count);
  pending->sent_at = Clock::now();
  if (outbox_.empty()) {
    outbox_ = std::move(commands);
  } else {
    outbox_ += commands;
  }
  pending_.push_back(pending);
  in_flight_ += count;
  if (writer_idle_) writer_wake_.cancel();

  asio::steady_timer timer(ex_, timeout);
  pending->waiter = &timer;
  if (!pending->done) co_await timer.async_wait(use_tuple);
  pending->waiter = nullptr;
  if (pending->done) {
    if (pending->failure) co_return *pending->failure;
    co_return std::move(pending->replies);
  }

  pending->abandoned = true;
  pending->replies = std::vector<Reply>();
  RedisError timed_out = timeout_error(phase_, timeout, where_);
  if (last_read_ < pending->sent_at) {
    close_with(make_error(ErrorCode::connection_lost,
                          fmt::format("{} sent nothing for {} ms while commands waited; the "
                                      "connection was closed (commands in flight may or may not "
                                      "have run)",
                                      where_, timeout.count())));
  }
  co_return timed_out;
}

asio::awaitable<void> Connection::write_loop([[maybe_unused]] std::shared_ptr<Connection> self) {
  while (!closed_) {
    if (outbox_.empty()) {
      writer_idle_ = true;
      writer_wake_.expires_at(asio::steady_timer::time_point::max());
      co_await writer_wake_.async_wait(use_tuple);
      writer_idle_ = false;
      continue;
    }
    writing_.clear();
    writing_.swap(outbox_);
    const IoResult io = co_await stream_->write(asio::buffer(writing_));
    if (closed_) break;
    if (io.ec) {
      close_with(transport_error(phase_, io.ec, where_));
      break;
    }
    if (writing_.capacity() > kKeptBufferBytes) writing_ = std::string();
  }
}

asio::awaitable<void> Connection::read_loop([[maybe_unused]] std::shared_ptr<Connection> self) {
  std::vector<char> buffer(kReadChunk);
  while (!closed_) {
    const IoResult io = co_await stream_->read_some(asio::buffer(buffer));
    if (closed_) break;
    if (io.ec) {
      close_with(transport_error(phase_, io.ec, where_));
      break;
    }
    last_read_ = Clock::now();
    reader_.feed(std::string_view(buffer.data(), io.bytes));
    if (!drain_replies()) break;
  }
}

bool Connection::drain_replies() {
  for (;;) {
    auto next = reader_.next();
    if (!next) {
      close_with(make_error(ErrorCode::protocol, fmt::format("{} sent an invalid reply: {}", where_,
                                                             next.error().message)));
      return false;
    }
    if (!next->has_value()) return true;
    if (!deliver(std::move(**next))) return false;
  }
}

bool Connection::deliver(Reply reply) {
  if (pending_.empty()) {
    close_with(make_error(ErrorCode::protocol, fmt::format("{} sent a reply nobody asked for: {}",
                                                           where_, describe(reply))));
    return false;
  }
  Pending& head = *pending_.front();
  if (!head.abandoned) head.replies.push_back(std::move(reply));
  --in_flight_;
  if (++head.received < head.expected) return true;
  auto finished = std::move(pending_.front());
  pending_.pop_front();
  finished->done = true;
  if (finished->waiter) finished->waiter->cancel();
  return true;
}

void Connection::close() {
  close_with(make_error(ErrorCode::closed, fmt::format("the connection to {} was closed", where_)));
}

void Connection::close_with(RedisError why) {
  if (closed_) return;
  closed_ = true;
  close_reason_ = why;
  stream_->close();
  writer_wake_.cancel();
  closed_signal_.cancel();
  auto failed = std::move(pending_);
  pending_.clear();
  in_flight_ = 0;
  for (auto& pending : failed) {
    pending->done = true;
    pending->failure = why;
    if (pending->waiter) pending->waiter->cancel();
  }
}

RedisError Connection::error_when_closed() const {
  if (close_reason_) return *close_reason_;
  return make_error(ErrorCode::closed, fmt::format("the connection to {} is closed", where_));
}

asio::awaitable<RedisError> Connection::wait_closed() {
  auto self = shared_from_this();
  while (!closed_) co_await closed_signal_.async_wait(use_tuple);
  co_return error_when_closed();
}

}  // namespace tgkeep::redis
