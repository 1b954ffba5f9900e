"""The county's bundled catalog in courses/: its shape, as the workshops need it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms.content import units
from lms.content.parser import ITEM_FILE, load_catalog
from lms.quizzes.grading import grade_question

ROOT = Path(__file__).resolve().parents[2] / "courses"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT)


# The catalog's shape: (track, specialty, level, requires) of every bundled course.
SHAPE = {
    "open-your-shop": ("entrepreneurship", None, "intro", []),
    "sell-farm-produce": ("entrepreneurship", None, "intro", ["open-your-shop"]),
    "grow-your-shop": ("entrepreneurship", None, "intermediate", ["open-your-shop"]),
    "choose-your-channels": ("entrepreneurship", None, "intermediate", ["open-your-shop"]),
    "invoices-tax-and-help": ("entrepreneurship", None, "intermediate", ["open-your-shop"]),
    "live-selling": ("entrepreneurship", None, "intermediate", ["open-your-shop", "live-streaming-basics"]),
    "customer-service-basics": ("employment", "customer-service", "intro", []),
    "after-sales-and-reputation": ("employment", "customer-service", "intermediate", ["customer-service-basics"]),
    "phone-product-photos": ("employment", "photography", "intro", []),
    "light-detail-lifestyle": ("employment", "photography", "intermediate", ["phone-product-photos"]),
    "product-pages-that-sell": ("employment", "page-design", "intro", []),
    "shop-visual-identity": ("employment", "page-design", "intermediate", ["product-pages-that-sell"]),
    "live-streaming-basics": ("employment", "live-streaming", "intro", []),
}


def test_the_catalog_has_each_course_with_its_track_level_and_prerequisites(catalog):
    shape = {c.slug: (c.track, c.specialty, c.level, c.requires) for c in catalog.courses}
    assert shape == SHAPE


def test_every_specialty_has_an_intro_and_every_intermediate_course_needs_its_own_intro(catalog):
    intros = {(c.track, c.specialty) for c in catalog.courses if c.level == "intro" and not c.requires}
    specialties = {(t.slug, s.slug) for t in catalog.tracks for s in t.specialties}
    assert specialties | {("entrepreneurship", None)} <= intros
    by_slug = {c.slug: c for c in catalog.courses}
    for course in catalog.courses:
        needed = [by_slug[slug] for slug in course.requires]
        if course.level == "intermediate":
            assert any((r.track, r.specialty, r.level) == (course.track, course.specialty, "intro") for r in needed)
        assert all(r.level == "intro" for r in needed), course.slug  # nothing waits on an intermediate course


def test_each_course_ends_with_the_dated_laws_and_rules_it_relies_on():
    """Next year's instructor re-checks what a course relies on: the list closes course.md, with its date."""
    for slug in ("sell-farm-produce", "live-streaming-basics", "live-selling", "choose-your-channels",
                 "invoices-tax-and-help"):
        for name in ("course.md", "course.en.md"):
            text = (ROOT / slug / name).read_text(encoding="utf-8")
            last_heading = text.rsplit("\n## ", 1)[-1]
            assert re.search(r"20\d\d", last_heading.split("\n", 1)[0] + last_heading[:400]), (slug, name)
            assert last_heading.count("\n- ") >= 3, (slug, name)


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


def test_the_photo_course_ends_with_a_practical_task_judged_by_the_same_rubric_in_both_languages(catalog):
    """Tasks are the third kind of item; so far one bundled course has one, judged by an instructor."""
    tasks = {(c.slug, i.slug): i for c in catalog.courses for i in c.items if i.kind == "task"}
    assert list(tasks) == [("phone-product-photos", "light-a-bamboo-basket")]
    task = tasks["phone-product-photos", "light-a-bamboo-basket"]
    settings = (task.task["photos"], task.task["text"], task.task["review"], task.task["pass"])
    assert settings == (2, True, "instructor", 2)
    zh, en = task.rubric["zh"], task.rubric["en"]
    assert [len(c["levels"]) for c in zh] == [len(c["levels"]) for c in en] == [3, 3, 3]
    assert [level["name"] for level in zh[0]["levels"]] == ["需要重做", "合格", "很好"]
    assert [level["name"] for level in en[0]["levels"]] == ["Try again", "Good enough", "Very good"]


def test_every_question_kind_is_used_somewhere(catalog):
    kinds = {q["kind"] for c in catalog.courses for i in c.items if i.kind == "quiz" for q in i.questions["zh"]}
    assert kinds == {"single", "multiple", "true_false", "numeric", "short"}


