"""``Gate``: the client for threads. One ``Gate`` per process, shared by any number of threads;
a reader thread hands each reply to the ``concurrent.futures.Future`` of its request, so a thread
waiting for a grant never holds up another thread's report.

From asyncio code use ``AsyncGate``: a ``Gate`` call blocks the thread it runs on, and on an event
loop's thread that stalls every task (including the ones that would report and free capacity).
A ``Gate`` used from a running event loop warns once.

If the daemon restarts while an acquire waits, the acquire is re-issued on a new connection
(reconnecting with backoff for up to ``reconnect_timeout`` seconds); any other call in flight at
that moment raises ``Unreachable`` rather than being sent twice. The next call reconnects.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import socket as _socket
import threading
import time
import warnings
from collections.abc import Mapping
from typing import Any, Dict, Optional

from ._common import (
    MAX_REPLY_LINE_BYTES,
    PROTOCOL_VERSION,
    ConnectionLost,
    Timeout,
    TokenGateError,
    Unreachable,
    backoff_delay,
    check_cap,
    check_count,
    check_priority,
    check_worker,
    decode_reply,
    default_socket_path,
    encode_request,
    error_from_reply,
    optional_worker,
    parse_usage,
    rate_limit_headers,
)

__all__ = ["Gate", "Slot"]


class _Waiter:
    """One request awaiting its reply: ``future`` gets the reply dict, or the connection's error."""

    __slots__ = ("future", "abandoned", "op")

    def __init__(self, op: str) -> None:
        self.future: concurrent.futures.Future = concurrent.futures.Future()
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
            raise Unreachable(
                f"tokengate daemon not reachable at {path}: {reason} "
                "(start one with `tokengate serve`, or set TOKENGATE_SOCKET)") from None
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
        line = encode_request(op, request_id, fields)
        waiter = _Waiter(op)
        with self._lock:
            if self.dead_reason is not None:
                raise ConnectionLost(self.dead_reason)
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
            reply = waiter.future.result(timeout)
        except concurrent.futures.TimeoutError:
            self.abandon(request_id, waiter)
            raise TokenGateError(
                "client_timeout", f"no reply to `{waiter.op}` from the daemon within {timeout:.1f} s") from None
        except TokenGateError:
            raise
        except BaseException:
            # KeyboardInterrupt and friends: a grant that still arrives is released.
            self.abandon(request_id, waiter)
            raise
        if not reply.get("ok"):
            raise error_from_reply(reply)
        return reply

    def abandon(self, request_id: int, waiter: _Waiter) -> None:
        """Nobody waits for this reply any more; a grant is released, whether it is still to come
        or arrived just now."""
        with self._lock:
            if request_id in self._waiters:
                waiter.abandoned = True
                return
        if waiter.op == "acquire" and waiter.future.done() and waiter.future.exception() is None:
            reply = waiter.future.result()
            if reply.get("ok") and reply.get("ticket") is not None:
                self.send_quietly("release", {"ticket": reply["ticket"]})

    def send_quietly(self, op: str, fields: Mapping) -> None:
        """Sends a request whose reply nobody awaits (the release of an abandoned grant)."""
        try:
            line = encode_request(op, next(self._ids), fields)
            with self._write_lock:
                self._sock.sendall(line)
        except (OSError, TokenGateError):
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
            if not waiter.future.done():
                waiter.future.set_exception(ConnectionLost(reason))
        try:
            self._sock.shutdown(_socket.SHUT_RDWR)
        except OSError:
            pass

    def _read_loop(self) -> None:
        reason = "the daemon closed the connection"
        try:
            stream = self._sock.makefile("rb")
            while True:
                # Bounded: a reply longer than MAX_REPLY_LINE_BYTES ends the connection instead
                # of growing the buffer without end.
                line = stream.readline(MAX_REPLY_LINE_BYTES + 1)
                if not line:
                    break
                if not line.endswith(b"\n"):
                    if len(line) > MAX_REPLY_LINE_BYTES:
                        reason = f"the daemon sent a line over {MAX_REPLY_LINE_BYTES} bytes"
                    break
                try:
                    reply = decode_reply(line)
                except TokenGateError as error:
                    reason = error.message
                    break
                if reply is not None:
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
        waiter.future.set_result(reply)


