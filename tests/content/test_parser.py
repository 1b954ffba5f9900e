"""The course format: what parses, and every mistake reported as path:line: message."""

from __future__ import annotations

import textwrap

import pytest

from lms.content.parser import load_catalog, parse_course, parse_tracks
from lms.content.problems import CourseValidationError
from tests.conftest import COURSES

TRACKS, _ = parse_tracks((COURSES / "tracks.yml").read_text(encoding="utf-8"))

COURSE_MD = """\
---
title: 开店基础
summary: 从注册到第一单。
track: entrepreneurship
level: intro
language: zh
hours: 2
---
欢迎。
"""
LESSON_MD = """\
---
title: 第一课
minutes: 10
---
正文。
"""


def dedent(text: str) -> bytes:
    return textwrap.dedent(text).encode()


def parse(files: dict[str, str], slug: str = "demo"):
    encoded = {"course.md": COURSE_MD.encode(), **{k: dedent(v) for k, v in files.items()}}
    return parse_course(slug, encoded, TRACKS)


def messages(files: dict[str, str], slug: str = "demo") -> list[str]:
    return [str(p) for p in parse(files, slug)[1]]


def quiz(body: str, matter: str = "title: 小测") -> str:
    return f"---\n{matter}\n---\n{textwrap.dedent(body)}"


# ---------------------------------------------------------------- what parses


def test_fixture_catalog_loads_with_tracks_courses_and_translations():
    catalog = load_catalog(COURSES)
    assert [t.slug for t in catalog.tracks] == ["entrepreneurship", "employment"]
    assert [s.slug for s in catalog.tracks[1].specialties] == ["customer-service", "photography", "page-design"]
    basics = next(c for c in catalog.courses if c.slug == "shop-basics")
    assert basics.titles == {"zh": "开店基础", "en": "Shop basics"}
    assert [i.slug for i in basics.items] == ["choose-product", "margin", "basics-check"]
    assert basics.items[0].titles == {"zh": "选一个好卖的商品", "en": "Choose a product that sells"}
    assert "en" not in basics.items[1].bodies  # margin has no translation: it falls back later


def test_every_question_kind_is_recognised():
    course, problems = parse({"01-check.quiz.md": quiz("""
        ## 注册要钱吗？
        - [ ] 要
        - [x] 不要
        > 注册免费。

        ## 哪些会影响排名？
        - [x] 关键词
        - [x] 评价
        - [ ] 年龄

        ## 毛利多少元？
        = 20 ± 0.5

        ## 聊天工具叫什么？
        = 旺旺 | Wangwang

        ## 差评不能回复。
        = false

        ## 精确数字
        = 3
    """)})
    assert problems == []
    questions = course.items[0].questions["zh"]
    assert [q["kind"] for q in questions] == ["single", "multiple", "numeric", "short", "true_false", "numeric"]
    assert questions[0]["correct"] == [1] and "注册免费" in questions[0]["feedback"]
    assert questions[1]["correct"] == [0, 1]
    assert (questions[2]["value"], questions[2]["tolerance"]) == (20.0, 0.5)
    assert questions[3]["accepted"] == ["旺旺", "Wangwang"]
    assert questions[4]["truth"] is False
    assert (questions[5]["value"], questions[5]["tolerance"]) == (3.0, 0.0)


def test_a_numeric_answer_may_name_its_unit_after_the_number():
    course, problems = parse({"01-check.quiz.md": quiz("""
        ## 这筐柿子多重？
        = 240 斤

        ## 柜子多高？
        = 1.4 ± 0.05 米

        ## 几天内可以退？
        = 7天

        ## 毛利率？
        = 25%

        ## How long may a buyer wait?
        = 3 minutes

        ## 网络
        = 5G

        ## 比例
        = 1:1 | 1比1
    """)})
    assert problems == []
    questions = course.items[0].questions["zh"]
    numeric = [(q["value"], q["tolerance"], q["unit"]) for q in questions[:5]]
    assert numeric == [(240.0, 0.0, "斤"), (1.4, 0.05, "米"), (7.0, 0.0, "天"), (25.0, 0.0, "%"),
                       (3.0, 0.0, "minutes")]
    assert [q["kind"] for q in questions[5:]] == ["short", "short"]  # a number glued to other text is no unit


