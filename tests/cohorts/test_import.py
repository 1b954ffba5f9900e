"""Importing trainees from a spreadsheet: preview, row errors, confirmation, and no duplicates on re-import."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.cohorts.importing import ImportProblem, decode_csv, read_rows
from lms.cohorts.models import CohortInvitation, CohortMember, TraineeImport
from lms.extensions import db
from lms.learning.models import Enrolment
from tests.cohorts.factories import make_cohort

GOOD = "姓名,手机,村/乡镇\n吕振鸿,138 1234 5678,北山村\n韦秀英,+86 13912345678,东坡村\n"


@pytest.fixture
def setting(make_user, courses):
    instructor = make_user("instructor")
    cohort = make_cohort(courses=[courses["shop-basics"]], instructors=[instructor])
    return {"instructor": instructor, "cohort": cohort}


def upload(client, content: str | bytes, cohort=None, filename="学员.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    response = client.post("/workshops/import", data={"file": (io.BytesIO(data), filename),
                                                      "cohort": str(cohort.id if cohort else 0)},
                           content_type="multipart/form-data")
    return response


def trainee_count() -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.role == "trainee"))


def test_reading_utf8_with_and_without_bom_and_gbk():
    for data in (GOOD.encode("utf-8"), b"\xef\xbb\xbf" + GOOD.encode("utf-8"), GOOD.encode("gbk"),
                 GOOD.encode("utf-16")):
        rows = read_rows(decode_csv(data))
        assert [r["name"] for r in rows] == ["吕振鸿", "韦秀英"]
        assert rows[0] == {"line": 2, "name": "吕振鸿", "phone": "138 1234 5678", "village": "北山村", "cohort": ""}


def test_reading_finds_columns_by_header_in_any_order_or_by_position():
    rows = read_rows("Phone\tName\tCohort\n13812345678\tLü Zhenhong\tKM7TQ3\n")
    assert rows == [{"line": 2, "name": "Lü Zhenhong", "phone": "13812345678", "village": "", "cohort": "KM7TQ3"}]
    rows = read_rows("吕振鸿,13812345678,北山村\n\n韦秀英,13912345678\n")
    assert [(r["line"], r["name"], r["village"]) for r in rows] == [(1, "吕振鸿", "北山村"), (3, "韦秀英", "")]


def test_files_that_are_not_csv_are_refused_with_a_reason():
    with pytest.raises(ImportProblem) as problem:
        decode_csv(b"PK\x03\x04 an xlsx workbook")
    assert problem.value.code == "spreadsheet"
    with pytest.raises(ImportProblem) as problem:
        read_rows("姓名,手机\n")
    assert problem.value.code == "empty"


def test_the_preview_shows_every_row_and_imports_nothing_yet(client, auth, setting):
    auth.login(setting["instructor"])
    response = upload(client, GOOD, setting["cohort"])
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "吕振鸿" in page and "13812345678" in page and "韦秀英" in page and "13912345678" in page
    assert "将加入：2 行" in page and "导入 2 行" in page
    assert trainee_count() == 0
    assert db.session.scalar(select(func.count(CohortMember.id))) == 0


def test_row_errors_name_the_row_and_the_problem(client, auth, setting, make_user):
    make_user("instructor", phone="13700000009")
    content = ("姓名,手机,村,班级\n"
               "吕振鸿,1381234567,北山村,\n"  # 10 digits
               ",13912345678,东坡村,\n"  # no name
               "韦秀英,13612345678,东坡村,\n"
               "韦秀英二,136-1234-5678,东坡村,\n"  # same phone as row 4
               "王芳,13512345678,,NOPE22\n"  # unknown workshop
               "李老师,13700000009,,\n")  # an instructor's phone
    auth.login(setting["instructor"])
    page = client.get(upload(client, content, setting["cohort"]).headers["Location"]).get_data(as_text=True)
    rows = {int(line): text for line, text in re.findall(r'<td class="num"[^>]*>(\d+)</td>(.*?)</tr>', page, re.S)}
    assert "不是 11 位手机号码" in rows[2]
    assert "没有填姓名" in rows[3]
    assert "将加入" in rows[4]
    assert "第 4 行已经有这个手机号" in rows[5]
    assert "你的培训班里没有这个加入码或名称" in rows[6]
    assert "将加入" in rows[7] and "账号" not in rows[7]  # an existing (staff) number reads like any other
    assert "有问题的行（会跳过）：4 行" in page and "导入 2 行" in page


def test_confirming_imports_valid_rows_in_one_go_and_enrols_them(client, auth, setting):
    auth.login(setting["instructor"])
    preview_url = upload(client, GOOD + ",13700000000,\n", setting["cohort"]).headers["Location"]
    response = client.post(preview_url)
    assert response.status_code == 302 and response.headers["Location"] == preview_url
    done = client.get(preview_url).get_data(as_text=True)
    assert done.count("已新建账号并加入") == 3 and "已跳过：这一行有问题" in done  # 2 rows, and the summary
    people = list(db.session.scalars(select(User).where(User.role == "trainee").order_by(User.phone)))
    assert [(p.display_name, p.phone, p.village, p.password_hash) for p in people] == [
        ("吕振鸿", "13812345678", "北山村", ""), ("韦秀英", "13912345678", "东坡村", "")]
    members = set(db.session.scalars(select(CohortMember.user_id)))
    assert members == {p.id for p in people}
    assert {p.created_by_id for p in people} == {setting["instructor"].id}
    assert set(db.session.scalars(select(CohortMember.joined_via))) == {"import"}
    assert db.session.scalar(select(func.count(Enrolment.id))) == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "accounts.imported"))
    assert event.actor_id == setting["instructor"].id and sorted(event.details["created"]) == sorted(members)
    assert event.details["skipped_lines"] == [4]
    # Confirming the same preview twice does nothing more.
    client.post(preview_url)
    assert trainee_count() == 2


def test_importing_the_same_file_again_creates_no_duplicates(client, auth, setting):
    auth.login(setting["instructor"])
    client.post(upload(client, GOOD, setting["cohort"]).headers["Location"])
    again = client.get(upload(client, GOOD.encode("gbk"), setting["cohort"]).headers["Location"])
    page = again.get_data(as_text=True)
    assert "已经在班里，不用处理：2 行" in page and "没有可导入的" in page
    client.post(again.request.path)
    assert trainee_count() == 2
    assert db.session.scalar(select(func.count(CohortMember.id))) == 2


def test_known_phones_are_invited_to_another_workshop_not_added(client, auth, setting, courses):
    later = make_cohort("进阶班", courses=[courses["shop-growth"]], instructors=[setting["instructor"]])
    auth.login(setting["instructor"])
    client.post(upload(client, GOOD, setting["cohort"]).headers["Location"])
    moved = GOOD.replace("北山村", "改了村")
    page = client.get(upload(client, moved, later).headers["Location"]).get_data(as_text=True)
    assert "将加入：2 行" in page and "已有账号" not in page  # the preview does not tell who is registered
    batch = db.session.scalar(select(TraineeImport).order_by(TraineeImport.id.desc()))
    done = client.get(client.post(f"/workshops/import/{batch.id}").headers["Location"]).get_data(as_text=True)
    assert done.count("已经有账号：已发出邀请") == 3  # both rows, and the summary
    assert trainee_count() == 2
    assert db.session.scalar(select(func.count(CohortMember.id)).where(CohortMember.cohort_id == later.id)) == 0
    assert db.session.scalar(select(User.village).where(User.phone == "13812345678")) == "北山村"  # not overwritten
    assert db.session.scalar(select(func.count(CohortInvitation.id))) == 2


def test_rows_choose_their_workshop_by_code_or_name_but_only_among_the_instructors_own(
        client, auth, setting, make_user, courses):
    elsewhere = make_cohort("别人的班", courses=[courses["shop-basics"]], instructors=[make_user("instructor")])
    own = setting["cohort"]
    content = (f"姓名,手机,班级\n甲,13812345671,{own.join_code.lower()}\n乙,13812345672,{own.name}\n"
               f"丙,13812345673,{elsewhere.join_code}\n丁,13812345674,\n")
    auth.login(setting["instructor"])
    page = client.get(upload(client, content).headers["Location"]).get_data(as_text=True)
    assert "将加入：2 行" in page
    assert "有问题的行（会跳过）：2 行" in page  # another instructor's code, and no workshop at all
    assert "没有培训班" in page
    client.post(f"/workshops/import/{db.session.scalar(select(TraineeImport.id))}")
    assert set(db.session.scalars(select(User.display_name).join(CohortMember, CohortMember.user_id == User.id)
                                  .where(CohortMember.cohort_id == own.id))) == {"甲", "乙"}
    assert db.session.scalar(select(func.count(CohortMember.id)).where(CohortMember.cohort_id == elsewhere.id)) == 0
    assert trainee_count() == 2


def test_upload_problems_are_shown_next_to_the_file_field(client, auth, setting):
    auth.login(setting["instructor"])
    response = upload(client, b"PK\x03\x04xlsx", setting["cohort"], filename="list.csv")
    assert response.status_code == 400 and "Excel 工作簿" in response.get_data(as_text=True)
    response = upload(client, GOOD, setting["cohort"], filename="list.pdf")
    assert response.status_code == 400 and ".csv" in response.get_data(as_text=True)
    response = upload(client, "x" * (300 * 1024), setting["cohort"])
    assert response.status_code == 400 and "文件太大" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(TraineeImport.id))) == 0


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_empty_list_to_download_reads_back_in_either_language(client, auth, setting, language):
    auth.login(setting["instructor"])
    client.post("/language", data={"language": language})
    page = client.get("/workshops/import").get_data(as_text=True)
    assert 'href="/workshops/import/template.csv"' in page
    template = client.get("/workshops/import/template.csv")
    assert template.mimetype == "text/csv" and template.data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    filled = template.data.decode("utf-8-sig") + f"吕振鸿,13812345678,北山村,{setting['cohort'].join_code}\r\n"
    assert read_rows(filled) == [{"line": 2, "name": "吕振鸿", "phone": "13812345678", "village": "北山村",
                                  "cohort": setting["cohort"].join_code}]


def test_trainees_cannot_download_the_list(client, auth, trainee):
    auth.login(trainee)
    assert client.get("/workshops/import/template.csv").status_code in (403, 404)
