"""Processing one Telegram update: translate it into the tutor's `Inbound`, ask the tutor, send the
replies, close the update's inbox row.

`TelegramUpdateHandler` runs on the event loop that owns its `Bot`: the server's bot thread when
the tutor runs in threads, or the event loop of a worker process (`bot.telegram_workers`), which
then does all of this work itself so that the server process only acknowledges webhooks.
"""

from __future__ import annotations

import contextlib
import html
import logging
from collections.abc import Hashable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Bot, LinkPreviewOptions, Message, ReplyKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType, PollType
from telegram.error import Forbidden, TelegramError

from bot.runtime import Unreadable, run_in
from bot.runtime import log_failure as _log_failure
from bot.speech import SpeechService, hear
from bot.speech.audio import max_bytes_for
from bot.telegram_render import (
    MESSAGE_LIMIT,
    PARSE_MODE,
    OutDocument,
    OutPhoto,
    OutPoll,
    OutText,
    chosen_label,
    merge_plain,
    plan_reply,
    quick_keyboard,
    to_markup,
)
from bot.telegram_store import PollStore
from bot.tutor_pool import TutorRunner
from tutor.messages import APOLOGY, Inbound, InboundKind, MenuEntry, Reply

log = logging.getLogger("bot.telegram")

CHANNEL = "telegram"


