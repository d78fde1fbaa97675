#include "pg/pool.hpp"

#include <deque>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tgkeep::pg {

namespace asio = boost::asio;

struct Pool::State {
  State(asio::any_io_executor executor, ConnectOptions connect, std::size_t capacity)
      : ex(std::move(executor)), options(std::move(connect)), size(capacity == 0 ? 1 : capacity) {}

  // Wakes the longest waiter: a connection or a slot became free.
  void wake_one() {
    while (!waiters.empty()) {
      auto* timer = waiters.front();
      waiters.pop_front();
      if (timer->cancel() > 0) return;
    }
  }

  asio::any_io_executor ex;
  ConnectOptions options;
  std::size_t size;
  std::size_t open = 0;
  bool closed = false;
  std::vector<std::unique_ptr<Connection>> idle;
  std::deque<asio::steady_timer*> waiters;
};

Pool::Lease::Lease(std::shared_ptr<State> state, std::unique_ptr<Connection> connection)
    : state_(std::move(state)), connection_(std::move(connection)) {}

Pool::Lease::Lease(Lease&& other) noexcept = default;

Pool::Lease& Pool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    give_back();
    state_ = std::move(other.state_);
    connection_ = std::move(other.connection_);
  }
  return *this;
}

Pool::Lease::~Lease() {
  give_back();
}

void Pool::Lease::give_back() {
  if (!state_ || !connection_) return;
  if (connection_->broken() || state_->closed) {
    connection_.reset();
    --state_->open;
  } else {
    state_->idle.push_back(std::move(connection_));
  }
  state_->wake_one();
  state_.reset();
}

Pool::Pool(asio::any_io_executor ex, ConnectOptions options, std::size_t size)
    : state_(std::make_shared<State>(std::move(ex), std::move(options), size)) {}

Pool::~Pool() {
  state_->closed = true;
  state_->open -= state_->idle.size();
  state_->idle.clear();
  while (!state_->waiters.empty()) state_->wake_one();
}

std::size_t Pool::open() const {
  return state_->open;
}
std::size_t Pool::idle() const {
  return state_->idle.size();
}
const std::string& Pool::where() const {
  return state_->options.where;
}

asio::awaitable<PgResult<Pool::Lease>> Pool::acquire(std::chrono::milliseconds timeout) {
  auto state = state_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (state->closed) {
      co_return make_error(PgErrorCode::connection,
                           state->options.where + ": the connection pool is closed");
    }
    if (!state->idle.empty()) {
      auto connection = std::move(state->idle.back());
      state->idle.pop_back();
      // Named first: g++ 12 miscompiles a converted move-only temporary in co_return.
      PgResult<Lease> lease(Lease(state, std::move(connection)));
      co_return std::move(lease);
    }
    if (state->open < state->size) {
      ++state->open;
      ConnectOptions options = state->options;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      options.connect_timeout =
          std::max(std::chrono::milliseconds(1), std::min(options.connect_timeout, left));
      auto opened = co_await Connection::connect(state->ex, std::move(options));
      if (!opened) {
        --state->open;
        state->wake_one();  // the slot is free again for whoever waits
        co_return opened.error();
      }
      PgResult<Lease> lease(Lease(state, std::move(opened).value()));
      co_return std::move(lease);
    }
    asio::steady_timer timer(state->ex, deadline);
    state->waiters.push_back(&timer);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    std::erase(state->waiters, &timer);
    if (!ec) {
      co_return make_error(PgErrorCode::too_many_connections,
                           fmt::format("{}: all {} connections of the pool stayed busy for {} ms",
                                       state->options.where, state->size, timeout.count()));
    }
  }
}

}  // namespace tgkeep::pg
