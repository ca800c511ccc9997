"""The certificate: awarded when every core skill is mastered, sent as a photo and a PDF, sent again
with /chungnhan; and what to do when lessons are done but skills are missing.

The learner is told the certificate's number and verification code; anyone can check the code at
`GET /certificates/{code}` (the server asks `Conversation.verify_certificate`).
"""

from __future__ import annotations

from datetime import datetime

from tutor import texts_journey as tj
from tutor.certificates import CertificateInfo, files_dir, issue, paths_for
from tutor.flows.base import FlowContext, Outcome, Turn, group_of
from tutor.flows.progress import lessons_left, mark_certified, next_step, summary
from tutor.messages import Button, Reply
from tutor.payloads import GetCertificate, PracticeMissing, Progress
from tutor.progress import ProgressSummary
from tutor.registry import ButtonAction, Command, Registry


def verify_url(ctx: FlowContext, code: str) -> str:
    """The public verification address of a code ("" when no public URL is configured)."""
    base = ctx.config.public_url.rstrip("/")
    return f"{base}/certificates/{code}" if base else ""


def local_date(ctx: FlowContext, moment: datetime) -> str:
    """dd/mm/yyyy in the tutor's time zone."""
    return moment.astimezone(ctx.tz).strftime("%d/%m/%Y")


def certificate_replies(ctx: FlowContext, t: Turn, info: CertificateInfo) -> list[Reply]:
    """The message with number and code, the PNG as a photo and the PDF as a document (the files
    are drawn after the turn's transaction, see `Conversation`; a channel sends the caption as text
    when a file could not be drawn)."""
    date_text = local_date(ctx, info.issued_at)
    url = verify_url(ctx, info.code)
    text = tj.certificate_message(info.name, info.number, date_text, info.code, url)
    png, pdf = paths_for(info, files_dir(ctx.config.certificate_dir))
    caption = f"Giấy chứng nhận {info.number}"
    return [
        Reply(text),
        Reply(caption, image_path=str(png), image_caption=caption),
        Reply(caption + " (PDF)", document_path=str(pdf), document_name=f"chung-nhan-{info.number}.pdf"),
    ]


def award(ctx: FlowContext, t: Turn) -> list[Reply]:
    """Issue the certificate (once) and send it; [] when the learner is not certified."""
    if not summary(ctx, t).certified:
        return []
    learner = t.learner
    unit = ctx.units.get(learner.unit_id)
    info, _new = issue(
        t.session,
        learner.id,
        learner.display_name or tj.NO_NAME,
        unit.name if unit else tj.NO_UNIT,
        group_of(learner),
        t.now,
    )
    mark_certified(ctx, t)
    return certificate_replies(ctx, t, info)


def practice_button_row(ctx: FlowContext, t: Turn) -> tuple[tuple[Button, ...], ...]:
    return ((ctx.button(t.learner.id, tj.BTN_PRACTICE_MISSING, PracticeMissing()),),)


def missing_message(ctx: FlowContext, t: Turn, current: ProgressSummary) -> Reply:
    """Lessons are done but skills are missing: which ones, and «Luyện kỹ năng còn thiếu»."""
    lines = [tj.lessons_done_skills_missing(current.core_missing), *tj.missing_skills(current.missing_by_module())]
    return Reply("\n".join(lines), buttons=practice_button_row(ctx, t))


def missing_hint(ctx: FlowContext, t: Turn, current: ProgressSummary | None = None) -> list[Reply]:
    """The missing skills and «Luyện kỹ năng còn thiếu» when no lesson is left to teach them."""
    current = current or summary(ctx, t)
    if not current.certified and current.core_total and not lessons_left(ctx, t):
        return [missing_message(ctx, t, current)]
    return []


def after_quiz(ctx: FlowContext, t: Turn) -> list[Reply]:
    """After a quiz or practice: the certificate when newly earned; the missing skills when no
    lesson is left to teach them."""
    current = summary(ctx, t)
    if current.certified:
        return [] if t.state.data.get("certified") else award(ctx, t)
    return missing_hint(ctx, t, current)


def nothing_to_learn(ctx: FlowContext, t: Turn) -> Outcome:
    """/hoc with no lesson left for the planner: the certificate, or the skills still missing."""
    t.state.mode = "idle"
    current = summary(ctx, t)
    if current.certified:
        if not t.state.data.get("certified"):
            return Outcome(award(ctx, t))
        progress = ctx.button(t.learner.id, "Xem tiến độ", Progress())
        return Outcome([Reply(f"{tj.CERTIFIED}\n{tj.next_step_certificate()}", buttons=((progress,),))])
    return Outcome([missing_message(ctx, t, current)])


def send_certificate(ctx: FlowContext, t: Turn, _arg: object = None) -> Outcome:
    """/chungnhan: the certificate again (issued now if the learner just qualified)."""
    replies = award(ctx, t)
    if replies:
        return Outcome(replies)
    current = summary(ctx, t)
    listed = current.core_missing <= tj.NEAR_CERTIFICATE  # far away: how far, and /tiendo for the list
    lines = [tj.not_certified_yet(current.core_mastered, current.core_total, listed)]
    if listed:
        lines.extend(tj.missing_skills(current.missing_by_module()))
    step = next_step(ctx, t, current)
    if step:
        lines.append(step)
    buttons = () if lessons_left(ctx, t) else practice_button_row(ctx, t)
    return Outcome([Reply("\n".join(lines), buttons=buttons)])


def register(registry: Registry) -> None:
    """Declare /chungnhan and the «Nhận chứng nhận» button."""
    registry.command(
        Command(
            "chungnhan",
            "nhận giấy chứng nhận (ảnh và PDF)",
            send_certificate,
            aliases=("certificate", "chung chi", "giay chung nhan"),
            label="Chứng nhận",
        )
    )
    registry.button(ButtonAction(GetCertificate, send_certificate))
