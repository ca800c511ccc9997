"""The officers' dashboard at `/admin/` in `hocvuso serve`.

Signing in: a one-time link (`/dangnhap` in chat, or `hocvuso officers link`) opens
`/admin/login?token=…`, which the tutor trades for a session token kept in an HttpOnly cookie.
Without a valid session every page shows the sign-in page and no data. The data comes only
through `tutor.messages.OfficerPort`, which checks the session and the scope on every call and
logs each view; this module renders HTML, CSV and XLSX.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot import dashboard_html as html
from tutor.messages import ContentGap, ListedLearnerRow, OfficerPort, StatModuleRow, StatUnitRow

COOKIE = "hocvuso_admin"
STATIC_DIR = Path(__file__).parent / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the sign-in token is in a URL: never pass it on
    "Cache-Control": "no-store",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=SECURITY_HEADERS)


def table_bytes(headers: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> bytes:
    """A table as CSV (UTF-8 with BOM, so Excel reads Vietnamese) or XLSX."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def unit_rows(rows: Sequence[StatUnitRow]) -> tuple[list[str], list[list[Any]]]:
    headers = ["code", "name", "level", "parent", "members", "learners", "active_7", "active_30", "certified", "share"]
    ids = sorted({k for r in rows for k in r.values})
    body = [
        [r.code, r.name, r.level, r.parent or "", r.members, r.learners, r.active_7, r.active_30, r.certified,
         r.share if r.share is not None else ""] + [r.values.get(i) if r.values.get(i) is not None else "" for i in ids]
        for r in rows
    ]  # fmt: skip
    return headers + ids, body


def gap_rows(gaps: Sequence[ContentGap]) -> tuple[list[str], list[list[Any]]]:
    return ["question", "count", "last_asked"], [[g.question, g.count, g.last_asked] for g in gaps]


def module_rows(modules: Sequence[StatModuleRow]) -> tuple[list[str], list[list[Any]]]:
    headers = ["module", "title", "started", "completed", "mastery"]
    return headers, [[m.module, m.title, m.started, m.completed, m.mastery if m.mastery is not None else ""]
                     for m in modules]  # fmt: skip


def learner_rows(rows: Sequence[ListedLearnerRow]) -> tuple[list[str], list[list[Any]]]:
    headers = ["name", "group", "lessons_completed", "certified", "last_active_week"]
    return headers, [[r.name, r.group, r.lessons_completed, "yes" if r.certified else "no", r.last_active_week]
                     for r in rows]  # fmt: skip


