"""What every module of the fault suite shares: where the repository and the binary are, the
scenario constants, and where reports go. Importing it also makes tests/e2e/harness.py importable
and clears any database configured on the developer's machine from this process's environment."""

import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
if not os.environ.get("TGKEEP_BIN"):
    os.environ["TGKEEP_BIN"] = os.path.join(REPO, "build", "src", "app", "tgkeep")
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))

import harness  # noqa: E402
from harness import DATABASE_ENV_NAMES, PgServer  # noqa: E402,F401

TGKEEP = harness.TGKEEP

# A database configured on the developer's machine must never leak into a test's processes.
for _name in DATABASE_ENV_NAMES:
    os.environ.pop(_name, None)

REDIS_TIMEOUT_MS = 500     # TGKEEP_REDIS_TIMEOUT for every scenario
WARMUP_S = 3.0             # load before the fault
AFTER_S = 4.0              # load after the fault ended
DRAIN_TIMEOUT_S = 60.0     # after the load stops: everything acknowledged, and in PostgreSQL


def report_dir():
    d = os.environ.get("TGKEEP_FAULT_REPORT_DIR")
    if not d:
        d = os.path.join(tempfile.gettempdir(), "tgkeep-fault-report")
    os.makedirs(d, exist_ok=True)
    return d


def wait_for_binary(timeout=120):
    """The binary may be rebuilt under us: wait until it is there and executable."""
    deadline = time.monotonic() + timeout
    while not os.access(TGKEEP, os.X_OK):
        if time.monotonic() > deadline:
            raise AssertionError(f"{TGKEEP} is missing (not built?)")
        time.sleep(1)

LOAD_RATE = 200  # user messages per second
LOAD_CHATS = 50
