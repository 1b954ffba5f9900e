"""The rotating check-in code."""

from __future__ import annotations

from datetime import timedelta

from lms.attendance.codes import ALPHABET, CODE_LENGTH, code_is_valid, current_code
from tests.attendance.conftest import NINE_AM

SECRET = "secret"


def test_a_code_is_short_and_uses_no_look_alike_characters():
    code = current_code(SECRET, 7, NINE_AM)
    assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
    assert not set("0O1IL") & set(ALPHABET)


def test_the_code_changes_every_30_seconds_and_differs_between_sessions():
    assert current_code(SECRET, 7, NINE_AM) == current_code(SECRET, 7, NINE_AM + timedelta(seconds=29))
    assert current_code(SECRET, 7, NINE_AM) != current_code(SECRET, 7, NINE_AM + timedelta(seconds=30))
    assert current_code(SECRET, 7, NINE_AM) != current_code(SECRET, 8, NINE_AM)
    assert current_code(SECRET, 7, NINE_AM) != current_code("other secret", 7, NINE_AM)


def test_the_previous_code_is_accepted_during_the_grace_and_not_after():
    code = current_code(SECRET, 7, NINE_AM)
    assert code_is_valid(SECRET, 7, code, NINE_AM + timedelta(seconds=59))
    assert not code_is_valid(SECRET, 7, code, NINE_AM + timedelta(seconds=60))
    assert not code_is_valid(SECRET, 7, code, NINE_AM - timedelta(seconds=1))  # not before its own window


def test_a_typed_code_may_be_lower_case_spaced_or_full_width():
    code = current_code(SECRET, 7, NINE_AM)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    for typed in (code.lower(), f" {code[:2]} {code[2:]} ", full_width):
        assert code_is_valid(SECRET, 7, typed, NINE_AM), typed
    assert not code_is_valid(SECRET, 7, code[:-1], NINE_AM)
