"""`GET /certificates/{code}`: anyone can check a certificate's verification code.

People get a small Vietnamese HTML page (with the certificate's image and a PDF link: this is how
web-chat learners download it); programs asking with `Accept: application/json` get JSON.
`GET /certificates/{code}/image.png` and `/certificates/{code}/chung-nhan.pdf` serve the files.
The answers come from the tutor (`TutorPort.verify_certificate`, `certificate_file`); the bot reads
no tutor table. An unknown code answers 404 (with `valid: false`).
"""

from __future__ import annotations

import html
from dataclasses import asdict

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from tutor.messages import CertificateCheck, TutorPort

_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kiểm tra chứng nhận</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
h1{{font-size:1.3rem}} .ok{{color:#176d2c}} .no{{color:#a3141e}} dt{{color:#555}} dd{{margin:0 0 .6rem 0;font-weight:600}}
img{{width:100%;border:1px solid #ddd;margin:.5rem 0}}</style>
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
        base = f"/certificates/{e(check.code)}"
        body = (
            '<h1 class="ok">✅ Chứng nhận hợp lệ</h1>'
            "<p>Người này đã đạt chuẩn kỹ năng số cơ bản (Bình dân học vụ số).</p>"
            f"<dl>{details}</dl>"
            f'<img src="{base}/image.png" alt="Giấy chứng nhận {e(check.number)}">'
            f'<p><a href="{base}/chung-nhan.pdf">Tải giấy chứng nhận (PDF)</a> · '
            f'<a href="{base}/image.png" download>Tải ảnh</a></p>'
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

    def _file(code: str, kind: str, media_type: str, name: str) -> FileResponse:
        path = tutor.certificate_file(code, "png" if kind == "png" else "pdf")
        if path is None:
            raise HTTPException(status_code=404, detail="certificate not found")
        return FileResponse(path, media_type=media_type, filename=name)

    @router.get("/certificates/{code}/image.png", response_model=None)
    def image(code: str) -> FileResponse:
        return _file(code, "png", "image/png", "chung-nhan.png")

    @router.get("/certificates/{code}/chung-nhan.pdf", response_model=None)
    def pdf(code: str) -> FileResponse:
        return _file(code, "pdf", "application/pdf", "chung-nhan.pdf")

    return router
