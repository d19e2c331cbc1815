"""The accounts app's periodic jobs (jobs/schedule.py runs each once per schedule)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from accounts import audit_anchors, services, sessions, sharing
from jobs.schedule import periodic_task


@periodic_task(every=timedelta(minutes=15))
def expire_grants() -> int:
    """End the shares whose time has passed (partners' lists already hide them in SQL)."""
    return sharing.expire_grants()


@periodic_task(every=timedelta(hours=1))
def purge_drafts() -> int:
    """Remove kept form drafts (encrypted case text) older than DRAFT_KEEP_HOURS."""
    return sessions.discard_expired_drafts()


@periodic_task(every=timedelta(minutes=settings.AUDIT_ANCHOR_MINUTES))
def anchor_audit() -> int:
    """Publish the audit trail's tail outside the database; returns the anchored sequence."""
    return audit_anchors.write_anchor().sequence


@periodic_task(every=timedelta(minutes=5))
def apply_account_changes() -> int:
    """Approved account changes whose delay has passed take effect (issue 16); the pages that
    read what they change apply them first too, so nothing waits on this job."""
    return services.apply_due_account_changes()
