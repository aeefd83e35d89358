"""Gate an OpenAI SDK client in one line::

    import openai, tokengate.openai
    client = tokengate.openai.gated(openai.OpenAI(), worker="crawler-1")
    completion = client.chat.completions.create(model="gpt-4.1", max_completion_tokens=512, messages=[...])

Works the same for ``openai.AsyncOpenAI``. ``client.chat.completions.create(...)`` (plain and
``stream=True``) and the ``client.chat.completions.stream(...)`` helper acquire before sending (input estimated from the request body and calibrated
per model by the ``prompt_tokens`` each response reports; output: ``max_completion_tokens`` or
``max_tokens``, else 1024), observe the ``x-ratelimit-*`` and ``retry-after`` headers, reports
``usage`` when the response arrives or the stream ends, and on ``openai.RateLimitError`` throttle
the fleet (retry-after, else the reset time of the used-up budget) and re-raise.

A stream carries its usage only when asked for: pass ``stream_options={"include_usage": True}``.
Without it the wrapper reports the input estimate and one output token per content delta, and
warns once. Everything else on the client is the SDK's, untouched.
"""

from __future__ import annotations

import warnings
from typing import Any, Optional, TypeVar, cast

from ._common import Usage, check_priority, parse_usage
from ._gating import Estimate, Gating, Provider, StreamAccumulator, _Delegating, is_async_client
from ._wrapped import GatedClient, GatedResource, make_gate

__all__ = ["gated", "GatedOpenAI"]

_warned_no_usage = False


class _OpenAIStreamUsage(StreamAccumulator):
    def __init__(self) -> None:
        self.reported: Optional[Usage] = None
        self.chunks = 0
        self.deltas = 0

    def add(self, chunk: Any) -> None:
        self.chunks += 1
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            self.reported = parse_usage(usage)
        for choice in getattr(chunk, "choices", None) or ():
            delta = getattr(choice, "delta", None)
            if delta is None:
                continue
            if getattr(delta, "content", None) or getattr(delta, "tool_calls", None) or getattr(delta, "refusal", None):
                self.deltas += 1

    def usage(self, estimate: Estimate) -> Optional[Usage]:
        global _warned_no_usage
        if self.reported is not None:
            return self.reported
        if self.chunks == 0:
            return None
        if not _warned_no_usage:
            _warned_no_usage = True
            warnings.warn(
                "tokengate.openai: this stream carried no usage, so tokengate reported an estimate; "
                "pass stream_options={'include_usage': True} to report the real figures",
                RuntimeWarning, stacklevel=2)
        return Usage(estimate.input, self.deltas)


class OpenAIProvider(Provider):
    name = "openai"

    def rate_limit_error(self) -> type:
        import openai
        return openai.RateLimitError

    def status_error(self) -> type:
        import openai
        return openai.APIStatusError

    def output_cap(self, kwargs: Any) -> Optional[int]:
        for name in ("max_completion_tokens", "max_tokens"):
            value = kwargs.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        return None

    def usage_of(self, response: Any) -> Optional[Usage]:
        usage = getattr(response, "usage", None)
        return parse_usage(usage) if usage is not None else None

    def new_accumulator(self) -> StreamAccumulator:
        return _OpenAIStreamUsage()


class _GatedChat(_Delegating):
    def __init__(self, inner: Any, gating: Gating, is_async: bool) -> None:
        self._inner = inner
        self._gating = gating
        self._is_async = is_async

    @property
    def completions(self) -> GatedResource:
        return GatedResource(self._inner.completions, self._gating, self._is_async)


class GatedOpenAI(GatedClient):
    """An ``openai.OpenAI`` / ``AsyncOpenAI`` with ``chat.completions.create`` and
    ``chat.completions.stream`` gated."""

    @property
    def chat(self) -> _GatedChat:
        return _GatedChat(self._inner.chat, self._gating, self._is_async)


ClientT = TypeVar("ClientT")


def gated(
    client: ClientT,
    worker: Optional[str] = None,
    priority: Optional[str] = None,
    *,
    gate: Any = None,
    socket: Optional[str] = None,
) -> ClientT:
    """``client`` (an ``openai.OpenAI`` or ``openai.AsyncOpenAI``) with its
    ``chat.completions.create`` going through the tokengate daemon; the arguments as for
    ``tokengate.anthropic.gated``."""
    check_priority(priority)  # before a gate is opened
    the_gate = make_gate(client, worker, gate, socket)
    wrapped = GatedOpenAI(client, Gating(the_gate, OpenAIProvider(), priority), is_async_client(client))
    wrapped._owns_gate = gate is None
    return cast(ClientT, wrapped)  # typed as the SDK client it stands in for
