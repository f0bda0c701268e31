"""The audit log: every create, change, run, share and delete, with who and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .models import AuditEntry, User

ACTIONS = ("create", "change", "run", "share", "unshare", "delete", "login", "logout", "retry", "role")


def record(
    s: Session,
    actor: User | str,
    action: str,
    obj: str,
    obj_id: object,
    team_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    """Add an entry in the caller's transaction: it lands with the change it describes, or not at all."""
    if action not in ACTIONS:
        raise ValueError(f"audit action {action!r}: use one of {', '.join(ACTIONS)}")
    user = actor if isinstance(actor, User) else None
    entry = AuditEntry(
        user_id=user.id if user else None,
        actor=user.name if user else str(actor),
        action=action,
        object_type=obj,
        object_id=str(obj_id),
        team_id=team_id,
        detail=detail,
    )
    s.add(entry)
    return entry
