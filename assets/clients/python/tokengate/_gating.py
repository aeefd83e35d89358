"""What the Anthropic and OpenAI wrappers share: the estimate of a request, the calibration of that
estimate per model, and the acquire / send / observe / report (or throttle) flow around one call,
for sync and async clients, plain responses and streams.

Failures of the daemon *after* the request was sent (observe, report) never take the response from
the caller: they are logged on the ``tokengate`` logger. Failing to get a grant (no daemon, a
timeout) raises before anything is sent.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import threading
from typing import Any, Callable, Dict, Iterator, Optional, Tuple

from ._common import Usage, check_priority, parse_usage, retry_after_ms

log = logging.getLogger("tokengate")

# Options of an SDK call that do not go into the request body.
_NOT_BODY = frozenset({"extra_headers", "extra_query", "timeout", "stream_cls"})

# What one base64 image or document block is taken to cost before any calibration: the
# encoded bytes say little about the tokens.
_BINARY_BLOCK_TOKENS = 1600

_INITIAL_TOKENS_PER_BYTE = 0.3
"""Before the first report for a model: about 3.3 bytes of request JSON per input token, a little
more than the plain-text rule of thumb (4 characters a token) so that the first estimate errs high."""


def _is_given(value: Any) -> bool:
    """The SDKs' ``omit`` / ``NOT_GIVEN`` sentinels are falsy singletons of their own classes."""
    if value is None:
        return False
    name = type(value).__name__
    return name not in ("Omit", "NotGiven")


def body_size(value: Any) -> Tuple[int, int]:
    """The request body's size as ``(bytes of JSON text, fixed tokens)``: base64 image and
    document data counts a fixed number of tokens instead of its bytes."""
    if isinstance(value, dict):
        if value.get("type") == "base64" and isinstance(value.get("data"), str):
            rest = {key: item for key, item in value.items() if key != "data"}
            size, fixed = body_size(rest)
            return size, fixed + _BINARY_BLOCK_TOKENS
        size, fixed = 2, 0
        for key, item in value.items():
            if not _is_given(item):
                continue
            item_size, item_fixed = body_size(item)
            size += len(str(key)) + 4 + item_size
            fixed += item_fixed
        return size, fixed
    if isinstance(value, (list, tuple)):
        size, fixed = 2, 0
        for item in value:
            item_size, item_fixed = body_size(item)
            size += item_size + 1
            fixed += item_fixed
        return size, fixed
    if isinstance(value, str):
        if value.startswith("data:") and ";base64," in value[:100]:
            return 8, _BINARY_BLOCK_TOKENS  # OpenAI's image_url data URLs
        return len(value.encode("utf-8")) + 2, 0
    if isinstance(value, (bool, int, float)) or value is None:
        return len(json.dumps(value)), 0
    dump = getattr(value, "model_dump", None)  # pydantic models passed as parameters
    if callable(dump):
        return body_size(dump())
    return len(str(value)), 0


class Calibration:
    """Input tokens per body byte, per model: learnt from the reported input (plain, cache writes
    and cache reads: everything the request carried) of each call, as a moving average weighted
    0.3 towards the newest. Thread-safe."""

    def __init__(self, initial: float = _INITIAL_TOKENS_PER_BYTE) -> None:
        self.initial = initial
        self._ratios: Dict[str, float] = {}
        self._lock = threading.Lock()

    def ratio(self, model: str) -> float:
        with self._lock:
            return self._ratios.get(model, self.initial)

    def estimate(self, model: str, size: Tuple[int, int]) -> int:
        body_bytes, fixed = size
        return max(1, math.ceil(self.ratio(model) * body_bytes - 1e-9) + fixed)

    def learn(self, model: str, size: Tuple[int, int], usage: Usage) -> None:
        body_bytes, fixed = size
        counted = usage.total_input - fixed
        if body_bytes <= 0 or counted <= 0:
            return
        observed = counted / body_bytes
        with self._lock:
            previous = self._ratios.get(model)
            self._ratios[model] = observed if previous is None else 0.7 * previous + 0.3 * observed


class Estimate:
    """One call's estimate: ``input`` from the body, ``output`` from the call's token cap."""

    def __init__(self, model: str, size: Tuple[int, int], input: int, output: int) -> None:
        self.model = model
        self.size = size
        self.input = input
        self.output = output

    @property
    def tokens(self) -> int:
        return self.input + self.output

    def acquire_fields(self, priority: Optional[str]) -> Dict[str, Any]:
        return {"tokens": self.tokens, "input": self.input, "output": self.output, "model": self.model,
                "priority": priority}


class Provider:
    """How one SDK says things: overridden by the Anthropic and OpenAI modules."""

    name = "provider"
    default_output = 1024

    def rate_limit_error(self) -> type:
        raise NotImplementedError

    def status_error(self) -> type:
        raise NotImplementedError

    def output_cap(self, kwargs: Dict[str, Any]) -> Optional[int]:
        raise NotImplementedError

    def usage_of(self, response: Any) -> Optional[Usage]:
        usage = getattr(response, "usage", None)
        return parse_usage(usage) if usage is not None else None

    def new_accumulator(self) -> "StreamAccumulator":
        raise NotImplementedError


