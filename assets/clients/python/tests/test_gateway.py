"""``tokengate serve --gateway``: the real Anthropic SDK, unmodified, pointed at the daemon's
gateway by its base URL (``http://127.0.0.1:PORT/w/NAME``) in front of a fake upstream.
``messages.create`` and ``messages.stream`` are gated, their usage reported exactly, the worker
named by the URL path, the key passed through and never shown."""

from __future__ import annotations

import socket
import time

import anthropic
import pytest

import tokengate
from fake_upstream import FakeUpstream, Reply, anthropic_events, anthropic_message

MODEL = "claude-test-model"
MESSAGES = [{"role": "user", "content": "Say hello in a few words, please."}]
API_KEY = "sk-ant-gateway-SECRET-4242"


def free_port() -> int:
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"the gateway did not listen on {port}")


@pytest.fixture
def upstream():
    server = FakeUpstream("anthropic")
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def gateway(daemon_factory, upstream):
    port = free_port()
    daemon = daemon_factory(extra=["--gateway", str(port), "--upstream", upstream.base_url])
    wait_for_port(port)
    gate = tokengate.Gate(socket=daemon.socket)
    try:
        yield daemon, port, gate
    finally:
        gate.close()


def worker_status(gate, name):
    return next((worker for worker in gate.status()["workers"] if worker["worker"] == name), None)


def test_create_through_the_gateway(gateway, upstream):
    daemon, port, gate = gateway
    upstream.push(Reply(200, anthropic_message(MODEL, input_tokens=31, output_tokens=9, cache_creation=120,
                                               cache_read=64)))
    client = anthropic.Anthropic(base_url=f"http://127.0.0.1:{port}/w/sdk-create", api_key=API_KEY, max_retries=0)
    message = client.messages.create(model=MODEL, max_tokens=200, messages=MESSAGES)

    assert message.content[0].text == "Hello!"
    assert message.usage.input_tokens == 31
    sent = upstream.requests[0]
    assert sent.path == "/v1/messages", "the /w/NAME prefix is stripped"
    # The SDK sends the key as x-api-key or as a bearer token, depending on its version.
    assert API_KEY in (sent.headers.get("x-api-key"), sent.headers.get("authorization", "").removeprefix("Bearer ")), \
        "the key passes through untouched"
    worker = worker_status(gate, "sdk-create")
    assert worker is not None and worker["used"] == 31 + 9 + 120 and worker["requests"] == 1
    status = gate.status()
    assert (status["in_flight"], status["reserved"]) == (0, 0)
    assert status["gateway"]["requests"] == 1 and status["gateway"]["errors"] == 0
    assert API_KEY not in str(status) and "SECRET" not in daemon.log()


def test_stream_through_the_gateway(gateway, upstream):
    daemon, port, gate = gateway
    upstream.push(Reply(200, events=anthropic_events(MODEL, ["Hello", " there", "!"], input_tokens=44,
                                                       output_tokens=12, cache_creation=5, cache_read=70)))
    client = anthropic.Anthropic(base_url=f"http://127.0.0.1:{port}/w/sdk-stream", api_key=API_KEY, max_retries=0)
    with client.messages.stream(model=MODEL, max_tokens=100, messages=MESSAGES) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()

    assert text == "Hello there!"
    assert final.usage.output_tokens == 12
    assert upstream.requests[0].body["stream"] is True
    worker = worker_status(gate, "sdk-stream")
    assert worker is not None and worker["used"] == 44 + 12 + 5 and worker["requests"] == 1
    status = gate.status()
    assert (status["in_flight"], status["reserved"]) == (0, 0)
    assert "SECRET" not in daemon.log()
