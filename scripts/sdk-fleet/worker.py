"""One worker process of scripts/sdk-fleet.sh: the official anthropic SDK, gated by tokengate in one
line, sending requests of random size. It prints "ready" once the SDK is imported, reads the
deadline (a Unix time) from standard input, works until then and prints its counts as JSON.

Usage: worker.py BASE_URL SOCKET NAME
"""

import json
import random
import sys
import time

import anthropic
import tokengate.anthropic


def main():
    base_url, socket, name = sys.argv[1], sys.argv[2], sys.argv[3]
    client = tokengate.anthropic.gated(
        anthropic.Anthropic(base_url=base_url, api_key="sk-fake", max_retries=0), worker=name, socket=socket
    )
    print("ready", flush=True)
    deadline = float(sys.stdin.readline())
    done = refused = 0
    while time.time() < deadline:
        text = "lorem ipsum dolor " * random.randint(100, 1000)
        try:
            client.messages.create(
                model="claude-sonnet-4-5", max_tokens=1024, messages=[{"role": "user", "content": text}]
            )
            done += 1
        except anthropic.RateLimitError:
            refused += 1
    print(json.dumps({"worker": name, "done": done, "refused": refused}))


if __name__ == "__main__":
    main()
