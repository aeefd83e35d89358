#!/usr/bin/env python3
"""Load for a running tokengate daemon: many concurrent connections, mixed operations.

    python3 scripts/hardening/load.py --socket S --pid PID --connections 1000 --duration 60 \
        --limit 1000000 --window 5 --threshold 0.9

Each connection (a `tokengate.AsyncGate` of its own, the package in assets/clients/python) says
hello, then loops over a random mix: acquire (then report the grant, or release it), ticketless
reports, status, throttled-free ops only. A few connections subscribe and read their snapshots. Every grant and every report is logged; at the end a checker recomputes, from
the clients' side, the tokens of the grants made in every window of the daemon's length: the
maximum must stay within the limit. The daemon's RSS is sampled every second, and the latency of a
status round trip is measured throughout.

Prints one JSON object: operations, errors by code (`unexpected` counts everything other than an
acquire's `timeout`), the checker's maximum, RSS and latency at the start and at the end.
Exit status 1 when there were unexpected errors or a window over the limit.
"""

import argparse
import asyncio
import json
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "assets", "clients", "python"))
import tokengate  # noqa: E402  (the package's AsyncGate: one connection per simulated worker)
from hardening_common import WindowChecker, cpu_seconds, percentile, read_rss_kib, raise_file_limit  # noqa: E402


class Stats:
    def __init__(self):
        self.ops = {}
        self.errors = {}
        self.unexpected = []
        self.connect_failures = 0
        self.checker = None
        self.latencies = []  # (time, seconds) of status round trips
        self.grant_waits = []
        self.status_peak = 0

    def count(self, op):
        self.ops[op] = self.ops.get(op, 0) + 1

    def error(self, op, reply):
        code = reply.get("error", "?")
        self.errors[code] = self.errors.get(code, 0) + 1
        if not (op == "acquire" and code == "timeout"):
            if len(self.unexpected) < 20:
                self.unexpected.append({"op": op, "reply": reply})
            else:
                self.unexpected.append(None)


def failure(error):
    """A client exception as the reply-shaped dict the stats keep."""
    if isinstance(error, tokengate.TokenGateError):
        return {"error": error.code, "message": error.message}
    return {"error": type(error).__name__, "message": str(error)}


async def connect(gate, stats, attempts=50):
    for attempt in range(attempts):
        try:
            await gate.connect()  # says hello with the gate's worker name
            return
        except tokengate.Unreachable:
            stats.connect_failures += 1
            await asyncio.sleep(0.05 * (attempt + 1))
    raise tokengate.Unreachable("could not connect to %s" % gate.socket_path)


async def count_snapshots(gate, counter, stats):
    try:
        async for _ in gate.subscribe(interval_ms=250):
            counter[0] += 1
    except tokengate.TokenGateError as error:
        stats.error("subscribe", failure(error))


