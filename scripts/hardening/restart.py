#!/usr/bin/env python3
"""SIGKILL the daemon while clients work; check no window ever held more than the limit.

    python3 scripts/hardening/restart.py --binary .build/release/tokengate --clients 64 \
        --duration 40 --kills 1 --limit 200000 --window 10

Starts `tokengate serve` with a journal in a temporary directory, runs `--clients` threads, each
with its own connection through the Python client (the `tokengate` package in `assets/clients/python`, which
reconnects by itself and re-issues a pending acquire), and kills the daemon with SIGKILL `--kills`
times, restarting it at once on the same socket and journal. Each client acquires an estimate,
holds the grant for a while (a request streaming), then reports what it used (never more than the
estimate) under its ticket, retrying the report after a reconnect.

The checker takes every grant as the clients saw it (the instant the grant arrived, the tokens
reported) and finds the most tokens spent in any window of the daemon's length: a provider
enforcing the limit would count exactly that. It must stay within the limit, across the restarts.
Prints one JSON object; exit status 1 on a window over the limit or an unexpected error.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "assets", "clients", "python"))
from hardening_common import WindowChecker, percentile  # noqa: E402
import tokengate  # noqa: E402


def accepts(path):
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        return True
    except OSError:
        return False
    finally:
        probe.close()


class Daemon:
    def __init__(self, binary, directory, args):
        self.binary = binary
        self.directory = directory
        self.socket = os.path.join(directory, "d.sock")
        self.arguments = [binary, "serve", "--socket", self.socket, "--state", os.path.join(directory, "u.sqlite"),
                          "--limit", str(args.limit), "--window", str(args.window),
                          "--threshold", str(args.threshold), "--log-level", "notice"]
        self.process = None
        self.starts = 0

    def start(self):
        self.starts += 1
        log = open(os.path.join(self.directory, "daemon-%d.log" % self.starts), "w")
        self.process = subprocess.Popen(self.arguments, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("daemon exited: " + self.log())
            if accepts(self.socket):
                return
            time.sleep(0.01)
        raise RuntimeError("daemon did not listen")

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self):
        parts = []
        for index in range(1, self.starts + 1):
            with open(os.path.join(self.directory, "daemon-%d.log" % index)) as log:
                parts.append(log.read())
        return "\n--- restart ---\n".join(parts)


def client(index, args, socket_path, checker, stop_at, stats, lock):
    rng = random.Random(index)
    gate = tokengate.Gate(socket=socket_path, worker="restart-%d" % index, reconnect_timeout=30)
    try:
        while time.monotonic() < stop_at:
            tokens = rng.randint(args.min_tokens, args.max_tokens)
            try:
                slot = gate.acquire(tokens=tokens, timeout_ms=int(args.window * 2000))
            except tokengate.Timeout:
                with lock:
                    stats["timeouts"] += 1
                continue
            granted = time.monotonic()
            used = rng.randint(tokens * 3 // 4, tokens)
            # The provider charges the request once it is sent, right after the grant.
            checker.add(granted, used)
            with lock:
                stats["grants"] += 1
            time.sleep(rng.uniform(0, args.hold))
            out = used // 4
            for attempt in range(3):
                try:
                    reply = slot.report(input=used - out, output=out)
                    with lock:
                        stats["reports"] += 1
                        if isinstance(reply, dict) and reply.get("warning") == "unknown_ticket":
                            stats["unknown_ticket_reports"] += 1
                    break
                except tokengate.Unreachable:
                    with lock:
                        stats["report_retries"] += 1
                    time.sleep(0.2 * (attempt + 1))
            else:
                with lock:
                    stats["reports_lost"] += 1
    except Exception as error:  # noqa: BLE001 - counted and shown
        with lock:
            stats["unexpected"].append(repr(error))
    finally:
        gate.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=40)
    parser.add_argument("--kills", type=int, default=1)
    parser.add_argument("--limit", type=int, default=200_000)
    parser.add_argument("--window", type=float, default=10)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--min-tokens", type=int, default=1000)
    parser.add_argument("--max-tokens", type=int, default=4000)
    parser.add_argument("--hold", type=float, default=3.0, help="longest time a grant is held before its report (s)")
    parser.add_argument("--first-kill", type=float, help="seconds before the first kill (default: 0.4 x window)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, journal)")
    args = parser.parse_args()

    directory = tempfile.mkdtemp(prefix="tgr", dir="/tmp")
    daemon = Daemon(os.path.abspath(args.binary), directory, args)
    checker = WindowChecker(args.window)
    stats = {"grants": 0, "reports": 0, "timeouts": 0, "report_retries": 0, "reports_lost": 0,
             "unknown_ticket_reports": 0, "unexpected": []}
    lock = threading.Lock()
    kill_times = []
    try:
        daemon.start()
        started = time.monotonic()
        stop_at = started + args.duration
        threads = [threading.Thread(target=client, args=(i, args, daemon.socket, checker, stop_at, stats, lock))
                   for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for kill in range(args.kills):
            # The first kill comes while the first grants are still out (nothing reported yet: the
            # hardest case), later ones in the steady state; the daemon restarts at once.
            first = args.first_kill if args.first_kill is not None else args.window * 0.4
            gap = max(1.0, (args.duration - first - args.window) / max(1, args.kills - 1))
            time.sleep(first if kill == 0 else gap)
            kill_times.append(time.monotonic() - started)
            daemon.kill9()
            daemon.start()
        for thread in threads:
            thread.join()
        peak = checker.peak()
        log = daemon.log()
        recovered = [line for line in log.splitlines() if "recovered from the journal" in line]
        summary = {
            "clients": args.clients, "duration_s": args.duration, "kills_at_s": [round(k, 1) for k in kill_times],
            "limit": args.limit, "window_s": args.window, "threshold": args.threshold,
            "grants": stats["grants"], "reports": stats["reports"], "timeouts": stats["timeouts"],
            "report_retries": stats["report_retries"], "reports_lost": stats["reports_lost"],
            "unknown_ticket_reports": stats["unknown_ticket_reports"],
            "unexpected": stats["unexpected"][:5], "unexpected_count": len(stats["unexpected"]),
            "window_peak_tokens": peak, "window_peak_percent_of_limit": round(100.0 * peak / args.limit, 1),
            "recovery_log": recovered[-args.kills:],
        }
        print(json.dumps(summary))
        ok = peak <= args.limit and not stats["unexpected"]
    finally:
        daemon.stop()
        if args.keep:
            print("kept " + directory, file=sys.stderr)
        else:
            shutil.rmtree(directory, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
