"""Q&A cards first: a question is matched against the cards' phrasings (dense and lexical hits of
kind "card"); a confident match is answered with the card's curated answer, no generator needed.

Confidence needs two things at once, calibrated by `hocvuso bench answers` (docs/benchmarks.md):
- the dense similarity of the question to the card's best phrasing (`min_score`; at `sure_score`
  or above, similarity alone is enough);
- between the two, the question's topic words (folded, teencode expanded, question words removed)
  must be found in the card (its phrasings, section and answer): `min_coverage` of them, each word
  weighed by how rare it is in the course (`WordWeights`, the store's inverse document frequency),
  so "mua chó giống ở đâu uy tín" is not covered by a card sharing "mua", "uy tín": the word that
  names the topic ("giống"), or one the course never uses ("root", "website"), weighs the most.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from knowledge.hits import Hit
from knowledge.textnorm import ABBREVIATIONS, expand_teencode, fold, has_marks, mark_ratio, normalize
from tutor.extractive import (
    MARKED_STOPWORDS,
    QUESTION_WORDS,
    STOPWORDS,
    folded_tokens,
    quotable,
    quotable_sentences,
    word_tokens,
)
from tutor.messages import SourceLink


@dataclass(frozen=True)
class CardMatch:
    """The best card for a question, with how well it matched."""

    card_id: str
    lesson_id: str
    title: str  # the lesson's title
    section: str
    answer: str
    source: str
    similarity: float  # dense, best phrasing
    coverage: float  # share of the question's topic words found in the card
    follow_up: tuple[str, ...] = ()
    pairs: float = 0.0  # share of the question's adjacent word pairs found in one phrasing

    @property
    def rank_score(self) -> float:
        """What orders the candidate cards: similarity, then topic words and word pairs shared."""
        return self.similarity + COVERAGE_WEIGHT * self.coverage + PAIR_WEIGHT * self.pairs

    @property
    def source_link(self) -> SourceLink:
        """Where the card's answer comes from: the lesson and its section."""
        return SourceLink(title=self.title, source=self.source, heading=self.section)

    def reply(self) -> str:
        """The card's answer, introduced by its lesson: "Theo bài «…»:"."""
        return f"Theo bài «{self.title}»:\n{self.answer.strip()}"


@dataclass(frozen=True)
class CardPolicy:
    """When a card's answer is the reply (see the module docstring).

    A *close* card (`close_score` up to `sure_score`) needs fewer topic words (`close_coverage`) but
    also a word pair of one of its phrasings (`close_pairs`): a question told as a situation ("tính
    bán con điện thoại cũ cho tiệm") names words no card has, yet is nearly a phrasing's meaning.
    Calibrated on the bench set (docs/benchmarks.md, answers round 3): no off-topic question of the
    set reaches it, and a question with a word the course never uses, or one the scope check flags,
    never gets it.
    """

    min_score: float = 0.86
    sure_score: float = 0.92
    min_coverage: float = 0.75
    close_score: float = 0.90
    close_coverage: float = 0.45
    close_pairs: float = 0.1

    def accepts(self, match: CardMatch, *, unknown_topic: bool = False, off_topic: bool = False) -> bool:
        """Whether `match` is confident enough to be the reply.

        `unknown_topic`: the question has a topic word the course never uses ("python", "photoshop");
        then only a sure similarity will do, topic words shared elsewhere prove nothing.
        `off_topic`: the scope check flagged the question; only a sure card sharing its topic words wins.
        """
        if off_topic:
            return match.similarity >= self.sure_score and match.coverage >= self.min_coverage
        if match.similarity >= self.sure_score:
            return True
        if unknown_topic:
            return False
        if match.similarity >= self.min_score and match.coverage >= self.min_coverage:
            return True
        return self.is_close(match)

    def is_close(self, match: CardMatch) -> bool:
        """A close card: nearly sure, some topic words and a word pair of one phrasing shared (never
        under `min_score`: a policy raising it turns cards off, close ones too)."""
        return (
            match.similarity >= max(self.close_score, self.min_score)
            and match.coverage >= self.close_coverage
            and match.pairs >= self.close_pairs
        )


def is_card(hit: Hit) -> bool:
    """True for a hit of a Q&A card phrasing."""
    return (hit.metadata or {}).get("kind") == "card"


COVERAGE_WEIGHT = 0.15  # how much topic-word coverage counts against dense similarity when ranking cards
PAIR_WEIGHT = 0.1  # and how much the shared word pairs count


WordWeights = Callable[[Sequence[str]], Sequence[float]]  # words -> how much each names a topic
LessonWords = Callable[[str], AbstractSet[str]]  # lesson id -> its words (lower case, marked as written)

