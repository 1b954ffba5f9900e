"""`flask ...` speaks the language of the shell (LC_ALL, LC_MESSAGES, LANG), Chinese when none is set.

County administrators run these commands; the course checker's `path:line:` stays as it is in every language.
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


@pytest.mark.parametrize(("args", "chinese"), [
    (["courses", "check", str(COURSES)], f"OK：{COURSES} 里有 2 门课程，共 4 个课和小测。"),
    (["courses", "sync"], "新增 2 门，更新 0 门，没变 0 门，撤下 0 门。"),
    (["courses", "check", "/no/such/folder"], "找不到课程文件夹：/no/such/folder"),
    (["accounts", "demo"], "演示账号（只显示这一次，请记下来）："),
    (["accounts", "create", "--phone", "13900001111", "--name", "王", "--password", "short"],
     "密码不能用：密码至少要 8 个字符。"),
    (["certificates", "issue-missing"], "已颁发 0 张证书。"),
    (["certificates", "render-pending"], "请把 LMS_PUBLIC_URL 设为网站地址"),
    (["export", "completions", "-o", "-", "--course", "no-such-course"], "没有课程代码为 no-such-course 的课程。"),
    (["dev", "seed", "--trainees", "2", "--cohorts", "3"], "培训班不能比学员多。"),
])
def test_an_administrators_commands_speak_chinese(runner, args, chinese):
    result = runner.invoke(args=args, env=CHINESE)
    assert chinese in result.output, result.output


def test_the_backup_commands_speak_chinese(runner, tmp_path, app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the SQLite backup's wording; pg_dump is tested in tests/production")
    target = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["db", "backup", str(target)], env=CHINESE)
    assert result.exit_code == 0, result.output
    assert f"已备份到 {target}" in result.output and "完整性检查通过" in result.output
    again = runner.invoke(args=["db", "backup", str(target)], env=CHINESE)
    assert f"{target} 已经存在（要替换它，请加上 --force）。" in again.output
