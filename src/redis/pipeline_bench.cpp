// redis_pipeline_bench: rough pipelined throughput of the client against a running Redis.
//
//   redis_pipeline_bench [HOST] [PORT] [OPS] [BATCH] [PIPELINES] [POOL]
//   (defaults: 127.0.0.1 6379 1000000 1000 4 4)
//
// For SET, LPUSH and INCR: OPS commands in pipelines of BATCH commands, PIPELINES of them in
// flight at once over POOL connections; then OPS/10 single GETs, 1000 in flight at once. Prints
// commands per second. It writes keys under "bench:" in the selected db: use a scratch server.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "redis/client.hpp"

namespace {

namespace asio = boost::asio;
using tgkeep::redis::Client;
using tgkeep::redis::CommandBatch;

struct Plan {
  std::string command;
  long ops = 0;
  long batch = 0;
};

asio::awaitable<long> pipeline_worker(Client& client, Plan plan, int worker, long share) {
  const std::string key = "bench:" + plan.command + ":" + std::to_string(worker);
  const std::string value(16, 'v');
  long ok = 0;
  for (long sent = 0; sent < share; sent += plan.batch) {
    const long n = std::min(plan.batch, share - sent);
    CommandBatch batch;
    for (long i = 0; i < n; ++i) {
      if (plan.command == "SET") {
        batch.add("SET", key + ":" + std::to_string(i), value);
      } else if (plan.command == "LPUSH") {
        batch.add("LPUSH", key, value);
      } else {
        batch.add("INCR", key);
      }
    }
    auto replies = co_await client.pipeline(std::move(batch), std::chrono::seconds(30));
    if (!replies) {
      std::fprintf(stderr, "%s\n", replies.error().message.c_str());
      co_return ok;
    }
    for (const auto& reply : *replies) ok += reply.is_error() ? 0 : 1;
  }
  co_return ok;
}

asio::awaitable<long> get_worker(Client& client, long count) {
  long ok = 0;
  for (long i = 0; i < count; ++i) {
    auto reply = co_await client.command("GET", "bench:get");
    ok += reply.ok() ? 1 : 0;
  }
  co_return ok;
}

// Runs `workers` copies of a task concurrently and reports the rate.
template <class Make>
void measure(asio::io_context& io, const char* label, int workers, long expected, Make make) {
  long done = 0;
  int finished = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int w = 0; w < workers; ++w) {
    asio::co_spawn(io, make(w), [&](std::exception_ptr e, long ok) {
      if (e) std::rethrow_exception(e);
      done += ok;
      ++finished;
    });
  }
  io.restart();
  while (finished < workers) io.run_one();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%-28s %9ld ok of %9ld in %6.3f s  %10.0f commands/s\n", label, done, expected,
              seconds, static_cast<double>(done) / seconds);
}

}  // namespace

int main(int argc, char** argv) {
  tgkeep::redis::Options options;
  options.host = argc > 1 ? argv[1] : "127.0.0.1";
  options.port = static_cast<std::uint16_t>(argc > 2 ? std::atoi(argv[2]) : 6379);
  const long ops = argc > 3 ? std::atol(argv[3]) : 1'000'000;
  const long batch = argc > 4 ? std::atol(argv[4]) : 1000;
  const int pipelines = argc > 5 ? std::atoi(argv[5]) : 4;
  options.pool_size = argc > 6 ? static_cast<std::size_t>(std::atol(argv[6])) : 4;
  if (ops <= 0 || batch <= 0 || pipelines <= 0) {
    std::fprintf(stderr, "usage: %s [HOST] [PORT] [OPS] [BATCH] [PIPELINES] [POOL]\n", argv[0]);
    return 2;
  }

  asio::io_context io;
  auto created = Client::create(io.get_executor(), options);
  if (!created) {
    std::fprintf(stderr, "%s\n", created.error().message.c_str());
    return 1;
  }
  Client& client = *created.value();
  bool answered = false;
  bool connected = false;
  asio::co_spawn(io, client.connect(), [&](std::exception_ptr e, tgkeep::redis::RedisStatus s) {
    if (e) std::rethrow_exception(e);
    if (!s) std::fprintf(stderr, "%s\n", s.error().message.c_str());
    connected = s.ok();
    answered = true;
  });
  while (!answered) io.run_one();
  if (!connected) return 1;
  io.run_for(std::chrono::milliseconds(100));  // the rest of the pool
  std::printf("pool %zu connections, %d pipelines of %ld commands in flight\n",
              client.connections_up(), pipelines, batch);

  const long share = (ops + pipelines - 1) / pipelines;
  for (const char* command : {"SET", "LPUSH", "INCR"}) {
    const Plan plan{command, ops, batch};
    const std::string label = std::string(command) + " pipelined";
    measure(io, label.c_str(), pipelines, share * pipelines,
            [&](int w) { return pipeline_worker(client, plan, w, share); });
  }
  const long gets = ops / 10;
  measure(io, "GET single, 1000 in flight", 1000, gets / 1000 * 1000,
          [&](int) { return get_worker(client, gets / 1000); });

  client.shutdown();
  io.restart();
  io.run_for(std::chrono::milliseconds(100));
  return 0;
}
