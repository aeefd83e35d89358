"""``AsyncGate``: the asyncio client. One connection, opened on first use, shared by every task of
the event loop; a reader task hands each reply to the future of its request.

Like the Swift client: when the connection is lost, pending acquires are kept and re-issued (same
order, what is left of their timeouts) once a new connection is up, reconnecting with backoff
(50 ms doubling to 2 s, with jitter) for up to ``reconnect_timeout`` seconds; any other request in
flight at that moment raises ``Unreachable`` rather than being sent twice.

Cancelling a task that waits in ``acquire`` raises ``CancelledError`` in it at once. The protocol
has no withdrawal short of closing the connection (which would drop every other task's acquires
and tickets), so the daemon keeps the acquire's place in its queue; when its grant comes, the
client releases it at once. A slot's ``async with`` block left by an exception or a cancellation
releases the ticket without waiting for the daemon's answer.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
from typing import Any, AsyncIterator, Deque, Dict, List, Optional

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

__all__ = ["AsyncGate", "AsyncSlot"]


class _Pending:
    """One request awaiting its reply."""

    __slots__ = ("id", "op", "fields", "future", "deadline", "cancelled", "sends")

    def __init__(self, request_id: int, op: str, fields: Dict[str, Any], future: asyncio.Future,
                 deadline: Optional[float] = None) -> None:
        self.id = request_id
        self.op = op
        self.fields = fields
        self.future = future
        self.deadline = deadline  # loop time; acquires with a timeout only
        self.cancelled = False
        self.sends = 0

    def line(self, now: float) -> bytes:
        self.sends += 1
        fields = self.fields
        if self.deadline is not None:
            fields = dict(fields, timeout_ms=max(0, int((self.deadline - now) * 1000 + 0.999)))
        return encode_request(self.op, self.id, fields)

    def fail(self, error: BaseException) -> None:
        if not self.future.done():
            self.future.set_exception(error)


class AsyncSlot:
    """A grant: permission for one request, holding a reservation until it is reported or
    released. ``async with`` it: leaving the block unreported (or by an exception, including a
    cancellation) releases it."""

    def __init__(self, gate: "AsyncGate", ticket: str, waited_ms: int, model: Optional[str] = None) -> None:
        self.gate = gate
        self.ticket = ticket
        self.waited_ms = waited_ms
        self.model = model
        self.settled = False
        self.warning: Optional[str] = None

    def __repr__(self) -> str:
        return f"AsyncSlot(ticket={self.ticket!r}, waited_ms={self.waited_ms}, settled={self.settled})"

    async def report(
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
        self.settled = True
        try:
            reply = await self.gate.report(
                input=input, output=output, cache_creation=cache_creation, cache_read=cache_read,
                ticket=self.ticket, model=model or self.model)
        except BaseException:
            self.settled = False
            raise
        self.warning = reply.get("warning")
        return reply

    async def report_usage(self, usage: Any, model: Optional[str] = None) -> dict:
        """Reports an SDK usage object or dict (see ``tokengate.Slot.report_usage``); a usage of
        unknown shape raises ``TypeError``."""
        parsed = parse_usage(usage)
        return await self.report(
            input=parsed.input, output=parsed.output, cache_creation=parsed.cache_creation,
            cache_read=parsed.cache_read, model=model)

    async def release(self) -> None:
        """Drops the reservation without recording usage (the request was not sent)."""
        if self.settled:
            return
        self.settled = True
        await self.gate.release(self.ticket)

    def release_nowait(self) -> None:
        """Releases without waiting for the daemon's answer (safe in a cancelled task)."""
        if self.settled:
            return
        self.settled = True
        self.gate._send_quietly("release", {"ticket": self.ticket})

    async def __aenter__(self) -> "AsyncSlot":
        return self

    async def __aexit__(self, exc_type, exc, traceback) -> bool:
        if not self.settled:
            if exc_type is None:
                await self.release()
            else:
                self.release_nowait()
        return False


