// RespReader: RESP2 replies out of a byte stream, without I/O. Bytes go in with feed(), in
// pieces of any size; complete replies come out of next(), in order.
//
// The parsing is hiredis's reader (redisReaderCreateWithFunctions), the parser every Redis client
// in C relies on, given our own object functions so it builds Reply trees directly (no redisReply
// copy). hiredis 0.14 speaks RESP2 only and nests arrays at most 8 levels deep; deeper is a
// protocol error. On top of it the reader bounds memory: an incomplete reply may not hold more
// than `max_reply_bytes` buffered (hiredis would wait forever for a 9-exabyte bulk string).
//
// After a protocol error the reader stays failed: the byte stream has lost its framing, so the
// connection it came from must be closed.
//
// Thread-safety: none; one reader per connection. Ownership: owns its buffer and the reply under
// construction. Not movable (hiredis keeps a pointer to it).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "redis/redis_result.hpp"
#include "redis/reply.hpp"

struct redisReader;
struct redisReadTask;

namespace tgkeep::redis {

class RespReader {
 public:
  // Redis's own limit for one bulk string (proto-max-bulk-len) is 512 MiB.
  static constexpr std::size_t kDefaultMaxReplyBytes = std::size_t{512} * 1024 * 1024 + 1024;
  // hiredis 0.14 indexes its buffer with `int`: larger limits are lowered to this.
  static constexpr std::size_t kMaxReplyBytesLimit = std::size_t{1} << 30;

  explicit RespReader(std::size_t max_reply_bytes = kDefaultMaxReplyBytes);
  ~RespReader();
  RespReader(const RespReader&) = delete;
  RespReader& operator=(const RespReader&) = delete;

  // Appends bytes. A failure (out of memory, or fed after an error) shows in the next next().
  void feed(std::string_view bytes);

  // The next complete reply; std::nullopt when more bytes are needed; ErrorCode::protocol when
  // the bytes are not RESP or the reply under construction exceeds the limit.
  [[nodiscard]] RedisResult<std::optional<Reply>> next();

  bool failed() const { return !error_.empty(); }
  // Bytes received and not yet returned as replies.
  std::size_t buffered() const;

 private:
  static void* create_string(const redisReadTask* task, char* str, std::size_t len);
  static void* create_array(const redisReadTask* task, int elements);
  static void* create_integer(const redisReadTask* task, long long value);
  static void* create_nil(const redisReadTask* task);
  static void free_object(void* object);
  Reply* place(const redisReadTask* task, Reply value) noexcept;
  RedisError fail(std::string message);

  redisReader* reader_ = nullptr;
  std::size_t max_reply_bytes_;
  Reply root_;  // the reply under construction; hiredis holds pointers into it
  std::string error_;
};

}  // namespace tgkeep::redis
