"""Trainee lists from a spreadsheet: read the file, check every row, show a preview, import on confirmation.

A list has a name, a mobile number, a village or township and, optionally, the workshop (its
join code or its exact name) for each trainee. Excel on Chinese Windows saves CSV as GBK, other
programs as UTF-8 with or without a byte-order mark: all are read. The phone number is the
identity, so importing the same file again creates no second account.

A list makes new accounts and adds them. It never adds an account that exists already: that
person is invited and decides (lms/cohorts/invitations.py), because an account added by a list
would be one its instructor could print a sign-in card for. Nor does the preview tell whether a
number has an account (anyone could upload a list of numbers to find out): a valid row reads
"will be added" either way, and only after the instructor confirms does each row say what
happened (made, invited, cannot be invited).

Nothing is written while checking; `apply_import` writes every valid row in the caller's
transaction and skips the rows with errors.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.service import AccountError, create_user, normalize_display_name, normalize_phone, normalize_village
from lms.audit.log import record_event
from lms.cohorts.invitations import invite
from lms.cohorts.models import JOINED_BY_IMPORT, Cohort, CohortMember, TraineeImport
from lms.cohorts.workshops import add_member, normalize_join_code
from lms.database import utcnow
from lms.extensions import db

MAX_FILE_BYTES = 256 * 1024  # 2000 rows take about 100 KB
MAX_ROWS = 2000
MAX_CELL = 200
COLUMNS = ("name", "phone", "village", "cohort")
# Words a header cell may contain, checked in this order (a "培训班" column is a workshop, not a name).
_HEADER_WORDS = (
    ("cohort", ("cohort", "workshop", "班", "加入码", "邀请码")),
    ("phone", ("phone", "mobile", "手机", "电话", "号码")),
    ("village", ("village", "township", "town", "村", "乡", "镇", "地址")),
    ("name", ("name", "姓名", "名字", "学员")),
)

# Row statuses in a preview.
READY = "ready"  # will be added: a new account is made, or an existing one invited (not said which)
NOTHING = "nothing"  # already in that workshop: importing the same file again changes nothing
ERROR = "error"  # skipped

# What happened to a row, said after confirmation.
CREATED = "created"  # a new account, added to the workshop
INVITED = "invited"  # the number has an account: its owner was invited
ASKED_BEFORE = "asked_before"  # invited earlier (or declined): not asked again
NOT_INVITABLE = "not_invitable"  # a staff or closed account: not invited
UNCHANGED = "unchanged"  # already in the workshop
SKIPPED = "skipped"  # the row had an error


class ImportProblem(ValueError):
    """Why a whole file cannot be read, as a short code the view translates."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class RowCheck:
    line: int
    name: str
    phone: str
    village: str
    cohort_label: str
    cohort: Cohort | None = None
    status: str = READY
    errors: list[tuple[str, dict]] = field(default_factory=list)
    user: User | None = None


@dataclass
class Preview:
    rows: list[RowCheck]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def errors(self) -> list[RowCheck]:
        return [row for row in self.rows if row.status == ERROR]

    @property
    def changes(self) -> int:
        return self.count(READY)


@dataclass
class ImportResult:
    outcomes: list[dict] = field(default_factory=list)  # {"line", "name", "outcome"} per row

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.outcomes if row["outcome"] == outcome)


# ---------------------------------------------------------------- reading the file