class StreamAccumulator:
    """Follows a stream's events and knows its usage so far."""

    def add(self, event: Any) -> None:
        raise NotImplementedError

    def usage(self, estimate: Estimate) -> Optional[Usage]:
        raise NotImplementedError


class Gating:
    """The state one wrapped client shares across its calls: its gate, the calibration, the
    priority, the provider's vocabulary. A priority other than ``"high"``, ``"normal"``, ``"low"``
    or None raises ``ValueError`` here, when the client is wrapped."""

    def __init__(self, gate: Any, provider: Provider, priority: Optional[str]) -> None:
        self.gate = gate
        self.provider = provider
        self.priority = check_priority(priority)
        self.calibration = Calibration()

    def estimate(self, kwargs: Dict[str, Any]) -> Estimate:
        model = kwargs.get("model")
        model = str(model) if _is_given(model) else "unknown"
        body = {key: value for key, value in kwargs.items() if key not in _NOT_BODY}
        extra = body.pop("extra_body", None)
        if isinstance(extra, dict):
            body.update(extra)
        size = body_size(body)
        cap = self.provider.output_cap(kwargs)
        output = cap if cap is not None else self.provider.default_output
        return Estimate(model, size, self.calibration.estimate(model, size), output)

    # -- after the response ----------------------------------------------------------------

    def _note_failure(self, what: str, error: BaseException) -> None:
        log.warning("tokengate: could not %s (the call itself went through): %s", what, error)

    def retry_after_of(self, error: BaseException) -> int:
        response = getattr(error, "response", None)
        headers = getattr(response, "headers", None)
        return retry_after_ms(headers)

    def headers_of(self, error: BaseException) -> Any:
        return getattr(getattr(error, "response", None), "headers", None)

    def response_usage(self, response: Any, estimate: Estimate) -> Tuple[Usage, bool]:
        """The usage a response reports, and True; or, for a response without a readable usage
        (a proxy that strips it), the estimate and False: the request did happen, so it counts."""
        try:
            usage = self.provider.usage_of(response)
        except TypeError as error:
            log.warning("tokengate: the response's usage is unreadable (%s); reporting the estimate", error)
            usage = None
        if usage is not None:
            return usage, True
        log.warning("tokengate: the response carried no usage; reporting the estimate")
        return Usage(estimate.input, estimate.output), False

    # sync

    def observe(self, headers: Any, model: str) -> None:
        if headers is None:
            return
        try:
            self.gate.observe_headers(headers, model=model)
        except Exception as error:
            self._note_failure("hand the rate-limit headers to the daemon", error)

    def settle(self, slot: Any, usage: Optional[Usage], estimate: Estimate, learn: bool = True) -> None:
        try:
            if usage is None:
                slot.release()
            else:
                slot.report(input=usage.input, output=usage.output, cache_creation=usage.cache_creation,
                            cache_read=usage.cache_read, model=estimate.model)
        except Exception as error:
            self._note_failure("report the usage", error)
        if usage is not None and learn:
            self.calibration.learn(estimate.model, estimate.size, usage)

    def refused(self, slot: Any, error: BaseException, estimate: Estimate) -> None:
        """The provider answered with an error status: nothing was used; a 429 cools the fleet."""
        try:
            if isinstance(error, self.provider.rate_limit_error()):
                self.gate.throttled(self.retry_after_of(error), model=estimate.model)
            self.observe(self.headers_of(error), estimate.model)
        except Exception as failure:
            self._note_failure("tell the daemon about the provider's refusal", failure)
        self.release_quietly(slot)

    def release_quietly(self, slot: Any) -> None:
        try:
            slot.release()
        except Exception as error:
            self._note_failure("release the grant", error)

    # async

    async def aobserve(self, headers: Any, model: str) -> None:
        if headers is None:
            return
        try:
            await self.gate.observe_headers(headers, model=model)
        except Exception as error:
            self._note_failure("hand the rate-limit headers to the daemon", error)

    async def asettle(self, slot: Any, usage: Optional[Usage], estimate: Estimate, learn: bool = True) -> None:
        try:
            if usage is None:
                await slot.release()
            else:
                await slot.report(input=usage.input, output=usage.output, cache_creation=usage.cache_creation,
                                  cache_read=usage.cache_read, model=estimate.model)
        except Exception as error:
            self._note_failure("report the usage", error)
        if usage is not None and learn:
            self.calibration.learn(estimate.model, estimate.size, usage)

    async def arefused(self, slot: Any, error: BaseException, estimate: Estimate) -> None:
        try:
            if isinstance(error, self.provider.rate_limit_error()):
                await self.gate.throttled(self.retry_after_of(error), model=estimate.model)
            await self.aobserve(self.headers_of(error), estimate.model)
        except Exception as failure:
            self._note_failure("tell the daemon about the provider's refusal", failure)
        slot.release_nowait()

    # -- the calls -------------------------------------------------------------------------

    def call(self, raw_create: Callable[..., Any], kwargs: Dict[str, Any]) -> Any:
        """A gated ``create``: ``raw_create`` is the SDK's ``with_raw_response.create``."""
        estimate = self.estimate(kwargs)
        slot = self.gate.acquire(**estimate.acquire_fields(self.priority))
        try:
            raw = raw_create(**kwargs)
        except self.provider.status_error() as error:
            self.refused(slot, error, estimate)
            raise
        except BaseException:
            self.release_quietly(slot)
            raise
        self.observe(getattr(raw, "headers", None), estimate.model)
        try:
            result = raw.parse()
        except BaseException:
            self.release_quietly(slot)
            raise
        if kwargs.get("stream") is True:
            return GatedStream(result, self, slot, estimate)
        usage, reported = self.response_usage(result, estimate)
        self.settle(slot, usage, estimate, learn=reported)
        return result

    async def acall(self, raw_create: Callable[..., Any], kwargs: Dict[str, Any]) -> Any:
        estimate = self.estimate(kwargs)
        slot = await self.gate.acquire(**estimate.acquire_fields(self.priority))
        try:
            raw = await raw_create(**kwargs)
        except self.provider.status_error() as error:
            await self.arefused(slot, error, estimate)
            raise
        except BaseException:
            slot.release_nowait()
            raise
        await self.aobserve(getattr(raw, "headers", None), estimate.model)
        try:
            result = raw.parse()
            if inspect.isawaitable(result):  # anthropic/openai 1.x+: async; older: plain
                result = await result
        except BaseException:
            slot.release_nowait()
            raise
        if kwargs.get("stream") is True:
            return AsyncGatedStream(result, self, slot, estimate)
        usage, reported = self.response_usage(result, estimate)
        await self.asettle(slot, usage, estimate, learn=reported)
        return result


