"""The command registry: help lines, aliases, labels and the menu are generated from one place."""

from __future__ import annotations

import pytest

from knowledge.textnorm import fold
from tutor import texts
from tutor.flows import build_registry
from tutor.payloads import Payload


@pytest.fixture
def registry():  # type: ignore[no-untyped-def]
    return build_registry()


def test_every_command_has_a_help_line_shown_in_trogiup(registry) -> None:
    help_text = registry.help_text()
    assert help_text.startswith(texts.HELP_TITLE) and help_text.endswith(texts.HELP_FOOTER)
    for command in registry.commands:
        assert command.help.strip(), command.name
        assert f"/{command.name}" in help_text
    assert len(help_text.splitlines()) == len(registry.commands) + 2
    assert max(len(line) for line in help_text.splitlines()) <= 60  # phone-sized


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("/hoc", "hoc"),
        ("/learn", "hoc"),
        ("/kiemtra", "baitap"),
        ("/lambaitap", "baitap"),
        ("bai tap", "baitap"),
        ("/batdau", "start"),
        ("/help", "trogiup"),
        ("tro giup", "trogiup"),
        ("/remindoff", "tatnhacnho"),
        ("xoa du lieu", "xoadulieu"),
        ("/KiemTraDauVao", "kiemtradauvao"),
    ],
)
def test_aliases_and_forms_without_slash_or_tone_marks_route(registry, typed: str, name: str) -> None:
    parsed = registry.parse(typed)
    assert parsed is not None and parsed.command is not None, typed
    assert parsed.command.name == name


def test_every_label_typed_runs_its_command(registry) -> None:
    for entry in registry.menu():
        for typed in (entry.label, fold(entry.label), entry.label.upper()):
            parsed = registry.parse(typed)
            assert parsed is not None and parsed.command is not None, typed
            assert parsed.command.name == entry.command, typed


def test_argument_forms(registry) -> None:
    parsed = registry.parse("nhac nho 6h30")
    assert parsed is not None and parsed.command is not None
    assert (parsed.command.name, parsed.arg) == ("nhacnho", "6h30")
    assert registry.parse("lien ket abc") is None  # a link code is six digits
    assert registry.parse("học như thế nào") is None


def test_menu_quick_entries_in_order_then_the_rest(registry) -> None:
    menu = registry.menu()
    quick = [(e.label, e.command) for e in menu if e.quick]
    assert quick == [
        ("Học tiếp", "hoc"),
        ("Hỏi", "hoi"),
        ("Bài tập", "baitap"),
        ("Tiến độ", "tiendo"),
        ("Danh mục", "baihoc"),
    ]
    assert [e.quick for e in menu] == sorted((e.quick for e in menu), reverse=True)  # quick ones first
    assert {e.command for e in menu} == {c.name for c in registry.commands}
    assert all(e.description and e.label for e in menu)


def test_every_button_payload_has_one_handler(registry) -> None:
    declared = set(registry.payload_types())
    assert declared == set(Payload.__subclasses__())
    assert len({p.code for p in declared}) == len(declared)


def test_a_word_used_by_two_commands_is_refused(registry) -> None:
    from tutor.registry import Command

    with pytest.raises(ValueError, match="used by"):
        registry.command(Command("hocthem", "học thêm", lambda *_: None, aliases=("learn",)))  # type: ignore[arg-type,return-value]
