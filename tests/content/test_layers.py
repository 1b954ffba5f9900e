"""Publishing belongs to content: nothing in `lms.content` reaches into the studio, its editor."""

from __future__ import annotations

import ast
from pathlib import Path

import lms.content.sync

CONTENT = Path(lms.content.sync.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_content_never_imports_the_studio():
    offenders = {path.name: sorted(name for name in imported_modules(path) if name.startswith("lms.studio"))
                 for path in CONTENT.glob("*.py")}
    assert {name: found for name, found in offenders.items() if found} == {}