async def worker(index, args, stats, stop_at):
    """One connection (an AsyncGate of its own), looping over a random mix of operations."""
    name = "load-%d" % index
    gate = tokengate.AsyncGate(socket=args.socket, worker=name, reconnect_timeout=5)
    await connect(gate, stats)
    stats.count("hello")
    snapshots = [0]
    subscription = None
    if index % 100 == 0:
        subscription = asyncio.ensure_future(count_snapshots(gate, snapshots, stats))
        stats.count("subscribe")
    rng = random.Random(index)
    try:
        while time.monotonic() < stop_at:
            roll = rng.random()
            try:
                if roll < 0.45:
                    tokens = rng.randint(args.min_tokens, args.max_tokens)
                    asked = time.monotonic()
                    stats.count("acquire")
                    try:
                        slot = await gate.acquire(tokens=tokens, timeout_ms=args.acquire_timeout_ms)
                    except tokengate.TokenGateError as error:
                        if isinstance(error, tokengate.Unreachable):
                            raise
                        stats.error("acquire", failure(error))
                        continue
                    granted = time.monotonic()
                    stats.grant_waits.append(granted - asked)
                    await asyncio.sleep(rng.uniform(0, args.hold))
                    if rng.random() < 0.2:
                        stats.count("release")
                        await slot.release()
                        continue
                    used = rng.randint(tokens // 2, tokens)
                    stats.checker.add(granted, used)
                    out = used // 3
                    stats.count("report")
                    reply = await slot.report(input=used - out, output=out)
                    if "warning" in reply:
                        stats.error("report", {"error": reply["warning"]})
                elif roll < 0.55:
                    # Ticketless usage is recorded, not admitted: kept to one token so that the
                    # checker's figure is about grants.
                    stats.count("report-ticketless")
                    await gate.report(input=1, output=0)
                elif roll < 0.75:
                    asked = time.monotonic()
                    stats.count("status")
                    status = await gate.status()
                    stats.latencies.append((asked, time.monotonic() - asked))
                    stats.status_peak = max(stats.status_peak, status["used"] + status["reserved"])
                elif roll < 0.80:
                    stats.count("hello")
                    await gate.request("hello", v=1, worker=name)
                else:
                    stats.count("release-unknown")
                    try:
                        await gate.release("nobody-1")
                        stats.error("release", {"error": "none", "message": "an unknown ticket was released"})
                    except tokengate.TokenGateError as error:
                        if error.code != "unknown_ticket":
                            raise
            except tokengate.Unreachable:
                raise
            except tokengate.TokenGateError as error:
                stats.error("op", failure(error))
            await asyncio.sleep(rng.uniform(0, args.think))
    except tokengate.Unreachable as error:
        stats.error("connection", {"error": "connection_lost", "message": str(error), "worker": name})
    finally:
        if subscription is not None:
            subscription.cancel()
            try:
                await subscription
            except asyncio.CancelledError:
                pass
        await gate.close()
    return snapshots[0]


async def sample_daemon(pid, samples, stats, stop_at):
    """Every second: (time, RSS KiB, daemon CPU seconds, operations so far)."""
    while time.monotonic() < stop_at:
        samples.append((time.monotonic(), read_rss_kib(pid), cpu_seconds(pid), sum(stats.ops.values())))
        await asyncio.sleep(1.0)


def cpu_per_thousand_ops(samples, first, last):
    """Daemon CPU milliseconds per 1,000 operations between two samples: the daemon's own cost,
    whatever else the machine is doing."""
    (_, _, cpu_a, ops_a), (_, _, cpu_b, ops_b) = samples[first], samples[last]
    if cpu_a is None or cpu_b is None or ops_b <= ops_a:
        return None
    return round(1_000_000.0 * (cpu_b - cpu_a) / (ops_b - ops_a), 1)


async def run(args):
    stats = Stats()
    stats.checker = WindowChecker(args.window)
    started = time.monotonic()
    stop_at = started + args.duration
    rss = []
    sampler = asyncio.ensure_future(sample_daemon(args.pid, rss, stats, stop_at)) if args.pid else None
    cpu_start = cpu_seconds(args.pid) if args.pid else None
    tasks = []
    for index in range(args.connections):
        tasks.append(asyncio.ensure_future(worker(index, args, stats, stop_at)))
        if index % 50 == 49:
            await asyncio.sleep(0.01)
    results = await asyncio.gather(*tasks, return_exceptions=True)
    if sampler:
        await sampler
    cpu_end = cpu_seconds(args.pid) if args.pid else None
    failed = [repr(r) for r in results if isinstance(r, BaseException)]
    snapshots = sum(r for r in results if isinstance(r, int))
    elapsed = time.monotonic() - started
    first = [l for (t, l) in stats.latencies if t - started < min(60, elapsed / 4)]
    last = [l for (t, l) in stats.latencies if t - started > elapsed - min(60, elapsed / 4)]
    rss_values = [r for (_, r, _, _) in rss if r is not None]
    span = max(1, min(60, len(rss) // 4))
    cost_start = cpu_per_thousand_ops(rss, 0, span) if len(rss) > span else None
    cost_end = cpu_per_thousand_ops(rss, len(rss) - 1 - span, len(rss) - 1) if len(rss) > span else None
    peak = stats.checker.peak()
    unexpected = len(stats.unexpected) + len(failed)
    summary = {
        "connections": args.connections,
        "duration_s": round(elapsed, 1),
        "operations": sum(stats.ops.values()),
        "ops": stats.ops,
        "ops_per_s": round(sum(stats.ops.values()) / elapsed, 1),
        "grants": stats.checker.count,
        "errors": stats.errors,
        "unexpected_errors": unexpected,
        "unexpected_samples": [u for u in stats.unexpected if u][:5] + failed[:5],
        "connect_retries": stats.connect_failures,
        "snapshots_received": snapshots,
        "window_peak_tokens": peak,
        "limit": args.limit,
        "window_peak_percent_of_limit": round(100.0 * peak / args.limit, 1),
        "status_used_plus_reserved_peak": stats.status_peak,
        "daemon_cpu_percent": round(100.0 * (cpu_end - cpu_start) / elapsed, 1) if cpu_start is not None else None,
        "daemon_cpu_ms_per_1000_ops_start": cost_start,
        "daemon_cpu_ms_per_1000_ops_end": cost_end,
        "load_average_end": open("/proc/loadavg").read().split()[:3],
        "rss_kib_start": rss_values[min(2, len(rss_values) - 1)] if rss_values else None,
        "rss_kib_end": rss_values[-1] if rss_values else None,
        "rss_kib_max": max(rss_values) if rss_values else None,
        "status_p50_ms_start": percentile(first, 50) * 1000,
        "status_p99_ms_start": percentile(first, 99) * 1000,
        "status_p50_ms_end": percentile(last, 50) * 1000,
        "status_p99_ms_end": percentile(last, 99) * 1000,
        "grant_wait_p50_ms": percentile(stats.grant_waits, 50) * 1000,
        "grant_wait_p99_ms": percentile(stats.grant_waits, 99) * 1000,
    }
    print(json.dumps(summary))
    return 0 if unexpected == 0 and peak <= args.limit else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--socket", required=True)
    parser.add_argument("--pid", type=int, help="the daemon's pid, to sample its RSS")
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--limit", type=int, default=1_000_000)
    parser.add_argument("--window", type=float, default=5)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--min-tokens", type=int, default=200)
    parser.add_argument("--max-tokens", type=int, default=3000)
    parser.add_argument("--hold", type=float, default=0.2, help="longest time a grant is held (s)")
    parser.add_argument("--think", type=float, default=0.1, help="longest pause between operations (s)")
    parser.add_argument("--acquire-timeout-ms", type=int, default=3000)
    args = parser.parse_args()
    raise_file_limit(args.connections + 256)
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
