"""Property-based hostile input (issue 14): arbitrary Unicode (lone surrogates, NUL, tag and bidi
characters), arbitrary JSON shapes and sizes fed to the web chat, the Telegram webhook, the Zalo
webhook (signed) and `Conversation.handle`. Whatever comes in: no 500, no exception, no ERROR log
line — the turn is answered or refused — and afterwards every learner can still export their data.

Real HTTP (uvicorn in a thread), the real tutor core (questions answered by `FakeAnswerer`, so no
embedding model), real SQLite. Examples are derandomized: the same inputs on every run.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.server import create_app
from bot.telegram import SECRET_HEADER
from bot.webchat import WebChat, WebChatConfig
from hocvuso.container import Container
from hocvuso.redaction import redact_secrets
from tests.bot.telegram_helpers import WEBHOOK_SECRET, make_channel
from tests.bot.zalo_helpers import OA_SECRET_KEY, make_zalo_channel, text_event
from tests.conftest import make_settings
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.zalo_api import APP_ID, APP_SECRET, FIRST_ACCESS, FIRST_REFRESH, FakeZaloApi
from tests.tutor.conversation_kit import FakeAnswerer, build_tutor
from tutor.messages import Inbound, Reply

pytestmark = pytest.mark.slow
EXAMPLES = int(os.environ.get("HOCVUSO_TEST_PROPERTY_EXAMPLES", "120"))  # more for a soak run
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
TRIED: Counter[str] = Counter()  # inputs tried per boundary (printed at the end of the module)
STATUSES: Counter[str] = Counter()

# --- strategies ---------------------------------------------------------------------------------
HOSTILE_PIECES = st.one_of(
    st.characters(),
    st.integers(0xD800, 0xDFFF).map(chr),  # lone surrogates
    st.integers(0xE0000, 0xE007F).map(chr),  # tag characters
    st.sampled_from(
        ["\x00", "\x1b", "\u202e", "\u200b", "\ufeff", "\ufffd", "<script>", "/start", "/taidulieu", "'; --"]
    ),
    st.sampled_from(["Đồng ý", "có", "mật khẩu là gì?", "/xoadulieu", "/hoc", "/tiendo", " "]),
)
TEXT = st.lists(HOSTILE_PIECES, max_size=40).map("".join) | st.integers(0, 5000).map(lambda n: "đ" * n)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | TEXT
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12
)
DEEP = st.integers(1, 6000).map(lambda n: "[" * n + "]" * n)
BIG_NUMBERS = st.integers(18, 400).map(lambda n: '{"text": "a", "id": ' + "9" * n + "}")


def dumps(value: Any) -> bytes:
    """JSON the way a hostile client writes it: surrogates escaped, NaN allowed."""
    return json.dumps(value, ensure_ascii=True).encode("ascii")


TEXT_BODIES = st.fixed_dictionaries({"text": TEXT}, optional={"id": TEXT, "payload": TEXT}).map(dumps)
WEB_BODIES = st.one_of(
    TEXT_BODIES,
    TEXT_BODIES,
    TEXT_BODIES,
    st.fixed_dictionaries({}, optional={"text": JSON_VALUES, "payload": JSON_VALUES, "id": JSON_VALUES}).map(dumps),
    JSON_VALUES.map(dumps),
    DEEP.map(str.encode),
    BIG_NUMBERS.map(str.encode),
    st.binary(max_size=300),
)


def zalo_signed(event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """A correctly signed Zalo event whose body escapes everything (surrogates included)."""
    body = dumps(event)
    mac = hashlib.sha256(
        str(event["app_id"]).encode() + body + str(event["timestamp"]).encode() + OA_SECRET_KEY.encode()
    ).hexdigest()
    return body, {"X-ZEvent-Signature": "mac=" + mac, "Content-Type": "application/json"}


# --- servers ------------------------------------------------------------------------------------
class ThreadedServer:
    """uvicorn serving an app on a free port from a thread of its own (hypothesis tests are sync)."""

    def __init__(self, app: Any) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 300
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.server.started, "uvicorn did not start"
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=120)


class ErrorLog(logging.Handler):
    """ERROR records of our packages (a traceback or failure anywhere in a turn)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in ("bot", "tutor", "knowledge", "hocvuso"):
            self.records.append(f"{record.name}: {record.getMessage()[:300]}")


