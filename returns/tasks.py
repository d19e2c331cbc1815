"""The returns' periodic job (jobs/schedule.py runs it once per schedule); the export itself
is a one-off task, `returns.services.make_export`."""

from __future__ import annotations

from datetime import timedelta

from jobs.schedule import periodic_task
from returns import services


@periodic_task(every=timedelta(hours=1))
def purge_exports() -> int:
    """Remove made returns' files older than EXPORT_KEEP_HOURS."""
    return services.purge_exports()
