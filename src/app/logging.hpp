// Process logging: one event per line on stderr, as text or JSON, with every known secret
// masked as a last line of defence (code also never logs secrets on purpose).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tgkeep::app {

// `format` is "text" or "json"; `level` a spdlog level name. `secrets` are masked wherever they
// appear in a line.
void setup_logging(std::string_view format, std::string_view level,
                   std::vector<std::string> secrets);

}  // namespace tgkeep::app
