from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Disabled: the audit trail is append-only (replaces django-auditlog's command)."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")
        parser.add_argument("-y", "--yes", action="store_true")
        parser.add_argument("-b", "--before-date")

    def handle(self, *args, **options):
        raise CommandError("The audit trail is append-only: entries are never flushed or deleted.")
