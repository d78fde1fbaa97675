// RedisTest: the GoogleTest fixture of the *_redistest files: an io_context, run() to drive a
// coroutine to completion, client factories with test-friendly timeouts, and a clean teardown
// (clients shut down, their coroutines drained) before the servers die.
//
// Thread-safety: none; one test. Test support only.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "redis/client.hpp"
#include "redis/testing/redis_server.hpp"
#include "redis/testing/test_ca.hpp"
#include "util/testing/run.hpp"

namespace tgkeep::redis::testing {

class RedisTest : public ::testing::Test {
 protected:
  void TearDown() override;

  // Options for a server started by the test: 127.0.0.1, its port, short timeouts, fast
  // reconnects, and a client name.
  static Options options_for(const RedisServer& server);

  // A client for `options` (which must be valid); shut down at teardown.
  Client& make_client(const Options& options);

  template <class T>
  T run(boost::asio::awaitable<T> task) {
    return tgkeep::testing::run(io, std::move(task));
  }

  // Drives the event loop for `duration` (lets background reconnects happen).
  void pump(std::chrono::milliseconds duration);

  boost::asio::io_context io;
  std::vector<std::unique_ptr<Client>> clients;
};

}  // namespace tgkeep::redis::testing