class _Delegating:
    """Everything not defined here is the wrapped object's."""

    _inner: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class GatedStream(_Delegating):
    """An SDK ``Stream`` that reports its usage when it ends: read to the end, closed, left by
    ``with``, or failed. Iterating, ``with`` and ``close()`` behave as the SDK's; any other
    attribute (``response``, ...) is the SDK stream's own."""

    def __init__(self, inner: Any, gating: Gating, slot: Any, estimate: Estimate) -> None:
        self._inner = inner
        self._gating = gating
        self._slot = slot
        self._estimate = estimate
        self._accumulator = gating.provider.new_accumulator()
        self._settled = False
        self._iterator: Optional[Iterator[Any]] = None

    def _settle(self) -> None:
        if not self._settled:
            self._settled = True
            self._gating.settle(self._slot, self._accumulator.usage(self._estimate), self._estimate)

    def _events(self) -> Iterator[Any]:
        try:
            for event in self._inner:
                self._accumulator.add(event)
                yield event
        finally:
            self._settle()

    def __iter__(self) -> Iterator[Any]:
        if self._iterator is None:
            self._iterator = self._events()
        return self._iterator

    def __next__(self) -> Any:
        return next(iter(self))

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._settle()

    def __enter__(self) -> "GatedStream":
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        self.close()


class AsyncGatedStream(_Delegating):
    """``GatedStream`` for an SDK ``AsyncStream``."""

    def __init__(self, inner: Any, gating: Gating, slot: Any, estimate: Estimate) -> None:
        self._inner = inner
        self._gating = gating
        self._slot = slot
        self._estimate = estimate
        self._accumulator = gating.provider.new_accumulator()
        self._settled = False
        self._iterator: Any = None

    async def _settle(self) -> None:
        if not self._settled:
            self._settled = True
            await self._gating.asettle(self._slot, self._accumulator.usage(self._estimate), self._estimate)

    async def _events(self) -> Any:
        try:
            async for event in self._inner:
                self._accumulator.add(event)
                yield event
        finally:
            await self._settle()

    def __aiter__(self) -> Any:
        if self._iterator is None:
            self._iterator = self._events()
        return self._iterator

    async def __anext__(self) -> Any:
        return await self.__aiter__().__anext__()

    async def close(self) -> None:
        try:
            await self._inner.close()
        finally:
            await self._settle()

    async def __aenter__(self) -> "AsyncGatedStream":
        return self

    async def __aexit__(self, exc_type, exc, traceback) -> None:
        await self.close()


def is_async_client(client: Any) -> bool:
    """Whether an SDK client's calls are coroutines (``AsyncAnthropic``, ``AsyncOpenAI``)."""
    for module, names in (("anthropic", ("AsyncAnthropic",)), ("openai", ("AsyncOpenAI",))):
        try:
            imported = __import__(module)
        except ImportError:
            continue
        for name in names:
            cls = getattr(imported, name, None)
            if cls is not None and isinstance(client, cls):
                return True
    return type(client).__name__.startswith("Async")
