#include "sandbox/update_queue.hpp"

#include <algorithm>

namespace tgkeep::sandbox {
namespace {

// Telegram stops filling a getUpdates reply at about 4 MiB (50 bytes of overhead per update).
constexpr std::size_t kMaxReplyBytes = std::size_t{1} << 22;
// Offsets this far past the next id are "in the future" for Telegram and ignored.
constexpr std::int64_t kFutureSlack = 10;

}  // namespace

std::string UpdateBatch::result_json() const {
  std::size_t size = 2;
  for (const StoredUpdate* u : updates) size += u->json.size() + 1;
  std::string out;
  out.reserve(size);
  out += '[';
  for (std::size_t i = 0; i < updates.size(); ++i) {
    if (i != 0) out += ',';
    out += updates[i]->json;
  }
  out += ']';
  return out;
}

void UpdateQueue::push(std::int64_t id, std::string_view type_name, std::string json) {
  StoredUpdate update;
  update.id = id;
  const auto index = update_type_index(type_name);
  update.type = index ? static_cast<std::uint8_t>(*index) : kUnknownType;
  update.json = std::move(json);
  next_id_ = std::max(next_id_, id + 1);
  ++live_;
  if (items_.empty() || items_.back().id <= id) {
    items_.push_back(std::move(update));
    return;
  }
  const auto pos = std::upper_bound(items_.begin(), items_.end(), id,
                                    [](std::int64_t v, const StoredUpdate& u) { return v < u.id; });
  items_.insert(pos, std::move(update));
}

std::int64_t UpdateQueue::head() const {
  return items_.empty() ? next_id_ : items_.front().id;
}

void UpdateQueue::forget_before(std::int64_t offset) {
  while (!items_.empty() && items_.front().id < offset) {
    if (items_.front().type != kDropped) --live_;
    items_.pop_front();
  }
  confirmed_offset_ = std::max(confirmed_offset_, offset);
}

UpdateBatch UpdateQueue::take(std::int64_t offset, std::size_t limit, UpdateTypeMask allowed) {
  const std::int64_t tail = next_id_;
  if (offset <= 0) {
    if (offset < 0) offset += tail;
    offset = std::max(offset, head());
  }
  if (offset > tail + kFutureSlack) offset = head();
  forget_before(offset);

  UpdateBatch batch;
  batch.effective_offset = offset;
  std::size_t bytes = 0;
  for (auto& update : items_) {
    if (batch.updates.size() >= limit) break;
    if (update.type == kDropped) continue;
    if (update.type != kUnknownType && !(allowed & (UpdateTypeMask{1} << update.type))) {
      update.type = kDropped;
      std::string().swap(update.json);
      --live_;
      continue;
    }
    bytes += update.json.size() + 50;
    if (bytes > kMaxReplyBytes && !batch.updates.empty()) break;
    batch.updates.push_back(&update);
  }
  while (!items_.empty() && items_.front().type == kDropped) items_.pop_front();
  return batch;
}

void UpdateQueue::clear() {
  items_.clear();
  live_ = 0;
  confirmed_offset_ = std::max(confirmed_offset_, next_id_);
}

std::size_t UpdateQueue::memory_bytes() const {
  std::size_t bytes = items_.size() * sizeof(StoredUpdate);
  for (const auto& update : items_) {
    if (update.json.capacity() > 15) bytes += update.json.capacity() + 1;
  }
  return bytes;
}

}  // namespace tgkeep::sandbox
