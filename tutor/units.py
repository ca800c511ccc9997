"""The organization registry: trade-union units a learner belongs to, from a small YAML file.

Learners choose their unit by typing part of its name, with or without tone marks
("may thanh cong" finds "Công đoàn Công ty May Thành Công").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from knowledge.textnorm import fold, normalize

LEVELS = ("province", "city", "grassroots")
# Words in nearly every unit name: they do not help telling units apart.
_COMMON = {"cong", "doan", "ty", "co", "phan", "tnhh", "cdcs", "cd"}
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class UnitInfo:
    """One unit of the registry."""

    id: str
    name: str
    parent: str | None
    level: str

    @property
    def folded(self) -> str:
        return fold(self.name)


class UnitsError(ValueError):
    """The units file is malformed; the message says where."""


class UnitRegistry:
    """An in-memory registry with name search (tone marks optional)."""

    def __init__(self, units: list[UnitInfo]) -> None:
        self._units = {u.id: u for u in units}
        self._folded = {u.id: fold(u.name) for u in units}

    def __len__(self) -> int:
        return len(self._units)

    def all(self) -> list[UnitInfo]:
        """Every unit, in file order."""
        return list(self._units.values())

    def get(self, unit_id: str | None) -> UnitInfo | None:
        """The unit with this id, or None."""
        return self._units.get(unit_id) if unit_id else None

    def search(self, text: str, limit: int = 5) -> list[UnitInfo]:
        """Units whose name has every typed word (folded; a word may be the start of a name's word);
        else those sharing the most whole words.

        Grassroots units come first among equally good matches.
        """
        tokens = _TOKEN.findall(fold(normalize(text)))
        if not tokens:
            return []
        level_rank = {level: i for i, level in enumerate(reversed(LEVELS))}
        full = [u for u in self._units.values() if all(_has_word_prefix(self._folded[u.id], t) for t in tokens)]
        if full:
            full.sort(key=lambda u: (level_rank.get(u.level, 9), len(u.name)))
            return full[:limit]
        useful = [t for t in tokens if t not in _COMMON and len(t) > 1]
        scored: list[tuple[int, UnitInfo]] = []
        for unit in self._units.values():
            words = set(self._folded[unit.id].split())
            hits = sum(1 for t in useful if t in words)
            if hits:
                scored.append((hits, unit))
        scored.sort(key=lambda pair: (-pair[0], level_rank.get(pair[1].level, 9), len(pair[1].name)))
        return [unit for _, unit in scored[:limit]]

    def sync(self, session: Session) -> None:
        """Mirror the registry into the `tutor_units` table (insert or update; never delete)."""
        from tutor.models import Unit

        for info in self._units.values():
            row = session.get(Unit, info.id)
            if row is None:
                session.add(Unit(id=info.id, name=info.name, parent_id=info.parent, level=info.level))
            else:
                row.name, row.parent_id, row.level = info.name, info.parent, info.level


def _has_word_prefix(folded_name: str, token: str) -> bool:
    """True when a word of the name starts with `token` ("thanh" in "may thanh cong")."""
    return any(word.startswith(token) for word in folded_name.split())


def load_units(path: Path) -> UnitRegistry:
    """Read a units YAML file (`units:` list of id, name, parent, level); a missing file is empty."""
    if not path.is_file():
        return UnitRegistry([])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UnitsError(f"{path}: not valid YAML: {exc}") from exc
    entries = raw.get("units") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise UnitsError(f"{path}: expected a top-level 'units:' list")
    units: list[UnitInfo] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("name"):
            raise UnitsError(f"{path}: unit #{i + 1} needs an id and a name")
        unit_id = str(entry["id"])
        if unit_id in seen:
            raise UnitsError(f"{path}: duplicate unit id {unit_id!r}")
        level = str(entry.get("level") or "grassroots")
        if level not in LEVELS:
            raise UnitsError(f"{path}: unit {unit_id!r} has unknown level {level!r} (use {', '.join(LEVELS)})")
        seen.add(unit_id)
        parent = entry.get("parent")
        units.append(UnitInfo(unit_id, normalize(str(entry["name"])), str(parent) if parent else None, level))
    for unit in units:
        if unit.parent and unit.parent not in seen:
            raise UnitsError(f"{path}: unit {unit.id!r} has unknown parent {unit.parent!r}")
    return UnitRegistry(units)
