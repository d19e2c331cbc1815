"""How an audit entry reads on the trail pages: never any encrypted content (it is masked
when stored), only field names, states and record references; and of a record about a
restricted child not open to the reader, only "Restricted record" and the child's reference
(issue 16: one rule for restricted records everywhere)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from accounts.audit import AuditEntry, Event
from accounts.rights import AnyUser
from casework import access
from casework.record_children import children_of
from casework.references import child_id_from_reference, child_reference

RESTRICTED_RECORD = "Restricted record"


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor: str
    details: list[str]
    restricted: str = ""  # the reference of the restricted child the entry is about, if closed

    @classmethod
    def of(cls, entry: AuditEntry, *, restricted: str = "") -> AuditRow:
        actor = (
            f"{entry.actor.get_full_name() or entry.actor.username} ({entry.actor.username})"
            if entry.actor
            else "No signed-in user"
        )
        return cls(entry, actor, [] if restricted else _details(entry), restricted)

    @property
    def record(self) -> str:
        """What the entry is about: "Restricted record FD000008" when that is all to show."""
        if self.restricted:
            return f"{RESTRICTED_RECORD} {self.restricted}"
        return self.entry.object_repr


def audit_rows(user: AnyUser, entries: Sequence[AuditEntry]) -> list[AuditRow]:
    """The rows of a page (or a download) of entries, those about a restricted child not open
    to `user` reduced to "Restricted record" and the reference. One query when nothing is
    closed to the user; else one more per lookup of each kind of record shown (not per row)."""
    closed = access.restricted_children_closed_to(user)
    about: dict[int, int] = {}
    if closed:
        by_type: dict[int, list[AuditEntry]] = defaultdict(list)
        for entry in entries:
            child_id = child_id_from_reference(entry.child_ref) if entry.child_ref else None
            if child_id is not None and child_id in closed:
                about[entry.pk] = child_id
            else:
                by_type[entry.content_type_id].append(entry)
        for group in by_type.values():
            model = group[0].content_type.model_class()
            if model is None:
                continue
            found = children_of(model, [entry.object_pk for entry in group], among=closed)
            for entry in group:
                if found.get(entry.object_pk):
                    about[entry.pk] = min(found[entry.object_pk])
    return [
        AuditRow.of(entry, restricted=child_reference(about[entry.pk]) if entry.pk in about else "")
        for entry in entries
    ]


def children_of_record(model, object_pk: str, child_refs) -> list[int]:
    """The children a record's audit trail is about: those the record belongs to now, and
    those its entries name (a record since deleted included)."""
    ids = set(children_of(model, [object_pk]).get(object_pk, set())) if model else set()
    for reference in child_refs:
        child_id = child_id_from_reference(reference or "")
        if child_id is not None:
            ids.add(child_id)
    return sorted(ids)


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
