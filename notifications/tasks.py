"""The notifications app's periodic jobs (jobs/schedule.py runs each once per schedule)."""

from __future__ import annotations

from datetime import timedelta

from jobs.schedule import periodic_task
from notifications import services


# Every two minutes: a partner asked for information the same day hears within minutes, and
# a worker that finds the last run still waiting does not pile runs up.
@periodic_task(every=timedelta(minutes=2))
def send_notifications() -> int:
    """Queue the messages of new outbox events and notices, then send what is due."""
    services.queue_from_outbox()
    services.queue_from_notices()
    return services.send_due()


@periodic_task(every=timedelta(minutes=15))
def queue_digests_and_escalations() -> int:
    """The morning digests (from DIGEST_HOUR, once a day) and newly overdue work."""
    return services.queue_digests() + services.queue_escalations()
