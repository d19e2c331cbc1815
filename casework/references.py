"""The child's reference: the census's `LAchildID`, shown and audited as "FD000123"."""

from __future__ import annotations

import re

_REFERENCE = re.compile(r"FD(\d{6,})")


def child_reference(child_id: int | None) -> str:
    """The reference of the child with this id ("FD(new)" before it is saved)."""
    return f"FD{child_id:06d}" if child_id else "FD(new)"


def child_id_from_reference(reference: str) -> int | None:
    """The child id a reference names, or None for anything that is not a reference."""
    match = _REFERENCE.fullmatch(reference.strip().upper())
    return int(match.group(1)) if match else None


def about_child(child_id: int | None) -> dict[str, str]:
    """The audit trail's link to a child (`audit_child` of an audited record)."""
    return {"child_ref": child_reference(child_id)} if child_id else {}
