"""End to end with the official anthropic SDK: WORKERS processes, each gated by
tokengate.anthropic.gated in one line, through a real `tokengate serve` against fake_anthropic.py
(a hard sliding window or a token bucket that charges input + cache writes + max_tokens at arrival
and refunds unused output at the end). Prints, per case, the provider's 429s and the share of the
limit served over the whole windows after the first.

Usage: run.py TOKENGATE_BIN SECONDS WORKERS THRESHOLD|default
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
LIMIT, WINDOW, MARGIN = 100_000, 10.0, 0.2


def wait_for(path, timeout=15, nonempty=False):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path) and (not nonempty or os.path.getsize(path) > 0):
            return
        time.sleep(0.05)
    raise SystemExit(f"sdk-fleet: {path} never appeared")


def run_case(binary, seconds, workers, threshold, provider, algorithm):
    directory = tempfile.mkdtemp(prefix="tg-sdk", dir="/tmp")
    env = dict(os.environ, HOME=directory, XDG_STATE_HOME=directory, XDG_CONFIG_HOME=directory,
               XDG_RUNTIME_DIR=directory)
    env.pop("TOKENGATE_SOCKET", None)
    port_file, socket = os.path.join(directory, "port"), os.path.join(directory, "d.sock")
    started = []
    try:
        fake = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_anthropic.py"), port_file, str(LIMIT),
                                 str(WINDOW), provider], env=env)
        started.append(fake)
        serve = [binary, "serve", "--socket", socket, "--no-state", "--limit", str(LIMIT), "--window", str(WINDOW),
                 "--send-margin", str(MARGIN), "--algorithm", algorithm, "--log-level", "warning"]
        if threshold != "default":
            serve += ["--threshold", threshold]
        daemon = subprocess.Popen(serve, env=env, stderr=open(os.path.join(directory, "serve.log"), "w"))
        started.append(daemon)
        wait_for(port_file, nonempty=True)
        wait_for(socket)
        base_url = "http://127.0.0.1:" + open(port_file).read().strip()
        fleet = [subprocess.Popen([sys.executable, os.path.join(HERE, "worker.py"), base_url, socket, f"sdk-{i}"],
                                  env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                 for i in range(workers)]
        started += fleet
        for process in fleet:  # importing the SDK takes seconds: start the clock when all are ready
            if process.stdout.readline().strip() != "ready":
                raise SystemExit("sdk-fleet: a worker failed to start")
        deadline = time.time() + seconds
        for process in fleet:
            process.stdin.write(f"{deadline}\n")
            process.stdin.flush()
        counts = [json.loads(p.stdout.readline()) for p in fleet]
        stats = json.load(urllib.request.urlopen(base_url + "/stats"))
        arrivals = sorted(stats["charged"])
        first = arrivals[0][0]
        windows = int((arrivals[-1][0] - first) // WINDOW)
        steady = [t for a, t in arrivals if first + WINDOW <= a < first + WINDOW * windows]
        share = sum(steady) / (LIMIT * (windows - 1)) if windows > 1 else float("nan")
        return {"provider": provider, "algorithm": algorithm, "threshold": threshold, "workers": workers,
                "seconds": seconds, "requests": sum(c["done"] for c in counts), "provider_429s": stats["refused"],
                "sdk_rate_limit_errors": sum(c["refused"] for c in counts), "served_share": round(share, 4),
                "steady_windows": windows - 1}
    finally:
        for process in reversed(started):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()


def main():
    binary, seconds, workers, threshold = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    for provider, algorithm in (("window", "sliding-window"), ("bucket", "sliding-window"), ("bucket", "token-bucket")):
        print(json.dumps(run_case(binary, seconds, workers, threshold, provider, algorithm)), flush=True)


if __name__ == "__main__":
    main()
