"""60 trainees of one workshop send two 4 MB phone photos each for a practical task, all within a minute,
on SQLite and on PostgreSQL under gunicorn: errors, time, the largest worker's memory, and photos stored once.

    .venv/bin/python -m benchmarks.task_uploads                     # or `make bench`
    .venv/bin/python -m benchmarks.task_uploads --no-postgresql     # SQLite only

Each database gets the bundled catalog, 60 signed-in trainees enrolled in phone-product-photos and
members of one workshop. Each trainee's two photos are distinct 4 MB JPEGs (noise, so they do not
compress: the worst a phone sends). The 60 uploads start together, one connection each; every
upload must be answered with the redirect back to the task page, the database must then hold 120
submitted photos in 120 stored rows (one per distinct photo), and the resident memory of every
gunicorn worker, sampled every 50 ms, must stay below 300 MB.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import nullcontext
from pathlib import Path

from benchmarks._support import Browser, Gunicorn, postgres_server_url, prepare_database, scratch_postgres

TRAINEES = 60
PHOTOS = 2
PHOTO_BYTES = 4 * 1024 * 1024
MEMORY_LIMIT_MB = 300
COURSE, TASK = "phone-product-photos", "light-a-bamboo-basket"
PASSWORD = "bench-village-2024"
TEXT = "篮子放在窗边的白纸上，光从左边来，右边用白泡沫板补光。"


def phone_photos(count: int) -> list[bytes]:
    """`count` distinct JPEGs of about 4 MB each, 2600×2000 like a phone's."""
    from PIL import Image

    base = Image.effect_noise((2600, 2000), 64).convert("RGB")
    photos = []
    for number in range(count):
        image = base.copy()
        for bit in range(8):  # each photo its own: its number in black and white squares, clear after shrinking
            shade = 255 if number >> bit & 1 else 0
            image.paste((shade, shade, shade), (bit * 200, 0, bit * 200 + 200, 200))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=93)
        photos.append(out.getvalue())
    return photos


def prepare(url: str):
    from sqlalchemy import insert, select

    from lms.accounts.models import User
    from lms.accounts.passwords import hash_password
    from lms.cohorts.models import Cohort, CohortMember
    from lms.extensions import db
    from lms.learning.models import Enrolment
    from lms.learning.progress import find_course

    app = prepare_database(url)
    with app.app_context():
        course = find_course(COURSE)
        password_hash = hash_password(PASSWORD)
        phones = [f"137{n:08d}" for n in range(TRAINEES)]
        db.session.execute(insert(User), [{"phone": phone, "display_name": f"学员{n}", "village": "北山村",
                                           "password_hash": password_hash} for n, phone in enumerate(phones)])
        users = {phone: user_id for phone, user_id in db.session.execute(select(User.phone, User.id))}
        cohort = Cohort(name="北山村拍照班", join_code="BENCH1", courses=[course])
        db.session.add(cohort)
        db.session.flush()
        db.session.execute(insert(CohortMember), [{"cohort_id": cohort.id, "user_id": users[p]} for p in phones])
        db.session.execute(insert(Enrolment), [{"user_id": users[p], "course_id": course.id} for p in phones])
        db.session.commit()
        db.engine.dispose()
    return app, phones