class SecretScan(logging.Handler):
    """Every record at every level (root at DEBUG for the module): lines per level, and the lines
    holding one of the rig's secrets (registered for redaction as the composition root does)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.secrets = secrets
        self.lines: Counter[str] = Counter()
        self.leaks: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        self.lines[record.levelname] += 1
        if any(secret in line for secret in self.secrets):
            self.leaks[record.levelname] += 1


@contextlib.contextmanager
def debug_logging(handler: logging.Handler) -> Iterator[None]:
    """Root at DEBUG with `handler`, libraries' chatter included (SQL statements excepted: volume)."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "httpx", "httpcore", "telegram", "sqlalchemy")}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


class Rig:
    """The tutor and the three channels, served on one app."""

    def __init__(self, root: Path) -> None:
        (root / "data").mkdir()
        self.container = Container(make_settings(root / "data", None))
        self.tutor = build_tutor(self.container, answerer=FakeAnswerer(), rate_limit_per_minute=100_000)
        self.telegram_api = FakeTelegramApi().start()
        self.zalo_api = FakeZaloApi().start()
        inbox = self.container.channel_inbox
        from bot.telegram_store import PollStore
        from bot.zalo_store import ZaloTokenStore, ZaloUserStore
        from tests.bot.telegram_helpers import Repos
        from tests.bot.zalo_helpers import ZaloRepos

        factory = self.container.session_factory
        self.telegram = make_channel(
            self.telegram_api, Repos(factory, inbox, PollStore(factory)), self.tutor, mode="webhook"
        )
        zalo_repos = ZaloRepos(factory, inbox, ZaloTokenStore(factory), ZaloUserStore(factory))
        self.zalo = make_zalo_channel(self.zalo_api, zalo_repos, self.tutor)
        self.web = WebChat(
            WebChatConfig(
                cookie_secret=b"property-tests",
                reminder_check_s=0,
                new_learners_per_minute=0,  # no flood limit: every example reaches the tutor
                messages_per_minute=0,
            ),
            self.tutor,
        )
        self.app = create_app(channels=[self.telegram, self.zalo, self.web])
        self.errors = ErrorLog()
        secrets = [self.telegram_api.token, WEBHOOK_SECRET, OA_SECRET_KEY, APP_SECRET, FIRST_ACCESS, FIRST_REFRESH]
        redact_secrets(*secrets)  # what the composition root does with the configured ones
        self.secrets = SecretScan(secrets)

    def close(self) -> None:
        self.telegram_api.stop()
        self.zalo_api.stop()
        self.container.close()


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Rig, httpx.Client]]:
    built = Rig(tmp_path_factory.mktemp("property"))
    logging.getLogger().addHandler(built.errors)
    try:
        with debug_logging(built.secrets), ThreadedServer(built.app) as base_url:
            with httpx.Client(base_url=base_url, timeout=120) as client:
                yield built, client
                asyncio.run(_settle(built))
    finally:
        logging.getLogger().removeHandler(built.errors)
        built.close()
        print(f"\nhostile inputs tried: {dict(TRIED)}; statuses: {dict(STATUSES)}")
        print(f"log lines per level: {dict(built.secrets.lines)}; lines with a secret: {dict(built.secrets.leaks)}")


async def _settle(rig: Rig) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        counts = {**rig.container.channel_inbox.counts("telegram"), **{}}
        pending = counts.get("received", 0) + rig.container.channel_inbox.counts("zalo").get("received", 0)
        if not pending:
            return
        await asyncio.sleep(0.1)


def _record(boundary: str, response: httpx.Response) -> None:
    TRIED[boundary] += 1
    STATUSES[f"{boundary}:{response.status_code}"] += 1
    assert response.status_code < 500, (boundary, response.status_code, response.text[:200])


