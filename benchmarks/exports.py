"""Completion export at county scale: 100,000 trainees and 300,000 enrolments.

    .venv/bin/python -m benchmarks.exports            # or `make bench`, which runs every benchmark
    .venv/bin/python -m benchmarks.exports --trainees 10000 --enrolments 30000   # a quick run

Builds an SQLite database with bulk inserts (tracks, courses with lessons and quizzes, workshops,
trainees, enrolments and progress), then measures, each in its own process:

* the CSV export through the application's own code (`CompletionExport.write_csv`), against the
  `sqlite3` command-line tool writing the same joined rows to CSV from the same database;
* the XLSX export (`CompletionExport.write_xlsx`);
* the peak memory (maximum resident set size) of each export process.

The CSV comparison runs each side several times, alternated, and compares the fastest CPU times
(the wall times are printed too): on a shared machine the wall time mostly measures the other
load, while the CPU time is the work each side does. Both sides read the same SQLite file with the
same SQLite library.

Targets: CSV within 3x the sqlite3 tool, peak memory under 150 MB for either format.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

CSV_RATIO_TARGET = 3.0
XLSX_RATIO_TARGET = 2.0  # XLSX CPU time over the CSV's, the same rows
FIRST_BYTES_TARGET_S = 2.0  # the download starts (first bytes written) within this
MEMORY_TARGET_MB = 150
BATCH = 20_000

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉宇浩凯健俊帆帅旭宁振鸿"
VILLAGES = [f"{a}{b}村" for a in "东西南北上下前后" for b in ("山", "岭", "河", "湾", "坪", "塘", "庄")]

# The export's rows as one SQL statement for the sqlite3 tool: same joins, same aggregates.
SQLITE_JOIN = """
SELECT u.display_name, u.phone, u.village,
  (SELECT group_concat(c.name, '; ') FROM cohort_member m JOIN cohort c ON c.id = m.cohort_id
    WHERE m.user_id = u.id) AS cohorts,
  co.slug, json_extract(co.titles, '$.zh'), json_extract(t.names, '$.zh'), json_extract(s.names, '$.zh'), co.level,
  e.enrolled_at, e.last_activity_at,
  (SELECT count(p.completed_at) FROM course_item i JOIN item_progress p ON p.item_id = i.id AND p.user_id = e.user_id
    WHERE i.course_id = e.course_id AND i.is_active) AS items_finished,
  (SELECT count(*) FROM course_item i WHERE i.course_id = e.course_id AND i.is_active) AS items_total,
  (SELECT group_concat(json_extract(i.titles, '$.zh') || ': ' || p.best_score, '; ')
    FROM course_item i JOIN item_progress p ON p.item_id = i.id AND p.user_id = e.user_id
    WHERE i.course_id = e.course_id AND i.is_active AND i.kind = 'quiz' AND p.best_score IS NOT NULL) AS scores,
  CASE WHEN e.completed_at IS NOT NULL THEN 'completed'
       WHEN EXISTS (SELECT 1 FROM course_item i JOIN item_progress p ON p.item_id = i.id AND p.user_id = e.user_id
                    WHERE i.course_id = e.course_id AND i.is_active) THEN 'in_progress'
       ELSE 'enrolled' END AS status,
  e.completed_at{certificate_columns}
