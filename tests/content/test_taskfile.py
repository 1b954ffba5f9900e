"""Practical task files (`NN-slug.task.md`): settings, instructions and rubric, and every mistake at its line."""

from __future__ import annotations

from tests.content.test_parser import messages, parse

TASK = """\
---
title: 窗光下拍竹篮
photos: 2
photo_min_px: 800
text: true
text_min: 20
review: peer
reviewers: 2
pass: 2
---
把竹篮放在窗边。

## 评分标准

### 光线
光从哪里来。
- 需要重做: 一边很暗。
- 合格: 侧面窗光。
- 很好: 柔和有立体感。

### 背景
- 需要重做：有杂物。
- 合格：白纸。
"""

TASK_EN = """\
---
title: Light a basket
---
Put the basket by the window.

## Criteria

### Light
- Try again: one side dark.
- Good enough: side light.
- Very good: soft, with depth.

### Background
- Try again: clutter.
- Good enough: white paper.
"""


def test_a_task_parses_into_settings_instructions_and_a_rubric_per_language():
    course, problems = parse({"01-basket.task.md": TASK, "01-basket.task.en.md": TASK_EN})
    assert problems == []
    item = course.items[0]
    assert item.kind == "task"
    assert item.task == {"photos": 2, "photo_min_px": 800, "text": True, "text_min": 20, "link": False,
                         "review": "peer", "reviewers": 2, "pass": 2}
    assert "把竹篮放在窗边" in item.bodies["zh"] and "评分标准" not in item.bodies["zh"]
    light, background = item.rubric["zh"]
    assert light["title"] == "光线" and "光从哪里来" in light["about"]
    assert [level["name"] for level in light["levels"]] == ["需要重做", "合格", "很好"]
    assert [level["name"] for level in background["levels"]] == ["需要重做", "合格"]  # a full-width colon too
    assert [c["title"] for c in item.rubric["en"]] == ["Light", "Background"]


def test_a_task_without_a_rubric_or_anything_to_send_is_pointed_at():
    assert messages({"01-t.task.md": "---\ntitle: t\n---\n做这个。\n"}) == [
        "demo/01-t.task.md:1: a task asks for something to send: add 'photos: 1' (up to 6), 'text: true' or "
        "'link: true'",
        "demo/01-t.task.md:4: task has no criteria: add a section '## 评分标准' (or '## Criteria') with one '### ' "
        "per criterion",
    ]


def test_rubric_mistakes_are_reported_at_their_lines():
    text = """\
    ---
    title: t
    photos: 7
    reviewers: 2
    ---
    ## Criteria
    stray words
    ### Light
    - only one level
    ### Frame
    - a: b
    - c: d
    words after the levels
    ## More
    """
    assert messages({"01-t.task.md": text}) == [
        "demo/01-t.task.md:3: 'photos' must be a whole number between 1 and 6",
        "demo/01-t.task.md:4: 'reviewers' is for 'review: peer' only",
        "demo/01-t.task.md:7: text before the first criterion: start it with '### '",
        "demo/01-t.task.md:9: cannot read this level: write '- name: what the work looks like'",
        "demo/01-t.task.md:8: a criterion needs at least two levels, lowest first: '- 需要重做: ...' '- 合格: ...'",
        "demo/01-t.task.md:13: unexpected text after the levels: put a criterion's description before them",
        "demo/01-t.task.md:14: the criteria section must be the last part of the file",
    ]


def test_the_pass_level_must_exist_in_every_criterion():
    assert messages({"01-basket.task.md": TASK.replace("pass: 2", "pass: 3")}) == [
        "demo/01-basket.task.md:9: 'pass' is 3 but a criterion has only 2 levels",
    ]


def test_a_translation_scores_the_same_rubric():
    short = TASK_EN.replace("- Good enough: white paper.\n", "")
    assert messages({"01-basket.task.md": TASK, "01-basket.task.en.md": short}) == [
        "demo/01-basket.task.en.md:13: a criterion needs at least two levels, lowest first: '- 需要重做: ...' "
        "'- 合格: ...'",
        "demo/01-basket.task.en.md:4: criterion 2 has 1 levels here, 2 in the main file",
    ]
    assert messages({"01-basket.task.en.md": TASK_EN, "01-lesson.md": "---\ntitle: a\nminutes: 3\n---\n"}) == [
        "demo/01-basket.task.en.md:1: translation has no main file: expected a task 'basket' without '.en'",
    ]
