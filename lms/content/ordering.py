"""Learning order: the one order in which every list of courses is shown.

A course comes after every course it requires (an intro before the intermediate that needs it,
even across tracks), then by level, then in the track and specialty order of tracks.yml, then by
folder name. Syncing and publishing store it as `Course.position`, so any query ordered by
position lists courses in learning order.
"""

from __future__ import annotations

from lms.content.models import LEVELS, Course


def learning_order(courses: list[Course]) -> list[Course]:
    by_slug = {course.slug: course for course in courses}
    depths: dict[str, int] = {}

    def depth(course: Course, path: frozenset[str] = frozenset()) -> int:
        """How many courses stand before this one on its longest chain of requirements."""
        if course.slug not in depths:
            required = [by_slug[slug] for slug in course.requires or () if slug in by_slug and slug not in path]
            depths[course.slug] = max((depth(r, path | {course.slug}) + 1 for r in required), default=0)
        return depths[course.slug]

    def key(course: Course) -> tuple:
        level = LEVELS.index(course.level) if course.level in LEVELS else len(LEVELS)
        track = course.track.position if course.track else 0
        specialty = course.specialty.position if course.specialty else -1
        return depth(course), level, track, specialty, course.slug

    return sorted(courses, key=key)
