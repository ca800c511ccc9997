"""Q&A cards are ingested as their own chunk kind: one chunk per phrasing, incrementally by file hash,
searchable only when asked for (kind="card"), removed with the card or the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from hocvuso.container import Container
from ingest.cards import load_cards
from knowledge.manifest import ChunkRow
from tests.conftest import FIXTURE_COURSE

CARDS = """\
# Q&A cards of module an-toan.
cards:
  - id: mat-khau-manh-c1
    lesson: mat-khau-manh
    section: "Cách đặt mật khẩu mạnh"
    questions:
      - "Mật khẩu thế nào thì đủ mạnh?"
      - "mat khau bao nhieu ky tu la du manh"
      - "dat mk sao cho kho doan"
    answer: |
      Mật khẩu mạnh dài ít nhất 12 ký tự, ghép vài từ không liên quan, thêm số và ký hiệu.
    follow_up: [mat-khau-manh-c2]
  - id: mat-khau-manh-c2
    lesson: mat-khau-manh
    section: "Nhớ nhiều mật khẩu thế nào"
    questions:
      - "Nhiều mật khẩu quá, nhớ sao nổi?"
      - "nhieu mk qua ko nho noi"
      - "co app nao nho mat khau giup ko"
    answer: |
      Dùng trình quản lý mật khẩu có sẵn trên điện thoại: nó nhớ giúp bạn, bạn chỉ cần nhớ một mật khẩu.
"""


def _course(tmp_path: Path) -> Path:
    root = tmp_path / "lessons"
    shutil.copytree(FIXTURE_COURSE, root)
    (root / "an-toan" / "faq.yaml").write_text(CARDS, encoding="utf-8")
    return root


def _card_rows(container: Container) -> list[ChunkRow]:
    with container.session_factory() as session:
        rows = list(session.scalars(select(ChunkRow)))
    return [r for r in rows if (r.meta or {}).get("kind") == "card" and r.source == "an-toan/faq.yaml"]


def test_load_cards_reads_phrasings_with_lesson_titles(tmp_path: Path) -> None:
    root = _course(tmp_path)
    phrasings = load_cards(root / "an-toan" / "faq.yaml")
    assert [p.card_id for p in phrasings] == ["mat-khau-manh-c1"] * 3 + ["mat-khau-manh-c2"] * 3
    assert phrasings[0].lesson_title == "Đặt mật khẩu mạnh"
    assert phrasings[1].chunk.text == "mat khau bao nhieu ky tu la du manh"
    assert phrasings[0].follow_up == ["mat-khau-manh-c2"]
    assert len({p.chunk.id for p in phrasings}) == 6


@pytest.mark.slow
def test_cards_are_ingested_incrementally_and_removed(container: Container, tmp_path: Path) -> None:
    root = _course(tmp_path)
    first = container.ingestor.run([root])
    assert first.ok, first.failed
    assert "an-toan/faq.yaml" in first.added
    rows = _card_rows(container)
    assert len(rows) == 6
    row = next(r for r in rows if r.text == "Mật khẩu thế nào thì đủ mạnh?")
    assert row.lesson_id == "mat-khau-manh" and row.module == "an-toan"
    assert row.title == "Đặt mật khẩu mạnh" and row.heading == "Cách đặt mật khẩu mạnh"
    assert row.meta["card_id"] == "mat-khau-manh-c1" and "12 ký tự" in row.meta["answer"]
    assert {r.id for r in rows} <= container.vector_store.all_ids()

    # Searching cards finds the card's phrasings only; searching lessons never returns a card.
    kb = container.knowledge_base
    kb.refresh()
    cards = kb.search("mat khau may ky tu thi manh", k=3, kind="card")
    assert cards and all(h.metadata.get("kind") == "card" for h in cards)
    assert cards[0].metadata["card_id"] == "mat-khau-manh-c1"
    passages = kb.search("mật khẩu mạnh", k=10)
    assert passages and not any(h.metadata.get("kind") == "card" for h in passages)
    assert kb.unknown_words("hoc lap trinh python voi mk manh") == ["lap", "python"]

    # Unchanged: nothing embedded again.
    second = container.ingestor.run([root])
    assert "an-toan/faq.yaml" in second.unchanged and second.chunks_embedded == 0

    # One phrasing edited, one card removed: only the new phrasing is embedded, the rest removed.
    faq = root / "an-toan" / "faq.yaml"
    edited = CARDS.replace('"dat mk sao cho kho doan"', '"dat mat khau the nao cho manh"')
    edited = edited[: edited.index("  - id: mat-khau-manh-c2")]
    faq.write_text(edited, encoding="utf-8")
    third = container.ingestor.run([root])
    assert "an-toan/faq.yaml" in third.changed
    assert third.chunks_embedded == 1
    texts = sorted(r.text for r in _card_rows(container))
    assert texts == sorted(
        ["Mật khẩu thế nào thì đủ mạnh?", "mat khau bao nhieu ky tu la du manh", "dat mat khau the nao cho manh"]
    )
    ids = {r.id for r in _card_rows(container)}
    with container.session_factory() as session:
        all_ids = set(session.scalars(select(ChunkRow.id)))
    assert container.vector_store.all_ids() == all_ids and ids <= all_ids

    # The file removed: its cards go with it.
    faq.unlink()
    fourth = container.ingestor.run([root])
    assert "an-toan/faq.yaml" in fourth.removed
    assert _card_rows(container) == []
