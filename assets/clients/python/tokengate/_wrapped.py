"""The wrapper objects ``gated(...)`` returns: the SDK client, with ``create`` (and ``stream``)
gated on the resources named, everything else passed through untouched."""

from __future__ import annotations

from typing import Any, Dict, Optional

from ._async import AsyncGate
from ._gating import Estimate, Gating, GatedStream, AsyncGatedStream, Provider, _Delegating, is_async_client
from ._sync import Gate


def _listed(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """A ``messages`` given as a one-shot iterable is read once into a list: the estimate reads
    it, and the SDK still gets every message."""
    messages = kwargs.get("messages")
    if messages is not None and not isinstance(messages, (list, tuple)) and hasattr(messages, "__iter__"):
        kwargs = dict(kwargs, messages=list(messages))
    return kwargs


class GatedResource(_Delegating):
    """``client.messages`` (or ``client.chat.completions``) with ``create`` and ``stream`` gated."""

    def __init__(self, inner: Any, gating: Gating, is_async: bool) -> None:
        self._inner = inner
        self._gating = gating
        self._is_async = is_async

    def create(self, **kwargs: Any) -> Any:
        """The SDK's ``create``, acquired before sending and reported when the response (or the
        stream, with ``stream=True``) ends; a ``RateLimitError`` throttles the fleet and is
        re-raised."""
        kwargs = _listed(kwargs)
        if self._is_async:
            return self._gating.acall(self._inner.with_raw_response.create, kwargs)
        return self._gating.call(self._inner.with_raw_response.create, kwargs)

    def stream(self, **kwargs: Any) -> Any:
        """The SDK's ``stream`` helper: acquired when its ``with`` block is entered, reported
        when the stream ends or the block is left."""
        kwargs = _listed(kwargs)
        manager = self._inner.stream(**kwargs)  # sends nothing until entered
        estimate = self._gating.estimate(kwargs)
        if self._is_async:
            return AsyncGatedStreamManager(manager, self._gating, estimate)
        return GatedStreamManager(manager, self._gating, estimate)


def _wrap_raw_stream(stream: Any, wrapper: Any) -> bool:
    """Puts the gated stream between the SDK's stream helper and its raw event stream, so that
    usage is reported as soon as the events end. False when the helper has no such attribute
    (then the usage is read from its snapshot when the block is left)."""
    if hasattr(stream, "_raw_stream"):
        stream._raw_stream = wrapper
        return True
    return False


def _snapshot_usage(stream: Any, provider: Provider) -> Any:
    """The usage in a stream helper's accumulated snapshot (Anthropic's message, OpenAI's
    completion), or None before the first event."""
    for name in ("current_message_snapshot", "current_completion_snapshot"):
        try:
            snapshot = getattr(stream, name)
        except (AssertionError, AttributeError):
            continue
        return provider.usage_of(snapshot)
    return None


class GatedStreamManager:
    """``with client.messages.stream(...) as stream:`` acquired on entry, settled on exit."""

    def __init__(self, manager: Any, gating: Gating, estimate: Estimate) -> None:
        self._manager = manager
        self._gating = gating
        self._estimate = estimate
        self._gated: Optional[GatedStream] = None
        self._slot: Any = None
        self._stream: Any = None

    def __enter__(self) -> Any:
        gating, estimate = self._gating, self._estimate
        self._slot = slot = gating.gate.acquire(**estimate.acquire_fields(gating.priority))
        try:
            stream = self._manager.__enter__()
        except gating.provider.status_error() as error:
            gating.refused(slot, error, estimate)
            raise
        except BaseException:
            gating.release_quietly(slot)
            raise
        self._stream = stream
        gating.observe(getattr(getattr(stream, "response", None), "headers", None), estimate.model)
        raw = getattr(stream, "_raw_stream", None)
        if raw is not None:
            self._gated = GatedStream(raw, gating, slot, estimate)
            _wrap_raw_stream(stream, self._gated)
        return stream

    def __exit__(self, exc_type, exc, traceback) -> Any:
        try:
            return self._manager.__exit__(exc_type, exc, traceback)
        finally:
            if self._gated is not None:
                self._gated._settle()
            elif self._slot is not None and not self._slot.settled:
                self._gating.settle(self._slot, _snapshot_usage(self._stream, self._gating.provider), self._estimate)


class AsyncGatedStreamManager:
    """``async with client.messages.stream(...) as stream:`` acquired on entry, settled on exit."""

    def __init__(self, manager: Any, gating: Gating, estimate: Estimate) -> None:
        self._manager = manager
        self._gating = gating
        self._estimate = estimate
        self._gated: Optional[AsyncGatedStream] = None
        self._slot: Any = None
        self._stream: Any = None

    async def __aenter__(self) -> Any:
        gating, estimate = self._gating, self._estimate
        self._slot = slot = await gating.gate.acquire(**estimate.acquire_fields(gating.priority))
        try:
            stream = await self._manager.__aenter__()
        except gating.provider.status_error() as error:
            await gating.arefused(slot, error, estimate)
            raise
        except BaseException:
            slot.release_nowait()
            raise
        self._stream = stream
        await gating.aobserve(getattr(getattr(stream, "response", None), "headers", None), estimate.model)
        raw = getattr(stream, "_raw_stream", None)
        if raw is not None:
            self._gated = AsyncGatedStream(raw, gating, slot, estimate)
            _wrap_raw_stream(stream, self._gated)
        return stream

    async def __aexit__(self, exc_type, exc, traceback) -> Any:
        try:
            return await self._manager.__aexit__(exc_type, exc, traceback)
        finally:
            if self._gated is not None:
                await self._gated._settle()
            elif self._slot is not None and not self._slot.settled:
                await self._gating.asettle(
                    self._slot, _snapshot_usage(self._stream, self._gating.provider), self._estimate)


class GatedClient(_Delegating):
    """An SDK client whose gated resources go through tokengate; ``gate`` is the tokengate
    client it uses. ``with_options(...)`` and ``copy(...)`` give gated clients too (same gate,
    same calibration)."""

    _paths: Dict[str, Any] = {}

    def __init__(self, inner: Any, gating: Gating, is_async: bool) -> None:
        self._inner = inner
        self._gating = gating
        self._is_async = is_async
        self.gate = gating.gate

    def __repr__(self) -> str:
        return f"gated({self._inner!r}, gate={self.gate!r})"

    def with_options(self, **options: Any) -> "GatedClient":
        return type(self)(self._inner.with_options(**options), self._gating, self._is_async)

    def copy(self, **options: Any) -> "GatedClient":
        return type(self)(self._inner.copy(**options), self._gating, self._is_async)

    def close(self) -> Any:
        """Closes the SDK client; a gate that ``gated`` made is closed with it."""
        result = self._inner.close()
        if getattr(self, "_owns_gate", False):
            if self._is_async:
                async def both() -> None:
                    await result
                    await self.gate.close()
                return both()
            self.gate.close()
        return result


def make_gate(client: Any, worker: Optional[str], gate: Any, socket: Optional[str]) -> Any:
    is_async = is_async_client(client)
    if gate is not None:
        if is_async and not isinstance(gate, AsyncGate):
            raise TypeError("an async SDK client needs a tokengate.AsyncGate")
        if not is_async and not isinstance(gate, Gate):
            raise TypeError("a sync SDK client needs a tokengate.Gate")
        return gate
    return AsyncGate(socket=socket, worker=worker) if is_async else Gate(socket=socket, worker=worker)
