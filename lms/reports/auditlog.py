"""Reading the audit log back, newest first, a page at a time, as sentences a county clerk understands.

Each kind of event has one sentence in the reader's language; the names in it (people, workshops,
courses, certificates) are looked up for the whole page at once, a query per kind of thing.
An event of a kind this file does not know yet still shows, as its name and its details.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts.models import ROLE_NAMES, User
from lms.attendance.records import status_names
from lms.audit.models import AuditEvent
from lms.certificates.codes import format_code
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort
from lms.content.models import Course, Track
from lms.extensions import db
from lms.reports.completions import LEVEL_LABELS, STATUS_LABELS

PAGE_SIZE = 50

# What each kind of event says. %(actor)s is who did it; the other names come from the event.
SENTENCES = {
    "account.registration_refused": _l("Someone tried to open a new account with the phone number of %(user)s."),
    "account.password_chosen": _l("%(actor)s chose a password after signing in with a sign-in card."),
    "account.reset_code_issued": _l("%(actor)s made a reset code for %(user)s (valid %(days)s days)."),
    "account.reset_code_used": _l("%(actor)s set a new password with a reset code."),
    "account.sign_in_link_issued": _l("%(actor)s printed a sign-in card for %(user)s (valid %(days)s days)."),
    "account.sign_in_link_used": _l("%(user)s signed in with a sign-in card."),
    "accounts.imported": _l("%(actor)s imported the trainee list %(filename)s: %(created)s new accounts, "
                            "%(invited)s people with an account invited, %(skipped)s rows skipped."),
    "certificate.reissue": _l("%(actor)s re-issued certificate %(old_code)s of %(holder)s (%(course)s) "
                              "as %(code)s. %(note)s"),
    "certificate.revoke": _l("%(actor)s revoked certificate %(code)s of %(holder)s (%(course)s). "
                             "Reason: %(reason)s"),
    "cohort.created": _l("%(actor)s created the workshop %(cohort)s."),
    "cohort.updated": _l("%(actor)s changed the workshop %(cohort)s (name, dates, courses or instructors)."),
    "cohort.join_code_changed": _l("%(actor)s gave %(cohort)s a new join code; the old one no longer works."),
    "cohort.joining_opened": _l("%(actor)s opened %(cohort)s for joining."),
    "cohort.joining_closed": _l("%(actor)s closed %(cohort)s for joining."),
    "cohort.joined": _l("%(actor)s joined %(cohort)s with its join code."),
    "cohort.member_removed": _l("%(actor)s took %(user)s out of %(cohort)s. Reason: %(reason)s"),
    "cohort.invitation_accepted": _l("%(actor)s accepted the invitation to %(cohort)s."),
    "cohort.invitation_declined": _l("%(actor)s declined the invitation to %(cohort)s."),
    "export.completions": _l("%(actor)s exported %(rows)s completion records (%(format)s). Filters: %(filters)s"),
    "export.summary": _l("%(actor)s downloaded the summary report as a spreadsheet."),
    "studio.uploaded": _l("%(actor)s uploaded %(files)s files to the draft of %(course)s."),
    "studio.published": _l("%(actor)s published %(course)s (version %(version)s)."),
    "studio.rolled_back": _l("%(actor)s published version %(restored_from)s of %(course)s again."),
    "studio.draft_discarded": _l("%(actor)s threw away the unpublished changes to %(course)s."),
    "studio.author_added": _l("%(actor)s let %(user)s edit %(course)s."),
    "studio.author_removed": _l("%(actor)s stopped %(user)s from editing %(course)s."),
    "user.activated": _l("%(actor)s switched the account of %(user)s on again."),
    "user.deactivated": _l("%(actor)s switched the account of %(user)s off."),
    "user.renamed": _l("%(actor)s corrected the name of %(user)s from “%(old)s” to “%(new)s”."),
    "user.role_changed": _l("%(actor)s changed the role of %(user)s from %(old_role)s to %(new_role)s."),
    "user.village_corrected": _l("%(actor)s corrected the village of %(user)s from “%(old)s” to “%(new)s”."),
    "villages.load": _l("%(actor)s loaded a list of %(count)s villages for registration to offer."),
    "attendance.sessions_planned": _l("%(actor)s planned %(sessions)s sessions for %(cohort)s."),
    "attendance.session_changed": _l("%(actor)s changed a session of %(cohort)s."),
    "attendance.session_cancelled": _l("%(actor)s cancelled a session of %(cohort)s."),
    "attendance.checkin_closed": _l("%(actor)s closed check-in for a session of %(cohort)s."),
    "attendance.marked": _l("%(actor)s marked %(user)s as %(after)s (before: %(before)s) at a session of %(cohort)s."),
    "attendance.requirement_set": _l("%(actor)s set the attendance %(cohort)s needs for certificates to %(after)s "
                                     "(before: %(before)s)."),
    "task.reviewed": _l("%(actor)s reviewed version %(version)s of the work %(user)s sent for a practical task: "
                        "%(result)s."),
}

# The filter's words: what the office looks for, not the event names.
ACTION_NAMES = {
    "account.registration_refused": _l("Registration with a number already in use"),
    "account.password_chosen": _l("Password chosen after a sign-in card"),
    "account.reset_code_issued": _l("Reset code made"),
    "account.reset_code_used": _l("Reset code used"),
    "account.sign_in_link_issued": _l("Sign-in card printed"),
    "account.sign_in_link_used": _l("Sign-in card used"),
    "accounts.imported": _l("Trainee list imported"),
    "certificate.reissue": _l("Certificate re-issued"),
    "certificate.revoke": _l("Certificate revoked"),
    "cohort.created": _l("Workshop created"),
    "cohort.updated": _l("Workshop changed"),
    "cohort.join_code_changed": _l("New join code"),
    "cohort.joining_opened": _l("Workshop opened for joining"),
    "cohort.joining_closed": _l("Workshop closed for joining"),
    "cohort.joined": _l("Joined a workshop"),
    "cohort.member_removed": _l("Taken out of a workshop"),
    "cohort.invitation_accepted": _l("Invitation accepted"),
    "cohort.invitation_declined": _l("Invitation declined"),
    "export.completions": _l("Completion records exported"),
    "export.summary": _l("Summary report downloaded"),
    "studio.uploaded": _l("Course files uploaded"),
    "studio.published": _l("Course published"),
    "studio.rolled_back": _l("Older course version published again"),
    "studio.draft_discarded": _l("Course draft thrown away"),
    "studio.author_added": _l("Course editor added"),
    "studio.author_removed": _l("Course editor removed"),
    "user.activated": _l("Account switched on"),
    "user.deactivated": _l("Account switched off"),
    "user.renamed": _l("Name corrected"),
    "user.role_changed": _l("Role changed"),
    "user.village_corrected": _l("Village corrected"),
    "villages.load": _l("Villages loaded"),
    "attendance.sessions_planned": _l("Sessions planned"),
    "attendance.session_changed": _l("Session changed"),
    "attendance.session_cancelled": _l("Session cancelled"),
    "attendance.checkin_closed": _l("Check-in closed"),
    "attendance.marked": _l("Attendance marked"),
    "attendance.requirement_set": _l("Attendance requirement set"),
    "task.reviewed": _l("Practical task reviewed"),
}

FILTER_NAMES = {"date_field": _l("dates are"), "date_from": _l("from"), "date_to": _l("to"),
                "track_id": _l("track"), "specialty_id": _l("specialty"), "level": _l("level"),
                "course_id": _l("course"), "cohort_id": _l("workshop"), "village": _l("village"),
                "status": _l("status")}
FILTER_VALUES = {"date_field": {"completed": _l("completion dates"), "enrolled": _l("enrolment dates")},
                 "status": STATUS_LABELS, "level": LEVEL_LABELS}


@dataclass
class AuditPage:
    events: list[AuditEvent]
    next_before: int | None  # the `before` value of the next (older) page
    lines: list[AuditLine] = field(default_factory=list)


@dataclass
class AuditLine:
    event: AuditEvent
    sentence: Markup
    known: bool  # False: a kind of event without a sentence, shown with its raw details


def audit_page(action: str | None = None, before: int | None = None, actor_id: int | None = None,
               limit: int = PAGE_SIZE) -> AuditPage:
    query = select(AuditEvent).options(selectinload(AuditEvent.actor))
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    events = list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit + 1)))
    more = len(events) > limit
    events = events[:limit]
    return AuditPage(events=events, next_before=events[-1].id if more else None, lines=describe(events))


def known_actions() -> list[tuple[str, str]]:
    """(action, its name in the reader's language) of every kind of event recorded so far."""
    recorded = db.session.scalars(select(AuditEvent.action).distinct())
    return sorted(((action, str(ACTION_NAMES.get(action, action))) for action in recorded), key=lambda a: a[1])


# ---------------------------------------------------------------- sentences


@dataclass
class _Names:
    """Everything a page of events mentions, looked up once."""

    users: dict[int, User]
    cohorts: dict[int, Cohort]
    courses_by_id: dict[int, Course]
    courses_by_slug: dict[str, Course]
    certificates: dict[int, Certificate]


def _ids(events: list[AuditEvent], target_type: str, *detail_keys: str) -> set[int]:
    ids = {e.target_id for e in events if e.target_type == target_type and e.target_id}
    for event in events:
        for key in detail_keys:
            value = (event.details or {}).get(key)
            if isinstance(value, int):
                ids.add(value)
    return ids


def _look_up(events: list[AuditEvent]) -> _Names:
    def by_id(model, ids):
        return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}

    certificates = by_id(Certificate, _ids(events, "certificate"))
    user_ids = _ids(events, "user", "holder_id", "trainee_id") | {c.user_id for c in certificates.values()}
    course_ids = _ids(events, "course", "course_id") | {c.course_id for c in certificates.values()}
    slugs = {(e.details or {}).get("slug") for e in events} - {None}
    courses_by_slug = ({c.slug: c for c in db.session.scalars(select(Course).where(Course.slug.in_(slugs)))}
                       if slugs else {})
    return _Names(users=by_id(User, user_ids), cohorts=by_id(Cohort, _ids(events, "cohort", "cohort_id")),
                  courses_by_id=by_id(Course, course_ids), courses_by_slug=courses_by_slug,
                  certificates=certificates)


