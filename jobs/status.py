"""How the periodic jobs are doing, for /healthz and `manage.py job_status`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from jobs.models import PeriodicJob
from jobs.schedule import SCHEDULES


@dataclass(frozen=True)
class JobStatus:
    name: str
    last_run: datetime | None  # the last successful run
    last_failure: datetime | None
    failing: bool  # the last run failed
    late: bool  # not run for two periods: the scheduler or the worker has stopped

    @property
    def healthy(self) -> bool:
        return not (self.failing or self.late)

    def as_json(self) -> dict[str, str | bool | None]:
        return {
            "last_run": self.last_run.isoformat() if self.last_run else None,
            "last_failure": self.last_failure.isoformat() if self.last_failure else None,
            "failing": self.failing,
            "late": self.late,
        }


def job_statuses(*, now: datetime | None = None) -> list[JobStatus]:
    """Every scheduled job's state, in one query."""
    now = now or timezone.now()
    rows = {job.name: job for job in PeriodicJob.objects.all()}
    statuses = []
    for name, schedule in sorted(SCHEDULES.items()):
        job = rows.get(name)
        succeeded = job.last_succeeded_at if job else None
        failed = job.last_failed_at if job else None
        last_attempt = max((at for at in (succeeded, failed) if at), default=None)
        # Not run for two periods (or never claimed): the scheduler or the worker has stopped.
        seen = last_attempt or (job.last_enqueued_at if job else None)
        statuses.append(
            JobStatus(
                name=name,
                last_run=succeeded,
                last_failure=failed,
                failing=bool(failed and (not succeeded or failed > succeeded)),
                late=seen is None or seen < now - 2 * schedule.every,
            )
        )
    return statuses
