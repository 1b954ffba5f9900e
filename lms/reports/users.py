"""User management for administrators: find people, change roles, switch accounts off and on,
correct display names. Every change is written to the audit log.

A deactivated account cannot sign in (the password check, sign-in links and reset codes all
refuse it) and its open sessions end at once, because its session token changes. Its records
stay: enrolments, progress, certificates, and it still appears in exports.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from lms.accounts.models import ROLES, User
from lms.accounts.service import AccountError, normalize_display_name, normalize_village
from lms.accounts.sign_ins import end_all_sign_ins
from lms.audit.log import record_event
from lms.content.models import Course
from lms.extensions import db
from lms.learning.models import Enrolment

PAGE_SIZE = 50
USER_STATUSES = ("active", "inactive")


class UserAdminError(Exception):
    """Why a change was refused, as a short code the view translates."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class UserPage:
    users: list[User]
    page: int
    has_next: bool
    total: int


def search_users(text: str = "", role: str | None = None, status: str | None = None, page: int = 1) -> UserPage:
    """Users whose name, phone or village contains `text` (any case), newest first, a page at a time.
    A page beyond the last is the last (a link kept from before some accounts went)."""
    query = select(User)
    words = (text or "").split()
    for word in words:
        needle = word.lower()
        query = query.where(or_(func.lower(User.display_name).contains(needle, autoescape=True),
                                User.phone.contains(needle, autoescape=True),
                                func.lower(User.village).contains(needle, autoescape=True)))
    if role in ROLES:
        query = query.where(User.role == role)
    if status == "active":
        query = query.where(User.active)
    elif status == "inactive":
        query = query.where(~User.active)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    last_page = max(1, -(-total // PAGE_SIZE))  # rounded up
    page = min(max(1, page), last_page)
    users = list(db.session.scalars(
        query.order_by(User.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ))
    return UserPage(users=users[:PAGE_SIZE], page=page, has_next=len(users) > PAGE_SIZE, total=total)


def enrolments_of(user: User) -> list[tuple[Enrolment, Course]]:
    return list(db.session.execute(
        select(Enrolment, Course).join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.user_id == user.id).order_by(Enrolment.enrolled_at)
    ).tuples())


def change_role(actor: User, user: User, role: str) -> bool:
    """Give `user` another role. Returns False when it already had it."""
    if role not in ROLES:
        raise UserAdminError("bad_role")
    if user.id == actor.id:  # so an administrator can never lock the last administrator out
        raise UserAdminError("own_account")
    if user.role == role:
        return False
    old, user.role = user.role, role
    record_event(actor, "user.role_changed", "user", user.id, old=old, new=role)
    return True


def set_active(actor: User, user: User, active: bool) -> bool:
    """Switch an account off (it can no longer sign in; its sessions end) or on again."""
    if user.id == actor.id:
        raise UserAdminError("own_account")
    if user.active == active:
        return False
    user.active = active
    end_all_sign_ins(user)  # a closed account is signed out everywhere at once
    record_event(actor, "user.activated" if active else "user.deactivated", "user", user.id)
    return True


def correct_profile(actor: User, user: User, raw_name: str, raw_village: str | None) -> bool:
    """Correct the name (as it should appear on certificates) and the village. False when nothing changed."""
    try:
        name = normalize_display_name(raw_name)
    except AccountError as error:
        raise UserAdminError(error.code) from None
    village = normalize_village(raw_village)
    changed = False
    if name != user.display_name:
        old, user.display_name = user.display_name, name
        record_event(actor, "user.renamed", "user", user.id, old=old, new=name)
        changed = True
    if village != user.village:
        old, user.village = user.village, village
        record_event(actor, "user.village_corrected", "user", user.id, old=old, new=village)
        changed = True
    return changed
