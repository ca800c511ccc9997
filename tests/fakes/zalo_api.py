"""A local Zalo OA API server on 127.0.0.1 for tests: the message API and OAuth token refresh.

It speaks the real protocol the channel uses: `POST /v3.0/oa/message/cs` (header `access_token`,
JSON body; answers HTTP 200 with `"error": 0`, or `-216` for an expired/unknown token) and
`POST /v4/oa/access_token` (form refresh_token, app_id, grant_type=refresh_token; header
secret_key; answers a new pair, after which the presented refresh token is used up, as Zalo's
refresh tokens are single-use), and `POST /v2.0/oa/upload/image` (multipart `file`; answers
`data.attachment_id`; a message's media template must name an uploaded id). Every call is recorded.
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
from urllib.parse import parse_qs

APP_ID = "3608465249409039670"
APP_SECRET = "app-secret-KJH23kjh2"
FIRST_ACCESS = "access-0"
FIRST_REFRESH = "refresh-0"


@dataclass
class Call:
    """One request: path, headers (lower-case names), decoded JSON or form body."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    ok: bool = False  # the API accepted it (messages: sent; OAuth: a new pair issued)
    at: float = field(default_factory=time.monotonic)

    @property
    def user_id(self) -> str | None:
        return (self.body.get("recipient") or {}).get("user_id")

    @property
    def text(self) -> str:
        return str((self.body.get("message") or {}).get("text", ""))

    @property
    def button_titles(self) -> list[str]:
        attachment = (self.body.get("message") or {}).get("attachment") or {}
        return [b["title"] for b in (attachment.get("payload") or {}).get("buttons", [])]

    @property
    def attachment_ids(self) -> list[str]:
        attachment = (self.body.get("message") or {}).get("attachment") or {}
        payload = attachment.get("payload") or {}
        if payload.get("template_type") != "media":
            return []
        return [e.get("attachment_id") for e in payload.get("elements", [])]

    @property
    def buttons(self) -> list[dict[str, Any]]:
        attachment = (self.body.get("message") or {}).get("attachment") or {}
        return list((attachment.get("payload") or {}).get("buttons", []))


