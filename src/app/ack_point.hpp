// Choosing the acknowledgement point (TGKEEP_ACK, docs/failover.md) for this run: what was asked,
// what is configured, and, for `auto`, whether Redis reports persistence.
#pragma once

#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "redis/client.hpp"
#include "tiers/write_route.hpp"
#include "util/result.hpp"

namespace tgkeep::app {

// `asked`: auto | redis | local | postgres. `redis`: the connected client, or null when Redis is
// not configured. A choice the configuration cannot honour is one fatal line naming what to set.
// Logs the choice and its reason.
boost::asio::awaitable<Result<tiers::AckPoint>> choose_ack_point(std::string_view asked,
                                                                 redis::Client* redis,
                                                                 bool has_postgres);

}  // namespace tgkeep::app