class Dashboard:
    """Routes of `/admin/`."""

    def __init__(self, port: OfficerPort, secure_cookie: bool = False) -> None:
        self._port = port
        self._secure = secure_cookie

    async def _call(self, fn: Any, *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)  # the port touches the database

    def router(self) -> APIRouter:
        """`/admin/`, `/admin/login`, `/admin/logout`, `/admin/units`, `/admin/unit/{code}`, `/admin/gaps`, `/admin/missed`,
        `/admin/learners`, `/admin/export/...`, `/admin/static/dashboard.css`."""
        router = APIRouter()
        port = self._port

        async def signed_in(request: Request) -> tuple[str, Any] | None:
            token = request.cookies.get(COOKIE)
            if not token:
                return None
            session = await self._call(port.session, token)
            return (token, session) if session is not None else None

        @router.get("/admin", include_in_schema=False)
        async def admin_root() -> Response:
            return RedirectResponse("/admin/", status_code=307)

        @router.get("/admin/", include_in_schema=False)
        async def home(request: Request) -> Response:
            who = await signed_in(request)
            if who is None:
                return _html(html.sign_in_page())
            view = await self._call(port.overview, who[0], None)
            if view is None:
                return _html(html.sign_in_page())
            return _html(html.overview_page(who[1], view))

        @router.get("/admin/login", include_in_schema=False)
        async def login(token: str = "") -> Response:
            session_token = await self._call(port.sign_in, token) if token else None
            if session_token is None:
                return _html(html.sign_in_page("Link đăng nhập không đúng, đã dùng hoặc đã hết hạn."), 401)
            response = RedirectResponse("/admin/", status_code=303, headers=SECURITY_HEADERS)
            response.set_cookie(
                COOKIE, session_token, httponly=True, samesite="lax", secure=self._secure, path="/admin"
            )
            return response

        @router.get("/admin/logout", include_in_schema=False)
        async def logout(request: Request) -> Response:
            token = request.cookies.get(COOKIE)
            if token:
                await self._call(port.sign_out, token)
            response = RedirectResponse("/admin/", status_code=303, headers=SECURITY_HEADERS)
            response.delete_cookie(COOKIE, path="/admin")
            return response

        @router.get("/admin/units", include_in_schema=False)
        async def units(request: Request, sort: str = "name", dir: str = "asc") -> Response:  # noqa: A002
            who = await signed_in(request)
            rows = await self._call(port.units, who[0]) if who else None
            if who is None or rows is None:
                return _html(html.sign_in_page())
            return _html(html.units_page(who[1], rows, sort, dir == "desc"))

        @router.get("/admin/unit/{code}", include_in_schema=False)
        async def unit(request: Request, code: str) -> Response:
            who = await signed_in(request)
            if who is None:
                return _html(html.sign_in_page())
            view = await self._call(port.overview, who[0], code)
            if view is None:  # outside the officer's scope: nothing about it, not even its name
                return _html(html.page("Không có quyền", "<p>Đơn vị này ngoài phạm vi của bạn.</p>", who[1]), 404)
            return _html(html.overview_page(who[1], view))

        @router.get("/admin/gaps", include_in_schema=False)
        async def gaps(request: Request) -> Response:
            who = await signed_in(request)
            rows = await self._call(port.content_gaps, who[0]) if who else None
            if who is None or rows is None:
                return _html(html.sign_in_page())
            return _html(html.gaps_page(who[1], rows))

        @router.get("/admin/missed", include_in_schema=False)
        async def missed(request: Request) -> Response:
            who = await signed_in(request)
            rows = await self._call(port.missed_items, who[0]) if who else None
            if who is None or rows is None:
                return _html(html.sign_in_page())
            return _html(html.missed_page(who[1], rows))

        @router.get("/admin/learners", include_in_schema=False)
        async def learners(request: Request) -> Response:
            who = await signed_in(request)
            listing = await self._call(port.learners, who[0]) if who else None
            if who is None or listing is None:
                return _html(html.sign_in_page())
            return _html(html.learners_page(who[1], listing), 200 if listing.allowed else 403)

        @router.get("/admin/export/learners.{fmt}", include_in_schema=False)
        async def export_learners(request: Request, fmt: str) -> Response:
            who = await signed_in(request)
            if who is None or fmt not in ("csv", "xlsx"):
                return _html(html.sign_in_page(), 404 if who else 401)
            listing = await self._call(port.learners, who[0], f"export:learners.{fmt}")
            if listing is None or not listing.allowed:
                return _html(html.page("Không có quyền", html.LIST_REFUSED, who[1]), 403)
            headers, body = learner_rows(listing.rows)
            return self._download(headers, body, fmt, f"learners-{listing.unit_code}")

        @router.get("/admin/export/{name}.{fmt}", include_in_schema=False)
        async def export(request: Request, name: str, fmt: str) -> Response:
            who = await signed_in(request)
            if who is None or fmt not in ("csv", "xlsx") or name not in ("units", "gaps", "missed"):
                return _html(html.sign_in_page(), 404 if who else 401)
            what = f"export:{name}.{fmt}"
            if name == "units":
                rows = await self._call(port.units, who[0], what)
                headers, body = unit_rows(rows or [])
            elif name == "gaps":
                gaps = await self._call(port.content_gaps, who[0], what)
                headers, body = gap_rows(gaps or [])
            else:
                items = await self._call(port.missed_items, who[0], what)
                headers = ["item_id", "question", "wrong", "answered"]
                body = [[m.item_id, m.question, m.wrong, m.answered] for m in items or []]
            return self._download(headers, body, fmt, name)

        @router.get("/admin/export/unit/{code}/modules.{fmt}", include_in_schema=False)
        async def export_modules(request: Request, code: str, fmt: str) -> Response:
            who = await signed_in(request)
            view = await self._call(port.overview, who[0], code) if who else None
            if view is None or fmt not in ("csv", "xlsx"):
                return _html(html.sign_in_page(), 404)
            headers, body = module_rows(view.modules)
            return self._download(headers, body, fmt, f"modules-{code}")

        @router.get("/admin/static/dashboard.css", include_in_schema=False)
        async def css() -> Response:
            return Response((STATIC_DIR / "dashboard.css").read_bytes(), media_type="text/css; charset=utf-8")

        return router

    def _download(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str, name: str) -> Response:
        media = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
        return Response(
            table_bytes(headers, rows, fmt),
            media_type=media,
            headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
        )