class FakeZaloApi:
    """A threaded HTTP server imitating openapi.zalo.me (messages) and oauth.zaloapp.com (tokens)."""

    def __init__(self, app_id: str = APP_ID, app_secret: str = APP_SECRET) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.calls: list[Call] = []
        self.valid_access: set[str] = {FIRST_ACCESS}
        self.valid_refresh: set[str] = {FIRST_REFRESH}
        self.presented_refresh: list[str] = []
        self.refresh_delay_s = 0.0
        self.uploads: dict[str, bytes] = {}  # attachment id -> image bytes
        self.files: dict[str, tuple[str, bytes]] = {}  # file token -> (file name, bytes)
        self.refused_file_suffixes: set[str] = set()  # e.g. {".json"}: uploads Zalo would refuse
        self.media: dict[str, bytes] = {}  # name -> bytes served at GET /media/<name> (audio messages)
        self.media_downloads: list[str] = []
        self._counter = itertools.count(1)
        self._cond = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> FakeZaloApi:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer = fake._handle(self.path, headers, raw)
                data = json.dumps(answer).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                name = self.path.removeprefix("/media/")
                fake.media_downloads.append(name)
                data = fake.media.get(name)
                self.send_response(200 if data is not None else 404)
                self.send_header("Content-Type", "audio/aac")
                self.send_header("Content-Length", str(len(data or b"")))
                self.end_headers()
                self.wfile.write(data or b"")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def serve_media(self, name: str, data: bytes) -> str:
        """Serve `data` as Zalo's CDN serves an audio message; returns its URL."""
        self.media[name] = data
        return f"{self.base_url}/media/{name}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- behaviour -----------------------------------------------------------------------
    def expire(self, access_token: str) -> None:
        """Make an access token expired (sends with it get error -216)."""
        with self._cond:
            self.valid_access.discard(access_token)

    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        if path == "/v2.0/oa/upload/file":
            return self._upload_file(path, headers, raw)
        if path == "/v2.0/oa/upload/image":
            content_type = headers.get("content-type", "")
            parsed = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
            files = (
                {
                    str(part.get_param("name", header="content-disposition")): part.get_payload(decode=True) or b""
                    for part in parsed.iter_parts()
                    if part.get_filename()
                }
                if parsed.is_multipart()
                else {}
            )
            with self._cond:
                call = Call(path, headers, {"files": sorted(files)})
                self.calls.append(call)
                if headers.get("access_token") not in self.valid_access:
                    answer = {"error": -216, "message": "Access token is invalid"}
                elif "file" not in files or not files["file"].startswith((b"\x89PNG", b"\xff\xd8")):
                    answer = {"error": -210, "message": "file is not a PNG/JPEG image"}
                else:
                    attachment = f"att-{next(self._counter)}"
                    self.uploads[attachment] = files["file"]
                    call.ok = True
                    answer = {"error": 0, "message": "Success", "data": {"attachment_id": attachment}}
                self._cond.notify_all()
            return 200, answer
        if path == "/v3.0/oa/message/cs":
            try:
                body = json.loads(raw)
            except ValueError:
                return 400, {"error": -201, "message": "body is not JSON"}
            text = str((body.get("message") or {}).get("text", ""))
            with self._cond:
                call = Call(path, headers, body)
                self.calls.append(call)
                if headers.get("access_token") not in self.valid_access:
                    answer: dict[str, Any] = {"error": -216, "message": "Access token is invalid"}
                elif (not text and not self._is_file_message(body)) or len(text) > 2000:
                    answer = {"error": -201, "message": "text is empty or longer than 2000"}
                elif not self._attachment_ok(body):
                    answer = {"error": -210, "message": "unknown attachment_id"}
                else:
                    call.ok = True
                    answer = {
                        "error": 0,
                        "message": "Success",
                        "data": {"message_id": f"m{next(self._counter):08d}", "user_id": call.user_id},
                    }
                self._cond.notify_all()
            return 200, answer
        if path == "/v4/oa/access_token":
            form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
            if self.refresh_delay_s:
                time.sleep(self.refresh_delay_s)
            with self._cond:
                call = Call(path, headers, form)
                self.calls.append(call)
                self.presented_refresh.append(form.get("refresh_token", ""))
                self._cond.notify_all()
                if headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
                    return 200, {"error": -14002, "error_name": "Invalid app", "error_description": "bad secret"}
                if form.get("grant_type") != "refresh_token":
                    return 200, {"error": -14003, "error_name": "Invalid grant type"}
                token = form.get("refresh_token", "")
                if token not in self.valid_refresh:
                    return 200, {"error": -14014, "error_name": "Invalid refresh token"}
                self.valid_refresh.discard(token)  # single-use
                n = next(self._counter)
                access, refresh = f"access-{n}", f"refresh-{n}"
                self.valid_access.add(access)
                self.valid_refresh.add(refresh)
                call.ok = True
                self._cond.notify_all()
            return 200, {"access_token": access, "refresh_token": refresh, "expires_in": "90000"}
        return 404, {"error": -404, "message": "unknown path"}

    def _upload_file(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        content_type = headers.get("content-type", "")
        parsed = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
        parts = [p for p in parsed.iter_parts() if p.get_filename()] if parsed.is_multipart() else []
        with self._cond:
            call = Call(path, headers, {"files": [str(p.get_filename()) for p in parts]})
            self.calls.append(call)
            if headers.get("access_token") not in self.valid_access:
                answer: dict[str, Any] = {"error": -216, "message": "Access token is invalid"}
            elif not parts or any(str(parts[0].get_filename()).endswith(s) for s in self.refused_file_suffixes):
                answer = {"error": -210, "message": "file type is not supported"}
            else:
                token = f"file-{next(self._counter)}"
                self.files[token] = (str(parts[0].get_filename()), parts[0].get_payload(decode=True) or b"")
                call.ok = True
                answer = {"error": 0, "message": "Success", "data": {"token": token}}
            self._cond.notify_all()
        return 200, answer

    def _is_file_message(self, body: dict[str, Any]) -> bool:
        attachment = (body.get("message") or {}).get("attachment") or {}
        return attachment.get("type") == "file"

    def _attachment_ok(self, body: dict[str, Any]) -> bool:
        attachment = (body.get("message") or {}).get("attachment") or {}
        payload = attachment.get("payload") or {}
        if attachment.get("type") == "file":
            return payload.get("token") in self.files
        if payload.get("template_type") != "media":
            return True
        elements = payload.get("elements") or []
        return bool(elements) and all(e.get("attachment_id") in self.uploads for e in elements)

    # --- inspection ----------------------------------------------------------------------
    def messages(self, user_id: str | None = None, *, ok_only: bool = True) -> list[Call]:
        """Message API calls (accepted ones unless ok_only=False), optionally to one user."""
        with self._cond:
            calls = [c for c in self.calls if c.path == "/v3.0/oa/message/cs"]
            if ok_only:
                calls = [c for c in calls if c.ok]
        return [c for c in calls if user_id is None or c.user_id == user_id]

    def file_calls(self) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.path == "/v2.0/oa/upload/file"]

    def upload_calls(self) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.path == "/v2.0/oa/upload/image"]

    def oauth_calls(self) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.path == "/v4/oa/access_token"]

    def wait_for(self, predicate: Callable[[FakeZaloApi], bool], timeout: float = 15.0) -> None:
        """Block until predicate(self) holds; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("the fake Zalo API did not see the expected calls in time")
                self._cond.wait(remaining)
