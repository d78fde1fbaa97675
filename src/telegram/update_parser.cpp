// How UpdateParser reads a reply (the why behind the code):
// - The envelope and getUpdates' `result` array are split by json_scan into the exact text of each
//   member, and each member is parsed on its own with simdjson's DOM parser, straight from the
//   reused padded input buffer. So every byte is validated (malformed JSON anywhere is an error),
//   each update keeps its original text for raw_json, and one simdjson document at a time stays
//   small. The DOM parser picks the CPU's fastest kernel at run time.
// - A member that simdjson refuses only because of lone surrogate escapes is repaired
//   (json_surrogates) and parsed again, so one truncated emoji in a name cannot block a chat.
#include "telegram/update_parser.hpp"

#include <limits>
#include <utility>

#include <simdjson.h>

#include "telegram/json_scan.hpp"
#include "telegram/json_surrogates.hpp"
#include "telegram/padded_buffer.hpp"
#include "telegram/update_decoder.hpp"

namespace tgkeep::telegram {
namespace {

using simdjson::dom::element;

// Error messages quote at most this much of anything that came from outside.
constexpr std::size_t kMaxQuoted = 200;

std::string clip(std::string_view text) {
  if (text.size() <= kMaxQuoted) return std::string(text);
  std::size_t end = kMaxQuoted;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "...";
}

Error invalid_json(std::string_view where, simdjson::error_code code) {
  return Error::invalid("invalid JSON in " + std::string(where) + ": " +
                        simdjson::error_message(code));
}

enum class EnvelopeKey { ok, error_code, description, parameters, result, other };

EnvelopeKey envelope_key(std::string_view name) {
  if (name == "ok") return EnvelopeKey::ok;
  if (name == "result") return EnvelopeKey::result;
  if (name == "error_code") return EnvelopeKey::error_code;
  if (name == "description") return EnvelopeKey::description;
  if (name == "parameters") return EnvelopeKey::parameters;
  return EnvelopeKey::other;
}

void read_parameters(element e, ApiEnvelope& env) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return;
  for (const auto& field : obj) {
    std::int64_t n;
    if (field.value.get_int64().get(n) != simdjson::SUCCESS) continue;
    if (field.key == "retry_after" && n >= 0 && n <= std::numeric_limits<int>::max()) {
      env.retry_after = static_cast<int>(n);
    } else if (field.key == "migrate_to_chat_id") {
      env.migrate_to_chat_id = n;
    }
  }
}

// The Error for an ok:false reply: the kind says what the caller can do about it.
Error api_error(const ApiEnvelope& env) {
  std::string message = env.description.empty() ? "Bot API error " + std::to_string(env.error_code)
                                                : clip(env.description);
  if (env.error_code == 429 || env.error_code >= 500) return Error::transient(std::move(message));
  if (env.error_code == 401 || env.error_code == 404 || env.error_code == 409) {
    return Error::fatal(std::move(message));  // bad token, or a webhook / another poller
  }
  return Error::invalid(std::move(message));
}

}  // namespace

struct UpdateParser::Impl {
  detail::PaddedBuffer input;     // the text being parsed
  detail::PaddedBuffer repaired;  // a member whose lone surrogates were replaced
  simdjson::dom::parser dom;
  std::vector<detail::RawMember> members;
  std::vector<std::string_view> elements;

  // DOM-parses `piece`, a part of `input` (so padding follows it), repairing lone surrogates when
  // that is what fails. On success `*text` is the text parsed: `piece` itself or its repaired
  // copy. The element lives until the next parse.
  simdjson::error_code parse(std::string_view piece, element& out, std::string_view* text) {
    if (!input.holds(piece)) return simdjson::INSUFFICIENT_PADDING;  // a bug, but never UB
    auto error = dom.parse(piece.data(), piece.size(), false).get(out);
    if (error == simdjson::STRING_ERROR) {
      const std::string_view copy = repaired.assign(piece);
      if (detail::replace_lone_surrogates(repaired.data(), copy.size()) > 0) {
        error = dom.parse(copy.data(), copy.size(), false).get(out);
        if (!error) piece = copy;
      }
    }
    if (text) *text = piece;
    return error;
  }

  // Whether a raw key token is `name`, decoding escapes only when there are any.
  Result<EnvelopeKey> key_of(std::string_view token) {
    const std::string_view inner = token.substr(1, token.size() - 2);
    if (inner.find('\\') == std::string_view::npos) {
      if (!simdjson::validate_utf8(inner.data(), inner.size())) {
        return invalid_json("a key", simdjson::UTF8_ERROR);
      }
      return envelope_key(inner);
    }
    element e;
    std::string_view name;
    if (auto error = parse(token, e, nullptr)) return invalid_json("a key", error);
    if (e.get_string().get(name) != simdjson::SUCCESS) return Error::invalid("bad key");
    return envelope_key(name);
  }

