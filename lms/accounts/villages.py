"""The county's list of villages, offered as a trainee types theirs at registration.

An administrator keeps it (one village per line) on the Villages page of the reports, or loads a
file with `flask --app app accounts villages FILE`;
loading replaces the whole list and is audited. The field stays free text: a village missing from
the list can still be typed.
"""

from __future__ import annotations

from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.accounts.service import normalize_village
from lms.audit.log import record_event
from lms.extensions import db


class Village(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


def parse_villages(text: str) -> list[str]:
    """One village per line; blank lines, repeats and a leading byte-order mark left out, order kept."""
    names: list[str] = []
    for line in text.lstrip("\ufeff").splitlines():
        name = normalize_village(line)
        if name and name not in names:
            names.append(name)
    return names


def replace_villages(actor, names: list[str]) -> int:
    db.session.execute(delete(Village))
    db.session.add_all(Village(name=name) for name in names)
    record_event(actor, "villages.load", None, None, count=len(names))
    return len(names)


def village_names() -> list[str]:
    return list(db.session.scalars(select(Village.name).order_by(Village.id)))