class AsyncGate:
    """A connection to the tokengate daemon shared by every task of one event loop.

    ``socket`` defaults to ``tokengate.default_socket_path()``; ``worker`` (1-64 of
    ``A-Za-z0-9._:-``) names this process in the daemon (default ``pid-<pid>``). Nothing connects
    until the first call. ``async with AsyncGate(...) as gate:`` closes it at the end.
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
        self._ids = itertools.count(1)
        self._closed = False
        self._ever_connected = False
        self._reset(None)

    def __repr__(self) -> str:
        return f"AsyncGate(socket={self.socket_path!r}, worker={self.worker!r})"

    def _reset(self, loop: Optional[asyncio.AbstractEventLoop]) -> None:
        self._loop = loop
        self._writer: Optional[asyncio.StreamWriter] = None
        self._reader_task: Optional[asyncio.Task] = None
        self._reconnect_task: Optional[asyncio.Task] = None
        self._connect_lock: Optional[asyncio.Lock] = None
        self._pending: Dict[int, _Pending] = {}
        self._held: List[_Pending] = []
        self._subscribers: Dict[int, "collections.deque[Any]"] = {}
        self._subscriber_events: Dict[int, asyncio.Event] = {}
        self._subscriber_intervals: Dict[int, int] = {}
        self._subscriber_ids = itertools.count(1)

    def _bind_loop(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._loop is not None and not self._loop.is_closed() and self._loop.is_running():
                raise RuntimeError("an AsyncGate is bound to the event loop it was first used on")
            self._reset(loop)  # the earlier loop is gone, and its connection with it
        return loop

    @property
    def connected(self) -> bool:
        return self._writer is not None

    # -- connection ------------------------------------------------------------------------

    async def connect(self) -> None:
        """Connects now (calls connect by themselves); raises ``Unreachable`` without a daemon."""
        loop = self._bind_loop()
        if self._writer is not None:
            return
        if self._connect_lock is None:
            self._connect_lock = asyncio.Lock()
        async with self._connect_lock:
            if self._closed:
                raise TokenGateError("closed", "the gate was closed")
            if self._writer is not None:
                return
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_unix_connection(self.socket_path, limit=MAX_REPLY_LINE_BYTES + 1),
                    self.connect_timeout)
            except (OSError, asyncio.TimeoutError) as error:
                reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
                raise Unreachable(
                    f"tokengate daemon not reachable at {self.socket_path}: {reason} "
                    "(start one with `tokengate serve`, or set TOKENGATE_SOCKET)") from None
            self._writer = writer
            self._ever_connected = True
            self._reader_task = loop.create_task(self._read_loop(reader, writer))
            if self.worker is not None:
                hello = self._new_pending("hello", {"v": PROTOCOL_VERSION, "worker": self.worker})
                self._write(hello)
                try:
                    reply = await asyncio.wait_for(hello.future, self.request_timeout)
                except BaseException:
                    self._connection_lost(writer, "no answer to hello")
                    raise
                if not reply.get("ok"):
                    self._connection_lost(writer, "hello was refused")
                    raise error_from_reply(reply)
            # Re-issue what waited for this connection, in the order it was first asked.
            held, self._held = sorted(self._held, key=lambda pending: pending.id), []
            now = loop.time()
            for pending in held:
                if pending.cancelled:
                    continue
                if pending.deadline is not None and pending.deadline <= now:
                    pending.fail(Timeout("timed out waiting for a grant (the daemon was not reachable)"))
                    continue
                self._write(pending)
            if self._subscribers:
                resubscribe = self._new_pending(
                    "subscribe", {"interval_ms": min(self._subscriber_intervals.values())})
                self._write(resubscribe)

    def _new_pending(self, op: str, fields: Dict[str, Any], deadline: Optional[float] = None) -> _Pending:
        assert self._loop is not None
        return _Pending(next(self._ids), op, fields, self._loop.create_future(), deadline)

    def _write(self, pending: _Pending) -> None:
        """Writes a request to the connection, or (no connection) holds an acquire for the next
        one and fails anything else."""
        writer = self._writer
        if writer is None or writer.is_closing():
            if pending.op == "acquire" and not self._closed:
                self._hold(pending)
            else:
                pending.fail(ConnectionLost("lost the connection to the daemon"))
            return
        assert self._loop is not None
        line = pending.line(self._loop.time())
        self._pending[pending.id] = pending
        writer.write(line)

    def _send_quietly(self, op: str, fields: Dict[str, Any]) -> None:
        """A request whose answer nobody awaits (the release of a grant nobody wants)."""
        writer = self._writer
        if writer is None or writer.is_closing():
            return  # the daemon released the connection's tickets when it closed
        try:
            writer.write(encode_request(op, next(self._ids), fields))
        except (OSError, RuntimeError, TokenGateError):
            pass

    def _hold(self, pending: _Pending) -> None:
        self._held.append(pending)
        if self._reconnect_task is None or self._reconnect_task.done():
            assert self._loop is not None
            self._reconnect_task = self._loop.create_task(self._reconnect_loop())

    async def _read_loop(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        reason = "the daemon closed the connection"
        try:
            while True:
                try:
                    line = await reader.readuntil(b"\n")
                except asyncio.IncompleteReadError:
                    break
                except asyncio.LimitOverrunError:
                    reason = f"the daemon sent a line over {MAX_REPLY_LINE_BYTES} bytes"
                    break
                try:
                    reply = decode_reply(line)
                except TokenGateError as error:
                    reason = error.message
                    break
                if reply is not None:
                    self._dispatch(reply)
        except (OSError, ConnectionError) as error:
            reason = f"lost the connection to the daemon: {getattr(error, 'strerror', None) or error}"
        except asyncio.CancelledError:
            reason = "the client was closed"
            raise
        finally:
            self._connection_lost(writer, reason)

    def _dispatch(self, reply: dict) -> None:
        if "event" in reply:
            if reply.get("event") == "snapshot" and isinstance(reply.get("status"), dict):
                for key, queue in self._subscribers.items():
                    queue.append(reply["status"])
                    self._subscriber_events[key].set()
            return
        pending = self._pending.pop(reply.get("id"), None)  # type: ignore[arg-type]
        if pending is None:
            return
        granted = pending.op == "acquire" and reply.get("ok") and reply.get("ticket") is not None
        if pending.cancelled or pending.future.done():
            if granted:
                self._send_quietly("release", {"ticket": reply["ticket"]})
            return
        if pending.op == "acquire" and reply.get("error") == "shutting_down" and not self._closed:
            # The daemon is stopping: ask again once it (or its successor) is back.
            self._hold(pending)
            if self._writer is not None:
                self._connection_lost(self._writer, "the daemon is shutting down")
            return
        pending.future.set_result(reply)

    def _connection_lost(self, writer: asyncio.StreamWriter, reason: str) -> None:
        if writer is not self._writer:
            return
        self._writer = None
        try:
            writer.close()
        except RuntimeError:  # the loop is closing
            pass
        pending, self._pending = list(self._pending.values()), {}
        for request in pending:
            if request.cancelled or request.future.done():
                continue
            if request.op == "acquire" and not self._closed:
                self._hold(request)
            else:
                request.fail(ConnectionLost(reason))
        if self._subscribers and not self._closed and (
                self._reconnect_task is None or self._reconnect_task.done()):
            assert self._loop is not None
            self._reconnect_task = self._loop.create_task(self._reconnect_loop())

    async def _reconnect_loop(self) -> None:
        assert self._loop is not None
        loop = self._loop
        lost_at = loop.time()
        attempt = 0
        error: Optional[BaseException] = None
        while not self._closed:
            self._held = [pending for pending in self._held if not pending.cancelled]
            now = loop.time()
            for pending in [p for p in self._held if p.deadline is not None and p.deadline <= now]:
                self._held.remove(pending)
                pending.fail(Timeout("timed out waiting for a grant (the daemon was not reachable)"))
            if not self._held and not self._subscribers:
                return
            if self._writer is not None:
                if self._held:  # connected by another call meanwhile
                    held, self._held = sorted(self._held, key=lambda p: p.id), []
                    for pending in held:
                        self._write(pending)
                return
            if now - lost_at > self.reconnect_timeout:
                break
            delay = backoff_delay(attempt)
            deadlines = [p.deadline for p in self._held if p.deadline is not None]
            if deadlines:
                delay = max(0.0, min(delay, min(deadlines) - now))
            attempt += 1
            await asyncio.sleep(delay)
            if self._held and all(p.deadline is not None and p.deadline <= loop.time() for p in self._held) \
                    and not self._subscribers:
                continue  # they expire above, without another attempt
            try:
                await self.connect()
                return
            except TokenGateError as failure:
                if failure.code == "closed":
                    return
                error = failure
        failure = Unreachable(
            f"the daemon at {self.socket_path} was not reachable for {self.reconnect_timeout:.0f} s"
            + (f" ({error.message})" if isinstance(error, TokenGateError) else ""))
        held, self._held = self._held, []
        for pending in held:
            pending.fail(failure)
        for key, queue in self._subscribers.items():
            queue.append(failure)
            self._subscriber_events[key].set()

    async def close(self) -> None:
        """Closes the connection: the daemon withdraws this gate's waiting acquires and releases
        its unsettled grants. Calls after this raise ``TokenGateError('closed')``."""
        self._closed = True
        closed = TokenGateError("closed", "the gate was closed")
        if self._reconnect_task is not None and not self._reconnect_task.done():
            self._reconnect_task.cancel()
        held, self._held = self._held, []
        for pending in held:
            pending.fail(closed)
        writer = self._writer
        if writer is not None:
            for pending in list(self._pending.values()):
                pending.fail(closed)
            self._connection_lost(writer, "the client was closed")
        task = self._reader_task
        if task is not None and not task.done() and task is not asyncio.current_task():
            try:
                await asyncio.wait_for(asyncio.shield(task), 1.0)
            except (asyncio.TimeoutError, asyncio.CancelledError, Exception):
                task.cancel()
        for key, queue in self._subscribers.items():
            queue.append(closed)
            self._subscriber_events[key].set()

    async def __aenter__(self) -> "AsyncGate":
        return self

    async def __aexit__(self, exc_type, exc, traceback) -> bool:
        await self.close()
        return False

    async def request(self, op: str, timeout: Optional[float] = None, **fields: Any) -> dict:
        """Sends one request of the protocol and returns its reply (a dict); a failure reply
        raises its ``TokenGateError``. Fields set to None are left out. The typed methods cover
        every op; this is for ops and fields newer than this client."""
        await self.connect()
        pending = self._new_pending(op, {key: value for key, value in fields.items() if value is not None})
        self._write(pending)
        limit = self.request_timeout if timeout is None else timeout
        try:
            reply = await asyncio.wait_for(pending.future, limit)
        except asyncio.TimeoutError:
            pending.cancelled = True
            raise TokenGateError("client_timeout", f"no reply to `{op}` from the daemon within {limit:.1f} s") from None
        except asyncio.CancelledError:
            pending.cancelled = True
            raise
        if not reply.get("ok"):
            raise error_from_reply(reply)
        return reply

    # -- grants ----------------------------------------------------------------------------

    async def acquire(
        self,
        tokens: Optional[int] = None,
        timeout_ms: Optional[int] = None,
        input: Optional[int] = None,
        output: Optional[int] = None,
        model: Optional[str] = None,
        priority: Optional[str] = None,
        worker: Optional[str] = None,
    ) -> AsyncSlot:
        """Waits until the daemon grants one request of about ``tokens`` tokens (default: the
        daemon's recent mean cost); raises ``Timeout`` after ``timeout_ms`` (default: wait).
        ``model``, ``priority`` and ``worker`` as for ``tokengate.Gate.acquire`` (a ``priority``
        other than ``"high"``, ``"normal"``, ``"low"`` or None raises ``ValueError``).

        No daemon on the first connection raises ``Unreachable``; once connected, a connection
        lost before or while waiting is re-established and the acquire (re-)issued, for up to
        ``reconnect_timeout`` seconds (see the module's notes). Cancelling the task
        withdraws the acquire: a grant that still comes is released."""
        fields = {
            key: value for key, value in {
                "tokens": check_count("tokens", tokens), "input": check_count("input", input),
                "output": check_count("output", output), "model": model, "priority": check_priority(priority),
                "worker": worker,
            }.items() if value is not None
        }
        check_count("timeout_ms", timeout_ms)
        try:
            await self.connect()
        except Unreachable:
            if not self._ever_connected or self._closed:
                raise  # never reached a daemon: say so at once
            # The daemon is restarting: the acquire waits for the reconnect, like the pending ones.
        assert self._loop is not None
        started = self._loop.time()
        deadline = None if timeout_ms is None else started + timeout_ms / 1000.0
        pending = self._new_pending("acquire", fields, deadline)
        self._write(pending)
        try:
            reply = await asyncio.shield(pending.future)
        except asyncio.CancelledError:
            self._withdraw(pending)
            raise
        if not reply.get("ok"):
            raise error_from_reply(reply)
        waited = int(reply.get("waited_ms") or 0)
        if pending.sends > 1:  # re-issued after a reconnect: the daemon saw only the last part
            waited = max(waited, int((self._loop.time() - started) * 1000))
        return AsyncSlot(self, str(reply["ticket"]), waited, model=model)

    def _withdraw(self, pending: _Pending) -> None:
        pending.cancelled = True
        if pending in self._held:
            self._held.remove(pending)
        future = pending.future
        if future.done() and not future.cancelled() and future.exception() is None:
            reply = future.result()
            if reply.get("ok") and reply.get("ticket") is not None:
                self._send_quietly("release", {"ticket": reply["ticket"]})
        elif not future.done():
            future.cancel()

    def slot(
        self,
        tokens: Optional[int] = None,
        timeout_ms: Optional[int] = None,
        input: Optional[int] = None,
        output: Optional[int] = None,
        model: Optional[str] = None,
        priority: Optional[str] = None,
        worker: Optional[str] = None,
    ) -> "_SlotContext":
        """``acquire`` for an ``async with`` block: ``async with gate.slot(tokens=4000) as slot:``."""
        return _SlotContext(self.acquire(
            tokens=tokens, timeout_ms=timeout_ms, input=input, output=output, model=model,
            priority=priority, worker=worker))

    async def report(
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
        return await self.request(
            "report", input=check_count("input", input, True), output=check_count("output", output, True),
            cache_creation=check_count("cache_creation", cache_creation),
            cache_read=check_count("cache_read", cache_read), ticket=ticket, model=model, worker=worker)

    async def report_usage(self, usage: Any, model: Optional[str] = None, ticket: Optional[str] = None) -> dict:
        """``report`` from an SDK usage object (see ``tokengate.Slot.report_usage``)."""
        parsed = parse_usage(usage)
        return await self.report(
            input=parsed.input, output=parsed.output, cache_creation=parsed.cache_creation,
            cache_read=parsed.cache_read, ticket=ticket, model=model)

    async def release(self, ticket: str) -> None:
        """Drops a grant's reservation without recording usage."""
        await self.request("release", ticket=ticket)

    # -- provider feedback -----------------------------------------------------------------

    async def throttled(self, retry_after_ms: int, budget: Optional[str] = None, model: Optional[str] = None) -> int:
        """The provider answered 429: no grants for ``retry_after_ms``. Returns the daemon's
        ``cooldown_until_ms``."""
        reply = await self.request("throttled", retry_after_ms=int(retry_after_ms), budget=budget, model=model)
        return int(reply.get("cooldown_until_ms") or 0)

    async def observe_headers(self, headers: Any, model: Optional[str] = None) -> None:
        """Hands the daemon a response's rate-limit headers (see ``tokengate.Gate.observe_headers``)."""
        kept = rate_limit_headers(headers)
        if kept:
            await self.request("observe", headers=kept, model=model)

    # -- control ---------------------------------------------------------------------------

    async def status(self) -> dict:
        """The daemon's Status object, as a dict."""
        return (await self.request("status"))["status"]

    async def pause(self, worker: Optional[str] = None) -> str:
        """Stops new grants for the whole fleet; returns the new state. With ``worker``, pauses
        that worker only (see ``tokengate.Gate.pause``)."""
        return str((await self.request("pause", worker=optional_worker(worker))).get("state"))

    async def resume(self, worker: Optional[str] = None) -> str:
        """Grants again; returns the new state (``running``, or ``cooldown``). With ``worker``,
        resumes that worker's waiters only."""
        return str((await self.request("resume", worker=optional_worker(worker))).get("state"))

    async def set_limit(self, limit: Optional[int] = None, threshold: Optional[float] = None) -> None:
        """Changes the tokens limit per window and/or the threshold."""
        await self.request("set_limit", limit=limit, threshold=threshold)

    async def set_cap(self, worker: str, cap: Optional[float]) -> None:
        """Caps ``worker`` at ``cap`` (a fraction in (0, 1]) of each limit; ``cap=None`` clears
        the cap (see ``tokengate.Gate.set_cap``)."""
        await self.request("set_limit", worker=check_worker(worker), cap=check_cap(cap))

    async def subscribe(self, interval_ms: int = 250) -> AsyncIterator[dict]:
        """Status snapshots as the daemon sends them (every ``interval_ms`` and on every change),
        across reconnects: ``async for status in gate.subscribe(): ...``. At most the latest 64
        snapshots are kept for a slow reader. Ends with the gate's error when the daemon stays
        unreachable for ``reconnect_timeout``, or when the gate is closed."""
        await self.connect()
        key = next(self._subscriber_ids)
        queue: Deque[Any] = collections.deque(maxlen=64)
        event = asyncio.Event()
        self._subscribers[key] = queue
        self._subscriber_events[key] = event
        self._subscriber_intervals[key] = interval_ms
        try:
            await self.request("subscribe", interval_ms=interval_ms)
            while True:
                while not queue:
                    event.clear()
                    await event.wait()
                item = queue.popleft()
                if isinstance(item, BaseException):
                    if isinstance(item, TokenGateError) and item.code == "closed":
                        return
                    raise item
                yield item
        finally:
            self._subscribers.pop(key, None)
            self._subscriber_events.pop(key, None)
            self._subscriber_intervals.pop(key, None)


class _SlotContext:
    """``async with gate.slot(...) as slot``; also awaitable (``slot = await gate.slot(...)``)."""

    def __init__(self, acquiring: Any) -> None:
        self._acquiring = acquiring
        self._slot: Optional[AsyncSlot] = None

    def __await__(self):
        return self._acquiring.__await__()

    async def __aenter__(self) -> AsyncSlot:
        self._slot = await self._acquiring
        return self._slot

    async def __aexit__(self, exc_type, exc, traceback) -> bool:
        assert self._slot is not None
        return await self._slot.__aexit__(exc_type, exc, traceback)
