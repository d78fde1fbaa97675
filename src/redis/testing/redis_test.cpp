#include "redis/testing/redis_test.hpp"

#include <cstdlib>

namespace tgkeep::redis::testing {

void RedisTest::TearDown() {
  for (auto& client : clients) client->shutdown();
  clients.clear();
  io.restart();
  io.run_for(std::chrono::milliseconds(200));
}

Options RedisTest::options_for(const RedisServer& server) {
  Options options;
  options.host = "127.0.0.1";
  options.port = server.port();
  options.client_name = "tgkeep-test";
  options.connect_timeout = std::chrono::milliseconds(2000);
  options.command_timeout = std::chrono::milliseconds(2000);
  options.reconnect.initial = std::chrono::milliseconds(20);
  options.reconnect.max = std::chrono::milliseconds(200);
  return options;
}

Client& RedisTest::make_client(const Options& options) {
  auto client = Client::create(io.get_executor(), options);
  if (!client.ok()) {
    ADD_FAILURE() << client.error().message;
    std::abort();
  }
  clients.push_back(std::move(client).value());
  return *clients.back();
}

void RedisTest::pump(std::chrono::milliseconds duration) {
  io.restart();
  io.run_for(duration);
}

}  // namespace tgkeep::redis::testing
