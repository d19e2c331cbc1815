from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.encryption import generate_key_text


class Command(BaseCommand):
    help = (
        "Print a new FIELD_ENCRYPTION_KEYS entry. To rotate, put it first in the list, keep the "
        "old entries after it, run rotate_encryption_keys, then remove the old entries."
    )

    def add_arguments(self, parser):
        parser.add_argument("--label", default=timezone.localdate().strftime("k%Y%m%d"))

    def handle(self, *args, label: str, **options):
        try:
            self.stdout.write(generate_key_text(label))
        except ValueError as error:
            raise CommandError(str(error)) from error