MARKED_TEXT_RATIO = 0.25  # a line with fewer marked words was typed without marks (a card phrasing)
# A word the card lacks counts as covered when the card's lesson names it and it is rare in the course
# (a brand: "momo", "shopee", "chatgpt"); a common word found somewhere in a lesson proves less: half.
LESSON_WORD_MIN_WEIGHT = 4.0
LESSON_WORD_CREDIT = 0.5
WINDOW_SENTENCES = 3  # consecutive sentences of a passage that must hold the question's topic words
_FOLDED_ABBREVIATIONS = {short: tuple(fold(full).split()) for short, full in ABBREVIATIONS.items()}


@dataclass(frozen=True)
class _Tokens:
    """A text's words, ready for coverage checks: marked words of its lines typed with marks, folded
    words of its lines typed without, every word folded, and the folded text for phrases."""

    marked: AbstractSet[str]
    unmarked: AbstractSet[str]
    folded: AbstractSet[str]
    phrase_text: str

    @classmethod
    def of(cls, text: str) -> _Tokens:
        marked: set[str] = set()
        unmarked: set[str] = set()
        lines = []
        for line in expand_teencode(normalize(text)).lower().splitlines():
            words = word_tokens(line)
            if mark_ratio(line) >= MARKED_TEXT_RATIO:
                marked.update(words)
            else:
                unmarked.update(fold(w) for w in words)
            lines.append(" ".join(fold(w) for w in words))
        folded = {fold(w) for w in marked} | unmarked
        return cls(marked, unmarked, folded, " " + " \n ".join(lines) + " ")

    @classmethod
    def union(cls, parts: Sequence[_Tokens]) -> _Tokens:
        return cls(
            set().union(*(p.marked for p in parts)),
            set().union(*(p.unmarked for p in parts)),
            set().union(*(p.folded for p in parts)),
            " \n ".join(p.phrase_text for p in parts),
        )

    def holds(self, word: str) -> bool:
        """Whether the text has `word`: a marked word as written (or folded, in lines typed without
        marks: "cho" there may be "chó"), an unmarked one folded, an abbreviation or what it stands for."""
        if has_marks(word):
            return word in self.marked or fold(word) in self.unmarked
        if word in self.folded:
            return True
        phrase = _FOLDED_ABBREVIATIONS.get(word)
        return phrase is not None and f" {' '.join(phrase)} " in self.phrase_text


@dataclass(frozen=True)
class _Asked:
    """The question's words, worked out once per question (not once per candidate card)."""

    words: list[str]
    weights: list[float]
    pairs: set[tuple[str, str]]

    @classmethod
    def of(cls, question: str, weights: WordWeights | None) -> _Asked:
        words = topic_words(question)
        weighed = _weighed(words, weights)
        asked = QUESTION_WORDS.sub(" ", " ".join(folded_tokens(expand_teencode(normalize(question)))))
        return cls(words, weighed, _pairs(asked))

    def coverage(self, text: str | _Tokens, rare_elsewhere: _Tokens | None = None) -> float:
        """Weighted share of the topic words found in `text`, or in `rare_elsewhere` (the card's
        lesson: a rare word in full, a common one for half); 0 when there are none."""
        total = sum(self.weights)
        if not self.words or total <= 0:
            return 0.0
        tokens = text if isinstance(text, _Tokens) else _Tokens.of(text)

        def credit(word: str, weight: float) -> float:
            if tokens.holds(word):
                return weight
            if rare_elsewhere is None or not rare_elsewhere.holds(word):
                return 0.0
            return weight if weight >= LESSON_WORD_MIN_WEIGHT else LESSON_WORD_CREDIT * weight

        return sum(credit(word, w) for word, w in zip(self.words, self.weights, strict=True)) / total

    def pair_share(self, phrasing: str) -> float:
        """Share of the question's adjacent word pairs (folded, teencode expanded) found in `phrasing`:
        "chuyển khoản nhầm số tài khoản" shares four with "ck nhầm stk", one with "ck sao cho khỏi nhầm"."""
        return len(self.pairs & _pairs(phrasing)) / len(self.pairs) if self.pairs else 0.0


def _weighed(words: list[str], weights: WordWeights | None) -> list[float]:
    """The weight of each topic word; an abbreviation the course never writes ("tncn") weighs as
    much as the most topical word of what it stands for, not as an unknown word."""
    if weights is None or not words:
        return [1.0] * len(words)
    weighed = list(weights(words))
    if len(weighed) != len(words) or not all(w >= 0 for w in weighed):
        return [1.0] * len(words)
    for i, word in enumerate(words):
        phrase = _FOLDED_ABBREVIATIONS.get(word)
        if phrase:
            expanded = list(weights(list(phrase)))
            if len(expanded) == len(phrase) and all(w >= 0 for w in expanded):
                weighed[i] = min(weighed[i], max(expanded))
    return weighed


