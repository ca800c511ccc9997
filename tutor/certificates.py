"""Certificates: issue one per learner, find it by verification code, and its files (PNG and PDF).

The row keeps what was printed (name, unit, group, date); the files are rendered from it on demand
into `TutorConfig.certificate_dir` (rendered again when missing, e.g. after a temp-dir cleanup).
A turn only names the files; `Conversation` renders missing ones after the turn's transaction, so
the half second of drawing never holds the database.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tutor.models import Certificate
from tutor.store import aware

log = logging.getLogger(__name__)

# Unambiguous letters and digits (no 0/O, 1/I/L): the code is read off paper and typed.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10

GROUP_LABELS = {
    "worker": "Công nhân, người lao động",
    "public": "Cán bộ, công chức, viên chức",
    "officer": "Cán bộ công đoàn",
}


@dataclass(frozen=True)
class CertificateInfo:
    """What a certificate says (no database object leaves this module)."""

    number: str
    code: str
    name: str
    unit_name: str
    group: str
    issued_at: datetime

    @property
    def group_label(self) -> str:
        return GROUP_LABELS.get(self.group, self.group)


def number_of(certificate_id: int, issued_at: datetime) -> str:
    """The printed number: year and a zero-padded serial, e.g. "HVS-2026-000042"."""
    return f"HVS-{issued_at.year}-{certificate_id:06d}"


def new_code() -> str:
    """A fresh random verification code, e.g. "K7QW-M3XP-2A" style without separators."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    """A typed code as stored: upper case, spaces and dashes removed."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _info(row: Certificate) -> CertificateInfo:
    issued = aware(row.issued_at)
    assert issued is not None
    return CertificateInfo(number_of(row.id, issued), row.code, row.name, row.unit_name, row.group, issued)


def certificate_of(session: Session, learner_id: int) -> CertificateInfo | None:
    """The learner's certificate, or None."""
    row = session.execute(select(Certificate).where(Certificate.learner_id == learner_id)).scalar_one_or_none()
    return _info(row) if row else None


def find(session: Session, code: str) -> CertificateInfo | None:
    """The certificate with this verification code, or None."""
    wanted = normalize_code(code)
    if not wanted or len(wanted) > 32:
        return None
    row = session.execute(select(Certificate).where(Certificate.code == wanted)).scalar_one_or_none()
    return _info(row) if row else None


def issue(
    session: Session, learner_id: int, name: str, unit_name: str, group: str, now: datetime
) -> tuple[CertificateInfo, bool]:
    """The learner's certificate, issued now when they have none; True when it is new."""
    existing = certificate_of(session, learner_id)
    if existing is not None:
        return existing, False
    row = Certificate(
        learner_id=learner_id, code=new_code(), name=name[:100], unit_name=unit_name[:300], group=group, issued_at=now
    )
    session.add(row)
    session.flush()
    return _info(row), True


def files_dir(configured: str) -> Path:
    """Where certificate files go (the configured folder, else one in the system temp dir)."""
    folder = Path(configured) if configured else Path(tempfile.gettempdir()) / "hocvuso-certificates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def paths_for(info: CertificateInfo, folder: Path) -> tuple[Path, Path]:
    """Where the certificate's PNG and PDF are (or will be) written."""
    return folder / f"{info.code}.png", folder / f"{info.code}.pdf"


def remove_files(info: CertificateInfo, folder: Path) -> None:
    """Delete the certificate's PNG and PDF (the learner's data is being deleted)."""
    for path in paths_for(info, folder):
        path.unlink(missing_ok=True)


def remove_orphans(session: Session, folder: Path) -> int:
    """Delete certificate files whose certificate is gone (its learner deleted by the retention
    purge, or a deletion interrupted after its commit); returns how many."""
    if not folder.is_dir():
        return 0
    codes = set(session.execute(select(Certificate.code)).scalars())
    removed = 0
    for path in [*folder.glob("*.png"), *folder.glob("*.pdf")]:
        if path.stem not in codes:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def files_for(info: CertificateInfo, folder: Path, verify_url: str, date_text: str) -> tuple[Path | None, Path | None]:
    """The certificate's PNG and PDF, rendered when missing; (None, None) when rendering fails
    (no font with Vietnamese glyphs found): the text message still carries number and code."""
    from tutor.certificate_render import render_pdf, render_png

    png, pdf = paths_for(info, folder)
    try:
        if not png.is_file():
            render_png(info, verify_url, png, date_text)
        if not pdf.is_file():
            render_pdf(info, verify_url, pdf, date_text)
    except (OSError, RuntimeError) as exc:
        log.warning("certificate rendering failed: %s", type(exc).__name__)
        return (png if png.is_file() else None), (pdf if pdf.is_file() else None)
    return png, pdf
