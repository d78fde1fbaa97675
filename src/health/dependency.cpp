#include "health/dependency.hpp"

#include <spdlog/spdlog.h>

namespace tgkeep::health {

Dependency::Dependency(std::string name, std::string down_means, BackoffPolicy probes)
    : name_(std::move(name)), down_means_(std::move(down_means)), probes_(make_backoff(probes)) {}

void Dependency::succeeded(Clock::time_point now) {
  if (up_) return;
  const auto down_for = std::chrono::duration_cast<std::chrono::milliseconds>(now - since_);
  if (announced_) {
    spdlog::info("health: {} is up again after {:.1f} s", name_, down_for.count() / 1000.0);
  }
  up_ = true;
  since_ = now;
  ++came_up_;
  probes_.reset();
}

void Dependency::failed(std::string_view why, Clock::time_point now) {
  const bool was_up = up_;
  failed_quietly(why, now);
  if (!was_up) return;
  spdlog::warn("health: {} is down ({}); {}", name_, why, down_means_);
  announced_ = true;
}

void Dependency::failed_quietly(std::string_view why, Clock::time_point now) {
  last_error_ = std::string(why);
  next_probe_ = now + probes_.next();
  if (!up_) return;
  announced_ = false;
  up_ = false;
  since_ = now;
  ++went_down_;
}

}  // namespace tgkeep::health
