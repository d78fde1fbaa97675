#include "redis/resp_reader.hpp"

#include <algorithm>
#include <exception>
#include <new>

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <hiredis/read.h>

namespace tgkeep::redis {
namespace {

// Elements reserved up front for an array: its announced size is untrusted (up to INT_MAX), so
// larger arrays grow as their elements arrive.
constexpr int kMaxReserve = 16;

}  // namespace

RespReader::RespReader(std::size_t max_reply_bytes)
    : max_reply_bytes_(std::clamp<std::size_t>(max_reply_bytes, 1, kMaxReplyBytesLimit)) {
  static redisReplyObjectFunctions functions = {&create_string, &create_array, &create_integer,
                                                &create_nil, &free_object};
  reader_ = redisReaderCreateWithFunctions(&functions);
  if (reader_ == nullptr) throw std::bad_alloc();
  reader_->privdata = this;
}

RespReader::~RespReader() {
  redisReaderFree(reader_);
}

void RespReader::feed(std::string_view bytes) {
  if (failed() || bytes.empty()) return;
  if (redisReaderFeed(reader_, bytes.data(), bytes.size()) != REDIS_OK) {
    (void)fail(reader_->errstr[0] != '\0' ? reader_->errstr : "out of memory");
  }
}

std::size_t RespReader::buffered() const {
  return reader_->len - reader_->pos;
}

RedisResult<std::optional<Reply>> RespReader::next() {
  if (failed()) return fail(error_);
  void* reply = nullptr;
  if (redisReaderGetReply(reader_, &reply) != REDIS_OK) {
    root_ = Reply();
    return fail(reader_->errstr);
  }
  if (reply == nullptr) {
    if (buffered() > max_reply_bytes_) {
      root_ = Reply();
      return fail(fmt::format("a reply exceeds {} bytes", max_reply_bytes_));
    }
    return std::optional<Reply>();
  }
  std::optional<Reply> out(std::move(root_));
  root_ = Reply();
  return out;
}

RedisError RespReader::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  RedisError error;
  error.code = ErrorCode::protocol;
  error.message = "RESP protocol error: " + error_;
  return error;
}

Reply* RespReader::place(const redisReadTask* task, Reply value) noexcept {
  try {
    if (task->parent == nullptr) {
      root_ = std::move(value);
      return &root_;
    }
    // hiredis fills arrays in order, and only the innermost unfinished array grows, so pointers
    // to the unfinished ancestors (which hiredis holds) stay valid.
    auto* parent = static_cast<Reply*>(task->parent->obj);
    parent->elements.push_back(std::move(value));
    return &parent->elements.back();
  } catch (const std::exception&) {
    return nullptr;  // hiredis turns this into an "out of memory" reader error
  }
}

void* RespReader::create_string(const redisReadTask* task, char* str, std::size_t len) {
  auto* self = static_cast<RespReader*>(task->privdata);
  Reply value;
  switch (task->type) {
    case REDIS_REPLY_STATUS:
      value.type = ReplyType::status;
      break;
    case REDIS_REPLY_ERROR:
      value.type = ReplyType::error;
      break;
    default:
      value.type = ReplyType::string;
      break;
  }
  try {
    value.text.assign(str, len);
  } catch (const std::exception&) {
    return nullptr;
  }
  return self->place(task, std::move(value));
}

void* RespReader::create_array(const redisReadTask* task, int elements) {
  auto* self = static_cast<RespReader*>(task->privdata);
  Reply value;
  value.type = ReplyType::array;
  try {
    value.elements.reserve(static_cast<std::size_t>(std::clamp(elements, 0, kMaxReserve)));
  } catch (const std::exception&) {
    return nullptr;
  }
  return self->place(task, std::move(value));
}

void* RespReader::create_integer(const redisReadTask* task, long long value) {
  return static_cast<RespReader*>(task->privdata)->place(task, Reply::of_integer(value));
}

void* RespReader::create_nil(const redisReadTask* task) {
  return static_cast<RespReader*>(task->privdata)->place(task, Reply::nil());
}

void RespReader::free_object(void*) {
  // Nothing to free: every object lives inside root_, which the RespReader owns and resets.
}

}  // namespace tgkeep::redis
