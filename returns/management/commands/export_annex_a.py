from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.audit import Event, record_event
from returns.annex_a import write_annex_a


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Give dates as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Write Ofsted's Annex A lists 1, 3, 4 and 5 for the period FROM..TO as an XLSX "
        "workbook (an end after today is taken as today). The export is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
        parser.add_argument("--output", required=True, help="the .xlsx file to write")

    def handle(self, *args, start: str, end: str, output: str, **options):
        today = timezone.localdate()
        first, last = _day(start), min(_day(end), today)
        if first > last:
            raise CommandError("The period must start on or before its end (and today)")
        path = Path(output)
        rows = write_annex_a(str(path), start=first, end=last, today=today)
        record_event(
            Event.EXPORT, object_repr="Ofsted Annex A (manage.py export_annex_a)",
            details={"command": "export_annex_a", "from": first.isoformat(),
                     "to": last.isoformat(), "rows": rows},
        )  # fmt: skip
        self.stdout.write(
            f"Ofsted Annex A {first:%d/%m/%Y} to {last:%d/%m/%Y}: {rows} rows written to {path}"
        )
