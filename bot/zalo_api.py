"""The Zalo Official Account HTTP APIs the channel uses, and the webhook signature.

- Webhook events carry `X-ZEvent-Signature: mac=<hex>` where hex is the plain SHA-256 (not an HMAC)
  of app_id + raw request body + timestamp + OA secret key; app_id and timestamp are the values
  in the event's JSON body.
- Sending: `POST {api_base}/v3.0/oa/message/cs` with header `access_token`; success is HTTP 200
  with `"error": 0`; error -216 means the access token expired.
- Files: `POST {api_base}/v2.0/oa/upload/file` (multipart `file`; answers `data.token`, which a
  message attaches as `{"type": "file", "payload": {"token": ...}}`; Zalo documents PDF/DOC/DOCX)
- Images: `POST {api_base}/v2.0/oa/upload/image` (multipart field `file`, header `access_token`)
  returns `data.attachment_id`, used in a message's `media` template.
- Tokens: `POST {oauth_base}/v4/oa/access_token` (form: refresh_token, app_id,
  grant_type=refresh_token; header secret_key) returns a new access token and a new refresh token
  (the old refresh token is then used up).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bot.zalo_store import TokenPair

SIGNATURE_HEADER = "X-ZEvent-Signature"
SEND_PATH = "/v3.0/oa/message/cs"
UPLOAD_IMAGE_PATH = "/v2.0/oa/upload/image"
UPLOAD_FILE_PATH = "/v2.0/oa/upload/file"  # documents (certificate PDF, data export); answers data.token
MAX_FILE_BYTES = 5_000_000  # Zalo's limit for uploaded files
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
MAX_IMAGE_BYTES = 1_000_000  # Zalo's limit for uploaded images
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
OAUTH_PATH = "/v4/oa/access_token"
ERROR_TOKEN_EXPIRED = -216
DEFAULT_TOKEN_LIFETIME_S = 90_000  # Zalo's access tokens live ~25 h


def event_signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """Hex SHA-256 of app_id + raw body + timestamp + OA secret key (Zalo's webhook `mac`)."""
    data = app_id.encode("utf-8") + body + timestamp.encode("utf-8") + oa_secret_key.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def verify_signature(header_value: str | None, app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> bool:
    """Constant-time check of an `X-ZEvent-Signature` value, with or without its `mac=` prefix."""
    if not header_value or not oa_secret_key:
        return False
    given = header_value.strip()
    if given[:4].lower() == "mac=":
        given = given[4:]
    expected = event_signature(app_id, body, timestamp, oa_secret_key)
    return hmac.compare_digest(given.lower().encode("ascii", "replace"), expected.encode("ascii"))


class ZaloApiError(Exception):
    """Zalo answered with an error (HTTP status or a non-zero `error`); no token in the message."""

    def __init__(self, code: int, label: str = "") -> None:
        super().__init__(f"Zalo error {code}" + (f" ({label})" if label else ""))
        self.code = code


@dataclass(frozen=True)
class SendResult:
    """What the send API answered: `error` 0 is success; `message_id` when sent."""

    error: int
    message: str = ""
    message_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.error == 0


class ZaloApi:
    """Thin async client of the OA message and OAuth APIs (one shared httpx.AsyncClient)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        api_base: str,
        oauth_base: str,
        app_id: str,
        app_secret: str,
    ) -> None:
        self._client = client
        self._send_url = api_base.rstrip("/") + SEND_PATH
        self._upload_url = api_base.rstrip("/") + UPLOAD_IMAGE_PATH
        self._upload_file_url = api_base.rstrip("/") + UPLOAD_FILE_PATH
        self._oauth_url = oauth_base.rstrip("/") + OAUTH_PATH
        self._app_id = app_id
        self._app_secret = app_secret

    async def send(self, access_token: str, user_id: str, message: dict[str, Any]) -> SendResult:
        """Send one customer-service message; HTTP failures come back as a negative `error`."""
        response = await self._client.post(
            self._send_url,
            headers={"access_token": access_token},
            json={"recipient": {"user_id": user_id}, "message": message},
        )
        return _result(response)

    async def upload_image(self, access_token: str, data: bytes, filename: str, content_type: str) -> SendResult:
        """Upload an image; on success `message_id` holds the attachment id."""
        response = await self._client.post(
            self._upload_url,
            headers={"access_token": access_token},
            files={"file": (filename, data, content_type)},
        )
        result = _result(response)
        if result.ok:
            body = response.json()
            attachment = (body.get("data") or {}).get("attachment_id") if isinstance(body.get("data"), dict) else None
            if not attachment:
                return SendResult(error=-1, message="no attachment_id")
            return SendResult(error=0, message=result.message, message_id=str(attachment))
        return result

    async def upload_file(self, access_token: str, data: bytes, filename: str, content_type: str) -> SendResult:
        """Upload a document; on success `message_id` holds the file token a message attaches."""
        response = await self._client.post(
            self._upload_file_url,
            headers={"access_token": access_token},
            files={"file": (filename, data, content_type)},
        )
        result = _result(response)
        if result.ok:
            body = response.json()
            token = (body.get("data") or {}).get("token") if isinstance(body.get("data"), dict) else None
            if not token:
                return SendResult(error=-1, message="no file token")
            return SendResult(error=0, message=result.message, message_id=str(token))
        return result

    async def refresh(self, refresh_token: str, now: datetime | None = None) -> TokenPair:
        """Exchange the (single-use) refresh token for a new pair; raises ZaloApiError on failure."""
        response = await self._client.post(
            self._oauth_url,
            headers={"secret_key": self._app_secret},
            data={"refresh_token": refresh_token, "app_id": self._app_id, "grant_type": "refresh_token"},
        )
        if response.status_code != 200:
            raise ZaloApiError(-response.status_code, "OAuth HTTP status")
        try:
            body = response.json()
        except ValueError as exc:
            raise ZaloApiError(-1, "OAuth response is not JSON") from exc
        access = body.get("access_token") if isinstance(body, dict) else None
        refresh = body.get("refresh_token") if isinstance(body, dict) else None
        if not access or not refresh:
            code = body.get("error", -1) if isinstance(body, dict) else -1
            try:
                code = int(code)
            except (TypeError, ValueError):
                code = -1
            raise ZaloApiError(code, "OAuth refused the refresh token")
        try:
            lifetime = int(body.get("expires_in", DEFAULT_TOKEN_LIFETIME_S))
        except (TypeError, ValueError):
            lifetime = DEFAULT_TOKEN_LIFETIME_S
        at = now or datetime.now(UTC)
        return TokenPair(str(access), str(refresh), at + timedelta(seconds=lifetime))


def _result(response: httpx.Response) -> SendResult:
    """Read an OA API answer: HTTP 200 and `"error": 0` is success; anything else an error code."""
    if response.status_code != 200:
        return SendResult(error=-response.status_code or -1, message=f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        return SendResult(error=-1, message="response is not JSON")
    if not isinstance(body, dict):
        return SendResult(error=-1, message="response is not an object")
    try:
        error = int(body.get("error", -1))
    except (TypeError, ValueError):
        error = -1
    data = body.get("data")
    message_id = data.get("message_id") if isinstance(data, dict) else None
    return SendResult(error=error, message=str(body.get("message", ""))[:200], message_id=message_id)
