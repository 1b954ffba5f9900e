"""`courses sync`: all or nothing, idempotent, and progress survives edits."""

from __future__ import annotations

import shutil

from sqlalchemy import func, select

from lms.content.models import Course, CourseItem, CourseMedia
from lms.extensions import db
from lms.learning.models import ItemProgress
from lms.learning.progress import enrol, find_course, find_item, finish_lesson
from tests.conftest import COURSES


def copy_catalog(tmp_path):
    target = tmp_path / "courses"
    shutil.copytree(COURSES, target)
    return target


def synced_copy(runner, tmp_path):
    """A copy of the fixture catalog, synced: its files are the test's to edit."""
    catalog = copy_catalog(tmp_path)
    assert runner.invoke(args=["courses", "sync", str(catalog)]).exit_code == 0
    return catalog


def edit(path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def snapshot():
    rows = db.session.execute(select(Course.slug, Course.content_hash, Course.synced_at).order_by(Course.slug))
    items = db.session.execute(select(CourseItem.slug, CourseItem.position, CourseItem.is_active)
                               .order_by(CourseItem.id))
    return list(rows), list(items)


def test_sync_loads_courses_items_media_and_translations(runner, app):
    result = runner.invoke(args=["courses", "sync"])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    basics = find_course("shop-basics")
    assert basics.title("en") == "Shop basics" and basics.title("zh") == "开店基础"
    assert [i.slug for i in basics.items] == ["choose-product", "margin", "basics-check"]
    assert db.session.scalar(select(func.count(CourseMedia.id))) == 1
    assert find_course("shop-growth").requires == ["shop-basics"]


def test_check_reports_ok_with_a_summary(runner):
    result = runner.invoke(args=["courses", "check", str(COURSES)])
    assert result.exit_code == 0
    assert "OK: 2 courses, 4 lessons and quizzes" in result.output


def test_a_broken_file_changes_nothing(runner, tmp_path):
    catalog = synced_copy(runner, tmp_path)
    before = snapshot()

    # A valid edit in one course and a broken quiz in the other: neither may land.
    edit(catalog / "shop-basics" / "01-choose-product.md", "选一个好卖的商品", "改过的标题")
    (catalog / "shop-growth" / "02-check.quiz.md").write_text("---\ntitle: 小测\n---\n## 没有答案的题\n",
                                                              encoding="utf-8")
    result = runner.invoke(args=["courses", "sync", str(catalog)])

    assert result.exit_code != 0
    assert "shop-growth/02-check.quiz.md:4: question has no answer" in result.output
    assert "nothing was changed" in result.output
    db.session.expire_all()
    assert snapshot() == before
    assert find_item(find_course("shop-basics"), "choose-product").title("zh") == "选一个好卖的商品"


def test_a_malformed_unit_is_named_with_its_line_and_changes_nothing(runner, tmp_path):
    catalog = synced_copy(runner, tmp_path)
    before = snapshot()
    edit(catalog / "shop-basics" / "03-basics-check.quiz.md", "= 20 ± 0.5 元", "= 20 元 ± 0.5")

    result = runner.invoke(args=["courses", "check", str(catalog)])
    assert result.exit_code != 0
    assert ("shop-basics/03-basics-check.quiz.md:19: cannot read numeric answer '= 20 元 ± 0.5': "
            "write the unit after the tolerance") in result.output
    assert runner.invoke(args=["courses", "sync", str(catalog)]).exit_code != 0
    db.session.expire_all()
    assert snapshot() == before


def test_a_changed_unit_alone_updates_the_question_at_the_next_sync(runner, tmp_path):
    catalog = synced_copy(runner, tmp_path)
    edit(catalog / "shop-basics" / "03-basics-check.quiz.md", "= 20 ± 0.5 元", "= 20 ± 0.5 块")

    result = runner.invoke(args=["courses", "sync", str(catalog)])
    assert "1 updated" in result.output, result.output
    db.session.expire_all()
    margin = find_item(find_course("shop-basics"), "basics-check").questions["zh"][2]
    assert (margin["value"], margin["unit"]) == (20.0, "块")


def test_syncing_the_same_files_twice_changes_nothing(runner):
    assert runner.invoke(args=["courses", "sync"]).exit_code == 0
    before = snapshot()
    result = runner.invoke(args=["courses", "sync"])
    assert result.exit_code == 0
    assert "0 added, 0 updated, 2 unchanged" in result.output
    db.session.expire_all()
    assert snapshot() == before


def test_progress_survives_renumbering_and_removed_items_keep_their_records(runner, tmp_path, trainee):
    catalog = synced_copy(runner, tmp_path)
    course = find_course("shop-basics")
    enrol(trainee, course)
    finish_lesson(trainee, find_item(course, "choose-product"))
    finish_lesson(trainee, find_item(course, "margin"))
    db.session.commit()

    folder = catalog / "shop-basics"
    (folder / "01-choose-product.md").rename(folder / "05-choose-product.md")
    (folder / "01-choose-product.en.md").rename(folder / "05-choose-product.en.md")
    (folder / "02-margin.md").unlink()
    assert runner.invoke(args=["courses", "sync", str(catalog)]).exit_code == 0
    db.session.expire_all()

    course = find_course("shop-basics")
    assert [i.slug for i in course.items] == ["basics-check", "choose-product"]
    moved = find_item(course, "choose-product")
    assert db.session.scalar(select(ItemProgress.completed_at).where(
        ItemProgress.user_id == trainee.id, ItemProgress.item_id == moved.id)) is not None
    removed = db.session.scalar(select(CourseItem).where(CourseItem.slug == "margin"))
    assert removed.is_active is False
    assert db.session.scalar(select(func.count(ItemProgress.id)).where(ItemProgress.item_id == removed.id)) == 1


def test_a_course_removed_from_the_folder_is_withdrawn_not_deleted(runner, tmp_path):
    catalog = synced_copy(runner, tmp_path)
    shutil.rmtree(catalog / "shop-growth")
    (catalog / "shop-basics" / "course.md").write_text(
        (catalog / "shop-basics" / "course.md").read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(args=["courses", "sync", str(catalog)])
    assert result.exit_code == 0 and "1 withdrawn" in result.output
    assert find_course("shop-growth") is None
    assert db.session.scalar(select(Course.is_published).where(Course.slug == "shop-growth")) is False


def test_missing_folder_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["courses", "check", str(tmp_path / "nowhere")])
    assert result.exit_code != 0
    assert "Course folder not found" in result.output
