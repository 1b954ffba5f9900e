"""One-time ways in for trainees without email: sign-in links on printed cards, and reset codes.

A sign-in link carries 32 random bytes; only its SHA-256 is stored, and it signs the trainee in
once, until it expires. A reset code is eight digits an instructor reads out; it is short, so it
is stored as an Argon2 hash, the redeem route is rate limited, and five wrong tries void it.
Whatever a user is given last is the only thing that works: issuing a card or a code revokes
the user's older unused ones. Every issue and every use goes into the audit log.

Functions flush, never commit: the view that calls them owns the transaction.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import select, update

from lms.accounts.models import RESET_CODE, SIGN_IN_LINK, SignInToken, User
from lms.accounts.passwords import hash_password, verify_password
from lms.accounts.service import AccountError, find_by_phone, normalize_phone, set_password
from lms.audit.log import record_event
from lms.database import end_transaction, utcnow
from lms.extensions import db

LINK_DAYS_DEFAULT = 14
CODE_DAYS_DEFAULT = 3
MAX_DAYS = 60
RESET_CODE_DIGITS = 8
MAX_CODE_FAILURES = 5


def link_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@cache
def _dummy_code_hash() -> str:
    return hash_password("0" * RESET_CODE_DIGITS)


def _expiry(now: datetime, days: int) -> datetime:
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    return now + timedelta(days=days)


def revoke_outstanding(user: User, now: datetime | None = None) -> int:
    """Void every unused link and code of this user. Returns how many there were."""
    result = db.session.execute(
        update(SignInToken)
        .where(SignInToken.user_id == user.id, SignInToken.used_at.is_(None), SignInToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def issue_sign_in_link(user: User, actor: User, days: int = LINK_DAYS_DEFAULT, now: datetime | None = None,
                       **audit_details) -> str:
    """A new one-time sign-in token for a card; older cards and codes of this user stop working."""
    now = now or utcnow()
    expires_at = _expiry(now, days)
    revoke_outstanding(user, now)
    token = secrets.token_urlsafe(32)
    db.session.add(SignInToken(user_id=user.id, kind=SIGN_IN_LINK, token_hash=link_token_hash(token),
                               created_by_id=actor.id, created_at=now, expires_at=expires_at))
    record_event(actor, "account.sign_in_link_issued", "user", user.id, days=days, **audit_details)
    return token


def issue_reset_code(user: User, actor: User, days: int = CODE_DAYS_DEFAULT, now: datetime | None = None,
                     **audit_details) -> str:
    """A new eight-digit reset code; older cards and codes of this user stop working."""
    now = now or utcnow()
    expires_at = _expiry(now, days)
    revoke_outstanding(user, now)
    code = "".join(secrets.choice("0123456789") for _ in range(RESET_CODE_DIGITS))
    db.session.add(SignInToken(user_id=user.id, kind=RESET_CODE, token_hash=hash_password(code),
                               created_by_id=actor.id, created_at=now, expires_at=expires_at))
    record_event(actor, "account.reset_code_issued", "user", user.id, days=days, **audit_details)
    return code


def format_reset_code(code: str) -> str:
    """"12345678" -> "1234 5678": easier to read out and copy."""
    return f"{code[:4]} {code[4:]}"


def normalize_reset_code(raw: str | None) -> str:
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if ch.isdigit())


def _take(token: SignInToken, now: datetime) -> bool:
    return _take_by_id(token.id, now)


def _take_by_id(token_id: int, now: datetime) -> bool:
    """Mark a token used, once: of two parallel requests only one gets True."""
    result = db.session.execute(
        update(SignInToken)
        .where(SignInToken.id == token_id, SignInToken.used_at.is_(None), SignInToken.revoked_at.is_(None),
               SignInToken.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def find_usable_link(token: str, now: datetime | None = None) -> SignInToken | None:
    """The stored link for this token if it still works (unused, not revoked, not expired, active user)."""
    now = now or utcnow()
    if not token or len(token) > 100:
        return None
    stored = db.session.scalar(
        select(SignInToken).where(SignInToken.token_hash == link_token_hash(token), SignInToken.kind == SIGN_IN_LINK)
    )
    if stored is None or not stored.usable(now) or not stored.user.active:
        return None
    return stored


def use_sign_in_link(token: str, now: datetime | None = None) -> User | None:
    """The user this link signs in, marking it used; None if it does not work (any more)."""
    now = now or utcnow()
    stored = find_usable_link(token, now)
    if stored is None or not _take(stored, now):
        return None
    record_event(stored.user, "account.sign_in_link_used", "user", stored.user_id, token_id=stored.id)
    return stored.user


def redeem_reset_code(phone: str, code: str, new_password: str, now: datetime | None = None) -> User:
    """Set a new password with a reset code. The old password and every session end here.

    Each try is counted before the code is checked, in one guarded UPDATE per code, and the count
    is committed before Argon2 runs: however many guesses arrive at once, at most five are ever
    checked against a code, and the fifth wrong one voids it.

    Raises AccountError("bad_code") for an unknown phone, a wrong, used, expired or revoked code,
    without saying which.
    """
    now = now or utcnow()
    code = normalize_reset_code(code)
    try:
        user = find_by_phone(normalize_phone(phone))
    except AccountError:
        user = None
    tokens = [] if user is None or not user.active else list(db.session.scalars(
        select(SignInToken).where(SignInToken.user_id == user.id, SignInToken.kind == RESET_CODE,
                                  SignInToken.used_at.is_(None), SignInToken.revoked_at.is_(None),
                                  SignInToken.expires_at > now)
    ))
    tried = [(token.id, token.token_hash) for token in tokens if _count_a_try(token.id, now)]
    end_transaction()  # the tries are counted before the slow check, and no write lock is held during it
    if not tried:
        verify_password(_dummy_code_hash(), code)  # the same work as a real check
        raise AccountError("bad_code")
    for token_id, stored_hash in tried:
        if len(code) == RESET_CODE_DIGITS and verify_password(stored_hash, code) and _take_by_id(token_id, now):
            set_password(user, new_password)
            record_event(user, "account.reset_code_used", "user", user.id, token_id=token_id)
            return user
    db.session.execute(
        update(SignInToken)
        .where(SignInToken.id.in_([token_id for token_id, _ in tried]),
               SignInToken.failed_attempts >= MAX_CODE_FAILURES, SignInToken.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False)
    )
    raise AccountError("bad_code")


def _count_a_try(token_id: int, now: datetime) -> bool:
    """Count one try against a code that still works and has tries left; False when none are left."""
    result = db.session.execute(
        update(SignInToken)
        .where(SignInToken.id == token_id, SignInToken.used_at.is_(None), SignInToken.revoked_at.is_(None),
               SignInToken.expires_at > now, SignInToken.failed_attempts < MAX_CODE_FAILURES)
        .values(failed_attempts=SignInToken.failed_attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def choose_first_password(user: User, new_password: str) -> None:
    """The password chosen after a sign-in link: a normal password change, recorded."""
    set_password(user, new_password)
    record_event(user, "account.password_chosen", "user", user.id)
