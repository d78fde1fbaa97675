#include "redis/client.hpp"

#include <exception>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "redis/connection.hpp"
#include "redis/tls_context.hpp"
#include "util/backoff.hpp"

namespace tgkeep::redis {
namespace {

namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

void rethrow(std::exception_ptr error) {
  if (error) std::rethrow_exception(error);
}

}  // namespace

struct Client::Impl {
  struct Slot {
    std::shared_ptr<Connection> conn;       // open, or null while reconnecting
    asio::steady_timer* sleeper = nullptr;  // the backoff timer while the slot waits
  };

  asio::any_io_executor ex;
  Options options;
  std::string where;
  std::shared_ptr<asio::ssl::context> tls;
  std::vector<Slot> slots;
  std::size_t next_slot = 0;
  bool started = false;
  bool closed = false;
  bool reported_down = false;  // "unreachable" was logged (or returned by connect())
  bool warned_password = false;
  bool password_not_required = false;
  std::optional<RedisError> last_error;

  std::size_t up() const {
    std::size_t n = 0;
    for (const auto& slot : slots) n += slot.conn && slot.conn->is_open() ? 1 : 0;
    return n;
  }

  // The open connection with the fewest commands in flight; ties round-robin.
  std::shared_ptr<Connection> pick() {
    std::shared_ptr<Connection> best;
    const std::size_t n = slots.size();
    for (std::size_t i = 0; i < n; ++i) {
      const auto& conn = slots[(next_slot + i) % n].conn;
      if (!conn || !conn->is_open()) continue;
      if (!best || conn->in_flight() < best->in_flight()) best = conn;
    }
    next_slot = (next_slot + 1) % n;
    return best;
  }

  // A command timed out on `stalled` and the connection closed itself because the server sent
  // nothing at all meanwhile (connection.hpp, stall rule): the server is frozen or unreachable,
  // so the pool's other connections to it are closed too, failing their commands at once instead
  // of each waiting out its own timeout; they reconnect in the background.
  void after_timeout(const std::shared_ptr<Connection>& stalled) {
    if (stalled->is_open()) return;
    for (auto& slot : slots) {
      if (slot.conn && slot.conn != stalled && slot.conn->is_open()) {
        slot.conn->abandon(make_error(
            ErrorCode::connection_lost,
            fmt::format("{} stopped answering on another connection of the pool; this one was "
                        "closed too (commands in flight may or may not have run)",
                        where)));
      }
    }
  }

  RedisError not_connected() const {
    if (closed)
      return make_error(ErrorCode::closed, fmt::format("the client of {} is shut down", where));
    if (!last_error) {
      return make_error(ErrorCode::connection_lost, fmt::format("not connected to {} yet", where));
    }
    return make_error(last_error->code,
                      fmt::format("not connected to {} (reconnecting in the background): {}", where,
                                  last_error->message));
  }

  void note_up(const Connection& conn) {
    if (conn.handshake().password_not_required) {
      password_not_required = true;
      if (!warned_password) {
        warned_password = true;
        spdlog::warn(
            "{} has no password configured, but one was given: connected without "
            "authentication (remove the password, or set one on the server)",
            where);
      }
    }
    if (reported_down) {
      reported_down = false;
      spdlog::info("{} answers again", where);
    }
  }

  void note_failure(const RedisError& error) {
    last_error = error;
    if (up() == 0 && !reported_down) {
      reported_down = true;
      spdlog::warn("{} is unreachable [{}]: {}; reconnecting with backoff", where,
                   error_code_name(error.code), error.message);
    }
  }

  void note_lost(const RedisError& why) {
    last_error = why;
    if (up() == 0) {
      if (!reported_down) {
        reported_down = true;
        spdlog::warn("{}: lost the last connection [{}]: {}; reconnecting with backoff", where,
                     error_code_name(why.code), why.message);
      }
    } else {
      spdlog::info("{}: a connection was lost [{}]: {}; {} of {} still open, reconnecting", where,
                   error_code_name(why.code), why.message, up(), slots.size());
    }
  }

  static asio::awaitable<void> sleep(std::shared_ptr<Impl> self, std::size_t index,
                                     std::chrono::milliseconds delay) {
    if (self->closed) co_return;
    asio::steady_timer timer(self->ex, delay);
    self->slots[index].sleeper = &timer;
    co_await timer.async_wait(use_tuple);
    self->slots[index].sleeper = nullptr;
  }

