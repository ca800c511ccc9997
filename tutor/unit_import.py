"""Importing the union registry from CSV or XLSX: read, validate every row, write all or nothing.

Columns (English or Vietnamese headers, any order, tone marks optional):
`code` (mã đơn vị), `name` (tên đơn vị), `level` (cấp: grassroots/cơ sở, district/cấp huyện,
province/cấp tỉnh), `parent` (mã cấp trên), `sector` (khu vực: enterprise/doanh nghiệp,
public/khu vực công, union/công đoàn), and member counts `officers` (cán bộ công đoàn),
`public_staff` (công chức viên chức), `workers` (công nhân lao động). Every problem is reported as
`row N, column: reason` (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from knowledge.textnorm import fold, normalize
from tutor.units import LEVELS, SECTORS, UnitInfo

COLUMNS = ("code", "name", "level", "parent", "sector", "officers", "public_staff", "workers")
REQUIRED = ("code", "name", "level")
COUNT_COLUMNS = ("officers", "public_staff", "workers")
VIETNAMESE_HEADERS = {
    "code": "Mã đơn vị",
    "name": "Tên đơn vị",
    "level": "Cấp",
    "parent": "Mã cấp trên",
    "sector": "Khu vực",
    "officers": "Cán bộ công đoàn",
    "public_staff": "Công chức viên chức",
    "workers": "Công nhân lao động",
}
# Folded header spellings accepted for each column.
_HEADER_ALIASES = {
    "code": {"code", "ma", "ma don vi", "ma dv"},
    "name": {"name", "ten", "ten don vi", "ten dv"},
    "level": {"level", "cap", "cap don vi"},
    "parent": {"parent", "cap tren", "ma cap tren", "don vi cap tren", "ma don vi cap tren"},
    "sector": {"sector", "khu vuc", "loai hinh", "linh vuc"},
    "officers": {"officers", "can bo", "can bo cong doan", "so can bo cong doan", "can bo cong doan chuyen trach"},
    "public_staff": {"public staff", "cong chuc vien chuc", "can bo cong chuc vien chuc", "so cong chuc vien chuc"},
    "workers": {"workers", "cong nhan", "cong nhan lao dong", "nguoi lao dong", "so cong nhan lao dong"},
}
_LEVEL_VALUES = {
    "grassroots": {"grassroots", "co so", "cdcs", "cong doan co so", "cap co so"},
    "district": {"district", "city", "huyen", "quan", "cap huyen", "cap quan", "cap tren co so", "nganh"},
    "province": {"province", "tinh", "cap tinh", "thanh pho truc thuoc trung uong"},
}
_SECTOR_VALUES = {
    "enterprise": {"enterprise", "doanh nghiep", "khu vuc doanh nghiep"},
    "public": {"public", "khu vuc cong", "hanh chinh su nghiep", "co quan nha nuoc", "cong"},
    "union": {"union", "cong doan", "co quan cong doan"},
}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ImportFileError(ValueError):
    """The file cannot be read at all (wrong type, not UTF-8, no header)."""


@dataclass(frozen=True)
class RawTable:
    """A registry file as read: canonical header of each column (None when unknown) and the rows."""

    columns: list[str | None]
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number in the file, cells)


@dataclass(frozen=True)
class UnitRow:
    """A valid row."""

    row: int
    info: UnitInfo


@dataclass
class ImportReport:
    """What an import changed (or would change)."""

    added: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)  # code, "field: old → new"
    unchanged: int = 0
    removed_sample: list[str] = field(default_factory=list)
    kept_missing: list[str] = field(default_factory=list)  # in the registry, not in the file

    def lines(self) -> list[str]:
        """A human summary, one change per line."""
        out = [
            f"{len(self.added)} added, {len(self.updated)} updated, {self.unchanged} unchanged"
            + (f", {len(self.removed_sample)} sample units removed" if self.removed_sample else "")
        ]
        out += [f"  + {code}" for code in self.added]
        for code, changes in self.updated:
            out.append(f"  ~ {code}: {'; '.join(changes)}")
        if self.kept_missing:
            out.append(f"  not in the file, kept: {', '.join(self.kept_missing)}")
        return out


def header_key(text: str) -> str | None:
    """The canonical column of a header cell ("Mã đơn vị" -> "code"), or None."""
    folded = " ".join(fold(normalize(str(text or ""))).replace("_", " ").split())
    for column, aliases in _HEADER_ALIASES.items():
        if folded in aliases:
            return column
    return None


def read_units_file(path: Path) -> RawTable:
    """Read a CSV (UTF-8, comma or semicolon) or XLSX (first sheet) registry file."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        grid = _read_xlsx(path)
    elif suffix == ".csv":
        grid = _read_csv(path)
    else:
        raise ImportFileError(f"{path}: use a .csv or .xlsx file")
    numbered = [(i, row) for i, row in enumerate(grid, 1) if any(str(c).strip() for c in row if c is not None)]
    if not numbered:
        raise ImportFileError(f"{path}: the file is empty")
    header_row, header = numbered[0]
    headers = [str(c or "").strip() for c in header]
    return RawTable([header_key(h) for h in headers], headers, [(i, list(r)) for i, r in numbered[1:]])


