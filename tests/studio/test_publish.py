"""Publishing from the browser: the same code as `courses sync`, all or nothing, every version kept."""

from __future__ import annotations

import html

from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.content.models import Course, CourseItem
from lms.content.ordering import learning_order
from lms.content.parser import load_catalog
from lms.content.sync import sync_catalog
from lms.content.versions import CourseVersion
from lms.extensions import db
from lms.learning.models import ItemProgress
from lms.learning.progress import enrol, find_course, find_item, finish_lesson
from lms.studio.models import CourseDraft
from tests.conftest import COURSES
from tests.studio.conftest import BROKEN_QUIZ, PACK_LESSON, make_zip, pack_files, save_file, upload

LESSON = "01-choose-product.md"
EDITED_LESSON = "---\ntitle: 改过的标题\nminutes: 10\n---\n新的课文。\n"


def version_id(slug: str, number: int) -> int:
    return db.session.scalar(select(CourseVersion.id).where(CourseVersion.course_slug == slug,
                                                            CourseVersion.number == number))


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def versions(slug: str) -> list[tuple[int, str, int | None]]:
    return db.session.execute(
        select(CourseVersion.number, CourseVersion.source, CourseVersion.created_by_id)
        .where(CourseVersion.course_slug == slug).order_by(CourseVersion.number)
    ).tuples().all()


def test_publishing_an_uploaded_course_puts_it_in_the_catalog_as_version_1(uploaded, instructor, trainee, auth):
    client = uploaded
    response = client.post("/studio/pack-and-ship/publish", data={"note": "第一版"})
    assert response.status_code == 302
    assert "Published as version 1. Trainees see it now." in page_text(client.get("/studio/pack-and-ship/"))

    course = find_course("pack-and-ship")
    assert [i.slug for i in course.items] == ["packing", "packing-check"]
    version = db.session.scalar(select(CourseVersion).where(CourseVersion.course_slug == "pack-and-ship"))
    assert (version.number, version.source, version.created_by_id) == (1, "browser", instructor.id)
    assert version.note == "第一版"
    assert version.content_hash == course.content_hash
    assert db.session.scalar(select(func.count(CourseDraft.id))) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "studio.published"))
    assert (event.actor_id, event.target_id, event.details["version"]) == (instructor.id, course.id, 1)
    auth.logout()
    assert "打包和发货" in client.get("/").get_data(as_text=True)


def test_draft_edits_are_invisible_to_trainees_until_published(client, signed_in, admin, trainee, courses):
    signed_in(admin)
    assert save_file(client, "shop-basics", "02-margin.md", EDITED_LESSON).status_code == 302
    signed_in(trainee)
    client.post("/courses/shop-basics/enrol")
    lesson = client.get("/courses/shop-basics/margin").get_data(as_text=True)
    assert "算清每一单的利润" in lesson and "改过的标题" not in lesson

    signed_in(admin)
    assert client.post("/studio/shop-basics/publish").status_code == 302
    signed_in(trainee)
    lesson = client.get("/courses/shop-basics/margin").get_data(as_text=True)
    assert "改过的标题" in lesson and "新的课文。" in lesson


def test_publishing_keeps_trainees_progress_by_item_slug(client, signed_in, admin, trainee, courses):
    course = courses["shop-basics"]
    enrol(trainee, course)
    finish_lesson(trainee, find_item(course, "choose-product"))
    db.session.commit()
    before_ids = dict(db.session.execute(select(CourseItem.slug, CourseItem.id)
                                         .where(CourseItem.course_id == course.id)).tuples().all())

    signed_in(admin)
    # Renumber the lesson (01 -> 05) and edit it: the item is the same, by its slug.
    files = client.get("/studio/shop-basics/versions/1.zip").data
    assert files[:2] == b"PK"
    client.post("/studio/shop-basics/files/delete", data={"path": LESSON})
    client.post("/studio/shop-basics/files/delete", data={"path": "01-choose-product.en.md"})
    client.post("/studio/shop-basics/files/new", data={"name": "05-choose-product.md"})
    save_file(client, "shop-basics", "05-choose-product.md", EDITED_LESSON)
    assert client.post("/studio/shop-basics/publish").status_code == 302

    db.session.expire_all()
    course = find_course("shop-basics")
    assert [i.slug for i in course.items] == ["margin", "basics-check", "choose-product"]
    moved = find_item(course, "choose-product")
    assert moved.id == before_ids["choose-product"]
    assert db.session.scalar(select(ItemProgress.completed_at).where(
        ItemProgress.user_id == trainee.id, ItemProgress.item_id == moved.id)) is not None
    assert versions("shop-basics") == [(1, "files", None), (2, "browser", admin.id)]


