"""The summary gives the same numbers as before its medians moved into SQL, on a seeded county.

`summary_before.py` is the earlier computation (medians in Python from streamed durations), kept
only here to compare with.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from lms.accounts.passwords import hash_password
from lms.operations.seed import seed_database
from lms.reports import summary as now
from tests.reports import summary_before as before

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEVELS = {"intro": "Intro", "intermediate": "Intermediate"}


def test_a_seeded_county_has_the_same_summary_as_before(app, courses):
    report = seed_database(1500, 6, hash_password("seeded-county-1"), seed=7)
    assert report.enrolments > 1500 and report.completions > 100
    today = date(2026, 12, 4)
    old = before.build_summary("zh", SHANGHAI, LEVELS, "(none)", today=today)
    new = now.build_summary("zh", SHANGHAI, LEVELS, "(none)", today=today)
    assert [g.median_days for g in new.per_course] == [g.median_days for g in old.per_course]
    assert any(g.median_days for g in new.per_village)
    for part in ("trainees", "trainees_completed", "enrolments", "completions", "by_track", "by_specialty",
                 "by_level", "per_month", "per_course", "per_cohort", "per_village"):
        assert repr(getattr(new, part)) == repr(getattr(old, part)), part
