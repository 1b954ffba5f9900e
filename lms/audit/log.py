"""Recording audit events. Callers pass plain data; the caller's transaction commits it."""

from __future__ import annotations

from typing import Any

from lms.audit.models import AuditEvent
from lms.extensions import db


def record_event(actor, action: str, target_type: str | None = None, target_id: int | None = None,
                 **details: Any) -> AuditEvent:
    """Add an audit row in the current transaction. `details` must be JSON-serialisable."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None), action=action, target_type=target_type, target_id=target_id,
        details=details,
    )
    db.session.add(event)
    return event
