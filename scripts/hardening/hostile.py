#!/usr/bin/env python3
"""Hostile and broken clients against a running tokengate daemon.

    python3 scripts/hardening/hostile.py --socket S --pid PID --case partial|deaf|killed|churn|fdlimit [...]

- partial: connections that send part of a line (up to 60 KB) and never finish it, while a normal
  client keeps asking for status; then they go away.
- deaf: subscribers that never read, on a daemon whose snapshots are large; they must be
  disconnected, and a normal client is served meanwhile.
- killed: processes killed with SIGKILL while holding a grant, or while queued: the grant is
  released and the next waiter granted at once; the queued acquire is withdrawn.
- churn: connects and disconnects as fast as threads can (bare, after hello, mid-line, holding a
  grant): nothing may leak (descriptors, tickets, waiters).
- fdlimit: for a daemon started with a small `ulimit -n`: connections beyond it wait; the
  connections already open keep being served, the daemon does not spin, and it accepts again once
  descriptors free up.

Prints one JSON object per case; exit status 1 when a check failed.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hardening_common import count_fds, cpu_seconds, percentile, raise_file_limit, read_rss_kib  # noqa: E402


class Line:
    """A blocking line client."""

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buffer = b""
        self.next_id = 1

    def send(self, data):
        self.sock.sendall(data)

    def call(self, op, **fields):
        fields.update({"op": op, "id": self.next_id})
        self.next_id += 1
        self.send(json.dumps(fields).encode() + b"\n")
        while True:
            reply = self.read_line()
            if "event" not in reply:
                return reply

    def read_line(self):
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the daemon")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def status(path):
    probe = Line(path)
    try:
        return probe.call("status")["status"]
    finally:
        probe.close()


def status_latencies(client, count):
    latencies = []
    for _ in range(count):
        started = time.monotonic()
        reply = client.call("status")
        if not reply.get("ok"):
            raise RuntimeError("status failed: %r" % reply)
        latencies.append(time.monotonic() - started)
    return latencies


def case_partial(args):
    baseline_fds = count_fds(args.pid)
    client = Line(args.socket)
    before = status_latencies(client, 100)
    rss_before = read_rss_kib(args.pid)
    hangers = []
    for index in range(args.count):
        hanger = Line(args.socket)
        size = 60_000 if index % 10 == 0 else 20
        hanger.send(b'{"op":"status","pad":"' + b"x" * size)
        hangers.append(hanger)
    during = status_latencies(client, 200)
    rss_during = read_rss_kib(args.pid)
    for hanger in hangers:
        hanger.close()
    released = wait_until(lambda: count_fds(args.pid) <= baseline_fds + 1, 10)
    after = status_latencies(client, 100)
    client.close()
    result = {
        "case": "partial", "connections": args.count,
        "status_p99_ms_before": percentile(before, 99) * 1000,
        "status_p99_ms_during": percentile(during, 99) * 1000,
        "status_p99_ms_after": percentile(after, 99) * 1000,
        "rss_kib_before": rss_before, "rss_kib_during": rss_during, "rss_kib_after": read_rss_kib(args.pid),
        "descriptors_released": released,
    }
    result["ok"] = released and result["status_p99_ms_during"] < args.max_latency_ms
    return result


def case_deaf(args):
    baseline_fds = count_fds(args.pid)
    # Many workers make every snapshot large, so a deaf subscriber's backlog grows quickly.
    filler = Line(args.socket)
    for index in range(args.workers):
        filler.call("report", input=1, output=0, worker="deaf-filler-%03d" % index)
    snapshot_size = len(json.dumps(filler.call("status")))
    deaf = []
    for _ in range(args.count):
        subscriber = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        subscriber.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        subscriber.connect(args.socket)
        subscriber.sendall(b'{"op":"subscribe","interval_ms":50}\n')
        deaf.append(subscriber)
    accepted = wait_until(lambda: count_fds(args.pid) >= baseline_fds + 1 + args.count, 10)
    started = time.monotonic()
    latencies = []

    def disconnected():
        # Keep the state changing (each report pushes a snapshot) and measure a normal client.
        begun = time.monotonic()
        filler.call("report", input=1, output=0)
        latencies.append(time.monotonic() - begun)
        return count_fds(args.pid) <= baseline_fds + 1

    all_gone = wait_until(disconnected, args.timeout)
    took = time.monotonic() - started
    # Seen from the subscriber: what the daemon had sent, then the end of the stream.
    closed_by_daemon = 0
    for subscriber in deaf:
        subscriber.settimeout(5)
        try:
            while subscriber.recv(1 << 20):
                pass
            closed_by_daemon += 1
        except ConnectionResetError:
            closed_by_daemon += 1
        except OSError:
            pass
        subscriber.close()
    filler.close()
    result = {
        "case": "deaf", "subscribers": args.count, "snapshot_bytes": snapshot_size,
        "all_accepted": accepted, "all_disconnected": all_gone and closed_by_daemon == args.count,
        "closed_by_daemon": closed_by_daemon, "seconds_to_disconnect_all": round(took, 2),
        "other_client_p99_ms": percentile(latencies, 99) * 1000, "rss_kib_after": read_rss_kib(args.pid),
    }
    result["ok"] = accepted and result["all_disconnected"] and result["other_client_p99_ms"] < args.max_latency_ms
    return result


HOLDER = r"""
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(json.dumps({"op": "acquire", "tokens": int(sys.argv[2]), "id": 1}).encode() + b"\n")
if sys.argv[3] == "holds":
    reply = b""
    while not reply.endswith(b"\n"):
        reply += s.recv(4096)
    print(reply.decode().strip(), flush=True)