FROM enrolment e
JOIN user u ON u.id = e.user_id
JOIN course co ON co.id = e.course_id
JOIN track t ON t.id = co.track_id
LEFT JOIN track s ON s.id = co.specialty_id
WHERE u.role = 'trainee'
ORDER BY e.id
"""
CERTIFICATE_COLUMNS = """,
  (SELECT c.code FROM certificate c WHERE c.user_id = e.user_id AND c.course_id = e.course_id
    ORDER BY c.issue_number DESC LIMIT 1) AS certificate_code,
  (SELECT c.state FROM certificate c WHERE c.user_id = e.user_id AND c.course_id = e.course_id
    ORDER BY c.issue_number DESC LIMIT 1) AS certificate_state"""


def make_app(database: Path):
    from lms import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "benchmark", "TESTING": True,
    })


# ---------------------------------------------------------------- data


def build_database(database: Path, trainees: int, enrolments: int, seed: int = 2024) -> dict:
    """Bulk-insert a county's worth of records. Returns the counts written."""
    from sqlalchemy import insert

    from lms.accounts.models import User
    from lms.certificates.models import Certificate
    from lms.cohorts.models import Cohort, CohortMember, cohort_course
    from lms.content.models import Course, CourseItem, Track
    from lms.extensions import db
    from lms.learning.models import Enrolment, ItemProgress

    rng = random.Random(seed)
    app = make_app(database)
    now = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            tracks = [(1, "entrepreneurship", None, "创业", "Entrepreneurship"),
                      (2, "employment", None, "就业", "Employment"),
                      (3, "customer-service", 2, "网店客服", "Customer service"),
                      (4, "photography", 2, "商品摄影", "Product photography"),
                      (5, "page-design", 2, "页面设计", "Page design")]
            conn.execute(insert(Track), [{"id": n, "slug": slug, "parent_id": parent, "names": {"zh": zh, "en": en}}
                                         for n, slug, parent, zh, en in tracks])
            courses = [
                ("shop-basics", "开店基础", 1, None, "intro"), ("shop-growth", "网店进阶", 1, None, "intermediate"),
                ("live-selling", "直播带货", 1, None, "intro"), ("cs-basics", "客服入门", 2, 3, "intro"),
                ("cs-advanced", "客服进阶", 2, 3, "intermediate"), ("photo-basics", "手机拍商品", 2, 4, "intro"),
                ("page-basics", "详情页入门", 2, 5, "intro"), ("page-advanced", "详情页进阶", 2, 5, "intermediate"),
            ]
            conn.execute(insert(Course), [
                {"id": n, "slug": slug, "track_id": track, "specialty_id": specialty, "level": level, "language": "zh",
                 "languages": ["zh", "en"], "titles": {"zh": title, "en": slug.replace("-", " ").title()},
                 "position": n, "synced_at": now}
                for n, (slug, title, track, specialty, level) in enumerate(courses, start=1)
            ])
            items_per_course = 6
            items = {}  # course id -> [(item id, is quiz)]
            rows = []
            for course_id in range(1, len(courses) + 1):
                for position in range(1, items_per_course + 1):
                    item_id = (course_id - 1) * items_per_course + position
                    quiz = position % 3 == 0
                    items.setdefault(course_id, []).append((item_id, quiz))
                    rows.append({"id": item_id, "course_id": course_id, "slug": f"item-{position}",
                                 "kind": "quiz" if quiz else "lesson", "position": position,
                                 "titles": {"zh": f"{'小测' if quiz else '第'}{position}{'' if quiz else '课'}"}})
            conn.execute(insert(CourseItem), rows)
            cohorts = max(1, trainees // 500)
            conn.execute(insert(Cohort), [
                {"id": n, "name": f"{VILLAGES[n % len(VILLAGES)]}第{n}期", "join_code": f"B{n:05d}",
                 "created_at": now} for n in range(1, cohorts + 1)
            ])
            conn.execute(insert(cohort_course), [
                {"cohort_id": n, "course_id": c} for n in range(1, cohorts + 1)
                for c in sorted(rng.sample(range(1, len(courses) + 1), 3))
            ])
        per_user = max(1, min(len(courses), round(enrolments / trainees)))
        user_id = enrolment_id = progress_id = certificate_id = 0
        while user_id < trainees:
            users, members, enrols, progress, certificates = [], [], [], [], []
            for _ in range(min(BATCH // per_user, trainees - user_id)):
                user_id += 1
                created = now - timedelta(days=rng.randint(30, 540), minutes=rng.randint(0, 1440))
                users.append({"id": user_id, "phone": f"13{user_id:09d}",
                              "display_name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
                              "village": rng.choice(VILLAGES), "role": "trainee", "password_hash": "",
                              "active": True, "created_at": created})
                members.append({"cohort_id": 1 + user_id % cohorts, "user_id": user_id, "joined_at": created})
                for course_id in rng.sample(range(1, len(courses) + 1), per_user):
                    if enrolment_id >= enrolments:
                        break
                    enrolment_id += 1
                    enrolled = created + timedelta(hours=rng.randint(0, 72))
                    roll = rng.random()
                    course_items = items[course_id]
                    # 40% completed, 35% part-way, 25% not started.
                    if roll < 0.4:
                        done = len(course_items)
                    else:
                        done = rng.randint(1, len(course_items) - 1) if roll < 0.75 else 0
                    finished = enrolled + timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 23))
                    for item_id, quiz in course_items[:done]:
                        progress_id += 1
                        progress.append({"id": progress_id, "user_id": user_id, "item_id": item_id,
                                         "completed_at": finished, "updated_at": finished,
                                         "best_score": float(rng.randint(16, 20) * 5) if quiz else None})
                    enrols.append({"id": enrolment_id, "user_id": user_id, "course_id": course_id,
                                   "enrolled_at": enrolled, "last_activity_at": finished if done else enrolled,
                                   "completed_at": finished if done == len(course_items) else None})
                    if done == len(course_items):
                        # Every 50th certificate was re-issued once: the first is superseded.
                        for issue in (1, 2) if enrolment_id % 50 == 0 else (1,):
                            certificate_id += 1
                            certificates.append({
                                "id": certificate_id, "code": f"BENCH{certificate_id:010d}", "user_id": user_id,
                                "course_id": course_id, "issue_number": issue, "issued_at": finished,
                                "state": "superseded" if enrolment_id % 50 == 0 and issue == 1 else "valid",
                                "holder_name": users[-1]["display_name"], "course_titles": {"zh": "课程"},
                                "course_language": "zh", "track_names": {}, "specialty_names": {}, "level": "intro",
                                "hours": 1, "completed_at": finished, "org_name": "县电子商务培训中心",
                                "signatories": [],
                            })
            with db.engine.begin() as conn:
                conn.execute(insert(User), users)
                conn.execute(insert(CohortMember), members)
                if enrols:
                    conn.execute(insert(Enrolment), enrols)
                if progress:
                    conn.execute(insert(ItemProgress), progress)
                if certificates:
                    conn.execute(insert(Certificate), certificates)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        db.engine.dispose()
    return dict(trainees=user_id, enrolments=enrolment_id, progress=progress_id, certificates=certificate_id)


# ---------------------------------------------------------------- measuring


def peak_mb() -> float:
    """This process's peak resident memory. On Linux VmHWM, because ru_maxrss survives exec and so
    would count the parent's memory at the moment it started this process."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def child(mode: str, database: Path, output: Path) -> None:
    """Run one export in this process and print its time, row count and peak memory as JSON."""
    from zoneinfo import ZoneInfo

    from lms.reports.completions import CompletionExport
    from lms.reports.filters import ExportFilters

    app = make_app(database)
    with app.app_context():
        export = CompletionExport(ExportFilters(), ZoneInfo(app.config["LMS_TIMEZONE"]), header_language="zh")
        baseline = peak_mb()
        started, cpu_started = time.perf_counter(), time.process_time()
        first_bytes = []

        class Handle:  # notes when the first bytes would go out to the browser
            def write(self, data: bytes) -> None:
                if not first_bytes:
                    first_bytes.append(time.perf_counter() - started)
                target.write(data)

        with output.open("wb") as target:
            handle = Handle()
            rows = export.write_csv(handle) if mode == "csv" else export.write_xlsx(handle)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": rows, "peak_mb": peak_mb(), "baseline_mb": baseline,
                      "first_bytes": first_bytes[0] if first_bytes else seconds}))


def run_child(mode: str, database: Path, output: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.exports", "--child", mode, str(database), str(output)],
        check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_sqlite_cli(database: Path, output: Path) -> dict:
    import sqlite3

    with sqlite3.connect(database) as conn:
        has_certificates = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'certificate'").fetchone()
    sql = SQLITE_JOIN.format(certificate_columns=CERTIFICATE_COLUMNS if has_certificates else "")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with output.open("wb") as handle:
        subprocess.run(["sqlite3", "-csv", "-header", str(database), sql], stdout=handle, check=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    with output.open("rb") as handle:
        rows = sum(1 for _ in handle) - 1
    return {"seconds": seconds, "cpu": cpu, "rows": rows}


def same_rows(tool_csv: Path, export_csv: Path) -> bool:
    """Both files list the same enrolments in the same order, with the same item counts."""
    import csv
    import itertools

    def keys(path: Path, encoding: str):
        with path.open(encoding=encoding, newline="") as handle:
            for row in itertools.islice(csv.reader(handle), 1, None):
                yield row[1], row[4], str(row[11]), str(row[12])  # phone, course, items finished, items in all

    return all(a == b for a, b in itertools.zip_longest(keys(tool_csv, "utf-8"), keys(export_csv, "utf-8-sig")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.exports", description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=100_000)
    parser.add_argument("--enrolments", type=int, default=300_000)
    parser.add_argument("--keep", type=Path, help="build the database in this folder and keep it")
    parser.add_argument("--rounds", type=int, default=3,
                        help="CSV runs of each kind, alternated; the fastest of each is compared (default 3)")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DATABASE", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return 0
    if shutil.which("sqlite3") is None:
        print("exports: the sqlite3 command-line tool is missing (apt-get install sqlite3)")
        return 1

    folder = args.keep or Path(tempfile.mkdtemp(prefix="cunke-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "exports.sqlite3"
    try:
        if not database.exists():
            started = time.perf_counter()
            counts = build_database(database, args.trainees, args.enrolments)
            print(f"exports: built {counts['trainees']:,} trainees, {counts['enrolments']:,} enrolments, "
                  f"{counts['progress']:,} progress records, {counts['certificates']:,} certificates "
                  f"in {time.perf_counter() - started:.1f} s")
        tools, csv_runs = [], []
        for _ in range(max(1, args.rounds)):  # alternated, so a busy moment weighs on both alike
            tools.append(run_sqlite_cli(database, folder / "sqlite3.csv"))
            csv_runs.append(run_child("csv", database, folder / "export.csv"))
        tool = min(tools, key=lambda run: run["cpu"])
        csv_run = dict(min(csv_runs, key=lambda run: run["cpu"]), peak_mb=max(r["peak_mb"] for r in csv_runs))
        same = same_rows(folder / "sqlite3.csv", folder / "export.csv")
        xlsx_runs = []
        for _ in range(max(1, args.rounds)):  # alternated with CSV runs, as above
            xlsx_runs.append(run_child("xlsx", database, folder / "export.xlsx"))
            csv_runs.append(run_child("csv", database, folder / "export.csv"))
        xlsx_run = dict(min(xlsx_runs, key=lambda run: run["cpu"]), peak_mb=max(r["peak_mb"] for r in xlsx_runs))
        csv_run = dict(min(csv_runs, key=lambda run: run["cpu"]), peak_mb=max(r["peak_mb"] for r in csv_runs))
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)

    ratio = csv_run["cpu"] / tool["cpu"]
    wall_ratio = min(r["seconds"] for r in csv_runs) / min(r["seconds"] for r in tools)
    tool_times = ", ".join(f"{run['cpu']:.2f}" for run in tools)
    csv_times = ", ".join(f"{run['cpu']:.2f}" for run in csv_runs)
    print(f"exports: CPU seconds of {len(tools)} alternated runs each: sqlite3 tool {tool_times}; "
          f"Cunke CSV {csv_times}")
    print(f"exports: sqlite3 tool CSV   {tool['cpu']:7.2f} s CPU ({tool['seconds']:.2f} s wall)  "
          f"{tool['rows']:>9,} rows")
    print(f"exports: Cunke CSV          {csv_run['cpu']:7.2f} s CPU ({csv_run['seconds']:.2f} s wall)  "
          f"{csv_run['rows']:>9,} rows  ratio {ratio:.2f}x CPU, {wall_ratio:.2f}x wall "
          f"(target <= {CSV_RATIO_TARGET:g}x)")
    print(f"exports: Cunke CSV          peak {csv_run['peak_mb']:.0f} MB "
          f"(the process held {csv_run['baseline_mb']:.0f} MB before exporting)")
    xlsx_ratio = xlsx_run["cpu"] / csv_run["cpu"]
    print(f"exports: Cunke XLSX         {xlsx_run['cpu']:7.2f} s CPU ({xlsx_run['seconds']:.2f} s wall)  "
          f"{xlsx_run['rows']:>9,} rows  ratio {xlsx_ratio:.2f}x the CSV's CPU (target <= {XLSX_RATIO_TARGET:g}x)  "
          f"peak {xlsx_run['peak_mb']:.0f} MB (the process held {xlsx_run['baseline_mb']:.0f} MB before exporting)")
    print(f"exports: Cunke XLSX         first bytes after {xlsx_run['first_bytes']:.2f} s "
          f"(target <= {FIRST_BYTES_TARGET_S:g} s)")
    print(f"exports: the two CSV files {'hold' if same else 'DO NOT hold'} the same rows "
          f"(phone, course, items finished and in all, row by row)")
    ok = (ratio <= CSV_RATIO_TARGET and csv_run["peak_mb"] < MEMORY_TARGET_MB and xlsx_ratio <= XLSX_RATIO_TARGET
          and xlsx_run["first_bytes"] <= FIRST_BYTES_TARGET_S
          and xlsx_run["peak_mb"] < MEMORY_TARGET_MB and csv_run["rows"] == tool["rows"] == xlsx_run["rows"] and same)
    print(f"exports: {'targets met' if ok else 'TARGETS MISSED'} "
          f"(CSV <= {CSV_RATIO_TARGET:g}x sqlite3, XLSX <= {XLSX_RATIO_TARGET:g}x CSV, first XLSX bytes "
          f"<= {FIRST_BYTES_TARGET_S:g} s, peak memory < {MEMORY_TARGET_MB} MB, same rows)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
