#!/usr/bin/env python3
"""Outbox syncer benchmark: write_to_postgres beside a plain COPY, on a throwaway PostgreSQL.

Starts one scratch PostgreSQL the way the end-to-end tests do (tests/e2e/harness.py, PgServer:
fsync and synchronous_commit off), then runs outbox_pg_writer_bench R times, each on a fresh
database: N update entries (text messages of ~100 bytes over C private chats, with their raw
updates and senders) written in batches of B with write_to_postgres, then the same message rows
COPYed into messages, in one COPY and in one COPY per B rows. Prints the bench's JSON line per
run, with `idle_cpus` sampled before it (competing load skews the figures). Target (the issue):
ratio = writer_rows_per_s / copy_rows_per_s >= 0.6. Exits 1 when a run fails, not when the
target is missed.

Usage: bench/outbox_pg_writer.py [--bin PATH] [--runs R] [--entries N] [--chats C] [--batch B]
"""

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PgServer  # noqa: E402
from redis_hot_tier import idle_cpus  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin",
                        default=os.path.join(ROOT, "build/src/outbox/outbox_pg_writer_bench"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--chats", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=1_000)
    args = parser.parse_args()
    if not PgServer.available():
        sys.exit("the PostgreSQL server binaries (Debian: postgresql-15) are not installed")

    server = PgServer()
    try:
        for run in range(1, args.runs + 1):
            database = f"outbox_bench_{run}"
            server.psql(f"CREATE DATABASE {database}")
            idle = idle_cpus()
            bench = subprocess.run(
                [args.bin, server.url(database), "--entries", str(args.entries),
                 "--chats", str(args.chats), "--batch", str(args.batch)],
                capture_output=True, text=True)
            if bench.returncode != 0:
                sys.exit(f"outbox_pg_writer_bench failed ({bench.returncode}):\n"
                         f"{bench.stdout}{bench.stderr}")
            figures = json.loads(bench.stdout.strip().splitlines()[-1])
            figures.update({"run": run, "meets_target": figures["ratio"] >= 0.6,
                            "idle_cpus": idle})
            print(json.dumps(figures), flush=True)
            server.psql(f"DROP DATABASE {database}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