def _link(text: str, url: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url, text)


def _person(user: User | None, fallback: str) -> Markup:
    if user is None:
        return escape(fallback)
    role = ROLE_NAMES.get(user.role, user.role)
    name = _link(user.display_name, url_for("reports.user", user_id=user.id))
    if str(get_locale()).startswith("zh"):
        return Markup("{}（{}）").format(name, role)
    return Markup("{} ({})").format(name, role)


def _course(course: Course | None, fallback: str = "") -> Markup:
    if course is None:
        return escape(fallback or "—")
    return escape(f"“{course.title(course.shown_language(str(get_locale())))}”")


def _filters(filters: dict, names: _Names) -> str:
    if not filters:
        return str(_l("none (everything)"))
    zh = str(get_locale()).startswith("zh")
    parts = []
    for key, value in filters.items():
        if key == "cohort_id" and value in names.cohorts:
            value = names.cohorts[value].name
        elif key == "course_id" and value in names.courses_by_id:
            value = _course(names.courses_by_id[value])
        elif key in ("track_id", "specialty_id"):
            track = db.session.get(Track, value)
            value = track.name(str(get_locale())) if track else value
        elif key in FILTER_VALUES:
            value = FILTER_VALUES[key].get(value, value)
        parts.append(f"{FILTER_NAMES.get(key, key)}{'：' if zh else ': '}{value}")
    return ("；" if zh else "; ").join(parts)


