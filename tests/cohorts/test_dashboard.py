"""The instructor's progress grid, its CSV, and a trainee's answers; the grid's query count stays fixed."""

from __future__ import annotations

import csv
import io
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import event, update

from lms.cohorts.models import CohortMember
from lms.database import utcnow
from lms.extensions import db
from lms.learning.models import ItemProgress
from lms.reads import reader_engine
from tests.cohorts.factories import big_course, crowd, make_cohort
from tests.learning.test_journey import RIGHT, WRONG, quiz_form, start_quiz


@contextmanager
def counted_statements():
    """Every statement sent, direct reads (lms/reads.py) included: each takes a connection of its own pool."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def count_direct_read(dbapi_connection, connection_record, connection_proxy):
        statements.append("SELECT (a direct read)")

    readers = reader_engine(current_app)
    event.listen(db.engine, "before_cursor_execute", count)
    event.listen(readers, "checkout", count_direct_read)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        event.remove(readers, "checkout", count_direct_read)


def grid_rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr.*?</tr>", body, re.S)


@pytest.fixture
def workshop(make_user, courses):
    instructor = make_user("instructor")
    fast = make_user(name="快学员", village="北山村")
    slow = make_user(name="慢学员", village="东坡村")
    cohort = make_cohort(courses=[courses["shop-basics"]], instructors=[instructor], members=[fast, slow])
    return {"instructor": instructor, "fast": fast, "slow": slow, "cohort": cohort}


def learn(client, auth, user, answers):
    auth.login(user)
    client.post("/courses/shop-basics/choose-product/finish")
    client.post("/courses/shop-basics/margin/finish")
    url, page = start_quiz(client)
    client.post(url, data=quiz_form(page, answers))
    auth.logout()


def test_the_grid_shows_lessons_scores_totals_and_who_is_stuck(client, auth, workshop):
    learn(client, auth, workshop["fast"], RIGHT)
    auth.login(workshop["slow"])
    client.post("/courses/shop-basics/choose-product/finish")
    auth.logout()
    week_ago = utcnow() - timedelta(days=8)
    db.session.execute(update(ItemProgress).where(ItemProgress.user_id == workshop["slow"].id)
                       .values(updated_at=week_ago))
    db.session.execute(update(CohortMember).values(joined_at=week_ago - timedelta(days=1)))
    db.session.commit()

    auth.login(workshop["instructor"])
    page = client.get(f"/workshops/{workshop['cohort'].id}/progress").get_data(as_text=True)
    fast_row, slow_row = grid_rows(page)  # sorted by name: 快 before 慢
    assert "快学员" in fast_row and "3/3" in fast_row and 'cell-pass">100<' in fast_row
    assert fast_row.count("cell-done") == 2
    assert "慢学员" in slow_row and "1/3" in slow_row and 'class="idle"' in slow_row
    assert 'class="idle"' not in fast_row
    footer = page.split("<tfoot>", 1)[1]
    assert re.findall(r'<td class="num">(\d+)</td>', footer) == ["2", "1", "1"]
    assert "1 人" in page.split("idle-count", 1)[1][:80]


def test_the_grid_sorts_by_query_string(client, auth, workshop):
    learn(client, auth, workshop["fast"], WRONG)
    auth.login(workshop["instructor"])
    base = f"/workshops/{workshop['cohort'].id}/progress"
    by_done = grid_rows(client.get(base + "?sort=done&dir=asc").get_data(as_text=True))
    assert "慢学员" in by_done[0]
    by_village = grid_rows(client.get(base + "?sort=village").get_data(as_text=True))
    assert "慢学员" in by_village[0]  # 东坡村 sorts before 北山村 by code point
    page = client.get(base + "?sort=name&dir=desc").get_data(as_text=True)
    assert "慢学员" in grid_rows(page)[0] and 'aria-sort="descending"' in page
    assert client.get(base + "?sort=nonsense&idle=-4").status_code == 200


def test_the_progress_csv_opens_in_excel_and_matches_the_grid(client, auth, workshop):
    learn(client, auth, workshop["fast"], WRONG)
    db.session.execute(update(ItemProgress).values(best_score=None).where(ItemProgress.best_score.is_(None)))
    workshop["slow"].display_name = "=HYPERLINK(1)"
    db.session.commit()
    auth.login(workshop["instructor"])
    response = client.get(f"/workshops/{workshop['cohort'].id}/progress.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    header, *people, totals = rows
    assert header[:3] == ["姓名", "手机号", "村/乡镇"]
    assert header[-1].endswith("小测：开店基础")
    fast = next(r for r in people if r[0] == "快学员")
    assert fast[1] == workshop["fast"].phone and fast[5] == "2" and fast[-1] == "0"
    assert any(r[0] == "'=HYPERLINK(1)" for r in people)  # formulas are kept as text
    assert totals[0] == "完成人数" and totals[-3:] == ["1", "1", "0"]


def test_a_trainee_page_shows_their_answers_so_a_wrong_one_can_be_explained(client, auth, workshop):
    learn(client, auth, workshop["fast"], WRONG)
    auth.login(workshop["instructor"])
    page = client.get(f"/workshops/{workshop['cohort'].id}/trainees/{workshop['fast'].id}").get_data(as_text=True)
    assert "快学员" in page and "第 1 次作答" in page and "0%" in page
    assert "学员选了" in page and "要，每年交一笔费用" in page  # their wrong choice
    assert "微信" in page  # their typed answer
    assert "注册是免费的；推广才要花钱。" in page  # the feedback to explain it with


def test_the_grid_costs_the_same_few_queries_for_300_trainees_and_40_items(client, auth, make_user):
    instructor = make_user("instructor")
    small_course = big_course(2, slug="small-course")
    small = make_cohort("小班", courses=[small_course], instructors=[instructor])
    crowd(small, small_course, 3)
    course = big_course(40)
    big = make_cohort("大班", courses=[course], instructors=[instructor])
    crowd(big, course, 300)
    small_id, big_id, fifth_item = small.id, big.id, course.items[4].id
    auth.login(instructor)

    with counted_statements() as few:
        assert client.get(f"/workshops/{small_id}/progress").status_code == 200
    with counted_statements() as many:
        response = client.get(f"/workshops/{big_id}/progress?sort=item-{fifth_item}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert len(grid_rows(page)) == 300 and page.count('class="cell') == 300 * 40
    assert len(many) == len(few), "\n".join(many)
    # signed-in user, cohort, courses, items, members, progress rows, enrolments; attendance: sessions,
    # members, marks
    assert len([s for s in many if s.lstrip().upper().startswith("SELECT")]) == 10

    with counted_statements() as exported:
        assert client.get(f"/workshops/{big_id}/progress.csv").status_code == 200
    assert len(exported) == len(few) - 3  # the progress CSV leaves attendance to the attendance export
