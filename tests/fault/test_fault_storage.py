"""Fault injection, the system of record: PostgreSQL SIGKILLed and restarted; Redis and
PostgreSQL both down, back in either order. Redis runs with AOF (TGKEEP_ACK=auto acknowledges
at Redis); nothing acknowledged may be lost or stored twice."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import FaultTest  # noqa: E402


class StorageFaults(FaultTest):
    def test_03_postgres_killed_and_restarted(self):
        def fault(t):
            t.pg.kill()
            time.sleep(3.0)
            t.pg.start()
            t.end_fault()
        self.run_scenario(3, "PostgreSQL SIGKILL + restart (durable)", fault)

    def both_down(self, first):
        def fault(t):
            t.redis.kill()
            t.pg.kill()
            time.sleep(3.0)
            if first == "redis":
                t.redis.restart()
                time.sleep(2.0)
                t.pg.start()
            else:
                t.pg.start()
                time.sleep(2.0)
                t.redis.restart()
            t.end_fault()
        return fault

    def test_04_both_down_redis_back_first(self):
        self.run_scenario(4, "Redis + PostgreSQL SIGKILL, Redis back first", self.both_down("redis"))

    def test_05_both_down_postgres_back_first(self):
        self.run_scenario(5, "Redis + PostgreSQL SIGKILL, PostgreSQL back first",
                          self.both_down("pg"))


if __name__ == "__main__":
    unittest.main()