def update_key(update: object) -> int:
    """The key that orders updates: the learner (or the chat); updates of one key run in order."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
        return -update.update_id
    return 0


def raw_update_key(data: dict[str, Any]) -> int:
    """`update_key` of a raw update (a webhook body) without parsing it into PTB objects."""
    for field in ("message", "edited_message", "callback_query", "poll_answer", "my_chat_member"):
        part = data.get(field)
        if not isinstance(part, dict):
            continue
        user = part.get("from") or part.get("user")
        if isinstance(user, dict) and isinstance(user.get("id"), int):
            return int(user["id"])
        chat = part.get("chat") or (part.get("message") or {}).get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    update_id = data.get("update_id")
    return -update_id if isinstance(update_id, int) else 0


@dataclass(frozen=True)
class SendOptions:
    """How replies are rendered for Telegram."""

    use_quiz_polls: bool = False
    media_root: Path | None = None  # relative Reply.image_path values are resolved here


@dataclass(frozen=True)
class _Target:
    """Where the replies to one inbound go."""

    chat_id: int
    inbound: Inbound


# What reading a well-formed-looking but hollow update raises (Update.de_json is lenient).
_MALFORMED = (AttributeError, TypeError, KeyError, ValueError)


class TelegramUpdateHandler:
    """What happens to one recorded update: the Telegram `Platform` of `bot.runtime.ChannelRuntime`
    (parse → Inbound → tutor → render → send; the runtime orders, records and apologizes)."""

    name = CHANNEL

    def __init__(
        self,
        bot: Bot,
        options: SendOptions,
        *,
        runner: TutorRunner,
        polls: PollStore,
        db_pool: Executor,
        speech: SpeechService | None = None,
    ) -> None:
        """`runner` runs the tutor (learners' messages, and marking a learner who blocked us);
        `speech` hears voice notes and audio files (None: voice notes are off)."""
        self.bot = bot
        self._speech = speech
        self._options = options
        self._runner = runner
        self._polls = polls
        self._db_pool = db_pool
        self._quick: ReplyKeyboardMarkup | None = None
        self._quick_loaded = False

    def key_of(self, data: dict[str, Any]) -> Hashable:
        """The learner (or chat) of a raw update: one learner's updates are processed in order."""
        return raw_update_key(data)

    def parse(self, data: dict[str, Any]) -> Update:
        """The raw update as PTB objects; raises `Unreadable` when PTB cannot read it."""
        try:
            return Update.de_json(data, self.bot)
        except Exception as exc:
            raise Unreadable(type(exc).__name__) from None

    async def handle(self, data: dict[str, Any]) -> None:
        """Answer one update (the runtime marks it processed, or failed and apologizes)."""
        await self._dispatch(self.parse(data))

    async def apologize(self, data: dict[str, Any]) -> None:
        """The one apology, in private chats only."""
        chat = self.parse(data).effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return
        with contextlib.suppress(TelegramError):
            await self.bot.send_message(chat.id, APOLOGY)

    async def _dispatch(self, update: Update) -> None:
        try:
            if update.my_chat_member is not None:
                await self._on_membership(update)
                return
            target = await self._target(update)
        except _MALFORMED as exc:  # PTB accepts odd shapes (a message without a chat): unreadable
            raise Unreadable(type(exc).__name__) from None
        if target is None:
            return
        replies = await self._runner.call("handle", target.inbound)
        await self.send_replies(target.chat_id, target.inbound.user_id, replies)

    async def _on_membership(self, update: Update) -> None:
        member = update.my_chat_member
        if member is None or member.chat.type != ChatType.PRIVATE:
            return
        status = member.new_chat_member.status
        user_id = str(member.from_user.id)
        if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            await self.set_active(user_id, False)
        elif status == ChatMemberStatus.MEMBER:
            await self.set_active(user_id, True)

    async def set_active(self, user_id: str, active: bool) -> None:
        """Tell the tutor whether the learner can be written to (they blocked or restarted us)."""
        await self._runner.call("set_active", CHANNEL, user_id, active)

    async def _target(self, update: Update) -> _Target | None:
        """Translate an update into an Inbound (None for updates the tutor does not see)."""
        if update.callback_query is not None:
            return await self._from_callback(update)
        if update.poll_answer is not None:
            return await self._from_poll_answer(update)
        message = update.message
        if message is None or message.chat.type != ChatType.PRIVATE or message.from_user is None:
            return None
        kind, text = self._message_content(message)
        problem = None
        if kind == "voice":
            text, problem = await self._hear(message)
        user = message.from_user
        return _Target(
            message.chat.id,
            Inbound(
                channel=CHANNEL,
                user_id=str(user.id),
                message_id=f"{message.chat.id}:{message.message_id}",
                text=text,
                kind=kind,
                display_name=user.full_name or None,
                sent_at=message.date,
                voice_problem=problem,
            ),
        )

    async def _hear(self, message: Message) -> tuple[str | None, str | None]:
        """(transcript, problem) of a voice note or audio file, downloaded with getFile into memory."""
        media = message.voice or message.audio
        if self._speech is None or media is None:
            return None, None
        max_seconds = self._speech.config.max_seconds
        duration = media.duration.total_seconds() if isinstance(media.duration, timedelta) else media.duration
        if (duration or 0) > max_seconds or (media.file_size or 0) > max_bytes_for(max_seconds):
            return None, "too_long"  # Telegram says so up front: nothing is downloaded
        try:
            file = await media.get_file()
            data = bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            log.warning("Telegram: could not download a voice note (%s)", type(exc).__name__)
            return None, "failed"
        heard = await hear(self._speech, data)
        return heard.text, heard.problem

    def _message_content(self, message: Message) -> tuple[InboundKind, str | None]:
        if message.text is not None:
            text = message.text
            if text.startswith("/"):
                command, _, rest = text.partition(" ")
                name, _, mention = command.partition("@")
                if mention and mention.lower() != (self.bot.username or "").lower():
                    return "other", None  # a command meant for another bot
                text = f"{name} {rest}".strip()
            return "text", text
        if message.sticker is not None:
            return "sticker", None
        if message.photo:
            return "photo", message.caption
        if message.voice is not None or message.audio is not None:
            return "voice", None  # the transcript is the text (a caption is not what was said)
        return "other", message.caption

    async def _from_callback(self, update: Update) -> _Target | None:
        query = update.callback_query
        assert query is not None
        # Answer at once so the learner's button stops spinning, whatever happens next.
        with contextlib.suppress(TelegramError):
            await query.answer()
        message = query.message
        chat_id = message.chat.id if message is not None else query.from_user.id
        if message is not None and message.chat.type != ChatType.PRIVATE:
            return None
        if not query.data:
            return None
        if isinstance(message, Message):
            await self._mark_choice(message, query.data)
        return _Target(
            chat_id,
            Inbound(
                channel=CHANNEL,
                user_id=str(query.from_user.id),
                message_id=f"cb:{query.id}",
                payload=query.data,
                kind="button",
                display_name=query.from_user.full_name or None,
            ),
        )

    async def _mark_choice(self, message: Message, data: str) -> None:
        """Show which button was pressed and remove the keyboard, so it is not pressed twice."""
        markup = message.reply_markup
        if markup is None:
            return
        label = chosen_label(markup.inline_keyboard, data)
        try:
            body = message.text_html if message.text else None
            if body is not None and label and len(message.text or "") + len(label) + 4 <= MESSAGE_LIMIT:
                await message.edit_text(
                    f"{body}\n\n✓ {html.escape(label, quote=False)}",
                    parse_mode=PARSE_MODE,
                    reply_markup=None,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            else:
                await message.edit_reply_markup(reply_markup=None)
        except TelegramError as exc:  # too old to edit, already edited: harmless
            log.debug("Telegram: could not mark the pressed button (%s)", type(exc).__name__)

    async def _from_poll_answer(self, update: Update) -> _Target | None:
        answer = update.poll_answer
        assert answer is not None
        if answer.user is None or not answer.option_ids:
            return None  # an anonymous vote, or a vote taken back
        record = await run_in(self._db_pool, self._polls.get, answer.poll_id)
        if record is None or not 0 <= answer.option_ids[0] < len(record.choice_payloads):
            return None
        return _Target(
            int(record.chat_id),
            Inbound(
                channel=CHANNEL,
                user_id=str(answer.user.id),
                message_id=f"poll:{answer.poll_id}:{answer.user.id}",
                payload=record.choice_payloads[answer.option_ids[0]],
                kind="button",
                display_name=answer.user.full_name or None,
            ),
        )

    # --- sending -------------------------------------------------------------------------
    async def quick_menu(self) -> ReplyKeyboardMarkup | None:
        """The quick-menu reply keyboard, from the tutor's registry (asked once; None if unavailable)."""
        if not self._quick_loaded:
            try:
                entries: list[MenuEntry] = await self._runner.call("menu")
                self._quick = quick_keyboard(entries)
                self._quick_loaded = True
            except Exception as exc:  # no quick menu is no reason not to answer
                log.warning("Telegram: quick menu unavailable (%s)", type(exc).__name__)
        return self._quick

    async def send_replies(self, chat_id: int, user_id: str, replies: list[Reply]) -> bool:
        """Send the replies in order; False (and the learner marked inactive) if the bot is blocked."""
        try:
            for reply in merge_plain(replies):
                for out in plan_reply(
                    reply, use_quiz_polls=self._options.use_quiz_polls, media_root=self._options.media_root
                ):
                    await self._send(chat_id, out)
        except Forbidden:
            log.info("Telegram: a learner blocked the bot; marking them inactive")
            await self.set_active(user_id, False)
            return False
        return True

    async def _send(self, chat_id: int, out: OutText | OutPhoto | OutDocument | OutPoll) -> None:
        if isinstance(out, OutText):
            # Inline buttons when the reply has some; else the persistent quick menu (reply keyboard).
            markup = to_markup(out.buttons) or await self.quick_menu()
            await self.bot.send_message(
                chat_id,
                out.html,
                parse_mode=PARSE_MODE,
                reply_markup=markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        elif isinstance(out, OutPhoto):
            with out.path.open("rb") as photo:
                await self.bot.send_photo(chat_id, photo=photo, caption=out.caption_html, parse_mode=PARSE_MODE)
        elif isinstance(out, OutDocument):
            with out.path.open("rb") as document:
                await self.bot.send_document(
                    chat_id, document=document, filename=out.filename, caption=out.caption_html, parse_mode=PARSE_MODE
                )
        else:
            quiz = out.quiz
            message = await self.bot.send_poll(
                chat_id,
                question=quiz.question,
                options=list(quiz.choices),
                is_anonymous=False,
                type=PollType.QUIZ,
                correct_option_ids=[quiz.correct_index] if quiz.correct_index is not None else None,  # type: ignore[list-item]
                explanation=quiz.explanation[:200] or None,
                reply_markup=to_markup(out.buttons),
            )
            if message.poll is not None:
                await run_in(
                    self._db_pool, self._polls.save, message.poll.id, str(chat_id), quiz.item_id, quiz.choice_payloads
                )


def quiet_noisy_loggers() -> None:
    """httpx logs every request URL at INFO, and Bot API URLs contain the token; the scheduler
    logs each job run. Neither belongs in an operator's INFO log (of the server or a worker)."""
    for noisy in ("httpx", "apscheduler"):
        logger = logging.getLogger(noisy)
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))


def log_failure(what: str, exc: BaseException | None) -> None:
    """Log a failure with its type and stack frames only (never its message: it may hold a token)."""
    _log_failure(log, f"Telegram: {what}", exc)
