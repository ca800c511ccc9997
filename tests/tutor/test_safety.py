"""Scam-in-progress triage: recall and false alarms on the message sets, the reply's order and size."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml

from knowledge.textnorm import has_marks
from tutor.safety import ScamTriage, is_scam_in_progress, safety_steps, scam_kind, triage
from tutor.safety_text import canonical

DATA = Path(__file__).parent / "data"
LESSONS = Path(__file__).resolve().parents[2] / "knowledge" / "lessons"


def _urgent(name: str = "urgent.yaml") -> list[tuple[str, str, str]]:
    data = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    return [(kind, style, text) for kind, styles in data.items() for style, texts in styles.items() for text in texts]


def _ordinary(name: str = "ordinary.yaml") -> list[tuple[str, str]]:
    data = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    return [(group, text or "") for group, texts in data.items() for text in texts]


URGENT = _urgent()
ORDINARY = _ordinary()
# Held-out batches, written blind (before the rules, then before the fix for batch 1's misses), with
# their minimum sizes: they measure how the detector generalises, not how well it fits its own set.
SETS = {
    "tuned": ("urgent.yaml", "ordinary.yaml", 200, 300),
    "heldout1": ("urgent_heldout.yaml", "ordinary_heldout.yaml", 150, 150),
    "heldout2": ("urgent_heldout2.yaml", "ordinary_heldout2.yaml", 60, 60),
    "heldout3": ("urgent_heldout3.yaml", "ordinary_heldout3.yaml", 120, 120),
}


def test_the_message_sets_are_large_and_cover_every_style() -> None:
    assert len(URGENT) >= 200 and len(ORDINARY) >= 300
    assert {style for _, style, _ in URGENT} == {"marked", "unmarked", "teencode", "typo", "voice"}
    assert {"money_sent", "call_in_progress", "otp_asked", "hacked", "threat", "fake_accident", "fake_authority",
            "courier", "prize"} <= {kind for kind, _, _ in URGENT}  # fmt: skip
    assert sum(1 for group, _ in ORDINARY if group == "scam_learning") >= 50


def test_recall_on_urgent_messages_is_at_least_98_percent() -> None:
    missed = [text for _, _, text in URGENT if not is_scam_in_progress(text)]
    recall = 1 - len(missed) / len(URGENT)
    assert recall >= 0.98, f"recall {recall:.3f}; missed: {missed}"


@pytest.mark.parametrize("style", ["marked", "unmarked", "teencode", "typo", "voice"])
def test_recall_holds_in_every_typing_style(style: str) -> None:
    texts = [text for _, s, text in URGENT if s == style]
    missed = [text for text in texts if not is_scam_in_progress(text)]
    assert len(missed) <= max(1, len(texts) // 20), missed


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_set_has_recall_98_percent_and_false_alarms_at_most_2_percent(name: str) -> None:
    urgent_file, ordinary_file, min_urgent, min_ordinary = SETS[name]
    urgent, ordinary = _urgent(urgent_file), _ordinary(ordinary_file)
    assert len(urgent) >= min_urgent and len(ordinary) >= min_ordinary
    missed = [text for _, _, text in urgent if not is_scam_in_progress(text)]
    alarms = [text for _, text in ordinary if is_scam_in_progress(text)]
    recall, rate = 1 - len(missed) / len(urgent), len(alarms) / len(ordinary)
    assert recall >= 0.98, f"{name}: recall {recall:.3f}; missed: {missed}"
    assert rate <= 0.02, f"{name}: false alarms {rate:.3%}: {alarms}"


def test_held_out_batches_cover_the_kinds_of_issue_11() -> None:
    kinds = {kind for urgent_file, *_ in SETS.values() for kind, _, _ in _urgent(urgent_file)}
    assert {"money_sent", "call_in_progress", "otp_asked", "hacked", "threat", "fake_accident", "fake_authority",
            "courier", "prize", "fake_gift", "job_deposit", "loan_app", "remote_app", "investment"} <= kinds  # fmt: skip


def test_held_out_urgent_messages_get_the_bank_first_steps_then_a_lesson() -> None:
    """The reply leads with the bank's hotline, then no more money or OTP, then the police; a lesson follows.

    An account taken over (Zalo, Facebook) gets its recovery steps instead, with the bank line when money is at stake.
    """
    generic = safety_steps()
    for urgent_file in ("urgent_heldout.yaml", "urgent_heldout2.yaml", "urgent_heldout3.yaml"):
        for _, _, text in _urgent(urgent_file):
            result = triage(text)
            assert result is not None, text
            assert result.text.startswith(safety_steps(text)) and len(result.text) <= 600
            if result.kind not in ("hacked", "lost_phone"):
                assert result.text.startswith(generic), text
            module, number = result.lesson_id.rsplit("-", 1)
            assert list(LESSONS.glob(f"{module}/{number}-*.md")), result.lesson_id


def test_false_alarms_on_ordinary_messages_are_at_most_2_percent() -> None:
    alarms = [text for _, text in ORDINARY if is_scam_in_progress(text)]
    rate = len(alarms) / len(ORDINARY)
    assert rate <= 0.02, f"false alarms {rate:.3%}: {alarms}"


def test_questions_about_scams_do_not_alarm() -> None:
    learning = [text for group, text in ORDINARY if group == "scam_learning"]
    alarms = [text for text in learning if is_scam_in_progress(text)]
    assert len(alarms) <= len(learning) // 50, alarms


@pytest.mark.parametrize(
    "text",
    [
        # The misses reported in issue 11.
        "toi vua chuyen tien cho nguoi la phai lam sao",
        "ck cho ng la 5 trieu",
        "lo chuyen tien cho ben lua dao roi",
        "trung thuong roi, ho bao dong phi nhan qua",
        "con toi bi tai nan can chuyen tien gap",
        "dien luc goi bao no tien dien, sap cat dien",
        "dang bi nguoi ta doa",
        # The misses of the QA pass (finding 1): teencode amounts, a courier's QR, customs fees, a video call.
        "toi vua quet qr cua ong shipper gio mat 2tr",
        "mat 5 cu roi ad oi",
        "dua gia danh nv dien luc bat toi chuyen 1tr2 tien no ko thi cat dien chieu nay",
        "ng yeu tren mang nho dong phi hai quan 15tr de nhan qua",
        "cong an phuong goi bao toi den lam viec gap qua zalo video",
    ],
)
def test_the_misses_reported_in_the_issue_are_caught(text: str) -> None:
    assert is_scam_in_progress(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("toi vua chuyen tien cho nguoi la phai lam sao", "money_sent"),
        ("co nguoi doi ma otp cua toi", "otp"),
        ("zalo toi bi hack roi", "hacked"),
        ("co nguoi doa tung anh cua toi", "threat"),
        ("con toi bi tai nan can chuyen tien gap", "fake_accident"),
        ("dien luc goi bao nha toi no tien dien", "fake_authority"),
        ("trung thuong dong phi nhan qua", "prize"),
        ("lam nhiem vu bi giu tien bat nap them", "task_job"),
        ("shipper goi bao chuyen khoan truoc moi giao hang", "courier"),
        ("toi vua quet qr cua ong shipper gio mat 2tr", "courier"),
        ("ng yeu tren mang nho dong phi hai quan 15tr de nhan qua", "gift_fee"),
        ("cong an phuong goi bao toi den lam viec gap qua zalo video", "fake_authority"),
        ("toi bi mat dien thoai co app ngan hang va zalo", "lost_phone"),
        ("bi hack facebook roi lay lai sao", "hacked"),
    ],
)
def test_the_kind_names_what_happened(text: str, kind: str) -> None:
    assert scam_kind(text) == kind


def test_canonical_form_repairs_teencode_typos_and_voice_typing() -> None:
    assert canonical("co ng bao t ck 5tr") == "co nguoi bao toi chuyen khoan so tien"
    assert canonical("lo chuyeenr tieenf") == "lo chuyen tien"
    assert canonical("mã ô tê pê") == "ma otp"
    assert canonical("cấp cứu ở bưu điện") == "cap cuu o buu dien"  # "uu" is Vietnamese, kept
    assert canonical("mat 5 cu, 1tr2, 3tr5, 3 lit, một triệu hai") == "mat so tien so tien so tien so tien so tien"
    assert canonical("gọi da lô video, phí hải quang, quét mã qui a") == "goi zalo video phi hai quan quet ma qr"
    # English words are read as the Vietnamese meant, not cut by the Telex repair ("transfer" -> "transfe").
    assert canonical("bi scam roi da transfer 5tr") == "bi lua dao roi da chuyen khoan so tien"
    assert canonical("cai teamviewer theo police") == "cai app dieu khien theo cong an"
    assert canonical("tooi bij luaw, ma o t p, dg goi") == "toi bi lua ma otp dang goi"


@pytest.mark.parametrize(
    "text",
    [
        "mat 5 phut de cai app vneid a",
        "dien thoai bi mat tieng",
        "dt mat song thi lam sao",
        "cach lay lai facebook bi hack",
        "cach tim dien thoai bi mat tren android",
        "mua hang nuoc ngoai co phai dong phi hai quan khong",
        "cong an co goi qua zalo video khong",
        "shipper giao hang toi, tra tien mat hay quet qr",
        "mat bao nhieu tien de lam the can cuoc",
        "chuyen khoan lien ngan hang mat 5k phi a",
        "mua goi 4g mat 50k mot thang",
        "goi video zalo voi cong an phuong duoc khong",
    ],
)
def test_near_misses_of_the_new_rules_do_not_alarm(text: str) -> None:
    assert not is_scam_in_progress(text)


@pytest.mark.parametrize(
    "text",
    [
        # Batch 3's classes of misses: a loss with distress, a pay-to-unlock, a lookalike domain typed
        # into, a secret call, a move to Zalo, about to pay someone met online, a hurried loan by message.
        "ck cho thang do 10tr roi huhu",
        "nguoi ta bao phai nop tien de mo khoa tai khoan moi rut duoc",
        "bam vao link vneid gov vn net roi dang dien thong tin",
        "ba toi dang nghe dt, nguoi ta bao ba lien quan duong day rua tien",
        "no bat em ket ban zalo de nhan qua tri an, em dang lam theo",
        "me toi chuan bi chuyen 50tr cho nguoi yeu quen tren mang",
        "ban nhan messenger hoi vay 2tr gap, noi dang ket o benh vien",
        # The ordinary contexts (settled, checked, known in person) give way to a new event or a reveal.
        "nghe noi co kieu lua nay ma gio toi dang bi y vay, no bao toi chuyen tien",
        "hoi truoc bi lua roi lay lai duoc, gio lai bi nua, vua ck 5tr cho nguoi la",
        "goi video thay mat con roi moi chuyen 20tr, gio con bao khong phai no goi",
        "sep nhan zalo bao em chuyen gap 30tr cho doi tac",
    ],
)
def test_new_classes_of_scams_and_the_limits_of_ordinary_contexts(text: str) -> None:
    assert is_scam_in_progress(text)


@pytest.mark.parametrize(
    "text",
    [
        "cach ket ban zalo voi nguoi moi quen",
        "phi rut tien atm khac ngan hang la bao nhieu",
        "toi chuan bi chuyen tien hoc phi cho con qua ngan hang",
        "huhu bai quiz kho qua lam sao bay gio",
        "ma xac thuc 6 so co hieu luc bao lau",
        "dong nghiep hoi em cach bat otp tren app",
        "sep bao em chuyen khoan tien quy cong doan cho ke toan, em chuyen roi",
        "web dich vu cong bao loi khi dien to khai, toi dang dien lai",
        "toi dang dung teamviewer de lam viec o cong ty",
        "thang truoc co nguoi xin ma otp, toi khong dua, da bao ngan hang",
    ],
)
def test_near_misses_of_batch_3_classes_do_not_alarm(text: str) -> None:
    assert not is_scam_in_progress(text)


def test_decomposed_unicode_is_recognised() -> None:
    """Some keyboards send combining marks (NFD); detection must not depend on the form."""
    text = unicodedata.normalize("NFD", "có người đang bảo tôi chuyển tiền")
    assert is_scam_in_progress(text)


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        # Found by the answers bench: ordinary requests of a known person, nothing risky asked.
        ("chủ nhà trọ bắt chụp căn cước gửi zalo để khai tạm trú", False),
        ("công ty bảo nộp hồ sơ xin việc qua email mà tôi chưa có email bao giờ", False),
        ("chu tro bao chuyen tien phong qua stk cu nhu moi thang", False),
        # The same known person with a new account, number or voice: impersonation.
        ("chu nha tro bao chuyen khoan tien coc vao stk la, giong noi khac", True),
        ("chu tro nhan tin bao ck tien phong vao tk moi cua nguoi khac", True),
        ("sep nhan zalo nick moi bao chuyen gap 10 trieu", True),
    ],
)
def test_a_known_person_counts_only_while_nothing_has_switched(text: str, urgent: bool) -> None:
    assert is_scam_in_progress(text) is urgent


@pytest.mark.parametrize("text", ["", "   ", "👍", "?!", "\u200b"])
def test_empty_and_symbol_messages_are_not_alarms(text: str) -> None:
    assert not is_scam_in_progress(text)
    assert triage(text) is None


def test_safety_steps_lead_with_the_bank_then_no_more_money_then_the_police() -> None:
    steps = safety_steps()
    lowered = steps.lower()
    positions = [
        lowered.index("tổng đài ngân hàng"),
        lowered.index("số in trên thẻ"),
        lowered.index("khóa tài khoản"),
        lowered.index("không chuyển tiền nữa"),
        lowered.index("otp"),
        lowered.index("113"),
        lowered.index("giữ lại"),
    ]
    assert positions == sorted(positions)
    assert "ứng dụng chính thức" in lowered and "tra soát" in lowered
    assert has_marks(steps)
    assert steps == unicodedata.normalize("NFC", steps)
    assert len(steps) < 450
    assert all(len(line) <= 160 for line in steps.splitlines())


def test_triage_gives_the_steps_of_its_kind_first_and_an_existing_lesson() -> None:
    seen: set[str] = set()
    for kind, _, text in URGENT:
        result = triage(text)
        assert isinstance(result, ScamTriage), text
        assert result.text.startswith(safety_steps(text))
        assert len(result.text) <= 600, (kind, len(result.text))
        assert has_marks(result.text)
        module, number = result.lesson_id.rsplit("-", 1)
        assert list(LESSONS.glob(f"{module}/{number}-*.md")), result.lesson_id
        seen.add(result.kind)
    assert len(seen) >= 9


def test_long_messages_are_read_in_bounded_time() -> None:
    import time

    for text in ("a " * 3000, "co nguoi goi bao " * 300, "x" * 5000):
        start = time.perf_counter()
        scam_kind(text)
        assert time.perf_counter() - start < 0.5


def test_hacked_accounts_and_lost_phones_get_steps_of_their_own() -> None:
    """QA finding 2: a hacked Facebook or a lost phone does not get "call your bank, hang up on strangers"."""
    hacked = triage("bi hack facebook roi lay lai sao")
    assert hacked is not None and hacked.lesson_id == "xu-ly-su-co-04"
    assert "Đăng xuất" in hacked.text and "Cúp máy" not in hacked.text
    zalo = triage("bị hack zalo rồi làm sao lấy lại giờ nó đang nhắn vay tiền")
    assert zalo is not None and zalo.lesson_id == "xu-ly-su-co-02"
    assert "tổng đài ngân hàng" in zalo.text  # money at stake: the bank and the police too
    lost = triage("toi bi mat dien thoai co cai app ngan hang va zalo")
    assert lost is not None and lost.kind == "lost_phone" and lost.lesson_id == "xu-ly-su-co-01"
    assert lost.text.index("khóa SIM") < lost.text.index("ngân hàng") < lost.text.index("xóa máy")
    assert "Cúp máy" not in lost.text
    bank = triage("tk ngan hang bi tru tien ma toi ko giao dich")
    assert bank is not None and bank.text.startswith(safety_steps())  # money: the generic steps
    assert safety_steps("bi hack facebook roi") == triage("bi hack facebook roi").text  # type: ignore[union-attr]
