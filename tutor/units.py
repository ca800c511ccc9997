"""The union registry as the tutor reads it: units with their parent, level, sector and member counts.

The registry lives in the `tutor_units` table (`hocvuso units import`, tutor/unit_import.py).
Learners choose their unit by typing part of its name, with or without tone marks
("may thanh cong" finds "Công đoàn Công ty May Thành Công"). `DbUnitRegistry` reads the table and
notices a new import within a few seconds; `UnitRegistry` is the same search over a fixed list.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge.textnorm import fold, normalize

LEVELS = ("province", "district", "grassroots")  # top to bottom
SECTORS = ("enterprise", "public", "union")
# Words in nearly every unit name: they do not help telling units apart.
_COMMON = {"cong", "doan", "ty", "co", "phan", "tnhh", "cdcs", "cd"}
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class UnitInfo:
    """One unit of the registry; `id` is its code."""

    id: str
    name: str
    parent: str | None
    level: str
    sector: str = "enterprise"
    officers: int = 0
    public_staff: int = 0
    workers: int = 0
    sample: bool = False

    @property
    def folded(self) -> str:
        return fold(self.name)


class UnitsError(ValueError):
    """The registry file is malformed; the message lists every problem."""


@dataclass
class UnitRegistry:
    """An in-memory registry: lookup, the tree below a unit, and name search (tone marks optional)."""

    units: list[UnitInfo]
    _by_id: dict[str, UnitInfo] = field(init=False, repr=False)
    _folded: dict[str, str] = field(init=False, repr=False)
    _children: dict[str | None, list[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {u.id: u for u in self.units}
        self._folded = {u.id: fold(u.name) for u in self.units}
        self._children = {}
        for unit in self.units:
            parent = unit.parent if unit.parent in self._by_id else None
            self._children.setdefault(parent, []).append(unit.id)

    def __len__(self) -> int:
        return len(self._by_id)

    def all(self) -> list[UnitInfo]:
        """Every unit, in registry order."""
        return list(self.units)

    def get(self, unit_id: str | None) -> UnitInfo | None:
        """The unit with this code, or None."""
        return self._by_id.get(unit_id) if unit_id else None

    def children(self, unit_id: str | None) -> list[UnitInfo]:
        """The units directly under `unit_id` (None: the top-level units)."""
        return [self._by_id[c] for c in self._children.get(unit_id, [])]

    def subtree(self, unit_id: str) -> list[UnitInfo]:
        """The unit and every unit under it (empty when the code is unknown)."""
        if unit_id not in self._by_id:
            return []
        found, todo = [], [unit_id]
        while todo:
            current = todo.pop()
            found.append(self._by_id[current])
            todo.extend(self._children.get(current, []))
        return found

    def is_within(self, unit_id: str | None, scope: str) -> bool:
        """True when `unit_id` is `scope` or under it."""
        seen: set[str] = set()
        while unit_id and unit_id not in seen:
            if unit_id == scope:
                return True
            seen.add(unit_id)
            unit = self._by_id.get(unit_id)
            unit_id = unit.parent if unit else None
        return False

    def search(self, text: str, limit: int = 5) -> list[UnitInfo]:
        """Units whose name (or code) has every typed word (folded; a word may be the start of a name's
        word); else those sharing the most whole words. Grassroots units come first among equals."""
        tokens = _TOKEN.findall(fold(normalize(text)))
        if not tokens:
            return []
        code = fold(text).strip()
        if code in self._by_id:
            return [self._by_id[code]]
        level_rank = {level: i for i, level in enumerate(reversed(LEVELS))}
        full = [u for u in self.units if all(_has_word_prefix(self._folded[u.id], t) for t in tokens)]
        if full:
            full.sort(key=lambda u: (level_rank.get(u.level, 9), len(u.name)))
            return full[:limit]
        useful = [t for t in tokens if t not in _COMMON and len(t) > 1]
        scored: list[tuple[int, UnitInfo]] = []
        for unit in self.units:
            words = set(self._folded[unit.id].split())
            hits = sum(1 for t in useful if t in words)
            if hits:
                scored.append((hits, unit))
        scored.sort(key=lambda pair: (-pair[0], level_rank.get(pair[1].level, 9), len(pair[1].name)))
        return [unit for _, unit in scored[:limit]]

    def sync(self, session: Session) -> None:
        """Seed the `tutor_units` table with these units when it is empty (the shipped sample registry);
        an imported registry is never overwritten."""
        from tutor.models import Unit

        if session.scalar(select(func.count()).select_from(Unit)):
            return
        now = datetime.now(UTC)
        for info in self.units:
            session.add(_row(info, now, sample=True))


def _row(info: UnitInfo, now: datetime, *, sample: bool) -> object:
    from tutor.models import Unit

    return Unit(
        id=info.id,
        name=info.name,
        parent_id=info.parent,
        level=info.level,
        sector=info.sector,
        officers=info.officers,
        public_staff=info.public_staff,
        workers=info.workers,
        sample=sample,
        updated_at=now,
    )


def read_registry(session: Session) -> UnitRegistry:
    """The registry as stored in `tutor_units`, parents before children where possible."""
    from tutor.models import Unit

    rows = session.scalars(select(Unit).order_by(Unit.id)).all()
    units = [
        UnitInfo(r.id, r.name, r.parent_id, r.level, r.sector, r.officers, r.public_staff, r.workers, bool(r.sample))
        for r in rows
    ]
    rank = {level: i for i, level in enumerate(LEVELS)}
    units.sort(key=lambda u: (rank.get(u.level, 9), u.name))
    return UnitRegistry(units)


class DbUnitRegistry(UnitRegistry):
    """The registry read from the database, re-read at most every `refresh_s` seconds, so that a
    `hocvuso units import` reaches a running server without a restart. Seeds the table from `seed`
    (the sample registry) when it is empty."""

    def __init__(
        self, session_factory: Callable[[], Session], seed: UnitRegistry | None = None, refresh_s: float = 5.0
    ) -> None:
        super().__init__([])
        self._session_factory = session_factory
        self._seed = seed
        self._refresh_s = refresh_s
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def refresh(self, force: bool = False) -> None:
        """Re-read the table when the cached copy is older than `refresh_s` (or now when forced)."""
        if not force and time.monotonic() - self._loaded_at < self._refresh_s:
            return
        with self._lock:
            with self._session_factory() as session:
                fresh = read_registry(session)
            self.units = fresh.units
            self.__post_init__()
            self._loaded_at = time.monotonic()

    def sync(self, session: Session) -> None:
        """Seed an empty table with the sample registry; the next read sees the result."""
        if self._seed is not None:
            self._seed.sync(session)
        self._loaded_at = float("-inf")

    def __len__(self) -> int:
        self.refresh()
        return super().__len__()

    def all(self) -> list[UnitInfo]:
        self.refresh()
        return super().all()

    def get(self, unit_id: str | None) -> UnitInfo | None:
        self.refresh()
        return super().get(unit_id)

    def children(self, unit_id: str | None) -> list[UnitInfo]:
        self.refresh()
        return super().children(unit_id)

    def subtree(self, unit_id: str) -> list[UnitInfo]:
        self.refresh()
        return super().subtree(unit_id)

    def is_within(self, unit_id: str | None, scope: str) -> bool:
        self.refresh()
        return super().is_within(unit_id, scope)

    def search(self, text: str, limit: int = 5) -> list[UnitInfo]:
        self.refresh()
        return super().search(text, limit)


def _has_word_prefix(folded_name: str, token: str) -> bool:
    """True when a word of the name starts with `token` ("thanh" in "may thanh cong")."""
    return any(word.startswith(token) for word in folded_name.split())


def load_units(path: Path) -> UnitRegistry:
    """Read a registry file (CSV or XLSX, the `hocvuso units import` format); a missing file is empty.

    Raises UnitsError listing every problem (`row N, column: reason`)."""
    from tutor.unit_import import read_units_file, validate_rows

    if not path.is_file():
        return UnitRegistry([])
    rows, errors = validate_rows(read_units_file(path), known=set())
    if errors:
        raise UnitsError(f"{path}: " + "; ".join(errors))
    return UnitRegistry([r.info for r in rows])