def _read_csv(path: Path) -> list[list[Any]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path}: not UTF-8 text (save the CSV as UTF-8)") from exc
    data_lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    sample = "\n".join(data_lines[:5])
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    # Comment lines (the sample file's "sample data" notice) stay rows, so row numbers match the file.
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return [[] if row and row[0].lstrip().startswith("#") else row for row in rows]


def _read_xlsx(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(f"{path}: not a readable XLSX file ({type(exc).__name__})") from exc
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _choice(value: str, table: dict[str, set[str]]) -> str | None:
    folded = " ".join(fold(normalize(value)).split())
    for canonical, spellings in table.items():
        if folded in spellings:
            return canonical
    return None


def _count(value: Any) -> int | None:
    """A member count: empty is 0; "1.200" and "1,200" are 1200; None when not a whole number ≥ 0."""
    if value is None or str(value).strip() == "":
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = str(value).strip().replace(" ", "")
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        text = text.replace(".", "").replace(",", "")
    return int(text) if text.isdigit() else None


def validate_rows(table: RawTable, known: dict[str, str] | set[str]) -> tuple[list[UnitRow], list[str]]:
    """Check every row; return the valid rows and every problem as `row N, column: reason`.

    `known`: codes (to their level) already in the registry, which a row may name as its parent."""
    errors: list[str] = []
    index: dict[str, int] = {}
    for position, column in enumerate(table.columns):
        if column is None:
            errors.append(f"row 1, column {table.headers[position] or position + 1}: unknown column")
        elif column in index:
            errors.append(f"row 1, column {table.headers[position]}: {column} appears twice")
        else:
            index[column] = position
    for column in REQUIRED:
        if column not in index:
            errors.append(f"row 1, column {column}: missing (required)")
    if errors:
        return [], errors

    def cell(cells: list[Any], column: str) -> Any:
        position = index.get(column)
        return cells[position] if position is not None and position < len(cells) else None

    rows: list[UnitRow] = []
    seen: dict[str, int] = {}
    links: list[tuple[int, str, str | None]] = []  # (row, parent, level) of every row naming a parent
    for number, cells in table.rows:
        problems: list[str] = []
        code = str(cell(cells, "code") or "").strip()
        name = " ".join(normalize(str(cell(cells, "name") or "")).split())
        level = _choice(str(cell(cells, "level") or ""), _LEVEL_VALUES)
        parent = str(cell(cells, "parent") or "").strip() or None
        sector_text = str(cell(cells, "sector") or "").strip()
        sector = _choice(sector_text, _SECTOR_VALUES) if sector_text else "enterprise"
        counts = {c: _count(cell(cells, c)) for c in COUNT_COLUMNS}
        if not code:
            problems.append(f"row {number}, code: empty")
        elif not _CODE.match(code):
            problems.append(f"row {number}, code: {code!r} may use only letters, digits, '.', '_', '-' (≤ 64)")
        elif code in seen:
            problems.append(f"row {number}, code: {code!r} already on row {seen[code]}")
        if not name:
            problems.append(f"row {number}, name: empty")
        elif len(name) > 300:
            problems.append(f"row {number}, name: longer than 300 characters")
        if level is None:
            problems.append(f"row {number}, level: {cell(cells, 'level')!r} is not one of {', '.join(LEVELS)}")
        if sector is None:
            problems.append(f"row {number}, sector: {sector_text!r} is not one of {', '.join(SECTORS)}")
        for column, value in counts.items():
            if value is None:
                problems.append(f"row {number}, {column}: {cell(cells, column)!r} is not a whole number ≥ 0")
        if parent is not None and parent == code:
            problems.append(f"row {number}, parent: a unit cannot be its own parent")
        if code and code not in seen:
            seen[code] = number
        if parent is not None and parent != code:
            links.append((number, parent, level))
        if problems:
            errors.extend(problems)
            continue
        assert level is not None and sector is not None
        info = UnitInfo(code, name, parent, level, sector, counts["officers"] or 0,
                        counts["public_staff"] or 0, counts["workers"] or 0)  # fmt: skip
        rows.append(UnitRow(number, info))
    errors.extend(_check_parents(links, set(seen), rows, known))
    errors.sort(key=lambda e: int(e.split(",")[0].removeprefix("row ")))
    return rows, errors


def _check_parents(
    links: list[tuple[int, str, str | None]], in_file: set[str], rows: list[UnitRow], known: dict[str, str] | set[str]
) -> list[str]:
    """Each parent exists (in the file or the registry) and sits on a higher level."""
    rank = {level: i for i, level in enumerate(LEVELS)}
    levels = dict(known) if isinstance(known, dict) else {code: "" for code in known}
    levels.update({code: "" for code in in_file if code not in levels})
    levels.update({r.info.id: r.info.level for r in rows})
    errors = []
    for number, parent, level in links:
        if parent not in levels:
            errors.append(f"row {number}, parent: unknown unit {parent!r}")
        elif levels[parent] and level and rank[levels[parent]] >= rank[level]:
            errors.append(f"row {number}, parent: {parent!r} ({levels[parent]}) is not above a {level} unit")
    return errors


_FIELDS = ("name", "parent_id", "level", "sector", "officers", "public_staff", "workers")


def import_units(session: Session, path: Path, *, dry_run: bool = False) -> tuple[ImportReport, list[str]]:
    """Validate `path` and, when every row is valid, write it into `tutor_units` in the caller's
    transaction: new codes added, existing ones updated in place, sample units not in the file removed.
    Returns the report and the problems (nothing is written when there is any)."""
    from tutor.models import Unit

    table = read_units_file(path)
    existing = {u.id: u for u in session.scalars(select(Unit))}
    known = {code: u.level for code, u in existing.items() if not u.sample}
    rows, errors = validate_rows(table, known)
    if errors:
        return ImportReport(), errors
    report = ImportReport()
    now = datetime.now(UTC)
    in_file = {r.info.id for r in rows}
    for r in rows:
        info, row = r.info, existing.get(r.info.id)
        values = dict(zip(_FIELDS, (info.name, info.parent, info.level, info.sector, info.officers,
                                    info.public_staff, info.workers), strict=True))  # fmt: skip
        if row is None:
            report.added.append(info.id)
            if not dry_run:
                session.add(Unit(id=info.id, sample=False, updated_at=now, **values))
            continue
        changes = [f"{k}: {getattr(row, k)} → {v}" for k, v in values.items() if getattr(row, k) != v]
        if row.sample:
            changes.append("sample → imported")
        if changes:
            report.updated.append((info.id, changes))
            if not dry_run:
                for key, value in values.items():
                    setattr(row, key, value)
                row.sample, row.updated_at = False, now
        else:
            report.unchanged += 1
    report.removed_sample = sorted(c for c, u in existing.items() if u.sample and c not in in_file)
    report.kept_missing = sorted(c for c, u in existing.items() if not u.sample and c not in in_file)
    if report.removed_sample and not dry_run:
        session.execute(delete(Unit).where(Unit.id.in_(report.removed_sample)))
    return report, []


def write_template(path: Path) -> None:
    """An XLSX template: the header row, three example rows to overwrite, and a `help` sheet with each
    column's Vietnamese header and accepted values."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "units"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["ldld-tinh", "Liên đoàn Lao động tỉnh …", "province", "", "union", 40, 0, 0])
    sheet.append(["cd-kcn", "Công đoàn các Khu công nghiệp …", "district", "ldld-tinh", "union", 12, 0, 0])
    sheet.append(["cdcs-cong-ty-a", "Công đoàn Công ty A", "grassroots", "cd-kcn", "enterprise", 3, 0, 850])
    for column, width in zip("ABCDEFGH", (22, 48, 12, 16, 12, 10, 13, 10), strict=True):
        sheet.column_dimensions[column].width = width
    help_sheet = book.create_sheet("help")
    help_sheet.append(["column", "Vietnamese header", "meaning"])
    meanings = {
        "code": "unique code (letters, digits, . _ -)",
        "name": "full name of the unit",
        "level": "grassroots (cơ sở) | district (cấp huyện) | province (cấp tỉnh)",
        "parent": "code of the unit above (empty for the top)",
        "sector": "enterprise (doanh nghiệp) | public (khu vực công) | union (công đoàn)",
        "officers": "full-time union officers (number)",
        "public_staff": "public-sector staff (number)",
        "workers": "enterprise workers (number)",
    }
    for column in COLUMNS:
        help_sheet.append([column, VIETNAMESE_HEADERS[column], meanings[column]])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
