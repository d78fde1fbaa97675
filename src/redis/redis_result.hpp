// RedisResult<T>, RedisStatus: the errors-as-values of the Redis client.
//
// They mirror tgkeep::Result (util/result.hpp) but carry a typed ErrorCode, so a caller can tell
// WRONGPASS from a timeout without reading text; to_error() / to_result() give the project-wide
// Error (kind + message) where the code is not needed. Messages are written for an operator and
// never contain a password.
//
// Thread-safety: value types.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "redis/error.hpp"
#include "util/result.hpp"

namespace tgkeep::redis {

template <class T>
class [[nodiscard]] RedisResult {
 public:
  RedisResult(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  RedisResult(RedisError error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const RedisError& error() const { return std::get<1>(state_); }
  ErrorCode code() const { return error().code; }

  Result<T> to_result() && {
    if (ok()) return Result<T>(std::get<0>(std::move(state_)));
    return Result<T>(error().to_error());
  }

 private:
  std::variant<T, RedisError> state_;
};

class [[nodiscard]] RedisStatus {
 public:
  RedisStatus() = default;
  RedisStatus(RedisError error) : error_(std::move(error)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const RedisError& error() const { return error_; }
  ErrorCode code() const { return error_.code; }

  Status to_status() const { return ok_ ? Status() : Status(error_.to_error()); }

 private:
  RedisError error_;
  bool ok_ = true;
};

}  // namespace tgkeep::redis
