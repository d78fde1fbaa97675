// `tgkeep sync`: drains the outbox into PostgreSQL (docs/outbox.md), continuously until SIGTERM,
// or with --once until the backlog is empty, showing progress on stderr (a bar on a terminal,
// plain lines elsewhere). Returns an exit code: 0 done, 1 failed, 2 misconfigured.
#pragma once

#include "config/settings.hpp"
#include "sync/syncer.hpp"
#include "util/result.hpp"

namespace tgkeep::app {

int sync_command(const config::Settings& settings, bool once);

// The syncer's settings from tgkeep's (interval, batch, PostgreSQL, the test-only kill switch);
// `standalone`: for `tgkeep sync` rather than the syncer inside `tgkeep run` (its batch size).
Result<sync::SyncerOptions> syncer_options(const config::Settings& settings, bool standalone);

}  // namespace tgkeep::app
