"""Anchors: the audit trail's tail, published outside the database so that cutting it shows.

The chain (accounts/audit.py) detects an entry changed, removed or reordered, but a trail whose
newest entries were deleted is a shorter chain that verifies clean. So a periodic job (and
`manage.py anchor_audit`) publishes the latest sequence number and hash, signed with a key of
its own (AUDIT_ANCHOR_KEY, not the chain's), as one JSON line appended to AUDIT_ANCHOR_PATH (a
file on another mount that the database's owner cannot rewrite) and to the log (journald, and
from there syslog to a collector). `verify_audit --anchors FILE` then fails on a trail shorter
than its last anchor, or whose anchored entries differ.

A restore to an earlier point legitimately shortens the trail: the operator then writes a
signed "restored" anchor, which supersedes the anchors beyond it and stays in the file for
anyone to see.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from accounts.audit import GENESIS_HASH, AuditEntry

logger = logging.getLogger("front_door.audit_anchor")

ANCHOR = "anchor"
RESTORED = "restored"


class AnchorError(Exception):
    """An anchor file that cannot be trusted (unreadable, forged or damaged)."""


@dataclass(frozen=True)
class Anchor:
    kind: str  # ANCHOR, or RESTORED after a restore to an earlier point
    sequence: int
    hash: str
    at: str  # ISO 8601, UTC

    def signature(self, key: str) -> str:
        content = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hmac.new(key.encode("utf-8"), content.encode("utf-8"), hashlib.sha256).hexdigest()

    def line(self, key: str) -> str:
        return json.dumps({**asdict(self), "signature": self.signature(key)}, sort_keys=True)


def current_anchor(*, kind: str = ANCHOR) -> Anchor:
    """The trail's tail now: its last sequence number and hash (0 and the genesis hash if empty)."""
    last = (
        AuditEntry.objects.filter(sequence__isnull=False)
        .order_by("-sequence")
        .values_list("sequence", "entry_hash")
        .first()
    )
    sequence, entry_hash = last if last else (0, GENESIS_HASH)
    return Anchor(kind=kind, sequence=sequence, hash=entry_hash, at=_now())


def write_anchor(*, to: Path | None = None, kind: str = ANCHOR) -> Anchor:
    """Append a signed anchor of the tail to the file (AUDIT_ANCHOR_PATH unless `to`) and log it."""
    anchor = current_anchor(kind=kind)
    line = anchor.line(settings.AUDIT_ANCHOR_KEY)
    path = to or (Path(settings.AUDIT_ANCHOR_PATH) if settings.AUDIT_ANCHOR_PATH else None)
    if path is not None:
        # Append only: an anchor already written is never rewritten (chattr +a allows no more).
        with path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")
            file.flush()
    logger.info("audit anchor %s", line)
    return anchor


def read_anchors(path: Path) -> list[Anchor]:
    """Every anchor in the file, each signature checked; AnchorError names the first bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise AnchorError(f"The anchor file cannot be read: {error.strerror}.") from error
    return list(_parse(lines, settings.AUDIT_ANCHOR_KEY))


def _parse(lines: Iterable[str], key: str) -> Iterable[Anchor]:
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            fields = json.loads(text)
            signature = fields.pop("signature")
            anchor = Anchor(
                kind=fields["kind"],
                sequence=int(fields["sequence"]),
                hash=fields["hash"],
                at=fields["at"],
            )
        except (ValueError, KeyError, TypeError) as error:
            raise AnchorError(f"Anchor line {number} is damaged.") from error
        if anchor.kind not in (ANCHOR, RESTORED) or not hmac.compare_digest(
            str(signature), anchor.signature(key)
        ):
            raise AnchorError(
                f"Anchor line {number} is not signed with the anchor key: forged or damaged."
            )
        yield anchor


def anchored_claims(anchors: Iterable[Anchor]) -> dict[int, Anchor]:
    """What the trail must still hold: each anchored sequence and its hash, except those a later
    "restored" anchor gave up (the entries after the point the database was restored to)."""
    claims: dict[int, Anchor] = {}
    for anchor in anchors:
        if anchor.kind == RESTORED:
            claims = {seq: claim for seq, claim in claims.items() if seq <= anchor.sequence}
        claims[anchor.sequence] = anchor
    return claims


def _now() -> str:
    return timezone.now().astimezone(UTC).isoformat(timespec="seconds")
