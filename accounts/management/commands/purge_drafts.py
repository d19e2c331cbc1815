"""Remove form drafts older than DRAFT_KEEP_HOURS (also the job accounts.tasks.purge_drafts)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.sessions import discard_expired_drafts


class Command(BaseCommand):
    help = "Remove kept form drafts (encrypted case text) older than DRAFT_KEEP_HOURS."

    def handle(self, *args, **options) -> None:
        removed = discard_expired_drafts()
        self.stdout.write(f"{removed} expired draft{'s' if removed != 1 else ''} removed.")
