"""The notifications app's queries: the digest's counts, and the failures list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Perm
from accounts.rights import has_right
from notifications.models import Notification, Status
from referrals.models import Allocation
from referrals.models.contacts import ContactChildState
from referrals.selectors import open_decisions


@dataclass(frozen=True)
class DigestCounts:
    due_today: int
    overdue: int

    @property
    def any(self) -> bool:
        return bool(self.due_today or self.overdue)


def digest_counts(user: User, *, today: date) -> DigestCounts:
    """What is due today and overdue for one worker or manager, in one query: the open
    decisions of the children allocated to them, and for a manager the proposals waiting for
    a sign-off they may give (not their own).

    The one place the digest counts: when the home pages' selectors (issue 21) land, this
    function calls theirs."""
    mine = Q(
        Exists(Allocation.objects.filter(child=OuterRef("child"), ended_at__isnull=True,
                                         worker_id=user.pk))
    )  # fmt: skip
    if has_right(user, Perm.SIGN_OFF_DECISIONS):
        mine |= Q(state=ContactChildState.PROPOSED) & ~Q(current_decision__proposed_by=user)
    counts = (
        open_decisions()
        .filter(mine)
        .aggregate(
            due_today=Count("pk", filter=Q(next_due=today)),
            overdue=Count("pk", filter=Q(next_due__lt=today)),
        )
    )
    return DigestCounts(due_today=counts["due_today"], overdue=counts["overdue"])


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
