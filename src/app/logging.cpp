#include "app/logging.hpp"

#include <chrono>

#include <fmt/chrono.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "util/json_writer.hpp"
#include "util/secret.hpp"

namespace tgkeep::app {
namespace {

class LineFormatter final : public spdlog::formatter {
 public:
  LineFormatter(bool json, std::vector<std::string> secrets)
      : json_(json), secrets_(std::move(secrets)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string text =
        mask_secrets_in(std::string_view(msg.payload.data(), msg.payload.size()), secrets_);
    const auto level = spdlog::level::to_string_view(msg.level);
    const auto since_epoch = msg.time.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
    const auto utc = fmt::gmtime(static_cast<std::time_t>(seconds.count()));
    std::string line;
    if (json_) {
      line =
          fmt::format("{{\"time\":\"{:%Y-%m-%dT%H:%M:%S}.{:03}Z\",\"level\":\"{}\",\"msg\":", utc,
                      millis, std::string_view(level.data(), level.size()));
      append_json_string(line, text);
      line += "}\n";
    } else {
      line = fmt::format("{:%Y-%m-%d %H:%M:%S}.{:03} {:<5} {}\n", utc, millis,
                         std::string_view(level.data(), level.size()), text);
    }
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(json_, secrets_);
  }

 private:
  bool json_;
  std::vector<std::string> secrets_;
};

}  // namespace

void setup_logging(std::string_view format, std::string_view level,
                   std::vector<std::string> secrets) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("tgkeep", sink);
  logger->set_formatter(std::make_unique<LineFormatter>(format == "json", std::move(secrets)));
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace tgkeep::app
