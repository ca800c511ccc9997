"""HTML of the officers' dashboard: server-rendered pages with inline SVG charts (no script, no CDN).

Every value coming from the tutor is escaped; the pages link one bundled stylesheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import quote

from tutor.messages import (
    ContentGap,
    LearnerList,
    MissedItem,
    OfficerSession,
    StatIndicator,
    StatUnitRow,
    StatWeek,
    UnitOverview,
)

GROUPS = {"officer": "Cán bộ CĐ", "public": "Công chức, viên chức", "worker": "Công nhân"}  # short: a phone
LIST_REFUSED = (
    "<p>Danh sách học viên chỉ dành cho cán bộ công đoàn cơ sở: học viên của chính đơn vị mình, "
    "người đã đồng ý hiện tên. Cấp trên xem số liệu tổng hợp.</p>"
)
LEVELS = {"province": "Tỉnh/TP", "district": "Huyện/ngành", "grassroots": "Cơ sở"}
UNIT_COLUMNS = (
    ("name", "Đơn vị"),
    ("level", "Cấp"),
    ("members", "Đoàn viên"),
    ("learners", "Người học"),
    ("active_7", "Học 7 ngày"),
    ("active_30", "Học 30 ngày"),
    ("certified", "Đạt chuẩn"),
    ("share", "Tỷ lệ"),
)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def page(title: str, body: str, session: OfficerSession | None = None) -> str:
    """A whole page: header with navigation (when signed in), the body."""
    nav = ""
    if session is not None:
        nav = (
            '<nav><a href="/admin/">Tổng quan</a> <a href="/admin/units">Đơn vị</a> '
            '<a href="/admin/gaps">Câu hỏi chưa có bài</a> <a href="/admin/missed">Câu hay sai</a> '
            + ('<a href="/admin/learners">Học viên</a> ' if session.can_list else "")
            + f'<span class="who">{escape(session.unit_name)}</span> <a href="/admin/logout">Đăng xuất</a></nav>'
        )
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · Bình dân học vụ số</title>"
        '<link rel="stylesheet" href="/admin/static/dashboard.css"></head>'
        f"<body><header><h1>Bình dân học vụ số · Quản trị</h1>{nav}</header><main>{body}</main></body></html>"
    )


def sign_in_page(message: str = "") -> str:
    """The page without a session: how to get a link; no data."""
    note = f'<p class="error">{escape(message)}</p>' if message else ""
    body = (
        f"<h2>Đăng nhập</h2>{note}"
        "<p>Trang này dành cho cán bộ công đoàn. Để đăng nhập, gửi <b>/dangnhap</b> cho trợ lý "
        "trong Telegram, Zalo hoặc trang trò chuyện, rồi mở link nhận được (dùng một lần).</p>"
    )
    return page("Đăng nhập", body)


def indicator_chart(indicators: Sequence[StatIndicator]) -> str:
    """Horizontal bars: each indicator's value with a mark at its target."""
    width, row, label_w = 640, 44, 250
    bar_w = width - label_w - 70
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {row * len(indicators) + 10}" role="img" '
        'aria-label="Chỉ tiêu so với mục tiêu">'
    ]
    for i, ind in enumerate(indicators):
        y = 10 + i * row
        value = min(ind.value or 0.0, 1.0)
        target_x = label_w + bar_w * min(ind.target, 1.0)
        parts.append(f'<text x="0" y="{y + 17}" class="lbl">{escape(ind.label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="18" class="track"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{bar_w * value:.1f}" height="18" class="fill"/>')
        parts.append(f'<line x1="{target_x:.1f}" x2="{target_x:.1f}" y1="{y}" y2="{y + 26}" class="target"/>')
        shown = "—" if ind.denominator == 0 else (f"{ind.shown} người" if ind.value is None else pct(ind.value))
        parts.append(f'<text x="{label_w + bar_w + 8}" y="{y + 17}" class="val">{escape(shown)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(trend: Sequence[StatWeek]) -> str:
    """Columns: learners active per week."""
    if not trend:
        return ""
    width, height = 640, 160
    top = max([w.count or 0 for w in trend] + [1])
    step = width / len(trend)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height + 30}" role="img" aria-label="Người học mỗi tuần">']
    for i, week in enumerate(trend):
        h = (week.count or 0) / top * height
        x = i * step + 6
        parts.append(f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{step - 12:.1f}" height="{h:.1f}" class="fill"/>')
        parts.append(f'<text x="{x:.1f}" y="{height + 14}" class="tick">{escape(week.week[5:])}</text>')
        parts.append(f'<text x="{x:.1f}" y="{max(height - h - 4, 10):.1f}" class="val">{escape(week.active)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def indicator_table(indicators: Sequence[StatIndicator]) -> str:
    rows = "".join(
        f"<tr><td>{escape(i.label)}</td><td>{escape(i.shown)}</td><td>{i.denominator}</td>"
        f"<td>{pct(i.value)}</td><td>{pct(i.target)}</td></tr>"
        for i in indicators
    )
    return (
        "<table><thead><tr><th>Chỉ tiêu</th><th>Đạt</th><th>Trên</th><th>Tỷ lệ</th><th>Mục tiêu</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def overview_page(session: OfficerSession, view: UnitOverview) -> str:
    """A unit's page: indicators (chart and table), sub-units, modules, weekly trend."""
    code = quote(view.code, safe="")
    modules = "".join(
        f"<tr><td>{escape(m.title)}</td><td>{escape(m.started)}</td><td>{escape(m.completed)}</td>"
        f"<td>{pct(m.mastery)}</td></tr>"
        for m in view.modules
    )
    body = (
        f"<h2>{escape(view.name)} <small>{escape(LEVELS.get(view.level, view.level))}</small></h2>"
        f"<section><h3>Chỉ tiêu chiến dịch</h3>{indicator_chart(view.indicators)}"
        f"{indicator_table(view.indicators)}</section>"
    )
    if view.children:
        body += f"<section><h3>Đơn vị trực thuộc</h3>{units_table(view.children, sort='share', desc=False)}</section>"
    body += (
        "<section><h3>Theo chuyên đề</h3><table><thead><tr><th>Chuyên đề</th><th>Người bắt đầu</th>"
        f"<th>Bài hoàn thành</th><th>Thành thạo TB</th></tr></thead><tbody>{modules}</tbody></table>"
        f'<p class="dl"><a href="/admin/export/unit/{code}/modules.csv">CSV</a> '
        f'<a href="/admin/export/unit/{code}/modules.xlsx">XLSX</a></p></section>'
        f"<section><h3>Người học mỗi tuần</h3>{trend_chart(view.trend)}</section>"
    )
    return page(view.name, body, session)


def _sort_key(row: StatUnitRow, column: str) -> tuple[int, float | str]:
    value = getattr(row, column)
    if isinstance(value, str) and column not in ("name", "level"):
        if value.startswith("<"):
            return (0, 0.5)  # a suppressed count sorts between 0 and 1
        return (0, float(value)) if value.replace(".", "", 1).isdigit() else (1, 0.0)
    if value is None:
        return (1, 0.0)
    return (0, value) if isinstance(value, int | float) else (0, str(value).lower())


def units_table(rows: Sequence[StatUnitRow], sort: str = "name", desc: bool = False) -> str:
    """The units table, sorted by `sort`; each header links to sorting by it."""
    column = sort if sort in dict(UNIT_COLUMNS) else "name"
    ordered = sorted(rows, key=lambda r: _sort_key(r, column), reverse=desc)
    heads = []
    for key, label in UNIT_COLUMNS:
        flip = "asc" if key == column and desc else "desc" if key == column else "asc"
        mark = (" ▼" if desc else " ▲") if key == column else ""
        heads.append(f'<th><a href="/admin/units?sort={key}&amp;dir={flip}">{escape(label)}{mark}</a></th>')
    body = "".join(
        f'<tr><td><a href="/admin/unit/{quote(r.code, safe="")}">{escape(r.name)}</a></td>'
        f"<td>{escape(LEVELS.get(r.level, r.level))}</td><td>{r.members}</td><td>{escape(r.learners)}</td>"
        f"<td>{escape(r.active_7)}</td><td>{escape(r.active_30)}</td><td>{escape(r.certified)}</td>"
        f"<td>{pct(r.share)}</td></tr>"
        for r in ordered
    )
    return f'<table class="units"><thead><tr>{"".join(heads)}</tr></thead><tbody>{body}</tbody></table>'


def units_page(session: OfficerSession, rows: Sequence[StatUnitRow], sort: str, desc: bool) -> str:
    body = (
        f"<h2>Các đơn vị</h2>{units_table(rows, sort, desc)}"
        '<p class="dl"><a href="/admin/export/units.csv">CSV</a> <a href="/admin/export/units.xlsx">XLSX</a></p>'
    )
    return page("Các đơn vị", body, session)


def gaps_page(session: OfficerSession, gaps: Sequence[ContentGap]) -> str:
    rows = "".join(
        f"<tr><td>{escape(g.question)}</td><td>{g.count}</td><td>{escape(g.last_asked)}</td></tr>" for g in gaps
    )
    body = (
        "<h2>Câu hỏi chưa có bài trả lời (90 ngày)</h2>"
        "<p>Danh sách việc cần làm của người soạn bài.</p>"
        f"<table><thead><tr><th>Câu hỏi</th><th>Số lần</th><th>Lần cuối</th></tr></thead><tbody>{rows}</tbody></table>"
        '<p class="dl"><a href="/admin/export/gaps.csv">CSV</a> <a href="/admin/export/gaps.xlsx">XLSX</a></p>'
    )
    return page("Câu hỏi chưa có bài", body, session)


def missed_page(session: OfficerSession, items: Sequence[MissedItem]) -> str:
    rows = "".join(
        f"<tr><td>{escape(m.question)}</td><td>{m.wrong}</td><td>{m.answered}</td>"
        f"<td>{pct(m.wrong / m.answered if m.answered else None)}</td></tr>"
        for m in items
    )
    body = (
        "<h2>Câu hỏi kiểm tra hay sai nhất (90 ngày)</h2>"
        "<table><thead><tr><th>Câu hỏi</th><th>Sai</th><th>Lượt trả lời</th><th>Tỷ lệ sai</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        '<p class="dl"><a href="/admin/export/missed.csv">CSV</a> <a href="/admin/export/missed.xlsx">XLSX</a></p>'
    )
    return page("Câu hay sai", body, session)


def learners_page(session: OfficerSession, listing: LearnerList) -> str:
    """The consenting learners of the officer's own grassroots unit (or why there is no list)."""
    if not listing.allowed:
        return page("Không có quyền", f"<h2>Danh sách học viên</h2>{LIST_REFUSED}", session)
    rows = "".join(
        f"<tr><td>{escape(r.name)}</td><td>{escape(GROUPS.get(r.group, r.group or '—'))}</td>"
        f"<td>{r.lessons_completed}</td><td>{'Đạt' if r.certified else 'Chưa'}</td>"
        f"<td>{escape(r.last_active_week)}</td></tr>"
        for r in listing.rows
    )
    body = (
        f"<h2>Học viên {escape(listing.unit_name)}</h2>"
        f"<p>{len(listing.rows)} người đã đồng ý hiện tên (lệnh /hienten). Người chưa đồng ý không có ở đây.</p>"
        '<div class="scroll"><table class="learners"><thead><tr><th>Tên</th><th>Nhóm</th><th>Bài đã học</th>'
        f"<th>Đạt chuẩn</th><th>Học gần nhất (tuần)</th></tr></thead><tbody>{rows}</tbody></table></div>"
        '<p class="dl"><a href="/admin/export/learners.csv">CSV</a> <a href="/admin/export/learners.xlsx">XLSX</a></p>'
    )
    return page("Học viên", body, session)
