"""Extractive answers: the most relevant sentences of the retrieved passages, with where they are.

Used when no chat model is configured, or when the model fails; never invents anything.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.hits import Hit
from knowledge.textnorm import expand_teencode, fold, normalize
from tutor.messages import SourceLink

EXTRACTIVE_PASSAGES = 4  # passages an extractive answer may quote from
MAX_SENTENCE_CHARS = 240
NOT_FOUND_TEXT = "Mình chưa tìm thấy nội dung này trong các bài học, nên không dám trả lời bừa."

# Vietnamese function words (folded) that carry no topic.
STOPWORDS = frozenset(
    """
    a ai anh ak bi boi cac cach can cho chi chu co con cua cung da dang day de den deu di do duoc
    gi gio ha hay hoac khi khong kia la lai lam luc minh mot muon nao nay neu nen nha nhe nhi nhu
    nhung o oi phai rang roi sao se sau thi theo thoi tren trong tui toi va vao vay ve voi vi xin
    u uh ko k dc j hoai hon rat nua
    """.split()
)
# The same function words as typed with marks (lower case, normalized). A question typed with marks
# is checked against this list, not the folded one: "chó" (dog), "vẽ" (draw), "đồ" (things), "ảnh"
# (photo), "vay" (borrow), "trồng" (grow) fold to stop words but name a topic.
MARKED_STOPWORDS = frozenset(
    """
    a à ạ á ai anh ak bị bởi các cách cần cho chỉ chị chứ có cô con còn của cũng cùng đã đang đây đấy
    để đến đều đi đó đâu được gì giờ hả hay hoặc khi không kia là lại làm lắm lúc mình một muốn nào này
    nay nếu nên nha nhé nhỉ như nhưng những ở ơi phải rằng rồi sao sẽ sau thì theo thôi trên trong tui
    tôi và vào vậy về với vì xin u uh ko k dc j hoài nhé ạ ơi hơn nhất quá rất hơi lắm thêm nữa
    """.split()
)
_NUMBERED = re.compile(r"^(\d{1,2}[.)])\s+")
_STEP = re.compile(r"^(?:bước\s*\d+|\d{1,2}[.)](?!\d))", re.IGNORECASE)
# "How to" and "what to do" questions (folded, teencode expanded): they get the section's steps.
_HOW_TO = re.compile(
    r"\b(?:lam sao|lam the nao|cach|the nao|cac buoc|huong dan|thao tac|sao de|lam gi|thi sao|xu ly|"
    r"phai lam|the nao de|bang cach nao|o dau)\b"
)
# Sentences that talk about the lesson itself, a picture, or a video the chat cannot show.
_SELF_REFERENCE = re.compile(
    r"\b(?:bai nay|bai hoc nay|doan nay|muc nay|phan nay|video nay|trong video|xem video|xem them hinh|"
    r"xem hinh|xem anh|hinh (?:ben|duoi|tren|nay|minh hoa|chup)|anh (?:ben|duoi|tren|nay|minh hoa)|"
    r"hom nay chung ta|chao cac ban)\b"
)
_TIME_STAMP = re.compile(r"\s*\(?\b(?:phút\s*)?\d{1,2}:\d{2}\b\)?")
MIN_STEPS = 2  # a section with fewer numbered lines has no steps to quote
MAX_STEPS = 6
MAX_STEPS_CHARS = 650
# Question phrases (folded) that say what is asked, not what about: "bao nhiêu" must not match
# "nhiều" in the lesson.
QUESTION_WORDS = re.compile(
    r"\b(?:bao nhieu|bao lau|bao gio|nhu the nao|the nao|o dau|la gi|tai sao|vi sao|lam sao|"
    r"duoc khong|co phai|co nen|nen khong|phai khong|nghia la|y nghia la|co nghia)\b"
)
_TOKEN = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
MARKDOWN_NOISE = re.compile(r"(\*\*|__|`|^#+\s*|^>\s*)", re.MULTILINE)


# --- extractive answers ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Sentence:
    text: str
    hit_rank: int
    position: int
    overlap: int
    score: float


def extractive_answer(
    question: str, hits: Sequence[Hit], *, max_sentences: int = 3
) -> tuple[str, tuple[SourceLink, ...]]:
    """The `max_sentences` most relevant sentences of the best passages, grouped by lesson.

    Sentences are scored by overlap with the question's topic words (folded, so tone marks do not
    matter; shared word pairs count more) plus a bonus for the passage's rank; they are shown in
    reading order under "Theo bài «…», phút 2:15:".
    """
    passages = quotable(hits)[:EXTRACTIVE_PASSAGES]
    if not passages:
        return NOT_FOUND_TEXT, ()
    if is_how_to(question):
        how_to = _best_steps(passages)
        if how_to is not None:
            return how_to
    asked = QUESTION_WORDS.sub(" ", " ".join(folded_tokens(question)))
    q_tokens = _content_tokens(asked)
    q_bigrams = _bigrams(folded_tokens(asked))
    split = [
        (rank, position, sentence, folded_tokens(sentence))
        for rank, hit in enumerate(passages)
        for position, sentence in enumerate(_sentences(hit.text))
    ]
    # Question words found in few sentences say more than words found everywhere (idf).
    n = len(split) or 1
    df = {t: sum(1 for *_, toks in split if t in toks) for t in q_tokens}
    weight = {t: math.log(1 + n / df[t]) if df[t] else 0.0 for t in q_tokens}
    top = max(weight.values(), default=1.0) or 1.0
    sentence_pairs = [_bigrams(toks) for *_, toks in split]
    pair_df = {p: sum(1 for pairs in sentence_pairs if p in pairs) for p in q_bigrams}
    pair_weight = {p: math.log(1 + n / d) / top if d else 0.0 for p, d in pair_df.items()}
    candidates: list[_Sentence] = []
    headings = [set(folded_tokens(h.heading)) for h in passages]
    for (rank, position, sentence, tokens), pairs in zip(split, sentence_pairs, strict=False):
        present = q_tokens & set(tokens)
        # A sentence inherits its section's topic ("Cách đặt mật khẩu mạnh" > "Dài ít nhất…").
        inherited = (q_tokens & headings[rank]) - present
        overlap = (sum(weight[t] for t in present) + 0.5 * sum(weight[t] for t in inherited)) / top
        pair_score = sum(pair_weight[p] for p in q_bigrams & pairs)
        score = overlap + pair_score + 0.6 / (1 + rank) + 0.2 / (1 + position)
        if sentence.endswith(":"):
            score *= 0.3  # introduces a list that would not be quoted with it
        elif sentence.endswith("?"):
            score *= 0.5  # the lesson asking, not telling
        if passages[rank].timestamp:
            score *= 0.85  # spoken transcripts ramble more than the written lesson
        candidates.append(_Sentence(sentence, rank, position, len(present), score))
    if not candidates:
        return NOT_FOUND_TEXT, ()
    # Sentences sharing a topic word with the question, outside the "Mục tiêu" lists (what the
    # lesson teaches, not the answer) when possible; failing that, the best passage's opening.
    sharing = [s for s in candidates if s.overlap > 0]
    pool = (
        [s for s in sharing if not _is_objectives(passages[s.hit_rank])]
        or sharing
        or [s for s in candidates if s.hit_rank == 0]
    )
    ranked = sorted(pool, key=lambda s: s.score, reverse=True)
    step = next((c for c in ranked[:max_sentences] if _STEP.match(c.text)), None)
    if step is not None and step is ranked[0]:
        # A "how to" answer: quote the steps in order rather than scattered sentences.
        steps = [(pos, text) for rank, pos, text, _ in split if rank == step.hit_rank]
        return _steps_answer(passages[step.hit_rank], steps, step.position)
    chosen: list[_Sentence] = []
    seen: list[set[str]] = []
    for candidate in ranked:
        words = set(folded_tokens(candidate.text))
        if any(len(words & other) / max(1, len(words | other)) > 0.8 for other in seen):
            continue  # the same point said twice ("Ghi nhớ" repeats the lesson)
        chosen.append(candidate)
        seen.append(words)
        if len(chosen) == max_sentences:
            break
    # Keep sentences readable: lesson by lesson (best first), in their original order.
    chosen.sort(key=lambda s: (s.hit_rank, s.position))
    by_title: dict[str, list[_Sentence]] = {}
    for picked in chosen:
        by_title.setdefault(passages[picked.hit_rank].title, []).append(picked)
    parts = []
    used_hits: list[Hit] = []
    for title, sentences in by_title.items():
        hits_here = [passages[r] for r in dict.fromkeys(s.hit_rank for s in sentences)]
        used_hits.extend(hits_here)
        locators = {h.locator for h in hits_here}
        if len(locators) == 1:  # one place in the lesson: say it once ("…», phút 2:15:")
            where = _locator_suffix(hits_here[0])
            texts = [s.text for s in sentences]
        else:  # several places: each quote says where it comes from
            where = ""
            texts = [_with_locator(s.text, passages[s.hit_rank].locator) for s in sentences]
        body = "\n".join(f"• {t}" for t in texts) if len(texts) > 1 else texts[0]
        parts.append(f"Theo bài «{title}»{where}:\n{body}")
    sources = tuple(source_link(h) for h in used_hits)
    return "\n\n".join(parts), sources


def _steps_answer(hit: Hit, sentences: list[tuple[int, str]], around: int) -> tuple[str, tuple[SourceLink, ...]]:
    """The numbered steps of `hit` from the start of the list holding sentence `around`."""
    start = around
    for position, sentence in reversed([p for p in sentences if p[0] <= around]):
        if _STEP.match(sentence):
            start = position
        else:
            break
    picked: list[str] = []
    size = 0
    for position, sentence in sentences:
        if position < start:
            continue
        if not _STEP.match(sentence) or len(picked) >= MAX_STEPS:
            break
        if size + len(sentence) > MAX_STEPS_CHARS:
            break
        picked.append(sentence)
        size += len(sentence)
    where = _locator_suffix(hit)
    return f"Theo bài «{hit.title}»{where}:\n" + "\n".join(picked), (source_link(hit),)


def _sentences(text: str) -> list[str]:
    """Readable (quotable) sentences of a passage: list items and lines split, markdown noise removed."""
    text = MARKDOWN_NOISE.sub("", normalize(text))
    sentences: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        line = re.sub(r"^[-*+•]\s+", "", line)
        if not line or line.startswith("|") or line.startswith("!["):
            continue
        numbered = _NUMBERED.match(line)  # "1. Mở ứng dụng" keeps its number
        number = numbered.group(1) + " " if numbered else ""
        line = line[numbered.end() :] if numbered else line
        is_step = bool(numbered) or bool(_STEP.match(line))
        pieces = [line] if is_step else _SENTENCE_END.split(line)  # a step stays whole
        for index, piece in enumerate(pieces):
            piece = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", piece).strip()  # markdown links
            if index == 0 and number:
                piece = number + piece
            if len(word_tokens(piece)) < 3 or _SELF_REFERENCE.search(" ".join(folded_tokens(piece))):
                continue
            piece = _TIME_STAMP.sub("", piece).strip()
            if len(piece) > MAX_SENTENCE_CHARS:
                piece = piece[:MAX_SENTENCE_CHARS].rsplit(" ", 1)[0] + "…"
            sentences.append(piece)
    return sentences


# --- small helpers -----------------------------------------------------------------------------
def word_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def folded_tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def _content_tokens(text: str) -> set[str]:
    return {t for t in folded_tokens(text) if t not in STOPWORDS and len(t) > 1}


def _bigrams(tokens: Sequence[str]) -> set[tuple[str, str]]:
    return {(a, b) for a, b in zip(tokens, tokens[1:], strict=False) if not (a in STOPWORDS and b in STOPWORDS)}


def _is_objectives(hit: Hit) -> bool:
    last = hit.heading.rsplit(">", 1)[-1].strip().lower()
    return last in {"mục tiêu", "mục tiêu bài học"}


def _with_locator(text: str, locator: str) -> str:
    return f"{text} ({locator})" if locator else text


def _locator_suffix(hit: Hit) -> str:
    # A video's time stamp means nothing where the video cannot be watched: pages only.
    return f", {hit.locator}" if hit.locator and not hit.timestamp else ""


def is_how_to(question: str) -> bool:
    """True for "làm sao / cách / thế nào / ntn / sao để / phải làm gì" questions (any typing)."""
    return bool(_HOW_TO.search(" ".join(folded_tokens(expand_teencode(normalize(question))))))


def quotable(hits: Sequence[Hit]) -> list[Hit]:
    """Hits an extract may quote: no image descriptions or card phrasings; transcripts after text."""
    usable = [h for h in hits if (h.metadata or {}).get("kind") not in ("image", "card")]
    return [h for h in usable if not h.timestamp] + [h for h in usable if h.timestamp]


def _best_steps(passages: Sequence[Hit]) -> tuple[str, tuple[SourceLink, ...]] | None:
    """The numbered steps of the best passage of the top lesson that has some, if any."""
    top_lesson = passages[0].lesson_id
    for hit in passages[:3]:
        if hit.lesson_id != top_lesson or hit.timestamp:
            continue
        numbered = list(enumerate(_sentences(hit.text)))
        first = next((pos for pos, text in numbered if _STEP.match(text)), None)
        if first is None or sum(1 for _, text in numbered if _STEP.match(text)) < MIN_STEPS:
            continue
        intro = [text for pos, text in numbered if pos < first]
        answer, sources = _steps_answer(hit, numbered, first)
        if intro and intro[-1].endswith(":"):  # "Các bước:" says what the steps are for
            head, body = answer.split("\n", 1)
            answer = f"{head}\n{intro[-1]}\n{body}"
        return answer, sources
    return None


def source_link(hit: Hit) -> SourceLink:
    return SourceLink(title=hit.title, source=hit.source, heading=hit.heading, locator=hit.locator)


def quotable_sentences(text: str) -> list[str]:
    """The sentences of a passage an extract may quote (no self-references, no time stamps)."""
    return _sentences(text)