def best_card(
    question: str,
    hits: Sequence[Hit],
    weights: WordWeights | None = None,
    *,
    lesson_words: LessonWords | None = None,
) -> CardMatch | None:
    """The best card among the card hits: dense similarity of its best phrasing, plus a little for
    the share of the question's topic words it holds ("như thế nào" alone must not pick a card).

    `weights` weighs the topic words (rare words count more); without it every word counts the same.
    `lesson_words(lesson_id)`: the words of the card's lesson; a rare one counts as covered too (the
    card on opening an e-wallet covers "momo" when its lesson names MoMo).
    """
    by_card: dict[str, list[Hit]] = {}
    for hit in hits:
        if is_card(hit) and (hit.metadata or {}).get("answer"):
            by_card.setdefault(str(hit.metadata["card_id"]), []).append(hit)
    if not by_card:
        return None
    asked = _Asked.of(question, weights)
    matches = [_match(asked, card_id, same, lesson_words) for card_id, same in by_card.items()]
    return max(matches, key=lambda m: m.rank_score, default=None)


def _match(asked: _Asked, card_id: str, same: list[Hit], lesson_words: LessonWords | None) -> CardMatch:
    top = max(same, key=lambda h: h.relevance)
    meta = top.metadata
    # One line each: a phrasing typed without marks is compared folded, the answer as written.
    card_text = "\n".join([*(h.text for h in same), top.heading, str(meta.get("answer") or ""), top.title])
    vocabulary = _lesson_words(lesson_words, top.lesson_id)
    lesson = _Tokens(vocabulary, frozenset(), {fold(w) for w in vocabulary}, "") if vocabulary else None
    return CardMatch(
        card_id=card_id,
        lesson_id=top.lesson_id or "",
        title=top.title,
        section=str(meta.get("section") or top.heading),
        answer=str(meta["answer"]),
        source=top.source,
        similarity=top.relevance,
        coverage=asked.coverage(_Tokens.of(card_text), lesson),
        follow_up=tuple(str(f) for f in meta.get("follow_up") or ()),
        pairs=max(asked.pair_share(h.text) for h in same),
    )


def _pairs(text: str) -> set[tuple[str, str]]:
    tokens = folded_tokens(expand_teencode(normalize(text)))
    return {(a, b) for a, b in zip(tokens, tokens[1:], strict=False) if a not in STOPWORDS or b not in STOPWORDS}


def _lesson_words(lesson_words: LessonWords | None, lesson_id: str | None) -> AbstractSet[str]:
    if lesson_words is None or not lesson_id:
        return frozenset()
    try:
        return lesson_words(lesson_id)
    except Exception:  # noqa: BLE001 - a broken store must not stop the answer
        return frozenset()


def topic_words(question: str) -> list[str]:
    """The question's topic words: teencode expanded, question phrases and stop words removed.

    A word typed with marks stays marked and is checked against the marked stop words ("chó", "vẽ",
    "đồ" are topics; "cho", "về", "đó" are not); a word typed without is folded and checked against
    the folded ones (there "cho" may be either, so it is a stop word, as before).
    """
    words = [w.lower() for w in word_tokens(expand_teencode(normalize(question)))]
    folded = [fold(w) for w in words]
    asked = " ".join(folded)
    # Question phrases ("là gì", "ở đâu") are found on the folded text; drop the words they span.
    dropped: set[int] = set()
    for found in QUESTION_WORDS.finditer(asked):
        first = asked.count(" ", 0, found.start())
        dropped.update(range(first, first + found.group(0).count(" ") + 1))
    topic = []
    for i, (word, flat) in enumerate(zip(words, folded, strict=True)):
        if i in dropped or len(flat) <= 1:
            continue
        if has_marks(word):
            if word not in MARKED_STOPWORDS:
                topic.append(word)
        elif flat not in STOPWORDS:
            topic.append(flat)
    return topic


def topic_coverage(question: str, text: str, weights: WordWeights | None = None) -> float:
    """Share of the question's topic words that occur in `text`, each weighed by `weights` (every
    word the same without); 0 when it has none."""
    return _Asked.of(question, weights).coverage(text)


def window_coverage(
    question: str, hits: Sequence[Hit], weights: WordWeights | None = None, *, window: int = WINDOW_SENTENCES
) -> float:
    """The best coverage of the question's topic words by `window` consecutive quotable sentences of
    one passage, with its lesson title and heading: a long passage holds most words of any phone
    question, scattered; the sentences an extract would quote must hold them together."""
    asked = _Asked.of(question, weights)
    best = 0.0
    for hit in quotable(hits) or hits:
        frame = _Tokens.of(f"{hit.title}\n{hit.heading}")
        said = [_Tokens.of(s) for s in quotable_sentences(hit.text)] or [_Tokens.of(hit.text)]
        for start in range(max(1, len(said) - window + 1)):
            best = max(best, asked.coverage(_Tokens.union([frame, *said[start : start + window]])))
            if best >= 1.0:
                return best
    return best
