"""The notifications app's periodic jobs (jobs/schedule.py runs each once per schedule)."""

from __future__ import annotations

from datetime import timedelta

from jobs.schedule import periodic_task
from notifications import services


@periodic_task(every=timedelta(minutes=1))
def send_notifications() -> int:
    """Queue the messages of new outbox events and notices, then send what is due."""
    services.queue_from_outbox()
    services.queue_from_notices()
    return services.send_due()


@periodic_task(every=timedelta(minutes=15))
def queue_digests_and_escalations() -> int:
    """The morning digests (from DIGEST_HOUR, once a day) and newly overdue work."""
    return services.queue_digests() + services.queue_escalations()
