"""The county's bundled catalog in courses/: its shape, as the workshops need it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lms.content.parser import ITEM_FILE, load_catalog

ROOT = Path(__file__).resolve().parents[2] / "courses"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT)


def test_eight_courses_cover_both_tracks_every_specialty_and_both_levels(catalog):
    shape = Counter((c.track, c.specialty, c.level) for c in catalog.courses)
    expected = {(track, specialty, level)
                for track, specialty in [("entrepreneurship", None), ("employment", "customer-service"),
                                         ("employment", "photography"), ("employment", "page-design")]
                for level in ("intro", "intermediate")}
    assert len(catalog.courses) == 8
    assert set(shape) == expected and set(shape.values()) == {1}


def test_every_intermediate_course_requires_its_intro(catalog):
    by_group = {(c.track, c.specialty, c.level): c for c in catalog.courses}
    for (track, specialty, level), course in by_group.items():
        intro = by_group[(track, specialty, "intro")]
        assert course.requires == ([intro.slug] if level == "intermediate" else [])


def test_chinese_is_the_main_language_and_every_file_has_an_english_twin(catalog):
    for course in catalog.courses:
        assert course.language == "zh"
        folder = ROOT / course.slug
        for path in folder.glob("*.md"):
            if ".en." in path.name:
                continue
            assert path.with_name(path.name.replace(".md", ".en.md")).exists(), path
        assert set(course.titles) == {"zh", "en"}
        for item in course.items:
            assert set(item.titles) == {"zh", "en"} and set(item.bodies) == {"zh", "en"}, item.source


def test_lessons_and_quizzes_are_the_right_size(catalog):
    for course in catalog.courses:
        lessons = [i for i in course.items if i.kind == "lesson"]
        quizzes = [i for i in course.items if i.kind == "quiz"]
        assert 5 <= len(lessons) <= 8, course.slug
        assert all(5 <= lesson.minutes <= 15 for lesson in lessons), course.slug
        assert len(quizzes) >= 2, course.slug
        total_hours = sum(lesson.minutes for lesson in lessons) / 60
        assert total_hours <= course.hours <= 3 * max(1, round(total_hours + 0.5)), course.slug
        for quiz in quizzes:
            pool = quiz.questions["zh"]
            assert len(pool) >= 8, quiz.source
            assert quiz.draw is None or quiz.draw <= len(pool), quiz.source
            if quiz.draw and quiz.draw < len(pool):
                assert quiz.shuffle, quiz.source
            assert all(q["feedback"] for q in pool), quiz.source


def test_every_question_kind_is_used_somewhere(catalog):
    kinds = {q["kind"] for c in catalog.courses for i in c.items if i.kind == "quiz" for q in i.questions["zh"]}
    assert kinds == {"single", "multiple", "true_false", "numeric", "short"}


def test_lesson_length_suits_a_phone(catalog):
    for course in catalog.courses:
        for path in (ROOT / course.slug).glob("*.md"):
            match = ITEM_FILE.match(path.name)
            if not match or match["quiz"] or match["lang"]:
                continue
            body = path.read_text(encoding="utf-8").split("---", 2)[2]
            chinese = sum(1 for ch in body if "\u4e00" <= ch <= "\u9fff")
            assert 500 <= chinese <= 1700, f"{path}: {chinese} Chinese characters"


def test_illustrations_are_small_svgs_with_alt_text(catalog):
    for course in catalog.courses:
        svgs = [m for m in course.media if m.mimetype == "image/svg+xml"]
        assert len(svgs) >= 2, course.slug
        assert all(len(m.content) < 30 * 1024 for m in course.media), course.slug
        for item in course.items:
            for html in item.bodies.values():
                assert 'alt=""' not in html, item.source
