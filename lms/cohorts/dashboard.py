"""A workshop's progress at a glance: trainees × course items, built in a fixed number of queries.

A cohort of 300 trainees on a 40-item course is 12,000 cells; they come from five queries
(courses, items, members, progress rows, enrolments) whatever the size, never one per cell.
The same grid feeds the page and the CSV download.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import load_only, selectinload

from lms.accounts.models import User
from lms.cohorts.models import Cohort, CohortMember, cohort_course
from lms.content.models import Course, CourseItem, pick_language
from lms.database import utcnow
from lms.extensions import db
from lms.learning.models import Enrolment, ItemProgress
from lms.quizzes.attempts import questions_for
from lms.quizzes.models import QuizAttempt
from lms.spreadsheets import safe_text
from lms.tasks.models import TaskSubmission

IDLE_DAYS_DEFAULT = 7
IDLE_DAYS_MAX = 365
SORTS = ("name", "village", "done", "active")


@dataclass
class Column:
    item_id: int
    course: Course
    number: int  # 1, 2, ... within its course
    kind: str
    titles: dict
    finished: int = 0  # how many trainees finished this item

    @property
    def is_quiz(self) -> bool:
        return self.kind == "quiz"

    def title(self, language: str) -> str:
        return pick_language(self.titles, language, self.course.language)


@dataclass
class Cell:
    finished: bool = False
    score: float | None = None
    task: str | None = None  # a practical task's latest version: waiting, again or passed


@dataclass
class Row:
    user: User
    joined_at: datetime
    cells: dict[int, Cell] = field(default_factory=dict)  # by item id; missing means not started
    finished: int = 0
    last_progress: datetime | None = None
    idle: bool = False
    enrolled: set[int] = field(default_factory=set)  # course ids
    completed: dict[int, datetime] = field(default_factory=dict)  # course id -> completion time

    @property
    def last_seen(self) -> datetime:
        """Last progress, or when they joined if they have made none yet."""
        return max(self.last_progress, self.joined_at) if self.last_progress else self.joined_at


@dataclass
class Grid:
    cohort: Cohort
    courses: list[Course]
    columns: list[Column]
    rows: list[Row]
    idle_days: int
    sort: str = "name"
    descending: bool = False

    @property
    def total(self) -> int:
        return len(self.columns)

    @property
    def spans(self) -> list[tuple[Course, int]]:
        counts: dict[int, int] = {}
        for column in self.columns:
            counts[column.course.id] = counts.get(column.course.id, 0) + 1
        return [(course, counts[course.id]) for course in self.courses if counts.get(course.id)]

    @property
    def idle_count(self) -> int:
        return sum(1 for row in self.rows if row.idle)

    def completed_count(self, course: Course) -> int:
        return sum(1 for row in self.rows if course.id in row.completed)


def _sort_key(sort: str):
    if sort == "village":
        return lambda row: (row.user.village, row.user.display_name, row.user.id)
    if sort == "done":
        return lambda row: (row.finished, row.user.display_name, row.user.id)
    if sort == "active":
        return lambda row: (row.last_seen, row.user.id)
    if sort.startswith("item-") and sort[5:].isdigit():
        item_id = int(sort[5:])

        def by_item(row: Row):
            cell = row.cells.get(item_id)
            return (cell is not None and cell.finished, cell.score if cell and cell.score is not None else -1,
                    row.user.display_name, row.user.id)

        return by_item
    return lambda row: (row.user.display_name, row.user.id)


def valid_sort(sort: str | None, columns: list[Column]) -> str:
    if sort in SORTS:
        return sort
    if sort and any(sort == f"item-{c.item_id}" for c in columns):
        return sort
    return "name"


def cohort_courses(cohort: Cohort) -> list[Course]:
    return list(db.session.scalars(
        select(Course).join(cohort_course, cohort_course.c.course_id == Course.id)
        .where(cohort_course.c.cohort_id == cohort.id).order_by(Course.position, Course.slug)
    ))


def build_grid(cohort: Cohort, idle_days: int = IDLE_DAYS_DEFAULT, sort: str | None = "name",
               descending: bool = False, now: datetime | None = None) -> Grid:
    now = now or utcnow()
    courses = cohort_courses(cohort)
    course_by_id = {c.id: c for c in courses}
    course_order = {c.id: index for index, c in enumerate(courses)}
    items = sorted(
        db.session.scalars(
            select(CourseItem)
            .options(load_only(CourseItem.id, CourseItem.course_id, CourseItem.kind, CourseItem.position,
                               CourseItem.titles, CourseItem.slug))
            .where(CourseItem.course_id.in_(list(course_by_id)), CourseItem.is_active)
        ),
        key=lambda i: (course_order[i.course_id], i.position, i.id),
    )
    columns: list[Column] = []
    numbers: dict[int, int] = {}
    for item in items:
        numbers[item.course_id] = numbers.get(item.course_id, 0) + 1
        columns.append(Column(item_id=item.id, course=course_by_id[item.course_id], number=numbers[item.course_id],
                              kind=item.kind, titles=item.titles or {}))
    column_by_item = {c.item_id: c for c in columns}

    members = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id).scalar_subquery()
    rows = {
        user.id: Row(user=user, joined_at=joined_at)
        for user, joined_at in db.session.execute(
            select(User, CohortMember.joined_at).join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == cohort.id)
        ).tuples()
    }
    if columns and rows:
        progress = db.session.execute(
            select(ItemProgress.user_id, ItemProgress.item_id, ItemProgress.completed_at, ItemProgress.best_score,
                   ItemProgress.updated_at)
            .where(ItemProgress.item_id.in_(list(column_by_item)), ItemProgress.user_id.in_(members))
        ).tuples()
        for user_id, item_id, completed_at, best_score, updated_at in progress:
            row = rows[user_id]
            finished = completed_at is not None
            row.cells[item_id] = Cell(finished=finished, score=best_score)
            if finished:
                row.finished += 1
                column_by_item[item_id].finished += 1
            if updated_at and (row.last_progress is None or updated_at > row.last_progress):
                row.last_progress = updated_at
    task_items = [c.item_id for c in columns if c.kind == "task"]
    if task_items and rows:
        versions = db.session.execute(
            select(TaskSubmission.user_id, TaskSubmission.item_id, TaskSubmission.status)
            .where(TaskSubmission.item_id.in_(task_items), TaskSubmission.user_id.in_(members))
            .order_by(TaskSubmission.version)
        ).tuples()
        for user_id, item_id, status in versions:  # the latest version's status wins
            rows[user_id].cells.setdefault(item_id, Cell()).task = status
    if courses and rows:
        enrolments = db.session.execute(
            select(Enrolment.user_id, Enrolment.course_id, Enrolment.completed_at)
            .where(Enrolment.course_id.in_(list(course_by_id)), Enrolment.user_id.in_(members))
        ).tuples()
        for user_id, course_id, completed_at in enrolments:
            rows[user_id].enrolled.add(course_id)
            if completed_at is not None:
                rows[user_id].completed[course_id] = completed_at

    cutoff = now - timedelta(days=idle_days)
    for row in rows.values():
        row.idle = row.last_seen < cutoff and row.finished < len(columns)
    sort = valid_sort(sort, columns)
    ordered = sorted(rows.values(), key=_sort_key(sort), reverse=descending)
    return Grid(cohort=cohort, courses=courses, columns=columns, rows=ordered, idle_days=idle_days,
                sort=sort, descending=descending)


# ---------------------------------------------------------------- CSV


def _cell_text(value) -> str:
    """Spreadsheet-safe: a cell that starts like a formula is kept as text."""
    return safe_text("" if value is None else str(value))


def csv_rows(grid: Grid, language: str, labels: dict[str, str], format_time) -> list[list[str]]:
    """The grid as spreadsheet rows: one per trainee, a column per course and per item."""
    header = [labels["name"], labels["phone"], labels["village"], labels["joined"], labels["last_progress"],
              labels["finished"], labels["total"]]
    header += [f"{course.title(course.shown_language(language))}: {labels['completed']}" for course in grid.courses]
    header += [f"{column.course.title(column.course.shown_language(language))} {column.number}. "
               f"{column.title(column.course.shown_language(language))}" for column in grid.columns]
    lines = [header]
    for row in grid.rows:
        line = [row.user.display_name, row.user.phone, row.user.village, format_time(row.joined_at),
                format_time(row.last_progress) if row.last_progress else "", row.finished, grid.total]
        line += [format_time(row.completed[course.id]) if course.id in row.completed else "" for course in grid.courses]
        for column in grid.columns:
            cell = row.cells.get(column.item_id)
            if cell is None:
                line.append("")
            elif column.is_quiz:
                line.append("" if cell.score is None else f"{cell.score:g}")
            else:
                line.append(labels["done"] if cell.finished else "")
        lines.append(line)
    totals = [labels["totals"], "", "", "", "", "", ""]
    totals += [grid.completed_count(course) for course in grid.courses]
    totals += [column.finished for column in grid.columns]
    lines.append(totals)
    return [[_cell_text(value) for value in line] for line in lines]


# ---------------------------------------------------------------- one trainee


@dataclass
class AttemptReview:
    attempt: QuizAttempt
    shown: list[tuple[int, dict, dict]]  # (position, layout entry, question) as the trainee saw them


def attempts_for_review(user: User, courses: list[Course]) -> list[AttemptReview]:
    """Every submitted quiz attempt of a trainee in these courses, newest first, ready to show with answers."""
    if not courses:
        return []
    attempts = db.session.scalars(
        select(QuizAttempt).join(CourseItem, CourseItem.id == QuizAttempt.item_id)
        .where(QuizAttempt.user_id == user.id, QuizAttempt.submitted_at.is_not(None),
               CourseItem.course_id.in_([c.id for c in courses]))
        .options(selectinload(QuizAttempt.item))
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())
    )
    reviews = []
    for attempt in attempts:
        questions = questions_for(attempt, attempt.item)
        shown = [(position, entry, questions[entry["q"]]) for position, entry in enumerate(attempt.layout)
                 if entry["q"] < len(questions)]
        reviews.append(AttemptReview(attempt=attempt, shown=shown))
    return reviews
