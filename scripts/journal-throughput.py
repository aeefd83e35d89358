#!/usr/bin/env python3
"""Measures what the usage journal costs on report throughput.

Starts two daemons side by side, one with a journal (--state) and one with --no-state, and drives
each in turn with report-only traffic: N clients over the Unix socket, each keeping D reports in
flight (newline JSON, pipelined). Runs alternate between the two daemons; the medians of the runs
are printed, with the daemon's CPU time per report (user + system, from /proc) and the journal's
size per report.

    swift build -c release --product tokengate
    python3 scripts/journal-throughput.py --binary .build/release/tokengate

Stdlib only. Each daemon is stopped (SIGTERM, then SIGKILL) whatever happens.
"""
import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def wait_for_socket(path, process, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"daemon exited with {process.returncode}")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                probe.connect(path)
                return
        except OSError:
            time.sleep(0.02)
    raise SystemExit(f"daemon on {path} did not come up")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def client(path, depth, stop_at, index, counts):
    reader, writer = await asyncio.open_unix_connection(path)
    line = f'{{"op":"report","input":700,"output":300,"worker":"bench-{index}"}}\n'.encode()
    burst = line * depth
    done = 0
    try:
        while time.monotonic() < stop_at:
            writer.write(burst)
            await writer.drain()
            pending = depth
            while pending:
                chunk = await reader.read(65536)
                if not chunk:
                    raise SystemExit("daemon closed the connection")
                pending -= chunk.count(b"\n")
            done += depth
    finally:
        counts[index] = done
        writer.close()


async def drive(path, clients, depth, seconds):
    counts = [0] * clients
    start = time.monotonic()
    await asyncio.gather(*(client(path, depth, start + seconds, i, counts) for i in range(clients)))
    return sum(counts), time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/tokengate")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--depth", type=int, default=16, help="reports in flight per client")
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    directory = tempfile.mkdtemp(prefix="tgj-bench-", dir="/tmp")
    state = os.path.join(directory, "u.sqlite")
    modes = {"journal (--state)": ["--state", state], "--no-state": ["--no-state"]}
    daemons = {}
    try:
        for number, (mode, extra) in enumerate(modes.items()):
            path = os.path.join(directory, f"{number}.sock")
            log = open(os.path.join(directory, f"{number}.log"), "w")
            process = subprocess.Popen(
                [args.binary, "serve", "--socket", path, "--limit", "9000000000000", "--log-level", "warning"] + extra,
                stdout=log, stderr=log, stdin=subprocess.DEVNULL,
            )
            daemons[mode] = (process, path)
            wait_for_socket(path, process)

        rates = {mode: [] for mode in modes}
        cpu = {mode: [] for mode in modes}
        total_reports = {mode: 0 for mode in modes}
        order = list(modes)
        for run in range(args.runs):
            for mode in (order if run % 2 == 0 else order[::-1]):
                process, path = daemons[mode]
                before = cpu_seconds(process.pid)
                count, elapsed = asyncio.run(drive(path, args.clients, args.depth, args.seconds))
                time.sleep(0.3)  # let the journal commit its last batch, counted in the CPU time
                rates[mode].append(count / elapsed)
                cpu[mode].append((cpu_seconds(process.pid) - before) / count * 1e6)
                total_reports[mode] += count
                print(f"run {run + 1} {mode:>18}: {count / elapsed:>10,.0f} reports/s", file=sys.stderr)

        print(f"\n{args.clients} clients x {args.depth} in flight, {args.seconds:g} s per run, {args.runs} runs each, "
              f"{os.cpu_count()} cores")
        print(f"{'mode':<20}{'median reports/s':>18}{'min':>12}{'max':>12}{'daemon CPU us/report':>24}")
        for mode in modes:
            print(f"{mode:<20}{statistics.median(rates[mode]):>18,.0f}{min(rates[mode]):>12,.0f}"
                  f"{max(rates[mode]):>12,.0f}{statistics.median(cpu[mode]):>24.2f}")
        with_journal, without = (statistics.median(rates[mode]) for mode in modes)
        print(f"journal throughput / --no-state throughput: {with_journal / without:.1%}")
        process, _ = daemons["journal (--state)"]
        stop(process)
        size = sum(os.path.getsize(state + suffix) for suffix in ("", "-wal", "-shm") if os.path.exists(state + suffix))
        print(f"journal size: {size / 1e6:.1f} MB for {total_reports['journal (--state)']:,} reports "
              f"({size / max(1, total_reports['journal (--state)']):.0f} bytes/report)")
    finally:
        for process, _ in daemons.values():
            stop(process)
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
