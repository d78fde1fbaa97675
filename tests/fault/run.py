#!/usr/bin/env python3
"""Runs tgkeep's fault-injection suite against build/src/app/tgkeep (or --bin) and rewrites
tests/fault/REPORT.md and tests/fault/report.json (or --out DIR).

    python3 tests/fault/run.py                 # the whole suite, 2 test processes at a time
    python3 tests/fault/run.py test_fault_pg   # some modules only (the report has their rows)

Needs redis-server and the PostgreSQL server binaries (initdb, postgres, psql). Exit status 0
when every scenario passed."""

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# The longest first, so two at a time finish together.
MODULES = ["test_fault_process", "test_fault_redis", "test_fault_storage"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"default: {' '.join(MODULES)}")
    parser.add_argument("--bin", default=os.path.join(REPO, "build", "src", "app", "tgkeep"))
    parser.add_argument("--out", default=HERE, help="report directory (default: tests/fault)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="test processes at once")
    args = parser.parse_args()
    modules = [m.removesuffix(".py") for m in args.modules] or MODULES

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    for name in ("report.json", "REPORT.md"):  # a fresh report: no rows from earlier runs
        try:
            os.remove(os.path.join(out, name))
        except FileNotFoundError:
            pass
    env = dict(os.environ, TGKEEP_BIN=os.path.abspath(args.bin), TGKEEP_FAULT_REPORT_DIR=out,
               PYTHONDONTWRITEBYTECODE="1",
               TGKEEP_FAULT_COMMAND="python3 tests/fault/run.py"
               + "".join(" " + shlex.quote(a) for a in sys.argv[1:]))
    logs = tempfile.mkdtemp(prefix="tgkeep-fault-logs-")
    started = time.monotonic()
    queue, running, failed = list(modules), {}, []
    while queue or running:
        while queue and len(running) < max(1, args.jobs):
            module = queue.pop(0)
            log = open(os.path.join(logs, module + ".log"), "w")
            proc = subprocess.Popen([sys.executable, "-m", "unittest", "-v", module], cwd=HERE,
                                    env=env, stdout=log, stderr=subprocess.STDOUT)
            running[module] = (proc, log)
            print(f"started {module} (log: {log.name})", flush=True)
        time.sleep(0.5)
        for module, (proc, log) in list(running.items()):
            if proc.poll() is not None:
                log.close()
                del running[module]
                status = "ok" if proc.returncode == 0 else f"FAILED ({proc.returncode})"
                print(f"{module}: {status} after {time.monotonic() - started:.0f} s", flush=True)
                if proc.returncode != 0:
                    failed.append(module)
                    with open(log.name) as f:
                        sys.stdout.write(f.read()[-6000:])
    print(f"\nwhole run: {time.monotonic() - started:.0f} s; report: {out}/REPORT.md\n")
    try:
        with open(os.path.join(out, "REPORT.md")) as f:
            print(f.read())
    except FileNotFoundError:
        print("(no report written: were the tests skipped?)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