def multipart(token: str, photos: list[bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in (("csrf_token", token), ("text", TEXT)):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for number, content in enumerate(photos):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="IMG_{number}.jpg"'
                     f'\r\nContent-Type: image/jpeg\r\n\r\n'.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def upload(base: str, cookie: str, body: bytes, content_type: str) -> tuple[int, float]:
    request = urllib.request.Request(f"{base}/courses/{COURSE}/{TASK}/work", data=body, method="POST")
    request.add_header("Cookie", cookie)
    request.add_header("Content-Type", content_type)
    started = time.perf_counter()
    try:
        response = urllib.request.build_opener(_NoRedirect).open(request, timeout=120)
    except urllib.error.HTTPError as error:
        response = error
    except OSError:
        return 0, time.perf_counter() - started
    response.read()
    return response.status, time.perf_counter() - started


def worker_memory(server: Gunicorn, stop: threading.Event, peak: dict) -> None:
    """The largest resident set of any worker (children of the gunicorn master), sampled until `stop`."""
    while not stop.is_set():
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields.get("PPid", "").strip() == str(server.process.pid) and "VmRSS" in fields:
                rss = int(fields["VmRSS"].split()[0]) / 1024
                peak[entry.name] = max(peak.get(entry.name, 0), rss)
        time.sleep(0.05)


def stored(app) -> tuple[int, int]:
    """(photos named by submissions, photo rows stored)."""
    from sqlalchemy import func, select

    from lms.extensions import db
    from lms.tasks.models import TaskPhoto, TaskSubmission

    with app.app_context():
        named = sum(len(p) for p in db.session.scalars(select(TaskSubmission.photos)))
        rows = db.session.scalar(select(func.count()).select_from(TaskPhoto))
        db.session.remove()
        db.engine.dispose()
    return named, rows


def measure(label: str, url: str, folder: Path, photos: list[bytes], workers: int) -> dict:
    app, phones = prepare(url)
    with Gunicorn("app:app", folder / f"{label}.log", workers, DATABASE_URL=url) as server:
        bodies = []
        for number, phone in enumerate(phones):
            browser = Browser(server.url)
            browser.sign_in(phone, PASSWORD)
            browser.request("GET", f"/courses/{COURSE}/{TASK}")
            body, content_type = multipart(browser.token, photos[number * PHOTOS:(number + 1) * PHOTOS])
            bodies.append((browser.cookie_header, body, content_type))
        stop, peak = threading.Event(), {}
        sampler = threading.Thread(target=worker_memory, args=(server, stop, peak), daemon=True)
        sampler.start()
        results: list[tuple[int, float]] = [(0, 0.0)] * len(bodies)

        def send(index: int) -> None:
            results[index] = upload(server.url, *bodies[index])

        started = time.perf_counter()
        threads = [threading.Thread(target=send, args=(n,)) for n in range(len(bodies))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        stop.set()
        sampler.join()
        problems = server.problems()
    named, rows = stored(app)
    latencies = sorted(seconds for _, seconds in results)
    return {
        "elapsed": elapsed,
        "errors": sum(1 for status, _ in results if status != 303) + len(problems),
        "p50": latencies[len(latencies) // 2], "max": latencies[-1],
        "peak_mb": max(peak.values(), default=0.0),
        "named": named, "rows": rows, "problems": problems[:3],
    }


def report(label: str, figures: dict | None) -> bool:
    if figures is None:
        print(f"task_uploads: {label:<10} skipped: no PostgreSQL server at {postgres_server_url()}")
        return True
    expected = TRAINEES * PHOTOS
    once = figures["named"] == figures["rows"] == expected
    print(f"task_uploads: {label:<10} {TRAINEES} uploads of {PHOTOS} × 4 MB in {figures['elapsed']:.1f} s "
          f"(median {figures['p50']:.1f} s, slowest {figures['max']:.1f} s)   errors {figures['errors']}   "
          f"largest worker {figures['peak_mb']:.0f} MB   photos stored once: {'yes' if once else 'NO'} "
          f"({figures['rows']} rows for {figures['named']} photos sent)")
    if figures["problems"]:
        print(f"task_uploads: {label} server log: {figures['problems']}")
    return (figures["errors"] == 0 and once and figures["peak_mb"] < MEMORY_LIMIT_MB
            and figures["elapsed"] < 60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.task_uploads", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--no-postgresql", dest="postgresql", action="store_false")
    args = parser.parse_args(argv)
    photos = phone_photos(TRAINEES * PHOTOS)
    print(f"task_uploads: gunicorn -c gunicorn.conf.py --workers {args.workers}; photos of "
          f"{min(map(len, photos)) / 2**20:.1f}–{max(map(len, photos)) / 2**20:.1f} MB")
    with tempfile.TemporaryDirectory(prefix="cunke-bench-") as folder:
        folder = Path(folder)
        sqlite = measure("sqlite", f"sqlite:///{folder / 'uploads.sqlite3'}", folder, photos, args.workers)
        with scratch_postgres() if args.postgresql else nullcontext(None) as postgres_url:
            postgres = measure("postgresql", postgres_url, folder, photos, args.workers) if postgres_url else None
    ok = report("SQLite", sqlite)
    ok = report("PostgreSQL", postgres) and ok
    print(f"task_uploads: {'target met' if ok else 'TARGET MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
