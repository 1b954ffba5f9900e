"""The completion export: one row per trainee × course, read in chunks, never all at once.

Rows are read with keyset pagination (`enrolment.id > last ORDER BY id LIMIT n`). Each chunk is
read on its own short-lived connection and transaction, with one query per aggregate (items
finished, best quiz scores, workshops, certificates) for the whole chunk, so an export of any
size holds neither much memory nor the database for long. The same rows feed the CSV and the
XLSX file, the admin page and `flask export completions`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import IO

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, case, cast, func, select
from sqlalchemy.orm import aliased

from lms.accounts.models import User
from lms.attendance.records import attended_minutes_for
from lms.cohorts.models import Cohort, CohortMember
from lms.content.models import Course, CourseItem, Track, pick_language
from lms.extensions import db
from lms.learning.models import Enrolment, ItemProgress
from lms.reports.certificates import certificates_for
from lms.reports.filters import ExportFilters, filtered_enrolments
from lms.reports.timefmt import iso_local, raw_time
from lms.spreadsheets import CsvEncoder, csv_chunks, safe_cell, safe_text, xlsx_chunks

HEADER_LANGUAGES = ("zh", "en", "machine")
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class ExportColumn:
    name: str  # stable machine name, documented in docs/exports.md
    label: object  # lazy translated header
    width: int  # XLSX column width


COLUMNS = (
    ExportColumn("trainee_name", _l("Name"), 14),
    ExportColumn("phone", _l("Phone"), 14),
    ExportColumn("village", _l("Village"), 14),
    ExportColumn("cohorts", _l("Workshops"), 24),
    ExportColumn("course_slug", _l("Course code"), 22),
    ExportColumn("course_title", _l("Course"), 24),
    ExportColumn("track", _l("Track"), 12),
    ExportColumn("specialty", _l("Specialty"), 12),
    ExportColumn("level", _l("Level"), 10),
    ExportColumn("enrolled_at", _l("Enrolled at"), 26),
    ExportColumn("last_activity_at", _l("Last activity"), 26),
    ExportColumn("items_finished", _l("Items finished"), 9),
    ExportColumn("items_total", _l("Items in the course"), 9),
    ExportColumn("best_quiz_scores", _l("Best quiz scores"), 26),
    ExportColumn("status", _l("Status"), 10),
    ExportColumn("completed_at", _l("Completed at"), 26),
    ExportColumn("certificate_code", _l("Certificate code"), 16),
    ExportColumn("certificate_state", _l("Certificate state"), 12),
    ExportColumn("hours_attended", _l("Hours attended"), 10),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
# Columns holding moments: ISO 8601 text in CSV, real date cells in XLSX.
DATE_COLUMNS = tuple(index for index, column in enumerate(COLUMNS) if column.name.endswith("_at"))

STATUS_LABELS = {"enrolled": _l("Enrolled"), "in_progress": _l("In progress"), "completed": _l("Completed")}
LEVEL_LABELS = {"intro": _l("Intro"), "intermediate": _l("Intermediate")}
CERTIFICATE_STATE_LABELS = {"valid": _l("Valid"), "revoked": _l("Revoked"), "superseded": _l("Superseded")}


@dataclass
class Vocabulary:
    """The words of one export: headers and value labels in zh or en, or machine names and codes."""

    header: list[str]
    status: dict[str, str]
    level: dict[str, str]
    certificate_state: dict[str, str]
    language: str  # the language course and track names are given in

    @classmethod
    def build(cls, header_language: str) -> Vocabulary:
        if header_language not in HEADER_LANGUAGES:
            raise ValueError(f"header language must be one of {HEADER_LANGUAGES}")
        if header_language == "machine":
            return cls(header=list(COLUMN_NAMES), status={k: k for k in STATUS_LABELS},
                       level={k: k for k in LEVEL_LABELS}, certificate_state={}, language="zh")
        with force_locale(header_language):
            return cls(
                header=[str(column.label) for column in COLUMNS],
                status={k: str(v) for k, v in STATUS_LABELS.items()},
                level={k: str(v) for k, v in LEVEL_LABELS.items()},
                certificate_state={k: str(v) for k, v in CERTIFICATE_STATE_LABELS.items()},
                language=header_language,
            )


@dataclass
class CourseFacts:
    """What every row of one course shares, already made spreadsheet-safe."""

    slug: str
    title: str
    track: str
    specialty: str
    level: str
    total: int = 0
    quizzes: dict[int, tuple[int, str]] = field(default_factory=dict)  # item id -> (position, label)
    _scores_seen: dict[str, str] = field(default_factory=dict, repr=False)

    def scores_text(self, aggregated: str) -> str:
        """"item:score;item:score" from the database as "Quiz 1: 90; Quiz 2: 85" in course order."""
        text = self._scores_seen.get(aggregated)
        if text is None:  # scores repeat a lot (90, 100...): each combination is formatted once
            if len(self._scores_seen) > 10_000:
                self._scores_seen.clear()
            text = self._scores_seen[aggregated] = self._format_scores(aggregated)
        return text

    def _format_scores(self, aggregated: str) -> str:
        shown = []
        for part in aggregated.split(";"):
            item_id, _, score = part.partition(":")
            if int(item_id) in self.quizzes:
                position, label = self.quizzes[int(item_id)]
                shown.append((position, label, float(score)))
        shown.sort()
        return safe_text("; ".join(f"{label}: {_score(score)}" for _, label, score in shown))


@dataclass
class ExportFacts:
    """Courses and workshops, loaded once per export (there are few of them)."""

    courses: dict[int, CourseFacts]
    cohort_names: dict[int, str]
    _cohorts_seen: dict[tuple[int, ...], str] = field(default_factory=dict, repr=False)

    def cohort_text(self, cohort_ids: list[int]) -> str:
        """Workshop names, sorted, separated by "; ", formatted once per combination of workshops."""
        key = tuple(sorted(cohort_ids))
        text = self._cohorts_seen.get(key)
        if text is None:
            if len(self._cohorts_seen) > 10_000:
                self._cohorts_seen.clear()
            names = sorted(self.cohort_names[cid].replace(";", ",") for cid in key if cid in self.cohort_names)
            text = self._cohorts_seen[key] = safe_text("; ".join(names))
        return text


# "item id:best score" for a quiz with a score; NULL (left out of the aggregate) otherwise.
_QUIZ_SCORE = case(
    (CourseItem.kind == "quiz", cast(ItemProgress.item_id, String) + ":" + cast(ItemProgress.best_score, String)),
)


def load_facts(conn, vocabulary: Vocabulary) -> ExportFacts:
    """Every course with its names, active item count and quizzes, and every workshop's name."""
    language = vocabulary.language
    machine = vocabulary.header == list(COLUMN_NAMES)
    specialty = aliased(Track)
    courses: dict[int, CourseFacts] = {}
    rows = conn.execute(
        select(Course.id, Course.slug, Course.titles, Course.language, Course.level, Track.names, specialty.names)
        .join(Track, Track.id == Course.track_id)
        .outerjoin(specialty, specialty.id == Course.specialty_id)
    )
    for course_id, slug, titles, main_language, level, track_names, specialty_names in rows:
        courses[course_id] = CourseFacts(
            slug=safe_text(slug),
            title=safe_text(pick_language(titles, language, main_language)),
            track=safe_text(pick_language(track_names, language, "zh")),
            specialty=safe_text(pick_language(specialty_names, language, "zh")) if specialty_names else "",
            level=safe_text(vocabulary.level.get(level, level)),
        )
    totals = conn.execute(
        select(CourseItem.course_id, func.count(CourseItem.id)).where(CourseItem.is_active)
        .group_by(CourseItem.course_id)
    )
    for course_id, total in totals:
        if course_id in courses:
            courses[course_id].total = total
    quizzes = conn.execute(
        select(CourseItem.id, CourseItem.course_id, CourseItem.position, CourseItem.slug, CourseItem.titles,
               Course.language)
        .join(Course, Course.id == CourseItem.course_id)
        .where(CourseItem.is_active, CourseItem.kind == "quiz")
    )
    for item_id, course_id, position, slug, titles, main_language in quizzes:
        label = slug if machine else pick_language(titles, language, main_language) or slug
        courses[course_id].quizzes[item_id] = (position, label.replace(";", ","))
    cohort_names = dict(conn.execute(select(Cohort.id, Cohort.name)).all())
    return ExportFacts(courses=courses, cohort_names=cohort_names)


