// Result<T>: the value of an operation that can fail, or the Error saying why.
//
// Error policy (see docs/errors.md): parsers and adapters return results, never throw for
// expected failures. ErrorKind separates what a caller can act on: `transient` may succeed on
// retry (network, busy database), `invalid_input` is bad data from outside (log, count, go on),
// `fatal` needs an operator (bad token, bad configuration). Bugs throw and are caught at the top
// of a session or job. Messages are written for an administrator and never contain secrets.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace tgkeep {

enum class ErrorKind { transient, invalid_input, fatal };

struct Error {
  ErrorKind kind = ErrorKind::invalid_input;
  std::string message;

  static Error transient(std::string m) { return {ErrorKind::transient, std::move(m)}; }
  static Error invalid(std::string m) { return {ErrorKind::invalid_input, std::move(m)}; }
  static Error fatal(std::string m) { return {ErrorKind::fatal, std::move(m)}; }
};

// E is the error type: Error here; modules with richer errors reuse the template with their own
// (the Redis client's RedisError carries a typed code).
template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(E error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const E& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, E> state_;
};

// A Result without a value.
template <class E = Error>
class [[nodiscard]] BasicStatus {
 public:
  BasicStatus() = default;
  BasicStatus(E error) : error_(std::move(error)), ok_(false) {}
  static BasicStatus success() { return {}; }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const E& error() const { return error_; }

 private:
  E error_;
  bool ok_ = true;
};

using Status = BasicStatus<>;

}  // namespace tgkeep
