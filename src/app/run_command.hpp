// `tgkeep run`: the composition root of the bot. Builds every component from the settings,
// connects them, runs the event loop, and shuts down gracefully on SIGTERM/SIGINT.
#pragma once

#include "config/settings.hpp"

namespace tgkeep::app {

// Returns the process exit code: 0 after a graceful stop, 1 when the bot cannot work (rejected
// token, conflict, storage that cannot open), 2 for a configuration error.
int run_bot(const config::Settings& settings);

}  // namespace tgkeep::app