  // Keeps slot `index` connected until shutdown.
  static asio::awaitable<void> maintain(std::shared_ptr<Impl> self, std::size_t index,
                                        std::shared_ptr<Connection> conn, bool delay_first) {
    Backoff backoff = make_backoff(self->options.reconnect);
    if (delay_first) co_await sleep(self, index, backoff.next());
    while (!self->closed) {
      if (!conn) {
        auto opened = co_await Connection::open(self->ex, self->options, self->tls);
        if (self->closed) {
          if (opened) opened.value()->close();
          break;
        }
        if (!opened) {
          self->note_failure(opened.error());
          co_await sleep(self, index, backoff.next());
          continue;
        }
        conn = std::move(opened.value());
        backoff.reset();
      }
      self->slots[index].conn = conn;
      self->note_up(*conn);
      const RedisError why = co_await conn->wait_closed();
      self->slots[index].conn.reset();
      conn.reset();
      if (self->closed) break;
      self->note_lost(why);
      co_await sleep(self, index, backoff.next());
    }
  }
};

Client::Client(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() {
  shutdown();
}

RedisResult<std::unique_ptr<Client>> Client::create(asio::any_io_executor ex, Options options) {
  if (options.host.empty()) {
    return make_error(ErrorCode::config, "the Redis host is empty");
  }
  if (options.pool_size == 0) options.pool_size = 1;
  if (options.connect_timeout <= std::chrono::milliseconds(0)) {
    return make_error(ErrorCode::config, "the Redis connect timeout must be positive");
  }
  if (options.command_timeout <= std::chrono::milliseconds(0)) {
    return make_error(ErrorCode::config, "the Redis command timeout must be positive");
  }
  auto impl = std::make_shared<Impl>();
  impl->ex = std::move(ex);
  impl->where = describe_server(options);
  if (options.tls) {
    auto tls = make_tls_context(options);
    if (!tls) return tls.error();
    impl->tls = std::move(tls.value());
  }
  impl->slots.resize(options.pool_size);
  impl->options = std::move(options);
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

asio::awaitable<RedisStatus> Client::connect() {
  auto self = impl_;
  if (self->started) {
    if (self->up() > 0) co_return RedisStatus();
    co_return self->not_connected();
  }
  self->started = true;
  auto first = co_await Connection::open(self->ex, self->options, self->tls);
  if (self->closed) {
    if (first) first.value()->close();
    co_return self->not_connected();
  }
  const std::size_t n = self->slots.size();
  if (!first) {
    self->last_error = first.error();
    self->reported_down = true;  // the caller reports this failure; the loops stay quiet
    for (std::size_t i = 0; i < n; ++i) {
      asio::co_spawn(self->ex, Impl::maintain(self, i, nullptr, true), rethrow);
    }
    co_return first.error();
  }
  asio::co_spawn(self->ex, Impl::maintain(self, 0, first.value(), false), rethrow);
  for (std::size_t i = 1; i < n; ++i) {
    asio::co_spawn(self->ex, Impl::maintain(self, i, nullptr, false), rethrow);
  }
  co_return RedisStatus();
}

asio::awaitable<RedisResult<Reply>> Client::send_one(std::string command,
                                                     std::chrono::milliseconds timeout) {
  auto self = impl_;
  auto conn = self->pick();
  if (!conn) co_return self->not_connected();
  auto replies = co_await conn->exchange(std::move(command), 1, timeout);
  if (!replies) {
    if (replies.error().code == ErrorCode::timeout) self->after_timeout(conn);
    co_return replies.error();
  }
  Reply& reply = replies.value().front();
  if (reply.is_error()) co_return reply_error(reply.text, self->where);
  co_return std::move(reply);
}

asio::awaitable<RedisResult<Reply>> Client::command_argv(std::span<const std::string_view> args) {
  return send_one(format_command(args), impl_->options.command_timeout);
}

asio::awaitable<RedisResult<std::vector<Reply>>> Client::pipeline(CommandBatch batch) {
  return pipeline(std::move(batch), impl_->options.command_timeout);
}

asio::awaitable<RedisResult<std::vector<Reply>>> Client::pipeline(
    CommandBatch batch, std::chrono::milliseconds timeout) {
  auto self = impl_;
  auto conn = self->pick();
  if (!conn) co_return self->not_connected();
  const std::size_t count = batch.size();
  auto replies = co_await conn->exchange(std::move(batch).take_bytes(), count, timeout);
  if (!replies && replies.error().code == ErrorCode::timeout) self->after_timeout(conn);
  co_return replies;
}

RedisError Client::error_of(const Reply& error_reply) const {
  return reply_error(error_reply.text, impl_->where);
}

void Client::shutdown() {
  auto& self = *impl_;
  if (self.closed) return;
  self.closed = true;
  for (auto& slot : self.slots) {
    if (slot.conn) slot.conn->close();
    if (slot.sleeper) slot.sleeper->cancel();
  }
}

std::size_t Client::connections_up() const {
  return impl_->up();
}

bool Client::password_not_required() const {
  return impl_->password_not_required;
}

const Options& Client::options() const {
  return impl_->options;
}

}  // namespace tgkeep::redis
