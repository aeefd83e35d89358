"""A fake Anthropic Messages API with a hard organisation limit, for scripts/sdk-fleet.sh.

POST /v1/messages is charged at arrival as Anthropic charges it: input + cache writes + max_tokens,
against a hard sliding window or a token bucket of LIMIT tokens per WINDOW seconds; what the
response did not use of max_tokens is refunded when it ends. A request that does not fit gets a 429
with retry-after. Every response carries anthropic-ratelimit-tokens-{limit,remaining,reset}.
Input tokens are ceil(characters of the text / 4) + 8, cache writes a tenth of that on every fifth
request. Counters: GET /stats.

Usage: fake_anthropic.py PORT_FILE LIMIT WINDOW window|bucket
"""

import json
import math
import random
import sys
import threading
import time
from collections import deque
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HardWindow:
    def __init__(self, limit, window):
        self.limit, self.window, self.charges = limit, window, deque()

    def _expire(self, now):
        while self.charges and self.charges[0][0] + self.window <= now:
            self.charges.popleft()

    def used(self, now):
        self._expire(now)
        return sum(c[1] for c in self.charges)

    def charge(self, tokens, now):
        if self.used(now) + tokens > self.limit:
            oldest = self.charges[0][0] if self.charges else now
            return None, max(0.001, oldest + self.window - now)
        entry = [now, tokens]
        self.charges.append(entry)
        return entry, 0

    def refund(self, entry, tokens, now):
        entry[1] = max(0, entry[1] - tokens)

    def reset(self, now):
        self._expire(now)
        return (self.charges[-1][0] + self.window) if self.charges else now


class Bucket:
    def __init__(self, limit, window):
        self.limit, self.rate, self.level, self.at = limit, limit / window, float(limit), time.monotonic()

    def _refill(self, now):
        self.level = min(self.limit, self.level + (now - self.at) * self.rate)
        self.at = now

    def used(self, now):
        self._refill(now)
        return self.limit - self.level

    def charge(self, tokens, now):
        self._refill(now)
        if self.level < tokens:
            return None, (tokens - self.level) / self.rate
        self.level -= tokens
        return True, 0

    def refund(self, entry, tokens, now):
        self._refill(now)
        self.level = min(self.limit, self.level + tokens)

    def reset(self, now):
        return now + self.used(now) / self.rate


def main():
    port_file, limit, window, model = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    start = time.monotonic()
    limiter = HardWindow(limit, window) if model == "window" else Bucket(limit, window)
    lock = threading.Lock()
    stats = {"accepted": 0, "refused": 0, "charged": []}  # charged: [arrival offset s, net tokens]
    counter = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _send(self, status, body, headers=()):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _limit_headers(self, now):
            remaining = max(0, int(limit - limiter.used(now)))
            reset = datetime.fromtimestamp(time.time() + (limiter.reset(now) - now), timezone.utc)
            return [
                ("anthropic-ratelimit-tokens-limit", str(limit)),
                ("anthropic-ratelimit-tokens-remaining", str(remaining // 1000 * 1000)),
                ("anthropic-ratelimit-tokens-reset", reset.strftime("%Y-%m-%dT%H:%M:%SZ")),
            ]

        def do_GET(self):
            with lock:
                self._send(200, {"accepted": stats["accepted"], "refused": stats["refused"],
                                 "charged": stats["charged"], "limit": limit, "window": window})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
            text = "".join(m["content"] if isinstance(m["content"], str) else "" for m in body["messages"])
            input_tokens = math.ceil(len(text) / 4) + 8
            with lock:
                counter[0] += 1
                cache_creation = input_tokens // 10 if counter[0] % 5 == 0 else 0
                max_tokens = int(body["max_tokens"])
                now = time.monotonic()
                entry, wait = limiter.charge(input_tokens + cache_creation + max_tokens, now)
                headers = self._limit_headers(now)
                if entry is None:
                    stats["refused"] += 1
                else:
                    stats["accepted"] += 1
                    record = [now - start, input_tokens + cache_creation + max_tokens]
                    stats["charged"].append(record)
            if entry is None:
                self._send(429, {"type": "error", "error": {"type": "rate_limit_error", "message": "rate limited"}},
                           headers + [("retry-after", str(max(1, math.ceil(wait))))])
                return
            time.sleep(random.uniform(0.2, 1.2))
            output = random.randint(10, max_tokens)
            with lock:
                now = time.monotonic()
                limiter.refund(entry, max_tokens - output, now)
                record[1] -= max_tokens - output
                headers = self._limit_headers(now)
            self._send(200, {
                "id": "msg_fake", "type": "message", "role": "assistant", "model": body["model"],
                "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn", "stop_sequence": None,
                "usage": {"input_tokens": input_tokens, "output_tokens": output,
                          "cache_creation_input_tokens": cache_creation, "cache_read_input_tokens": 0},
            }, headers)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(port_file, "w") as handle:
        handle.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
