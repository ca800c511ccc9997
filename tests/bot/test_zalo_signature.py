"""Zalo's webhook signature: mac = hex SHA-256(app_id + raw body + timestamp + OA secret key)."""

from __future__ import annotations

import hashlib

from bot.zalo_api import event_signature, verify_signature

APP_ID = "123"
BODY = b'{"event_name":"user_send_text"}'
STAMP = "1700000000000"
KEY = "oa-secret"
# Computed by hand: sha256(b'123{"event_name":"user_send_text"}1700000000000oa-secret').
EXPECTED = "7d55ddced347b71ff0310a5d48179c32bcb7f00f9ab50b63518737a5dd8c28d2"


def test_known_vector_nist_abc() -> None:
    # "a" + "b" + "c" + "" is the FIPS 180-2 test message "abc".
    assert event_signature("a", b"b", "c", "") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_known_vector_event() -> None:
    assert event_signature(APP_ID, BODY, STAMP, KEY) == EXPECTED
    assert hashlib.sha256(b"".join([APP_ID.encode(), BODY, STAMP.encode(), KEY.encode()])).hexdigest() == EXPECTED


def test_is_plain_sha256_not_hmac() -> None:
    import hmac

    assert (
        event_signature(APP_ID, BODY, STAMP, KEY)
        != hmac.new(KEY.encode(), APP_ID.encode() + BODY + STAMP.encode(), "sha256").hexdigest()
    )


def test_verify_accepts_with_or_without_prefix_and_any_case() -> None:
    assert verify_signature("mac=" + EXPECTED, APP_ID, BODY, STAMP, KEY)
    assert verify_signature(EXPECTED, APP_ID, BODY, STAMP, KEY)
    assert verify_signature("MAC=" + EXPECTED.upper(), APP_ID, BODY, STAMP, KEY)


def test_verify_rejects_wrong_inputs() -> None:
    assert not verify_signature(None, APP_ID, BODY, STAMP, KEY)
    assert not verify_signature("", APP_ID, BODY, STAMP, KEY)
    assert not verify_signature("mac=" + EXPECTED[:-1] + "0", APP_ID, BODY, STAMP, KEY)
    assert not verify_signature("mac=" + EXPECTED, APP_ID, BODY + b" ", STAMP, KEY)
    assert not verify_signature("mac=" + EXPECTED, APP_ID, BODY, "1700000000001", KEY)
    assert not verify_signature("mac=" + EXPECTED, "124", BODY, STAMP, KEY)
    assert not verify_signature("mac=" + EXPECTED, APP_ID, BODY, STAMP, "other")
    assert not verify_signature("mac=" + EXPECTED, APP_ID, BODY, STAMP, "")  # no key: never valid
    assert not verify_signature("mac=ñ" + EXPECTED[1:], APP_ID, BODY, STAMP, KEY)  # non-ASCII header
