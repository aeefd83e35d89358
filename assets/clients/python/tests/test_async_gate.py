"""``tokengate.AsyncGate`` against the real daemon: many tasks on one connection, cancellation,
reconnecting across a daemon restart."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time

import pytest

from tokengate import AsyncGate, AsyncSlot, Timeout, TokenGateError, Unreachable
from helpers import wait_until_async


def run(coroutine, timeout: float = 60):
    async def bounded():
        return await asyncio.wait_for(coroutine, timeout)
    return asyncio.run(bounded())


async def status_of(daemon) -> dict:
    """The daemon's status seen through a connection of its own."""
    async with AsyncGate(socket=daemon.socket) as observer:
        return await observer.status()


def test_acquire_report_status(daemon):
    async def body():
        async with AsyncGate(socket=daemon.socket, worker="py-async") as gate:
            slot = await gate.acquire(tokens=100)
            assert isinstance(slot, AsyncSlot) and slot.ticket
            status = await gate.status()
            assert (status["in_flight"], status["reserved"]) == (1, 100)
            reply = await slot.report(input=10, output=20, cache_creation=5, cache_read=7)
            assert reply["ok"] and slot.warning is None
            status = await gate.status()
            assert (status["used"], status["in_flight"]) == (35, 0)
            assert "py-async" in [worker["worker"] for worker in status["workers"]]
            with pytest.raises(TokenGateError) as caught:
                await slot.report(input=1, output=1)
            assert caught.value.code == "already_settled"
            assert gate.connected
    run(body())


def test_slot_context_reports_and_releases(daemon):
    async def body():
        async with AsyncGate(socket=daemon.socket) as gate:
            async with gate.slot(tokens=100) as slot:
                await slot.report_usage({"prompt_tokens": 30, "completion_tokens": 12})
            assert (await gate.status())["used"] == 42
            async with gate.slot(tokens=100):
                pass
            with pytest.raises(RuntimeError):
                async with gate.slot(tokens=100) as slot:
                    raise RuntimeError("the request failed")
            assert slot.settled
            assert await wait_until_async(lambda: _idle(gate))
            status = await gate.status()
            assert (status["used"], status["reserved"]) == (42, 0)
            with pytest.raises(TypeError):
                async with gate.slot(tokens=100) as slot:
                    await slot.report_usage({"tokens": 5})
    run(body())


async def _idle(gate) -> bool:
    status = await gate.status()
    return status["in_flight"] == 0 and status["waiting"] == 0


def test_errors_carry_their_code(daemon):
    async def body():
        async with AsyncGate(socket=daemon.socket) as gate:
            with pytest.raises(TokenGateError) as caught:
                await gate.acquire(tokens=2 ** 60)
            assert caught.value.code == "bad_request"
            with pytest.raises(TokenGateError) as caught:
                await gate.release("no-such-ticket")
            assert caught.value.code == "unknown_ticket"
            await gate.pause()
            started = time.monotonic()
            with pytest.raises(Timeout):
                await gate.acquire(tokens=10, timeout_ms=150)
            assert time.monotonic() - started >= 0.14
            assert await gate.resume() == "running"
            assert (await gate.throttled(100, model="claude-haiku-4-5")) > 0
            await gate.observe_headers({"retry-after": "1", "set-cookie": "never sent"})
            await gate.set_limit(limit=9000)
            assert (await gate.status())["limit"] == 9000
    run(body())


def test_many_tasks_share_one_connection_under_a_small_limit(daemon_factory):
    """The case that stalled README's sync example for 605 s: 8 coroutines (asyncio.sleep standing
    in for the SDK call) against a limit that admits two at a time."""
    daemon = daemon_factory(limit=2000, window=2, threshold=1.0)

    async def body():
        async with AsyncGate(socket=daemon.socket, worker="py-many") as gate:
            in_flight, peak = 0, 0

            async def worker(index):
                nonlocal in_flight, peak
                async with gate.slot(tokens=1000) as slot:
                    in_flight += 1
                    peak = max(peak, in_flight)
                    await asyncio.sleep(0.05)
                    in_flight -= 1
                    await slot.report(input=1, output=1)  # far less than the estimate
            started = time.monotonic()
            await asyncio.gather(*(worker(index) for index in range(8)))
            elapsed = time.monotonic() - started
            assert elapsed < 5, elapsed
            assert peak == 2  # the limit held, and the loop kept running the reports
            status = await gate.status()
            assert (status["used"], status["in_flight"], status["waiting"]) == (16, 0, 0)

            # Many more tasks, one connection.
            async def small(index):
                async with gate.slot(tokens=1) as slot:
                    await slot.report(input=1, output=0)
            await asyncio.gather(*(small(index) for index in range(300)))
            status = await gate.status()
            assert status["in_flight"] == 0
            assert [w["requests"] for w in status["workers"] if w["worker"] == "py-many"] == [308]
    run(body())


