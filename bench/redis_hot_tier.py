#!/usr/bin/env python3
"""Hot tier benchmark beside redis-benchmark, against one scratch redis-server started here.

append: hot_tier_bench appends M messages in batches of 100 over C seeded chats; the figure is
messages/s, set beside `redis-benchmark -P 32 -t lpush` (the 3-byte default payload, and the
hot tier's average entry size) on the same server in the same run. A third comparator, RPUSH of
entry-sized values over C random keys, is the same work for Redis without our client: it shows
how much of the gap is the server's (random keys, larger values) rather than ours.
read: hot_tier_bench times history(chat, 50) one at a time; set beside `redis-benchmark -c 1`
LRANGE -50 -1 of one of the same lists. Targets (the issue): append >= 0.5 x LPUSH -P 32,
read p99 <= 1 ms. Prints one line of JSON per benchmark; exits 1 when a run fails (not when a
target is missed). Competing CPU load skews both sides differently: `idle_cpus` is sampled
before each benchmark. With 2 CPUs or more, redis-server is pinned to one CPU and every client
(ours and redis-benchmark) to another: unpinned, the scheduler stacking server and client on one
CPU now and then moves the figures by 30% or more from run to run (--no-pin to compare).

Usage: bench/redis_hot_tier.py [--bin PATH] [--chats C] [--messages M] [--reads R] [--no-pin]
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_command(port, *args):
    """One command over RESP; returns the first reply line (enough for PING and FLUSHALL)."""
    out = b"*%d\r\n" % len(args)
    for arg in args:
        arg = arg.encode()
        out += b"$%d\r\n%s\r\n" % (len(arg), arg)
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(out)
        return s.makefile("rb").readline().decode().strip()


def idle_cpus(seconds=0.5):
    """How many CPUs were idle over `seconds` (from /proc/stat), to spot a busy machine."""
    def sample():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, total
    idle0, total0 = sample()
    time.sleep(seconds)
    idle1, total1 = sample()
    return round(os.cpu_count() * (idle1 - idle0) / max(1, total1 - total0), 2)


def hot_tier_bench(binary, port, mode, *options):
    run = subprocess.run([binary, "127.0.0.1", str(port), mode, *map(str, options)],
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"hot_tier_bench {mode} failed ({run.returncode}):\n{run.stdout}{run.stderr}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def redis_benchmark(port, *args):
    """The --csv row: rps and latencies in ms (avg, min, p50, p95, p99, max)."""
    run = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "--csv", *args],
                         capture_output=True, text=True, check=True)
    header, row = [line.split('","') for line in run.stdout.strip().splitlines()[-2:]]
    values = dict(zip((h.strip('"') for h in header), (v.strip('"') for v in row)))
    return {k: float(v) for k, v in values.items() if k != "test"}


def bench_append(args, port):
    idle = idle_cpus()
    ours = hot_tier_bench(args.bin, port, "append", "--chats", args.chats,
                          "--messages", args.messages)
    size = round(ours["entry_bytes"])
    redis_command(port, "FLUSHALL")
    lpush = redis_benchmark(port, "-P", "32", "-t", "lpush", "-n", "2000000", "-q")["rps"]
    redis_command(port, "FLUSHALL")
    lpush_sized = redis_benchmark(port, "-P", "32", "-t", "lpush", "-n", "2000000", "-q",
                                  "-d", str(size))["rps"]
    redis_command(port, "FLUSHALL")
    same_shape = redis_benchmark(port, "-P", "32", "-r", str(args.chats),
                                 "-n", str(args.messages), "RPUSH",
                                 "rb:{chat:__rand_int__}:history", "x" * size)["rps"]
    redis_command(port, "FLUSHALL")
    rate = ours["messages_per_s"]
    print(json.dumps({
        "bench": "hot_history_append",
        "messages": ours["messages"],
        "chats": ours["chats"],
        "batch": ours["batch"],
        "inflight": ours["inflight"],
        "pool": ours["pool"],
        "messages_per_s": rate,
        "entry_bytes": ours["entry_bytes"],
        "redis_benchmark_lpush_p32_per_s": round(lpush),
        "ratio": round(rate / lpush, 3),
        f"redis_benchmark_lpush_p32_d{size}_per_s": round(lpush_sized),
        f"ratio_d{size}": round(rate / lpush_sized, 3),
        "redis_benchmark_rpush_p32_same_shape_per_s": round(same_shape),
        "ratio_same_shape": round(rate / same_shape, 3),
        "meets_target": rate >= 0.5 * lpush,
        "pinned": args.pin,
        "idle_cpus": idle,
    }), flush=True)


def bench_read(args, port):
    idle = idle_cpus()
    ours = hot_tier_bench(args.bin, port, "read", "--chats", args.chats, "--reads", args.reads)
    # The same list our reads hit, read back the same way (history() also GETs the chat's
    # change counter in the same pipeline; redis-benchmark sends the LRANGE alone).
    lrange = redis_benchmark(port, "-c", "1", "-n", "100000",
                             "LRANGE", ours["sample_key"], "-50", "-1")
    redis_command(port, "FLUSHALL")
    p50, p99 = lrange["p50_latency_ms"] * 1000, lrange["p99_latency_ms"] * 1000
    print(json.dumps({
        "bench": "hot_history_read_last50",
        "reads": ours["reads"],
        "chats": ours["chats"],
        "p50_us": ours["p50_us"],
        "p99_us": ours["p99_us"],
        "p999_us": ours["p999_us"],
        "max_us": ours["max_us"],
        "redis_benchmark_lrange50_p50_us": round(p50, 1),
        "redis_benchmark_lrange50_p99_us": round(p99, 1),
        "p50_ratio": round(ours["p50_us"] / p50, 2),
        "p99_ratio": round(ours["p99_us"] / p99, 2),
        "meets_target": ours["p99_us"] <= 1000,
        "pinned": args.pin,
        "idle_cpus": idle,
    }), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, "build/src/hot/hot_tier_bench"))
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--reads", type=int, default=20_000)
    parser.add_argument("--no-pin", dest="pin", action="store_false")
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    args.pin = args.pin and len(cpus) >= 2

    tmp = tempfile.mkdtemp(prefix="tgkeep-redis-bench-")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", tmp],
        stdout=open(os.path.join(tmp, "redis.log"), "w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                if redis_command(port, "PING") == "+PONG":
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                with open(os.path.join(tmp, "redis.log")) as log:
                    sys.exit("redis-server did not start:\n" + log.read()[-2000:])
            time.sleep(0.05)
        if args.pin:
            os.sched_setaffinity(server.pid, {cpus[0]})
            os.sched_setaffinity(0, {cpus[1]})  # inherited by every client started from here
        bench_append(args, port)
        bench_read(args, port)
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGKILL)
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
