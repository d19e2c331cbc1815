"""Queries for the accounts pages."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Agency, User
from accounts.sharing import SharingRecord


def users_for_administration() -> QuerySet[User]:
    """Every user with agency and roles, in a fixed number of queries."""
    return (
        User.objects.select_related("agency")
        .prefetch_related("groups")
        .order_by("last_name", "first_name", "username")
    )


def agencies_for_administration():
    from django.db.models import Count

    return Agency.objects.annotate(user_count=Count("users")).order_by("name")


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of these accounts are locked out now from some address (one query): failures
    are counted per account and address together (accounts.lockout)."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Sum
    from django.utils import timezone

    return set(
        AccessAttempt.objects.filter(
            username__in=usernames, attempt_time__gt=timezone.now() - settings.AXES_COOLOFF_TIME
        )
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )


# Information sharing records (issue 9) -----------------------------------------------------

SHARING_PAGE_SIZE = 50


def sharing_records(*, agency_id: int | None = None, decision: str | None = None):
    """Every share, decision not to share and end of sharing, newest first, with whom and by
    whom joined in (one query a page); the encrypted reason and family note are not loaded.
    Managers and auditors only (accounts.rights.refuse_sharing_records)."""
    from django.db.models import Q

    records = SharingRecord.objects.select_related("agency", "user", "by").defer(
        "reason", "family_note"
    )
    if agency_id is not None:  # shared with the agency, or with one of its people
        records = records.filter(Q(agency_id=agency_id) | Q(user__agency_id=agency_id))
    if decision:
        records = records.filter(decision=decision)
    return records.order_by("-at", "-pk")


def child_sharing_records(child_ref: str):
    """The sharing records about one child (by its reference), newest first, in one query."""

    return (
        SharingRecord.objects.filter(child_ref=child_ref)
        .select_related("agency", "user", "by")
        .order_by("-at", "-pk")
    )
