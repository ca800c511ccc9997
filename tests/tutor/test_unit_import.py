"""Importing the registry: CSV and XLSX, Vietnamese headers, every problem as `row N, column: reason`,
all or nothing, re-import in place with a report of what changed, the sample replaced."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from knowledge.db import transaction
from tutor.unit_import import ImportFileError, import_units, read_units_file, validate_rows, write_template

GOOD = """code,name,level,parent,sector,officers,public_staff,workers
tinh,Liên đoàn Lao động tỉnh Thử,province,,union,10,0,0
huyen,Liên đoàn Lao động huyện Thử,district,tinh,union,4,0,0
cty-a,Công đoàn Công ty A,grassroots,huyen,enterprise,2,0,"1,200"
ubnd,Công đoàn UBND huyện,grassroots,huyen,public,1,45,0
"""


def _write(tmp_path: Path, text: str, name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _units(db) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    from tutor.models import Unit

    with db.session_factory() as session:
        rows = session.execute(sa.select(Unit.id, Unit.level, Unit.parent_id, Unit.workers, Unit.sample)).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def test_vietnamese_headers_and_values_semicolons_and_any_column_order(tmp_path: Path) -> None:
    text = (
        "Tên đơn vị;Mã đơn vị;Cấp;Mã cấp trên;Khu vực;Cán bộ công đoàn;Công chức viên chức;Công nhân lao động\n"
        "Liên đoàn tỉnh;tinh;cấp tỉnh;;công đoàn;3;0;0\n"
        "Cty B;cty-b;co so;tinh;doanh nghiệp;1;0;1.500\n"
    )
    rows, errors = validate_rows(read_units_file(_write(tmp_path, text)), known=set())
    assert errors == []
    by_code = {r.info.id: r.info for r in rows}
    assert by_code["tinh"].level == "province" and by_code["tinh"].sector == "union"
    assert (by_code["cty-b"].level, by_code["cty-b"].parent, by_code["cty-b"].workers) == ("grassroots", "tinh", 1500)


def test_every_problem_is_reported_by_row_and_column(tmp_path: Path) -> None:
    text = "code,name,level,parent,sector,officers,public_staff,workers,colour\na,A,province,,union,1,0,0,red\n"
    _, errors = validate_rows(read_units_file(_write(tmp_path, text)), known=set())
    assert errors == ["row 1, column colour: unknown column"]
    text = (
        "code,name,level,parent,sector,officers,public_staff,workers\n"
        "a,A,province,,union,1,0,0\n"
        "b,,district,a,union,-1,0,0\n"  # row 3
        "a,A again,grassroots,a,factory,0,x,0\n"  # row 4
        "c d,C,grassroots,zz,enterprise,0,0,2.5\n"  # row 5
        "e,E,province,a,union,0,0,0\n"  # row 6: a province under a province
    )
    _, errors = validate_rows(read_units_file(_write(tmp_path, text)), known=set())
    assert "row 3, name: empty" in errors
    assert any(e.startswith("row 3, officers:") for e in errors)
    assert "row 4, code: 'a' already on row 2" in errors
    assert any(e.startswith("row 4, sector:") for e in errors)
    assert any(e.startswith("row 4, public_staff:") for e in errors)
    assert any(e.startswith("row 5, code:") for e in errors)
    assert "row 5, parent: unknown unit 'zz'" in errors
    assert any(e.startswith("row 5, workers:") for e in errors)
    assert any(e.startswith("row 6, parent:") and "not above" in e for e in errors)
    missing = _write(tmp_path, "code,level\na,province\n")
    _, errors = validate_rows(read_units_file(missing), known=set())
    assert errors == ["row 1, column name: missing (required)"]


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="csv or .xlsx"):
        read_units_file(_write(tmp_path, "x", "units.txt"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("code,name\nà,Â\n".encode("cp1258"))
    with pytest.raises(ImportFileError, match="UTF-8"):
        read_units_file(latin)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK not really a workbook")
    with pytest.raises(ImportFileError, match="XLSX"):
        read_units_file(broken)
    with pytest.raises(ImportFileError, match="empty"):
        read_units_file(_write(tmp_path, "\n\n"))


def test_import_is_all_or_nothing_then_updates_in_place(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert len(db.units) > 0  # seeds the sample registry
    sample = _units(db)
    assert sample and all(row[-1] for row in sample.values())
    bad = _write(tmp_path, GOOD + "x,X,grassroots,nowhere,enterprise,0,0,0\n", "bad.csv")
    with transaction(db.session_factory) as session:
        report, errors = import_units(session, bad)
    assert errors == ["row 6, parent: unknown unit 'nowhere'"]
    assert _units(db) == sample  # nothing written

    with transaction(db.session_factory) as session:
        report, errors = import_units(session, _write(tmp_path, GOOD))
    assert errors == [] and sorted(report.added) == ["cty-a", "huyen", "tinh", "ubnd"]
    assert len(report.removed_sample) == len(sample)  # the sample registry is replaced
    assert _units(db) == {
        "tinh": ("province", None, 0, False),
        "huyen": ("district", "tinh", 0, False),
        "cty-a": ("grassroots", "huyen", 1200, False),
        "ubnd": ("grassroots", "huyen", 0, False),
    }
    changed = GOOD.replace('"1,200"', "1300").replace("ubnd,", "#ubnd,") + "cty-b,Cty B,grassroots,huyen,,0,0,5\n"
    with transaction(db.session_factory) as session:
        report, errors = import_units(session, _write(tmp_path, changed, "v2.csv"))
    assert errors == []
    assert report.added == ["cty-b"] and report.unchanged == 2 and report.kept_missing == ["ubnd"]
    assert report.updated == [("cty-a", ["workers: 1200 → 1300"])]
    assert "1 added, 1 updated, 2 unchanged" in report.lines()[0]
    assert _units(db)["cty-a"][2] == 1300 and "ubnd" in _units(db)  # kept: learners may point at it


def test_dry_run_writes_nothing(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert len(db.units) > 0
    before = _units(db)
    with transaction(db.session_factory) as session:
        report, errors = import_units(session, _write(tmp_path, GOOD), dry_run=True)
    assert errors == [] and len(report.added) == 4
    assert _units(db) == before


def test_template_round_trips_through_the_importer(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "template.xlsx"
    write_template(path)
    rows, errors = validate_rows(read_units_file(path), known=set())
    assert errors == [] and [r.info.level for r in rows] == ["province", "district", "grassroots"]
    from openpyxl import load_workbook

    book = load_workbook(path)
    assert book.sheetnames == ["units", "help"]
    assert [c.value for c in book["units"][1]] == [
        "code", "name", "level", "parent", "sector", "officers", "public_staff", "workers",
    ]  # fmt: skip
