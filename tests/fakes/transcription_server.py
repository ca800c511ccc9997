"""A real, local OpenAI-compatible transcription server for tests (`POST /v1/audio/transcriptions`).

    with TranscriptionFake(text="mật khẩu mạnh") as fake:
        RemoteWhisper(RemoteConfig(fake.base_url, "whisper-large", "key")).transcribe_wav(wav)
        assert fake.requests[-1].fields["model"] == "whisper-large"

Attributes apply to the next request: `text` (the transcript), `status` (an HTTP error instead),
`raw_body` (bytes sent as-is with 200), `delay_s`. `requests` records what was received (headers
lower-cased, the multipart form fields, the uploaded file's bytes).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class TranscriptionRequest:
    path: str
    headers: dict[str, str]
    fields: dict[str, str] = field(default_factory=dict)
    file: bytes = b""
    filename: str = ""


class TranscriptionFake:
    """A threaded HTTP server on 127.0.0.1 (random port) speaking the transcription API."""

    def __init__(self, text: str = "xin chào") -> None:
        self.text = text
        self.status = 200
        self.raw_body: bytes | None = None
        self.delay_s = 0.0
        self.requests: list[TranscriptionRequest] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet test output
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                request = TranscriptionRequest(self.path, {k.lower(): v for k, v in self.headers.items()})
                message = BytesParser(policy=HTTP).parsebytes(
                    f"Content-Type: {self.headers.get('content-type')}\r\n\r\n".encode() + body
                )
                for part in message.iter_parts() if message.is_multipart() else []:
                    name = part.get_param("name", header="content-disposition")
                    payload = part.get_payload(decode=True) or b""
                    if part.get_filename():
                        request.file, request.filename = payload, part.get_filename()
                    elif name:
                        request.fields[str(name)] = payload.decode("utf-8")
                fake.requests.append(request)
                if fake.delay_s:
                    time.sleep(fake.delay_s)
                if self.path != "/v1/audio/transcriptions":
                    self._send(404, b'{"error": {"message": "not found"}}')
                elif fake.status != 200:
                    self._send(fake.status, b'{"error": {"message": "boom"}}')
                elif fake.raw_body is not None:
                    self._send(200, fake.raw_body)
                else:
                    self._send(200, json.dumps({"text": fake.text}, ensure_ascii=False).encode("utf-8"))

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> TranscriptionFake:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
