"""How the course checker reports mistakes: `path:line: message`, every one of them at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class CourseValidationError(Exception):
    """Raised with every problem found, so an author fixes them in one pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ProblemList:
    """Collects problems for one file, so parsing code says `report(line, message)`."""

    def __init__(self, sink: list[Problem], path: str):
        self.sink = sink
        self.path = path

    def __call__(self, line: int, message: str) -> None:
        self.sink.append(Problem(self.path, line, message))
