"""The summary the county's training office reads at a glance.

How many trainees each track, specialty and level reached and saw through; completions per
month; and per course, workshop and village the completion rate and the median number of days
from enrolment to completion.

Everything comes from one pass over the trainees' enrolments, so a county of 300,000 enrolments
answers in well under a second on SQLite and PostgreSQL (benchmarks/summary.py). The query sends
four small values per enrolment (trainee, course, village, and for a completed one its two
timestamps) in the order of a covering index (migration 0009); the counts are sets and counters,
the distinct trainees of a track or a workshop are unions and intersections of each course's set
of trainees, which run at C speed. Separate GROUP BY queries with COUNT(DISTINCT ...) and window
functions for the medians took several seconds at that size on SQLite, each scanning and sorting
the enrolments again.

Only trainee accounts count (instructors and administrators trying a course do not), as in the
completion export.
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo

from sqlalchemy import String, case, cast, func, select

from lms.accounts.models import User
from lms.cohorts.models import Cohort, CohortMember, cohort_course
from lms.content.models import LEVELS, Course, Track
from lms.extensions import db
from lms.learning.models import Enrolment
from lms.reports.filters import TRAINEE_ROLE
from lms.reports.timefmt import parse_time, raw_time

MAX_MONTHS = 36
SECONDS_PER_DAY = 86_400
_SQLITE_STORED = "%Y-%m-%d %H:%M:%S.%f"  # how SQLite keeps a UTC timestamp, so bounds compare as text


@dataclass
class Reach:
    """Trainees who enrolled in, and who completed, at least one course of a track, specialty or level."""

    key: object
    label: str
    trainees: int = 0
    completed: int = 0


@dataclass
class GroupStats:
    """Enrolments (trainee × course) of a course, workshop or village, and how they ended."""

    key: object
    label: str
    trainees: int = 0
    enrolments: int = 0
    completed: int = 0
    median_days: float | None = None

    @property
    def rate(self) -> float | None:
        """Completion rate in percent, one decimal; None without enrolments."""
        return round(100 * self.completed / self.enrolments, 1) if self.enrolments else None


@dataclass
class MonthCount:
    month: date  # the first day of the month, local time
    completions: int = 0

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass
class Summary:
    trainees: int = 0
    trainees_completed: int = 0
    enrolments: int = 0
    completions: int = 0
    by_track: list[Reach] = field(default_factory=list)
    by_specialty: list[Reach] = field(default_factory=list)
    by_level: list[Reach] = field(default_factory=list)
    per_month: list[MonthCount] = field(default_factory=list)
    per_course: list[GroupStats] = field(default_factory=list)
    per_cohort: list[GroupStats] = field(default_factory=list)
    per_village: list[GroupStats] = field(default_factory=list)


# ---------------------------------------------------------------- the pass over enrolments


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def days_between(enrolled_at, completed_at) -> float:
    """Days from enrolment to completion, never negative, from the raw timestamps (both UTC)."""
    if isinstance(completed_at, str):  # SQLite's text: both naive UTC, so their difference is exact
        completed_at, enrolled_at = datetime.fromisoformat(completed_at), datetime.fromisoformat(enrolled_at)
    seconds = (completed_at - enrolled_at).total_seconds()
    return max(seconds, 0) / SECONDS_PER_DAY


@dataclass
class Enrolments:
    """The trainees' enrolments, gathered in one pass: who enrolled in each course, and for a completed
    enrolment how many days it took and when it ended."""

    users: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # course -> trainees
    days: dict[int, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))  # course -> {trainee: days}
    village_users: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    village_enrolments: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    village_days: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    completed_at: list = field(default_factory=list)  # raw, as `raw_time` gives them


def driver_rows(query, batch: int = 20_000) -> Iterator[list[tuple]]:
    """The rows of a SELECT as the driver gives them, in batches, in the session's transaction.

    At hundreds of thousands of rows SQLAlchemy's row objects cost more than the query; the
    statement has no parameters from outside (its constants are written into it), and the columns
    read are integers, text and `raw_time` timestamps, which need no conversion.
    """
    sql = str(query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    cursor = db.session.connection().connection.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        cursor.close()


def gather_enrolments() -> Enrolments:
    done = Enrolment.completed_at.is_not(None)
    query = (
        select(Enrolment.user_id, Enrolment.course_id, User.village,
               raw_time(case((done, Enrolment.enrolled_at))), raw_time(Enrolment.completed_at))
        .join(User, User.id == Enrolment.user_id)
        .where(User.role == TRAINEE_ROLE)
    )
    found = Enrolments()
    users, days, village_users, village_enrolments, village_days = (
        found.users, found.days, found.village_users, found.village_enrolments, found.village_days)
    moments = found.completed_at
    for rows in driver_rows(query):
        for user_id, course_id, village, enrolled_at, completed_at in rows:
            users[course_id].add(user_id)
            village_users[village].add(user_id)
            village_enrolments[village] += 1
            if completed_at is not None:
                took = days_between(enrolled_at, completed_at)
                days[course_id][user_id] = took
                village_days[village].append(took)
                moments.append(completed_at)
    return found


def _union(sets) -> set:
    return set().union(*sets)


def _reach(enrolments: Enrolments, course_key: dict[int, object], labels: dict) -> list[Reach]:
    """Trainees enrolled and completed per key, each trainee once however many of its courses they took."""
    enrolled, completed = defaultdict(list), defaultdict(list)
    for course_id, trainees in enrolments.users.items():
        key = course_key.get(course_id)
        if key is not None:
            enrolled[key].append(trainees)
            completed[key].append(enrolments.days[course_id].keys())
    found = {key: Reach(key, labels.get(key, str(key)), len(_union(sets)), len(_union(completed[key])))
             for key, sets in enrolled.items()}
    return [found.get(key) or Reach(key, label) for key, label in labels.items()]


def _sorted(groups: dict, labels: dict, keep_empty: bool = True) -> list[GroupStats]:
    if keep_empty:
        for key, label in labels.items():
            groups.setdefault(key, GroupStats(key, label))
    return sorted(groups.values(), key=lambda g: (-g.enrolments, g.label))


def per_course(enrolments: Enrolments, labels: dict) -> list[GroupStats]:
    groups = {}
    for course_id, trainees in enrolments.users.items():
        days = enrolments.days[course_id]
        groups[course_id] = GroupStats(course_id, labels.get(course_id, str(course_id)), len(trainees),
                                       len(trainees), len(days), median(list(days.values())))
    return _sorted(groups, labels)


def per_cohort(enrolments: Enrolments, labels: dict) -> list[GroupStats]:
    """A workshop counts its members' enrolments in its own courses."""
    members, courses = defaultdict(set), defaultdict(list)
    # Each workshop's members as one "id,id,..." string: hundreds of rows instead of one per member.
    listed = func.aggregate_strings(cast(CohortMember.user_id, String), ",")
    for cohort_id, user_ids in db.session.execute(
            select(CohortMember.cohort_id, listed).group_by(CohortMember.cohort_id)):
        members[cohort_id] = set(map(int, user_ids.split(",")))
    for cohort_id, course_id in db.session.execute(select(cohort_course.c.cohort_id, cohort_course.c.course_id)):
        courses[cohort_id].append(course_id)
    groups = {}
    for cohort_id, people in members.items():
        trainees, enrolled, durations = set(), 0, []
        for course_id in courses.get(cohort_id, ()):
            matched = people & enrolments.users.get(course_id, set())
            if not matched:
                continue
            trainees |= matched
            enrolled += len(matched)
            days = enrolments.days[course_id]
            durations.extend(days[user_id] for user_id in matched & days.keys())
        if enrolled:
            groups[cohort_id] = GroupStats(cohort_id, labels.get(cohort_id, str(cohort_id)), len(trainees),
                                           enrolled, len(durations), median(durations))
    return _sorted(groups, labels)