def test_rollback_publishes_the_earlier_files_again_as_a_new_version(client, signed_in, admin, courses):
    signed_in(admin)
    original_hash = find_course("shop-basics").content_hash
    save_file(client, "shop-basics", LESSON, EDITED_LESSON)
    client.post("/studio/shop-basics/publish")
    assert find_item(find_course("shop-basics"), "choose-product").title("zh") == "改过的标题"

    response = client.post(f"/studio/shop-basics/versions/{version_id('shop-basics', 1)}/rollback")
    assert response.status_code == 302
    db.session.expire_all()
    course = find_course("shop-basics")
    assert find_item(course, "choose-product").title("zh") == "选一个好卖的商品"
    assert course.content_hash == original_hash
    assert versions("shop-basics") == [(1, "files", None), (2, "browser", admin.id), (3, "rollback", admin.id)]
    assert db.session.scalar(select(CourseVersion.restored_from).where(CourseVersion.number == 3,
                                                                       CourseVersion.course_slug == "shop-basics")) == 1
    assert "Version 1 is published again, as version 3." in page_text(client.get("/studio/shop-basics/"))
    # Rolling back to what trainees already see changes nothing.
    client.post(f"/studio/shop-basics/versions/{version_id('shop-basics', 1)}/rollback")
    assert len(versions("shop-basics")) == 3


def test_only_authors_and_administrators_publish(client, signed_in, instructor, other_instructor, admin, trainee,
                                                 courses):
    signed_in(instructor)
    upload(client, make_zip(pack_files()))
    for outsider, status in ((other_instructor, 404), (trainee, 403)):
        signed_in(outsider)
        assert client.post("/studio/pack-and-ship/publish").status_code == status
        assert client.get("/studio/pack-and-ship/").status_code == status
        assert client.post("/studio/shop-basics/publish").status_code == status
    assert find_course("pack-and-ship") is None

    signed_in(admin)
    assert client.post("/studio/pack-and-ship/publish").status_code == 302
    assert find_course("pack-and-ship") is not None


def test_an_administrator_makes_an_instructor_author_of_a_catalog_course(client, signed_in, instructor, admin,
                                                                        courses):
    signed_in(instructor)
    assert client.get("/studio/shop-basics/").status_code == 404
    assert client.get("/studio/shop-basics/authors").status_code == 403

    signed_in(admin)
    response = client.post("/studio/shop-basics/authors", data={"phone": instructor.phone})
    assert response.status_code == 302
    assert "王老师" in page_text(client.get("/studio/shop-basics/authors"))
    unknown = client.post("/studio/shop-basics/authors", data={"phone": "13700000000"})
    assert unknown.status_code == 400 and "No account has this phone number." in page_text(unknown)

    signed_in(instructor)
    assert client.get("/studio/shop-basics/").status_code == 200
    save_file(client, "shop-basics", LESSON, EDITED_LESSON)
    assert client.post("/studio/shop-basics/publish").status_code == 302
    assert find_item(find_course("shop-basics"), "choose-product").title("zh") == "改过的标题"

    signed_in(admin)
    client.post(f"/studio/shop-basics/authors/{instructor.id}/remove")
    signed_in(instructor)
    assert client.get("/studio/shop-basics/").status_code == 404


def test_a_course_with_mistakes_is_not_published_and_nothing_changes(client, signed_in, admin, courses):
    signed_in(admin)
    before = find_course("shop-basics").content_hash
    save_file(client, "shop-basics", "03-basics-check.quiz.md", BROKEN_QUIZ)
    response = client.post("/studio/shop-basics/publish", follow_redirects=True)
    assert "The course has problems, so nothing was published." in page_text(response)
    db.session.expire_all()
    assert find_course("shop-basics").content_hash == before
    assert len(versions("shop-basics")) == 1
    assert db.session.scalar(select(func.count(CourseDraft.id))) == 1  # the draft is kept to be fixed


