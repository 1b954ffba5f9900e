"""Sign-ins kept on the server, so that signing out really ends them.

A village hall shares its phones. A cookie that only carried the user's id would keep working
after "sign out" for anyone who kept a copy, and "keep me signed in" would sign the next person
in as the last one. So every sign-in is a row (`SignIn`) and the session cookie carries its
random token: ending the row ends the cookie and every copy of it, at once, on every server.

Functions flush, never commit: the view that calls them owns the transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from lms.accounts.models import SignIn, User
from lms.database import utcnow
from lms.extensions import db

SHARED_PHONE_HOURS = 12  # without "keep me signed in": one workshop day
REMEMBERED_DAYS = 30  # with it: ASVS's longest for a remembered sign-in
MAX_ACTIVE_SIGN_INS = 20  # older ones end when a person signs in on a twenty-first browser


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cookie_value(user_id: int, token: str) -> str:
    return f"{user_id}:{token}"


def parse_cookie_value(value: str) -> tuple[int, str] | None:
    """(user id, token) from what the session cookie holds, or None for anything else."""
    user_id, _, token = (value or "").partition(":")
    if not user_id.isdigit() or len(user_id) > 12 or not 20 <= len(token) <= 64:
        return None
    return int(user_id), token


# What a User-Agent header contains, in the order to look: the first word found names the browser or device.
_BROWSERS = (("wechat", ("MicroMessenger",)), ("edge", ("Edg/",)), ("firefox", ("Firefox/",)),
             ("phone_browser", ("UCBrowser", "QQBrowser", "HuaweiBrowser", "MiuiBrowser", "HeyTapBrowser",
                                "VivoBrowser", "Quark")),
             ("chrome", ("Chrome/", "Chromium/")), ("safari", ("Safari/",)))
_DEVICES = (("harmony", ("HarmonyOS", "OpenHarmony")), ("android", ("Android",)), ("iphone", ("iPhone", "iPad")),
            ("windows", ("Windows",)), ("mac", ("Macintosh",)), ("linux", ("Linux",)))


def describe_browser(user_agent: str) -> tuple[str, str]:
    """(device, browser) as short words the sign-ins page translates, from a User-Agent header."""
    def first(table) -> str:
        return next((name for name, marks in table if any(mark in user_agent for mark in marks)), "other")

    user_agent = user_agent or ""
    return first(_DEVICES), first(_BROWSERS)


def start_sign_in(user: User, *, remember: bool = False, user_agent: str = "", now: datetime | None = None) -> str:
    """A new sign-in for this user; returns the token for the cookie and sets `user.sign_in_cookie`."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(days=REMEMBERED_DAYS) if remember else timedelta(hours=SHARED_PHONE_HOURS)
    device, browser = describe_browser(user_agent)
    db.session.add(SignIn(user_id=user.id, token_hash=token_hash(token), created_at=now, expires_at=now + lifetime,
                          remember=remember, device=device, browser=browser))
    db.session.flush()
    _end_beyond_the_newest(user, now)
    user.sign_in_cookie = cookie_value(user.id, token)
    return token


def _end_beyond_the_newest(user: User, now: datetime) -> None:
    """Keep at most MAX_ACTIVE_SIGN_INS open: a forgotten browser does not stay signed in forever."""
    newest = select(SignIn.id).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None)) \
        .order_by(SignIn.id.desc()).limit(MAX_ACTIVE_SIGN_INS)
    db.session.execute(
        update(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None), SignIn.id.not_in(newest))
        .values(ended_at=now).execution_options(synchronize_session=False)
    )


def end_sign_in(cookie: str | None, now: datetime | None = None) -> bool:
    """End the sign-in this cookie value stands for. True if it was still open."""
    parsed = parse_cookie_value(cookie or "")
    if parsed is None:
        return False
    user_id, token = parsed
    result = db.session.execute(
        update(SignIn).where(SignIn.user_id == user_id, SignIn.token_hash == token_hash(token),
                             SignIn.ended_at.is_(None))
        .values(ended_at=now or utcnow()).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def end_all_sign_ins(user: User, *, keep: str | None = None, now: datetime | None = None) -> int:
    """End every open sign-in of this user but the one `keep` (a cookie value) stands for."""
    query = update(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None))
    parsed = parse_cookie_value(keep or "")
    if parsed is not None:
        query = query.where(SignIn.token_hash != token_hash(parsed[1]))
    result = db.session.execute(query.values(ended_at=now or utcnow()).execution_options(synchronize_session=False))
    return result.rowcount


def end_one_sign_in(user: User, sign_in_id: int, now: datetime | None = None) -> bool:
    """End one of this user's own sign-ins, by its id (the sign-ins page). Someone else's is not found."""
    result = db.session.execute(
        update(SignIn).where(SignIn.id == sign_in_id, SignIn.user_id == user.id, SignIn.ended_at.is_(None))
        .values(ended_at=now or utcnow()).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def open_sign_ins(user: User, now: datetime | None = None) -> list[SignIn]:
    """This user's sign-ins that still work, newest first."""
    return list(db.session.scalars(
        select(SignIn)
        .where(SignIn.user_id == user.id, SignIn.ended_at.is_(None), SignIn.expires_at > (now or utcnow()))
        .order_by(SignIn.created_at.desc(), SignIn.id.desc())
    ))


def is_current(sign_in: SignIn, cookie: str | None) -> bool:
    parsed = parse_cookie_value(cookie or "")
    return parsed is not None and sign_in.token_hash == token_hash(parsed[1])
