"""``tokengate.anthropic.gated`` with the real Anthropic SDK against a fake upstream and the real
daemon: JSON responses, streams (both ways), 429s, headers, calibration, async."""

from __future__ import annotations

import asyncio
import time

import anthropic
import pytest

import tokengate
import tokengate.anthropic
from fake_upstream import FakeUpstream, Reply, anthropic_error, anthropic_events, anthropic_message
from helpers import wait_until

MODEL = "claude-test-model"  # not a real model: no SDK deprecation warnings
MESSAGES = [{"role": "user", "content": "Say hello in a few words, please."}]
RATE_HEADERS = {
    "anthropic-ratelimit-tokens-limit": "50000",
    "anthropic-ratelimit-tokens-remaining": "20000",
    "anthropic-ratelimit-tokens-reset": "2030-01-01T00:00:00Z",
    "request-id": "req_fake",
}


@pytest.fixture
def upstream():
    server = FakeUpstream("anthropic")
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


def sync_client(daemon, upstream, **options):
    sdk = anthropic.Anthropic(base_url=upstream.base_url, api_key="sk-ant-fake", max_retries=0, **options)
    return tokengate.anthropic.gated(sdk, worker="py-anthropic", socket=daemon.socket)


def async_client(daemon, upstream, **options):
    sdk = anthropic.AsyncAnthropic(base_url=upstream.base_url, api_key="sk-ant-fake", max_retries=0, **options)
    return tokengate.anthropic.gated(sdk, worker="py-anthropic-async", socket=daemon.socket)


def provider_budget(status):
    return next(budget for budget in status["budgets"] if budget["name"] == "tokens")


def test_create_acquires_reports_and_observes(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    seen = {}

    def during(request):
        seen["status"] = observer.status()
    upstream.on_request = during
    upstream.push(Reply(200, anthropic_message(MODEL, input_tokens=25, output_tokens=7, cache_creation=100,
                                               cache_read=50), RATE_HEADERS))
    message = client.messages.create(model=MODEL, max_tokens=300, messages=MESSAGES)

    assert isinstance(message, anthropic.types.Message)
    assert message.content[0].text == "Hello!"
    assert upstream.requests[0].body["model"] == MODEL
    assert any("sk-ant-fake" in value for value in upstream.requests[0].headers.values())  # passed through
    # While the request was at the provider: one grant, reserving max_tokens plus an input estimate.
    during_status = seen["status"]
    assert during_status["in_flight"] == 1
    assert 300 < during_status["reserved"] < 300 + upstream.requests[0].raw_size
    # Afterwards: the real usage (cache writes count, cache reads do not), the headers observed.
    status = observer.status()
    assert (status["used"], status["in_flight"], status["reserved"]) == (25 + 7 + 100, 0, 0)
    assert provider_budget(status)["provider_limit"] == 50000
    assert provider_budget(status)["provider_remaining"] == 20000
    assert [w["requests"] for w in status["workers"] if w["worker"] == "py-anthropic"] == [1]
    client.close()


def test_the_estimate_is_calibrated_by_the_reported_input(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    reserved = []
    upstream.on_request = lambda request: reserved.append(observer.status()["reserved"])
    upstream.push(Reply(200, anthropic_message(MODEL, input_tokens=40, cache_read=20, output_tokens=3)))
    client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES)
    upstream.push(Reply(200, anthropic_message(MODEL, input_tokens=30, output_tokens=3)))
    client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES)
    upstream.push(Reply(200, anthropic_message(MODEL, input_tokens=60, output_tokens=3)))
    client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES)
    # The same body each time. First: an estimate from the uncalibrated ratio. Second: what the
    # first request carried (40 input + 20 cache reads). Third: moved towards the newest (30),
    # weighted 0.3: 0.7 * 60 + 0.3 * 30 = 51.
    assert reserved[0] != 60 + 100
    assert reserved[1] == 60 + 100
    assert reserved[2] == 51 + 100
    # Another model (a name of the same length: the same body size) starts uncalibrated again.
    client.messages.create(model="claude-test-other", max_tokens=100, messages=MESSAGES)
    assert reserved[3] == reserved[0]
    assert observer.status()["used"] == 43 + 33 + 63 + 32  # cache reads are not counted


