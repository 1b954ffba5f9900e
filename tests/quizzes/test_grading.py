"""Grading is a pure function of the question and the answer, and never trusts the browser."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.quizzes.grading import (
    QuestionResult,
    draw_layout,
    grade_attempt,
    grade_question,
    parse_number,
    read_number,
)

SINGLE = {"kind": "single", "options": ["a", "b", "c"], "correct": [1]}
MULTIPLE = {"kind": "multiple", "options": ["a", "b", "c", "d"], "correct": [0, 2]}
NUMERIC = {"kind": "numeric", "value": 20.0, "tolerance": 0.5}
SHORT = {"kind": "short", "accepted": ["旺旺", "Wangwang"]}
TRUTH = {"kind": "true_false", "truth": False}
IN_JIN = {"kind": "numeric", "value": 240.0, "tolerance": 0.0, "unit": "斤"}
IN_MINUTES = {"kind": "numeric", "value": 3.0, "tolerance": 0.0, "unit": "minutes"}
IN_ORDERS = {"kind": "numeric", "value": 51.0, "tolerance": 0.0, "unit": "单"}
IN_PEOPLE = {"kind": "numeric", "value": 10.0, "tolerance": 0.0, "unit": "人"}


@pytest.mark.parametrize(("question", "answer", "credit"), [
    (SINGLE, "1", 1.0), (SINGLE, "0", 0.0), (SINGLE, None, 0.0), (SINGLE, "7", 0.0), (SINGLE, "x", 0.0),
    (MULTIPLE, ["0", "2"], 1.0), (MULTIPLE, ["0"], 0.0), (MULTIPLE, ["0", "1", "2"], 0.0), (MULTIPLE, [], 0.0),
    (NUMERIC, "20", 1.0), (NUMERIC, "20.4", 1.0), (NUMERIC, "19.5", 1.0), (NUMERIC, "21", 0.0),
    (NUMERIC, "２０", 1.0), (NUMERIC, "20元", 1.0), (NUMERIC, "abc", 0.0), (NUMERIC, "nan", 0.0),
    (SHORT, "旺旺", 1.0), (SHORT, " wangWANG ", 1.0), (SHORT, "ＷＡＮＧＷＡＮＧ", 1.0), (SHORT, "微信", 0.0),
    (SHORT, "", 0.0), (TRUTH, "false", 1.0), (TRUTH, "true", 0.0), (TRUTH, "maybe", 0.0),
])
def test_each_kind_of_question(question, answer, credit):
    assert grade_question(question, answer).credit == credit


@pytest.mark.parametrize("typed", ["240", "240斤", "240 斤", "２４０斤", "２４０　斤", "240 jin", "240 JIN"])
def test_a_number_in_its_unit_is_right_typed_alone_or_with_the_unit(typed):
    assert grade_question(IN_JIN, typed) == QuestionResult(credit=1.0, given=typed)


@pytest.mark.parametrize(("question", "typed"), [
    (IN_MINUTES, "3 minutes"), (IN_MINUTES, "3 minute"), (IN_MINUTES, "3分钟"), (IN_MINUTES, "3 min"),
    (IN_ORDERS, "51单"), (IN_ORDERS, "51 个"),  # a count in 单 may be typed with the general measure word
    (IN_PEOPLE, "10个人"), (IN_PEOPLE, "10位"), (IN_PEOPLE, "10 people"), (IN_PEOPLE, "10个"),
])
def test_other_ways_of_writing_the_same_unit_count(question, typed):
    assert grade_question(question, typed).credit == 1.0


@pytest.mark.parametrize(("question", "typed", "answer_in"), [
    (IN_JIN, "120公斤", "斤"), (IN_JIN, "240 kg", "斤"), (IN_JIN, "240元", "斤"),
    (IN_MINUTES, "3 hours", "minutes"), (IN_MINUTES, "3小时", "minutes"), (IN_ORDERS, "51件", "单"),
])
def test_an_answer_in_a_different_unit_is_wrong_and_says_which_unit_to_use(question, typed, answer_in):
    result = grade_question(question, typed)
    assert result.credit == 0.0 and result.answer_in == answer_in
    assert result.stored() == {"credit": 0.0, "given": typed, "answer_in": answer_in}


@pytest.mark.parametrize("typed", ["250斤", "240斤左右", "两百四十斤", ""])
def test_a_wrong_number_or_unreadable_text_is_a_plain_wrong(typed):
    result = grade_question(IN_JIN, typed)
    assert result.credit == 0.0 and result.answer_in is None and "answer_in" not in result.stored()


@pytest.mark.parametrize(("typed", "credit"), [("20元", 1.0), ("20块", 1.0), ("20 %", 1.0), ("¥20", 1.0),
                                               ("20斤", 0.0)])
def test_a_number_without_a_unit_still_takes_yuan_and_percent(typed, credit):
    result = grade_question(NUMERIC, typed)
    assert result.credit == credit and result.answer_in is None


def test_partial_credit_for_multiple_choice_when_the_quiz_allows_it():
    assert grade_question(MULTIPLE, ["0"], partial_credit=True).credit == 0.5
    assert grade_question(MULTIPLE, ["0", "1"], partial_credit=True).credit == 0.0  # a wrong pick cancels a right one
    assert grade_question(MULTIPLE, ["0", "2"], partial_credit=True).credit == 1.0


@pytest.mark.parametrize(("typed", "value"), [
    ("1,800", 1800.0), ("1,800.5", 1800.5), ("12,345,678", 12345678.0), ("2,5", 2.5), ("-3", -3.0),
    ("¥120", 120.0), ("15%", 15.0), ("１，８００", 1800.0), ("", None), ("1e309", None),
])
def test_typed_numbers(typed, value):
    assert parse_number(typed) == value


@pytest.mark.parametrize(("typed", "read"), [
    ("240斤", (240.0, "斤")), ("２４０ 斤", (240.0, "斤")), ("1,800 元", (1800.0, "元")), ("1.4m", (1.4, "m")),
    ("¥120", (120.0, "¥")), ("3 working days", (3.0, "workingdays")), ("斤240", (None, "")), ("1e309", (None, "")),
])
def test_a_typed_number_is_read_with_the_unit_after_it(typed, read):
    assert read_number(typed) == read


def test_an_attempt_is_scored_over_the_questions_it_asked():
    questions = [SINGLE, MULTIPLE, NUMERIC, SHORT, TRUTH]
    layout = [{"q": 4, "options": None}, {"q": 0, "options": [2, 0, 1]}]
    grade = grade_attempt(questions, layout, {"0": "false", "1": "0"}, pass_mark=50)
    assert grade.score == 50.0 and grade.passed
    assert [r.correct for r in grade.results] == [True, False]


def test_draw_and_shuffle_pick_a_stable_subset_per_attempt():
    layout = draw_layout(10, [3] * 10, draw=4, shuffle=True, rng=random.Random(7))
    assert len(layout) == 4 and len({entry["q"] for entry in layout}) == 4
    assert all(sorted(entry["options"]) == [0, 1, 2] for entry in layout)
    assert layout == draw_layout(10, [3] * 10, draw=4, shuffle=True, rng=random.Random(7))
    unshuffled = draw_layout(3, [0, 2, 0], draw=None, shuffle=False, rng=random.Random(1))
    assert unshuffled == [{"q": 0, "options": None}, {"q": 1, "options": [0, 1]}, {"q": 2, "options": None}]


answers = st.one_of(st.none(), st.text(max_size=50), st.lists(st.text(max_size=5), max_size=6),
                    st.integers().map(str), st.floats(allow_nan=True).map(str))


@given(answer=answers)
def test_any_answer_grades_without_error(answer):
    for question in (SINGLE, MULTIPLE, NUMERIC, SHORT, TRUTH, IN_JIN, IN_MINUTES):
        assert 0.0 <= grade_question(question, answer, partial_credit=True).credit <= 1.0
