"""The notifications app's queries: the digest's counts, and the failures list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification, Status
from worklists.selectors import counts_for


@dataclass(frozen=True)
class DigestCounts:
    due_today: int
    overdue: int
    waiting: int  # returned to them, answers arrived, decisions awaiting their sign-off

    @property
    def any(self) -> bool:
        return bool(self.due_today or self.overdue or self.waiting)


# The home page's lists (worklists.selectors) a digest adds up, besides those due today and
# overdue: work handed back to the person or waiting for them.
WAITING_LISTS = (
    "returned-to-me", "next-steps-returned-to-me", "outcomes-returned-to-me", "answers-arrived",
    "awaiting-sign-off", "next-steps-awaiting-sign-off", "outcomes-awaiting-sign-off",
    "discussions-awaiting-sign-off",
)  # fmt: skip


def digest_counts(user: User, *, today: date) -> DigestCounts:
    """What the person's home page counts (the same selectors, one query per kind of record):
    their lists due today, their lists overdue (their children's and, for a manager, their
    teams'), and what waits for them."""
    counts = counts_for(user, today=today)
    return DigestCounts(
        due_today=sum(n for key, n in counts.items() if key.endswith("-today")),
        overdue=sum(n for key, n in counts.items() if key.endswith("-overdue")),
        waiting=sum(counts.get(key, 0) for key in WAITING_LISTS),
    )


def failures() -> QuerySet[Notification]:
    """Messages that failed for good, and any left "sending" for over 15 minutes (a worker
    stopped mid-send: checked by hand, never re-sent blindly), newest first, with whom."""
    stuck = timezone.now() - timedelta(minutes=15)
    return (
        Notification.objects.filter(
            Q(status=Status.FAILED) | Q(status=Status.SENDING, claimed_at__lt=stuck)
        )
        .select_related("recipient", "agency")
        .order_by("-queued_at", "-pk")
    )


def retrying() -> QuerySet[Notification]:
    """Messages waiting for another attempt after a failure."""
    return Notification.objects.filter(status=Status.QUEUED, attempts__gt=0).select_related(
        "recipient", "agency"
    )


def max_attempts() -> int:
    return settings.NOTIFICATION_MAX_ATTEMPTS
