"""Which completion records an export covers, as plain data the page, the CLI and the audit log share."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import and_, exists, not_, or_, select

from lms.accounts.models import User
from lms.cohorts.models import CohortMember, cohort_course
from lms.content.models import Course, CourseItem
from lms.learning.models import Enrolment, ItemProgress

DATE_FIELDS = ("completed", "enrolled")
STATUSES = ("enrolled", "in_progress", "completed")
TRAINEE_ROLE = "trainee"


@dataclass(frozen=True)
class ExportFilters:
    """Every field is optional; empty means "all". Dates are whole local days, both ends included."""

    date_field: str = "completed"
    date_from: date | None = None
    date_to: date | None = None
    track_id: int | None = None
    specialty_id: int | None = None
    level: str | None = None
    course_id: int | None = None
    cohort_id: int | None = None
    village: str | None = None
    status: str | None = None

    def __post_init__(self) -> None:
        if self.date_field not in DATE_FIELDS:
            raise ValueError(f"date_field must be one of {DATE_FIELDS}")
        if self.status not in (None, *STATUSES):
            raise ValueError(f"status must be one of {STATUSES}")

    def for_audit(self) -> dict:
        """The filters that were set, JSON-ready (dates as ISO strings)."""
        chosen = {}
        for key, value in asdict(self).items():
            if value in (None, ""):
                continue
            chosen[key] = value.isoformat() if isinstance(value, date) else value
        if set(chosen) == {"date_field"}:
            return {}  # a date field without dates filters nothing
        return chosen


def local_day_bounds(first: date | None, last: date | None, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    """UTC instants for [start of `first`, start of the day after `last`) in the local time zone."""
    start = datetime.combine(first, time.min, zone).astimezone(UTC) if first else None
    end = datetime.combine(last + timedelta(days=1), time.min, zone).astimezone(UTC) if last else None
    return start, end


def has_progress():
    """True for an enrolment with progress in its course: a finished item or a quiz score."""
    return exists().where(
        ItemProgress.user_id == Enrolment.user_id,
        ItemProgress.item_id == CourseItem.id,
        CourseItem.course_id == Enrolment.course_id,
        CourseItem.is_active,
        or_(ItemProgress.completed_at.is_not(None), ItemProgress.best_score.is_not(None)),
    )


def conditions(filters: ExportFilters, zone: tzinfo) -> list:
    """WHERE conditions on a query that joins Enrolment, User (and Course for its filters). Trainees only."""
    where = [User.role == TRAINEE_ROLE]
    column = Enrolment.completed_at if filters.date_field == "completed" else Enrolment.enrolled_at
    start, end = local_day_bounds(filters.date_from, filters.date_to, zone)
    if start is not None:
        where.append(column >= start)
    if end is not None:
        where.append(column < end)
    if filters.track_id is not None:
        where.append(Course.track_id == filters.track_id)
    if filters.specialty_id is not None:
        where.append(Course.specialty_id == filters.specialty_id)
    if filters.level:
        where.append(Course.level == filters.level)
    if filters.course_id is not None:
        where.append(Enrolment.course_id == filters.course_id)
    if filters.village:
        where.append(User.village == filters.village)
    if filters.cohort_id is not None:
        # A member of the workshop, in one of the workshop's courses.
        where.append(exists().where(CohortMember.cohort_id == filters.cohort_id,
                                    CohortMember.user_id == Enrolment.user_id))
        where.append(exists().where(cohort_course.c.cohort_id == filters.cohort_id,
                                    cohort_course.c.course_id == Enrolment.course_id))
    if filters.status == "completed":
        where.append(Enrolment.completed_at.is_not(None))
    elif filters.status == "in_progress":
        where.append(and_(Enrolment.completed_at.is_(None), has_progress()))
    elif filters.status == "enrolled":
        where.append(and_(Enrolment.completed_at.is_(None), not_(has_progress())))
    return where


def filtered_enrolments(filters: ExportFilters, zone: tzinfo, *columns):
    """SELECT `columns` FROM enrolment JOIN user [JOIN course] WHERE the filters hold.

    The course is joined only when a filter needs it (every enrolment has its course).
    """
    query = select(*columns).select_from(Enrolment).join(User, User.id == Enrolment.user_id)
    if filters.track_id is not None or filters.specialty_id is not None or filters.level:
        query = query.join(Course, Course.id == Enrolment.course_id)
    return query.where(*conditions(filters, zone))