def _sentence(event: AuditEvent, names: _Names) -> Markup | None:
    template = SENTENCES.get(event.action)
    if template is None:
        return None
    details = event.details or {}
    if event.actor is not None:
        actor = _person(event.actor, "")
    elif details.get("via") == "cli":
        actor = escape(_l("The command line"))
    else:
        actor = escape(_l("Someone not signed in"))
    target_user = names.users.get(event.target_id if event.target_type == "user" else details.get("trainee_id"))
    certificate = names.certificates.get(event.target_id) if event.target_type == "certificate" else None
    cohort = names.cohorts.get(event.target_id if event.target_type == "cohort" else details.get("cohort_id"))
    course = (names.courses_by_id.get(event.target_id) if event.target_type == "course" else None) \
        or names.courses_by_slug.get(details.get("slug")) \
        or (names.courses_by_id.get(certificate.course_id) if certificate else None)
    values = {
        "actor": actor,
        "user": _person(target_user, str(_l("an account that no longer exists"))),
        "cohort": (_link(cohort.name, url_for("cohorts.detail", cohort_id=cohort.id)) if cohort
                   else escape(_l("a deleted workshop"))),
        "course": _course(course, details.get("slug", "")),
        "holder": _person(names.users.get(certificate.user_id), certificate.holder_name) if certificate else "—",
        "code": (_link(format_code(details.get("code", "")),
                       url_for("certificates.admin_detail", certificate_id=event.target_id))
                 if event.target_type == "certificate" else format_code(details.get("code", ""))),
        "old_code": format_code(details.get("replaces", "")),
        "reason": details.get("reason") or "—",
        "note": details.get("note", ""),
        "days": details.get("days", "—"),
        "filename": details.get("filename", ""),
        "created": len(details.get("created", [])),
        "invited": len(details.get("invited", [])),
        "skipped": len(details.get("skipped_lines", [])),
        "rows": details.get("rows", "—"),
        "format": str(details.get("format", "")).upper(),
        "filters": _filters(details.get("filters", {}), names),
        "files": details.get("files", "—"),
        "version": details.get("version") or "—",
        "restored_from": details.get("restored_from", "—"),
        "old": details.get("old", ""),
        "new": details.get("new", ""),
        "old_role": ROLE_NAMES.get(details.get("old"), details.get("old", "")),
        "new_role": ROLE_NAMES.get(details.get("new"), details.get("new", "")),
        "count": details.get("count", "—"),
        "sessions": len(details.get("sessions", [])),
        "before": _attendance_value(details.get("before")),
        "after": _attendance_value(details.get("after")),
        "result": _l("passed") if details.get("passed") else _l("try again"),
    }
    return escape(str(template)) % values  # the sentence is trusted; every value is escaped into it


def _attendance_value(value) -> str:
    """A mark ("present") in words, a required share as "80 %", nothing as "none"."""
    if value is None:
        return str(_l("none"))
    if isinstance(value, int):
        return f"{value} %"
    return status_names().get(value, str(value))


def describe(events: list[AuditEvent]) -> list[AuditLine]:
    names = _look_up(events)
    lines = []
    for event in events:
        sentence = _sentence(event, names)
        lines.append(AuditLine(event=event, sentence=sentence or escape(event.action), known=sentence is not None))
    return lines