def test_cancelling_a_waiting_acquire_withdraws_it(daemon):
    async def body():
        async with AsyncGate(socket=daemon.socket) as gate:
            await gate.pause()
            waiting = asyncio.ensure_future(gate.acquire(tokens=500))
            assert await wait_until_async(lambda: _waiting(gate, 1))
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            # The daemon keeps the queued acquire until it is granted; the client releases it then.
            await gate.resume()
            assert await wait_until_async(lambda: _idle(gate))
            status = await gate.status()
            assert (status["used"], status["reserved"]) == (0, 0)
            # The connection is fine for everyone else.
            async with gate.slot(tokens=10) as slot:
                await slot.report(input=2, output=2)
            assert (await gate.status())["used"] == 4
    run(body())


async def _waiting(gate, count) -> bool:
    return (await gate.status())["waiting"] == count


def test_cancelling_a_task_inside_its_slot_releases_the_ticket(daemon):
    async def body():
        async with AsyncGate(socket=daemon.socket) as gate:
            entered = asyncio.Event()

            async def holder():
                async with gate.slot(tokens=700):
                    entered.set()
                    await asyncio.sleep(60)  # the SDK call, cancelled
            task = asyncio.ensure_future(holder())
            await entered.wait()
            assert (await gate.status())["reserved"] == 700
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert await wait_until_async(lambda: _idle(gate))
            status = await gate.status()
            assert (status["reserved"], status["used"]) == (0, 0)
    run(body())


def test_acquires_reissued_across_a_daemon_restart(daemon):
    async def body():
        async with AsyncGate(socket=daemon.socket, worker="py-restart") as gate:
            await gate.pause()
            tasks = [asyncio.ensure_future(gate.acquire(tokens=10 + index, timeout_ms=20000)) for index in range(5)]
            assert await wait_until_async(lambda: _waiting(gate, 5))
            daemon.kill()
            await asyncio.sleep(0.3)
            assert not gate.connected
            assert not any(task.done() for task in tasks)  # held for the next connection
            await asyncio.get_running_loop().run_in_executor(None, daemon.start)
            slots = await asyncio.wait_for(asyncio.gather(*tasks), 15)
            assert gate.connected
            status = await gate.status()
            assert status["in_flight"] == 5
            assert status["reserved"] == sum(10 + index for index in range(5))
            assert [w["in_flight"] for w in status["workers"] if w["worker"] == "py-restart"] == [5]
            for slot in slots:
                await slot.report(input=1, output=1)
            assert (await gate.status())["used"] == 10
    run(body())


def test_acquires_wait_out_a_daemon_that_stops_with_sigterm(daemon):
    """SIGTERM: the daemon answers the waiting acquires `shutting_down`; they are asked again of
    the next daemon. An acquire started while no daemon listens waits for it too."""
    async def body():
        async with AsyncGate(socket=daemon.socket, worker="py-sigterm") as gate:
            await gate.pause()
            waiting = [asyncio.ensure_future(gate.acquire(tokens=7, timeout_ms=20000)) for _ in range(3)]
            assert await wait_until_async(lambda: _waiting(gate, 3))
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, daemon.stop)
            late = asyncio.ensure_future(gate.acquire(tokens=7, timeout_ms=20000))
            await asyncio.sleep(0.3)
            assert not any(task.done() for task in waiting + [late])
            with pytest.raises(Unreachable):
                await gate.status()  # not an acquire: fails at once
            await loop.run_in_executor(None, daemon.start)
            slots = await asyncio.wait_for(asyncio.gather(*waiting, late), 15)
            status = await gate.status()
            assert (status["in_flight"], status["reserved"]) == (4, 28)
            for slot in slots:
                await slot.release()
            assert (await gate.status())["in_flight"] == 0
    run(body())


