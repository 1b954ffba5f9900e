"""`flask ...` speaks the language of the shell (LC_ALL, LC_MESSAGES, LANG), Chinese when none is set.

County administrators and instructors run the course checker; its `path:line:` stays as it is in every language.
"""

from __future__ import annotations

import shutil

import pytest

from lms.i18n import cli_language
from tests.conftest import COURSES

CHINESE = {"LANG": "zh_CN.UTF-8"}


@pytest.mark.parametrize(("environ", "language"), [
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "zh_TW.Big5"}, "zh"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "C"}, "en"),
    ({"LANG": "POSIX"}, "en"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"),  # a language Cunke has no words for
    ({"LANG": "C.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh"),  # LC_ALL wins
    ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "C"}, "en"),  # then LC_MESSAGES
    ({"LANG": "zh_CN.UTF-8", "LC_ALL": ""}, "zh"),  # an empty variable is not set
    ({}, "zh"),  # nothing set (cron, a bare systemd unit): the site's default language
])
def test_the_command_line_language_follows_the_shell(app, environ, language):
    assert cli_language(environ) == language


def broken_catalog(tmp_path):
    catalog = tmp_path / "courses"
    shutil.copytree(COURSES, catalog)
    for name in ("03-basics-check.quiz.md", "03-basics-check.quiz.en.md"):  # the first question: no right option
        quiz = catalog / "shop-basics" / name
        quiz.write_text(quiz.read_text(encoding="utf-8").replace("- [x]", "- [ ]", 1), encoding="utf-8")
    return catalog


def test_the_checker_speaks_chinese_under_a_chinese_locale(runner, tmp_path):
    catalog = broken_catalog(tmp_path)
    result = runner.invoke(args=["courses", "check", str(catalog)], env=CHINESE)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "shop-basics/03-basics-check.quiz.md:7: 这道题没有正确答案：至少给一个选项标上 '- [x]'" in lines
    assert "shop-basics/03-basics-check.quiz.en.md:6: 这道题没有正确答案：至少给一个选项标上 '- [x]'" in lines
    assert f"错误：{catalog} 里有 2 个问题，什么都没有改。" in lines
    assert "question has no correct answer" not in result.output and "problem" not in result.output


def test_the_same_check_speaks_english_under_the_c_locale(runner, tmp_path):
    catalog = broken_catalog(tmp_path)
    result = runner.invoke(args=["courses", "check", str(catalog)], env={"LANG": "C.UTF-8"})
    assert ("shop-basics/03-basics-check.quiz.md:7: question has no correct answer: mark at least one option '- [x]'"
            in result.output.splitlines())
    assert f"Error: 2 problems in {catalog}; nothing was changed." in result.output
    assert "这道题" not in result.output


def test_with_no_locale_set_the_checker_speaks_chinese(runner, tmp_path):
    result = runner.invoke(args=["courses", "check", str(broken_catalog(tmp_path))], env={"LANG": None})
    assert "这道题没有正确答案" in result.output


def test_one_test_run_can_switch_languages_between_commands(runner):
    """The language is read when a command starts, not kept from the one before."""
    assert "OK：" in runner.invoke(args=["courses", "check", str(COURSES)], env=CHINESE).output
    assert "OK: 2 courses" in runner.invoke(args=["courses", "check", str(COURSES)], env={"LANG": "C"}).output
