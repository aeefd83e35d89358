"""tokengate client for Python workers: ask the local tokengate daemon before each LLM request,
tell it afterwards what the request really cost.

Standard library only, Python 3.9 or later, thread-safe: one ``Gate`` per process, shared by any
number of threads. Replies are matched to requests by id by a reader thread, so a thread waiting
for a grant never holds up another thread's report.

Wrapping an Anthropic SDK call::

    import anthropic
    from tokengate import Gate

    client = anthropic.Anthropic()
    gate = Gate(worker="crawler-1")          # socket: $TOKENGATE_SOCKET, $XDG_RUNTIME_DIR, /tmp

    with gate.slot(tokens=4000) as slot:     # waits until the fleet's window has room
        try:
            raw = client.messages.with_raw_response.create(
                model="claude-sonnet-4-5",
                max_tokens=1024,
                messages=[{"role": "user", "content": "Hello"}],
            )
        except anthropic.RateLimitError as error:
            # A 429: the whole fleet backs off until retry-after, and the daemon reads the limits.
            gate.throttled(int(float(error.response.headers.get("retry-after", "1")) * 1000))
            gate.observe_headers(error.response.headers)
            raise
        gate.observe_headers(raw.headers)    # anthropic-ratelimit-*: spending this daemon cannot see
        message = raw.parse()
        slot.report_usage(message.usage)     # input, output, cache writes and reads
    # an exception inside the block, or leaving it unreported, releases the reservation

Errors: ``TokenGateError`` (``.code`` is the contract's error code, ``.message`` the daemon's
text), with the subclasses ``Unreachable`` (no daemon on the socket, or it went away) and
``Timeout`` (no grant within ``timeout_ms``).

If the daemon restarts while an acquire waits, the acquire is re-issued on a new connection
(reconnecting with backoff for up to ``reconnect_timeout`` seconds); any other call in flight at
that moment raises ``Unreachable`` rather than being sent twice. The next call reconnects.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import socket as _socket
import threading
import time
from collections.abc import Mapping
from typing import Any, Dict, Optional

__all__ = [
    "Gate",
    "Slot",
    "TokenGateError",
    "Unreachable",
    "Timeout",
    "default_socket_path",
]

MAX_LINE_BYTES = 65536


class TokenGateError(Exception):
    """The daemon refused a request, or the client could not complete it.

    ``code`` is one of the contract's error codes (``bad_request``, ``forbidden``,
    ``unknown_ticket``, ``shutting_down``, ...) or ``unreachable`` / ``timeout`` for the
    subclasses; ``message`` explains it.
    """

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


class Unreachable(TokenGateError):
    """No daemon answers on the socket, or the connection to it was lost mid-call."""

    def __init__(self, message: str) -> None:
        super().__init__("unreachable", message)


class Timeout(TokenGateError):
    """No grant within the acquire's ``timeout_ms``."""

    def __init__(self, message: str = "timed out waiting for a grant") -> None:
        super().__init__("timeout", message)


def default_socket_path() -> str:
    """The contract's socket path: ``$TOKENGATE_SOCKET``, else ``$XDG_RUNTIME_DIR/tokengate.sock``,
    else ``/tmp/tokengate-<uid>/tokengate.sock``."""
    explicit = os.environ.get("TOKENGATE_SOCKET")
    if explicit:
        return explicit
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "tokengate.sock")
    return f"/tmp/tokengate-{os.getuid()}/tokengate.sock"


def _error_from_reply(reply: Mapping) -> TokenGateError:
    code = str(reply.get("error") or "error")
    message = str(reply.get("message") or "")
    if code == "timeout":
        return Timeout(message or "timed out waiting for a grant")
    return TokenGateError(code, message)


class _ConnectionLost(Unreachable):
    """The connection dropped after the request was sent (acquires are re-issued on this)."""


class _Waiter:
    """One request awaiting its reply."""

    __slots__ = ("done", "reply", "error", "abandoned", "op")

    def __init__(self, op: str) -> None:
        self.done = threading.Event()
        self.reply: Optional[dict] = None
        self.error: Optional[BaseException] = None
        self.abandoned = False
        self.op = op