def whole_or_decimal(value: float) -> int | float:
    """2 rather than 2.0, so CSV and XLSX read the same; two decimals at most."""
    value = round(value, 2)
    return int(value) if value == int(value) else value


def _score(value: float) -> str:
    return f"{value:g}"


class CompletionExport:
    """One export: its filters, header language and time zone. Create it inside an app context.

    It reads on connections of its own, one short transaction per chunk, so the caller's session
    must have no transaction open (commit first): on SQLite a writer's open transaction in the same
    thread would make those reads wait.
    """

    def __init__(self, filters: ExportFilters, zone: tzinfo, header_language: str = "zh",
                 chunk_size: int = CHUNK_SIZE) -> None:
        self.filters = filters
        self.zone = zone
        self.header_language = header_language
        self.vocabulary = Vocabulary.build(header_language)
        self.chunk_size = chunk_size
        self.engine = db.engine
        self.rows_written = 0  # by the last XLSX stream

    # -------------------------------------------------------------- queries

    def _rows_query(self):
        return filtered_enrolments(
            self.filters, self.zone,
            Enrolment.id, Enrolment.user_id, Enrolment.course_id, raw_time(Enrolment.enrolled_at),
            raw_time(Enrolment.last_activity_at), raw_time(Enrolment.completed_at),
            User.display_name, User.phone, User.village,
        )

    def _check_no_open_transaction(self) -> None:
        if self.engine.dialect.name == "sqlite" and db.session().in_transaction():
            raise RuntimeError("end the session's transaction (commit) before exporting")

    def count(self) -> int:
        self._check_no_open_transaction()
        with self.engine.connect() as conn:
            query = filtered_enrolments(self.filters, self.zone, Enrolment.id)
            return conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()

    def batches(self) -> Iterator[list[list]]:
        """Lists of safe rows, one list per chunk. No connection is held between chunks."""
        for batch, _ in self._batches():
            yield batch

    def _batches(self) -> Iterator[tuple[list[list], list[str | None]]]:
        """Each chunk's rows, with each row's quiz scores as the database aggregated them ("item:score;...")."""
        self._check_no_open_transaction()
        facts = None
        query = self._rows_query().order_by(Enrolment.id).limit(self.chunk_size)
        last_id = 0
        while True:
            with self.engine.connect() as conn:
                chunk = conn.execute(query.where(Enrolment.id > last_id)).all()
                if not chunk:
                    return
                # The chunk is exactly the matching enrolments in (last_id, its last id]: the per-chunk
                # aggregates select them again with this subquery instead of a long list of ids.
                scope = (filtered_enrolments(self.filters, self.zone, Enrolment.id)
                         .where(Enrolment.id > last_id, Enrolment.id <= chunk[-1][0]).correlate(None))
                if facts is None or any(row[2] not in facts.courses for row in chunk):
                    facts = load_facts(conn, self.vocabulary)  # once, and again if a course was added meanwhile
                batch, scores = self._build_batch(conn, chunk, scope, facts)
            yield batch, scores
            if len(chunk) < self.chunk_size:
                return
            last_id = chunk[-1][0]

    def _build_batch(self, conn, chunk, scope, facts: ExportFacts) -> tuple[list[list], list[str | None]]:
        progress: dict[int, tuple[int, str | None]] = {
            enrolment_id: (done, quiz_scores) for enrolment_id, done, quiz_scores in conn.execute(
                select(Enrolment.id, func.count(ItemProgress.completed_at), func.aggregate_strings(_QUIZ_SCORE, ";"))
                .join(CourseItem, (CourseItem.course_id == Enrolment.course_id) & CourseItem.is_active)
                .join(ItemProgress,
                      (ItemProgress.item_id == CourseItem.id) & (ItemProgress.user_id == Enrolment.user_id))
                .where(Enrolment.id.in_(scope))
                .group_by(Enrolment.id)
            ).all()
        }
        cohorts: dict[int, list[int]] = defaultdict(list)
        for user_id, cohort_id in conn.execute(
            select(CohortMember.user_id, CohortMember.cohort_id)
            .where(CohortMember.user_id.in_(select(Enrolment.user_id).where(Enrolment.id.in_(scope))))
        ).all():
            cohorts[user_id].append(cohort_id)
        certificates = certificates_for(conn, scope)
        attended = attended_minutes_for(conn, scope)
        if any(cid not in facts.cohort_names for ids in cohorts.values() for cid in ids):
            facts.cohort_names = dict(conn.execute(select(Cohort.id, Cohort.name)).all())  # a workshop was added
            facts._cohorts_seen.clear()

        zone, words, courses = self.zone, self.vocabulary, facts.courses
        cohort_text = {user_id: facts.cohort_text(ids) for user_id, ids in cohorts.items()}
        batch, scores = [], []
        for enrolment_id, user_id, course_id, enrolled_at, last_activity_at, completed_at, name, phone, village \
                in chunk:
            course = courses[course_id]
            done, quiz_scores = progress.get(enrolment_id, (0, None))
            scores.append(quiz_scores)
            if completed_at is not None:
                status = "completed"
            else:
                status = "in_progress" if done or quiz_scores else "enrolled"
            code, state = certificates.get((user_id, course_id), ("", ""))
            batch.append([
                safe_text(name), safe_text(phone), safe_text(village or ""),
                cohort_text.get(user_id, ""),
                course.slug, course.title, course.track, course.specialty, course.level,
                iso_local(enrolled_at, zone), iso_local(last_activity_at, zone), done, course.total,
                course.scores_text(quiz_scores) if quiz_scores else "", words.status[status],
                iso_local(completed_at, zone), safe_text(code), safe_text(words.certificate_state.get(state, state)),
                whole_or_decimal(attended.get((user_id, course_id), 0) / 60),
            ])
        return batch, scores

    # -------------------------------------------------------------- files

    def header_row(self) -> list:
        return [safe_cell(label) for label in self.vocabulary.header]

    def csv_stream(self) -> Iterator[bytes]:
        """UTF-8 bytes with a BOM: the BOM and header first, then one piece per chunk."""
        def all_batches():
            yield [self.header_row()]
            yield from self.batches()

        return csv_chunks(all_batches())

    def json_stream(self, filters: dict | None = None) -> Iterator[bytes]:
        """A JSON document, written while the database is read: the filters, then one object per row keyed by
        the CSV's machine names (values as in the CSV: numbers are numbers, times ISO 8601 text, "" when empty)."""
        yield (b'{"columns":' + json.dumps(list(COLUMN_NAMES)).encode()
               + b',"filters":' + json.dumps(filters or {}, ensure_ascii=False, default=str).encode()
               + b',"rows":[')
        first = True
        for batch in self.batches():
            pieces = [json.dumps(dict(zip(COLUMN_NAMES, row, strict=True)), ensure_ascii=False) for row in batch]
            if pieces:
                yield (b"" if first else b",") + "\n,".join(pieces).encode("utf-8")
                first = False
        yield b"]}\n"

    def write_csv(self, target: IO[bytes]) -> int:
        """Write the CSV to a binary file; returns the number of data rows."""
        encoder = CsvEncoder()
        target.write(encoder.encode([self.header_row()]))
        rows = 0
        for batch in self.batches():
            target.write(encoder.encode(batch))
            rows += len(batch)
        return rows

    def sheet_title(self) -> str:
        if self.header_language == "machine":
            return "completions"
        with force_locale(self.header_language):
            return str(_l("Completions"))

    def quiz_columns(self) -> list[tuple[int, str]]:
        """(quiz item id, header) of every quiz of the exported courses, in learning order and course order."""
        self._check_no_open_transaction()
        language = self.vocabulary.language
        machine = self.header_language == "machine"
        exported = select(Enrolment.course_id).where(
            Enrolment.id.in_(filtered_enrolments(self.filters, self.zone, Enrolment.id))).distinct()
        with self.engine.connect() as conn:
            quizzes = conn.execute(
                select(CourseItem.id, CourseItem.slug, CourseItem.titles, Course.slug, Course.titles, Course.language)
                .join(Course, Course.id == CourseItem.course_id)
                .where(CourseItem.is_active, CourseItem.kind == "quiz", CourseItem.course_id.in_(exported))
                .order_by(Course.position, Course.slug, CourseItem.position)
            ).all()
        several = len({row[3] for row in quizzes}) > 1
        columns = []
        for item_id, slug, titles, course_slug, course_titles, main_language in quizzes:
            if machine:
                label = f"score:{course_slug}/{slug}"
            else:
                label = pick_language(titles, language, main_language) or slug
                if several:
                    label = f"{pick_language(course_titles, language, main_language)} · {label}"
            columns.append((item_id, label))
        return columns

    def xlsx_stream(self) -> Iterator[bytes]:
        """An XLSX workbook, sent while the database is read (`xlsx_chunks`).

        Beyond the CSV's columns: moments are date cells (sortable, shown as 2025-03-10 10:00 in Excel
        and WPS) and every quiz of the exported courses has a score column of its own.
        """
        quizzes = self.quiz_columns()
        header = self.header_row() + [safe_cell(label) for _, label in quizzes]

        item_keys = [str(item_id) for item_id, _ in quizzes]
        no_scores = [None] * len(quizzes)

        def rows():
            for batch, scores in self._batches():
                for row, aggregated in zip(batch, scores, strict=True):
                    for index in DATE_COLUMNS:
                        row[index] = datetime.fromisoformat(row[index]).replace(tzinfo=None) if row[index] else None
                    if aggregated:
                        by_item = dict(part.split(":") for part in aggregated.split(";"))
                        row.extend([float(by_item[key]) if key in by_item else None for key in item_keys])
                    else:
                        row.extend(no_scores)
                self.rows_written += len(batch)
                yield batch

        return xlsx_chunks(self.sheet_title(), header, rows(), [c.width for c in COLUMNS] + [14] * len(quizzes))

    def write_xlsx(self, target: IO[bytes]) -> int:
        """Write the XLSX to a binary file; returns the number of data rows."""
        for chunk in self.xlsx_stream():
            target.write(chunk)
        return self.rows_written
