"""``tokengate.Gate`` (threads) against the real daemon."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import tempfile
import threading
import time
import types
import warnings

import pytest

import tokengate
from tokengate import Gate, Slot, Timeout, TokenGateError, Unreachable
from helpers import wait_until


@pytest.fixture
def gate(daemon):
    gate = Gate(socket=daemon.socket, worker="py-test")
    try:
        yield gate
    finally:
        gate.close()


def test_the_installed_package_is_tested():
    if os.environ.get("TOKENGATE_EXPECT_INSTALLED"):
        assert "site-packages" in tokengate.__file__, tokengate.__file__
    assert tokengate.__version__ == "0.1.0"


def test_acquire_report_status(gate):
    slot = gate.acquire(tokens=100)
    assert isinstance(slot, Slot)
    assert slot.ticket
    assert slot.waited_ms >= 0
    status = gate.status()
    assert status["in_flight"] == 1
    assert status["reserved"] == 100
    reply = slot.report(input=10, output=20)
    assert reply["ok"]
    assert slot.warning is None
    status = gate.status()
    assert status["used"] == 30
    assert status["in_flight"] == 0
    assert "py-test" in [worker["worker"] for worker in status["workers"]]
    with pytest.raises(TokenGateError) as caught:
        slot.report(input=1, output=1)
    assert caught.value.code == "already_settled"


def test_hello_reply_names_the_daemon(gate):
    reply = gate.request("hello", v=1, worker="py-other")
    assert reply["server"] == "tokengate/" + tokengate.__version__


def test_slot_reports_cache_fields(gate):
    with gate.slot(tokens=100) as slot:
        slot.report(input=3, output=4, cache_creation=5, cache_read=6)
    status = gate.status()
    assert status["used"] == 12  # cache reads are not counted
    assert status["in_flight"] == 0
    assert status["reserved"] == 0


def test_slot_releases_on_exception(gate):
    with pytest.raises(ValueError):
        with gate.slot(tokens=100) as slot:
            assert gate.status()["reserved"] == 100
            raise ValueError("the request failed")
    assert slot.settled
    status = gate.status()
    assert (status["in_flight"], status["reserved"], status["used"]) == (0, 0, 0)


def test_slot_releases_when_unreported(gate):
    with gate.slot(tokens=100):
        pass
    status = gate.status()
    assert (status["in_flight"], status["used"]) == (0, 0)


def test_report_usage_anthropic_shapes(gate):
    with gate.slot(tokens=100) as slot:
        slot.report_usage({
            "input_tokens": 10, "output_tokens": 20,
            "cache_creation_input_tokens": None, "cache_read_input_tokens": None,
        })
    assert gate.status()["used"] == 30
    usage = types.SimpleNamespace(
        input_tokens=1, output_tokens=2, cache_creation_input_tokens=3, cache_read_input_tokens=4)
    with gate.slot(tokens=100) as slot:
        slot.report_usage(usage)
    assert gate.status()["used"] == 36
    partial = types.SimpleNamespace(input_tokens=5, output_tokens=None)
    with gate.slot() as slot:
        slot.report_usage(partial)
    assert gate.status()["used"] == 41


def test_report_usage_openai_shape(gate):
    # The shape that used to be accepted and recorded as 0 tokens.
    with gate.slot(tokens=100) as slot:
        slot.report_usage(types.SimpleNamespace(prompt_tokens=3000, completion_tokens=900))
    assert gate.status()["used"] == 3900
    with gate.slot(tokens=100) as slot:
        slot.report_usage({"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10})
    assert gate.status()["used"] == 3910


@pytest.mark.parametrize("usage", [
    types.SimpleNamespace(tokens=3000),
    {"total_tokens": 10},
    {},
    None,
    {"input_tokens": "10", "output_tokens": 2},
    {"input_tokens": -1, "output_tokens": 2},
    {"prompt_tokens": 1.5, "completion_tokens": 2},
])
def test_report_usage_of_unknown_shape_is_an_error(gate, usage):
    with gate.slot(tokens=100) as slot:
        with pytest.raises(TypeError):
            slot.report_usage(usage)
        assert not slot.settled
    status = gate.status()
    assert status["used"] == 0  # nothing recorded, the slot was released
    assert status["in_flight"] == 0


def test_counts_must_be_ints(gate):
    with pytest.raises(TypeError):
        gate.acquire(tokens=1.5)
    with pytest.raises(TypeError):
        gate.report(input="3", output=1)
    assert gate.status()["in_flight"] == 0


def test_pause_timeout_resume(gate):
    assert gate.pause() == "paused"
    assert gate.status()["state"] == "paused"
    started = time.monotonic()
    with pytest.raises(Timeout) as caught:
        gate.acquire(tokens=10, timeout_ms=150)
    assert time.monotonic() - started >= 0.14
    assert caught.value.code == "timeout"
    assert isinstance(caught.value, TokenGateError)

    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("slot", gate.acquire(tokens=10)))
    thread.start()
    assert wait_until(lambda: gate.status()["waiting"] == 1)
    assert gate.resume() == "running"
    thread.join(5)
    assert not thread.is_alive()
    result["slot"].release()
    assert gate.status()["in_flight"] == 0


def test_throttled_and_observe_headers(gate):
    until = gate.throttled(1500)
    assert until > 0
    assert gate.status()["state"] == "cooldown"
    gate.observe_headers({"content-type": "application/json", "anthropic-ratelimit-requests-limit": "4000"})
    assert wait_until(lambda: gate.status()["state"] == "running", timeout=15)


def test_set_limit(gate):
    gate.set_limit(limit=5000, threshold=0.5)
    status = gate.status()
    assert (status["limit"], status["threshold"]) == (5000, 0.5)


def test_daemon_errors_carry_their_code(gate):
    with pytest.raises(TokenGateError) as caught:
        gate.acquire(tokens=-1)
    assert caught.value.code == "bad_request"
    with pytest.raises(TokenGateError) as caught:
        gate.release("no-such-ticket")
    assert caught.value.code == "unknown_ticket"
    assert gate.report(input=1, output=1, ticket="no-such-ticket").get("warning") == "unknown_ticket"
    assert gate.status()["state"] == "running"  # the connection is still usable


def test_model_and_priority_fields_are_accepted(gate):
    # `model` picks the pool, `priority` the place in the queue (tests/test_priorities.py).
    with gate.slot(tokens=100, model="claude-sonnet-4-5", priority="normal") as slot:
        slot.report(input=1, output=1)
    gate.throttled(1, model="claude-sonnet-4-5")
    assert gate.status()["used"] == 2


def test_threads_share_one_gate(gate):
    errors = []

    def work() -> None:
        try:
            for _ in range(25):
                with gate.slot(tokens=10) as slot:
                    slot.report(input=1, output=1)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    status = gate.status()
    assert status["used"] == 8 * 25 * 2
    assert status["in_flight"] == 0


def test_acquire_reissued_after_daemon_restart(daemon, gate):
    gate.pause()
    result = {}

    def wait_for_grant() -> None:
        try:
            result["slot"] = gate.acquire(tokens=10, timeout_ms=20000)
        except Exception as error:  # reported below
            result["error"] = error

    thread = threading.Thread(target=wait_for_grant)
    thread.start()
    assert wait_until(lambda: gate.status()["waiting"] == 1)
    daemon.kill()
    time.sleep(0.2)
    daemon.start()
    thread.join(15)
    assert not thread.is_alive()
    assert "error" not in result
    slot = result["slot"]
    assert gate.status()["in_flight"] == 1
    slot.report(input=1, output=1)
    assert gate.status()["in_flight"] == 0


def test_an_acquire_started_while_the_daemon_is_away_waits_for_it(daemon, gate):
    gate.status()  # connected once
    daemon.kill()
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("slot", gate.acquire(tokens=10, timeout_ms=20000)))
    thread.start()
    time.sleep(0.3)
    assert thread.is_alive()
    daemon.start()
    thread.join(15)
    assert not thread.is_alive() and "slot" in result
    assert gate.status()["in_flight"] == 1
    result["slot"].release()


def test_warns_once_on_a_running_event_loop(gate):
    async def on_the_loop():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gate.status()
            gate.status()
        return caught

    caught = asyncio.run(on_the_loop())
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(messages) == 1, messages
    assert "AsyncGate" in messages[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gate.status()  # off the loop: no warning


class FakeDaemon:
    """A socket that answers the first request with ``payload`` (bytes, as is)."""

    def __init__(self, payload: bytes) -> None:
        self.directory = tempfile.mkdtemp(prefix="tgpy", dir="/tmp")
        self.path = os.path.join(self.directory, "fake.sock")
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(1)
        self.payload = payload
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        connection, _ = self.server.accept()
        with connection:
            connection.recv(4096)
            try:
                connection.sendall(self.payload)
            except OSError:
                pass  # the client closed the connection while we were sending
            time.sleep(0.5)

    def close(self) -> None:
        self.server.close()
        self.thread.join(5)
        os.unlink(self.path)
        os.rmdir(self.directory)


def test_a_long_reply_is_read_whole():
    """The daemon's replies can pass the request limit (a status with 1,000 workers is ~130 KB)."""
    status = {"state": "running", "workers": [{"worker": "w-%d" % i, "used": i} for i in range(8000)]}
    line = json.dumps({"id": 1, "ok": True, "status": status}).encode() + b"\n"
    assert len(line) > 3 * tokengate.MAX_LINE_BYTES
    fake = FakeDaemon(line)
    gate = Gate(socket=fake.path)
    try:
        assert len(gate.status()["workers"]) == 8000
    finally:
        gate.close()
        fake.close()


