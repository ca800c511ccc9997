"""Answers to learners' questions: Q&A cards first, then grounded passages, honest about scope.

`Answerer.answer(question)`:
1. a scam in progress gets the safety steps of its kind (`tutor.safety.safety_steps(question)`: money
   sent, an account taken over, a phone lost…), returned apart from the answer (`Answer.steps`), so a
   caller shows them first (`Answer.reply_text`) or, when they were already sent, the answer alone;
2. the question is matched against the Q&A cards' phrasings; a confident match (`CardPolicy`) is
   the reply: the card's curated answer, "Theo bài «…»", and its lesson to open. No LLM call;
3. otherwise an off-topic question (weather, gold price, a poem) gets the scope reply (`ScopeCheck`);
4. otherwise the passages: nothing relevant (best `relevance` under the threshold) -> an honest
   "not found", with lessons suggested only when they score above `suggest_floor`;
5. with a chat model, a LangChain chain writes a short, cited answer from the passages and the
   closest cards (fenced as untrusted data; it may rephrase, never add facts); citations to passages
   that were not given are removed; a reply that leaks the instructions, asks for an OTP/password
   or a transfer, or brings a phone number, link or amount the passages do not have is discarded
   (`tutor.llm_guard`); the model runs on its own bounded pool with a short timeout
   (`llm_workers`, `llm_timeout_s`);
6. without one, or when the model fails, times out or writes nothing usable: an extract
   (`tutor.extractive`): a how-to question gets the section's numbered steps. It never raises for
   LLM problems.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypeVar

from knowledge.hits import Hit
from knowledge.sanitize import sanitize_text
from knowledge.textnorm import fold, normalize
from tutor.answer_prompt import (
    _CANARY,
    MAX_PASSAGES,
    MODEL_NOT_COVERED,
    SYSTEM_PROMPT,
    build_chain,
    clean_llm_text,
    fence_escape,
    format_passages,
    leaks_instructions,
    passage_text,
    repair_citations,
)
from tutor.answer_scope import NO_SCOPE, ScopeCheck
from tutor.card_match import (
    CardMatch,
    CardPolicy,
    LessonWords,
    WordWeights,
    best_card,
    topic_words,
    window_coverage,
)
from tutor.extractive import (
    NOT_FOUND_TEXT,
    STOPWORDS,
    extractive_answer,
    folded_tokens,
    source_link,
    word_tokens,
)
from tutor.llm_guard import check_reply, strip_markup
from tutor.messages import SourceLink
from tutor.safety import is_scam_in_progress, safety_steps

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

__all__ = [
    "SYSTEM_PROMPT",
    "Answer",
    "Answerer",
    "extractive_answer",
    "fence_escape",
    "format_passages",
    "leaks_instructions",
    "repair_citations",
]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

AnswerMode = Literal["card", "llm", "extractive", "not_found", "off_topic", "safety"]

SEARCH_K = 5  # passages retrieved per question
CARD_K = 8  # card phrasings retrieved per question
LLM_CARDS = 2  # near-miss cards given to the LLM with the passages
MAX_SUGGESTIONS = 3
# Weighed share of the question's topic words the passages must hold (docs/benchmarks.md, answers):
# at or above the sure relevance, and below it (where the unweighted word and pair check also applies).
SURE_PASSAGE_COVERAGE = 0.6
PASSAGE_COVERAGE = 0.7

NOT_FOUND_SUGGEST = "Bạn có thể xem các bài gần nhất:"
NOT_FOUND_RETRY = "Bạn thử hỏi lại ngắn gọn hơn, hoặc gõ /baihoc để xem các bài học."
EMPTY_QUESTION_TEXT = "Bạn muốn hỏi gì? Hãy gõ câu hỏi ngắn, ví dụ: «Kích hoạt VNeID thế nào?»"


@dataclass(frozen=True)
class Answer:
    """The tutor's answer to one question.

    `answered` is True when the learner got substance (a card, a grounded answer or the safety
    steps); `sources` are the lessons the text cites; `hits` everything retrieved (for the event
    log); `suggestions` lesson titles to offer as buttons (the card's lesson, or lessons above the
    suggestion floor); `card_id` the card answered with, if any; `steps` the safety steps of the
    scam in progress the question describes ("" when none), kept apart from `text`.
    """

    text: str
    sources: tuple[SourceLink, ...]
    answered: bool
    mode: AnswerMode
    hits: list[Hit] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    card_id: str | None = None
    steps: str = ""

    @property
    def reply_text(self) -> str:
        """What the learner reads: the safety steps first (when any), then the answer."""
        return "\n\n".join(part for part in (self.steps, self.text) if part)


@dataclass(frozen=True)
class _Grounded:
    text: str
    sources: tuple[SourceLink, ...]
    mode: Literal["llm", "extractive"]


MAX_QUESTION_CHARS = 400


def bounded_question(text: str, limit: int = MAX_QUESTION_CHARS) -> str:
    """The first `limit` characters of a question, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut


