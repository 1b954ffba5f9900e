"""Account rules without HTTP: phone numbers, names, registration, sign-in checks."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.passwords import hash_password, needs_rehash, verify_password
from lms.accounts.sign_ins import end_all_sign_ins
from lms.database import end_transaction
from lms.extensions import db

_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_NOISE = re.compile(r"[\s\-().]")
MAX_VILLAGE_LENGTH = 80
MAX_NAME_LENGTH = 40
# A real hash to compare against when the phone is unknown, so timing does not tell.
_DUMMY_HASH = hash_password("not-a-real-password-for-timing")


class AccountError(ValueError):
    """A reason an account action was refused, as a short code the view translates."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def normalize_phone(raw: str) -> str:
    """Mainland mobile number in its 11-digit form, whatever spaces or +86 it was typed with."""
    text = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", raw or ""))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if len(text) == 13 and text.startswith("86"):
        text = text[2:]
    if not _MAINLAND_MOBILE.match(text):
        raise AccountError("bad_phone")
    return text


def normalize_display_name(raw: str) -> str:
    """The name as it should appear on a certificate: trimmed, NFC, no control characters."""
    name = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if not name:
        raise AccountError("name_missing")
    if len(name) > MAX_NAME_LENGTH:
        raise AccountError("name_too_long")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in name):
        raise AccountError("name_bad_characters")
    return name


def normalize_village(raw: str | None) -> str:
    """A village as typed anywhere (import, registration, the office): single spaces, at most 80 characters."""
    return " ".join(unicodedata.normalize("NFC", raw or "").split())[:MAX_VILLAGE_LENGTH]


def find_by_phone(phone: str) -> User | None:
    return db.session.scalar(select(User).where(User.phone == phone))


def create_user(phone: str, display_name: str, password: str | None, role: str = "trainee",
                village: str = "") -> User:
    phone = normalize_phone(phone)
    display_name = normalize_display_name(display_name)
    # Hashed before the first query: on SQLite a writing request holds the write lock from then on.
    password_hash = hash_password(password) if password is not None else None
    if find_by_phone(phone) is not None:
        raise AccountError("phone_taken")
    user = User(phone=phone, display_name=display_name, role=role, village=normalize_village(village))
    if password_hash is not None:
        user.password_hash = password_hash
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(phone: str, password: str) -> User | None:
    """The user for these credentials, or None. Unknown phones cost the same time as known ones.

    The stored hash is read and the transaction ended before Argon2 works (about 20 ms): on
    SQLite a sign-in must not hold the write lock that every trainee's progress waits for.
    """
    try:
        phone = normalize_phone(phone)
    except AccountError:
        verify_password(_DUMMY_HASH, password)
        return None
    user = find_by_phone(phone)
    stored_hash = user.password_hash if user is not None else _DUMMY_HASH
    end_transaction()
    if not verify_password(stored_hash, password) or user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(user: User, password: str) -> None:
    """A new password ends every sign-in of this user: a thief's copied cookie stops working."""
    user.password_hash = hash_password(password)
    end_all_sign_ins(user)
