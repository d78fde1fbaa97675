// ReplyEngine: what the bot answers to a message that is not a command. Pluggable by name:
//   echo  repeats the text (the default)
//   none  answers nothing: the bot stores everything and answers only commands (archiving or
//         moderation bots)
// Thread-safety: reply() may be called from several coroutines of one thread; engines here are
// stateless.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "telegram/update.hpp"
#include "util/result.hpp"

namespace tgkeep::bot {

struct ReplyContext {
  const telegram::Message& message;
  std::string_view language;  // the lexicon language chosen for the sender
};

class ReplyEngine {
 public:
  virtual ~ReplyEngine() = default;
  virtual std::string_view name() const = 0;
  // Whether plain text messages get an answer (decides at intake whether an update needs work).
  virtual bool answers_text() const = 0;
  virtual std::optional<std::string> reply(const ReplyContext& context) = 0;
};

// The engine called `name`; an Error::fatal listing the known engines otherwise.
[[nodiscard]] Result<std::unique_ptr<ReplyEngine>> make_reply_engine(std::string_view name);

}  // namespace tgkeep::bot
