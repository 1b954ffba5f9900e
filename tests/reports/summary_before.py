"""The summary as it was computed before its medians moved into SQL: kept only to check that the new
queries give the same numbers on a seeded database (tests/reports/test_summary_seeded.py)."""


from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, time, tzinfo

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import aliased

from lms.accounts.models import User
from lms.cohorts.models import Cohort, CohortMember, cohort_course
from lms.content.models import LEVELS, Course, Track
from lms.extensions import db
from lms.learning.models import Enrolment
from lms.reports.filters import TRAINEE_ROLE
from lms.reports.summary import GroupStats, MonthCount, Reach, Summary, month_starts, next_month
from lms.reports.timefmt import parse_time, raw_time

MAX_MONTHS = 36
SECONDS_PER_DAY = 86_400


# ---------------------------------------------------------------- queries


def _trainee_enrolments(*columns):
    return (
        select(*columns).select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .join(Course, Course.id == Enrolment.course_id)
        .where(User.role == TRAINEE_ROLE)
    )


_COMPLETED_USER = case((Enrolment.completed_at.is_not(None), Enrolment.user_id))
_REACH_COLUMNS = (func.count(distinct(Enrolment.user_id)), func.count(distinct(_COMPLETED_USER)))
_GROUP_COLUMNS = (func.count(distinct(Enrolment.user_id)), func.count(Enrolment.id), func.count(Enrolment.completed_at))


def _reach(key_column, labels: dict) -> list[Reach]:
    rows = db.session.execute(_trainee_enrolments(key_column, *_REACH_COLUMNS).group_by(key_column))
    found = {key: Reach(key, labels.get(key, str(key)), trainees, completed) for key, trainees, completed in rows}
    return [found.get(key) or Reach(key, label) for key, label in labels.items()]


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def medians_by_group(query) -> dict:
    """{group: median days} from a query of (group, enrolled_at, completed_at) ordered by group.

    Rows are streamed; only the current group's durations are held in memory.
    """
    result = {}
    current, durations = object(), []
    rows = db.session.execute(query, execution_options={"yield_per": 5000})
    for key, enrolled_at, completed_at in rows:
        if key != current:
            if durations:
                result[current] = median(durations)
            current, durations = key, []
        seconds = (parse_time(completed_at) - parse_time(enrolled_at)).total_seconds()
        durations.append(max(seconds, 0) / SECONDS_PER_DAY)
    if durations:
        result[current] = median(durations)
    return result


def _durations(key_column, *joins):
    query = _trainee_enrolments(key_column, raw_time(Enrolment.enrolled_at), raw_time(Enrolment.completed_at))
    for target, on in joins:
        query = query.join(target, on)
    return query.where(Enrolment.completed_at.is_not(None)).order_by(key_column)


def _groups(key_column, labels: dict, *joins, keep_empty: bool = True) -> list[GroupStats]:
    query = _trainee_enrolments(key_column, *_GROUP_COLUMNS)
    for target, on in joins:
        query = query.join(target, on)
    found = {
        key: GroupStats(key, labels.get(key, key if isinstance(key, str) else str(key)), trainees, enrolments, done)
        for key, trainees, enrolments, done in db.session.execute(query.group_by(key_column))
    }
    for key, days in medians_by_group(_durations(key_column, *joins)).items():
        if key in found:
            found[key].median_days = days
    if keep_empty:
        for key, label in labels.items():
            found.setdefault(key, GroupStats(key, label))
    return sorted(found.values(), key=lambda g: (-g.enrolments, g.label))


def completions_per_month(zone: tzinfo, today: date) -> list[MonthCount]:
    """Completions in each calendar month (local time) from the first one to this month, at most 36."""
    first = db.session.scalar(_trainee_enrolments(func.min(Enrolment.completed_at)))
    if first is None:
        return []
    months = month_starts(min(first.astimezone(zone).date(), today), today)[-MAX_MONTHS:]
    bounds = [datetime.combine(m, time.min, zone).astimezone(UTC) for m in [*months, next_month(months[-1])]]
    counts = db.session.execute(_trainee_enrolments(*(
        func.count(case((and_(Enrolment.completed_at >= start, Enrolment.completed_at < end), 1)))
        for start, end in zip(bounds, bounds[1:], strict=False)
    ))).one()
    return [MonthCount(month, count) for month, count in zip(months, counts, strict=True)]


def build_summary(language: str, zone: tzinfo, level_labels: dict[str, str], no_village: str,
                  today: date | None = None) -> Summary:
    """Every breakdown, with names in `language` where a course or track has them.

    `level_labels` names the course levels and `no_village` the trainees without a village, in the
    reader's language.
    """
    today = today or datetime.now(zone).date()
    summary = Summary()
    totals = db.session.execute(_trainee_enrolments(
        *_REACH_COLUMNS, func.count(Enrolment.id), func.count(Enrolment.completed_at))).one()
    summary.trainees, summary.trainees_completed, summary.enrolments, summary.completions = totals

    tracks = list(db.session.scalars(select(Track).order_by(Track.position, Track.id)))
    parent_names = {t.id: t.name(language) for t in tracks}
    track_labels = {t.id: t.name(language) for t in tracks if t.parent_id is None}
    specialty_labels = {t.id: f"{parent_names.get(t.parent_id, '')} · {t.name(language)}"
                        for t in tracks if t.parent_id is not None}
    summary.by_track = _reach(Course.track_id, track_labels)
    summary.by_specialty = _reach(Course.specialty_id, specialty_labels)
    known = sorted(db.session.scalars(select(Course.level).distinct()),
                   key=lambda level: (LEVELS.index(level) if level in LEVELS else len(LEVELS), level))
    levels = {level: level_labels.get(level, level) for level in known}
    summary.by_level = _reach(Course.level, levels)
    summary.per_month = completions_per_month(zone, today)

    courses = {c.id: c.title(c.shown_language(language))
               for c in db.session.scalars(select(Course).order_by(Course.position, Course.slug))}
    summary.per_course = _groups(Enrolment.course_id, courses)
    cohorts = dict(db.session.execute(select(Cohort.id, Cohort.name)).all())
    member = aliased(CohortMember)
    summary.per_cohort = _groups(
        member.cohort_id, cohorts,
        (member, member.user_id == Enrolment.user_id),
        (cohort_course, and_(cohort_course.c.cohort_id == member.cohort_id,
                             cohort_course.c.course_id == Enrolment.course_id)),
    )
    summary.per_village = _groups(User.village, {"": no_village}, keep_empty=False)
    return summary


