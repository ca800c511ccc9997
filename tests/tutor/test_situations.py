"""Answers round 3 (issue 11): a question told as a situation is answered by a close card (nearly
sure, some topic words and a word pair of a phrasing shared); a question naming a topic the course
never writes about ("laptop", "unikey") gets no extract of a passage about its other words."""

from __future__ import annotations

from typing import Any

from knowledge.hits import Hit
from tutor.answering import Answerer
from tutor.card_match import CardPolicy, best_card

MIN = 0.83
SELL = "Sao lưu ảnh, danh bạ và tin nhắn lên đám mây"
SELL_ANSWER = (
    "1. Sao lưu ảnh, danh bạ, tin nhắn Zalo lên tài khoản của bạn. 2. Đăng xuất các tài khoản. "
    "3. Khôi phục cài đặt gốc để xóa sạch dữ liệu."
)
SITUATION = "tính bán con điện thoại cũ cho tiệm để mua máy mới"


def card_hit(text: str, relevance: float, card_id: str = "giao-tiep-so-05-c5") -> Hit:
    return Hit(
        chunk_id=f"k-{abs(hash(text)) % 10_000}",
        doc_id="giao-tiep-so/faq",
        source="giao-tiep-so/faq.yaml",
        title=SELL,
        heading="Trước khi bán máy",
        text=text,
        score=1.0,
        relevance=relevance,
        lesson_id="giao-tiep-so-05",
        metadata={"kind": "card", "card_id": card_id, "answer": SELL_ANSWER, "section": "Trước khi bán máy"},
    )


def passage(text: str, *, title: str, relevance: float = 0.9) -> Hit:
    return Hit(
        chunk_id=f"p-{abs(hash(text)) % 10_000}",
        doc_id="dien-thoai-04",
        source="dien-thoai/04.md",
        title=title,
        heading="Cập nhật hệ điều hành",
        text=text,
        score=1.0,
        relevance=relevance,
        lesson_id="dien-thoai-04",
    )


class KindSearch:
    """Card hits for kind="card", passages otherwise."""

    def __init__(self, cards: list[Hit], passages: list[Hit]) -> None:
        self.cards, self.passages = cards, passages

    def __call__(self, query: str, **kwargs: Any) -> list[Hit]:
        return list(self.cards if kwargs.get("kind") == "card" else self.passages)


# --- a close card ----------------------------------------------------------------------------------
def test_a_close_card_sharing_a_word_pair_answers_a_situation() -> None:
    phrasing = "Trước khi bán điện thoại cũ cần làm gì?"
    close = best_card(SITUATION, [card_hit(phrasing, 0.905)])
    assert close is not None and 0.45 <= close.coverage < 0.75 and close.pairs >= 0.1
    policy = CardPolicy()
    assert policy.accepts(close)
    # Under the close score, or with a word the course never uses, or flagged off-topic: no.
    farther = best_card(SITUATION, [card_hit(phrasing, 0.895)])
    assert farther is not None and not policy.accepts(farther)
    assert not policy.accepts(close, unknown_topic=True) and not policy.accepts(close, off_topic=True)
    assert not CardPolicy(min_score=2.0, sure_score=2.0).accepts(close)  # cards turned off: close ones too


def test_a_close_card_sharing_almost_no_word_pair_does_not_answer() -> None:
    scattered = best_card(SITUATION, [card_hit("Máy cũ bán cho ai thì điện thoại phải làm gì?", 0.91)])
    assert scattered is not None and scattered.pairs < 0.1 and 0.45 <= scattered.coverage < 0.75
    assert not CardPolicy().accepts(scattered)


def test_the_answerer_replies_with_the_close_card() -> None:
    search = KindSearch([card_hit("Trước khi bán điện thoại cũ cần làm gì?", 0.905)], [])
    answer = Answerer(search, None, min_relevance=MIN).answer(SITUATION)
    assert answer.mode == "card" and answer.card_id == "giao-tiep-so-05-c5"
    assert answer.text == f"Theo bài «{SELL}»:\n{SELL_ANSWER}"


# --- a topic the course never writes about ----------------------------------------------------------
UPDATE = passage(
    "Hệ điều hành là phần mềm chính của máy. Cập nhật hệ điều hành để vá lỗi bảo mật. "
    "Cài bản cập nhật khi có Wi-Fi và pin trên 50%.",
    title="Cập nhật điện thoại và giải phóng bộ nhớ",
)
UNKNOWN = {"laptop": 7.5, "thaoi": 0.0}  # a word the course never uses; a typo of "thoại" weighs 0


def weights(words: Any) -> list[float]:
    return [UNKNOWN.get(w, 3.0) for w in words]


def unknown_words(text: str) -> list[str]:
    return [w for w in text.lower().split() if w in UNKNOWN]


def answerer() -> Answerer:
    return Answerer(
        KindSearch([], [UPDATE]), None, min_relevance=MIN, unknown_words=unknown_words, word_weights=weights
    )


def test_a_question_naming_an_unknown_topic_gets_no_extract() -> None:
    answer = answerer().answer("cài lại hệ điều hành cho laptop")
    assert answer.mode == "not_found" and not answer.answered and not answer.sources


def test_a_typo_of_a_course_word_still_gets_the_extract() -> None:
    answer = answerer().answer("cập nhật hệ điều hành điện thaoi")
    assert answer.mode == "extractive" and answer.answered
    assert "Cập nhật hệ điều hành" in answer.text


def test_a_question_naming_an_unknown_topic_is_offered_no_lesson() -> None:
    close = passage("Cài bàn phím, gõ tiếng Việt có dấu trên máy tính.", title="Phóng to chữ và gõ chữ", relevance=0.86)
    search = KindSearch([], [close])
    UNKNOWN["unikey"] = 7.5
    try:
        question = "cài unikey gõ tiếng việt trên máy tính"
        plain = Answerer(search, None, min_relevance=MIN, word_weights=weights).answer(question)
        checked = Answerer(search, None, min_relevance=MIN, unknown_words=unknown_words, word_weights=weights).answer(
            question
        )
    finally:
        del UNKNOWN["unikey"]
    assert plain.mode == "extractive" and plain.suggestions  # weighed alone, the other words carry it
    assert checked.mode == "not_found" and checked.suggestions == []
