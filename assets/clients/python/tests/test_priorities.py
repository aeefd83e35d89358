"""Priorities and per-worker control (contract v2) through ``Gate``, ``AsyncGate`` and the gated
SDK wrappers, against the real daemon: the order of grants, a paused worker passed over, a cap.

Every daemon here has threshold 1 and a 30 s window, so nothing slides out and nothing ages
(the aging interval is one window) during a test: capacity frees only when a test releases."""

from __future__ import annotations

import asyncio
import threading
from typing import Dict, List

import anthropic
import pytest

import tokengate
import tokengate.anthropic
import tokengate.openai
from tokengate import AsyncGate, Gate, Slot, Timeout, TokenGateError
from fake_upstream import FakeUpstream, Reply, anthropic_message
from helpers import wait_until, wait_until_async

LIMIT = 1000


@pytest.fixture
def small(daemon_factory):
    return daemon_factory(limit=LIMIT, window=30, threshold=1.0)


@pytest.fixture
def gates(small):
    """``gates(name)``: a ``Gate`` for worker ``name`` on the small daemon, closed afterwards."""
    opened: Dict[str, Gate] = {}

    def gate(name: str) -> Gate:
        if name not in opened:
            opened[name] = Gate(socket=small.socket, worker=name)
        return opened[name]

    try:
        yield gate
    finally:
        for each in opened.values():
            each.close()


class Waiting:
    """An acquire waiting on a thread of its own; ``slot`` once granted."""

    def __init__(self, gate: Gate, granted: List[str], label: str, **fields) -> None:
        self.slot: "Slot | None" = None
        self.error: "BaseException | None" = None

        def wait() -> None:
            try:
                self.slot = gate.acquire(**fields)
                granted.append(label)
            except BaseException as error:  # reported by the test through .error
                self.error = error
        self.thread = threading.Thread(target=wait, daemon=True)
        self.thread.start()


def worker_entry(status: dict, name: str) -> dict:
    return next(worker for worker in status["workers"] if worker["worker"] == name)


def test_a_high_acquire_queued_after_a_low_one_is_granted_first(gates):
    observer = gates("observer")
    holder = observer.acquire(tokens=LIMIT)
    granted: List[str] = []
    low = Waiting(gates("batch"), granted, "low", tokens=600, priority="low")
    assert wait_until(lambda: observer.status()["waiting"] == 1)
    high = Waiting(gates("assistant"), granted, "high", tokens=600, priority="high")
    assert wait_until(lambda: observer.status()["waiting"] == 2)
    status = observer.status()
    assert status["queue_by_priority"] == {"high": 1, "normal": 0, "low": 1}  # both went on the wire
    assert status["queue"]["priority"] == "high"

    holder.release()  # room for one of them: the later, higher one goes
    assert wait_until(lambda: granted == ["high"])
    assert observer.status()["waiting"] == 1
    assert high.slot is not None
    high.slot.release()
    assert wait_until(lambda: granted == ["high", "low"])
    assert low.slot is not None and (low.error, high.error) == (None, None)
    low.slot.release()


def test_an_invalid_priority_is_a_value_error_before_anything_is_sent(gates):
    gate = gates("py-prio")
    for bad in ("urgent", "HIGH", "", 1, True):
        with pytest.raises(ValueError) as caught:
            gate.acquire(tokens=10, priority=bad)
        assert "'high', 'normal', 'low'" in str(caught.value)
        with pytest.raises(ValueError):
            gate.slot(tokens=10, priority=bad)
    status = gates("observer").status()
    assert (status["in_flight"], status["waiting"]) == (0, 0)
    assert "py-prio" not in [worker["worker"] for worker in status["workers"]]  # never connected
    for good in ("high", "normal", "low", None):
        gate.acquire(tokens=10, priority=good).release()


def test_a_paused_worker_is_passed_over_until_resumed(gates):
    observer = gates("observer")
    holder = observer.acquire(tokens=LIMIT)
    assert observer.pause(worker="crawler-7") == "running"  # the fleet still runs
    assert worker_entry(observer.status(), "crawler-7")["paused"] is True
    granted: List[str] = []
    crawler = Waiting(gates("crawler-7"), granted, "crawler", tokens=600)
    assert wait_until(lambda: observer.status()["waiting"] == 1)
    assistant = Waiting(gates("assistant"), granted, "assistant", tokens=600)
    assert wait_until(lambda: observer.status()["waiting"] == 2)

    holder.release()  # the crawler came first, but it is paused: the assistant goes
    assert wait_until(lambda: granted == ["assistant"])
    assert worker_entry(observer.status(), "crawler-7")["waiting"] == 1

    assert assistant.slot is not None
    assistant.slot.release()  # room again, and still the crawler waits
    assert not wait_until(lambda: granted != ["assistant"], timeout=0.5)
    assert observer.resume(worker="crawler-7") == "running"
    assert wait_until(lambda: granted == ["assistant", "crawler"])
    assert worker_entry(observer.status(), "crawler-7")["paused"] is False
    assert crawler.slot is not None
    crawler.slot.release()


