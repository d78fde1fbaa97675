// Bot API JSON in, typed values out. No I/O: fed bytes, returns values, so it is unit tested
// with byte strings and fuzzed (fuzz/update_parser_fuzz.cpp).
//
// Error policy: text that cannot be parsed as JSON (truncated, not JSON, bad escapes, invalid
// UTF-8; also numbers beyond 64 bits and nesting deeper than 1024) is Error::invalid with a short
// message that quotes no input, for the whole reply: a corrupt getUpdates reply is asked for again,
// never half acknowledged. Valid JSON of an unexpected shape is not an error (see update.hpp and
// UpdateBatch). Lone UTF-16 surrogate escapes are repaired, not refused (see json_surrogates.hpp).
// Never throws.
//
// Thread-safety: an UpdateParser holds simdjson buffers; use one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telegram/update.hpp"
#include "util/result.hpp"

namespace tgkeep::telegram {

// The `{ok, result}` / `{ok:false, error_code, description, parameters}` envelope of every reply.
struct ApiEnvelope {
  bool ok = false;
  int error_code = 0;
  std::string description;
  std::optional<int> retry_after;                  // parameters.retry_after (429)
  std::optional<std::int64_t> migrate_to_chat_id;  // parameters.migrate_to_chat_id
  std::string result_json;                         // raw JSON text of `result` when ok
};

// The parsed reply to getUpdates.
struct UpdateBatch {
  std::vector<Update> updates;  // in the order received
  // Elements of `result` that could not be used (not an object, no integer update_id). They are
  // reported, counted, and skipped; the highest update_id seen still moves the offset.
  std::vector<std::string> rejected;
  std::optional<std::int64_t> max_update_id;  // over updates and rejected elements alike
};

class UpdateParser {
 public:
  UpdateParser();
  ~UpdateParser();
  UpdateParser(const UpdateParser&) = delete;
  UpdateParser& operator=(const UpdateParser&) = delete;

  // Parses any Bot API reply's envelope. Malformed JSON is Error::invalid.
  [[nodiscard]] Result<ApiEnvelope> parse_envelope(std::string_view body);

  // Parses a whole getUpdates reply. An envelope with ok:false is returned as an Error whose
  // message is the description; use parse_envelope first when the error code matters. Its kind:
  // transient for 429 and 5xx, fatal for 401, 404 and 409, invalid_input otherwise.
  [[nodiscard]] Result<UpdateBatch> parse_updates(std::string_view body);

  // Parses one update object (as in a webhook request body).
  [[nodiscard]] Result<Update> parse_update(std::string_view json);

  // Parses a Message object (the result of sendMessage and editMessageText).
  [[nodiscard]] Result<Message> parse_message(std::string_view json);

  // Parses a User object (the result of getMe).
  [[nodiscard]] Result<User> parse_user(std::string_view json);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgkeep::telegram
