"""A workshop that requires attendance holds back its courses' certificates until the share is met."""

from __future__ import annotations

from datetime import timedelta

from lms.attendance.models import AttendanceSession
from lms.attendance.requirement import attendance_short
from lms.certificates.rendering import document_from
from lms.extensions import db
from tests.attendance.conftest import NINE_AM
from tests.certificates.conftest import certificate_of, complete_course
from tests.cohorts.factories import make_cohort


def test_a_trainee_below_the_threshold_gets_no_certificate_until_the_mark_is_corrected(client, auth, make_user,
                                                                                       courses):
    instructor, trainee = make_user("instructor"), make_user(name="吕振鸿")
    course = courses["shop-basics"]
    cohort = make_cohort(courses=[course], instructors=[instructor], members=[trainee])
    session = AttendanceSession(cohort_id=cohort.id, starts_at=NINE_AM, ends_at=NINE_AM + timedelta(hours=2),
                                credited_minutes=150)
    db.session.add(session)
    db.session.commit()
    auth.login(instructor)
    assert client.post(f"/workshops/{cohort.id}/attendance/requirement", data={"percent": "80"}).status_code == 302
    client.post(f"/sessions/{session.id}/roll-call/{trainee.id}", data={"status": "absent"})

    assert complete_course(trainee, course) is None  # completed, but attended 0 of 1 session
    client.post(f"/sessions/{session.id}/roll-call/{trainee.id}", data={"status": "present"})
    certificate = certificate_of(trainee, course)
    assert certificate is not None and certificate.attended_hours == 2.5
    assert document_from(certificate, "https://x.example/v/1", "Asia/Shanghai").attended_hours == "2.5"


def test_a_workshop_without_a_requirement_or_without_sessions_holds_nothing_back(make_user, courses):
    trainee = make_user()
    course = courses["shop-basics"]
    make_cohort(courses=[course], members=[trainee]).attendance_required_percent = 80
    db.session.commit()
    assert not attendance_short(trainee.id, course.id, NINE_AM)  # no session held yet
    certificate = complete_course(trainee, course)
    assert certificate is not None and certificate.attended_hours is None


def test_removing_the_requirement_issues_the_certificates_it_held_back(client, auth, make_user, courses):
    instructor, trainee = make_user("instructor"), make_user()
    course = courses["shop-basics"]
    cohort = make_cohort(courses=[course], instructors=[instructor], members=[trainee])
    cohort.attendance_required_percent = 80
    db.session.add(AttendanceSession(cohort_id=cohort.id, starts_at=NINE_AM, ends_at=NINE_AM + timedelta(hours=2)))
    db.session.commit()
    assert complete_course(trainee, course) is None
    auth.login(instructor)
    assert client.post(f"/workshops/{cohort.id}/attendance/requirement", data={"percent": "101"}).status_code == 400
    client.post(f"/workshops/{cohort.id}/attendance/requirement", data={"percent": ""})
    assert certificate_of(trainee, course) is not None