def test_a_reply_over_the_reply_bound_ends_the_connection():
    """The reader is bounded: a line longer than MAX_REPLY_LINE_BYTES ends the connection and the
    call fails, instead of the client buffering without end."""
    fake = FakeDaemon(b'{"id":1,"ok":true,"status":"' + b"x" * (tokengate.MAX_REPLY_LINE_BYTES + 4096))
    gate = Gate(socket=fake.path)
    try:
        with pytest.raises(Unreachable) as caught:
            gate.status()
        assert "over 16777216 bytes" in caught.value.message
    finally:
        gate.close()
        fake.close()


def test_a_request_over_the_line_limit_is_refused_before_sending(gate):
    with pytest.raises(TokenGateError) as caught:
        gate.observe_headers({"x-ratelimit-note": "y" * tokengate.MAX_LINE_BYTES})
    assert caught.value.code == "bad_request"
    assert gate.status()["state"] == "running"  # nothing reached the daemon; the connection is fine


def test_no_daemon():
    directory = tempfile.mkdtemp(prefix="tgpy", dir="/tmp")
    try:
        gate = Gate(socket=os.path.join(directory, "none.sock"))
        with pytest.raises(Unreachable) as caught:
            gate.status()
        assert caught.value.code == "unreachable"
        assert "tokengate serve" in caught.value.message
        with pytest.raises(Unreachable):
            gate.acquire(tokens=1)
    finally:
        os.rmdir(directory)


def test_default_socket_path(monkeypatch):
    monkeypatch.setenv("TOKENGATE_SOCKET", "/tmp/x.sock")
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/run/user/5")
    assert tokengate.default_socket_path() == "/tmp/x.sock"
    monkeypatch.delenv("TOKENGATE_SOCKET")
    assert tokengate.default_socket_path() == "/run/user/5/tokengate.sock"
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert tokengate.default_socket_path() == f"/tmp/tokengate-{os.getuid()}/tokengate.sock"