def test_a_request_in_flight_when_the_daemon_dies_is_not_sent_twice(daemon):
    async def body():
        async with AsyncGate(socket=daemon.socket, reconnect_timeout=1.0) as gate:
            await gate.status()
            daemon.kill()
            with pytest.raises(Unreachable):
                await gate.status()
            # A held acquire whose timeout passes while the daemon is away times out.
            await gate.close()
        gate = AsyncGate(socket=daemon.socket, reconnect_timeout=10.0)
        await asyncio.get_running_loop().run_in_executor(None, daemon.start)
        await gate.pause()
        waiting = asyncio.ensure_future(gate.acquire(tokens=5, timeout_ms=400))
        assert await wait_until_async(lambda: _waiting(gate, 1))
        daemon.kill()
        started = time.monotonic()
        with pytest.raises(Timeout) as caught:
            await waiting
        assert time.monotonic() - started < 2.0
        assert "not reachable" in caught.value.message
        # Without a timeout, the acquire gives up after reconnect_timeout.
        gate.reconnect_timeout = 0.5
        await asyncio.get_running_loop().run_in_executor(None, daemon.start)
        await gate.pause()
        waiting = asyncio.ensure_future(gate.acquire(tokens=5))
        assert await wait_until_async(lambda: _waiting(gate, 1))
        daemon.kill()
        with pytest.raises(Unreachable):
            await asyncio.wait_for(waiting, 10)
        await gate.close()
    run(body())


def test_subscribe_follows_the_daemon_across_a_restart(daemon):
    async def body():
        async with AsyncGate(socket=daemon.socket) as gate:
            snapshots = gate.subscribe(interval_ms=50)
            first = await snapshots.__anext__()
            assert first["state"] == "running"
            daemon.kill()
            await asyncio.get_running_loop().run_in_executor(None, daemon.start)
            # Only the new daemon can say `paused`: its snapshots arrive on the same iterator.
            await gate.pause()
            for _ in range(100):
                status = await asyncio.wait_for(snapshots.__anext__(), 10)
                if status["state"] == "paused":
                    break
            assert status["state"] == "paused"
            await snapshots.aclose()
    run(body())


def test_close_fails_what_waits_and_refuses_new_calls(daemon):
    async def body():
        gate = AsyncGate(socket=daemon.socket)
        await gate.pause()
        waiting = asyncio.ensure_future(gate.acquire(tokens=5))
        assert await wait_until_async(lambda: _waiting(gate, 1))
        await gate.close()
        with pytest.raises(TokenGateError) as caught:
            await waiting
        assert caught.value.code == "closed"
        with pytest.raises(TokenGateError) as caught:
            await gate.status()
        assert caught.value.code == "closed"
        # The daemon withdrew the closed connection's acquire.
        status = await status_of(daemon)
        assert status["waiting"] == 0
    run(body())


def test_reply_bound():
    from test_gate import FakeDaemon
    import tokengate

    async def body(path):
        gate = AsyncGate(socket=path)
        try:
            return await gate.status()
        finally:
            await gate.close()
    long = {"workers": ["w"] * 50000}
    fake = FakeDaemon(b'{"id":1,"ok":true,"status":' + json.dumps(long).encode() + b"}\n")
    try:
        assert len(run(body(fake.path))["workers"]) == 50000
    finally:
        fake.close()
    fake = FakeDaemon(b'{"id":1,"ok":true,"status":"' + b"x" * (tokengate.MAX_REPLY_LINE_BYTES + 4096))
    try:
        with pytest.raises(Unreachable) as caught:
            run(body(fake.path))
        assert "over 16777216 bytes" in caught.value.message
    finally:
        fake.close()


def test_no_daemon():
    directory = tempfile.mkdtemp(prefix="tgpy", dir="/tmp")

    async def body():
        gate = AsyncGate(socket=os.path.join(directory, "none.sock"))
        with pytest.raises(Unreachable) as caught:
            await gate.acquire(tokens=1)
        assert "tokengate serve" in caught.value.message
        with pytest.raises(Unreachable):
            await gate.status()
        await gate.close()
    try:
        run(body())
    finally:
        os.rmdir(directory)
