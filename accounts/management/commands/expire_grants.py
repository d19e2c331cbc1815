"""End every share whose time has passed (also the periodic job accounts.tasks.expire_grants)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.sharing import expire_grants


class Command(BaseCommand):
    help = "End expired shares: remove their object permissions and record that they ended."

    def handle(self, *args, **options) -> None:
        ended = expire_grants()
        self.stdout.write(f"{ended} expired share{'s' if ended != 1 else ''} ended.")
