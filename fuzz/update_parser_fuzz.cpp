// libFuzzer target for the Bot API protocol code: the bytes go to every UpdateParser entry point,
// and through split_message_text, append_json_string, JsonWriter and the request builders as
// text. Besides crashes, leaks and undefined behaviour (ASan, UBSan), it checks invariants:
// - every raw_json is valid JSON, and typed kinds carry their typed payload;
// - when simdjson accepts the whole input as a getUpdates reply or an update, so does the parser,
//   and it accounts for every element of `result`;
// - text parts are non-empty, within the limit, cut on character boundaries, and concatenate to
//   the input;
// - everything the JSON writer produces parses again, and valid UTF-8 strings round-trip.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "telegram/requests.hpp"
#include "telegram/text_split.hpp"
#include "telegram/update_parser.hpp"
#include "util/json_writer.hpp"

namespace {

using namespace tgkeep;
using namespace tgkeep::telegram;
using simdjson::dom::element;

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

simdjson::dom::parser& checker() {
  static simdjson::dom::parser parser;
  return parser;
}

// Parses `text` with simdjson's DOM parser into `out`; the element lives until the next call.
bool dom_parse(std::string_view text, element& out) {
  static simdjson::padded_string copy;
  copy = simdjson::padded_string(text);
  return checker().parse(copy).get(out) == simdjson::SUCCESS;
}

bool is_valid_json(std::string_view text) {
  element e;
  return dom_parse(text, e);
}

bool is_message_kind(UpdateKind kind) {
  return kind != UpdateKind::other && kind != UpdateKind::callback_query;
}

void check_update(const Update& u, std::size_t input_size) {
  check(!u.raw_json.empty() && u.raw_json.size() <= input_size, "raw_json is part of the input");
  check(is_valid_json(u.raw_json), "raw_json is valid JSON");
  if (is_message_kind(u.kind)) check(u.message.has_value(), "message kind has a message");
  if (u.kind == UpdateKind::callback_query) check(u.callback_query.has_value(), "query present");
  if (u.kind == UpdateKind::other) {
    check(!u.message && !u.callback_query, "other kind is untyped");
  } else {
    check(u.type == kind_name(u.kind), "type names the kind");
  }
  (void)u.chat_id();
  (void)u.sender();
}

void check_split(std::string_view text, std::size_t limit) {
  const auto parts = split_message_text(text, limit);
  const std::size_t effective = limit < 2 ? 2 : limit;
  const bool valid_utf8 = simdjson::validate_utf8(text.data(), text.size());
  std::string joined;
  for (const auto& part : parts) {
    check(!part.empty(), "no empty part");
    check(utf16_length(part) <= effective, "part within the limit");
    if (valid_utf8) check(simdjson::validate_utf8(part.data(), part.size()), "part is UTF-8");
    joined += part;
  }
  check(joined == text, "parts concatenate to the input");
  if (!text.empty() && utf16_length(text) <= effective) check(parts.size() == 1, "one part");
}

void check_writer(std::string_view text) {
  std::string quoted;
  append_json_string(quoted, text);
  element e;
  check(dom_parse(quoted, e), "escaped string parses");
  std::string_view decoded;
  check(e.get_string().get(decoded) == simdjson::SUCCESS, "escaped string is a string");
  check(simdjson::validate_utf8(quoted.data(), quoted.size()), "escaped string is UTF-8");
  if (simdjson::validate_utf8(text.data(), text.size())) check(decoded == text, "round trip");

  JsonWriter w;
  w.begin_object();
  w.key(text);
  w.value(text);
  w.key("list");
  w.begin_array();
  w.value(static_cast<std::int64_t>(text.size()));
  w.value(true);
  w.null();
  w.begin_object();
  w.end_object();
  w.raw(quoted);
  w.end_array();
  w.end_object();
  check(is_valid_json(w.str()), "writer output parses");

  SendMessage m;
  m.chat_id = -static_cast<std::int64_t>(text.size());
  m.text = std::string(text);
  m.reply_to_message_id = 1;
  check(is_valid_json(send_message_body(m)), "sendMessage body parses");
  check(is_valid_json(answer_callback_query_body(text, text)), "answerCallbackQuery body parses");
}

// What simdjson alone says about a getUpdates reply: the size of `result`, if it is usable.
std::optional<std::size_t> expected_batch_size(std::string_view input) {
  element root;
  if (!dom_parse(input, root)) return std::nullopt;
  bool ok = false;
  simdjson::dom::array result;
  if (root["ok"].get(ok) != simdjson::SUCCESS || !ok) return std::nullopt;
  if (root["result"].get(result) != simdjson::SUCCESS) return std::nullopt;
  return result.size();
}

bool simdjson_sees_an_update(std::string_view input) {
  element root;
  std::int64_t id;
  return dom_parse(input, root) && root["update_id"].get(id) == simdjson::SUCCESS;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static UpdateParser parser;  // reused, as in the bot: stale state must not leak across inputs
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  auto batch = parser.parse_updates(input);
  if (batch.ok()) {
    for (const auto& u : batch->updates) {
      check_update(u, size);
      check(batch->max_update_id && u.update_id <= *batch->max_update_id, "max_update_id");
    }
    check(batch->updates.empty() != batch->max_update_id.has_value(), "max_update_id iff updates");
  }
  if (const auto expected = expected_batch_size(input)) {
    check(batch.ok(), "a reply simdjson accepts is accepted");
    check(batch->updates.size() + batch->rejected.size() == *expected, "every element counted");
  }

  auto update = parser.parse_update(input);
  if (update.ok()) check_update(*update, size);
  if (simdjson_sees_an_update(input)) check(update.ok(), "an update simdjson accepts is accepted");

  auto envelope = parser.parse_envelope(input);
  if (envelope.ok() && envelope->ok && !envelope->result_json.empty()) {
    check(is_valid_json(envelope->result_json), "result_json is valid JSON");
    (void)parser.parse_message(envelope->result_json);
    (void)parser.parse_user(envelope->result_json);
  }
  (void)parser.parse_message(input);
  (void)parser.parse_user(input);

  check_split(input, size > 0 ? 2 + data[0] % 40 : 4096);
  check_split(input, 4096);
  check_writer(input);
  return 0;
}
