"""The question as a bank holds it: plain text, before it becomes a quiz file."""

from __future__ import annotations

from dataclasses import dataclass, field

from lms.content.questionbank.messages import bank_message


@dataclass
class Wording:
    """What a question says in one language."""

    prompt: str
    options: list[str] = field(default_factory=list)
    answer: str = ""  # the text after '=' for true/false, numeric and short answers
    feedback: str = ""


@dataclass
class BankQuestion:
    kind: str  # one of lms.content.quizfile.QUESTION_KINDS
    main: Wording
    correct: list[int] = field(default_factory=list)  # indexes of right options (choice questions)
    english: Wording | None = None
    points: float | None = None
    difficulty: str = ""
    source: str = ""  # where it came from: `sheet!row` or `line N`
    weighted: bool = False  # options carry partial weights (GIFT %50%): the quiz gives partial credit


@dataclass(frozen=True, order=True)
class BankProblem:
    """One thing the reader could not use, where it is, as a message id and its parameters."""

    where: str
    code: str
    params: tuple[tuple[str, str | int | float], ...] = ()

    @classmethod
    def at(cls, where: str, code: str, **params: str | int | float) -> BankProblem:
        return cls(where, code, tuple(sorted(params.items())))

    @property
    def message(self) -> str:
        return bank_message(self.code, dict(self.params))

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class BankResult:
    """What a reader made of a file: quizzes by category (one for an Excel sheet), and every problem."""

    quizzes: dict[str, list[BankQuestion]] = field(default_factory=dict)
    problems: list[BankProblem] = field(default_factory=list)

    @property
    def questions(self) -> list[BankQuestion]:
        return [q for questions in self.quizzes.values() for q in questions]
