"""Learning order: what every list of courses (workshop forms, the grid, exports) follows."""

from __future__ import annotations

from lms.content.models import Course, Track
from lms.content.ordering import learning_order

ENTREPRENEURSHIP = Track(slug="entrepreneurship", position=0)
EMPLOYMENT = Track(slug="employment", position=1)
SERVICE = Track(slug="customer-service", position=0, parent=EMPLOYMENT)
STREAMING = Track(slug="live-streaming", position=3, parent=EMPLOYMENT)


def course(slug, level="intro", track=ENTREPRENEURSHIP, specialty=None, requires=()):
    return Course(slug=slug, level=level, track=track, specialty=specialty, requires=list(requires))


def slugs(courses):
    return [c.slug for c in learning_order(courses)]


def test_an_intro_comes_before_the_intermediate_that_needs_it_whatever_the_folder_names():
    courses = [course("a-grow", "intermediate", requires=["z-open"]), course("z-open")]
    assert slugs(courses) == ["z-open", "a-grow"]


def test_a_requirement_in_another_track_still_comes_first():
    selling = course("live-selling", "intermediate", requires=["open-shop", "streaming-basics"])
    basics = course("streaming-basics", track=EMPLOYMENT, specialty=STREAMING)
    assert slugs([selling, course("open-shop"), basics]) == ["open-shop", "streaming-basics", "live-selling"]


def test_then_level_then_track_and_specialty_order_of_tracks_yml():
    courses = [
        course("photos", track=EMPLOYMENT, specialty=STREAMING),
        course("service", track=EMPLOYMENT, specialty=SERVICE),
        course("channels", "intermediate"),
        course("shop"),
    ]
    assert slugs(courses) == ["shop", "service", "photos", "channels"]


def test_a_loop_of_requirements_does_not_hang():
    assert sorted(slugs([course("a", requires=["b"]), course("b", requires=["a"])])) == ["a", "b"]