def test_a_number_without_a_unit_stores_none():
    course, _ = parse({"01-check.quiz.md": quiz("## 几单？\n= 12\n")})
    assert "unit" not in course.items[0].questions["zh"][0]


def test_a_translation_names_the_same_unit_in_its_own_words():
    main = quiz("## 多重？\n= 240 斤\n\n## 多久？\n= 3 分钟\n\n## 几单？\n= 51 单\n")
    course, problems = parse({"01-q.quiz.md": main, "01-q.quiz.en.md": quiz(
        "## Weight?\n= 240 jin\n\n## How long?\n= 3 minutes\n\n## Orders?\n= 51 orders\n", "title: Quiz")})
    assert problems == []
    assert [q["unit"] for q in course.items[0].questions["en"]] == ["jin", "minutes", "orders"]

    problems = messages({"01-q.quiz.md": main, "01-q.quiz.en.md": quiz(
        "## Weight?\n= 240 kg\n\n## How long?\n= 3\n\n## Orders?\n= 51 orders\n", "title: Quiz")})
    assert "demo/01-q.quiz.en.md:4: question 1 is in 'kg' here but in '斤' in the main file" in problems
    assert any(p.startswith("demo/01-q.quiz.en.md:7: question 2 is in '分钟' in the main file: name the unit")
               for p in problems), problems


def test_quiz_settings_come_from_front_matter():
    body = "## a\n= 1\n## b\n= 2\n## c\n= 3\n"
    course, problems = parse({"01-q.quiz.md": quiz(
        body, "title: 小测\npass_mark: 60\nattempts: 3\nshuffle: true\ndraw: 2\npartial_credit: true")})
    assert problems == []
    item = course.items[0]
    assert (item.pass_mark, item.attempts, item.shuffle, item.draw, item.partial_credit) == (60, 3, True, 2, True)


def test_items_are_ordered_by_number_and_identified_without_prefix_or_language():
    course, problems = parse({"10-later.md": LESSON_MD, "02-first.md": LESSON_MD, "02-first.en.md":
                              "---\ntitle: First\n---\nBody.\n"})
    assert problems == []
    assert [(i.slug, i.number) for i in course.items] == [("first", 2), ("later", 10)]
    assert course.items[0].titles == {"zh": "第一课", "en": "First"}


def test_media_images_get_size_lazy_loading_and_a_cache_busting_digest():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="150" viewBox="0 0 300 150"/>'
    course, problems = parse({"01-a.md": LESSON_MD + "\n![货架](media/shelf.svg)\n", "media/shelf.svg": svg})
    assert problems == []
    html = course.items[0].bodies["zh"]
    assert 'width="300"' in html and 'height="150"' in html and 'loading="lazy"' in html
    assert 'src="media/shelf.svg?v=' in html


# ---------------------------------------------------------------- what is refused, and where


