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
from dataclasses import dataclass

from knowledge.hits import Hit
from knowledge.textnorm import expand_teencode, normalize
from tutor.extractive import QUESTION_WORDS, STOPWORDS, folded_tokens
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
    """When a card's answer is the reply (see the module docstring)."""

    min_score: float = 0.86
    sure_score: float = 0.92
    min_coverage: float = 0.75

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
        return match.similarity >= self.min_score and match.coverage >= self.min_coverage


def is_card(hit: Hit) -> bool:
    """True for a hit of a Q&A card phrasing."""
    return (hit.metadata or {}).get("kind") == "card"


COVERAGE_WEIGHT = 0.15  # how much topic-word coverage counts against dense similarity when ranking cards
PAIR_WEIGHT = 0.1  # and how much the shared word pairs count


WordWeights = Callable[[Sequence[str]], Sequence[float]]  # folded words -> how much each names a topic


@dataclass(frozen=True)
class _Asked:
    """The question's words, worked out once per question (not once per candidate card)."""

    words: list[str]
    weights: list[float]
    pairs: set[tuple[str, str]]

    @classmethod
    def of(cls, question: str, weights: WordWeights | None) -> _Asked:
        words = topic_words(question)
        weighed = list(weights(words)) if weights is not None and words else [1.0] * len(words)
        if len(weighed) != len(words) or not all(w >= 0 for w in weighed):
            weighed = [1.0] * len(words)
        asked = QUESTION_WORDS.sub(" ", " ".join(folded_tokens(expand_teencode(normalize(question)))))
        return cls(words, weighed, _pairs(asked))

    def coverage(self, text: str) -> float:
        """Weighted share of the topic words found in `text` (folded); 0 when there are none."""
        total = sum(self.weights)
        if not self.words or total <= 0:
            return 0.0
        present = set(folded_tokens(expand_teencode(normalize(text))))
        return sum(w for word, w in zip(self.words, self.weights, strict=True) if word in present) / total

    def pair_share(self, phrasing: str) -> float:
        return len(self.pairs & _pairs(phrasing)) / len(self.pairs) if self.pairs else 0.0


def best_card(question: str, hits: Sequence[Hit], weights: WordWeights | None = None) -> CardMatch | None:
    """The best card among the card hits: dense similarity of its best phrasing, plus a little for
    the share of the question's topic words it holds ("như thế nào" alone must not pick a card).

    `weights` weighs the topic words (rare words count more); without it every word counts the same.
    """
    by_card: dict[str, list[Hit]] = {}
    for hit in hits:
        if is_card(hit) and (hit.metadata or {}).get("answer"):
            by_card.setdefault(str(hit.metadata["card_id"]), []).append(hit)
    if not by_card:
        return None
    asked = _Asked.of(question, weights)
    matches = [_match(asked, card_id, same) for card_id, same in by_card.items()]
    return max(matches, key=lambda m: m.rank_score, default=None)


def _match(asked: _Asked, card_id: str, same: list[Hit]) -> CardMatch:
    top = max(same, key=lambda h: h.relevance)
    meta = top.metadata
    card_text = " ".join([*(h.text for h in same), top.heading, str(meta.get("answer") or ""), top.title])
    return CardMatch(
        card_id=card_id,
        lesson_id=top.lesson_id or "",
        title=top.title,
        section=str(meta.get("section") or top.heading),
        answer=str(meta["answer"]),
        source=top.source,
        similarity=top.relevance,
        coverage=asked.coverage(card_text),
        follow_up=tuple(str(f) for f in meta.get("follow_up") or ()),
        pairs=max(asked.pair_share(h.text) for h in same),
    )


def _pairs(text: str) -> set[tuple[str, str]]:
    tokens = folded_tokens(expand_teencode(normalize(text)))
    return {(a, b) for a, b in zip(tokens, tokens[1:], strict=False) if a not in STOPWORDS or b not in STOPWORDS}


def pair_coverage(question: str, phrasing: str) -> float:
    """Share of the question's adjacent word pairs (folded, teencode expanded) found in `phrasing`:
    "chuyển khoản nhầm số tài khoản" shares four with "ck nhầm stk", one with "ck sao cho khỏi nhầm"."""
    asked = _pairs(QUESTION_WORDS.sub(" ", " ".join(folded_tokens(expand_teencode(normalize(question))))))
    if not asked:
        return 0.0
    return len(asked & _pairs(phrasing)) / len(asked)


def topic_words(question: str) -> list[str]:
    """The question's topic words: folded, teencode expanded, question phrases and stopwords removed."""
    asked = " ".join(folded_tokens(expand_teencode(normalize(question))))
    asked = QUESTION_WORDS.sub(" ", asked)
    return [t for t in asked.split() if t not in STOPWORDS and len(t) > 1]


def topic_coverage(question: str, text: str, weights: WordWeights | None = None) -> float:
    """Share of the question's topic words that occur in `text` (folded), each weighed by `weights`
    (every word the same without); 0 when it has none."""
    return _Asked.of(question, weights).coverage(text)
