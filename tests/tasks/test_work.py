"""Sending work for a task and having it reviewed: versions, feedback, completion and the certificate."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate
from lms.content.parser import Catalog, parse_course
from lms.content.sync import sync_catalog
from lms.extensions import db
from lms.learning.models import Enrolment
from lms.learning.progress import enrol, find_course
from lms.tasks.models import TaskPhoto, TaskSubmission
from tests.cohorts.factories import make_cohort
from tests.conftest import error_next_to
from tests.content.test_parser import COURSE_MD, TRACKS
from tests.content.test_taskfile import TASK
from tests.learning.test_lesson_pages import signed_in_client

PAGE = "/courses/basket-course/basket"
SEND = PAGE + "/work"
INSTRUCTOR_TASK = TASK.replace("review: peer\nreviewers: 2\n", "review: instructor\n")


def jpeg(width: int = 3000, height: int = 2000, seed: int = 1) -> bytes:
    """A phone-sized photo with camera data that still compresses small (the test client spools large parts)."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image.paste((seed * 40 % 256, 90, 30), (0, 0, width // 4, height // 4))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


@pytest.fixture
def workshop(app, make_user):
    files = {"course.md": COURSE_MD.encode(), "01-basket.task.md": INSTRUCTOR_TASK.encode()}
    parsed, problems = parse_course("basket-course", files, TRACKS)
    assert problems == []
    sync_catalog(Catalog(tracks=TRACKS, courses=[parsed]), withdraw_missing=False)
    db.session.commit()
    course = find_course("basket-course")
    trainee, instructor = make_user("trainee", name="吕振鸿"), make_user("instructor", name="何老师")
    cohort = make_cohort(courses=[course], instructors=[instructor], members=[trainee])
    enrol(trainee, course)
    db.session.commit()
    return {"course": course, "trainee": trainee, "instructor": instructor, "cohort": cohort}


def send(client, photos=(), text="篮子放在窗边的白纸上，光从左边来，右边用白泡沫板补光。", **extra):
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get(PAGE).get_data(as_text=True))
    data = {"csrf_token": token, "text": text, "photos": [(io.BytesIO(p), f"IMG_{n}.jpg") for n, p in
                                                          enumerate(photos)], **extra}
    return client.post(SEND, data=data, content_type="multipart/form-data")


def review(client, submission_id: int, levels: list[int], comment: str):
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get(f"/reviews/{submission_id}").get_data(as_text=True))
    data = {"csrf_token": token, "comment": comment, **{f"level-{n}": level for n, level in enumerate(levels, 1)}}
    return client.post(f"/reviews/{submission_id}", data=data)


def test_photos_are_made_small_without_camera_data_and_stored_once(app, workshop):
    client = signed_in_client(app, workshop["trainee"])
    same = jpeg()
    response = send(client, [same, same])
    assert response.status_code == 303
    submission = db.session.scalar(select(TaskSubmission))
    assert submission.version == 1 and submission.status == "waiting" and len(submission.photos) == 2
    assert db.session.scalar(select(func.count()).select_from(TaskPhoto)) == 1  # the same photo twice: one copy
    photo = client.get(f"/work/{submission.id}/photos/1")
    assert photo.headers["Content-Security-Policy"] == "sandbox"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(photo.data)) as image:
        assert image.format == "JPEG" and max(image.size) == 1600 and not image.getexif()


@pytest.mark.parametrize(("photos", "field", "words"), [
    ([b"MZ\x90\x00 not a photo at all"] * 2, "photos", "is not a photo"),
    ([jpeg(seed=1)], "photos", "Send 2 photos; you chose 1."),
    ([jpeg(600, 400, 1), jpeg(600, 400, 2)], "photos", "the shorter side needs at least 800 pixels"),
])
def test_bad_photos_get_a_clear_message_next_to_the_field_and_the_text_is_kept(app, workshop, photos, field, words):
    client = signed_in_client(app, workshop["trainee"])
    client.set_cookie("lang", "en")
    response = send(client, photos, text="我的说明文字写在这里，足够长。")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert words in error_next_to(page, field)
    assert "我的说明文字写在这里，足够长。" in page
    assert db.session.scalar(select(func.count()).select_from(TaskSubmission)) == 0


