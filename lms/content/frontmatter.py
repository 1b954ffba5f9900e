"""YAML front matter with line numbers, so every mistake can be pointed at."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from lms.content.problems import ProblemList


@dataclass
class FrontMatter:
    values: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    first_line: int = 1
    body: str = ""
    body_first_line: int = 1

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.first_line)


def split_front_matter(text: str, report: ProblemList) -> FrontMatter | None:
    """Split `---\\nYAML\\n---\\nbody`. Returns None (after reporting) when the block is unusable."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        report(1, "front_matter_missing")
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            closing = index
            break
    else:
        report(1, "front_matter_not_closed")
        return None

    yaml_text = "\n".join(lines[1:closing])
    matter = FrontMatter(
        first_line=1,
        body="\n".join(lines[closing + 1 :]),
        body_first_line=closing + 2,
    )
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        values = yaml.safe_load(yaml_text)
    except yaml.YAMLError as error:
        # An unclosed bracket or quote is noticed lines later; point at where it was opened.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(error, "problem", None) or "invalid YAML"  # PyYAML's own words, in English
        report(line, "yaml_colon_in_value" if "mapping values" in problem else "yaml_broken", problem=problem)
        return None
    if values is None:
        values = {}
    if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode | type(None)):
        report(2, "front_matter_not_keys")
        return None
    matter.values = values
    if node is not None:
        for key_node, _ in node.value:
            matter.key_lines[str(key_node.value)] = key_node.start_mark.line + 2
    return matter


class FieldReader:
    """Reads typed values out of front matter, reporting each mistake at its line."""

    def __init__(self, matter: FrontMatter, report: ProblemList, allowed: set[str]):
        self.matter = matter
        self.report = report
        for key in matter.values:
            if key not in allowed:
                report(matter.line_of(str(key)), "key_unknown", key=str(key), known=", ".join(sorted(allowed)))

    def _missing(self, key: str, required: bool, default: Any) -> Any:
        if required:
            self.report(self.matter.first_line, "key_missing", key=key)
        return default

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        if key not in self.matter.values:
            return self._missing(key, required, default)
        value = self.matter.values[key]
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.report(self.matter.line_of(key), "key_not_text", key=key)
            return default
        return value.strip()

    def choice(self, key: str, choices: tuple[str, ...], required: bool = False) -> str | None:
        if key not in self.matter.values:
            return self._missing(key, required, None)
        value = self.matter.values[key]
        if value not in choices:
            self.report(self.matter.line_of(key), "key_not_a_choice", key=key, value=str(value),
                        choices=" | ".join(choices))
            return None
        return value

    def integer(
        self, key: str, minimum: int, maximum: int | None = None, default: int | None = None,
        required: bool = False,
    ) -> int | None:
        if key not in self.matter.values:
            return self._missing(key, required, default)
        value = self.matter.values[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum or (
            maximum is not None and value > maximum
        ):
            if maximum is None:
                self.report(self.matter.line_of(key), "key_not_whole_from", key=key, minimum=minimum)
            else:
                self.report(self.matter.line_of(key), "key_not_whole_between", key=key, minimum=minimum,
                            maximum=maximum)
            return default
        return value

    def number(self, key: str, required: bool = False) -> float | None:
        if key not in self.matter.values:
            return self._missing(key, required, None)
        value = self.matter.values[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            self.report(self.matter.line_of(key), "key_not_positive", key=key)
            return None
        return float(value)

    def boolean(self, key: str, default: bool) -> bool:
        if key not in self.matter.values:
            return default
        value = self.matter.values[key]
        if not isinstance(value, bool):
            self.report(self.matter.line_of(key), "key_not_true_false", key=key)
            return default
        return value

    def slug_list(self, key: str) -> list[str]:
        if key not in self.matter.values:
            return []
        value = self.matter.values[key]
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.report(self.matter.line_of(key), "key_not_course_list", key=key)
            return []
        return value
