"""What the thread and the asyncio clients share: errors, the socket path, the wire encoding,
and reading SDK usage objects and rate-limit headers."""

from __future__ import annotations

import email.utils
import json
import os
import random
import time
from collections.abc import Mapping
from typing import Any, Dict, Iterable, NamedTuple, Optional, Tuple

MAX_LINE_BYTES = 65536
"""The protocol's longest request line, without its newline."""

MAX_REPLY_LINE_BYTES = 16 * 1024 * 1024
"""The longest reply line the clients read before dropping the connection. The daemon's replies can
pass ``MAX_LINE_BYTES`` (a status with a thousand workers is about 130 KB), so the bound is the
Swift client's: generous, only there to keep a broken peer from growing the buffer without end."""

PROTOCOL_VERSION = 1


class TokenGateError(Exception):
    """The daemon refused a request, or the client could not complete it.

    ``code`` is one of the contract's error codes (``bad_request``, ``forbidden``,
    ``unknown_ticket``, ``shutting_down``, ...) or ``unreachable`` / ``timeout`` for the
    subclasses, or one of the client's own: ``closed`` (the gate was closed), ``client_timeout``
    (no reply in time), ``already_settled``, ``protocol`` (the daemon sent something unreadable);
    ``message`` explains it.
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


class ConnectionLost(Unreachable):
    """The connection dropped after the request was sent (acquires are re-issued on this)."""


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


def error_from_reply(reply: Mapping) -> TokenGateError:
    code = str(reply.get("error") or "error")
    message = str(reply.get("message") or "")
    if code == "timeout":
        return Timeout(message or "timed out waiting for a grant")
    return TokenGateError(code, message)


class _Null:
    """The type of ``NULL``."""

    def __repr__(self) -> str:
        return "tokengate.NULL"


NULL = _Null()
"""A field value sent as JSON ``null`` (a field set to None is left out of the request), as in
``gate.request("set_limit", worker="crawler-7", cap=tokengate.NULL)``."""


def encode_request(op: str, request_id: int, fields: Mapping[str, Any]) -> bytes:
    """One request line; fields set to None are left out, fields set to ``NULL`` are sent as
    ``null``. Raises ``TokenGateError('bad_request')`` for a line over the protocol's limit (the
    daemon would close the connection)."""
    message: Dict[str, Any] = {"op": op, "id": request_id}
    message.update({key: None if value is NULL else value for key, value in fields.items() if value is not None})
    line = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if len(line) > MAX_LINE_BYTES:
        raise TokenGateError(
            "bad_request", f"the `{op}` request is {len(line)} bytes, over the protocol's {MAX_LINE_BYTES}")
    return line + b"\n"


def decode_reply(line: bytes) -> Optional[dict]:
    """A reply line as a dict (None for a JSON value that is not an object); raises
    ``TokenGateError('protocol')`` for a line that is not JSON."""
    try:
        value = json.loads(line)
    except ValueError:
        raise TokenGateError("protocol", "the daemon sent a line that is not JSON") from None
    return value if isinstance(value, dict) else None


def backoff_delay(attempt: int) -> float:
    """The wait before reconnect attempt ``attempt`` (from 0): 50 ms doubling up to 2 s, each wait
    between 50 % and 100 % of its nominal value (the Swift client's ``ReconnectBackoff``)."""
    nominal = min(2.0, 0.05 * (2 ** min(attempt, 16)))
    return nominal * random.uniform(0.5, 1.0)


def check_count(name: str, value: Any, required: bool = False) -> Optional[int]:
    """A token count for the wire: an int from 0 to 2**53-1 (bools refused), or None."""
    if value is None:
        if required:
            raise TypeError(f"`{name}` is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"`{name}` must be an int, got {type(value).__name__} {value!r}")
    return value


PRIORITIES = ("high", "normal", "low")
"""The priorities an ``acquire`` may ask for (contract v2); absent means ``"normal"``."""


def check_priority(value: Any) -> Optional[str]:
    """An acquire's priority for the wire: ``"high"``, ``"normal"``, ``"low"`` or None (the
    daemon's default, ``"normal"``). Anything else raises ``ValueError`` before a request is sent
    (the daemon would answer ``bad_request``)."""
    if value is None or (isinstance(value, str) and value in PRIORITIES):
        return value
    raise ValueError(
        f"`priority` must be one of 'high', 'normal', 'low' (or None for 'normal'), got {value!r}")


def check_cap(value: Any) -> Any:
    """A worker's cap for the wire: a fraction of each limit greater than 0 and at most 1, or None
    to clear the cap (sent as ``NULL``: the daemon needs ``cap`` present). Raises ``TypeError`` for
    a value that is not a number, ``ValueError`` for one out of range."""
    if value is None:
        return NULL
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"`cap` must be a number in (0, 1] or None, got {type(value).__name__} {value!r}")
    if not 0 < value <= 1:
        raise ValueError(f"`cap` must be greater than 0 and at most 1 (a share of each limit), got {value!r}; "
                         "None clears the cap")
    return float(value)


def check_worker(value: Any) -> str:
    """The ``worker`` a per-worker control names: a non-empty string (the daemon checks the rest
    of the name's rules)."""
    if not isinstance(value, str) or not value:
        raise TypeError(f"`worker` must be a worker's name (a non-empty str), got {value!r}")
    return value


def optional_worker(value: Any) -> Optional[str]:
    """``pause`` / ``resume``'s ``worker``: None (the whole fleet) or a worker's name."""
    return None if value is None else check_worker(value)


# -- usage objects ---------------------------------------------------------------------------


class Usage(NamedTuple):
    """One request's usage as the daemon counts it."""

    input: int
    output: int
    cache_creation: Optional[int] = None
    cache_read: Optional[int] = None

    @property
    def total_input(self) -> int:
        """Every input token the request carried: plain, cache writes and cache reads."""
        return self.input + (self.cache_creation or 0) + (self.cache_read or 0)


_MISSING = object()


def _field(usage: Any, name: str) -> Any:
    if isinstance(usage, Mapping):
        return usage.get(name, _MISSING)
    return getattr(usage, name, _MISSING)


def _token_field(usage: Any, name: str) -> Optional[int]:
    value = _field(usage, name)
    if value is _MISSING or value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"usage field `{name}` must be a count (an int >= 0), got {value!r}")
    return value


