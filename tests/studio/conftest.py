"""Studio fixtures: instructors, a valid small course as files, and ZIPs built in memory."""

from __future__ import annotations

import io
import zipfile

import pytest

from lms.extensions import db

PACK_COURSE = """---
title: 打包和发货
summary: 把货包好、按时发出，少破损、少差评。
track: entrepreneurship
level: intro
language: zh
hours: 1
---
订单来了，怎么包、怎么发？这门短课讲清楚。
"""
PACK_LESSON = """---
title: 包得结实又省钱
minutes: 8
---
折叠椅的角最容易把纸箱磨破。先用气泡膜包住四个角，再装箱。
"""
PACK_QUIZ = """---
title: 小测：打包
attempts: 0
---
## 折叠椅哪里最容易把箱子磨破？
- [x] 四个角
- [ ] 椅面中间
> 角是硬的，运输中一直摩擦纸箱，所以先包角。

## 判断：包得越重越好。
= false
> 太重会多花快递费。结实就够了。
"""
# The same quiz with a mistake on line 5: no option is marked right.
BROKEN_QUIZ = PACK_QUIZ.replace("- [x] 四个角", "- [ ] 四个角")


def pack_files(overrides: dict[str, str | bytes | None] | None = None) -> dict[str, bytes]:
    """The small valid course of the authoring guide; overrides replace (or, with None, remove) files."""
    files: dict[str, str | bytes] = {
        "course.md": PACK_COURSE, "01-packing.md": PACK_LESSON, "02-packing-check.quiz.md": PACK_QUIZ,
    }
    for name, content in (overrides or {}).items():
        if content is None:
            files.pop(name, None)
        else:
            files[name] = content
    return {name: content.encode() if isinstance(content, str) else content for name, content in files.items()}


def make_zip(files: dict[str, bytes | str], folder: str | None = "pack-and-ship") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(f"{folder}/{name}" if folder else name, content)
    return buffer.getvalue()


def upload(client, data: bytes, filename: str = "pack-and-ship.zip", slug: str = "", url: str = "/studio/upload"):
    return client.post(url, data={"archive": (io.BytesIO(data), filename), "slug": slug},
                       content_type="multipart/form-data")


@pytest.fixture
def english(client):
    """The interface in English, so tests can read the messages."""
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def instructor(make_user):
    return make_user("instructor", name="王老师")


@pytest.fixture
def other_instructor(make_user):
    return make_user("instructor", name="李老师")


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="管理员")


@pytest.fixture
def signed_in(auth, english):
    """Sign someone in (English interface); returns the client."""
    def sign_in(user):
        auth.logout()
        response = auth.login(user)
        assert response.status_code == 302
        return english

    return sign_in


@pytest.fixture
def uploaded(client, signed_in, instructor, courses):
    """pack-and-ship uploaded (not yet published) by `instructor`, who is signed in."""
    signed_in(instructor)
    response = upload(client, make_zip(pack_files()))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    return client


def save_file(client, slug: str, path: str, text: str, action: str = "save"):
    """Open a file in the editor and save (or preview) new text, as the page's form does."""
    import re

    page = client.get(f"/studio/{slug}/edit/{path}").get_data(as_text=True)
    revision = re.search(r'name="revision" type="hidden" value="(\d*)"', page).group(1)
    return client.post(f"/studio/{slug}/edit/{path}", data={"text": text, "revision": revision, "action": action})
