"""A fake provider on 127.0.0.1 (a port of its own) for the real Anthropic and OpenAI SDKs:
JSON responses, server-sent event streams and error statuses, each scripted by the test.

``upstream.push(Reply(...))`` queues the answer to the next gated request; without one queued, a
request gets a plain 200 in the provider's shape. Every request is recorded (path, headers, body),
and ``on_request`` (a callable taking the recorded request) runs before the answer is sent: the
tests look at the daemon from there, while the grant is in flight.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional


class Reply:
    def __init__(self, status: int = 200, body: Any = None, headers: Optional[Dict[str, str]] = None,
                 events: Optional[List[Any]] = None) -> None:
        """``events``: a list of ``(event name or None, data)`` for a server-sent event stream
        (data: a dict, sent as JSON, or a string sent as is)."""
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.events = events


class Recorded:
    def __init__(self, method: str, path: str, headers: Dict[str, str], body: Any) -> None:
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.raw_size = 0


def anthropic_message(model: str, text: str = "Hello!", input_tokens: int = 25, output_tokens: int = 7,
                      cache_creation: Optional[int] = None, cache_read: Optional[int] = None) -> Dict[str, Any]:
    usage: Dict[str, Any] = {"input_tokens": input_tokens, "output_tokens": output_tokens}
    if cache_creation is not None:
        usage["cache_creation_input_tokens"] = cache_creation
    if cache_read is not None:
        usage["cache_read_input_tokens"] = cache_read
    return {
        "id": "msg_fake", "type": "message", "role": "assistant", "model": model,
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
        "usage": usage,
    }


def anthropic_events(model: str, words: List[str], input_tokens: int = 25, output_tokens: int = 9,
                     cache_creation: int = 0, cache_read: int = 0) -> List[Any]:
    start = anthropic_message(model, "", input_tokens, 1, cache_creation, cache_read)
    start["content"] = []
    start["stop_reason"] = None
    events: List[Any] = [
        ("message_start", {"type": "message_start", "message": start}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("ping", {"type": "ping"}),
    ]
    for word in words:
        events.append(("content_block_delta", {"type": "content_block_delta", "index": 0,
                                               "delta": {"type": "text_delta", "text": word}}))
    events += [
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                           "usage": {"output_tokens": output_tokens}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    return events


def anthropic_error(kind: str, message: str) -> Dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def openai_completion(model: str, text: str = "Hello!", prompt: int = 30, completion: int = 6,
                      cached: int = 0) -> Dict[str, Any]:
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": 1, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
                  "prompt_tokens_details": {"cached_tokens": cached}},
    }


def openai_events(model: str, words: List[str], prompt: Optional[int] = 30,
                  completion: Optional[int] = 8) -> List[Any]:
    def chunk(delta: Dict[str, Any], finish: Optional[str] = None) -> Dict[str, Any]:
        return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    events: List[Any] = [(None, chunk({"role": "assistant", "content": ""}))]
    events += [(None, chunk({"content": word})) for word in words]
    events.append((None, chunk({}, "stop")))
    if prompt is not None:
        events.append((None, {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1,
                              "model": model, "choices": [],
                              "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                                        "total_tokens": prompt + (completion or 0)}}))
    events.append((None, "[DONE]"))
    return events


class FakeUpstream:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.requests: List[Recorded] = []
        self.replies: List[Reply] = []
        self.on_request: Optional[Callable[[Recorded], None]] = None
        self._lock = threading.Lock()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                upstream._handle(self)

            def do_GET(self) -> None:
                upstream._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-upstream", daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}" + ("/v1" if self.kind == "openai" else "")

    def push(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def _default(self, recorded: Recorded) -> Reply:
        model = (recorded.body or {}).get("model", "model")
        if recorded.path.endswith("/count_tokens"):
            return Reply(200, {"input_tokens": 10})
        if self.kind == "anthropic":
            return Reply(200, anthropic_message(model))
        return Reply(200, openai_completion(model))

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        recorded = Recorded(handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()}, body)
        recorded.raw_size = len(raw)
        with self._lock:
            self.requests.append(recorded)
            gated = not handler.path.endswith("/count_tokens") and handler.command == "POST"
            reply = self.replies.pop(0) if (self.replies and gated) else None
        if reply is None:
            reply = self._default(recorded)
        if self.on_request is not None:
            self.on_request(recorded)
        if reply.events is not None:
            handler.send_response(reply.status)
            handler.send_header("content-type", "text/event-stream")
            handler.send_header("cache-control", "no-cache")
            handler.send_header("connection", "close")
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            for name, data in reply.events:
                text = data if isinstance(data, str) else json.dumps(data)
                lines = (f"event: {name}\n" if name else "") + f"data: {text}\n\n"
                handler.wfile.write(lines.encode())
                handler.wfile.flush()
            handler.close_connection = True
            return
        payload = json.dumps(reply.body if reply.body is not None else {}).encode()
        handler.send_response(reply.status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(payload)))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)