def parse_usage(usage: Any) -> Usage:
    """Reads an SDK usage object, or a dict of the same fields.

    Understood shapes: Anthropic's (``input_tokens``, ``output_tokens``,
    ``cache_creation_input_tokens``, ``cache_read_input_tokens``; the OpenAI Responses API uses the
    same first two names) and OpenAI Chat Completions' (``prompt_tokens``, ``completion_tokens``:
    cached prompt tokens are part of ``prompt_tokens`` and count towards OpenAI's limit, so they
    are reported as input). A field that is absent or None counts as 0, but at least one of a
    shape's two main fields must be there: anything else raises ``TypeError`` rather than
    recording zero tokens.
    """
    if usage is None:
        raise TypeError("usage is None: the response carried no usage to report")
    names = ("input_tokens", "output_tokens", "prompt_tokens", "completion_tokens")
    present = {name for name in names if _field(usage, name) is not _MISSING}
    if present & {"input_tokens", "output_tokens"}:
        return Usage(
            input=_token_field(usage, "input_tokens") or 0,
            output=_token_field(usage, "output_tokens") or 0,
            cache_creation=_token_field(usage, "cache_creation_input_tokens"),
            cache_read=_token_field(usage, "cache_read_input_tokens"),
        )
    if present & {"prompt_tokens", "completion_tokens"}:
        return Usage(
            input=_token_field(usage, "prompt_tokens") or 0,
            output=_token_field(usage, "completion_tokens") or 0,
        )
    shown = sorted(usage.keys()) if isinstance(usage, Mapping) else type(usage).__name__
    raise TypeError(
        "unknown usage shape (expected Anthropic's input_tokens/output_tokens or OpenAI's "
        f"prompt_tokens/completion_tokens): {shown!r}")


# -- rate-limit headers ----------------------------------------------------------------------

_HEADER_PREFIXES = ("anthropic-ratelimit-", "x-ratelimit-")
_HEADER_NAMES = ("retry-after", "retry-after-ms")


def header_items(headers: Any) -> Iterable[Tuple[str, str]]:
    items = headers.items() if hasattr(headers, "items") else headers
    return ((str(name), str(value)) for name, value in items)


def rate_limit_headers(headers: Any) -> Dict[str, str]:
    """The headers the daemon reads (``anthropic-ratelimit-*``, ``x-ratelimit-*``, ``retry-after``
    and ``retry-after-ms``), names in lower case: nothing else of a response leaves the process."""
    kept: Dict[str, str] = {}
    for name, value in header_items(headers):
        lower = name.lower()
        if lower in _HEADER_NAMES or lower.startswith(_HEADER_PREFIXES):
            kept[lower] = value
    return kept


def _duration_seconds(text: str) -> Optional[float]:
    """OpenAI's reset durations: ``1s``, ``6m0s``, ``20ms``, ``1h2m3.5s``."""
    total, number, index, seen = 0.0, "", 0, False
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    text = text.strip()
    while index < len(text):
        char = text[index]
        if char.isdigit() or char == ".":
            number += char
            index += 1
            continue
        unit = "ms" if text.startswith("ms", index) else char
        if unit not in units or not number:
            return None
        try:
            total += float(number) * units[unit]
        except ValueError:
            return None
        number, seen = "", True
        index += len(unit)
    if number:
        return None
    return total if seen else None


def retry_after_ms(headers: Any, default_ms: int = 1000) -> int:
    """How long a 429 asks to wait, in milliseconds: ``retry-after-ms``, else ``retry-after``
    (seconds or an HTTP date), else the longest ``x-ratelimit-reset-*`` duration of a budget that
    is used up (OpenAI), else ``default_ms``."""
    found = {name.lower(): value for name, value in header_items(headers)} if headers is not None else {}
    value = found.get("retry-after-ms")
    if value is not None:
        try:
            return max(0, int(float(value) + 0.999))
        except ValueError:
            pass
    value = found.get("retry-after")
    if value is not None:
        try:
            return max(0, int(float(value) * 1000 + 0.999))
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return max(0, int((email.utils.mktime_tz(parsed) - time.time()) * 1000))
    longest = None
    for kind in ("requests", "tokens", "input-tokens", "output-tokens"):
        remaining = found.get(f"x-ratelimit-remaining-{kind}")
        reset = found.get(f"x-ratelimit-reset-{kind}")
        if reset is None or remaining is None or remaining.strip() not in ("0", "0.0"):
            continue
        seconds = _duration_seconds(reset)
        if seconds is not None:
            longest = seconds if longest is None else max(longest, seconds)
    if longest is not None:
        return int(longest * 1000 + 0.999)
    return default_ms