class Slot:
    """A grant: permission for one request, holding a reservation until it is reported or
    released. Use it as a context manager: leaving the block unreported (or with an exception)
    releases it."""

    def __init__(self, gate: "Gate", ticket: str, waited_ms: int, model: Optional[str] = None) -> None:
        self.gate = gate
        self.ticket = ticket
        self.waited_ms = waited_ms
        self.model = model
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
            ticket=self.ticket, model=model or self.model)
        self.settled = True
        self.warning = reply.get("warning")
        return reply

    def report_usage(self, usage: Any, model: Optional[str] = None) -> dict:
        """Reports an SDK ``usage`` object or a dict: Anthropic's (``input_tokens``,
        ``output_tokens``, ``cache_creation_input_tokens``, ``cache_read_input_tokens``) or
        OpenAI's (``prompt_tokens``, ``completion_tokens``). A usage of any other shape raises
        ``TypeError`` (nothing is reported, the slot stays open)."""
        parsed = parse_usage(usage)
        return self.report(
            input=parsed.input, output=parsed.output, cache_creation=parsed.cache_creation,
            cache_read=parsed.cache_read, model=model)

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
        self._ever_connected = False
        self._warned_event_loop = False

    def __repr__(self) -> str:
        return f"Gate(socket={self.socket_path!r}, worker={self.worker!r})"

    # -- connection ------------------------------------------------------------------------

    def _warn_if_on_event_loop(self) -> None:
        if self._warned_event_loop:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self._warned_event_loop = True
        warnings.warn(
            "tokengate.Gate is blocking and was called from a running asyncio event loop: while it "
            "waits for a grant no other task runs (not even the ones that would report and free "
            "capacity). Use tokengate.AsyncGate in asyncio code.",
            RuntimeWarning, stacklevel=4)

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
                request_id, waiter = connection.send("hello", {"v": PROTOCOL_VERSION, "worker": self.worker})
                try:
                    connection.wait(request_id, waiter, self.request_timeout)
                except TokenGateError:
                    connection.close()
                    raise
            self._connection = connection
            self._ever_connected = True
            return connection

    def request(self, op: str, timeout: Optional[float] = None, **fields: Any) -> dict:
        """Sends one request of the protocol and returns its reply (a dict); a failure reply
        raises its ``TokenGateError``. Fields set to None are left out. The typed methods below
        cover every op; this is for ops and fields newer than this client."""
        self._warn_if_on_event_loop()
        connection = self._connect()
        request_id, waiter = connection.send(op, fields)
        return connection.wait(request_id, waiter, self.request_timeout if timeout is None else timeout)

    _call = request

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
        model: Optional[str] = None,
        priority: Optional[str] = None,
        worker: Optional[str] = None,
    ) -> Slot:
        """Waits until the daemon grants one request of about ``tokens`` tokens (default: the
        daemon's recent mean cost); raises ``Timeout`` after ``timeout_ms`` (default: wait).

        ``model`` names the model the request goes to (the daemon's pools match it) and
        ``worker`` overrides the gate's worker name for this request. ``priority`` is ``"high"``,
        ``"normal"`` (the daemon's default, also for None) or ``"low"``: queued acquires are
        granted high first, first come first served within one priority, and a waiter rises one
        priority per aging interval so a low one is never starved; any other value raises
        ``ValueError`` before anything is sent.

        If the connection is lost while waiting (or, once this gate was connected, the daemon is
        away when the acquire starts), the acquire is re-issued once the daemon is back (for up to
        ``reconnect_timeout`` seconds), with what is left of ``timeout_ms``."""
        self._warn_if_on_event_loop()
        fields = {
            "tokens": check_count("tokens", tokens), "input": check_count("input", input),
            "output": check_count("output", output), "model": model, "priority": check_priority(priority),
            "worker": worker,
        }
        check_count("timeout_ms", timeout_ms)
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
                request_id, waiter = connection.send("acquire", dict(fields, timeout_ms=remaining_ms))
                # The daemon answers `timeout` itself; wait a little longer for that answer.
                wait = None if remaining_ms is None else remaining_ms / 1000.0 + self.request_timeout
                reply = connection.wait(request_id, waiter, wait)
            except TokenGateError as error:
                retry = isinstance(error, Unreachable) or error.code == "shutting_down"
                if not retry or self._closed:
                    raise
                if lost_at is None:
                    lost = isinstance(error, ConnectionLost) or error.code == "shutting_down"
                    if not lost and not self._ever_connected:
                        raise  # never reached a daemon in the first place
                    lost_at = time.monotonic()  # lost, or the daemon is restarting: wait for it
                if time.monotonic() - lost_at > self.reconnect_timeout:
                    raise
                delay = backoff_delay(attempt)
                if deadline is not None:
                    delay = min(delay, max(0.0, deadline - time.monotonic()))
                attempt += 1
                time.sleep(delay)
                continue
            waited = int(reply.get("waited_ms") or 0)
            if lost_at is not None:
                waited = max(waited, int((time.monotonic() - started) * 1000))
            return Slot(self, str(reply["ticket"]), waited, model=model)

    def slot(
        self,
        tokens: Optional[int] = None,
        timeout_ms: Optional[int] = None,
        input: Optional[int] = None,
        output: Optional[int] = None,
        model: Optional[str] = None,
        priority: Optional[str] = None,
        worker: Optional[str] = None,
    ) -> Slot:
        """``acquire`` for a ``with`` block: ``with gate.slot(tokens=4000) as slot: ...``."""
        return self.acquire(
            tokens=tokens, timeout_ms=timeout_ms, input=input, output=output, model=model,
            priority=priority, worker=worker)

    def report(
        self,
        input: int,
        output: int,
        cache_creation: Optional[int] = None,
        cache_read: Optional[int] = None,
        ticket: Optional[str] = None,
        model: Optional[str] = None,
        worker: Optional[str] = None,
    ) -> dict:
        """Records usage, for a ticket or (without one) for a request made without a grant."""
        return self.request(
            "report", input=check_count("input", input, True), output=check_count("output", output, True),
            cache_creation=check_count("cache_creation", cache_creation),
            cache_read=check_count("cache_read", cache_read), ticket=ticket, model=model, worker=worker)

    def report_usage(self, usage: Any, model: Optional[str] = None, ticket: Optional[str] = None) -> dict:
        """``report`` from an SDK usage object (see ``Slot.report_usage``)."""
        parsed = parse_usage(usage)
        return self.report(
            input=parsed.input, output=parsed.output, cache_creation=parsed.cache_creation,
            cache_read=parsed.cache_read, ticket=ticket, model=model)

    def release(self, ticket: str) -> None:
        """Drops a grant's reservation without recording usage."""
        self.request("release", ticket=ticket)

    # -- provider feedback -----------------------------------------------------------------

    def throttled(self, retry_after_ms: int, budget: Optional[str] = None, model: Optional[str] = None) -> int:
        """The provider answered 429: no grants for ``retry_after_ms``. Returns the daemon's
        ``cooldown_until_ms``."""
        reply = self.request("throttled", retry_after_ms=int(retry_after_ms), budget=budget, model=model)
        return int(reply.get("cooldown_until_ms") or 0)

    def observe_headers(self, headers: Any, model: Optional[str] = None) -> None:
        """Hands the daemon a provider response's rate-limit headers (from a dict, or anything
        with ``items()`` such as ``httpx.Headers``): ``anthropic-ratelimit-*``, ``x-ratelimit-*``,
        ``retry-after``; no other header leaves the process. Nothing is sent when there are none."""
        kept = rate_limit_headers(headers)
        if kept:
            self.request("observe", headers=kept, model=model)

    # -- control ---------------------------------------------------------------------------

    def status(self) -> dict:
        """The daemon's Status object, as a dict."""
        return self.request("status")["status"]

    def pause(self, worker: Optional[str] = None) -> str:
        """Stops new grants for the whole fleet; returns the new state.

        With ``worker``, pauses that worker only (in every pool): its queued acquires keep their
        place but are passed over, holding nobody up, until it is resumed; its grants in flight
        finish and report normally. The state returned is then the pool ``default``'s; the
        worker's ``paused`` shows in ``status()["workers"]``."""
        return str(self.request("pause", worker=optional_worker(worker)).get("state"))

    def resume(self, worker: Optional[str] = None) -> str:
        """Grants again; returns the new state (``running``, or ``cooldown``). With ``worker``,
        resumes that worker's waiters only (see ``pause``)."""
        return str(self.request("resume", worker=optional_worker(worker)).get("state"))

    def set_limit(self, limit: Optional[int] = None, threshold: Optional[float] = None) -> None:
        """Changes the tokens limit per window and/or the threshold."""
        self.request("set_limit", limit=limit, threshold=threshold)

    def set_cap(self, worker: str, cap: Optional[float]) -> None:
        """Caps ``worker`` at ``cap`` (a fraction in (0, 1]) of each limit, in every pool and
        budget: its used (in the window) + reserved + a new estimate stays within ``cap`` x limit,
        and its waiters that do not fit are passed over while others go. ``cap=None`` clears the
        cap. A ``cap`` out of range raises ``ValueError`` before anything is sent. The worker's
        ``cap`` shows in ``status()["workers"]``."""
        self.request("set_limit", worker=check_worker(worker), cap=check_cap(cap))