def decode_csv(data: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportProblem("spreadsheet")  # an .xlsx/.xls workbook, not CSV
    try:
        if data.startswith(codecs.BOM_UTF8):
            text = data[len(codecs.BOM_UTF8):].decode("utf-8")
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("gb18030")  # a superset of GBK and GB2312
    except UnicodeDecodeError:
        raise ImportProblem("encoding") from None
    if "\x00" in text:
        raise ImportProblem("encoding")
    return text


def _delimiter(text: str) -> str:
    """Comma, or whatever separates the first line's cells: tab, semicolon, a full-width comma."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {mark: first.count(mark) for mark in (",", "\t", ";", "，")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _header_column(cell: str) -> str | None:
    text = unicodedata.normalize("NFKC", cell).strip().lower()
    for column, words in _HEADER_WORDS:
        if any(word in text for word in words):
            return column
    return None


def read_rows(text: str) -> list[dict]:
    """Rows as {"line", "name", "phone", "village", "cohort"} strings, blank rows left out.

    With a header row (姓名/手机/村/班级 or name/phone/village/cohort, in any order) columns are
    found by name; without one they are taken as name, phone, village, cohort.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    records = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((reader.line_num, [cell[:MAX_CELL] for cell in cells]))
            if len(records) > MAX_ROWS + 1:
                raise ImportProblem("too_many_rows")
    except csv.Error:
        raise ImportProblem("unreadable") from None
    if not records:
        raise ImportProblem("empty")
    positions = {column: index for index, column in enumerate(COLUMNS)}
    header = [_header_column(cell) for cell in records[0][1]]
    if "name" in header and "phone" in header:
        positions = {}
        for index, column in enumerate(header):
            if column and column not in positions:
                positions[column] = index
        records = records[1:]
    if not records:
        raise ImportProblem("empty")
    if len(records) > MAX_ROWS:
        raise ImportProblem("too_many_rows")
    rows = []
    for line, cells in records:
        row = {"line": line}
        for column in COLUMNS:
            index = positions.get(column)
            row[column] = cells[index].strip() if index is not None and index < len(cells) else ""
        rows.append(row)
    return rows


def parse_upload(data: bytes) -> list[dict]:
    return read_rows(decode_csv(data))


# ---------------------------------------------------------------- checking rows


def _clean_phone(raw: str) -> str:
    """Undo what spreadsheets do to phone numbers: a leading apostrophe, a trailing ".0"."""
    text = raw.strip().lstrip("'")
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text


class _CohortFinder:
    def __init__(self, cohorts: list[Cohort], default: Cohort | None):
        self.default = default
        self.by_code = {c.join_code: c for c in cohorts}
        self.by_name: dict[str, list[Cohort]] = defaultdict(list)
        for cohort in cohorts:
            self.by_name[" ".join(cohort.name.split())].append(cohort)

    def find(self, label: str) -> tuple[Cohort | None, str | None]:
        label = " ".join(unicodedata.normalize("NFKC", label).split())
        if not label:
            return self.default, None
        code = normalize_join_code(label)
        if code in self.by_code:
            return self.by_code[code], None
        named = self.by_name.get(label, [])
        if len(named) == 1:
            return named[0], None
        return None, "ambiguous_cohort" if named else "unknown_cohort"


def check_rows(rows: list[dict], cohorts: list[Cohort], default: Cohort | None, cohort_required: bool) -> Preview:
    """What importing these rows would do, row by row, in a fixed number of queries.

    `cohorts` are the workshops the importing person manages: a row may name only those.
    With `cohort_required` (instructors), a row must end up in one of them.
    """
    finder = _CohortFinder(cohorts, default)
    checks: list[RowCheck] = []
    first_line_of: dict[str, int] = {}
    for row in rows:
        check = RowCheck(line=row["line"], name=row["name"], phone=row["phone"],
                         village=normalize_village(row["village"]), cohort_label=row["cohort"])
        try:
            check.name = normalize_display_name(row["name"])
        except AccountError as error:
            check.errors.append((error.code, {}))
        try:
            check.phone = normalize_phone(_clean_phone(row["phone"]))
        except AccountError:
            check.errors.append(("bad_phone", {}))
        else:
            if check.phone in first_line_of:
                check.errors.append(("duplicate", {"line": first_line_of[check.phone]}))
            else:
                first_line_of[check.phone] = check.line
        check.cohort, problem = finder.find(row["cohort"])
        if problem:
            check.errors.append((problem, {}))
        elif check.cohort is None and cohort_required:
            check.errors.append(("no_cohort", {}))
        checks.append(check)

    phones = [c.phone for c in checks if not c.errors]
    users = {u.phone: u for u in db.session.scalars(select(User).where(User.phone.in_(phones)))} if phones else {}
    memberships: set[tuple[int, int]] = set()
    if users:
        memberships = set(db.session.execute(
            select(CohortMember.user_id, CohortMember.cohort_id)
            .where(CohortMember.user_id.in_([u.id for u in users.values()]))
        ).tuples())
    for check in checks:
        if check.errors:
            check.status = ERROR
            continue
        check.user = users.get(check.phone)
        # Only a member of the very workshop the row names is reported as such: the instructor
        # sees that workshop's members anyway. Anything else about an existing account waits.
        already_there = (check.user is not None and check.cohort is not None
                         and (check.user.id, check.cohort.id) in memberships)
        check.status = NOTHING if already_there else READY
    return Preview(rows=checks)


def apply_import(batch: TraineeImport, preview: Preview, actor: User) -> ImportResult:
    """Make and add the new accounts, invite the existing ones; skip the rows with errors.

    Records what happened to each row on the batch (the page shows it) and one audit event.
    """
    result = ImportResult()
    created, invited = [], []
    for row in preview.rows:
        outcome = _apply_row(row, actor)
        if outcome == CREATED:
            created.append(row.user.id)
        elif outcome == INVITED:
            invited.append(row.user.id)
        result.outcomes.append({"line": row.line, "name": row.name, "outcome": outcome})
    batch.confirmed_at = utcnow()
    batch.outcomes = result.outcomes
    record_event(actor, "accounts.imported", "trainee_import", batch.id, filename=batch.filename,
                 created=created, invited=invited, skipped_lines=[r.line for r in preview.errors])
    return result


def _apply_row(row: RowCheck, actor: User) -> str:
    if row.status == ERROR:
        return SKIPPED
    if row.status == NOTHING:
        return UNCHANGED
    if row.user is None:
        row.user = create_user(row.phone, row.name, None, role="trainee", village=row.village)
        row.user.created_by_id = actor.id
        if row.cohort is not None:
            add_member(row.cohort, row.user, joined_via=JOINED_BY_IMPORT)
        return CREATED
    if row.user.role != "trainee" or not row.user.active:
        return NOT_INVITABLE
    if row.cohort is None:  # an administrator's list without a workshop: nothing to invite to
        return UNCHANGED
    return INVITED if invite(row.cohort, row.user, actor) else ASKED_BEFORE