def test_a_capped_worker_waits_while_others_go_and_goes_when_the_cap_is_cleared(gates):
    observer = gates("observer")
    observer.set_cap("crawler-7", 0.25)
    assert worker_entry(observer.status(), "crawler-7")["cap"] == 0.25
    crawler = gates("crawler-7")
    first = crawler.acquire(tokens=200)  # within 0.25 x 1000
    with pytest.raises(Timeout):
        crawler.acquire(tokens=100, timeout_ms=300)  # 300 would pass 250
    granted: List[str] = []
    second = Waiting(crawler, granted, "crawler", tokens=100)
    assert wait_until(lambda: observer.status()["waiting"] == 1)
    other = gates("assistant").acquire(tokens=500, timeout_ms=2000)  # passes the capped waiter
    assert granted == []

    observer.set_cap("crawler-7", None)
    assert wait_until(lambda: granted == ["crawler"])
    assert worker_entry(observer.status(), "crawler-7")["cap"] is None
    for slot in (first, second.slot, other):
        assert slot is not None
        slot.release()


def test_per_worker_control_checks_its_arguments(gates):
    gate = gates("observer")
    for bad_cap in (0, 1.5, -0.1):
        with pytest.raises(ValueError):
            gate.set_cap("crawler-7", bad_cap)
    with pytest.raises(TypeError):
        gate.set_cap("crawler-7", "0.25")
    with pytest.raises(TypeError):
        gate.pause(worker="")
    with pytest.raises(TokenGateError) as caught:  # the daemon checks the name's characters
        gate.pause(worker="no spaces allowed")
    assert caught.value.code == "bad_request"
    gate.set_cap("crawler-7", 1)  # 1 is the whole limit, allowed
    assert worker_entry(gate.status(), "crawler-7")["cap"] == 1


def run(coroutine, timeout: float = 60):
    async def bounded():
        return await asyncio.wait_for(coroutine, timeout)
    return asyncio.run(bounded())


def test_async_gate_priorities_pause_and_cap(small):
    async def body():
        async with AsyncGate(socket=small.socket, worker="observer") as observer, \
                AsyncGate(socket=small.socket, worker="crawler-7") as crawler, \
                AsyncGate(socket=small.socket, worker="assistant") as assistant:
            with pytest.raises(ValueError):
                await observer.acquire(tokens=10, priority="urgent")

            async def waiting() -> int:
                return (await observer.status())["waiting"]

            holder = await observer.acquire(tokens=LIMIT)
            assert await observer.pause(worker="crawler-7") == "running"
            crawler_task = asyncio.ensure_future(crawler.acquire(tokens=600, priority="high"))
            assert await wait_until_async(lambda: _equals(waiting, 1))
            low_task = asyncio.ensure_future(assistant.acquire(tokens=600, priority="low"))
            assert await wait_until_async(lambda: _equals(waiting, 2))
            await holder.release()
            low_slot = await asyncio.wait_for(low_task, 5)  # the paused high waiter is passed over
            assert not crawler_task.done()
            await low_slot.release()
            assert await observer.resume(worker="crawler-7") == "running"
            crawler_slot = await asyncio.wait_for(crawler_task, 5)
            await crawler_slot.release()

            await observer.set_cap("crawler-7", 0.5)
            assert worker_entry(await observer.status(), "crawler-7")["cap"] == 0.5
            kept = await crawler.acquire(tokens=500)
            with pytest.raises(Timeout):
                await crawler.acquire(tokens=1, timeout_ms=300)
            await observer.set_cap("crawler-7", None)
            (await crawler.acquire(tokens=1, timeout_ms=2000)).release_nowait()
            await kept.release()
            assert worker_entry(await observer.status(), "crawler-7")["cap"] is None
    run(body())


async def _equals(read, expected) -> bool:
    return await read() == expected


def test_gated_clients_refuse_an_invalid_priority():
    sdk = anthropic.Anthropic(base_url="http://127.0.0.1:9", api_key="sk-ant-fake", max_retries=0)
    with pytest.raises(ValueError):
        tokengate.anthropic.gated(sdk, worker="w", priority="urgent")
    import openai
    with pytest.raises(ValueError):
        tokengate.openai.gated(openai.OpenAI(base_url="http://127.0.0.1:9", api_key="sk-fake"), priority="Low")


def test_a_gated_client_acquires_with_its_priority(small, gates):
    upstream = FakeUpstream("anthropic")
    try:
        sdk = anthropic.Anthropic(base_url=upstream.base_url, api_key="sk-ant-fake", max_retries=0)
        client = tokengate.anthropic.gated(sdk, worker="py-high", priority="high", socket=small.socket)
        upstream.push(Reply(200, anthropic_message("claude-test-model", input_tokens=5, output_tokens=3)))
        observer = gates("observer")
        holder = observer.acquire(tokens=LIMIT)
        done = threading.Event()

        def call() -> None:
            client.messages.create(model="claude-test-model", max_tokens=100,
                                   messages=[{"role": "user", "content": "hi"}])
            done.set()
        thread = threading.Thread(target=call, daemon=True)
        thread.start()
        assert wait_until(lambda: observer.status()["waiting"] == 1)
        status = observer.status()
        assert status["queue"]["priority"] == "high"
        assert status["queue"]["worker"] == "py-high"
        assert status["queue_by_priority"]["high"] == 1
        holder.release()
        assert done.wait(10)
        assert wait_until(lambda: observer.status()["used"] == 8)
        client.close()
    finally:
        upstream.close()
