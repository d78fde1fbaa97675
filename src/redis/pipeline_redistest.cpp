// Pipelining against a real redis-server: many batches and many single commands in flight at
// once over a pool, every reply matched to its command; error replies inside a pipeline.
#include <algorithm>
#include <chrono>
#include <numeric>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>

#include "redis/testing/redis_test.hpp"

namespace tgkeep::redis {
namespace {

namespace asio = boost::asio;
using testing::RedisServer;
using namespace std::chrono_literals;

class PipelineTest : public testing::RedisTest {
 protected:
  // Runs every task concurrently; returns their values in order.
  template <class T>
  std::vector<T> run_all(std::vector<asio::awaitable<T>> tasks) {
    std::vector<T> results(tasks.size());
    std::size_t finished = 0;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      asio::co_spawn(io, std::move(tasks[i]), [&, i](std::exception_ptr e, T value) {
        if (e) std::rethrow_exception(e);
        results[i] = std::move(value);
        ++finished;
      });
    }
    io.restart();
    while (finished < tasks.size()) io.run_one();
    return results;
  }
};

CommandBatch incr_get_batch(const std::string& key, int pairs) {
  CommandBatch batch;
  for (int i = 0; i < pairs; ++i) batch.add("INCR", key).add("GET", key);
  return batch;
}

// `pairs` INCR/GET pairs on `key` in pipelines of `per_batch` pairs; counts the replies that are
// exactly what their command must answer.
asio::awaitable<std::size_t> incr_get(Client& client, std::string key, int pairs, int per_batch) {
  std::size_t matched = 0;
  std::int64_t expected = 0;
  for (int sent = 0; sent < pairs; sent += per_batch) {
    const int n = std::min(per_batch, pairs - sent);
    auto replies = co_await client.pipeline(incr_get_batch(key, n), 10s);
    if (!replies) {
      ADD_FAILURE() << replies.error().message;
      co_return matched;
    }
    if (replies->size() != static_cast<std::size_t>(2 * n)) {
      ADD_FAILURE() << "got " << replies->size() << " replies for " << 2 * n << " commands";
      co_return matched;
    }
    for (int i = 0; i < n; ++i) {
      ++expected;
      const Reply& incr = (*replies)[2 * i];
      const Reply& get = (*replies)[2 * i + 1];
      if (incr == Reply::of_integer(expected)) ++matched;
      if (get == Reply::of_string(std::to_string(expected))) ++matched;
    }
  }
  co_return matched;
}

TEST_F(PipelineTest, HundredThousandIncrGetPairsEveryReplyMatched) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto options = options_for(*server);
  options.pool_size = 4;
  auto& client = make_client(options);
  ASSERT_TRUE(run(client.connect()).ok());
  pump(50ms);  // the other connections open in the background
  EXPECT_EQ(client.connections_up(), 4u);

  constexpr int kWorkers = 8;
  constexpr int kPairs = 100'000 / kWorkers;
  std::vector<asio::awaitable<std::size_t>> tasks;
  for (int w = 0; w < kWorkers; ++w) {
    tasks.push_back(incr_get(client, "pairs:" + std::to_string(w), kPairs, 500));
  }
  const auto start = std::chrono::steady_clock::now();
  const auto matched = run_all(std::move(tasks));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  for (int w = 0; w < kWorkers; ++w) EXPECT_EQ(matched[w], 2u * kPairs) << "worker " << w;
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::printf("200000 commands in %.3f s (%.0f commands/s)\n", seconds, 200'000 / seconds);
  for (int w = 0; w < kWorkers; ++w) {
    EXPECT_EQ(server->query({"GET", "pairs:" + std::to_string(w)}),
              Reply::of_string(std::to_string(kPairs)));
  }
}

asio::awaitable<std::int64_t> incr_once(Client& client) {
  auto reply = co_await client.command("INCR", "single");
  if (!reply || !reply->is_integer()) {
    ADD_FAILURE() << (reply ? describe(*reply) : reply.error().message);
    co_return -1;
  }
  co_return reply->integer;
}

TEST_F(PipelineTest, ThousandsOfSingleCommandsInFlightAtOnce) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto options = options_for(*server);
  options.pool_size = 3;
  auto& client = make_client(options);
  ASSERT_TRUE(run(client.connect()).ok());
  pump(50ms);

  constexpr int kCommands = 5000;
  std::vector<asio::awaitable<std::int64_t>> tasks;
  for (int i = 0; i < kCommands; ++i) tasks.push_back(incr_once(client));
  auto values = run_all(std::move(tasks));
  std::sort(values.begin(), values.end());
  std::vector<std::int64_t> expected(kCommands);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(values, expected);
}

TEST_F(PipelineTest, ErrorRepliesAreValuesInsideAPipeline) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto& client = make_client(options_for(*server));
  ASSERT_TRUE(run(client.connect()).ok());
  CommandBatch batch;
  batch.add("SET", "k", "v").add("LPUSH", "k", "x").add("GET", "k").add("NOSUCHCOMMAND");
  auto replies = run(client.pipeline(std::move(batch)));
  ASSERT_TRUE(replies.ok()) << replies.error().message;
  ASSERT_EQ(replies->size(), 4u);
  EXPECT_TRUE((*replies)[0].is_status("OK"));
  ASSERT_TRUE((*replies)[1].is_error());
  EXPECT_EQ(client.error_of((*replies)[1]).code, ErrorCode::server_error);
  EXPECT_EQ((*replies)[2], Reply::of_string("v"));
  EXPECT_TRUE((*replies)[3].is_error());
}

TEST_F(PipelineTest, BigValuesInOnePipeline) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto& client = make_client(options_for(*server));
  ASSERT_TRUE(run(client.connect()).ok());
  CommandBatch batch;
  for (int i = 0; i < 8; ++i)
    batch.add("SET", "big:" + std::to_string(i), std::string(1 << 20, 'a' + i));
  for (int i = 0; i < 8; ++i) batch.add("GET", "big:" + std::to_string(i));
  auto replies = run(client.pipeline(std::move(batch), 10s));
  ASSERT_TRUE(replies.ok()) << replies.error().message;
  ASSERT_EQ(replies->size(), 16u);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ((*replies)[8 + i], Reply::of_string(std::string(1 << 20, 'a' + i)));
  }
}

TEST_F(PipelineTest, AnEmptyPipelineReturnsNoReplies) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto& client = make_client(options_for(*server));
  ASSERT_TRUE(run(client.connect()).ok());
  auto replies = run(client.pipeline(CommandBatch()));
  ASSERT_TRUE(replies.ok());
  EXPECT_TRUE(replies->empty());
}

}  // namespace
}  // namespace tgkeep::redis
