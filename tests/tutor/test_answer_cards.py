"""Cards first: a confident card match is the reply (no LLM call); otherwise passages, with steps for
how-to questions, no self-references or time stamps; scope and the suggestion floor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from knowledge.hits import Hit
from knowledge.textnorm import fold
from tests.fakes.openai_server import OpenAIFake
from tutor.answer_scope import ScopeCheck
from tutor.answering import Answerer
from tutor.card_match import CardPolicy, best_card, topic_coverage
from tutor.config import LLMConfig
from tutor.extractive import extractive_answer, is_how_to
from tutor.llm import make_chat_model
from tutor.safety import safety_steps

MIN = 0.83
TRANSFER = "Chuyển khoản và quét VietQR đúng người nhận"
WRONG_TRANSFER_ANSWER = (
    "1. Gọi ngay tổng đài in trên thẻ ngân hàng hoặc ra quầy.\n2. Đề nghị tra soát, đưa thời gian, số tiền.\n"
    "3. Ngân hàng liên hệ bên nhận; người nhận có nghĩa vụ trả lại."
)


def card_hit(n: int, text: str, card_id: str, relevance: float, *, answer: str = WRONG_TRANSFER_ANSWER) -> Hit:
    return Hit(
        chunk_id=f"k{n}",
        doc_id="ngan-hang-so/faq",
        source="ngan-hang-so/faq.yaml",
        title=TRANSFER,
        heading="Chuyển nhầm tiền",
        text=text,
        score=1.0 / n,
        relevance=relevance,
        lesson_id="ngan-hang-so-02",
        metadata={"kind": "card", "card_id": card_id, "answer": answer, "section": "Chuyển nhầm tiền"},
    )


def passage(n: int, text: str, *, title: str = TRANSFER, heading: str = "Chuyển nhầm", **kw: Any) -> Hit:
    return Hit(
        chunk_id=f"p{n}",
        doc_id=f"d{n}",
        source=f"ngan-hang-so/0{n}.md",
        title=title,
        heading=heading,
        text=text,
        score=1.0 / n,
        relevance=kw.pop("relevance", 0.9),
        lesson_id=kw.pop("lesson_id", "ngan-hang-so-02"),
        **kw,
    )


class KindSearch:
    """Returns card hits for kind="card" and passages otherwise; records the calls."""

    def __init__(self, cards: list[Hit], passages: list[Hit]) -> None:
        self.cards, self.passages = cards, passages
        self.calls: list[dict[str, Any]] = []

    def __call__(self, query: str, **kwargs: Any) -> list[Hit]:
        self.calls.append({"query": query, **kwargs})
        return list(self.cards if kwargs.get("kind") == "card" else self.passages)


CARD_HITS = [
    card_hit(1, "chuyen khoan nham so tai khoan thi lam sao", "ngan-hang-so-02-c4", 0.93),
    card_hit(2, "Lỡ chuyển nhầm tiền cho người khác thì làm sao lấy lại?", "ngan-hang-so-02-c4", 0.91),
    card_hit(3, "Tra soát là gì?", "ngan-hang-so-02-c3", 0.86, answer="Tra soát là đề nghị ngân hàng kiểm tra lại."),
]
STEPS = passage(
    1,
    "Nếu lỡ chuyển nhầm, làm theo các bước sau:\n1. Gọi tổng đài in trên thẻ.\n2. Đề nghị tra soát.\n"
    "3. Chờ ngân hàng liên hệ bên nhận.\nXem hình bên dưới của bài này để biết nút tra soát.",
)


def test_a_confident_card_is_the_reply_with_its_lesson() -> None:
    search = KindSearch(CARD_HITS, [STEPS])
    answer = Answerer(search, None, min_relevance=MIN).answer("chuyen khoan nham stk thi sao")

    assert answer.mode == "card" and answer.answered
    assert answer.card_id == "ngan-hang-so-02-c4"
    assert answer.text == f"Theo bài «{TRANSFER}»:\n{WRONG_TRANSFER_ANSWER}"
    assert answer.suggestions == [TRANSFER]  # the button to open the lesson
    assert [s.title for s in answer.sources] == [TRANSFER] and answer.sources[0].heading == "Chuyển nhầm tiền"
    assert [c.get("kind") for c in search.calls] == ["card"]  # no passage search needed


def test_a_weak_card_falls_back_to_the_lesson_steps() -> None:
    weak = [card_hit(1, "Tra soát là gì?", "ngan-hang-so-02-c3", 0.84)]
    answer = Answerer(KindSearch(weak, [STEPS]), None, min_relevance=MIN).answer("lỡ chuyển nhầm thì làm sao")

    assert answer.mode == "extractive" and answer.card_id is None
    assert "1. Gọi tổng đài in trên thẻ." in answer.text and "3. Chờ ngân hàng liên hệ bên nhận." in answer.text
    assert "bài này" not in answer.text and "hình" not in answer.text


def test_card_policy_needs_topic_words_between_the_two_scores() -> None:
    policy = CardPolicy(min_score=0.86, sure_score=0.92, min_coverage=0.6)
    unrelated = best_card("công thức nấu phở bò", [card_hit(1, "Tra soát là gì?", "c3", 0.88)])
    assert unrelated is not None and unrelated.coverage == 0.0 and not policy.accepts(unrelated)
    related = best_card("chuyen khoan nham", [card_hit(1, "chuyển khoản nhầm", "c4", 0.88)])
    assert related is not None and related.coverage == 1.0 and policy.accepts(related)
    sure = best_card("abc xyz", [card_hit(1, "chuyển khoản nhầm", "c4", 0.95)])
    assert sure is not None and policy.accepts(sure)
    assert topic_coverage("ck nham stk ntn", "chuyển khoản nhầm số tài khoản") == 1.0


def test_a_scam_in_progress_gets_the_safety_steps_before_the_card() -> None:
    question = "có người gọi bảo tôi chuyển tiền để khỏi bị bắt"
    answer = Answerer(KindSearch(CARD_HITS, [STEPS]), None, min_relevance=MIN).answer(question)
    assert answer.mode == "safety"
    assert answer.steps == safety_steps(question) and answer.reply_text.startswith(answer.steps)
    assert answer.text.startswith("Theo bài") and WRONG_TRANSFER_ANSWER in answer.text


def test_off_topic_gets_the_scope_reply_and_no_lesson() -> None:
    search = KindSearch([], [STEPS])
    scope = ScopeCheck(is_off_topic=lambda text: "phở" in text, reply=lambda: "Mình là trợ lý học kỹ năng số.")
    answer = Answerer(search, None, min_relevance=MIN, scope=scope).answer("công thức nấu phở")
    assert answer.mode == "off_topic" and not answer.answered
    assert answer.text == "Mình là trợ lý học kỹ năng số." and answer.suggestions == []
    assert [c["kind"] for c in search.calls] == ["card"]  # no passage searched, no lesson offered


def test_no_lesson_is_offered_under_the_floor() -> None:
    weak = [passage(1, "Mã QR dán ở cửa hàng có thể bị dán đè.", relevance=0.80)]
    answer = Answerer(KindSearch([], weak), None, min_relevance=MIN, suggest_floor=0.85).answer("giá vàng hôm nay")
    assert answer.mode == "not_found" and answer.suggestions == [] and "«" not in answer.text


@pytest.mark.parametrize(
    "question",
    ["làm sao phóng to chữ", "cach bat nfc", "bat nfc ntn", "sao để chặn người lạ", "lo ck nham thi phai lam gi"],
)
def test_how_to_questions_in_every_typing_style(question: str) -> None:
    assert is_how_to(question)


def test_extracts_drop_self_references_image_descriptions_and_time_stamps() -> None:
    hits = [
        passage(
            1,
            "Wi-Fi miễn phí ở quán rất tiện. Xem thêm hình minh họa của bài này. Tên thật của trang là phần cuối "
            "của đoạn này. Wi-Fi giả do kẻ gian lập thường đặt tên giống quán (phút 2:16).",
            heading="Wi-Fi công cộng",
        ),
        passage(2, "Ảnh chụp màn hình: chữ trắng trên nền xanh đậm, Wi-Fi quán.", metadata={"kind": "image"}),
    ]
    text, _ = extractive_answer("wifi quán cà phê có an toàn không", hits, max_sentences=3)
    assert "Wi-Fi giả do kẻ gian lập" in text
    for banned in ("bài này", "đoạn này", "hình minh họa", "nền xanh", "2:16", "phút"):
        assert banned not in text, banned


# --- with an LLM -------------------------------------------------------------------------------
@pytest.fixture
def fake() -> Iterator[OpenAIFake]:
    with OpenAIFake("Gọi tổng đài ngân hàng và đề nghị tra soát [1].") as server:
        yield server


def _llm(fake: OpenAIFake, search: KindSearch) -> Answerer:
    model = make_chat_model(LLMConfig(base_url=fake.base_url, model="fake", timeout_s=5.0))
    return Answerer(search, model, min_relevance=MIN)


def test_a_matching_card_wins_without_calling_the_llm(fake: OpenAIFake) -> None:
    answer = _llm(fake, KindSearch(CARD_HITS, [STEPS])).answer("chuyen khoan nham stk thi sao")
    assert answer.mode == "card"
    assert fake.requests == []


def test_near_cards_go_to_the_llm_as_data(fake: OpenAIFake) -> None:
    near = [
        card_hit(1, "Tra soát là gì?", "ngan-hang-so-02-c3", 0.87, answer="Tra soát là đề nghị ngân hàng kiểm tra.")
    ]
    answer = _llm(fake, KindSearch(near, [STEPS])).answer("ngân hàng giúp gì khi mình lỡ tay chuyển sai")
    assert answer.mode == "llm"
    prompt = str(fake.requests[-1])
    assert "Hỏi: Tra soát là gì?" in prompt and "Đáp: Tra soát là đề nghị ngân hàng kiểm tra." in prompt
    assert "Gọi tổng đài in trên thẻ" in prompt  # the passage goes too


def test_an_unknown_topic_word_needs_a_sure_card() -> None:
    """ "python" is nowhere in the course: a card sharing the other words is not enough."""
    near = [card_hit(1, "mới bắt đầu học điện thoại nên học gì trước", "ai-05-c5", 0.89)]
    question = "hoc lap trinh python bat dau tu dau"
    known = Answerer(KindSearch(near, []), None, min_relevance=MIN, card_policy=CardPolicy(min_coverage=0.3))
    assert known.answer(question).mode == "card"
    unknown = Answerer(
        KindSearch(near, []),
        None,
        min_relevance=MIN,
        card_policy=CardPolicy(min_coverage=0.3),
        unknown_words=lambda text: ["python"],
    )
    assert unknown.answer(question).mode == "not_found"
    sure = [card_hit(1, "học lập trình python", "x-c1", 0.95)]
    assert (
        Answerer(KindSearch(sure, []), None, min_relevance=MIN, unknown_words=lambda t: ["python"])
        .answer(question)
        .mode
        == "card"
    )


def test_shared_word_pairs_pick_the_right_sibling_card() -> None:
    """Dense similarity prefers "how to transfer without mistakes"; the word pairs point to tra soát."""
    hits = [
        card_hit(
            1, "chuyen khoan sao cho ko bi nham nguoi", "ngan-hang-so-02-c1", 0.931, answer="Đọc kỹ tên người nhận."
        ),
        card_hit(2, "ck nham stk roi lay lai dc ko", "ngan-hang-so-02-c4", 0.876),
    ]
    match = best_card("chuyen khoan nham stk thi sao", hits)
    assert match is not None and match.card_id == "ngan-hang-so-02-c4"


# --- topic words weighed by rarity (scope11) ------------------------------------------------------
RARITY = {"mua": 3.4, "cho": 0.5, "giong": 3.5, "uy": 5.2, "tin": 1.9, "chuyen": 1.9, "khoan": 2.5, "nham": 4.0}


def rarity(words: Any) -> list[float]:
    """A store's word rarity: common course words low, unknown ones ("website") the highest (marked
    words weigh as their folded form here)."""
    return [RARITY.get(fold(w), 7.3) for w in words]


def test_a_rare_topic_word_the_card_lacks_outweighs_common_words_it_shares() -> None:
    # "mua ... ở đâu uy tín" shares three of four topic words with the card on choosing a seller;
    # the one it lacks ("website", a word the course never uses) is what the question is about.
    seller = card_hit(1, "mua hàng online ở đâu uy tín", "mua-sam-01-c2", 0.885)
    question = "mua website ở đâu uy tín"
    plain = best_card(question, [seller])
    weighed = best_card(question, [seller], rarity)
    assert plain is not None and weighed is not None
    assert plain.coverage == 0.75 and weighed.coverage < 0.6
    assert CardPolicy(min_coverage=0.75).accepts(plain) and not CardPolicy(min_coverage=0.75).accepts(weighed)
    assert topic_coverage("chuyen khoan nham", "chuyển khoản nhầm", rarity) == 1.0


def test_the_answerer_weighs_topic_words_for_cards_and_passages() -> None:
    seller = card_hit(1, "mua hàng online ở đâu uy tín", "mua-sam-01-c2", 0.885)
    shop = passage(2, "Mua ở gian hàng uy tín, xem đánh giá trước.", relevance=0.86, lesson_id="mua-sam-01")
    search = KindSearch([seller], [shop])
    unweighed = Answerer(search, None, min_relevance=MIN, card_policy=CardPolicy(min_coverage=0.75))
    weighed = Answerer(search, None, min_relevance=MIN, card_policy=CardPolicy(min_coverage=0.75), word_weights=rarity)
    question = "mua website ở đâu uy tín"
    assert unweighed.answer(question).mode == "card"
    answer = weighed.answer(question)
    assert answer.mode == "not_found" and not answer.suggestions  # no unrelated lesson offered
    # A question about what the card holds is still answered by it.
    assert weighed.answer("mua hàng ở đâu uy tín").mode == "card"


def test_broken_word_weights_fall_back_to_equal_weights() -> None:
    def broken(_words: Any) -> list[float]:
        raise RuntimeError("store gone")

    answer = Answerer(KindSearch(CARD_HITS, [STEPS]), None, min_relevance=MIN, word_weights=broken).answer(
        "chuyen khoan nham stk thi sao"
    )
    assert answer.mode == "card"
