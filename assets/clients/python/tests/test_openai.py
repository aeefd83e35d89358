"""``tokengate.openai.gated`` with the real OpenAI SDK against a fake upstream and the real daemon."""

from __future__ import annotations

import asyncio
import time
import warnings

import openai
import pytest

import tokengate
import tokengate.openai
from fake_upstream import FakeUpstream, Reply, openai_completion, openai_events

MODEL = "gpt-test-model"
MESSAGES = [{"role": "user", "content": "Say hello in a few words, please."}]
RATE_HEADERS = {
    "x-ratelimit-limit-tokens": "150000",
    "x-ratelimit-remaining-tokens": "149000",
    "x-ratelimit-reset-tokens": "6m0s",
    "x-request-id": "req_fake",
}


@pytest.fixture
def upstream():
    server = FakeUpstream("openai")
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def observer(daemon):
    gate = tokengate.Gate(socket=daemon.socket)
    try:
        yield gate
    finally:
        gate.close()


def sync_client(daemon, upstream):
    sdk = openai.OpenAI(base_url=upstream.base_url, api_key="sk-fake", max_retries=0)
    return tokengate.openai.gated(sdk, worker="py-openai", socket=daemon.socket)


def test_create_acquires_reports_and_observes(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    seen = {}
    upstream.on_request = lambda request: seen.setdefault("status", observer.status())
    upstream.push(Reply(200, openai_completion(MODEL, prompt=3000, completion=900, cached=1000), RATE_HEADERS))
    completion = client.chat.completions.create(model=MODEL, messages=MESSAGES, max_completion_tokens=200)
    assert completion.choices[0].message.content == "Hello!"
    assert upstream.requests[0].path == "/v1/chat/completions"
    assert seen["status"]["in_flight"] == 1
    assert 200 < seen["status"]["reserved"] < 200 + upstream.requests[0].raw_size
    status = observer.status()
    # Cached prompt tokens are part of prompt_tokens and count towards OpenAI's limit.
    assert (status["used"], status["in_flight"], status["reserved"]) == (3900, 0, 0)
    assert [w["requests"] for w in status["workers"] if w["worker"] == "py-openai"] == [1]


def test_max_tokens_or_a_default_caps_the_output_estimate(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    reserved = []
    upstream.on_request = lambda request: reserved.append(observer.status()["reserved"])
    client.chat.completions.create(model=MODEL, messages=MESSAGES, max_tokens=5000)
    client.chat.completions.create(model=MODEL, messages=MESSAGES)
    # After the first report the input estimate follows the 30 tokens that response reported
    # (the second body is a little smaller: it has no max_tokens).
    assert reserved[0] > 5000
    assert 25 <= reserved[1] - 1024 < 30, reserved


def test_stream_with_usage(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    upstream.push(Reply(200, headers=RATE_HEADERS, events=openai_events(MODEL, ["Hel", "lo"], prompt=40, completion=5)))
    stream = client.chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True, stream_options={"include_usage": True})
    assert observer.status()["in_flight"] == 1
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == "Hello"
    status = observer.status()
    assert (status["used"], status["in_flight"]) == (45, 0)
    assert upstream.requests[0].body["stream_options"] == {"include_usage": True}


def test_stream_helper(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    upstream.push(Reply(200, headers=RATE_HEADERS, events=openai_events(MODEL, ["Good", "bye"], prompt=21, completion=4)))
    with client.chat.completions.stream(
            model=MODEL, messages=MESSAGES, max_tokens=50, stream_options={"include_usage": True}) as stream:
        assert observer.status()["in_flight"] == 1
        final = stream.get_final_completion()
        assert final.choices[0].message.content == "Goodbye"
        status = observer.status()  # reported when the events ended, inside the block
        assert (status["used"], status["in_flight"]) == (25, 0)
    assert observer.status()["used"] == 25


def test_stream_without_usage_reports_an_estimate_and_warns(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    client.chat.completions.create(model=MODEL, messages=MESSAGES)  # calibrates: 30 input tokens
    upstream.push(Reply(200, events=openai_events(MODEL, ["a", "b", "c"], prompt=None)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True) as stream:
            chunks = list(stream)
    assert len(chunks) == 5
    assert any("include_usage" in str(w.message) for w in caught)
    status = observer.status()
    # The calibrated input estimate (30 tokens for the first body; this one adds "stream": true)
    # and one token for each of the 3 content deltas.
    assert 30 < status["used"] - 36 - 3 <= 36, status["used"]
    assert status["in_flight"] == 0


def test_a_429_throttles_with_the_reset_of_the_used_up_budget(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    headers = {"x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "2s",
               "x-ratelimit-remaining-requests": "10", "x-ratelimit-reset-requests": "40s"}
    body = {"error": {"message": "Rate limit reached", "type": "tokens", "code": "rate_limit_exceeded"}}
    upstream.push(Reply(429, body, headers))
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model=MODEL, messages=MESSAGES)
    status = observer.status()
    assert status["state"] == "cooldown"
    assert 1000 < status["cooldown_remaining_ms"] <= 2000
    assert (status["used"], status["in_flight"], status["reserved"]) == (0, 0, 0)


def test_a_429_with_retry_after(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    upstream.push(Reply(429, {"error": {"message": "slow down"}}, {"retry-after": "3"}))
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
    status = observer.status()
    assert 2000 < status["cooldown_remaining_ms"] <= 3000


def test_a_response_without_usage_counts_its_estimate(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    body = openai_completion(MODEL)
    del body["usage"]
    reserved = []
    upstream.on_request = lambda request: reserved.append(observer.status()["reserved"])
    upstream.push(Reply(200, body))
    client.chat.completions.create(model=MODEL, messages=MESSAGES, max_tokens=40)
    status = observer.status()
    assert (status["used"], status["in_flight"]) == (reserved[0], 0)
    assert status["used"] > 40


def test_everything_else_is_untouched(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    assert client.api_key == "sk-fake"
    assert client.chat.completions.with_raw_response is not None  # the SDK's own, ungated
    assert observer.status()["used"] == 0


def test_async_client(daemon, upstream, observer):
    async def body():
        sdk = openai.AsyncOpenAI(base_url=upstream.base_url, api_key="sk-fake", max_retries=0)
        client = tokengate.openai.gated(sdk, worker="py-openai-async", socket=daemon.socket)
        assert isinstance(client.gate, tokengate.AsyncGate)
        upstream.push(Reply(200, openai_completion(MODEL, prompt=10, completion=2), RATE_HEADERS))
        completion = await client.chat.completions.create(model=MODEL, messages=MESSAGES, max_tokens=20)
        assert completion.usage.prompt_tokens == 10
        upstream.push(Reply(200, events=openai_events(MODEL, ["x", "y"], prompt=7, completion=2)))
        stream = await client.chat.completions.create(
            model=MODEL, messages=MESSAGES, max_tokens=20, stream=True, stream_options={"include_usage": True})
        texts = [chunk.choices[0].delta.content async for chunk in stream if chunk.choices]
        assert "".join(t or "" for t in texts) == "xy"
        upstream.push(Reply(429, {"error": {"message": "slow down"}}, {"retry-after-ms": "1500"}))
        with pytest.raises(openai.RateLimitError):
            await client.chat.completions.create(model=MODEL, messages=MESSAGES, max_tokens=20)
        status = await client.gate.status()
        assert (status["used"], status["in_flight"], status["state"]) == (12 + 9, 0, "cooldown")
        # Many tasks: they wait out the cooldown together, then all go through.
        started = time.monotonic()
        await asyncio.gather(*(client.chat.completions.create(model=MODEL, messages=MESSAGES, max_tokens=20)
                               for _ in range(10)))
        assert time.monotonic() - started > 0.8
        status = await client.gate.status()
        assert (status["used"], status["in_flight"]) == (21 + 10 * 36, 0)
        await client.close()
    asyncio.run(asyncio.wait_for(body(), 60))