@pytest.mark.parametrize(
    ("course_md", "expected"),
    [
        (COURSE_MD.replace("level: intro\n", "level: intro\ncolour: red\n"),
         "demo/course.md:6: unknown key 'colour'"),
        (COURSE_MD.replace("track: entrepreneurship", "track: farming"),
         "demo/course.md:4: 'track' is 'farming', expected one of: entrepreneurship | employment"),
        (COURSE_MD.replace("level: intro", "level: expert"),
         "demo/course.md:5: 'level' is 'expert', expected one of: intro | intermediate"),
        (COURSE_MD.replace("title: 开店基础\n", ""), "demo/course.md:1: missing required key 'title'"),
        (COURSE_MD.replace("track: entrepreneurship", "track: employment"),
         "demo/course.md:1: missing required key 'specialty'"),
        (COURSE_MD.replace("track: entrepreneurship", "track: employment\nspecialty: cooking"),
         "demo/course.md:5: 'specialty' is 'cooking', expected one of: customer-service | photography | page-design"),
        (COURSE_MD.replace("hours: 2", "hours: lots"), "demo/course.md:7: 'hours' must be a positive number"),
        (COURSE_MD.replace("summary: 从注册到第一单。", "summary: [broken"),
         "demo/course.md:3: broken YAML in front matter"),
        (COURSE_MD.replace("hours: 2", "hours: 2\npass_mark: 120"),
         "demo/course.md:8: 'pass_mark' must be a whole number between 0 and 100"),
        ("no front matter here\n", "demo/course.md:1: file must start with a front matter block"),
    ],
)
def test_course_front_matter_mistakes_name_their_line(course_md, expected):
    problems = [str(p) for p in parse_course("demo", {"course.md": course_md.encode(),
                                                      "01-a.md": LESSON_MD.encode()}, TRACKS)[1]]
    assert any(p.startswith(expected) for p in problems), problems


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("## 注册要钱吗？\n- [ ] 要\n- [ ] 不要\n", "demo/01-q.quiz.md:4: question has no correct answer"),
        ("## 注册要钱吗？\n- [y] 要\n- [x] 不要\n", "demo/01-q.quiz.md:5: cannot read answer option"),
        ("## 毛利？\n= 20 ± abc\n", "demo/01-q.quiz.md:5: cannot read numeric answer"),
        ("## 多重？\n= 240 斤 ± 5\n", "demo/01-q.quiz.md:5: cannot read numeric answer '= 240 斤 ± 5': "
                                     "write the unit after the tolerance"),
        ("## 多重？\n= 240 斤 | 120 公斤\n", "demo/01-q.quiz.md:5: '= 240 斤 | 120 公斤' gives several numbers"),
        ("## 多久？\n= 7 days after the parcel arrives\n",
         "demo/01-q.quiz.md:5: the unit 'days after the parcel arrives' is too long"),
        ("## 毛利？\n", "demo/01-q.quiz.md:4: question has no answer"),
        ("## 毛利？\n=\n", "demo/01-q.quiz.md:5: answer line '=' is empty"),
        ("## 工具？\n= 旺旺 | \n", "demo/01-q.quiz.md:5: short answer has an empty alternative"),
        ("## 注册要钱吗？\n- [x] 要\n= 20\n", "demo/01-q.quiz.md:6: a question has either options"),
        ("## 注册要钱吗？\n- [x] 只有一个\n", "demo/01-q.quiz.md:4: a choice question needs at least two options"),
        ("## 毛利？\n= 20\n> 反馈\n多余的文字\n", "demo/01-q.quiz.md:7: unexpected text after the answers"),
        ("说明文字\n", "demo/01-q.quiz.md:4: quiz has no questions"),
        ("# 毛利？\n= 20\n", "demo/01-q.quiz.md:4: questions start with '## '"),
    ],
)
def test_quiz_mistakes_name_their_line(body, expected):
    problems = messages({"01-q.quiz.md": f"---\ntitle: 小测\n---\n{body}"})
    assert any(p.startswith(expected) for p in problems), problems


def test_draw_larger_than_the_pool_is_refused():
    problems = messages({"01-q.quiz.md": "---\ntitle: 小测\ndraw: 5\n---\n## a\n= 1\n"})
    assert "demo/01-q.quiz.md:3: 'draw' is 5 but the quiz has only 1 questions" in problems


def test_duplicate_item_slugs_and_numbers_are_refused():
    problems = messages({"01-intro.md": LESSON_MD, "02-intro.quiz.md": "---\ntitle: q\n---\n## a\n= 1\n",
                         "03-other.md": LESSON_MD, "03-more.md": LESSON_MD})
    assert any("duplicate item slug 'intro'" in p for p in problems), problems
    assert any("number 03 is used twice" in p for p in problems), problems