def test_try_again_then_a_second_version_passes_and_completes_the_course_with_a_certificate(app, workshop):
    trainee_client = signed_in_client(app, workshop["trainee"])
    instructor_client = signed_in_client(app, workshop["instructor"])
    send(trainee_client, [jpeg(seed=1), jpeg(seed=2)])
    first = db.session.scalar(select(TaskSubmission))
    grid = f"/workshops/{workshop['cohort'].id}/progress"
    assert 'class="cell cell-task-waiting"' in instructor_client.get(grid).get_data(as_text=True)
    queue = instructor_client.get(f"/workshops/{workshop['cohort'].id}/reviews").get_data(as_text=True)
    assert "吕振鸿" in queue and f"/reviews/{first.id}" in queue

    assert review(instructor_client, first.id, [1, 2], "篮子右边太暗，加一张白纸补光。").status_code == 303
    assert ">↺</td>" in instructor_client.get(grid).get_data(as_text=True)
    page = trainee_client.get(PAGE).get_data(as_text=True)
    assert "Try again" in page or "需要重做" in page
    assert "篮子右边太暗，加一张白纸补光。" in page
    assert workshop["course"].id and db.session.scalar(select(Enrolment.completed_at)) is None

    assert send(trainee_client, [jpeg(seed=3), jpeg(seed=4)]).status_code == 303
    second = db.session.scalar(select(TaskSubmission).where(TaskSubmission.version == 2))
    assert review(instructor_client, second.id, [2, 2], "很好，光线均匀。").status_code == 303
    db.session.expire_all()
    assert 'class="cell cell-done">✓</td>' in instructor_client.get(grid).get_data(as_text=True)
    assert db.session.scalar(select(Enrolment.completed_at)) is not None
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert [v.status for v in db.session.scalars(select(TaskSubmission).order_by(TaskSubmission.version))] == [
        "again", "passed"]
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "task.reviewed")))
    assert len(actions) == 2


def test_only_the_trainee_and_their_workshops_instructors_see_the_work(app, workshop, make_user):
    send(signed_in_client(app, workshop["trainee"]), [jpeg(seed=1), jpeg(seed=2)])
    submission = db.session.scalar(select(TaskSubmission))
    outsider = make_user("instructor", name="别班老师")
    make_cohort(name="南岭村班", instructors=[outsider])
    classmate = make_user("trainee", name="张秀兰")
    for user in (outsider, classmate):
        client = signed_in_client(app, user)
        assert client.get(f"/work/{submission.id}/photos/1").status_code == 404
        assert client.get(f"/reviews/{submission.id}").status_code in (403, 404)
    outsider_client = signed_in_client(app, outsider)
    assert outsider_client.get(f"/workshops/{workshop['cohort'].id}/reviews").status_code == 404
    assert review(outsider_client, submission.id, [2, 2], "x").status_code == 404
    assert outsider_client.get("/reviews").status_code == 403
    admin = signed_in_client(app, make_user("admin"))
    assert f"/reviews/{submission.id}" in admin.get("/reviews").get_data(as_text=True)
    assert admin.get(f"/work/{submission.id}/photos/2").status_code == 200
    assert admin.get(f"/reviews/{submission.id}").status_code == 200


def test_a_task_under_review_is_not_marked_done_by_hand(app, workshop):
    from tests.conftest import csrf_token_from

    client = signed_in_client(app, workshop["trainee"])
    token = csrf_token_from(client.get(PAGE).get_data(as_text=True))
    client.post(PAGE + "/finish", data={"csrf_token": token})
    assert db.session.scalar(select(Enrolment.completed_at)) is None