class _Connection:
    """One socket to the daemon and the reader thread that hands each reply to its waiter."""

    def __init__(self, path: str, connect_timeout: float) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._waiters: Dict[int, _Waiter] = {}
        self._ids = itertools.count(1)
        self.dead_reason: Optional[str] = None
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        sock.settimeout(connect_timeout)
        try:
            sock.connect(path)
        except OSError as error:
            sock.close()
            reason = error.strerror or str(error)
            raise Unreachable(f"tokengate daemon not reachable at {path}: {reason}") from None
        sock.settimeout(None)
        self._sock = sock
        self._reader = threading.Thread(target=self._read_loop, name="tokengate-reader", daemon=True)
        self._reader.start()

    @property
    def alive(self) -> bool:
        return self.dead_reason is None

    def send(self, op: str, fields: Mapping) -> tuple:
        """Sends a request; returns ``(id, waiter)``."""
        request_id = next(self._ids)
        waiter = _Waiter(op)
        message = {"op": op, "id": request_id}
        message.update({key: value for key, value in fields.items() if value is not None})
        line = (json.dumps(message, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            if self.dead_reason is not None:
                raise _ConnectionLost(self.dead_reason)
            self._waiters[request_id] = waiter
        try:
            with self._write_lock:
                self._sock.sendall(line)
        except OSError as error:
            self._die(f"lost the connection to the daemon: {error.strerror or error}")
        return request_id, waiter

    def wait(self, request_id: int, waiter: _Waiter, timeout: Optional[float]) -> dict:
        """Waits for the reply; a failure reply raises its ``TokenGateError``."""
        try:
            answered = waiter.done.wait(timeout)
        except BaseException:
            # KeyboardInterrupt and friends: a grant that still arrives is released by the reader.
            self.abandon(request_id, waiter)
            raise
        if not answered:
            self.abandon(request_id, waiter)
            raise TokenGateError(
                "client_timeout", f"no reply to `{waiter.op}` from the daemon within {timeout:.1f} s")
        if waiter.error is not None:
            raise waiter.error
        reply = waiter.reply or {}
        if not reply.get("ok"):
            raise _error_from_reply(reply)
        return reply

    def abandon(self, request_id: int, waiter: _Waiter) -> None:
        with self._lock:
            if not waiter.done.is_set() and request_id in self._waiters:
                waiter.abandoned = True

    def send_quietly(self, op: str, fields: Mapping) -> None:
        """Sends a request whose reply nobody awaits (the release of an abandoned grant)."""
        message = {"op": op, "id": next(self._ids)}
        message.update(fields)
        try:
            with self._write_lock:
                self._sock.sendall((json.dumps(message, separators=(",", ":")) + "\n").encode("utf-8"))
        except OSError:
            pass

    def close(self) -> None:
        self._die("the client was closed")

    def _die(self, reason: str) -> None:
        with self._lock:
            if self.dead_reason is None:
                self.dead_reason = reason
            waiters = list(self._waiters.values())
            self._waiters.clear()
        for waiter in waiters:
            waiter.error = _ConnectionLost(reason)
            waiter.done.set()
        try:
            self._sock.shutdown(_socket.SHUT_RDWR)
        except OSError:
            pass

    def _read_loop(self) -> None:
        reason = "the daemon closed the connection"
        try:
            stream = self._sock.makefile("rb")
            while True:
                line = stream.readline()
                if not line:
                    break
                if not line.endswith(b"\n"):
                    break
                try:
                    reply = json.loads(line)
                except ValueError:
                    reason = "the daemon sent a line that is not JSON"
                    break
                if isinstance(reply, dict):
                    self._dispatch(reply)
        except OSError as error:
            reason = f"lost the connection to the daemon: {error.strerror or error}"
        finally:
            self._die(reason)
            try:
                self._sock.close()
            except OSError:
                pass

    def _dispatch(self, reply: dict) -> None:
        if "event" in reply:
            return
        request_id = reply.get("id")
        if not isinstance(request_id, int):
            return
        with self._lock:
            waiter = self._waiters.pop(request_id, None)
        if waiter is None:
            return
        if waiter.abandoned:
            if waiter.op == "acquire" and reply.get("ok") and reply.get("ticket") is not None:
                self.send_quietly("release", {"ticket": reply["ticket"]})
            return
        waiter.reply = reply
        waiter.done.set()


def _usage_value(usage: Any, name: str) -> int:
    value = usage.get(name) if isinstance(usage, Mapping) else getattr(usage, name, None)
    return 0 if value is None else int(value)


class Slot:
    """A grant: permission for one request, holding a reservation until it is reported or
    released. Use it as a context manager: leaving the block unreported (or with an exception)
    releases it."""

    def __init__(self, gate: "Gate", ticket: str, waited_ms: int) -> None:
        self.gate = gate
        self.ticket = ticket
        self.waited_ms = waited_ms
        self.settled = False
        self.warning: Optional[str] = None

    def __repr__(self) -> str:
        return f"Slot(ticket={self.ticket!r}, waited_ms={self.waited_ms}, settled={self.settled})"

    def report(
        self,
        input: int = 0,
        output: int = 0,
        cache_creation: Optional[int] = None,
        cache_read: Optional[int] = None,
        model: Optional[str] = None,
    ) -> dict:
        """Reports what the request really cost; returns the daemon's reply (``warning`` is
        ``"unknown_ticket"`` when the daemon no longer knew the ticket; the usage counts anyway)."""
        if self.settled:
            raise TokenGateError("already_settled", f"ticket {self.ticket} was already reported or released")
        reply = self.gate.report(
            input=input, output=output, cache_creation=cache_creation, cache_read=cache_read,
            ticket=self.ticket, model=model)
        self.settled = True
        self.warning = reply.get("warning")
        return reply

    def report_usage(self, usage: Any, model: Optional[str] = None) -> dict:
        """Reports an Anthropic SDK ``usage`` object or dict: ``input_tokens``, ``output_tokens``,
        ``cache_creation_input_tokens``, ``cache_read_input_tokens`` (missing or None counts as 0)."""
        return self.report(
            input=_usage_value(usage, "input_tokens"),
            output=_usage_value(usage, "output_tokens"),
            cache_creation=_usage_value(usage, "cache_creation_input_tokens"),
            cache_read=_usage_value(usage, "cache_read_input_tokens"),
            model=model,
        )

    def release(self) -> None:
        """Drops the reservation without recording usage (the request was not sent)."""
        if self.settled:
            return
        self.settled = True
        self.gate.release(self.ticket)

    def __enter__(self) -> "Slot":
        return self

    def __exit__(self, exc_type, exc, traceback) -> bool:
        if not self.settled:
            try:
                self.release()
            except TokenGateError:
                if exc_type is None:
                    raise
        return False


class Gate:
    """A connection to the tokengate daemon, shared by all threads of a process.

    ``socket`` defaults to :func:`default_socket_path`; ``worker`` (1-64 of ``A-Za-z0-9._:-``) is
    the name the daemon shows for this process (default: ``pid-<pid>``). The connection opens on
    the first call and reopens on the next call after it was lost.
    """

    def __init__(
        self,
        socket: Optional[str] = None,
        worker: Optional[str] = None,
        connect_timeout: float = 5.0,
        request_timeout: float = 30.0,
        reconnect_timeout: float = 30.0,
    ) -> None:
        self.socket_path = socket or default_socket_path()
        self.worker = worker
        self.connect_timeout = connect_timeout
        self.request_timeout = request_timeout
        self.reconnect_timeout = reconnect_timeout
        self._connect_lock = threading.Lock()
        self._connection: Optional[_Connection] = None
        self._closed = False

    # -- connection ------------------------------------------------------------------------

    def _connect(self) -> _Connection:
        connection = self._connection
        if connection is not None and connection.alive:
            return connection
        with self._connect_lock:
            if self._closed:
                raise TokenGateError("closed", "the gate was closed")
            connection = self._connection
            if connection is not None and connection.alive:
                return connection
            connection = _Connection(self.socket_path, self.connect_timeout)
            if self.worker is not None:
                request_id, waiter = connection.send("hello", {"v": 1, "worker": self.worker})
                try:
                    connection.wait(request_id, waiter, self.request_timeout)
                except TokenGateError:
                    connection.close()
                    raise
            self._connection = connection
            return connection

    def _call(self, op: str, timeout: Optional[float] = None, **fields: Any) -> dict:
        connection = self._connect()
        request_id, waiter = connection.send(op, fields)
        return connection.wait(request_id, waiter, self.request_timeout if timeout is None else timeout)

    def close(self) -> None:
        """Closes the connection: the daemon withdraws this process's waiting acquires and releases
        its unsettled grants. Calls after this raise ``TokenGateError('closed')``."""
        with self._connect_lock:
            self._closed = True
            connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def __enter__(self) -> "Gate":
        return self

    def __exit__(self, exc_type, exc, traceback) -> bool:
        self.close()
        return False

    # -- grants ----------------------------------------------------------------------------

    def acquire(
        self,
        tokens: Optional[int] = None,
        timeout_ms: Optional[int] = None,
        input: Optional[int] = None,
        output: Optional[int] = None,
    ) -> Slot:
        """Waits until the daemon grants one request of about ``tokens`` tokens (default: the
        daemon's recent mean cost); raises ``Timeout`` after ``timeout_ms`` (default: wait).

        If the connection is lost while waiting, the acquire is re-issued once the daemon is back
        (for up to ``reconnect_timeout`` seconds), with what is left of ``timeout_ms``."""
        started = time.monotonic()
        deadline = None if timeout_ms is None else started + timeout_ms / 1000.0
        lost_at: Optional[float] = None
        attempt = 0
        while True:
            remaining_ms = timeout_ms
            if deadline is not None:
                remaining_ms = max(0, int((deadline - time.monotonic()) * 1000 + 0.999))
                if lost_at is not None and remaining_ms == 0:
                    raise Timeout("timed out waiting for a grant (the daemon was not reachable)")
            try:
                connection = self._connect()
                request_id, waiter = connection.send(
                    "acquire", {"tokens": tokens, "input": input, "output": output, "timeout_ms": remaining_ms})
                # The daemon answers `timeout` itself; wait a little longer for that answer.
                wait = None if remaining_ms is None else remaining_ms / 1000.0 + self.request_timeout
                reply = connection.wait(request_id, waiter, wait)
            except TokenGateError as error:
                retry = isinstance(error, Unreachable) or error.code == "shutting_down"
                if not retry or self._closed:
                    raise
                if lost_at is None:
                    if not isinstance(error, _ConnectionLost) and error.code != "shutting_down":
                        raise  # never reached the daemon in the first place
                    lost_at = time.monotonic()
                if time.monotonic() - lost_at > self.reconnect_timeout:
                    raise
                delay = min(2.0, 0.05 * (2 ** attempt)) * random.uniform(0.5, 1.0)
                if deadline is not None:
                    delay = min(delay, max(0.0, deadline - time.monotonic()))
                attempt += 1
                time.sleep(delay)
                continue
            waited = int(reply.get("waited_ms") or 0)
            if lost_at is not None:
                waited = max(waited, int((time.monotonic() - started) * 1000))
            return Slot(self, str(reply["ticket"]), waited)

    def slot(
        self,
        tokens: Optional[int] = None,
        timeout_ms: Optional[int] = None,
        input: Optional[int] = None,
        output: Optional[int] = None,
    ) -> Slot:
        """``acquire`` for a ``with`` block: ``with gate.slot(tokens=4000) as slot: ...``."""
        return self.acquire(tokens=tokens, timeout_ms=timeout_ms, input=input, output=output)

    def report(
        self,
        input: int,
        output: int,
        cache_creation: Optional[int] = None,
        cache_read: Optional[int] = None,
        ticket: Optional[str] = None,
        model: Optional[str] = None,
    ) -> dict:
        """Records usage, for a ticket or (without one) for a request made without a grant."""
        return self._call(
            "report", input=input, output=output, cache_creation=cache_creation, cache_read=cache_read,
            ticket=ticket, model=model)

    def release(self, ticket: str) -> None:
        """Drops a grant's reservation without recording usage."""
        self._call("release", ticket=ticket)

    # -- provider feedback -----------------------------------------------------------------

    def throttled(self, retry_after_ms: int, budget: Optional[str] = None) -> int:
        """The provider answered 429: no grants for ``retry_after_ms``. Returns the daemon's
        ``cooldown_until_ms``."""
        reply = self._call("throttled", retry_after_ms=int(retry_after_ms), budget=budget)
        return int(reply.get("cooldown_until_ms") or 0)

    def observe_headers(self, headers: Any) -> None:
        """Hands the daemon a provider response's headers (a dict, or anything with ``items()``
        such as ``httpx.Headers``); it reads ``anthropic-ratelimit-*`` and ``retry-after``."""
        items = headers.items() if hasattr(headers, "items") else headers
        self._call("observe", headers={str(name): str(value) for name, value in items})

    # -- control ---------------------------------------------------------------------------

    def status(self) -> dict:
        """The daemon's Status object, as a dict."""
        return self._call("status")["status"]

    def pause(self) -> str:
        """Stops new grants for the whole fleet; returns the new state."""
        return str(self._call("pause").get("state"))

    def resume(self) -> str:
        """Grants again; returns the new state (``running``, or ``cooldown``)."""
        return str(self._call("resume").get("state"))

    def set_limit(self, limit: Optional[int] = None, threshold: Optional[float] = None) -> None:
        """Changes the tokens limit per window and/or the threshold."""
        self._call("set_limit", limit=limit, threshold=threshold)
