"""A local Telegram Bot API server on 127.0.0.1 for tests and the webhook benchmark.

It speaks the real HTTP protocol PTB uses (`POST /bot<token>/<method>` with form-encoded or
multipart parameters, JSON answers `{"ok": ..., "result": ...}`), keeps a queue of updates for
long-polling `getUpdates`, and records every call. `block(chat_id)` makes sends to a chat fail with
403 Forbidden, as Telegram does when a user blocked the bot. `voice_update(...)` registers a file
that `getFile` describes and `GET /file/bot<token>/<file_path>` serves, as Telegram does for voice notes.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuv"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Hocvuso",
    "username": "hocvuso_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_MESSAGE_METHODS = {"sendMessage", "sendPhoto", "sendDocument", "sendPoll", "editMessageText", "editMessageReplyMarkup"}


@dataclass
class ApiCall:
    """One request the bot made: method, decoded parameters and uploaded files."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value not in (None, "") else None

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    def json(self, name: str) -> Any:
        """A parameter PTB sent JSON-encoded (reply_markup, options, ...), decoded."""
        value = self.params.get(name)
        if isinstance(value, str):
            return json.loads(value)
        return value


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up mid-answer (a bot shutting down during a long poll) is not an error."""

    request_queue_size = 256  # a burst of new connections must not be refused like at the default 5

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class FakeTelegramApi:
    """A threaded HTTP server imitating the Bot API methods the channel uses."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[ApiCall] = []
        self.blocked: set[int] = set()
        self.webhook: dict[str, Any] = {}
        self.listeners: list[Callable[[ApiCall], None]] = []  # called (in a server thread) per call
        self._updates: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._poll_ids = itertools.count(1)
        self.files: dict[str, bytes] = {}  # file_id -> content, served by getFile + the file URL
        self.file_downloads: list[str] = []  # file_path of every download
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> FakeTelegramApi:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                fake._serve(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            with self._cond:
                self._cond.notify_all()
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeTelegramApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What goes into `telegram.base_url`."""
        return f"http://127.0.0.1:{self.port}/bot"

    # --- test helpers --------------------------------------------------------------------
    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (an update_id is assigned when missing)."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        with self._cond:
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def block(self, chat_id: int) -> None:
        """From now on, sending to this chat fails with 403 (the user blocked the bot)."""
        self.blocked.add(int(chat_id))

    def find(self, method: str | None = None, chat_id: int | None = None) -> list[ApiCall]:
        """Recorded calls, optionally of one method and/or to one chat."""
        with self._cond:
            calls = list(self.calls)
        return [
            c for c in calls if (method is None or c.method == method) and (chat_id is None or c.chat_id == chat_id)
        ]

    def wait_for(self, predicate: Callable[[list[ApiCall]], bool], timeout: float = 10.0) -> list[ApiCall]:
        """Block until predicate(all calls) is true; raise TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(list(self.calls)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"condition not met; calls: {[c.method for c in self.calls]}")
                self._cond.wait(min(remaining, 0.1))
            return list(self.calls)

    # --- update builders -----------------------------------------------------------------
    @staticmethod
    def user(user_id: int, first_name: str = "Lan") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}

    @staticmethod
    def chat(user_id: int, first_name: str = "Lan") -> dict[str, Any]:
        return {"id": user_id, "type": "private", "first_name": first_name}

    def message_update(
        self, user_id: int, text: str, *, message_id: int | None = None, update_id: int | None = None
    ) -> dict[str, Any]:
        """A private text message (commands start with '/', with a bot_command entity)."""
        message: dict[str, Any] = {
            "message_id": message_id if message_id is not None else next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(user_id),
            "from": self.user(user_id),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split(" ")[0])}]
        return {"update_id": update_id if update_id is not None else next(self._update_ids), "message": message}

    def sticker_update(self, user_id: int) -> dict[str, Any]:
        return {
            "update_id": next(self._update_ids),
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": self.chat(user_id),
                "from": self.user(user_id),
                "sticker": {
                    "file_id": "stk1",
                    "file_unique_id": "u-stk1",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                },
            },
        }

    def voice_update(
        self, user_id: int, data: bytes, *, duration: int, kind: str = "voice", mime_type: str = "audio/ogg"
    ) -> dict[str, Any]:
        """A voice note (kind "voice") or an audio file (kind "audio") whose bytes the fake serves."""
        file_id = f"file{next(self._update_ids)}"
        self.files[file_id] = data
        media = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "duration": duration,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        return {
            "update_id": next(self._update_ids),
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": self.chat(user_id),
                "from": self.user(user_id),
                kind: media,
            },
        }

    def callback_update(self, user_id: int, data: str, message: dict[str, Any] | None = None) -> dict[str, Any]:
        """A button press; `message` is the bot message the button belonged to (as sent)."""
        query: dict[str, Any] = {
            "id": f"cq{next(self._update_ids)}",
            "from": self.user(user_id),
            "chat_instance": f"ci{user_id}",
            "data": data,
        }
        if message is not None:
            query["message"] = message
        return {"update_id": next(self._update_ids), "callback_query": query}

    def poll_answer_update(self, user_id: int, poll_id: str, option: int) -> dict[str, Any]:
        return {
            "update_id": next(self._update_ids),
            "poll_answer": {
                "poll_id": poll_id,
                "user": self.user(user_id),
                "option_ids": [option],
                "option_persistent_ids": [str(option)],
            },
        }

    def sent_message(self, call: ApiCall) -> dict[str, Any]:
        """The message object the bot got back for a send call (for building callback updates)."""
        return call.params["_result"]

    # --- HTTP ----------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        prefix = f"/bot{self.token}/"
        file_prefix = f"/file/bot{self.token}/"
        if unquote(handler.path).startswith(file_prefix):  # PTB percent-encodes the token's ":"
            self._serve_file(handler, unquote(handler.path)[len(file_prefix) :])
            return
        if not handler.path.startswith(prefix):
            self._respond(handler, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        method = handler.path[len(prefix) :].split("?")[0]
        params, files = _decode(handler.headers.get("Content-Type", ""), body)
        call = ApiCall(method, params, files)
        status, answer = self._answer(call)
        if answer.get("ok") and isinstance(answer.get("result"), dict):
            call.params["_result"] = answer["result"]
        if method != "getUpdates" or answer.get("result"):
            with self._cond:
                self.calls.append(call)
                self._cond.notify_all()
            for listener in self.listeners:
                listener(call)
        self._respond(handler, status, answer)

    def _serve_file(self, handler: BaseHTTPRequestHandler, file_path: str) -> None:
        file_id = file_path.rsplit("/", 1)[-1].split(".")[0]
        data = self.files.get(file_id)
        with self._cond:
            self.file_downloads.append(file_path)
        if data is None:
            self._respond(handler, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    @staticmethod
    def _respond(handler: BaseHTTPRequestHandler, status: int, answer: dict[str, Any]) -> None:
        data = json.dumps(answer).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, call: ApiCall) -> tuple[int, dict[str, Any]]:
        method, p = call.method, call.params
        if method in _MESSAGE_METHODS or method.startswith("send"):
            chat_id = call.chat_id
            if chat_id is not None and chat_id in self.blocked:
                return 403, {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was blocked by the user",
                }
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(p)}
        if method == "setWebhook":
            self.webhook = {k: v for k, v in p.items() if not k.startswith("_")}
            return 200, {"ok": True, "result": True}
        if method == "deleteWebhook":
            self.webhook = {}
            return 200, {"ok": True, "result": True}
        if method == "getWebhookInfo":
            return 200, {
                "ok": True,
                "result": {
                    "url": self.webhook.get("url", ""),
                    "has_custom_certificate": False,
                    "pending_update_count": 0,
                },
            }
        if method == "getFile":
            file_id = str(p.get("file_id", ""))
            if file_id not in self.files:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
            size = len(self.files[file_id])
            result = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": size}
            return 200, {"ok": True, "result": {**result, "file_path": f"voice/{file_id}.oga"}}
        if method in ("answerCallbackQuery", "setMyCommands", "deleteMessage"):
            return 200, {"ok": True, "result": True}
        if method in _MESSAGE_METHODS:
            return 200, {"ok": True, "result": self._message_result(call)}
        return 200, {"ok": True, "result": True}

    def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        timeout = float(p.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or self._server is None:
                    return list(self._updates[:100])
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._cond.wait(min(remaining, 0.2))

    def _message_result(self, call: ApiCall) -> dict[str, Any]:
        p = call.params
        chat_id = call.chat_id or 0
        message_id = int(p["message_id"]) if "message_id" in p else next(self._message_ids)
        result: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Lan"},
            "from": BOT_USER,
        }
        if call.method in ("sendMessage", "editMessageText"):
            result["text"] = p.get("text", "")
        if "reply_markup" in p and p["reply_markup"] not in (None, "", "null"):
            markup = call.json("reply_markup")
            if isinstance(markup, dict) and "inline_keyboard" in markup:  # like Telegram: only inline ones
                result["reply_markup"] = markup
        if call.method == "sendPhoto":
            result["photo"] = [{"file_id": "ph1", "file_unique_id": "u-ph1", "width": 320, "height": 240}]
            if p.get("caption"):
                result["caption"] = p["caption"]
        if call.method == "sendDocument":
            result["document"] = {"file_id": "doc1", "file_unique_id": "u-doc1", "file_name": "file.pdf"}
            if p.get("caption"):
                result["caption"] = p["caption"]
        if call.method == "sendPoll":
            options = call.json("options")
            result["poll"] = {
                "id": f"poll{next(self._poll_ids)}",
                "question": p.get("question", ""),
                "options": [
                    {
                        "text": o if isinstance(o, str) else o.get("text", ""),
                        "voter_count": 0,
                        "persistent_id": str(i),
                    }
                    for i, o in enumerate(options)
                ],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": False,
                "type": p.get("type", "quiz"),
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
                "correct_option_ids": call.json("correct_option_ids") or [],
            }
        return result


def _decode(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Parameters and files of a Bot API request (form, multipart or JSON)."""
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    if not body:
        return params, files
    if content_type.startswith("application/json"):
        return dict(json.loads(body)), files
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            if part.get_filename():
                files[str(name)] = data
            else:
                params[str(name)] = data.decode("utf-8")
        return params, files
    for key, values in parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
        params[key] = values[-1]
    return params, files