def test_lesson_mistakes_missing_minutes_and_media():
    problems = messages({"01-a.md": "---\ntitle: 第一课\n---\n正文\n\n![图](media/missing.svg)\n"})
    assert "demo/01-a.md:1: missing required key 'minutes'" in problems
    assert "demo/01-a.md:6: missing media file 'media/missing.svg'" in problems


def test_images_from_outside_the_course_are_refused():
    problems = messages({"01-a.md": LESSON_MD + "![x](https://cdn.example.com/a.png)\n"})
    expected = "demo/01-a.md:6: image 'https://cdn.example.com/a.png' comes from outside"
    assert any(p.startswith(expected) for p in problems)


def test_unsafe_svg_is_refused_with_its_line():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1">\n<script>alert(1)</script>\n</svg>'
    problems = messages({"01-a.md": LESSON_MD, "media/bad.svg": svg})
    assert "demo/media/bad.svg:2: SVG may not contain <script>" in problems


def test_translation_problems():
    problems = messages({
        "01-a.md": LESSON_MD,
        "01-a.en.md": "---\ntitle: A\nminutes: 5\n---\nBody\n",
        "02-ghost.en.md": "---\ntitle: Ghost\n---\n",
        "03-q.quiz.md": "---\ntitle: 小测\n---\n## 一\n- [x] 对\n- [ ] 错\n",
        "03-q.quiz.en.md": "---\ntitle: Quiz\n---\n## One\n- [ ] right\n- [x] wrong\n",
    })
    assert "demo/01-a.en.md:3: 'minutes' belongs in the main-language file, not in a translation" in problems
    assert any(p.startswith("demo/02-ghost.en.md:1: translation has no main file") for p in problems)
    assert "demo/03-q.quiz.en.md:4: question 1 must have the same options marked [x] as in the main file" in problems


def test_file_names_and_stray_files():
    problems = messages({"01-a.md": LESSON_MD, "lesson one.md": LESSON_MD, "notes.txt": "x"})
    assert any(p.startswith("demo/lesson one.md:1: file name not understood") for p in problems)
    assert any(p.startswith("demo/notes.txt:1: unexpected file") for p in problems)


def test_course_without_course_md():
    course, problems = parse_course("demo", {"01-a.md": LESSON_MD.encode()}, TRACKS)
    assert course is None
    assert [str(p) for p in problems] == ["demo/course.md:1: missing course.md"]


def test_prerequisite_that_names_no_course_and_cycles(tmp_path):
    root = tmp_path / "courses"
    root.mkdir()
    (root / "tracks.yml").write_text((COURSES / "tracks.yml").read_text(encoding="utf-8"), encoding="utf-8")
    for slug, requires in {"a": "[b]", "b": "[a]", "c": "[nowhere]"}.items():
        (root / slug).mkdir()
        (root / slug / "course.md").write_text(COURSE_MD.replace("hours: 2", f"hours: 2\nrequires: {requires}"),
                                               encoding="utf-8")
        (root / slug / "01-a.md").write_text(LESSON_MD, encoding="utf-8")
    with pytest.raises(CourseValidationError) as caught:
        load_catalog(root)
    problems = [str(p) for p in caught.value.problems]
    assert "c/course.md:8: prerequisite 'nowhere' names no course" in problems
    assert "a/course.md:8: prerequisite cycle: a -> b -> a" in problems


def test_broken_tracks_file_is_reported_with_its_line():
    tracks, problems = parse_tracks("tracks:\n  - slug: Bad Slug\n    name: {zh: 坏}\n")
    assert [str(p) for p in problems] == [
        "tracks.yml:2: track slug 'Bad Slug' must use only a-z, 0-9 and '-'",
        "tracks.yml:2: track 'Bad Slug' needs a name in zh and en: name: {zh: ..., en: ...}",
    ]


def test_non_utf8_file_is_reported():
    course, problems = parse_course("demo", {"course.md": COURSE_MD.encode(),
                                             "01-a.md": "---\ntitle: 开店\n".encode("gbk") + b"\n"}, TRACKS)
    assert any(str(p).startswith("demo/01-a.md:2: file is not UTF-8 text") for p in problems)
