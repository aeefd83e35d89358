"""Tests for tokengate.py against the real daemon.

Each test starts ``tokengate serve`` (path from $TOKENGATE_BIN, default .build/debug/tokengate at
the repository root) on a temporary socket under /tmp with a short window (5 s: short, yet long
enough that usage checked right after a report cannot expire on a loaded machine), and always
stops it.
Without the binary the tests are skipped, unless $TOKENGATE_REQUIRE_BIN is set.

Run: ``python3 -m unittest -v test_tokengate`` (or ``pytest``) in this directory.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import types
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tokengate  # noqa: E402
from tokengate import Gate, Slot, Timeout, TokenGateError, Unreachable  # noqa: E402

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
BINARY = os.environ.get("TOKENGATE_BIN") or os.path.join(REPO_ROOT, ".build", "debug", "tokengate")


class Daemon:
    """A real ``tokengate serve`` on a temporary socket."""

    def __init__(self, window: str = "5") -> None:
        self.window = window
        self.directory = tempfile.mkdtemp(prefix="tg-py-", dir="/tmp")
        self.socket = os.path.join(self.directory, "d.sock")
        self.log_path = os.path.join(self.directory, "daemon.log")
        self.process = None

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [BINARY, "serve", "--socket", self.socket, "--window", self.window, "--no-state"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tokengate serve exited with {self.process.returncode}:\n{self.log()}")
            if self._accepts():
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"tokengate serve did not listen within 15 s:\n{self.log()}")

    def _accepts(self) -> bool:
        import socket
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(self.socket)
            return True
        except OSError:
            return False
        finally:
            probe.close()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log(self) -> str:
        try:
            with open(self.log_path, "r", errors="replace") as handle:
                return handle.read()
        except OSError:
            return ""

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def setUpModule() -> None:
    if not (os.path.isfile(BINARY) and os.access(BINARY, os.X_OK)):
        message = f"tokengate binary not found at {BINARY} (set TOKENGATE_BIN)"
        if os.environ.get("TOKENGATE_REQUIRE_BIN"):
            raise RuntimeError(message)
        raise unittest.SkipTest(message)


def wait_until(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


class DaemonTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.daemon = Daemon()
        self.addCleanup(self.daemon.remove)
        self.addCleanup(self.daemon.stop)
        self.daemon.start()
        self.gate = Gate(socket=self.daemon.socket, worker="py-test")
        self.addCleanup(self.gate.close)


class GateTests(DaemonTestCase):
    def test_acquire_report_status(self) -> None:
        slot = self.gate.acquire(tokens=100)
        self.assertIsInstance(slot, Slot)
        self.assertTrue(slot.ticket)
        self.assertGreaterEqual(slot.waited_ms, 0)
        status = self.gate.status()
        self.assertEqual(status["in_flight"], 1)
        self.assertEqual(status["reserved"], 100)
        reply = slot.report(input=10, output=20)
        self.assertTrue(reply["ok"])
        self.assertIsNone(slot.warning)
        status = self.gate.status()
        self.assertEqual(status["used"], 30)
        self.assertEqual(status["in_flight"], 0)
        self.assertIn("py-test", [worker["worker"] for worker in status["workers"]])
        with self.assertRaises(TokenGateError) as caught:
            slot.report(input=1, output=1)
        self.assertEqual(caught.exception.code, "already_settled")

    def test_slot_reports(self) -> None:
        with self.gate.slot(tokens=100) as slot:
            slot.report(input=3, output=4, cache_creation=5, cache_read=6)
        status = self.gate.status()
        self.assertEqual(status["used"], 12)  # cache reads are not counted
        self.assertEqual(status["in_flight"], 0)
        self.assertEqual(status["reserved"], 0)

    def test_slot_releases_on_exception(self) -> None:
        with self.assertRaises(ValueError):
            with self.gate.slot(tokens=100) as slot:
                self.assertEqual(self.gate.status()["reserved"], 100)
                raise ValueError("the request failed")
        self.assertTrue(slot.settled)
        status = self.gate.status()
        self.assertEqual(status["in_flight"], 0)
        self.assertEqual(status["reserved"], 0)
        self.assertEqual(status["used"], 0)

    def test_slot_releases_when_unreported(self) -> None:
        with self.gate.slot(tokens=100):
            pass
        status = self.gate.status()
        self.assertEqual(status["in_flight"], 0)
        self.assertEqual(status["used"], 0)

    def test_report_usage_dict_and_object(self) -> None:
        with self.gate.slot(tokens=100) as slot:
            slot.report_usage({
                "input_tokens": 10, "output_tokens": 20,
                "cache_creation_input_tokens": None, "cache_read_input_tokens": None,
            })
        self.assertEqual(self.gate.status()["used"], 30)
        usage = types.SimpleNamespace(
            input_tokens=1, output_tokens=2, cache_creation_input_tokens=3, cache_read_input_tokens=4)
        with self.gate.slot(tokens=100) as slot:
            slot.report_usage(usage)
        self.assertEqual(self.gate.status()["used"], 36)
        partial = types.SimpleNamespace(input_tokens=5, output_tokens=None)
        with self.gate.slot() as slot:
            slot.report_usage(partial)
        self.assertEqual(self.gate.status()["used"], 41)

    def test_pause_timeout_resume(self) -> None:
        self.assertEqual(self.gate.pause(), "paused")
        self.assertEqual(self.gate.status()["state"], "paused")
        started = time.monotonic()
        with self.assertRaises(Timeout) as caught:
            self.gate.acquire(tokens=10, timeout_ms=150)
        self.assertGreaterEqual(time.monotonic() - started, 0.14)
        self.assertEqual(caught.exception.code, "timeout")
        self.assertIsInstance(caught.exception, TokenGateError)

        result = {}

        def wait_for_grant() -> None:
            result["slot"] = self.gate.acquire(tokens=10)

        thread = threading.Thread(target=wait_for_grant)
        thread.start()
        self.assertTrue(wait_until(lambda: self.gate.status()["waiting"] == 1))
        self.assertEqual(self.gate.resume(), "running")
        thread.join(5)
        self.assertFalse(thread.is_alive())
        result["slot"].release()
        self.assertEqual(self.gate.status()["in_flight"], 0)

    def test_throttled_and_observe_headers(self) -> None:
        until = self.gate.throttled(1500)
        self.assertGreater(until, 0)
        self.assertEqual(self.gate.status()["state"], "cooldown")
        self.gate.observe_headers({"content-type": "application/json", "anthropic-ratelimit-requests-limit": "4000"})
        self.assertTrue(wait_until(lambda: self.gate.status()["state"] == "running", timeout=15))

    def test_set_limit(self) -> None:
        self.gate.set_limit(limit=5000, threshold=0.5)
        status = self.gate.status()
        self.assertEqual(status["limit"], 5000)
        self.assertEqual(status["threshold"], 0.5)

    def test_daemon_errors_carry_their_code(self) -> None:
        with self.assertRaises(TokenGateError) as caught:
            self.gate.acquire(tokens=-1)
        self.assertEqual(caught.exception.code, "bad_request")
        with self.assertRaises(TokenGateError) as caught:
            self.gate.release("no-such-ticket")
        self.assertEqual(caught.exception.code, "unknown_ticket")
        reply = self.gate.report(input=1, output=1, ticket="no-such-ticket")
        self.assertEqual(reply.get("warning"), "unknown_ticket")
        # The connection is still usable.
        self.assertEqual(self.gate.status()["state"], "running")

    def test_threads_share_one_gate(self) -> None:
        errors = []

        def work() -> None:
            try:
                for _ in range(25):
                    with self.gate.slot(tokens=10) as slot:
                        slot.report(input=1, output=1)
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(errors, [])
        status = self.gate.status()
        self.assertEqual(status["used"], 8 * 25 * 2)
        self.assertEqual(status["in_flight"], 0)

    def test_acquire_reissued_after_daemon_restart(self) -> None:
        self.gate.pause()
        result = {}

        def wait_for_grant() -> None:
            try:
                result["slot"] = self.gate.acquire(tokens=10, timeout_ms=20000)
            except Exception as error:  # pragma: no cover - reported below
                result["error"] = error

        thread = threading.Thread(target=wait_for_grant)
        thread.start()
        self.assertTrue(wait_until(lambda: self.gate.status()["waiting"] == 1))
        self.daemon.kill()
        time.sleep(0.2)
        self.daemon.start()
        thread.join(15)
        self.assertFalse(thread.is_alive())
        self.assertNotIn("error", result)
        slot = result["slot"]
        self.assertEqual(self.gate.status()["in_flight"], 1)
        slot.report(input=1, output=1)
        self.assertEqual(self.gate.status()["in_flight"], 0)


class UnreachableTests(unittest.TestCase):
    def test_no_daemon(self) -> None:
        directory = tempfile.mkdtemp(prefix="tg-py-", dir="/tmp")
        self.addCleanup(shutil.rmtree, directory, True)
        gate = Gate(socket=os.path.join(directory, "none.sock"))
        with self.assertRaises(Unreachable) as caught:
            gate.status()
        self.assertEqual(caught.exception.code, "unreachable")
        self.assertIsInstance(caught.exception, TokenGateError)
        with self.assertRaises(Unreachable):
            gate.acquire(tokens=1)

    def test_default_socket_path(self) -> None:
        saved = {name: os.environ.get(name) for name in ("TOKENGATE_SOCKET", "XDG_RUNTIME_DIR")}

        def restore() -> None:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

        self.addCleanup(restore)
        os.environ["TOKENGATE_SOCKET"] = "/tmp/x.sock"
        os.environ["XDG_RUNTIME_DIR"] = "/run/user/5"
        self.assertEqual(tokengate.default_socket_path(), "/tmp/x.sock")
        del os.environ["TOKENGATE_SOCKET"]
        self.assertEqual(tokengate.default_socket_path(), "/run/user/5/tokengate.sock")
        del os.environ["XDG_RUNTIME_DIR"]
        self.assertEqual(tokengate.default_socket_path(), f"/tmp/tokengate-{os.getuid()}/tokengate.sock")


if __name__ == "__main__":
    unittest.main()
