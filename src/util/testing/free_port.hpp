// A TCP port on 127.0.0.1 that nothing listens on at the time of the call (the kernel picks it),
// for test fixtures that start servers. 0 when none can be had. Test support only.
#pragma once

#include <cstdint>

namespace tgkeep::testing {

std::uint16_t free_loopback_port();

}  // namespace tgkeep::testing
