"""Lesson and quiz pages read kept copies of published courses: a sync must reach them at once."""

from __future__ import annotations

from sqlalchemy import update

from lms.content import published
from lms.content.models import Course
from lms.extensions import db
from lms.learning.progress import enrol, find_course
from tests.content.test_sync import copy_catalog


def sync(runner, catalog) -> None:
    result = runner.invoke(args=["courses", "sync", str(catalog)])
    assert result.exit_code == 0, result.output


def signed_in_to_a_copied_catalog(runner, tmp_path, auth, trainee):
    """A catalog the test may edit, synced, with the trainee enrolled in shop-basics and signed in."""
    catalog = copy_catalog(tmp_path)
    sync(runner, catalog)
    enrol(trainee, find_course("shop-basics"))
    db.session.commit()
    auth.login(trainee)
    return catalog


def test_an_edited_lesson_is_shown_on_the_next_page_view(runner, tmp_path, client, auth, trainee):
    catalog = signed_in_to_a_copied_catalog(runner, tmp_path, auth, trainee)
    assert "选一个好卖的商品" in client.get("/courses/shop-basics/choose-product").get_data(as_text=True)

    lesson = catalog / "shop-basics" / "01-choose-product.md"
    edited = lesson.read_text(encoding="utf-8").replace("选一个好卖的商品", "先看邻居卖什么")
    lesson.write_text(edited, encoding="utf-8")
    sync(runner, catalog)

    page = client.get("/courses/shop-basics/choose-product").get_data(as_text=True)
    assert "先看邻居卖什么" in page and "选一个好卖的商品" not in page


def test_a_removed_lesson_and_a_withdrawn_course_are_gone_at_once(runner, tmp_path, client, auth, trainee):
    catalog = signed_in_to_a_copied_catalog(runner, tmp_path, auth, trainee)
    assert client.get("/courses/shop-basics/margin").status_code == 200

    (catalog / "shop-basics" / "02-margin.md").unlink()
    sync(runner, catalog)
    assert client.get("/courses/shop-basics/margin").status_code == 404
    assert client.get("/courses/shop-basics/choose-product").status_code == 200

    db.session.execute(update(Course).where(Course.slug == "shop-basics").values(is_published=False))
    db.session.commit()
    assert client.get("/courses/shop-basics/choose-product").status_code == 404


def test_a_process_keeps_a_bounded_number_of_courses(app, courses, monkeypatch):
    monkeypatch.setattr(published, "CACHED_COURSES", 1)
    first = published.published_course("shop-basics")
    assert published.published_course("shop-basics") is first  # kept: no second read
    published.published_course("shop-growth")
    again = published.published_course("shop-basics")
    assert again is not first  # pushed out by the other course, read again
    assert [item.slug for item in again.items] == [item.slug for item in first.items]
    assert len(app.extensions["lms.published_courses"].courses) == 1
