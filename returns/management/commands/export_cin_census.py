from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from returns.census import write_census


class Command(BaseCommand):
    help = (
        "Write the CIN census XML for the collection year ending 31 March YEAR (a year still "
        "in progress is exported as at today, for checking). The export is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, required=True, help="2026 for the year ending 31 March 2026"
        )
        parser.add_argument("--output", required=True, help="the XML file to write")

    def handle(self, *args, year: int, output: str, **options):
        today = timezone.localdate()
        if not 2000 <= year <= today.year + 1:
            raise CommandError(f"Give a collection year between 2000 and {today.year + 1}")
        if datetime.date(year - 1, 4, 1) > today:
            raise CommandError(f"The year ending 31 March {year} has not started yet")
        path = Path(output)
        with path.open("wb") as out:
            children = write_census(out, year=year, today=today)
        self.stdout.write(f"CIN census {year}: {children} children written to {path}")
