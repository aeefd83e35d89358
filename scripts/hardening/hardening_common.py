"""Helpers shared by the hardening scripts: the grant checker, RSS and descriptor sampling."""

import bisect
import os
import resource
import threading


class WindowChecker:
    """Keeps (time, tokens) of every grant's usage as the clients saw it, and finds the most tokens
    spent in any window of `window` seconds: what a provider enforcing the limit would count."""

    def __init__(self, window):
        self.window = window
        self.events = []
        self.lock = threading.Lock()

    def add(self, at, tokens):
        with self.lock:
            self.events.append((at, tokens))

    @property
    def count(self):
        return len(self.events)

    def peak(self):
        with self.lock:
            events = sorted(self.events)
        times = [t for (t, _) in events]
        total = 0
        best = 0
        start = 0
        for end, (at, tokens) in enumerate(events):
            total += tokens
            while times[start] <= at - self.window:
                total -= events[start][1]
                start += 1
            best = max(best, total)
        return best

    def peak_at(self):
        """The window's end at which the peak was reached (monotonic seconds), or None."""
        with self.lock:
            events = sorted(self.events)
        times = [t for (t, _) in events]
        best, best_at = 0, None
        for index, (at, _) in enumerate(events):
            first = bisect.bisect_right(times, at - self.window)
            total = sum(tokens for (_, tokens) in events[first:index + 1])
            if total > best:
                best, best_at = total, at
        return best_at


def percentile(values, p):
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def read_rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def count_fds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return None


def cpu_seconds(pid):
    """User + system CPU time of a process, in seconds."""
    try:
        with open("/proc/%d/stat" % pid) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks
    except (OSError, IndexError, ValueError):
        return None


def raise_file_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