# --- the properties -----------------------------------------------------------------------------
@PROPERTY
@given(body=WEB_BODIES, with_cookie=st.booleans())
def test_web_chat_never_fails(rig, body: bytes, with_cookie: bool) -> None:  # type: ignore[no-untyped-def]
    built, client = rig
    headers = {"content-type": "application/json"}
    if with_cookie:  # the client's jar keeps one learner's cookie across examples
        response = client.post("/api/chat", content=body, headers=headers)
    else:  # a new browser every time
        response = httpx.post(
            str(client.base_url).rstrip("/") + "/api/chat", content=body, headers=headers, timeout=120
        )
    _record("web", response)
    assert not built.errors.records, built.errors.records


@PROPERTY
@given(text=TEXT, extra=st.dictionaries(st.sampled_from(["message", "from", "chat", "date", "x"]), JSON_VALUES))
def test_telegram_webhook_never_fails(rig, text: str, extra: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    built, client = rig
    update = built.telegram_api.message_update(700_001, text)
    if extra:
        update["message"] = {**update["message"], **extra} if "message" not in extra else extra["message"]
    response = client.post(
        "/telegram/webhook", content=dumps(update), headers={SECRET_HEADER: WEBHOOK_SECRET, "content-type": "x"}
    )
    _record("telegram", response)
    raw = client.post("/telegram/webhook", content=dumps(extra), headers={SECRET_HEADER: WEBHOOK_SECRET})
    _record("telegram", raw)
    assert not built.errors.records, built.errors.records


@PROPERTY
@given(text=TEXT, shape=JSON_VALUES, stamp=st.sampled_from(["now", "huge", "text"]))
def test_zalo_webhook_never_fails(rig, text: str, shape: Any, stamp: str) -> None:  # type: ignore[no-untyped-def]
    built, client = rig
    event = text_event("8800001", text)
    if stamp == "huge":
        event["timestamp"] = "9" * 40
    elif stamp == "text":
        event["timestamp"] = "soon"
    body, headers = zalo_signed(event)
    _record("zalo", client.post("/zalo/webhook", content=body, headers=headers))
    odd = {"app_id": APP_ID, "timestamp": event["timestamp"], "event_name": "user_send_text", "message": shape}
    body, headers = zalo_signed(odd)
    _record("zalo", client.post("/zalo/webhook", content=body, headers=headers))
    assert not built.errors.records, built.errors.records


@PROPERTY
@given(
    user=TEXT,
    message_id=TEXT,
    text=st.none() | TEXT,
    payload=st.none() | TEXT,
    kind=st.sampled_from(["text", "button", "sticker", "photo", "voice", "other"]),
    name=st.none() | TEXT,
)
def test_conversation_handle_never_fails(rig, user, message_id, text, payload, kind, name) -> None:  # type: ignore[no-untyped-def]
    built, _client = rig
    TRIED["conversation"] += 1
    replies = built.tutor.handle(Inbound("cli", user or "u", message_id or "m", text, payload, kind, name))
    assert isinstance(replies, list) and all(isinstance(r, Reply) for r in replies)
    for reply in replies:
        assert reply.text.strip()
        reply.text.encode("utf-8")  # nothing unencodable ever comes back
    assert not built.errors.records, built.errors.records


def test_after_all_that_every_learner_can_still_export(rig) -> None:  # type: ignore[no-untyped-def]
    built, client = rig
    asyncio.run(_settle(built))
    inbox = built.container.channel_inbox
    with built.container.inbox_session_factory() as session:
        from sqlalchemy import select

        from bot.models import INBOX_FAILED, InboxRow

        failures = session.scalars(select(InboxRow.error).where(InboxRow.status == INBOX_FAILED)).all()
    assert set(failures) <= {"unreadable"}, Counter(failures)
    print(f"\ninbox: telegram {inbox.counts('telegram')}, zalo {inbox.counts('zalo')}; failed: {Counter(failures)}")
    assert inbox.counts("telegram").get("received", 0) == 0
    for learner in ("700001", "8800001"):
        channel = "telegram" if learner == "700001" else "zalo"
        replies = built.tutor.handle(Inbound(channel, learner, f"export-{learner}", "/taidulieu"))
        assert replies and all(r.text.encode("utf-8") for r in replies)
    response = client.post("/api/chat", json={"text": "/taidulieu", "id": "final"})
    _record("web", response)
    assert response.status_code == 200
    assert not built.errors.records, built.errors.records
    assert sum(built.secrets.lines.values()) > 0 and not built.secrets.leaks, dict(built.secrets.leaks)
