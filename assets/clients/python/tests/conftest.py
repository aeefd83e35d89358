"""Fixtures: a real ``tokengate serve`` on a temporary socket, always stopped.

The binary is $TOKENGATE_BIN, else .build/debug/tokengate at the repository root. Without it the
daemon tests fail (they are never skipped): run ``swift build`` first.

Every daemon gets --socket in a fresh directory under /tmp (Unix socket paths must stay under 108
bytes) and --no-state, and runs with HOME and the XDG directories pointed into that directory, so
the tests never touch the user's own state or runtime directories.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from typing import Iterator, List

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", ".."))
BINARY = os.environ.get("TOKENGATE_BIN") or os.path.join(REPO_ROOT, ".build", "debug", "tokengate")


class Daemon:
    """A real ``tokengate serve`` on a temporary socket."""

    def __init__(self, limit: int = 1_000_000, window: float = 5, threshold: float = 0.9,
                 extra: List[str] = ()) -> None:
        if not (os.path.isfile(BINARY) and os.access(BINARY, os.X_OK)):
            raise RuntimeError(f"tokengate binary not found at {BINARY}: run `swift build` or set TOKENGATE_BIN")
        self.arguments = [
            "--limit", str(limit), "--window", str(window), "--threshold", str(threshold),
            "--no-state", "--log-level", "warning", *extra,
        ]
        self.directory = tempfile.mkdtemp(prefix="tgpy", dir="/tmp")
        self.socket = os.path.join(self.directory, "d.sock")
        self.log_path = os.path.join(self.directory, "daemon.log")
        self.process: "subprocess.Popen[bytes] | None" = None
        home = os.path.join(self.directory, "home")
        os.makedirs(home, exist_ok=True)
        self.environment = dict(
            os.environ, HOME=home, XDG_STATE_HOME=os.path.join(home, "state"),
            XDG_RUNTIME_DIR=os.path.join(home, "run"), XDG_CONFIG_HOME=os.path.join(home, "config"),
            TOKENGATE_SOCKET=self.socket)

    def start(self) -> "Daemon":
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [BINARY, "serve", "--socket", self.socket, *self.arguments],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=self.environment)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tokengate serve exited with {self.process.returncode}:\n{self.log()}")
            if self._accepts():
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"tokengate serve did not listen within 15 s:\n{self.log()}")

    def _accepts(self) -> bool:
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(self.socket)
            return True
        except OSError:
            return False
        finally:
            probe.close()

    def kill(self) -> None:
        """SIGKILL: the daemon vanishes without answering anyone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        try:
            os.unlink(self.socket)
        except OSError:
            pass

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


@pytest.fixture
def daemon_factory() -> Iterator:
    """``daemon_factory(limit=..., window=...)`` starts a daemon; all are stopped afterwards."""
    started: List[Daemon] = []

    def start(**options) -> Daemon:
        daemon = Daemon(**options)
        started.append(daemon)
        return daemon.start()

    try:
        yield start
    finally:
        for daemon in started:
            daemon.stop()
            daemon.remove()


@pytest.fixture
def daemon(daemon_factory) -> Daemon:
    return daemon_factory()