class Answerer:
    """Answers questions from the Q&A cards and the lessons, with an LLM or without."""

    def __init__(
        self,
        search: Callable[..., list[Hit]],
        chat_model: BaseChatModel | None,
        *,
        min_relevance: float,
        max_sentences: int = 3,
        sure_relevance: float | None = None,
        suggest_floor: float | None = None,
        card_policy: CardPolicy | None = None,
        scope: ScopeCheck = NO_SCOPE,
        unknown_words: Callable[[str], list[str]] | None = None,
        word_weights: WordWeights | None = None,
        lesson_words: LessonWords | None = None,
        llm_workers: int = 2,
        llm_timeout_s: float = 8.0,
    ) -> None:
        """`search(query, k=, prefer_lesson=, audience=, kind=)` returns hits; `chat_model` may be None.

        `min_relevance`: best dense relevance under which nothing counts as found;
        `sure_relevance` (default `min_relevance` + 0.04): at or above it no topic-word check;
        `suggest_floor` (default `min_relevance`): a lesson is offered only at or above it;
        `card_policy`: when a card's answer is the reply; `scope`: the off-topic check;
        `unknown_words(text)`: the words of `text` the course never uses (none when not given);
        `word_weights(words)`: how much each folded word names a topic (the store's rarity); a card or
        passages must cover the question's words weighed by it (every word the same when not given);
        `lesson_words(lesson_id)`: the words of a lesson, which a card of it covers too.
        `llm_workers`: model calls in flight at most (more get the extractive answer at once);
        `llm_timeout_s`: how long a turn waits for the model before answering extractively.
        """
        self._search = search
        self._chat_model = chat_model
        self._min_relevance = min_relevance
        self._sure_relevance = sure_relevance if sure_relevance is not None else min_relevance + 0.04
        self._suggest_floor = suggest_floor if suggest_floor is not None else min_relevance
        self._max_sentences = max(1, max_sentences)
        self._cards = card_policy or CardPolicy()
        self._scope = scope
        self._unknown_words = unknown_words
        self._word_weights = _safe_weights(word_weights)
        self._lesson_words = lesson_words
        self._chain = build_chain(chat_model) if chat_model is not None else None
        self._llm_workers = max(1, llm_workers)
        self._llm_timeout_s = llm_timeout_s
        self._llm_slots = threading.BoundedSemaphore(self._llm_workers)
        self._llm_pool = ThreadPoolExecutor(self._llm_workers, thread_name_prefix="llm")

    @property
    def uses_llm(self) -> bool:
        """Whether a chat model is configured."""
        return self._chain is not None

    def answer(self, question: str, *, lesson_id: str | None = None, audience: str | None = None) -> Answer:
        """Answer `question`; prefer passages of `lesson_id`; filter by `audience` (a group).

        Never raises for LLM failures or timeouts (falls back to an extractive answer).
        """
        # Retrieval and the model see a bounded question: a 2,000-character message would cost
        # seconds of CPU (segmentation, embedding) and say no more than its first sentences.
        question = bounded_question(normalize(sanitize_text(question or "")).strip())
        if not word_tokens(question):
            return Answer(EMPTY_QUESTION_TEXT, (), False, "not_found")
        scam = is_scam_in_progress(question)
        steps = safety_steps(question) if scam else ""
        off_topic = not scam and self._scope.is_off_topic(question)
        card_hits = self._retrieve(question, k=CARD_K, lesson_id=lesson_id, audience=audience, kind="card")
        card = best_card(question, card_hits, self._word_weights, lesson_words=self._lesson_words)
        unknown_words = self._unknown_topic_words(question)  # looked up once, used by both checks below
        if card is not None and self._cards.accepts(card, unknown_topic=bool(unknown_words), off_topic=off_topic):
            # A sure card wins even over a scope word ("đơn thuốc" of VNeID's health record).
            mode: AnswerMode = "safety" if scam else "card"
            return Answer(card.reply(), (card.source_link,), True, mode, card_hits, [card.title], card.card_id, steps)
        if off_topic:
            return Answer(self._scope.reply(), (), False, "off_topic")

        hits = self._retrieve(question, k=SEARCH_K, lesson_id=lesson_id, audience=audience, kind="passage")
        # A word the course never uses names what is asked ("cài lại hệ điều hành cho laptop"): a
        # passage about its other words answers another question, and its lesson is not related.
        # Such a question is answered by a sure card alone (above), or gets the safety steps.
        unknown = self._names_unknown_topic(unknown_words)
        relevant = [] if unknown else self._relevant(question, hits)
        suggestions = [] if unknown else self._suggestions(question, hits)
        if not relevant:
            if scam:
                return Answer("", (), True, "safety", hits, suggestions, steps=steps)
            return Answer(_not_found_text(suggestions), (), False, "not_found", hits, suggestions)

        near_cards = self._near_cards(card, card_hits)
        grounded = self._grounded(question, relevant, near_cards)
        cited_titles = {s.title for s in grounded.sources}
        # The cited lesson first (a button to open it), then other lessons above the floor.
        offered = [
            *dict.fromkeys(s.title for s in grounded.sources),
            *(t for t in suggestions if t not in cited_titles),
        ]
        offered = offered[:MAX_SUGGESTIONS]
        if scam:
            return Answer(grounded.text, grounded.sources, True, "safety", hits, offered, steps=steps)
        return Answer(grounded.text, grounded.sources, True, grounded.mode, hits, offered)

    # --- retrieval -------------------------------------------------------------------------
    def _retrieve(self, question: str, *, k: int, lesson_id: str | None, audience: str | None, kind: str) -> list[Hit]:
        try:
            return list(self._search(question, k=k, prefer_lesson=lesson_id, audience=audience, kind=kind))
        except Exception as exc:  # noqa: BLE001 - a broken store must not silence the safety steps
            # The message may quote the query (learner text): type only, details at DEBUG.
            log.error("knowledge search failed (%s); answering without passages", type(exc).__name__)
            log.debug("knowledge search failure", exc_info=True)
            return []

    def _relevant(self, question: str, hits: Sequence[Hit]) -> list[Hit]:
        """Hits good enough to answer from, or [] when the lessons do not cover the question.

        At or above `sure_relevance` the dense similarity alone decides. Between `min_relevance`
        and it (where off-topic questions like "công thức nấu phở" also land) the passages must
        also share the question's topic words (see `_lexical_support`).
        """
        if not hits:
            return []
        best = max(h.relevance for h in hits)
        if best < self._min_relevance:
            return []
        keep = [h for h in hits if h.relevance >= self._min_relevance]
        # Dense similarity is high for anything phrased like a course question ("cách thay màn hình
        # điện thoại bị vỡ"): with word weights, even a sure one needs most of the weighed topic words
        # (without them every word counts the same, too blunt to overrule a sure similarity).
        covered = self._covered(question, keep)
        if best >= self._sure_relevance and (self._word_weights is None or covered >= SURE_PASSAGE_COVERAGE):
            return keep
        if covered >= PASSAGE_COVERAGE and _lexical_support(question, keep):
            return keep
        return []

    def _covered(self, question: str, hits: Sequence[Hit]) -> float:
        """Share of the question's topic words (weighed by rarity) held by the best few consecutive
        sentences of one passage (with its title and heading): the sentences an extract would quote,
        not a long passage where the words of any phone question are found scattered."""
        return window_coverage(question, hits, self._word_weights)

    def _unknown_topic_words(self, question: str) -> list[str]:
        """The question's topic words unknown to the course (a typo of a course word included)."""
        if self._unknown_words is None:
            return []
        try:
            unknown = set(self._unknown_words(question))
        except Exception:  # noqa: BLE001 - a broken store must not stop the answer
            log.debug("unknown-word check failed", exc_info=True)
            return []
        return [w for w in topic_words(question) if fold(w) in unknown and len(w) > 2]

    def _names_unknown_topic(self, words: list[str]) -> bool:
        """Whether the question's unknown topic `words` name a topic the course never writes about: an
        unknown word that is not a typo of a course word (those weigh 0), such as "laptop", "unikey"."""
        if not words or self._word_weights is None:
            return False
        return any(weight > 0 for weight in self._word_weights(words))

    def _suggestions(self, question: str, hits: Sequence[Hit]) -> list[str]:
        """Lesson titles worth offering: hits at or above the suggestion floor that also share the
        question's topic words (dense similarity alone offers "Wi-Fi" for "cài Windows 11")."""
        close = [
            h
            for h in hits
            if h.relevance >= self._suggest_floor
            and _lexical_support(question, [h])
            and self._covered(question, [h]) >= PASSAGE_COVERAGE
        ]
        return _lesson_titles(close, exclude=())

    def _near_cards(self, card: CardMatch | None, card_hits: Sequence[Hit]) -> list[Hit]:
        """Card phrasings close enough to help a model (not confident enough to be the reply)."""
        if card is None or card.similarity < self._cards.min_score:
            return []
        seen: set[str] = set()
        picked = []
        for hit in card_hits:
            card_id = str(hit.metadata.get("card_id"))
            if card_id in seen or hit.relevance < self._cards.min_score:
                continue
            seen.add(card_id)
            picked.append(hit)
            if len(picked) == LLM_CARDS:
                break
        return picked

    # --- grounded answers ------------------------------------------------------------------
    def _grounded(self, question: str, hits: list[Hit], cards: list[Hit]) -> _Grounded:
        if self._chain is not None:
            started = time.monotonic()
            try:
                result = self._bounded_llm_answer(question, [*cards, *hits][:MAX_PASSAGES])
            except Exception as exc:  # noqa: BLE001 - any LLM failure falls back
                log.warning(
                    "LLM answer failed after %.1fs (%s); answering extractively",
                    time.monotonic() - started,
                    type(exc).__name__,
                )
                result = None
            if result is not None:
                return result
        text, sources = extractive_answer(question, hits, max_sentences=self._max_sentences)
        return _Grounded(text, sources, "extractive")

    def _bounded_llm_answer(self, question: str, hits: list[Hit]) -> _Grounded | None:
        """The model's answer from its own bounded pool: when every slot is taken (a slow or hung
        model) the answer is extractive at once, and a call never waits past `llm_timeout_s`, so
        a slow model never holds the threads other learners' turns need."""
        return self.run_model(lambda: self._llm_answer(question, hits))

    def run_model(self, call: Callable[[], _T]) -> _T | None:
        """Run `call` (a model call) on the answerer's bounded pool: None at once when every slot
        is taken or the pool is shut down; a `TimeoutError` after `llm_timeout_s`; the call's own
        exception when it fails. Other model uses (the officers' questions) share these slots."""
        if not self._llm_slots.acquire(blocking=False):
            log.warning("LLM busy (%d calls in flight); not waiting", self._llm_workers)
            return None
        try:
            future = self._llm_pool.submit(call)
        except RuntimeError:  # the pool was shut down
            self._llm_slots.release()
            return None
        future.add_done_callback(lambda _done: self._llm_slots.release())
        return future.result(timeout=self._llm_timeout_s)

    def close(self) -> None:
        """Release the model's threads (calls in flight finish on their own)."""
        self._llm_pool.shutdown(wait=False, cancel_futures=True)

    def _llm_answer(self, question: str, hits: list[Hit]) -> _Grounded | None:
        assert self._chain is not None
        raw = self._chain.invoke({"passages": format_passages(hits), "question": fence_escape(question)})
        if not isinstance(raw, str) or not raw.strip():
            log.warning("LLM returned an empty answer; answering extractively")
            return None
        if leaks_instructions(raw):
            log.warning("LLM output repeated its instructions; answering extractively")
            return None
        raw = strip_markup(raw)
        given = [f"{h.title}\n{passage_text(h)}" for h in hits]
        refused = check_reply(raw, given, system_prompt=SYSTEM_PROMPT, canary=_CANARY)
        if refused is not None:
            log.warning("LLM answer refused by the output guard (%s); answering extractively", refused)
            return None
        if MODEL_NOT_COVERED in " ".join(folded_tokens(raw)):
            # The passages passed the relevance bar, so quote them rather than a bare "no".
            log.info("LLM found the passages insufficient; answering extractively")
            return None
        text, cited = repair_citations(clean_llm_text(raw), len(hits))
        if not text:
            log.warning("LLM answer was empty after cleaning; answering extractively")
            return None
        used = [hits[i - 1] for i in cited] or hits[:1]
        if not cited:
            # No (valid) citation: point at the passage the answer most likely came from.
            text = f"{text} [1]"
        sources = tuple(source_link(h) for h in used)
        return _Grounded(f"{text}\n\nNguồn: {_source_line(used)}", sources, "llm")


