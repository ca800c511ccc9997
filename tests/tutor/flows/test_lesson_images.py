"""Which section of a lesson shows which illustration."""

from __future__ import annotations

from knowledge.curriculum import load_curriculum
from tests.conftest import COURSE_DIR
from tutor.flows.lessons import image_plan


def test_every_picture_of_the_course_goes_to_the_section_that_names_it() -> None:
    """Seen: the transfer checklist of ngan-hang-so-02 went to «tra soát» (its caption shares more words
    with it); a section saying «Xem hình “Tên”» now takes the picture of that name."""
    course = load_curriculum(COURSE_DIR, strict=False)
    checked = 0
    for lesson in course.lessons.values():
        plan = image_plan(lesson)
        for index, pictures in plan.items():
            for _path, caption in pictures:
                title = caption.split("“", 1)[1].split("”", 1)[0] if "“" in caption else ""
                naming = [i for i, s in enumerate(lesson.sections) if title and f"“{title}”" in s.text]
                if naming:
                    assert index == naming[0], (lesson.id, title, lesson.sections[index].heading)
                    checked += 1
    assert checked >= 5
    transfer = course.lessons["ngan-hang-so-02"]
    (index,) = [i for i, pics in image_plan(transfer).items() if pics]
    assert transfer.sections[index].heading == "Chuyển bằng số tài khoản"
