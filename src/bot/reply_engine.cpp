#include "bot/reply_engine.hpp"

#include <fmt/format.h>

namespace tgkeep::bot {
namespace {

class EchoEngine final : public ReplyEngine {
 public:
  std::string_view name() const override { return "echo"; }
  bool answers_text() const override { return true; }
  std::optional<std::string> reply(const ReplyContext& context) override {
    if (!context.message.has_text || context.message.text.empty()) return std::nullopt;
    return context.message.text;
  }
};

class SilentEngine final : public ReplyEngine {
 public:
  std::string_view name() const override { return "none"; }
  bool answers_text() const override { return false; }
  std::optional<std::string> reply(const ReplyContext&) override { return std::nullopt; }
};

}  // namespace

Result<std::unique_ptr<ReplyEngine>> make_reply_engine(std::string_view name) {
  if (name == "echo") return std::unique_ptr<ReplyEngine>(std::make_unique<EchoEngine>());
  if (name == "none") return std::unique_ptr<ReplyEngine>(std::make_unique<SilentEngine>());
  return Error::fatal(fmt::format("unknown reply engine '{}': use echo or none", name));
}

}  // namespace tgkeep::bot