  // Reads the envelope of `body`, validating every member but `result`, whose text is returned.
  Result<std::string_view> read_envelope(std::string_view body, ApiEnvelope& env) {
    const std::string_view text = input.assign(body);
    if (!detail::split_object(text, members)) {
      return Error::invalid("Bot API reply is not a JSON object: malformed or truncated");
    }
    std::string_view result;
    bool has_ok = false;
    bool seen[5] = {};
    for (const auto& member : members) {
      auto key = key_of(member.key);
      if (!key.ok()) return key.error();
      if (*key == EnvelopeKey::result && !seen[static_cast<int>(*key)]) {
        seen[static_cast<int>(*key)] = true;
        result = member.value;
        continue;
      }
      element e;
      if (auto error = parse(member.value, e, nullptr)) return invalid_json("Bot API reply", error);
      if (*key == EnvelopeKey::other || seen[static_cast<int>(*key)]) continue;
      seen[static_cast<int>(*key)] = true;
      switch (*key) {
        case EnvelopeKey::ok:
          has_ok = e.get_bool().get(env.ok) == simdjson::SUCCESS;
          break;
        case EnvelopeKey::error_code: {
          std::int64_t code;
          if (e.get_int64().get(code) == simdjson::SUCCESS && code >= 0 && code < 1000) {
            env.error_code = static_cast<int>(code);
          }
          break;
        }
        case EnvelopeKey::description: {
          std::string_view description;
          if (e.get_string().get(description) == simdjson::SUCCESS) env.description = description;
          break;
        }
        case EnvelopeKey::parameters:
          read_parameters(e, env);
          break;
        default:
          break;
      }
    }
    if (!has_ok) return Error::invalid("Bot API reply has no boolean \"ok\"");
    return result;
  }
};

UpdateParser::UpdateParser() : impl_(std::make_unique<Impl>()) {}
UpdateParser::~UpdateParser() = default;

Result<ApiEnvelope> UpdateParser::parse_envelope(std::string_view body) {
  ApiEnvelope env;
  auto result = impl_->read_envelope(body, env);
  if (!result.ok()) return result.error();
  if (!result->empty()) {
    element e;
    std::string_view text;
    if (auto error = impl_->parse(*result, e, &text)) return invalid_json("result", error);
    if (env.ok) env.result_json.assign(text);
  }
  return env;
}

Result<UpdateBatch> UpdateParser::parse_updates(std::string_view body) {
  ApiEnvelope env;
  auto result = impl_->read_envelope(body, env);
  if (!result.ok()) return result.error();
  if (!env.ok) return api_error(env);
  if (result->empty()) return Error::invalid("getUpdates reply has no result");
  if (result->front() != '[') return Error::invalid("getUpdates result is not an array");
  if (!detail::split_array(*result, impl_->elements)) {
    return Error::invalid("getUpdates result is not a JSON array: malformed or truncated");
  }
  UpdateBatch batch;
  batch.updates.reserve(impl_->elements.size());
  for (std::size_t i = 0; i < impl_->elements.size(); ++i) {
    const auto where = [i] { return "result[" + std::to_string(i) + "]"; };
    element e;
    std::string_view text;
    if (auto error = impl_->parse(impl_->elements[i], e, &text)) {
      return invalid_json(where(), error);
    }
    if (!e.is_object()) {
      batch.rejected.push_back(where() + ": not an object");
      continue;
    }
    Update update;
    if (!detail::decode_update(e, update)) {
      batch.rejected.push_back(where() + ": no integer update_id");
      continue;
    }
    update.raw_json.assign(text);
    if (!batch.max_update_id || update.update_id > *batch.max_update_id) {
      batch.max_update_id = update.update_id;
    }
    batch.updates.push_back(std::move(update));
  }
  return batch;
}

Result<Update> UpdateParser::parse_update(std::string_view json) {
  const std::string_view text = detail::trim_json_space(impl_->input.assign(json));
  element e;
  std::string_view parsed;
  if (auto error = impl_->parse(text, e, &parsed)) return invalid_json("update", error);
  if (!e.is_object()) return Error::invalid("update is not a JSON object");
  Update update;
  if (!detail::decode_update(e, update)) return Error::invalid("update has no integer update_id");
  update.raw_json.assign(parsed);
  return update;
}

Result<Message> UpdateParser::parse_message(std::string_view json) {
  element e;
  if (auto error = impl_->parse(impl_->input.assign(json), e, nullptr)) {
    return invalid_json("message", error);
  }
  auto message = detail::decode_message(e);
  if (!message) return Error::invalid("not a Message: no integer message_id and chat.id");
  return std::move(*message);
}

Result<User> UpdateParser::parse_user(std::string_view json) {
  element e;
  if (auto error = impl_->parse(impl_->input.assign(json), e, nullptr)) {
    return invalid_json("user", error);
  }
  auto user = detail::decode_user(e);
  if (!user) return Error::invalid("not a User: no integer id");
  return std::move(*user);
}

}  // namespace tgkeep::telegram