def per_village(enrolments: Enrolments, no_village: str) -> list[GroupStats]:
    groups = {}
    for village, trainees in enrolments.village_users.items():
        durations = enrolments.village_days[village]
        label = no_village if not village else village
        groups[village] = GroupStats(village, label, len(trainees),
                                     enrolments.village_enrolments[village], len(durations), median(durations))
    return _sorted(groups, {}, keep_empty=False)


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s month to `last`'s month."""
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def completions_per_month(moments: list, zone: tzinfo, today: date) -> list[MonthCount]:
    """Completions in each calendar month (local time) from the first one to this month, at most 36.

    `moments` are raw completion times: SQLite's stored text, compared as text with bounds written
    the same way, or PostgreSQL's datetimes.
    """
    if not moments:
        return []
    moments = sorted(moments)
    first = parse_time(moments[0])
    months = month_starts(min(first.astimezone(zone).date(), today), today)[-MAX_MONTHS:]
    bounds = [datetime.combine(m, time.min, zone).astimezone(UTC) for m in [*months, next_month(months[-1])]]
    if isinstance(moments[0], str):
        bounds = [bound.strftime(_SQLITE_STORED) for bound in bounds]
    places = [bisect.bisect_left(moments, bound) for bound in bounds]
    return [MonthCount(month, end - start) for month, start, end in zip(months, places, places[1:], strict=False)]


