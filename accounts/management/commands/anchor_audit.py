"""Publish the audit trail's tail by hand (the periodic job accounts.tasks.anchor_audit does
the same to AUDIT_ANCHOR_PATH)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from accounts.audit_anchors import ANCHOR, RESTORED, write_anchor


class Command(BaseCommand):
    help = (
        "Append a signed anchor of the audit trail's last entry to --to FILE (default: "
        "AUDIT_ANCHOR_PATH). After restoring the database to an earlier point, --restored "
        "records that the trail was legitimately shortened."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", type=Path, help="The anchor file to append to.")
        parser.add_argument(
            "--restored",
            action="store_true",
            help="Write a 'restored to sequence N' anchor (after a restore to an earlier point).",
        )

    def handle(self, *args, to: Path | None, restored: bool, **options) -> None:
        anchor = write_anchor(to=to, kind=RESTORED if restored else ANCHOR)
        what = "Restored to" if anchor.kind == RESTORED else "Anchored"
        self.stdout.write(f"{what} entry #{anchor.sequence} ({anchor.hash[:12]}…).")
