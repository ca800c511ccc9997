"""`GET /certificates/{code}`: anyone can check a certificate's verification code.

People get a small Vietnamese HTML page; programs asking with `Accept: application/json` get JSON.
The answer comes from the tutor (`TutorPort.verify_certificate`); the bot reads no tutor table.
An unknown code answers 404 with `valid: false`.
"""

from __future__ import annotations

import html
from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from tutor.messages import CertificateCheck, TutorPort

_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kiểm tra chứng nhận</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
h1{{font-size:1.3rem}} .ok{{color:#176d2c}} .no{{color:#a3141e}} dt{{color:#555}} dd{{margin:0 0 .6rem 0;font-weight:600}}</style>
</head><body>{body}</body></html>"""


def _html(check: CertificateCheck) -> str:
    """The page for people: valid with what the certificate says, or not found."""
    e = html.escape
    if not check.valid:
        body = (
            '<h1 class="no">❌ Không tìm thấy chứng nhận</h1>'
            f"<p>Mã <b>{e(check.code) or '(trống)'}</b> không khớp chứng nhận nào còn hiệu lực. "
            "Bạn xem lại mã in trên giấy chứng nhận nhé.</p>"
        )
    else:
        rows = [
            ("Họ và tên", check.name),
            ("Đơn vị", check.unit),
            ("Nhóm", check.group),
            ("Số chứng nhận", check.number),
            ("Ngày cấp", "/".join(reversed(check.issued_on.split("-")))),
            ("Mã kiểm tra", check.code),
        ]
        details = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows)
        body = (
            '<h1 class="ok">✅ Chứng nhận hợp lệ</h1>'
            "<p>Người này đã đạt chuẩn kỹ năng số cơ bản (Bình dân học vụ số).</p>"
            f"<dl>{details}</dl>"
        )
    return _PAGE.format(body=body)


def certificate_router(tutor: TutorPort) -> APIRouter:
    """The verification route, asking `tutor` (for `create_app(extra_routers=...)`)."""
    router = APIRouter()

    @router.get("/certificates/{code}", response_model=None)
    def verify(code: str, request: Request) -> Response:  # sync: the tutor reads its database
        check = tutor.verify_certificate(code)
        status = 200 if check.valid else 404
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse(asdict(check), status_code=status)
        return HTMLResponse(_html(check), status_code=status)

    return router
