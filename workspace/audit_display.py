"""How an audit entry reads on the trail pages: never any encrypted content (it is masked
when stored), only field names, states and record references."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.audit import AuditEntry, Event


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor: str
    details: list[str]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditRow:
        actor = (
            f"{entry.actor.get_full_name() or entry.actor.username} ({entry.actor.username})"
            if entry.actor
            else "No signed-in user"
        )
        return cls(entry, actor, _details(entry))


def _change_line(name: str, change) -> str:
    """One field's change: (old, new) for a plain field; for a many-to-many field (members of
    a household, say) auditlog records the operation and the objects added or removed."""
    if isinstance(change, dict):
        objects = ", ".join(str(each) for each in change.get("objects", []))
        return f"{name}: {change.get('operation', 'changed')} {objects}".rstrip()
    old, new = change
    return f"{name}: {old} → {new}"


def _details(entry: AuditEntry) -> list[str]:
    data = entry.additional_data or {}
    if entry.event in {Event.CREATE, Event.UPDATE, Event.DELETE}:
        changes = entry.changes_dict or {}
        return [_change_line(name, change) for name, change in sorted(changes.items())]
    if entry.event == Event.TRANSITION:
        line = f"{data.get('from', '')} → {data.get('to', '')}"
        return [line] + ([f"Reason: {data['reason']}"] if data.get("reason") else [])
    if entry.event in {Event.LIST, Event.EXPORT}:
        ids = data.get("ids", [])
        return [f"{len(ids)} records: {', '.join(ids[:20])}{' …' if len(ids) > 20 else ''}"]
    if entry.event == Event.REFUSED:
        return [f"Refused with status {data.get('status', '')} at {data.get('path', '')}"]
    if data.get("path"):
        return [f"At {data['path']}"]
    return []
