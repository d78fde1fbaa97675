// pg::Pool: up to `size` connections to one PostgreSQL server, handed to one user at a time.
//
// acquire() returns an idle connection, or opens one while fewer than `size` are open, or waits
// until a lease is returned, up to a deadline. A failure to open is returned at once (the caller
// falls back to another tier; the next acquire() tries again), never retried in a loop here.
// A connection returned broken (Connection::broken()) is closed and its slot freed.
//
// Thread-safety: the executor it was created on. Ownership: the state is shared with the leases,
// so a lease may outlive the Pool object; its connection is then closed.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "pg/connection.hpp"

namespace tgkeep::pg {

class Pool {
 public:
  struct State;

  // A connection on loan; returned to the pool when the lease is destroyed.
  class Lease {
   public:
    Lease(std::shared_ptr<State> state, std::unique_ptr<Connection> connection);
    Lease(Lease&&) noexcept;
    Lease& operator=(Lease&&) noexcept;
    ~Lease();
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    void give_back();
    std::shared_ptr<State> state_;
    std::unique_ptr<Connection> connection_;
  };

  Pool(boost::asio::any_io_executor ex, ConnectOptions options, std::size_t size);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  boost::asio::awaitable<PgResult<Lease>> acquire(std::chrono::milliseconds timeout);

  std::size_t open() const;  // connections open, idle or on loan
  std::size_t idle() const;
  const std::string& where() const;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace tgkeep::pg