def test_prerequisites_must_name_published_courses_and_not_go_round_in_a_circle(client, signed_in, admin, courses):
    signed_in(admin)
    basics = (COURSES / "shop-basics" / "course.md").read_text(encoding="utf-8")
    save_file(client, "shop-basics", "course.md", basics.replace("requires: []", "requires: [no-such-course]"))
    page = page_text(client.get("/studio/shop-basics/"))
    assert "shop-basics/course.md:8</code>:</span></a> prerequisite 'no-such-course' names no course" in page

    save_file(client, "shop-basics", "course.md", basics.replace("requires: []", "requires: [shop-growth]"))
    page = page_text(client.get("/studio/shop-basics/"))
    assert "prerequisite cycle: shop-basics -> shop-growth -> shop-basics" in page
    client.post("/studio/shop-basics/publish")
    assert find_course("shop-basics").requires == []


def test_publishing_one_course_leaves_the_others_alone(uploaded, courses):
    """Only the new course's place in learning order may move the others' positions."""
    client = uploaded
    before = db.session.execute(select(Course.slug, Course.content_hash, Course.synced_at)
                                .order_by(Course.slug)).all()
    client.post("/studio/pack-and-ship/publish")
    after = db.session.execute(select(Course.slug, Course.content_hash, Course.synced_at)
                               .where(Course.slug != "pack-and-ship").order_by(Course.slug)).all()
    assert after == before
    in_order = list(db.session.scalars(select(Course).order_by(Course.position)))
    assert in_order == learning_order(in_order) and find_course("pack-and-ship") in in_order


# ---------------------------------------------------------------- both ways in


def test_courses_sync_records_a_version_per_changed_course(runner, app):
    assert runner.invoke(args=["courses", "sync"]).exit_code == 0
    assert versions("shop-basics") == [(1, "files", None)]
    # Where it came from is its source, worded in the reader's language; the note is for an author's words.
    assert db.session.scalar(select(CourseVersion.note).where(CourseVersion.course_slug == "shop-basics")) == ""
    assert runner.invoke(args=["courses", "sync"]).exit_code == 0
    assert db.session.scalar(select(func.count(CourseVersion.id))) == 2  # unchanged files: no new versions


def test_sync_keeps_a_browser_edit_while_the_folder_is_unchanged_and_takes_the_folder_when_it_changes(
        client, signed_in, admin, courses, tmp_path):
    signed_in(admin)
    save_file(client, "shop-basics", LESSON, EDITED_LESSON)
    client.post("/studio/shop-basics/publish")

    report = sync_catalog(load_catalog(COURSES))
    db.session.commit()
    assert "shop-basics" in report.unchanged
    assert find_item(find_course("shop-basics"), "choose-product").title("zh") == "改过的标题"

    import shutil

    folder = tmp_path / "courses"
    shutil.copytree(COURSES, folder)
    lesson = folder / "shop-basics" / "02-margin.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n文件里改的。\n", encoding="utf-8")
    report = sync_catalog(load_catalog(folder))
    db.session.commit()
    assert "shop-basics" in report.updated
    assert find_item(find_course("shop-basics"), "choose-product").title("zh") == "选一个好卖的商品"
    assert [v[1] for v in versions("shop-basics")] == ["files", "browser", "files"]


def test_sync_does_not_withdraw_a_course_published_from_the_browser(uploaded, courses):
    uploaded.post("/studio/pack-and-ship/publish")
    report = sync_catalog(load_catalog(COURSES))
    db.session.commit()
    assert report.withdrawn == []
    assert find_course("pack-and-ship") is not None


def test_an_unchanged_draft_publishes_nothing_new(client, signed_in, admin, courses):
    signed_in(admin)
    original = (COURSES / "shop-basics" / "02-margin.md").read_text(encoding="utf-8")
    save_file(client, "shop-basics", "02-margin.md", original)
    response = client.post("/studio/shop-basics/publish", follow_redirects=True)
    assert "Nothing changed: the draft was the same as the published course." in page_text(response)
    assert len(versions("shop-basics")) == 1


def test_a_lesson_of_the_uploaded_course_keeps_its_text(uploaded):
    uploaded.post("/studio/pack-and-ship/publish")
    item = find_item(find_course("pack-and-ship"), "packing")
    assert "气泡膜" in item.body_html["zh"] and PACK_LESSON.count("---") == 2
