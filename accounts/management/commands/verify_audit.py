from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.audit_anchors import RESTORED, AnchorError, read_anchors
from accounts.audit_verification import verify_anchored_tail, verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit trail's chain in sequence order, in batches. Exits 0 on a clean trail; "
        "otherwise names the first entry that was changed, removed, inserted or reordered. "
        "With --anchors, also fails on a trail shorter than its last anchor (a cut tail)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--anchors",
            type=Path,
            help="An anchor file (AUDIT_ANCHOR_PATH, or a copy of it) to check the tail against.",
        )

    def handle(self, *args, batch_size: int, anchors: Path | None, **options):
        on_terminal = sys.stdout.isatty()

        def progress(checked: int, total: int) -> None:
            if on_terminal:
                self.stdout.write(f"\r{checked:,} of {total:,} entries checked", ending="")
                self.stdout.flush()

        result = verify_chain(batch_size=batch_size, on_progress=progress)
        if on_terminal:
            self.stdout.write("")
        if result.problem:
            raise CommandError(result.problem)
        if anchors is not None:
            try:
                anchor_list = read_anchors(anchors)
            except AnchorError as error:
                raise CommandError(str(error)) from error
            problem = verify_anchored_tail(anchor_list)
            if problem:
                raise CommandError(problem)
            for anchor in anchor_list:
                if anchor.kind == RESTORED:
                    self.stdout.write(
                        f"Note: restored to entry #{anchor.sequence} on {anchor.at}; entries "
                        "anchored after that point before it were given up."
                    )
            self.stdout.write(f"The tail matches its {len(anchor_list):,} anchors.")
        self.stdout.write(
            self.style.SUCCESS(f"The audit trail is intact: {result.checked:,} entries.")
        )