def test_stream_true_reports_when_the_stream_ends(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    upstream.push(Reply(200, headers=RATE_HEADERS, events=anthropic_events(
        MODEL, ["Hel", "lo", "!"], input_tokens=25, output_tokens=9, cache_creation=10, cache_read=5)))
    stream = client.messages.create(model=MODEL, max_tokens=200, messages=MESSAGES, stream=True)
    assert stream.response.headers["request-id"] == "req_fake"  # the SDK stream's own attributes
    assert observer.status()["in_flight"] == 1
    kinds, text = [], ""
    for event in stream:
        kinds.append(event.type)
        if event.type == "content_block_delta":
            text += event.delta.text
    assert text == "Hello!"
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    status = observer.status()
    assert (status["used"], status["in_flight"]) == (25 + 9 + 10, 0)
    assert provider_budget(status)["provider_limit"] == 50000


def test_a_stream_left_early_reports_what_it_saw(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    upstream.push(Reply(200, events=anthropic_events(MODEL, ["a", "b", "c", "d"], input_tokens=30, output_tokens=50)))
    with client.messages.create(model=MODEL, max_tokens=200, messages=MESSAGES, stream=True) as stream:
        for event in stream:
            if event.type == "content_block_delta":
                break  # one delta seen; the final count never arrives
    status = observer.status()
    assert (status["used"], status["in_flight"], status["reserved"]) == (30 + 1, 0, 0)


def test_messages_stream_helper(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    upstream.push(Reply(200, headers=RATE_HEADERS, events=anthropic_events(
        MODEL, ["Hi", " there"], input_tokens=12, output_tokens=4, cache_creation=3)))
    with client.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES) as stream:
        assert observer.status()["in_flight"] == 1
        assert stream.get_final_text() == "Hi there"
        final = stream.get_final_message()
        assert final.usage.output_tokens == 4
        # Reported as soon as the events ended, inside the block.
        status = observer.status()
        assert (status["used"], status["in_flight"]) == (12 + 4 + 3, 0)
    assert observer.status()["used"] == 19
    assert provider_budget(observer.status())["provider_limit"] == 50000
    assert upstream.requests[0].body["stream"] is True


def test_messages_stream_helper_left_early(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    upstream.push(Reply(200, events=anthropic_events(MODEL, ["x", "y", "z"], input_tokens=20, output_tokens=40)))
    with client.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES) as stream:
        for text in stream.text_stream:
            break
    status = observer.status()
    assert (status["used"], status["in_flight"], status["reserved"]) == (20 + 1, 0, 0)


def test_a_429_throttles_the_fleet_and_is_re_raised(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    headers = dict(RATE_HEADERS, **{"retry-after": "3", "anthropic-ratelimit-tokens-remaining": "0"})
    upstream.push(Reply(429, anthropic_error("rate_limit_error", "slow down"), headers))
    with pytest.raises(anthropic.RateLimitError):
        client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES)
    status = observer.status()
    assert status["state"] == "cooldown"
    assert 2000 < status["cooldown_remaining_ms"] <= 3000
    assert (status["used"], status["in_flight"], status["reserved"]) == (0, 0, 0)
    assert provider_budget(status)["provider_limit"] == 50000
    # The next call waits out the cooldown: the fleet does not hit the provider meanwhile.
    started = time.monotonic()
    client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES)
    assert time.monotonic() - started > 1.5
    assert len(upstream.requests) == 2


def test_a_429_at_stream_open_throttles_too(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    upstream.push(Reply(429, anthropic_error("rate_limit_error", "slow down"), {"retry-after": "2"}))
    with pytest.raises(anthropic.RateLimitError):
        with client.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES):
            pass
    status = observer.status()
    assert status["state"] == "cooldown"
    assert (status["in_flight"], status["reserved"]) == (0, 0)


def test_other_errors_release_the_grant(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    upstream.push(Reply(400, anthropic_error("invalid_request_error", "bad"), {}))
    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES)
    status = observer.status()
    assert (status["state"], status["used"], status["in_flight"], status["reserved"]) == ("running", 0, 0, 0)


def test_everything_else_is_untouched(daemon, upstream, observer):
    client = sync_client(daemon, upstream)
    counted = client.messages.count_tokens(model=MODEL, messages=MESSAGES)
    assert counted.input_tokens == 10
    assert client.api_key == "sk-ant-fake"
    assert isinstance(client.with_options(timeout=5), tokengate.anthropic.GatedAnthropic)
    status = observer.status()
    assert status["used"] == 0 and not [w for w in status["workers"] if w["worker"] == "py-anthropic"]
    # A generator of messages reaches the provider whole.
    client.messages.create(model=MODEL, max_tokens=10, messages=(m for m in MESSAGES))
    assert upstream.requests[-1].body["messages"] == MESSAGES


def test_no_daemon_sends_nothing(upstream, tmp_path_factory):
    directory = tmp_path_factory.mktemp("nodaemon")
    sdk = anthropic.Anthropic(base_url=upstream.base_url, api_key="sk-ant-fake", max_retries=0)
    client = tokengate.anthropic.gated(sdk, socket=str(directory / "none.sock"))
    with pytest.raises(tokengate.Unreachable):
        client.messages.create(model=MODEL, max_tokens=10, messages=MESSAGES)
    assert upstream.requests == []


def test_a_shared_gate_and_its_kind(daemon, upstream):
    with tokengate.Gate(socket=daemon.socket) as gate:
        sdk = anthropic.Anthropic(base_url=upstream.base_url, api_key="x", max_retries=0)
        client = tokengate.anthropic.gated(sdk, gate=gate)
        assert client.gate is gate
        client.messages.create(model=MODEL, max_tokens=10, messages=MESSAGES)
        assert gate.status()["used"] == 32
        with pytest.raises(TypeError):
            tokengate.anthropic.gated(anthropic.AsyncAnthropic(api_key="x"), gate=gate)


# -- AsyncAnthropic -----------------------------------------------------------------------------


def run(coroutine, timeout: float = 60):
    async def bounded():
        return await asyncio.wait_for(coroutine, timeout)
    return asyncio.run(bounded())


def test_async_create_stream_and_helper(daemon, upstream, observer):
    async def body():
        client = async_client(daemon, upstream)
        assert isinstance(client.gate, tokengate.AsyncGate)
        upstream.push(Reply(200, anthropic_message(MODEL, input_tokens=11, output_tokens=2, cache_creation=4),
                            RATE_HEADERS))
        message = await client.messages.create(model=MODEL, max_tokens=50, messages=MESSAGES)
        assert message.usage.input_tokens == 11
        status = await client.gate.status()
        assert (status["used"], status["in_flight"]) == (17, 0)
        assert provider_budget(status)["provider_limit"] == 50000

        upstream.push(Reply(200, events=anthropic_events(MODEL, ["a", "b"], input_tokens=5, output_tokens=6)))
        stream = await client.messages.create(model=MODEL, max_tokens=50, messages=MESSAGES, stream=True)
        texts = [event.delta.text async for event in stream if event.type == "content_block_delta"]
        assert texts == ["a", "b"]
        assert (await client.gate.status())["used"] == 17 + 11

        upstream.push(Reply(200, events=anthropic_events(MODEL, ["c"], input_tokens=7, output_tokens=1)))
        async with client.messages.stream(model=MODEL, max_tokens=50, messages=MESSAGES) as helper:
            assert await helper.get_final_text() == "c"
        status = await client.gate.status()
        assert (status["used"], status["in_flight"], status["reserved"]) == (17 + 11 + 8, 0, 0)
        await client.close()
    run(body())


def test_async_429_throttles_and_is_re_raised(daemon, upstream, observer):
    async def body():
        client = async_client(daemon, upstream)
        upstream.push(Reply(429, anthropic_error("rate_limit_error", "slow down"), {"retry-after-ms": "2500"}))
        with pytest.raises(anthropic.RateLimitError):
            await client.messages.create(model=MODEL, max_tokens=50, messages=MESSAGES)
        status = await client.gate.status()
        assert status["state"] == "cooldown"
        assert 1500 < status["cooldown_remaining_ms"] <= 2500
        assert (status["in_flight"], status["reserved"]) == (0, 0)
        await client.close()
    run(body())


def test_async_many_tasks_under_a_small_limit(daemon_factory, upstream):
    daemon = daemon_factory(limit=1500, window=2, threshold=1.0)

    async def body():
        client = async_client(daemon, upstream)
        concurrent, peak = 0, 0

        def during(request):
            nonlocal concurrent, peak
            concurrent += 1
            peak = max(peak, concurrent)
            time.sleep(0.05)
            concurrent -= 1
        upstream.on_request = during
        # Each call reserves about 500 + its input: at most two fit in the 1,500-token window.
        replies = [Reply(200, anthropic_message(MODEL, input_tokens=2, output_tokens=1)) for _ in range(12)]
        upstream.push(*replies)
        started = time.monotonic()
        results = await asyncio.gather(*(
            client.messages.create(model=MODEL, max_tokens=500, messages=MESSAGES) for _ in range(12)))
        assert len(results) == 12
        assert time.monotonic() - started < 10
        assert peak <= 2
        status = await client.gate.status()
        assert (status["used"], status["in_flight"], status["waiting"]) == (36, 0, 0)
        await client.close()
    run(body())


def test_async_cancelled_call_releases_its_grant(daemon, upstream, observer):
    async def body():
        client = async_client(daemon, upstream)
        entered = asyncio.Event()
        loop = asyncio.get_running_loop()

        def during(request):
            loop.call_soon_threadsafe(entered.set)
            time.sleep(1.0)
        upstream.on_request = during
        task = asyncio.ensure_future(client.messages.create(model=MODEL, max_tokens=400, messages=MESSAGES))
        await entered.wait()
        assert (await client.gate.status())["in_flight"] == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(200):
            status = await client.gate.status()
            if status["in_flight"] == 0:
                break
            await asyncio.sleep(0.01)
        assert (status["in_flight"], status["reserved"], status["used"]) == (0, 0, 0)
        await client.close()
    run(body())
