// PaddedBuffer: a reusable copy of input text followed by the zeroed padding simdjson may read
// past the end of a document (simdjson::SIMDJSON_PADDING bytes). It keeps its allocation between
// inputs, so parsing a stream of replies does not allocate once the buffer has grown to the largest
// reply.
//
// Thread-safety: none; owned by one parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include <simdjson.h>

namespace tgkeep::telegram::detail {

class PaddedBuffer {
 public:
  // Replaces the contents with a copy of `text`; returns a view of the copy.
  std::string_view assign(std::string_view text) {
    if (text.size() > capacity_ || !data_) {
      std::size_t grown = capacity_ * 2;
      if (grown < text.size()) grown = text.size();
      if (grown < kMinCapacity) grown = kMinCapacity;
      data_ = std::make_unique<char[]>(grown + simdjson::SIMDJSON_PADDING);
      capacity_ = grown;
    }
    if (!text.empty()) std::memcpy(data_.get(), text.data(), text.size());
    std::memset(data_.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);
    size_ = text.size();
    return {data_.get(), size_};
  }

  char* data() { return data_.get(); }
  std::size_t size() const { return size_; }

  // True when `piece` lies within the current contents, so it is followed by readable padding.
  bool holds(std::string_view piece) const {
    if (!data_) return false;
    const auto begin = reinterpret_cast<std::uintptr_t>(data_.get());
    const auto first = reinterpret_cast<std::uintptr_t>(piece.data());
    return first >= begin && first - begin <= size_ && piece.size() <= size_ - (first - begin);
  }

 private:
  static constexpr std::size_t kMinCapacity = 4096;

  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
};

}  // namespace tgkeep::telegram::detail
