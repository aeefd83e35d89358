"""tokengate client for Python workers: ask the local tokengate daemon before each LLM request,
tell it afterwards what the request really cost.

Standard library only at run time, Python 3.9 or later. Install with
``pip install ./assets/clients/python`` (distribution name ``tokengate-client``).

- ``tokengate.Gate``: for threads (one per process, shared by any number of threads).
- ``tokengate.AsyncGate``: for asyncio (one per event loop, shared by any number of tasks).
- ``tokengate.anthropic.gated(client)`` and ``tokengate.openai.gated(client)``: an SDK client whose
  calls are acquired, reported, observed and throttled by themselves::

      import anthropic, tokengate.anthropic
      client = tokengate.anthropic.gated(anthropic.Anthropic(), worker="crawler-1")
      message = client.messages.create(model="claude-sonnet-4-5", max_tokens=1024, messages=[...])

Priorities and per-worker control: ``acquire(..., priority="high" | "normal" | "low")``,
``pause(worker=...)``, ``resume(worker=...)`` and ``set_cap(worker, cap)`` on both gates, and
``gated(client, priority=...)``.

Errors: ``TokenGateError`` (``.code`` is the contract's error code, ``.message`` the daemon's
text), with the subclasses ``Unreachable`` (no daemon on the socket, or it went away) and
``Timeout`` (no grant within ``timeout_ms``).
"""

from ._async import AsyncGate, AsyncSlot
from ._common import (
    MAX_LINE_BYTES,
    MAX_REPLY_LINE_BYTES,
    NULL,
    PRIORITIES,
    Timeout,
    TokenGateError,
    Unreachable,
    Usage,
    default_socket_path,
    parse_usage,
)
from ._sync import Gate, Slot

__version__ = "0.1.0"

__all__ = [
    "AsyncGate",
    "AsyncSlot",
    "Gate",
    "MAX_LINE_BYTES",
    "MAX_REPLY_LINE_BYTES",
    "NULL",
    "PRIORITIES",
    "Slot",
    "Timeout",
    "TokenGateError",
    "Unreachable",
    "Usage",
    "default_socket_path",
    "parse_usage",
    "__version__",
]