def _safe_weights(weights: WordWeights | None) -> WordWeights | None:
    """`weights`, falling back to equal weights when it fails (a broken store must not stop answers)."""
    if weights is None:
        return None

    def weighed(words: Sequence[str]) -> Sequence[float]:
        try:
            return weights(words)
        except Exception:  # noqa: BLE001
            log.debug("word weights failed", exc_info=True)
            return [1.0] * len(words)

    return weighed


def _lexical_support(question: str, hits: Sequence[Hit]) -> bool:
    """Whether the passages share the question's topic: most of its content words (folded), and
    one of its word pairs verbatim unless the question has at most two content words."""
    tokens = folded_tokens(question)
    content = [t for t in tokens if t not in STOPWORDS and len(t) > 1]
    if not content:
        return False
    text = " " + " ".join(folded_tokens(" ".join(f"{h.title} {h.heading} {h.text}" for h in hits))) + " "
    found = [t for t in content if f" {t} " in text]
    if len(found) / len(content) < 0.75:
        return False
    if len(set(content)) <= 2:
        return True
    pairs = [
        f"{a} {b}"
        for a, b in zip(tokens, tokens[1:], strict=False)
        if a not in STOPWORDS and b not in STOPWORDS and len(a) > 1 and len(b) > 1
    ]
    return any(f" {p} " in text for p in pairs)


