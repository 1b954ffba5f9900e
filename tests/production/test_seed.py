"""`flask dev seed`: generated workshops whose records obey every rule the application keeps."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.cohorts.dashboard import build_grid
from lms.cohorts.models import Cohort, CohortMember, cohort_course, cohort_instructor
from lms.content.models import Course, CourseItem
from lms.extensions import db
from lms.learning.models import Enrolment, ItemProgress
from lms.learning.progress import is_course_complete
from lms.operations.seed import SEED_PASSWORD
from lms.quizzes.attempts import pass_mark_for
from lms.quizzes.models import QuizAttempt


def seed(runner, *args: str):
    result = runner.invoke(args=["dev", "seed", *args])
    assert result.exit_code == 0, result.output
    return result


def test_seeding_builds_workshops_that_follow_the_rules(runner, client, courses):
    result = seed(runner, "--trainees", "240", "--cohorts", "4")
    assert "Generated 240 trainees" in result.output and SEED_PASSWORD in result.output

    trainees = db.session.scalars(select(User).where(User.role == "trainee")).all()
    assert len(trainees) == 240 and all(u.phone.startswith("199") and len(u.phone) == 11 for u in trainees)
    assert len({u.phone for u in trainees}) == 240
    assert db.session.scalar(select(func.count(Cohort.id))) == 4
    memberships = Counter(db.session.scalars(select(CohortMember.user_id)))
    assert set(memberships.values()) == {1} and len(memberships) == 240
    instructors = set(db.session.scalars(select(cohort_instructor.c.user_id)))
    assert instructors and {db.session.get(User, i).role for i in instructors} == {"instructor"}

    enrolments = db.session.scalars(select(Enrolment)).all()
    assert len(enrolments) > 200 and any(e.completed_at for e in enrolments) and any(not e.completed_at
                                                                                   for e in enrolments)
    workshop_courses = {(cohort_id, course_id) for cohort_id, course_id in db.session.execute(select(cohort_course))}
    cohort_of = {m.user_id: m.cohort_id for m in db.session.scalars(select(CohortMember))}
    by_slug = {c.slug: c for c in db.session.scalars(select(Course))}
    completed = {(e.user_id, e.course_id) for e in enrolments if e.completed_at}
    for enrolment in enrolments:
        assert (cohort_of[enrolment.user_id], enrolment.course_id) in workshop_courses
        course = db.session.get(Course, enrolment.course_id)
        for required in course.requires:  # nobody is enrolled past a locked door
            assert (enrolment.user_id, by_slug[required].id) in completed
        assert bool(enrolment.completed_at) == is_course_complete(enrolment.user, course)
        assert enrolment.enrolled_at <= enrolment.last_activity_at

    for attempt in db.session.scalars(select(QuizAttempt).where(QuizAttempt.submitted_at.is_not(None))):
        assert attempt.passed == (attempt.score >= pass_mark_for(attempt.item))
        assert attempt.started_at <= attempt.submitted_at
    for progress in db.session.scalars(select(ItemProgress).join(CourseItem).where(CourseItem.kind == "quiz")):
        best = db.session.scalar(select(func.max(QuizAttempt.score)).where(
            QuizAttempt.user_id == progress.user_id, QuizAttempt.item_id == progress.item_id))
        assert progress.best_score == best
    if "certificate" in db.metadata.tables:
        certificates = db.session.execute(select(db.metadata.tables["certificate"].c.user_id,
                                                 db.metadata.tables["certificate"].c.course_id)).all()
        assert {tuple(row) for row in certificates} == completed  # every completion has its certificate

    grid = build_grid(db.session.get(Cohort, cohort_of[trainees[0].id]))  # the instructors' dashboard reads it
    assert len(grid.rows) == 60 and grid.columns

    response = client.post("/login", data={"phone": trainees[0].phone, "password": SEED_PASSWORD})
    assert response.status_code == 302  # generated accounts sign in with the documented password


def test_seeding_again_adds_more_without_collisions(runner, courses):
    seed(runner, "--trainees", "30", "--cohorts", "2")
    seed(runner, "--trainees", "30", "--cohorts", "2", "--seed", "7")
    phones = list(db.session.scalars(select(User.phone).where(User.role == "trainee")))
    assert len(phones) == len(set(phones)) == 60
    codes = list(db.session.scalars(select(Cohort.join_code)))
    assert len(codes) == len(set(codes)) == 4


def test_seeding_syncs_the_courses_when_there_are_none(runner, app):
    result = seed(runner, "--trainees", "5", "--cohorts", "1")
    assert "Synced the courses" in result.output
    assert db.session.scalar(select(func.count(Course.id))) == 2


def test_seeding_asks_before_adding_to_a_database_with_real_accounts(runner, make_user, courses):
    make_user()
    result = runner.invoke(args=["dev", "seed", "--trainees", "5", "--cohorts", "1"], input="n\n")
    assert result.exit_code != 0 and "not generated" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 1
    seed(runner, "--trainees", "5", "--cohorts", "1", "--yes")
    assert db.session.scalar(select(func.count(User.id))) == 7  # 5 trainees and their instructor


def test_seeding_refuses_more_workshops_than_trainees(runner, courses):
    result = runner.invoke(args=["dev", "seed", "--trainees", "3", "--cohorts", "5"])
    assert result.exit_code != 0 and "--cohorts" in result.output
