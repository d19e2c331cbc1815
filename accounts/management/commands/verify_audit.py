from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.audit_verification import verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit trail's chain in sequence order, in batches. Exits 0 on a clean trail; "
        "otherwise names the first entry that was changed, removed, inserted or reordered."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, batch_size: int, **options):
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
        self.stdout.write(
            self.style.SUCCESS(f"The audit trail is intact: {result.checked:,} entries.")
        )
