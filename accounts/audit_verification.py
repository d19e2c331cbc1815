"""Verifying the audit chain (`manage.py verify_audit`): constant memory, batch by batch; and,
given its anchors (accounts/audit_anchors.py), that its tail was not cut."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Max

from accounts.audit import CHAIN_FIELDS, GENESIS_HASH, AuditEntry, canonical_content, chain_hash
from accounts.audit_anchors import Anchor, anchored_claims


@dataclass
class VerificationResult:
    checked: int
    problem: str = ""


def verify_chain(
    *, batch_size: int = 5000, on_progress: Callable[[int, int], None] | None = None
) -> VerificationResult:
    """Check every entry's sequence, link and hash; report the first that does not hold."""
    # The trail as it stands now: entries appended while this runs are for the next run.
    end = AuditEntry.objects.aggregate(end=Max("sequence"))["end"] or 0
    total = AuditEntry.objects.filter(sequence__lte=end).count()
    unsequenced = AuditEntry.objects.filter(sequence__isnull=True).order_by("pk").first()
    if unsequenced is not None:
        return VerificationResult(0, f"Entry id {unsequenced.pk} was inserted outside the chain.")
    expected_sequence, prev_hash, checked = 1, GENESIS_HASH, 0
    last_sequence = 0
    while True:
        batch = list(
            AuditEntry.objects.filter(sequence__gt=last_sequence, sequence__lte=end)
            .order_by("sequence")
            .values("id", "prev_hash", "entry_hash", *CHAIN_FIELDS)[:batch_size]
        )
        if not batch:
            break
        for row in batch:
            entry = _Row(row)
            if entry.sequence != expected_sequence:  # sequences are unique and ascending here
                return VerificationResult(
                    checked,
                    f"Entry #{expected_sequence} is missing: removed, or the entries "
                    f"renumbered (the next is #{entry.sequence}, id {entry.pk}).",
                )
            if entry.prev_hash != prev_hash:
                return VerificationResult(
                    checked,
                    f"Entry #{entry.sequence} (id {entry.pk}) does not follow entry "
                    f"#{entry.sequence - 1}: an entry was inserted, removed or reordered here.",
                )
            if entry.entry_hash != entry.expected_hash(prev_hash):  # the HMAC of its content
                return VerificationResult(
                    checked, f"Entry #{entry.sequence} (id {entry.pk}) was changed or forged."
                )
            prev_hash = entry.entry_hash
            expected_sequence += 1
            checked += 1
        last_sequence = batch[-1]["sequence"]
        if on_progress:
            on_progress(checked, total)
    if checked != total:
        return VerificationResult(checked, "Entries were inserted outside the chain.")
    return VerificationResult(checked)


class _Row:
    """A `.values()` row read like an entry (no model instances: constant, small memory)."""

    def __init__(self, row: dict) -> None:
        self.row = row
        self.pk = row["id"]
        self.sequence = row["sequence"]
        self.prev_hash = row["prev_hash"]
        self.entry_hash = row["entry_hash"]

    def expected_hash(self, prev_hash: str) -> str:
        return chain_hash(prev_hash, canonical_content({f: self.row[f] for f in CHAIN_FIELDS}))


def verify_anchored_tail(anchors: list[Anchor], *, batch_size: int = 1000) -> str:
    """The trail still holds every anchored entry, with the anchored hash; the problem, or "".

    Catches a cut tail (the trail is shorter than an anchor), an emptied table and a chain
    rewritten from an anchored entry on. Anchors given up by a later "restored" anchor (a
    restore to an earlier point) are not claimed.
    """
    claims = sorted(anchored_claims(anchors).items())
    for start in range(0, len(claims), batch_size):
        batch = dict(claims[start : start + batch_size])
        held = dict(
            AuditEntry.objects.filter(sequence__in=[seq for seq in batch if seq])
            .values_list("sequence", "entry_hash")
            .iterator()
        )
        held[0] = GENESIS_HASH
        for sequence, anchor in batch.items():
            if sequence not in held:
                return (
                    f"The trail is shorter than its anchor of {anchor.at}: entry #{sequence} "
                    "is missing, so its newest entries were removed."
                )
            if held[sequence] != anchor.hash:
                return (
                    f"Entry #{sequence} is not the entry anchored on {anchor.at}: the trail "
                    "was rewritten."
                )
    return ""
