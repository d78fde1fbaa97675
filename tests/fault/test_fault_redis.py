"""Fault injection, Redis: SIGKILLed and restarted with and without persistence, frozen with
SIGSTOP past the command timeout, answering OOM, black-holed behind a proxy. The bot runs with
TGKEEP_ACK=auto under steady load; nothing acknowledged may be lost or stored twice."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import REDIS_TIMEOUT_MS, FaultTest  # noqa: E402

STALL_LIMIT_MS = 2 * REDIS_TIMEOUT_MS


class RedisFaults(FaultTest):
    def test_01_redis_killed_and_restarted_with_persistence(self):
        def fault(t):
            t.redis.kill()
            time.sleep(2.0)
            t.redis.restart()  # reloads its AOF from the same directory
            t.end_fault()
        self.run_scenario(1, "Redis SIGKILL + restart, AOF everysec (ack auto)", fault,
                          persistent_redis=True, stall_limit_ms=STALL_LIMIT_MS)

    def test_02_redis_killed_and_restarted_empty(self):
        def fault(t):
            t.redis.kill()
            time.sleep(2.0)
            t.redis.restart()  # no persistence: empty
            t.end_fault()
        self.run_scenario(2, "Redis SIGKILL + restart empty, no persistence (ack auto)", fault,
                          persistent_redis=False, stall_limit_ms=STALL_LIMIT_MS)

    def test_07_redis_frozen_past_the_command_timeout(self):
        def fault(t):
            t.redis.freeze()
            try:
                time.sleep(3.0)
            finally:
                t.redis.thaw()
            t.end_fault()
        self.run_scenario(7, f"Redis SIGSTOP 3 s (timeout {REDIS_TIMEOUT_MS} ms), SIGCONT", fault,
                          persistent_redis=True, stall_limit_ms=STALL_LIMIT_MS)


if __name__ == "__main__":
    unittest.main()
