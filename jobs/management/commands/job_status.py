"""For monitoring: each periodic job's last run and last failure; exits 1 if one needs a look."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jobs.status import job_statuses


class Command(BaseCommand):
    help = "Show each periodic job's last run and last failure; fail if one is failing or late."

    def handle(self, *args, **options) -> None:
        statuses = job_statuses()
        for status in statuses:
            state = "failing" if status.failing else "late" if status.late else "ok"
            self.stdout.write(
                f"{status.name}: {state}; last run {_when(status.last_run)}, "
                f"last failure {_when(status.last_failure)}"
            )
        unhealthy = [status.name for status in statuses if not status.healthy]
        if unhealthy:
            raise CommandError(f"Needs a look: {', '.join(unhealthy)}")


def _when(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else "never"
