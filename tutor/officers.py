"""Officer accounts and their scope: one-time invite codes (`hocvuso officers invite`, `/canbo CODE`),
revocation, dashboard sign-in links and sessions, the view log, and the statistics an officer may see.

An officer of a unit sees that unit and the units under it, nothing else; learners never see
statistics. Sign-in tokens are random, stored only as SHA-256 hashes, and used once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tutor.officer_models import Officer, OfficerInvite, OfficerToken, OfficerView
from tutor.stats.indicators import (
    Indicator,
    Snapshot,
    UnitRow,
    compute_indicators,
    scope_units,
    take_snapshot,
    unit_row,
    weakest_children,
)
from tutor.units import UnitInfo, UnitRegistry

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed on phones
CODE_LENGTH = 8


# The campaign's targets (the plan this project serves); config.yaml `targets.*` overrides them.
DEFAULT_TARGETS = {
    "officers_competent": 1.0,
    "public_staff_competent": 0.8,
    "workers_competent": 0.8,
    "grassroots_connected": 0.7,
}


class OfficerError(ValueError):
    """An operator's request that cannot be done (unknown unit, unknown officer); says why."""


@dataclass(frozen=True)
class OfficerConfig:
    """What the officers' side needs from the settings."""

    invite_ttl_hours: float = 72.0
    link_ttl_minutes: float = 30.0
    session_hours: float = 12.0
    public_url: str = "http://127.0.0.1:8000"
    min_group: int = 5
    timezone: str = "Asia/Ho_Chi_Minh"
    targets: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    cache_seconds: float = 0.0  # reuse a statistics snapshot this long (dashboards, /thongke)


@dataclass(frozen=True)
class Invite:
    code: str
    unit: str
    expires_at: datetime

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "unit": self.unit, "expires_at": self.expires_at.isoformat()}


@dataclass(frozen=True)
class Scope:
    """Who is looking (for the view log) and the unit whose subtree they may see."""

    unit_id: str
    who: str
    officer_id: int | None = None


