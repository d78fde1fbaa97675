// Operation: one queued call of the SQLite store, as the store thread sees it.
//
// run() executes it against the prepared Queries (for writes: inside the batch's transaction and
// its own savepoint) and keeps the value; finish() then hands the caller the value, or the error
// if run() failed or the transaction did not commit. finish() is called exactly once.
//
// Thread-safety: created by any thread, then owned and used only by the store thread.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include "sqlite/queries.hpp"
#include "storage/store.hpp"
#include "util/result.hpp"

namespace tgkeep::sqlite {

class Operation {
 public:
  // write: runs inside the batch transaction. read: runs after it, outside any transaction.
  // barrier: runs nothing; completes with the batch (flush).
  enum class Kind { write, read, barrier };

  explicit Operation(Kind kind) : kind_(kind) {}
  virtual ~Operation() = default;
  Operation(const Operation&) = delete;
  Operation& operator=(const Operation&) = delete;

  Kind kind() const { return kind_; }
  virtual Status run(Queries& queries) = 0;
  virtual void finish(Status status) = 0;

 private:
  Kind kind_;
};

// An operation whose body returns Result<T>, completed through Completion<T>.
template <class T, class Body>
class ValueOperation final : public Operation {
 public:
  ValueOperation(Kind kind, Body body, storage::Completion<T> done)
      : Operation(kind), body_(std::move(body)), done_(std::move(done)) {}

  Status run(Queries& queries) override {
    Result<T> result = body_(queries);
    if (!result) return result.error();
    value_.emplace(std::move(result).value());
    return {};
  }

  void finish(Status status) override {
    if (status && value_) {
      done_(std::move(*value_));
    } else {
      done_(status ? Error::fatal("store operation finished without a value") : status.error());
    }
  }

 private:
  Body body_;
  storage::Completion<T> done_;
  std::optional<T> value_;
};

// An operation whose body returns Status, completed through StatusCompletion.
template <class Body>
class StatusOperation final : public Operation {
 public:
  StatusOperation(Kind kind, Body body, storage::StatusCompletion done)
      : Operation(kind), body_(std::move(body)), done_(std::move(done)) {}

  Status run(Queries& queries) override { return body_(queries); }
  void finish(Status status) override { done_(std::move(status)); }

 private:
  Body body_;
  storage::StatusCompletion done_;
};

}  // namespace tgkeep::sqlite
