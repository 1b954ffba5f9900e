"""Chinese first, English on request, remembered; every interface string translated."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "lms" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def test_chinese_is_the_default_and_the_page_language_is_declared(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-Hans"' in html and "学开网店" in html


def test_accept_language_decides_a_first_visit(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en"' in html and "Learn to sell online" in html


def test_the_chosen_language_is_remembered_in_a_cookie(client):
    response = client.post("/language", data={"language": "en", "next": "/my"})
    assert response.status_code == 302 and response.headers["Location"] == "/my"
    assert "lang=en" in response.headers["Set-Cookie"]
    assert "Learn to sell online" in client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_a_signed_in_users_language_follows_them(client, auth, trainee):
    auth.login(trainee)
    client.post("/language", data={"language": "en", "next": "/"})
    client.delete_cookie("lang")
    assert "Learn to sell online" in client.get("/").get_data(as_text=True)


def test_the_language_switch_refuses_foreign_redirects(client):
    response = client.post("/language", data={"language": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_each_language_is_one_locale_for_every_request(app):
    from flask_babel import get_locale

    seen = []
    for _ in range(2):
        with app.test_request_context("/", headers={"Accept-Language": "en-GB,en;q=0.9"}):
            seen.append(get_locale())
    assert str(seen[0]) == "en" and seen[0] is seen[1]  # not parsed again for every page


def test_dates_are_formatted_for_the_locale(app):
    from datetime import UTC, datetime

    from flask_babel import force_locale

    when = datetime(2026, 3, 8, 4, 0, tzinfo=UTC)
    with app.test_request_context():
        date_filter = app.jinja_env.filters["date"]
        with force_locale("zh"):
            assert date_filter(when) == "2026年3月8日"
        with force_locale("en"):
            assert date_filter(when) == "Mar 8, 2026"


def test_every_interface_string_has_a_chinese_translation(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-o", str(template), "--no-location", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with template.open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog if m.id and (m.string if isinstance(m.string, str) else m.string[0])
        and "fuzzy" not in m.flags
    }
    missing = sorted(wanted - translated)
    assert missing == [], f"untranslated (run `make extract-messages` and translate): {missing[:10]}"


def test_a_checkout_without_compiled_catalogs_still_serves_chinese(app, tmp_path, runner):
    """`pip install .` and a plain checkout have only the .po files: Cunke compiles them when it starts."""
    import shutil

    from babel.support import Translations

    from lms.i18n import PACKAGE_TRANSLATIONS, ensure_compiled_catalogs, stale_catalogs

    copy = tmp_path / "translations"
    shutil.copytree(PACKAGE_TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    assert stale_catalogs(copy) == [copy / "zh" / "LC_MESSAGES" / "messages.po"]
    ensure_compiled_catalogs(app, copy)
    assert stale_catalogs(copy) == []
    assert Translations.load(str(copy), ["zh"]).gettext("Sign in") == "登录"
    po = copy / "zh" / "LC_MESSAGES" / "messages.po"
    os.utime(po, (time.time() + 10, time.time() + 10))  # a translation edited since
    assert stale_catalogs(copy) == [po]


def test_the_doctor_names_a_catalog_that_is_not_compiled(app, runner):
    from lms.i18n import PACKAGE_TRANSLATIONS

    po = PACKAGE_TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    saved = mo.read_bytes()
    try:
        mo.unlink()
        result = runner.invoke(args=["doctor"])
        assert "zh translation is not compiled" in result.output and "make translations" in result.output
    finally:
        mo.write_bytes(saved)
        os.utime(mo, (po.stat().st_mtime + 1, po.stat().st_mtime + 1))


HAN = r"[\u4e00-\u9fff]"
# Half-width punctuation touching a Chinese character, after taking out placeholders, URLs and file names.
HALF_WIDTH_NEXT_TO_CHINESE = re.compile(rf"{HAN}[,.;:!?()]|[,;:!?(]{HAN}|\){HAN}")
NOT_PROSE = re.compile(r"%\(\w+\)[sd]|\{\w+\}|https?://\S+|[\w\u4e00-\u9fff.-]+\.(md|csv|yml|svg|png|jpe?g|pdf|xlsx)\b")
# lms/translations/GLOSSARY.md: one word for one thing.
NEVER = {"邀请码": "加入码", "讲师": "老师", "教师": "老师", "学生": "学员", "测验": "小测", "课程短名": "课程代码"}
CODE_ALLOWED = ("课程代码", "错误代码")


def zh_strings():
    with CATALOG.open("rb") as handle:
        for message in read_po(handle):
            if message.id:
                yield from (message.string if isinstance(message.string, tuple | list) else [message.string])


def test_the_chinese_catalog_uses_chinese_punctuation():
    offending = [text for text in zh_strings() if HALF_WIDTH_NEXT_TO_CHINESE.search(NOT_PROSE.sub(" ", text or ""))]
    assert offending == [], "use full-width punctuation next to Chinese (lms/translations/GLOSSARY.md)"


def test_the_chinese_catalog_calls_one_thing_by_one_word():
    for text in zh_strings():
        for wrong, right in NEVER.items():
            assert wrong not in text, f"{text!r}: say {right}, not {wrong}"
        assert "代码" not in re.sub("|".join(CODE_ALLOWED), "", text), f"{text!r}: a join code is 加入码"