def normalize_code(text: str) -> str:
    """An invite code as typed ("k7qm-4txp ") in its stored form ("K7QM4TXP")."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class OfficerService:
    """Officer accounts, sign-in and scoped statistics over one database and registry."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        units: UnitRegistry,
        config: OfficerConfig,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._sessions = session_factory
        self._units = units
        self.config = config
        self._clock = clock or (lambda: datetime.now(UTC))
        self._tz = ZoneInfo(config.timezone)
        self._cached: Snapshot | None = None  # the last snapshot (see `config.cache_seconds`)

    @property
    def units(self) -> UnitRegistry:
        return self._units

    @property
    def session_factory(self) -> Callable[[], Session]:
        return self._sessions

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    def now(self) -> datetime:
        """The service's clock (UTC)."""
        return self._clock()

    # --- accounts ----------------------------------------------------------------------------
    def invite(self, unit_code: str) -> Invite:
        """A new one-time invite code for an officer of `unit_code`."""
        if self._units.get(unit_code) is None:
            raise OfficerError(f"unknown unit {unit_code!r} (see `hocvuso units list`)")
        now = self._clock()
        expires = now + timedelta(hours=self.config.invite_ttl_hours)
        with self._sessions() as session, session.begin():
            session.execute(
                delete(OfficerInvite).where(OfficerInvite.expires_at < now, OfficerInvite.used_at.is_(None))
            )
            code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
            session.add(OfficerInvite(code=code, unit_id=unit_code, created_at=now, expires_at=expires))
        return Invite(code, unit_code, expires)

    def redeem(self, session: Session, learner_id: int, typed_code: str, now: datetime) -> UnitInfo | None:
        """Use an invite code in the caller's transaction: the learner becomes an officer of its unit.
        None when the code is unknown, used or expired."""
        invite = session.get(OfficerInvite, normalize_code(typed_code), with_for_update=True)
        if invite is None or invite.used_at is not None or _aware(invite.expires_at) < now:
            return None
        unit = self._units.get(invite.unit_id)
        if unit is None:
            return None
        officer = session.scalar(
            select(Officer).where(
                Officer.learner_id == learner_id, Officer.unit_id == unit.id, Officer.revoked_at.is_(None)
            )
        )
        if officer is None:
            officer = Officer(learner_id=learner_id, unit_id=unit.id, created_at=now)
            session.add(officer)
            session.flush()
        invite.used_at, invite.officer_id = now, officer.id
        return unit

    def officer_units(self, session: Session, learner_id: int) -> list[str]:
        """The units a learner is an officer of (empty for a learner)."""
        return list(
            session.scalars(
                select(Officer.unit_id)
                .where(Officer.learner_id == learner_id, Officer.revoked_at.is_(None))
                .order_by(Officer.id)
            )
        )

    def officer_scope(self, session: Session, learner_id: int, unit_code: str | None = None) -> Scope | None:
        """The scope of a learner's officer account for `unit_code` (default: their first unit);
        None when they are no officer or the unit is outside what they may see."""
        rows = session.execute(
            select(Officer.id, Officer.unit_id)
            .where(Officer.learner_id == learner_id, Officer.revoked_at.is_(None))
            .order_by(Officer.id)
        ).all()
        for officer_id, unit_id in rows:
            if unit_code is None or self._units.is_within(unit_code, unit_id):
                return Scope(unit_code or unit_id, f"officer {officer_id}", officer_id)
        return None

    def list_officers(self) -> list[dict[str, Any]]:
        """Every officer account and pending invite, for operators."""
        with self._sessions() as session:
            officers = session.scalars(select(Officer).order_by(Officer.id)).all()
            invites = session.scalars(select(OfficerInvite).where(OfficerInvite.used_at.is_(None))).all()
            rows: list[dict[str, Any]] = [
                {
                    "id": o.id,
                    "unit": o.unit_id,
                    "learner_id": o.learner_id,
                    "created_at": _aware(o.created_at).isoformat(),
                    "revoked_at": _aware(o.revoked_at).isoformat() if o.revoked_at else None,
                }
                for o in officers
            ]
            rows += [
                {"invite": i.code, "unit": i.unit_id, "expires_at": _aware(i.expires_at).isoformat()} for i in invites
            ]
        return rows

    def revoke(self, officer_id: int) -> None:
        """End an officer account and its dashboard sessions."""
        with self._sessions() as session, session.begin():
            officer = session.get(Officer, officer_id)
            if officer is None:
                raise OfficerError(f"no officer with id {officer_id} (see `hocvuso officers list`)")
            officer.revoked_at = officer.revoked_at or self._clock()
            session.execute(delete(OfficerToken).where(OfficerToken.officer_id == officer_id))

    # --- dashboard sign-in -------------------------------------------------------------------
    def sign_in_link(self, unit_code: str, officer_id: int | None = None, session: Session | None = None) -> str:
        """A one-time sign-in URL for the dashboard, scoped to `unit_code`."""
        if self._units.get(unit_code) is None:
            raise OfficerError(f"unknown unit {unit_code!r} (see `hocvuso units list`)")
        token = secrets.token_urlsafe(24)
        now = self._clock()
        row = OfficerToken(
            token_hash=_hash(token),
            kind="link",
            unit_id=unit_code,
            officer_id=officer_id,
            label=f"officer {officer_id}" if officer_id else "operator",
            created_at=now,
            expires_at=now + timedelta(minutes=self.config.link_ttl_minutes),
        )
        if session is not None:
            session.add(row)
        else:
            with self._sessions() as own, own.begin():
                own.add(row)
        return f"{self.config.public_url.rstrip('/')}/admin/login?token={token}"

    def exchange(self, link_token: str) -> str | None:
        """Trade a one-time link token for a session token; None when unknown, used or expired."""
        now = self._clock()
        with self._sessions() as session, session.begin():
            row = session.get(OfficerToken, _hash(link_token), with_for_update=True)
            if row is None or row.kind != "link" or row.used_at is not None or _aware(row.expires_at) < now:
                return None
            row.used_at = now
            token = secrets.token_urlsafe(32)
            session.add(
                OfficerToken(
                    token_hash=_hash(token),
                    kind="session",
                    unit_id=row.unit_id,
                    officer_id=row.officer_id,
                    label=row.label,
                    created_at=now,
                    expires_at=now + timedelta(hours=self.config.session_hours),
                )
            )
            session.execute(
                delete(OfficerToken).where(OfficerToken.expires_at < now - timedelta(days=1)),
                execution_options={"synchronize_session": False},
            )
        return token

    def session_scope(self, session_token: str) -> Scope | None:
        """The scope of a dashboard session; None when unknown or expired."""
        with self._sessions() as session:
            row = session.get(OfficerToken, _hash(session_token))
            if row is None or row.kind != "session" or _aware(row.expires_at) < self._clock():
                return None
            return Scope(row.unit_id, row.label, row.officer_id)

    def sign_out(self, session_token: str) -> None:
        with self._sessions() as session, session.begin():
            session.execute(delete(OfficerToken).where(OfficerToken.token_hash == _hash(session_token)))

    # --- statistics --------------------------------------------------------------------------
    def log_view(self, scope: Scope, what: str, session: Session | None = None) -> None:
        """Record that `scope.who` saw `what` of `scope.unit_id` now."""
        row = OfficerView(
            at=self._clock(), who=scope.who, officer_id=scope.officer_id, unit_id=scope.unit_id, what=what[:200]
        )
        if session is not None:
            session.add(row)
            return
        with self._sessions() as own, own.begin():
            own.add(row)

    def indicators(
        self, unit_code: str | None, session: Session | None = None, snap: Snapshot | None = None
    ) -> list[Indicator]:
        """The four indicators of a unit's subtree (None: the whole registry)."""
        units = scope_units(self._units, unit_code)
        snap = snap or self._snapshot(session)
        return compute_indicators(snap, units, self.config.targets, self.config.min_group)

    def stats_json(self, unit_code: str | None) -> dict[str, Any]:
        """`hocvuso stats --json`: `unit` and `indicators` (id, numerator, denominator, value, target)."""
        if unit_code is not None and self._units.get(unit_code) is None:
            raise OfficerError(f"unknown unit {unit_code!r} (see `hocvuso units list`)")
        unit = self._units.get(unit_code)
        return {
            "unit": unit_code,
            "unit_name": unit.name if unit else None,
            "min_group": self.config.min_group,
            "indicators": [i.as_json() for i in self.indicators(unit_code)],
        }

    def units_table(self, unit_code: str | None, session: Session | None = None) -> list[UnitRow]:
        """Every unit of the subtree with its own subtree's figures (the dashboard's table)."""
        snap = self._snapshot(session)
        units = scope_units(self._units, unit_code)
        return [unit_row(snap, self._units, u, self.config.targets, self.config.min_group) for u in units]

    def unit_figures(self, unit: UnitInfo, session: Session | None = None) -> UnitRow:
        """One unit's subtree figures (learners, active, certified, indicators)."""
        snap = self._snapshot(session)
        return unit_row(snap, self._units, unit, self.config.targets, self.config.min_group)

    def children_rows(
        self, unit_code: str, session: Session | None = None, snap: Snapshot | None = None
    ) -> list[UnitRow]:
        """The units directly under a unit, each with its subtree's figures."""
        snap = snap or self._snapshot(session)
        children = self._units.children(unit_code)
        return [unit_row(snap, self._units, u, self.config.targets, self.config.min_group) for u in children]

    def weakest(self, unit_code: str | None, limit: int = 3, session: Session | None = None) -> list[UnitRow]:
        """The weakest sub-units directly under a unit (share of certified members)."""
        snap = self._snapshot(session)
        return weakest_children(snap, self._units, unit_code, self.config.targets, self.config.min_group, limit)

    def snapshot(self, session: Session) -> Snapshot:
        """Every unit's base numbers now (reuse it for several figures of one page); a snapshot
        younger than `config.cache_seconds` is reused (0: always fresh)."""
        return self._snapshot(session)

    def _snapshot(self, session: Session | None) -> Snapshot:
        now = self._clock()
        cached = self._cached
        if cached is not None and self.config.cache_seconds > 0:
            age = (now - cached.now).total_seconds()
            if 0 <= age < self.config.cache_seconds:
                return cached
        if session is not None:
            snap = take_snapshot(session, now, self._tz)
        else:
            with self._sessions() as own:
                snap = take_snapshot(own, now, self._tz)
        self._cached = snap
        return snap
