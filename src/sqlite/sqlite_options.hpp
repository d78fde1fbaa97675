// SqliteOptions: how to open the SQLite store (see SqliteStore::open). A plain value.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

namespace spdlog {
class logger;
}

namespace tgkeep::sqlite {

struct SqliteOptions {
  std::filesystem::path data_dir;  // created if missing (not in read_only mode)
  std::chrono::milliseconds busy_timeout{5000};
  std::size_t max_batch = 1000;  // operations per transaction at most
  // Opens an existing database for reading only (tgkeep export / history): no directory is
  // created, no migration runs, writes fail.
  bool read_only = false;
  std::int64_t cache_size_kib = 8 * 1024;  // page cache of the connection (RSS budget: 64 MB)
  // A cap on the database size, in pages of 4 KiB (0: none). Past it writes fail as if the disk
  // were full: bounds a spool, and lets tests reach the disk-full path.
  std::int64_t max_page_count = 0;
  std::function<std::int64_t()> clock;  // unix seconds for received_at; default: system clock
  std::shared_ptr<spdlog::logger> log;  // default: spdlog's default logger
};

}  // namespace tgkeep::sqlite
