"""Apply every approved account change whose time has come (issue 16). The job
`accounts.tasks.apply_account_changes` does the same every 5 minutes; pages that read an account
change's effect apply due changes themselves, so nothing waits on this."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.services import apply_due_account_changes


class Command(BaseCommand):
    help = "Apply approved account changes whose delay has passed."

    def handle(self, *args, **options) -> None:
        applied = apply_due_account_changes()
        self.stdout.write(f"{applied} account change{'s' if applied != 1 else ''} applied.")
