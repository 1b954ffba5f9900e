"""Any version downloads as a ZIP that `flask courses check` accepts, and uploads again unchanged."""

from __future__ import annotations

import io
import shutil
import zipfile

from sqlalchemy import select

from lms.content.models import Course
from lms.extensions import db
from tests.conftest import COURSES
from tests.studio.conftest import upload


def unzip(data: bytes, target):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(target)
    return target


def test_a_downloaded_version_passes_courses_check_on_its_own(client, signed_in, admin, runner, courses, tmp_path):
    signed_in(admin)
    response = client.get("/studio/shop-basics/versions/1.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert 'filename="shop-basics-v1.zip"' in response.headers["Content-Disposition"]
    folder = unzip(response.data, tmp_path / "download")
    assert sorted(p.name for p in folder.iterdir()) == ["shop-basics", "tracks.yml"]
    result = runner.invoke(args=["courses", "check", str(folder)])
    assert result.exit_code == 0, result.output
    assert "OK: 1 courses, 3 lessons and quizzes" in result.output


def test_a_course_with_prerequisites_passes_courses_check_beside_them(client, signed_in, admin, runner, courses,
                                                                      tmp_path):
    signed_in(admin)
    catalog = tmp_path / "courses"
    shutil.copytree(COURSES, catalog)
    shutil.rmtree(catalog / "shop-growth")
    with zipfile.ZipFile(io.BytesIO(client.get("/studio/shop-growth/versions/1.zip").data)) as archive:
        archive.extractall(catalog, members=[n for n in archive.namelist() if n.startswith("shop-growth/")])
    result = runner.invoke(args=["courses", "check", str(catalog)])
    assert result.exit_code == 0, result.output


def test_a_downloaded_course_uploads_again_with_the_same_content(client, signed_in, admin, courses):
    signed_in(admin)
    data = client.get("/studio/shop-basics/versions/1.zip").data
    assert upload(client, data, filename="shop-basics-v1.zip").status_code == 302
    response = client.post("/studio/shop-basics/publish", follow_redirects=True)
    assert "Nothing changed" in response.get_data(as_text=True)
    hash_now = db.session.scalar(select(Course.content_hash).where(Course.slug == "shop-basics"))
    assert hash_now == courses["shop-basics"].content_hash


def test_the_draft_downloads_too(uploaded):
    response = uploaded.get("/studio/pack-and-ship/draft.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert "pack-and-ship/course.md" in archive.namelist()