def test_lesson_length_suits_a_phone(catalog):
    for course in catalog.courses:
        for path in (ROOT / course.slug).glob("*.md"):
            match = ITEM_FILE.match(path.name)
            if not match or match["kind"] or match["lang"]:
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


def numeric_questions(catalog, language="zh"):
    return [(item.source, q) for c in catalog.courses for item in c.items if item.kind == "quiz"
            for q in item.questions[language] if q["kind"] == "numeric"]


_UNIT_WORDS = "斤|公斤|千克|克|厘米|米|天|小时|分钟|秒|元|%|单|把|件|人|位|像素|字符|张|次|箱"


def units_the_question_speaks_of(question: dict) -> set[str]:
    """The units a question's own words give its answer: "多少斤", "百分之几", or the answer followed
    by a unit in the feedback ("120 × 2 = 240 斤")."""
    prompt, feedback = question["prompt"], question["feedback"]
    value = re.escape(f"{question['value']:g}")
    said = set(re.findall(rf"(?:多少|几)个?({_UNIT_WORDS})", prompt))
    said |= set(re.findall(rf"(?<![\d.]){value}\s*个?({_UNIT_WORDS})(?![\d])", feedback))
    if "百分之几" in prompt:
        said.add("%")
    return {units.canonical(word) for word in said}


def test_every_numeric_question_names_the_unit_its_words_give_it(catalog):
    for source, question in numeric_questions(catalog):
        said = units_the_question_speaks_of(question)
        if said:
            assert question.get("unit"), f"{source}:{question['line']} speaks of {said} but names no unit"
            assert units.canonical(question["unit"]) in said, f"{source}:{question['line']}"
    with_unit = [q for _, q in numeric_questions(catalog) if q.get("unit")]
    assert len(with_unit) >= 30  # all but the ratios (投产比), which have none


def test_the_english_twins_name_the_same_units(catalog):
    for (source, zh), (_, en) in zip(numeric_questions(catalog), numeric_questions(catalog, "en"), strict=True):
        assert bool(zh.get("unit")) == bool(en.get("unit")), f"{source}:{zh['line']}"
        if zh.get("unit") and units.canonical(en["unit"]):
            assert units.canonical(en["unit"]) == units.canonical(zh["unit"]), f"{source}:{zh['line']}"


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else "\u3000" if ch == " " else ch for ch in text)


def test_every_bundled_answer_is_right_typed_with_its_unit_or_without(catalog):
    for language in ("zh", "en"):
        for source, question in numeric_questions(catalog, language):
            number, unit = f"{question['value']:g}", question.get("unit", "")
            for typed in {number, f"{number}{unit}", f"{number} {unit}", full_width(f"{number}{unit}")}:
                assert grade_question(question, typed).correct, f"{source}:{question['line']}: {typed!r}"


def test_the_jin_question_takes_jin_typed_any_way_and_names_jin_for_kilograms(catalog):
    chat = next(c for c in catalog.courses if c.slug == "customer-service-basics")
    quiz = next(i for i in chat.items if i.slug == "quiz-chat-basics")
    zh, en = (next(q for q in quiz.questions[lang] if q.get("unit") in ("斤", "jin")) for lang in ("zh", "en"))
    assert all(grade_question(zh, typed).correct for typed in ("２４０斤", "240 斤", "240斤", "240", "240 jin"))
    assert grade_question(en, "240 jin").correct and grade_question(en, "240斤").correct
    wrong = grade_question(zh, "120公斤")
    assert not wrong.correct and wrong.answer_in == "斤"


@pytest.mark.parametrize(("course", "quiz", "typed"), [
    ("customer-service-basics", "final-quiz", "交班单"), ("customer-service-basics", "final-quiz", "交接"),
    ("customer-service-basics", "quiz-chat-basics", "千牛App"), ("grow-your-shop", "final-check", "设置自动回复"),
    ("shop-visual-identity", "quiz-final", "VI"), ("shop-visual-identity", "quiz-final", "vi手册"),
    ("shop-visual-identity", "quiz-brand-basics", "色码"), ("light-detail-lifestyle", "final-check", "使用图"),
    ("light-detail-lifestyle", "final-check", "场景照片"),
])
def test_short_answers_a_trainee_would_naturally_type_count(catalog, course, quiz, typed):
    item = next(i for c in catalog.courses if c.slug == course for i in c.items if i.slug == quiz)
    assert any(grade_question(q, typed).correct for q in item.questions["zh"] if q["kind"] == "short")
