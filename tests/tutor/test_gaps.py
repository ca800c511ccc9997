"""The content-gap log: recorded without a learner, masked, grouped by similarity with counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select

from tutor.gaps import GapLog, GapRow, content_words, fold_question, group_gaps, jaccard, redact
from tutor.models import ContentGap

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


class Ticking:
    """A clock that moves one hour per call."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(hours=1)
        return self.now


@pytest.fixture
def gap_log(quick_container):  # type: ignore[no-untyped-def]
    return GapLog(quick_container.session_factory, clock=Ticking())


def test_the_gap_table_has_no_learner_column(quick_container) -> None:  # type: ignore[no-untyped-def]
    columns = {c["name"] for c in inspect(quick_container.engine).get_columns("tutor_content_gaps")}
    assert columns == {"id", "at", "reason", "question", "folded", "lesson_id", "score"}


def test_record_stores_text_folded_form_reason_and_best_lesson(gap_log, quick_container) -> None:  # type: ignore[no-untyped-def]
    assert gap_log.record("Cách cài Windows 11 ntn?", "not_found", lesson_id="dien-thoai-03", score=0.41)
    assert not gap_log.record("  ?? ", "not_found")  # nothing to record
    with quick_container.session_factory() as session:
        rows = session.scalars(select(ContentGap)).all()
    assert len(rows) == 1
    row = rows[0]
    assert row.question == "Cách cài Windows 11 ntn?"
    assert row.folded == "cach cai windows 11 nhu the nao"
    assert (row.reason, row.lesson_id, row.score) == ("not_found", "dien-thoai-03", pytest.approx(0.41))
    assert row.at.replace(tzinfo=UTC) == T0 + timedelta(hours=1)


def test_personal_numbers_and_emails_are_masked_before_storage() -> None:
    text = redact("stk 0123456789 của tôi, sdt 090 123 4567, mail an.nguyen@example.com, mã 123")
    assert "0123456789" not in text and "4567" not in text and "example.com" not in text
    assert "mã 123" in text  # short numbers stay: they are part of questions ("bài 3", "4G")


def test_an_unknown_reason_is_refused(gap_log) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        gap_log.record("câu hỏi", "because")


def test_similar_questions_are_grouped_with_counts_most_asked_first(gap_log) -> None:  # type: ignore[no-untyped-def]
    for text, reason in [
        ("cài windows 11 cho máy tính", "not_found"),
        ("gia vang hom nay", "off_topic"),
        ("cach cai windows 11 cho may tinh", "not_found"),
        ("Cài Windows 11 cho máy tính thế nào?", "thumbs_down"),
        ("máy in không nhận lệnh in", "not_found"),
        ("may in khong nhan lenh in", "not_found"),
    ]:
        gap_log.record(text, reason, lesson_id="dien-thoai-03" if "windows" in fold_question(text) else None)
    groups = gap_log.grouped()
    assert [g.count for g in groups] == [3, 2, 1]
    windows, printer, gold = groups
    assert "windows" in fold_question(windows.question)
    assert windows.reasons == {"not_found": 2, "thumbs_down": 1}
    assert windows.lessons == ["dien-thoai-03"]
    assert printer.question == "máy in không nhận lệnh in"  # the wording with tone marks reads best
    assert gold.reasons == {"off_topic": 1} and gold.lessons == []
    assert windows.first_at < windows.last_at
    as_json = windows.as_dict()
    assert as_json["count"] == 3 and isinstance(as_json["last_at"], str)


def test_since_and_reasons_filter_the_list(gap_log) -> None:  # type: ignore[no-untyped-def]
    gap_log.record("old question about printers", "not_found")  # T0 + 1h
    gap_log.record("new question about printers", "thumbs_down")  # T0 + 2h
    since = T0 + timedelta(hours=1, minutes=30)
    assert [g.count for g in gap_log.grouped(since)] == [1]
    assert gap_log.grouped(reasons=["thumbs_down"])[0].reasons == {"thumbs_down": 1}
    assert gap_log.grouped(T0 + timedelta(days=1)) == []


def test_grouping_is_by_content_words() -> None:
    assert content_words("lam sao cai windows nhu the nao") == {"cai", "windows"}
    assert jaccard(frozenset({"a", "b"}), frozenset({"b", "c"})) == pytest.approx(1 / 3)
    assert jaccard(frozenset(), frozenset()) == 0.0
    rows = [
        GapRow("xem phim online", "xem phim online", "not_found", T0),
        GapRow("tai nhac mp3", "tai nhac mp3", "not_found", T0 + timedelta(minutes=1)),
    ]
    assert [g.count for g in group_gaps(rows)] == [1, 1]
    assert [g.count for g in group_gaps(rows, similarity=0.0)] == [2]


@pytest.mark.parametrize(
    "text", ["ok", "em oi", "2", "3", "menu", "hay qua", "cam on em nhieu", "ngu the", "ban la ai"]
)
def test_small_talk_and_one_word_texts_are_not_gaps(gap_log, text) -> None:  # type: ignore[no-untyped-def]
    """QA finding 11: the editors' list held "ok", "em oi", "2", "menu", "hay qua"."""
    assert not gap_log.record(text, "not_found")
    assert gap_log.rows() == []


def test_a_short_real_question_is_still_a_gap(gap_log) -> None:  # type: ignore[no-untyped-def]
    assert gap_log.record("nfc là gì?", "not_found")
    assert gap_log.record("cài zoom trên máy tính", "not_found")
    assert [r.question for r in gap_log.rows()] == ["nfc là gì?", "cài zoom trên máy tính"]
