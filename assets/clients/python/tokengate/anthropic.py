"""Gate an Anthropic SDK client in one line::

    import anthropic, tokengate.anthropic
    client = tokengate.anthropic.gated(anthropic.Anthropic(), worker="crawler-1")
    message = client.messages.create(model="claude-sonnet-4-5", max_tokens=1024, messages=[...])

Works the same for ``anthropic.AsyncAnthropic`` (then the gate is a ``tokengate.AsyncGate``).
``client.messages.create(...)`` (plain and ``stream=True``) and ``client.messages.stream(...)``:

- acquire before sending, estimating the request: its input from the size of the request body,
  calibrated per model by the input each response reports (``input_tokens`` plus the cache
  fields, against the body's bytes), plus ``max_tokens``; ``model`` goes with the acquire, so the
  daemon's pools can match it;
- observe the response's ``anthropic-ratelimit-*`` and ``retry-after`` headers;
- report the real usage, cache writes and reads included, when the response arrives or the stream
  ends (read to the end, closed, or its ``with`` block left);
- on ``anthropic.RateLimitError``: tell the daemon (``throttled`` with the retry-after), hand it the
  headers, release the grant and re-raise. Other errors release the grant and are re-raised.

Everything else on the client (``messages.count_tokens``, ``models``, ``beta``, ...) is the SDK's,
untouched. The SDK retries a 429 by itself (``max_retries``, 2 by default) inside one gated call;
the fleet hears of it when the SDK gives up. Construct the client with ``max_retries=0`` to have
the first 429 cool the whole fleet at once.
"""

from __future__ import annotations

from typing import Any, Optional, TypeVar, cast

from ._common import Usage, check_priority, parse_usage
from ._gating import Estimate, Gating, Provider, StreamAccumulator, is_async_client
from ._wrapped import GatedClient, GatedResource, make_gate

__all__ = ["gated", "GatedAnthropic"]


class _AnthropicStreamUsage(StreamAccumulator):
    """``message_start`` carries the input (and cache) usage; each ``message_delta`` the
    cumulative output (and, on newer API versions, final input figures)."""

    def __init__(self) -> None:
        self.input: Optional[int] = None
        self.output: Optional[int] = None
        self.cache_creation: Optional[int] = None
        self.cache_read: Optional[int] = None
        self.deltas = 0

    def _take(self, usage: Any, output_only: bool) -> None:
        for field, name in (("output", "output_tokens"), ("input", "input_tokens"),
                            ("cache_creation", "cache_creation_input_tokens"),
                            ("cache_read", "cache_read_input_tokens")):
            if output_only and field != "output" and getattr(usage, name, None) is None:
                continue
            value = getattr(usage, name, None)
            if isinstance(value, int) and not isinstance(value, bool):
                setattr(self, field, value)

    def add(self, event: Any) -> None:
        kind = getattr(event, "type", None)
        if kind == "message_start":
            usage = getattr(getattr(event, "message", None), "usage", None)
            if usage is not None:
                self._take(usage, output_only=False)
        elif kind == "message_delta":
            usage = getattr(event, "usage", None)
            if usage is not None:
                self._take(usage, output_only=True)
        elif kind == "content_block_delta":
            self.deltas += 1

    def usage(self, estimate: Estimate) -> Optional[Usage]:
        if self.input is None and self.output is None:
            return None  # no message_start: nothing was generated
        # A stream left early has no final count: each delta is at least one token.
        output = max(self.output or 0, self.deltas)
        return Usage(self.input or 0, output, self.cache_creation, self.cache_read)


class AnthropicProvider(Provider):
    name = "anthropic"

    def rate_limit_error(self) -> type:
        import anthropic
        return anthropic.RateLimitError

    def status_error(self) -> type:
        import anthropic
        return anthropic.APIStatusError

    def output_cap(self, kwargs: Any) -> Optional[int]:
        value = kwargs.get("max_tokens")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def usage_of(self, response: Any) -> Optional[Usage]:
        usage = getattr(response, "usage", None)
        return parse_usage(usage) if usage is not None else None

    def new_accumulator(self) -> StreamAccumulator:
        return _AnthropicStreamUsage()


class GatedAnthropic(GatedClient):
    """An ``anthropic.Anthropic`` / ``AsyncAnthropic`` with ``messages.create`` and
    ``messages.stream`` gated."""

    @property
    def messages(self) -> GatedResource:
        return GatedResource(self._inner.messages, self._gating, self._is_async)


ClientT = TypeVar("ClientT")


def gated(
    client: ClientT,
    worker: Optional[str] = None,
    priority: Optional[str] = None,
    *,
    gate: Any = None,
    socket: Optional[str] = None,
) -> ClientT:
    """``client`` (an ``anthropic.Anthropic`` or ``anthropic.AsyncAnthropic``) with its
    ``messages.create`` and ``messages.stream`` going through the tokengate daemon.

    ``worker`` names this process in the daemon (default ``pid-<pid>``); ``priority``
    (``"high"``, ``"normal"``, ``"low"``; None is the daemon's default, ``"normal"``) goes with
    every acquire, and any other value raises ``ValueError`` here. ``gate`` shares an existing ``tokengate.Gate`` (sync
    client) or ``tokengate.AsyncGate`` (async client) instead of opening one; ``socket`` is the
    daemon's socket (default: ``tokengate.default_socket_path()``).
    """
    check_priority(priority)  # before a gate is opened
    the_gate = make_gate(client, worker, gate, socket)
    wrapped = GatedAnthropic(client, Gating(the_gate, AnthropicProvider(), priority), is_async_client(client))
    wrapped._owns_gate = gate is None
    return cast(ClientT, wrapped)  # typed as the SDK client it stands in for
