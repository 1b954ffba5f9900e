"""People who use Cunke. The phone number is the login name: many trainees have no email."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.database import UTCDateTime, utcnow
from lms.extensions import db

ROLES = ("trainee", "instructor", "admin")
ROLE_NAMES = {"trainee": _l("trainee"), "instructor": _l("instructor"), "admin": _l("administrator")}  # in a sentence


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    village: Mapped[str] = mapped_column(String(80), default="")
    role: Mapped[str] = mapped_column(String(16), default="trainee")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Whose trainee list made this account (None: the person registered, or an administrator made it).
    # An instructor may hand sign-in cards and reset codes to the accounts their own list made.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Workshop invitations not yet answered, kept here so every page can show the notice without a query.
    pending_invitations: Mapped[int] = mapped_column(default=0)

    # The cookie value of the sign-in this object was loaded or signed in with (not a column).
    sign_in_cookie = None  # type: str | None

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: "user id:sign-in token" (see lms/accounts/sign_ins.py)."""
        if not self.sign_in_cookie:
            raise RuntimeError("a user is signed in through lms.accounts.sign_ins.start_sign_in only")
        return self.sign_in_cookie

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_instructor(self) -> bool:
        return self.role in ("instructor", "admin")


SIGN_IN_LINK = "link"
RESET_CODE = "code"


class SignInToken(db.Model):
    """A one-time way in for someone without a (remembered) password.

    A sign-in link on a printed card (`kind="link"`, a long random token stored as its SHA-256)
    or a short reset code read out by an instructor (`kind="code"`, stored as an Argon2 hash
    because eight digits are easy to try offline). Only the newest one a user was given works:
    issuing another revokes the older ones. Each works once and until it expires.
    """

    __tablename__ = "sign_in_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(255), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_attempts: Mapped[int] = mapped_column(default=0)  # tries at a reset code, counted before each check

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


class SignIn(db.Model):
    """One signed-in browser: what a session cookie stands for on the server.

    The cookie holds a random token; only its SHA-256 is kept here. Signing out, "sign out
    everywhere", a new password or a closed account end the row, and the cookie (or any copy of
    it) stops working on its next request. A row also ends by itself at `expires_at`: 12 hours
    after signing in on a shared phone, 30 days with "keep me signed in".
    """

    __tablename__ = "sign_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    remember: Mapped[bool] = mapped_column(default=False)
    # A short description of the browser ("android", "wechat", ...), for the list of sign-ins.
    device: Mapped[str] = mapped_column(String(40), default="")
    browser: Mapped[str] = mapped_column(String(40), default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