else:
    print("sent", flush=True)
time.sleep(3600)
"""


def case_killed(args):
    cap = int(status(args.socket)["limit"] * status(args.socket)["threshold"])
    waiter = Line(args.socket)
    delays = []
    failures = []
    for round_number in range(args.count):
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, args.socket, str(cap), "holds"],
                                  stdout=subprocess.PIPE, text=True)
        queued = None
        try:
            granted = json.loads(holder.stdout.readline())
            if not granted.get("ok"):
                failures.append("holder not granted: %r" % granted)
                continue
            queued = subprocess.Popen([sys.executable, "-c", HOLDER, args.socket, "10", "queues"],
                                      stdout=subprocess.PIPE, text=True)
            queued.stdout.readline()
            if not wait_until(lambda: status(args.socket)["waiting"] == 1, 5):
                failures.append("round %d: the second process never queued" % round_number)
                continue
            queued.send_signal(signal.SIGKILL)
            queued.wait()
            if not wait_until(lambda: status(args.socket)["waiting"] == 0, 5):
                failures.append("round %d: a killed waiter stayed queued" % round_number)
            waiter.send(json.dumps({"op": "acquire", "tokens": cap, "id": 1000 + round_number}).encode() + b"\n")
            if not wait_until(lambda: status(args.socket)["waiting"] == 1, 5):
                failures.append("round %d: our acquire never queued" % round_number)
            killed_at = time.monotonic()
            holder.send_signal(signal.SIGKILL)
            reply = waiter.read_line()
            delays.append(time.monotonic() - killed_at)
            if not reply.get("ok"):
                failures.append("round %d: waiter got %r" % (round_number, reply))
                continue
            release = waiter.call("release", ticket=reply["ticket"])
            if not release.get("ok"):
                failures.append("round %d: release failed %r" % (round_number, release))
        finally:
            for process in (holder, queued):
                if process is None:
                    continue
                if process.poll() is None:
                    process.kill()
                process.wait()
                process.stdout.close()
    waiter.close()
    final = status(args.socket)
    result = {
        "case": "killed", "rounds": args.count, "failures": failures[:5],
        "grant_after_kill_p50_ms": percentile(delays, 50) * 1000,
        "grant_after_kill_max_ms": max(delays) * 1000 if delays else None,
        "in_flight_after": final["in_flight"], "waiting_after": final["waiting"],
    }
    result["ok"] = not failures and final["in_flight"] == 0 and final["waiting"] == 0
    return result


def case_churn(args):
    baseline_fds = count_fds(args.pid)
    deadline = time.monotonic() + args.duration
    counts = [0] * args.threads
    failed = [0] * args.threads
    errors = []

    def churn(index):
        variant = index % 4
        while time.monotonic() < deadline:
            try:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(5)
                sock.connect(args.socket)
                if variant == 1:
                    sock.sendall(b'{"op":"hello","v":1,"worker":"churn-%d"}\n' % index)
                    sock.recv(4096)
                elif variant == 2:
                    sock.sendall(b'{"op":"acquire","tokens":')
                elif variant == 3:
                    sock.sendall(b'{"op":"acquire","tokens":1}\n')
                    sock.recv(4096)
                sock.close()
                counts[index] += 1
            except OSError as error:
                # EAGAIN: the listen backlog was full for a moment (the client retries).
                failed[index] += 1
                if len(errors) < 3:
                    errors.append(repr(error))

    threads = [threading.Thread(target=churn, args=(i,)) for i in range(args.threads)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    settled = wait_until(lambda: count_fds(args.pid) <= baseline_fds + 1, 10)
    final = status(args.socket)
    connected = [w for w in final.get("workers", []) if w.get("connected") and w["worker"].startswith("churn")]
    result = {
        "case": "churn", "connections": sum(counts), "per_second": round(sum(counts) / elapsed),
        "failed_connects": sum(failed), "error_samples": errors, "descriptors_back_to_baseline": settled,
        "descriptors": count_fds(args.pid), "baseline_descriptors": baseline_fds,
        "in_flight_after": final["in_flight"], "waiting_after": final["waiting"],
        "churn_workers_still_connected": len(connected), "rss_kib_after": read_rss_kib(args.pid),
    }
    result["ok"] = settled and final["in_flight"] == 0 and final["waiting"] == 0 and not connected
    return result


def case_fdlimit(args):
    old = Line(args.socket)
    if not old.call("hello", v=1, worker="old-timer").get("ok"):
        return {"case": "fdlimit", "ok": False, "error": "hello failed"}
    extra = []
    answered = 0
    # Beyond the daemon's limit, connects still succeed (the kernel's backlog takes them) but the
    # daemon cannot accept them: their request gets no answer.
    for index in range(args.count):
        try:
            line = Line(args.socket, timeout=0.3)
        except OSError:
            break
        line.send(b'{"op":"status","id":1}\n')
        try:
            line.read_line()
            answered += 1
        except (OSError, ConnectionError):
            pass
        extra.append(line)
    unanswered = len(extra) - answered
    cpu_before = cpu_seconds(args.pid)
    time.sleep(2.0)
    cpu_during = (cpu_seconds(args.pid) - cpu_before) / 2.0
    old_ok = old.call("status").get("ok") is True
    report = old.call("report", input=5, output=5)
    # Free descriptors: close the connections the daemon accepted; the waiting ones get in.
    for line in extra:
        line.close()
    started = time.monotonic()
    fresh_ok = False
    while time.monotonic() - started < 10 and not fresh_ok:
        try:
            fresh = Line(args.socket, timeout=2)
            fresh_ok = fresh.call("status").get("ok") is True
            fresh.close()
        except (OSError, ConnectionError):
            time.sleep(0.1)
    recovered_in = time.monotonic() - started
    old.close()
    result = {
        "case": "fdlimit", "connections_tried": len(extra), "answered": answered, "left_waiting": unanswered,
        "daemon_cpu_while_exhausted": round(cpu_during, 3), "old_connection_served": old_ok and report.get("ok"),
        "new_connection_after_release": fresh_ok, "recovered_in_s": round(recovered_in, 2),
    }
    result["ok"] = unanswered > 0 and old_ok and fresh_ok and cpu_during < 0.5
    return result


CASES = {"partial": case_partial, "deaf": case_deaf, "killed": case_killed, "churn": case_churn,
         "fdlimit": case_fdlimit}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--socket", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--case", choices=sorted(CASES), action="append", required=True)
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--duration", type=float, default=3)
    parser.add_argument("--timeout", type=float, default=20)
    parser.add_argument("--workers", type=int, default=300, help="deaf: workers that make snapshots large")
    parser.add_argument("--max-latency-ms", type=float, default=500, help="p99 a normal client may see")
    args = parser.parse_args()
    raise_file_limit(4096)
    ok = True
    for name in args.case:
        result = CASES[name](args)
        ok = ok and result["ok"]
        print(json.dumps(result), flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
