"""Reading the audit log back, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.audit.models import AuditEvent
from lms.extensions import db

PAGE_SIZE = 50


@dataclass
class AuditPage:
    events: list[AuditEvent]
    next_before: int | None  # the `before` value of the next (older) page


def audit_page(action: str | None = None, before: int | None = None, actor_id: int | None = None,
               limit: int = PAGE_SIZE) -> AuditPage:
    query = select(AuditEvent).options(selectinload(AuditEvent.actor))
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    events = list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit + 1)))
    more = len(events) > limit
    events = events[:limit]
    return AuditPage(events=events, next_before=events[-1].id if more else None)


def known_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