def _lesson_titles(hits: Sequence[Hit], exclude: Sequence[str]) -> list[str]:
    titles: list[str] = []
    for hit in sorted(hits, key=lambda h: h.relevance, reverse=True):
        if hit.title and hit.title not in titles and hit.title not in exclude:
            titles.append(hit.title)
        if len(titles) == MAX_SUGGESTIONS:
            break
    return titles


def _not_found_text(suggestions: Sequence[str]) -> str:
    if not suggestions:
        return f"{NOT_FOUND_TEXT}\n{NOT_FOUND_RETRY}"
    lines = "\n".join(f"• «{t}»" for t in suggestions)
    return f"{NOT_FOUND_TEXT}\n{NOT_FOUND_SUGGEST}\n{lines}"


def _source_line(cited: Sequence[Hit]) -> str:
    """'[1], [3] «Bài A», trang 2; [2] «Bài B»': one entry per lesson, numbers as cited (no video time stamps)."""
    by_title: dict[str, list[tuple[int, Hit]]] = {}
    for number, hit in enumerate(cited, start=1):
        by_title.setdefault(hit.title, []).append((number, hit))
    entries = []
    for title, numbered in by_title.items():
        numbers = ", ".join(f"[{n}]" for n, _ in numbered)
        locators = "".join(
            f", {loc}" for loc in dict.fromkeys(h.locator for _, h in numbered if h.locator and not h.timestamp)
        )
        entries.append(f"{numbers} «{title}»{locators}")
    return "; ".join(entries)
