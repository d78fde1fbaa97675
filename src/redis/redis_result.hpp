// RedisResult<T>, RedisStatus: the errors-as-values of the Redis client.
//
// tgkeep::Result (util/result.hpp) with a RedisError, whose typed ErrorCode lets a caller tell
// WRONGPASS from a timeout without reading text (`result.error().code`); to_result() and
// to_status() give the project-wide Error (kind + message) where the code is not needed. Messages
// are written for an operator and never contain a password.
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
using RedisResult = Result<T, RedisError>;
using RedisStatus = BasicStatus<RedisError>;

// The project-wide Error (kind + message) of a Redis outcome, where the code is not needed.
template <class T>
Result<T> to_result(RedisResult<T>&& result) {
  if (result.ok()) return Result<T>(std::move(result).value());
  return Result<T>(result.error().to_error());
}

inline Status to_status(const RedisStatus& status) {
  return status.ok() ? Status() : Status(status.error().to_error());
}

}  // namespace tgkeep::redis
