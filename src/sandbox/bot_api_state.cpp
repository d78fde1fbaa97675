#include "sandbox/bot_api_state.hpp"

#include "sandbox/request_params.hpp"

namespace tgkeep::sandbox {

std::uint64_t LongPollSlot::start() {
  if (current_ != 0) aborted_[current_] = PollAbort::other_get_updates;
  current_ = next_++;
  return current_;
}

void LongPollSlot::abort_current(PollAbort reason) {
  if (current_ == 0) return;
  aborted_[current_] = reason;
  current_ = 0;
}

std::optional<PollAbort> LongPollSlot::aborted(std::uint64_t ticket) const {
  const auto it = aborted_.find(ticket);
  if (it != aborted_.end()) return it->second;
  if (ticket != current_) return PollAbort::other_get_updates;  // already answered elsewhere
  return std::nullopt;
}

void LongPollSlot::finish(std::uint64_t ticket) {
  aborted_.erase(ticket);
  if (ticket == current_) current_ = 0;
}

BotState::BotState(std::string token_in, std::int64_t first_update_id)
    : updates(first_update_id), allowed_updates(all_update_types()) {
  bot_user.is_bot = true;
  bot_user.first_name = "Sandbox Bot";
  bot_user.username = "sandbox_bot";
  claim(std::move(token_in));
}

void BotState::claim(std::string new_token) {
  token = std::move(new_token);
  bot_user.id = parse_bot_token(token).value_or(0);
}

void BotState::push_update(std::int64_t id, std::string_view type, std::string json) {
  updates.push(id, type, std::move(json));
  wake_pending = true;
}

void BotState::record_event(ChatEventKind kind, std::int64_t chat_id, std::int64_t id,
                            std::string text, bool flag) {
  events.append(ChatEvent{0, kind, chat_id, id, std::move(text), flag});
  events_pending = true;
}

std::optional<std::int64_t> parse_bot_token(std::string_view token) {
  const std::size_t colon = token.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon > 18) return std::nullopt;
  const auto id = parse_int64(token.substr(0, colon));
  if (!id || *id <= 0 || token[0] == '+' || token[0] == '-') return std::nullopt;
  const std::string_view secret = token.substr(colon + 1);
  if (secret.size() < 30) return std::nullopt;
  for (char c : secret) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return std::nullopt;
  }
  return id;
}

}  // namespace tgkeep::sandbox
