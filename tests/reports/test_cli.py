"""`flask export completions`: the same export for scheduled jobs, with the same filters, audited."""

from __future__ import annotations

import csv
import io

import openpyxl
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.extensions import db


def test_the_command_writes_the_csv_with_filters(runner, county, tmp_path):
    target = tmp_path / "completions.csv"
    result = runner.invoke(args=["export", "completions", "--format", "csv", "--output", str(target),
                                 "--village", "北山村", "--status", "completed", "--header", "machine"])
    assert result.exit_code == 0, result.output
    assert "Exported 2 rows" in result.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert {(r["trainee_name"], r["course_slug"]) for r in rows} == {("吕振鸿", "shop-basics"), ("张伟", "shop-basics")}
    assert oct(target.stat().st_mode & 0o777) == "0o640"
    assert not list(tmp_path.glob(".*.part"))


def test_the_command_writes_xlsx_and_resolves_slugs_and_codes(runner, county, tmp_path):
    target = tmp_path / "service.xlsx"
    result = runner.invoke(args=["export", "completions", "--format", "xlsx", "-o", str(target), "--header", "en",
                                 "--specialty", "customer-service", "--cohort", county.service_class.join_code.lower(),
                                 "--from", "2025-04-01", "--to", "2025-04-30"])
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(io.BytesIO(target.read_bytes())).active.iter_rows(values_only=True))
    assert rows[0][0] == "Name" and [(r[0], r[4]) for r in rows[1:]] == [("王芳", "cs-basics")]


def test_every_run_is_in_the_audit_log_as_the_command_line(runner, county, tmp_path):
    runner.invoke(args=["export", "completions", "-o", str(tmp_path / "all.csv"), "--course", "shop-basics"])
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.completions"))
    assert event.actor_id is None
    assert event.details["via"] == "cli" and event.details["rows"] == 3 and event.details["format"] == "csv"
    assert event.details["filters"]["course_id"] == county.basics.id


def test_csv_can_go_to_standard_output(runner, county):
    result = runner.invoke(args=["export", "completions", "--output", "-", "--status", "enrolled"])
    assert result.exit_code == 0
    assert result.stdout.startswith("\ufeff") and "王芳" in result.stdout


def test_unknown_names_and_bad_dates_are_refused(runner, county, tmp_path):
    for extra in (["--course", "no-such-course"], ["--track", "customer-service"], ["--cohort", "ZZZZZZ"],
                  ["--from", "2025-05-01", "--to", "2025-04-01"], ["--level", "expert"]):
        result = runner.invoke(args=["export", "completions", "-o", str(tmp_path / "x.csv"), *extra])
        assert result.exit_code == 2, (extra, result.output)
    xlsx_out = runner.invoke(args=["export", "completions", "--format", "xlsx", "-o", "-"])
    assert xlsx_out.exit_code == 2
    assert not (tmp_path / "x.csv").exists()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.completions")) is None
