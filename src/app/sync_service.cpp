#include "app/sync_service.hpp"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace tgkeep::app {

namespace asio = boost::asio;

std::string sync_consumer_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "tgkeep") + ":" + std::to_string(::getpid());
}

Result<std::unique_ptr<SyncService>> SyncService::start(redis::Options redis,
                                                        const hot::HotKeys& keys,
                                                        sync::SyncerOptions options) {
  std::unique_ptr<SyncService> service(new SyncService());
  auto client = redis::Client::create(service->io_.get_executor(), std::move(redis));
  if (!client) return client.error().to_error();
  service->client_ = std::move(client).value();
  service->stream_ = std::make_unique<sync::OutboxStream>(*service->client_, keys);
  service->syncer_ =
      std::make_unique<sync::Syncer>(service->io_.get_executor(), *service->stream_, options);
  SyncService* self = service.get();
  self->syncer_->on_progress = [self](const sync::SyncCounters& counters) {
    std::lock_guard lock(self->mu_);
    self->counters_ = counters;
  };
  asio::co_spawn(
      self->io_,
      [self]() -> asio::awaitable<void> {
        (void)co_await self->client_->connect();  // it reconnects by itself if this fails
        Status done = co_await self->syncer_->run();
        if (!done) spdlog::critical("sync: {}", done.error().message);
        self->client_->shutdown();
      },
      asio::detached);
  self->thread_ = std::thread([self] { self->io_.run(); });
  return service;
}

SyncService::~SyncService() {
  stop();
}

void SyncService::wake() {
  asio::post(io_, [this] { syncer_->wake(); });
}

void SyncService::stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] { syncer_->stop(); });
  thread_.join();
}

sync::SyncCounters SyncService::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

}  // namespace tgkeep::app
