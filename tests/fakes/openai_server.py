"""A real, local OpenAI-compatible chat-completions server for tests.

It listens on 127.0.0.1 (a random free port) in a background thread and speaks the same HTTP
protocol as OpenAI / vLLM / Ollama for `POST /v1/chat/completions` (non-streaming JSON with
`usage`, and SSE when the request says `"stream": true`) and `GET /v1/models`, so the real
`openai` and `langchain_openai` clients can be pointed at it.

    from tests.fakes.openai_server import OpenAIFake

    with OpenAIFake(reply="Bạn cần CCCD gắn chip [1].") as fake:
        model = ChatOpenAI(base_url=fake.base_url, api_key="test", model=fake.model, max_retries=0)
        ...
        assert fake.requests[-1].messages[0]["role"] == "system"

Per-test behaviour (attributes, change them at any time, they apply to the next request):
- `reply`: the assistant text, or a function `(ChatRequest) -> str` computing it from the request
  (e.g. `lambda req: "Theo bài [1]."`, or `echo_user` to echo the last user message);
- `delay_s`: sleep before answering (longer than the client's timeout to test timeouts);
- `status`: an HTTP error status to return instead (e.g. 500) with an OpenAI-style error body;
- `raw_body`: bytes sent as-is with status 200 (malformed JSON, an empty body...);
- `finish_reason`: "stop" by default ("length" to mimic a cut answer).
A ready fixture: `from tests.fakes.openai_server import openai_fake` in a test module, then take
`openai_fake` as an argument (a running server, stopped after the test).

`requests` records every request received (`ChatRequest`: path, lower-cased headers, JSON body,
`.messages`, `.system`, `.user`); `reset()` clears it and restores the defaults.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class ChatRequest:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased: headers["authorization"]
    body: dict[str, Any] | None  # None when the body was not JSON
    raw: bytes = b""
    received_at: float = field(default_factory=time.monotonic)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages of the request (role, content), or []."""
        if not self.body:
            return []
        return list(self.body.get("messages") or [])

    def _content(self, role: str) -> str:
        parts = []
        for message in self.messages:
            if message.get("role") != role:
                continue
            content = message.get("content")
            if isinstance(content, list):  # content parts
                content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
            parts.append(str(content or ""))
        return "\n".join(parts)

    @property
    def system(self) -> str:
        """All system (or developer) message text, joined."""
        return "\n".join(t for t in (self._content("system"), self._content("developer")) if t)

    @property
    def user(self) -> str:
        """All user message text, joined."""
        return self._content("user")


def echo_user(request: ChatRequest) -> str:
    """A `reply` function that answers with the user message it received."""
    return request.user


Reply = str | Callable[[ChatRequest], str]


class OpenAIFake:
    """A chat-completions HTTP server on 127.0.0.1 in a background thread (see module doc)."""

    def __init__(self, reply: Reply = "Xin chào.", *, model: str = "fake-model") -> None:
        self.model = model
        self._default_reply = reply
        self.reply: Reply = reply
        self.delay_s = 0.0
        self.status = 200
        self.raw_body: bytes | None = None
        self.finish_reason = "stop"
        self.requests: list[ChatRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> OpenAIFake:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        handler = _make_handler(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._stopping.clear()
        self._thread = threading.Thread(target=self._server.serve_forever, name="openai-fake", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; sleeping (slow) replies are woken up and dropped."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> OpenAIFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget recorded requests and restore the default behaviour."""
        with self._lock:
            self.requests.clear()
        self.reply = self._default_reply
        self.delay_s = 0.0
        self.status = 200
        self.raw_body = None
        self.finish_reason = "stop"

    # --- addresses ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("OpenAIFake is not running; use `with OpenAIFake() as fake:`")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What to give an OpenAI client as base_url: http://127.0.0.1:PORT/v1."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def last_request(self) -> ChatRequest:
        """The most recent request (raises if none arrived)."""
        with self._lock:
            if not self.requests:
                raise AssertionError("the fake received no request")
            return self.requests[-1]

    # --- internals -----------------------------------------------------------------------------
    def _record(self, request: ChatRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _reply_text(self, request: ChatRequest) -> str:
        reply = self.reply
        return reply(request) if callable(reply) else str(reply)


def _headers(handler: BaseHTTPRequestHandler) -> dict[str, str]:
    return {name.lower(): value for name, value in handler.headers.items()}


def _count_tokens(text: str) -> int:
    return max(1, len(text.split())) if text else 0


def _make_handler(fake: OpenAIFake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return  # keep test output clean

        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout); nothing to do

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            self._send(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

        def do_GET(self) -> None:  # noqa: N802
            fake._record(ChatRequest("GET", self.path, _headers(self), None))
            if self.path.rstrip("/").endswith("/models"):
                self._json(
                    200,
                    {
                        "object": "list",
                        "data": [{"id": fake.model, "object": "model", "owned_by": "fake"}],
                    },
                )
                return
            self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw.decode("utf-8")) if raw else None
            except (UnicodeDecodeError, json.JSONDecodeError):
                body = None
            request = ChatRequest("POST", self.path, _headers(self), body, raw)
            fake._record(request)

            if fake.delay_s > 0 and fake._stopping.wait(fake.delay_s):
                return  # server stopping: drop the slow reply
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                return
            if fake.status != 200:
                self._json(
                    fake.status,
                    {
                        "error": {
                            "message": "fake upstream failure",
                            "type": "server_error",
                            "code": None,
                        }
                    },
                )
                return
            if fake.raw_body is not None:
                self._send(200, fake.raw_body)
                return
            if body is None or not isinstance(body.get("messages"), list):
                self._json(400, {"error": {"message": "messages required", "type": "invalid_request_error"}})
                return

            text = fake._reply_text(request)
            completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
            created = int(time.time())
            prompt_tokens = sum(_count_tokens(str(m.get("content", ""))) for m in request.messages)
            usage = {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": _count_tokens(text),
                "total_tokens": prompt_tokens + _count_tokens(text),
            }
            if body.get("stream"):
                self._stream(completion_id, created, text, usage, body)
                return
            self._json(
                200,
                {
                    "id": completion_id,
                    "object": "chat.completion",
                    "created": created,
                    "model": body.get("model") or fake.model,
                    "system_fingerprint": "fp_fake",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text, "refusal": None},
                            "logprobs": None,
                            "finish_reason": fake.finish_reason,
                        }
                    ],
                    "usage": usage,
                },
            )

        def _stream(
            self, completion_id: str, created: int, text: str, usage: dict[str, int], body: dict[str, Any]
        ) -> None:
            model = body.get("model") or fake.model

            def chunk(delta: dict[str, Any], finish: str | None, with_usage: bool = False) -> bytes:
                payload: dict[str, Any] = {
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                }
                if with_usage:
                    payload["choices"] = []
                    payload["usage"] = usage
                return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()

            pieces = [chunk({"role": "assistant", "content": ""}, None)]
            words = text.split(" ")
            for i, word in enumerate(words):
                pieces.append(chunk({"content": word if i == 0 else " " + word}, None))
            pieces.append(chunk({}, fake.finish_reason))
            if (body.get("stream_options") or {}).get("include_usage"):
                pieces.append(chunk({}, None, with_usage=True))
            pieces.append(b"data: [DONE]\n\n")
            self._send(200, b"".join(pieces), content_type="text/event-stream")

    return Handler


@pytest.fixture
def openai_fake() -> Iterator[OpenAIFake]:
    """A running OpenAIFake for one test (import this name into a test module to use it)."""
    with OpenAIFake() as fake:
        yield fake
