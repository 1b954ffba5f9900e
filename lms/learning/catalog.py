"""The catalog grouped as trainees think of it: track, then specialty, then level."""

from __future__ import annotations

from dataclasses import dataclass, field

from lms.content.models import LEVELS, Course, Track


@dataclass
class LevelGroup:
    level: str
    courses: list[Course] = field(default_factory=list)


@dataclass
class SpecialtyGroup:
    specialty: Track | None
    levels: list[LevelGroup] = field(default_factory=list)


@dataclass
class TrackGroup:
    track: Track
    specialties: list[SpecialtyGroup] = field(default_factory=list)


def group_catalog(courses: list[Course]) -> list[TrackGroup]:
    groups: dict[int, TrackGroup] = {}
    for course in courses:
        track_group = groups.setdefault(course.track_id, TrackGroup(course.track))
        specialty_group = next(
            (s for s in track_group.specialties if s.specialty is course.specialty), None
        )
        if specialty_group is None:
            specialty_group = SpecialtyGroup(course.specialty)
            track_group.specialties.append(specialty_group)
        level_group = next((g for g in specialty_group.levels if g.level == course.level), None)
        if level_group is None:
            level_group = LevelGroup(course.level)
            specialty_group.levels.append(level_group)
        level_group.courses.append(course)
    for track_group in groups.values():
        track_group.specialties.sort(key=lambda s: s.specialty.position if s.specialty else -1)
        for specialty_group in track_group.specialties:
            specialty_group.levels.sort(key=lambda g: LEVELS.index(g.level))
    return sorted(groups.values(), key=lambda g: g.track.position)
