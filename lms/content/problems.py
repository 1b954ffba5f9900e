"""How the course checker reports mistakes: `path:line: message`, every one of them at once.

A problem is a message id and its parameters, not a sentence: the studio shows it in the reader's
language and `flask courses check` in the language of LANG (lms/content/messages.py words it).
"""

from __future__ import annotations

from dataclasses import dataclass

from lms.content.messages import checker_message


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    code: str  # a key of lms.content.messages.MESSAGES
    params: tuple[tuple[str, str | int | float], ...] = ()  # sorted (name, value) pairs: problems stay hashable

    @classmethod
    def at(cls, path: str, line: int, code: str, **params: str | int | float) -> Problem:
        return cls(path, line, code, tuple(sorted(params.items())))

    @property
    def message(self) -> str:
        """The message in the current language: the reader's on a page, LANG's on the command line."""
        return checker_message(self.code, dict(self.params))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class CourseValidationError(Exception):
    """Raised with every problem found, so an author fixes them in one pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:  # worded when shown, in the language of that moment
        return "\n".join(str(p) for p in self.problems)


class ProblemList:
    """Collects problems for one file, so parsing code says `report(line, "media_missing", source=path)`."""

    def __init__(self, sink: list[Problem], path: str):
        self.sink = sink
        self.path = path

    def __call__(self, line: int, code: str, **params: str | int | float) -> None:
        self.sink.append(Problem.at(self.path, line, code, **params))