def build_summary(language: str, zone: tzinfo, level_labels: dict[str, str], no_village: str,
                  today: date | None = None) -> Summary:
    """Every breakdown, with names in `language` where a course or track has them.

    `level_labels` names the course levels and `no_village` the trainees without a village, in the
    reader's language.
    """
    today = today or datetime.now(zone).date()
    enrolments = gather_enrolments()
    summary = Summary()
    summary.trainees = len(_union(enrolments.users.values()))
    summary.trainees_completed = len(_union(d.keys() for d in enrolments.days.values()))
    summary.enrolments = sum(len(users) for users in enrolments.users.values())
    summary.completions = sum(len(days) for days in enrolments.days.values())

    tracks = list(db.session.scalars(select(Track).order_by(Track.position, Track.id)))
    parent_names = {t.id: t.name(language) for t in tracks}
    track_labels = {t.id: t.name(language) for t in tracks if t.parent_id is None}
    specialty_labels = {t.id: f"{parent_names.get(t.parent_id, '')} · {t.name(language)}"
                        for t in tracks if t.parent_id is not None}
    courses = list(db.session.scalars(select(Course).order_by(Course.position, Course.slug)))
    summary.by_track = _reach(enrolments, {c.id: c.track_id for c in courses}, track_labels)
    summary.by_specialty = _reach(enrolments, {c.id: c.specialty_id for c in courses}, specialty_labels)
    known = sorted({c.level for c in courses},
                   key=lambda level: (LEVELS.index(level) if level in LEVELS else len(LEVELS), level))
    levels = {level: level_labels.get(level, level) for level in known}
    summary.by_level = _reach(enrolments, {c.id: c.level for c in courses}, levels)
    summary.per_month = completions_per_month(enrolments.completed_at, zone, today)

    summary.per_course = per_course(enrolments, {c.id: c.title(c.shown_language(language)) for c in courses})
    summary.per_cohort = per_cohort(enrolments, dict(db.session.execute(select(Cohort.id, Cohort.name)).all()))
    summary.per_village = per_village(enrolments, no_village)
    return summary


# ---------------------------------------------------------------- XLSX


def write_summary_xlsx(summary: Summary, words: dict[str, str], target) -> None:
    """The summary as a workbook, one sheet per breakdown. `words` holds the translated titles and headers."""
    from lms.spreadsheets import add_sheet, new_write_only_workbook, safe_row

    workbook = new_write_only_workbook()
    sheet = add_sheet(workbook, words["totals"], [words["what"], words["number"]], [36, 12])
    for key, value in (("trainees", summary.trainees), ("trainees_completed", summary.trainees_completed),
                       ("enrolments", summary.enrolments), ("completions", summary.completions)):
        sheet.append(safe_row([words[key], value]))
    for title, first, rows in ((words["by_track"], words["track"], summary.by_track),
                               (words["by_specialty"], words["specialty"], summary.by_specialty),
                               (words["by_level"], words["level"], summary.by_level)):
        sheet = add_sheet(workbook, title, [first, words["trainees"], words["trainees_completed"]], [30, 16, 16])
        for reach in rows:
            sheet.append(safe_row([reach.label, reach.trainees, reach.completed]))
    sheet = add_sheet(workbook, words["per_month"], [words["month"], words["completions"]], [12, 14])
    for month in summary.per_month:
        sheet.append(safe_row([month.label, month.completions]))
    for title, first, rows in ((words["per_course"], words["course"], summary.per_course),
                               (words["per_cohort"], words["cohort"], summary.per_cohort),
                               (words["per_village"], words["village"], summary.per_village)):
        sheet = add_sheet(workbook, title, [first, words["trainees"], words["enrolments"], words["completions"],
                                            words["rate"], words["median_days"]], [30, 12, 12, 12, 14, 16])
        for group in rows:
            sheet.append(safe_row([group.label, group.trainees, group.enrolments, group.completed, group.rate,
                                   group.median_days]))
    workbook.save(target)
