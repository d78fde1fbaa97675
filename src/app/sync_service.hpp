// The outbox syncer of `tgkeep run` (sync/syncer.hpp), on a thread of its own with its own Redis
// connection, so decoding and writing batches never delays intake on the bot's event loop.
// Thread-safety: every method, from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "hot/hot_keys.hpp"
#include "redis/client.hpp"
#include "redis/options.hpp"
#include "sync/outbox_stream.hpp"
#include "sync/syncer.hpp"
#include "util/result.hpp"

namespace tgkeep::app {

class SyncService {
 public:
  static Result<std::unique_ptr<SyncService>> start(redis::Options redis, const hot::HotKeys& keys,
                                                    sync::SyncerOptions options);
  ~SyncService();

  // Asks the syncer to flush at once.
  void wake();
  // Flushes what it holds (bounded by the statement timeout), releases the lease, joins.
  void stop();
  sync::SyncCounters counters() const;

 private:
  SyncService() = default;

  boost::asio::io_context io_{1};
  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<sync::OutboxStream> stream_;
  std::unique_ptr<sync::Syncer> syncer_;
  std::thread thread_;
  mutable std::mutex mu_;
  sync::SyncCounters counters_;  // a copy, refreshed after each batch
};

// A consumer name unique to this process: "<host>:<pid>".
std::string sync_consumer_name();

}  // namespace tgkeep::app
