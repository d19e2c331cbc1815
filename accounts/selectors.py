"""Queries for the accounts pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone

from accounts import rights
from accounts.models import AuditEntry, User
from accounts.roles import ROLE_SUMMARIES, Role


@dataclass(frozen=True)
class RoleSummary:
    name: str
    summary: str


@dataclass(frozen=True)
class HomeProfile:
    user_id: int
    display_name: str
    agency_name: str
    roles: list[RoleSummary]
    reads_audit_trail: bool
    manages_users: bool
    sees_case_records: bool


def home_profile(user: User) -> HomeProfile:
    """The user's name, agency and roles, in two queries whatever they hold."""
    # Rights are asked of the user given (the request's), whose cache the navigation shares.
    person = User.objects.select_related("agency").prefetch_related("groups").get(pk=user.pk)
    return HomeProfile(
        user_id=person.pk,
        reads_audit_trail=rights.can_read_audit_trail(user),
        manages_users=rights.can_manage_users(user),
        sees_case_records=rights.can_view_case_records(user),
        display_name=person.display_name,
        agency_name=person.agency.name,
        roles=[RoleSummary(name, ROLE_SUMMARIES[Role(name)]) for name in person.role_names],
    )


def audit_entries(
    *,
    content_type: ContentType | None = None,
    object_pk: str | None = None,
    child_ref: str | None = None,
    actor_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    event: str | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries for one record, one child or one user, newest first, in one query a page.

    Dates are Europe/London local dates, both ends included.
    """
    entries = AuditEntry.objects.select_related("actor", "content_type").order_by("-sequence")
    if content_type is not None:
        entries = entries.filter(content_type=content_type, object_pk=object_pk)
    if child_ref is not None:
        entries = entries.filter(child_ref=child_ref)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if date_from:
        entries = entries.filter(timestamp__gte=_start_of(date_from))
    if date_to:
        entries = entries.filter(timestamp__lt=_start_of(date_to + timedelta(days=1)))
    if event:
        entries = entries.filter(event=event)
    return entries


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def users_for_administration() -> QuerySet[User]:
    """Every user with agency and roles, in a fixed number of queries."""
    return (
        User.objects.select_related("agency")
        .prefetch_related("groups")
        .order_by("last_name", "first_name", "username")
    )


def agencies_for_administration():
    from django.db.models import Count

    from accounts.models import Agency

    return Agency.objects.annotate(user_count=Count("users")).order_by("name")


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of these accounts are locked out now (one query)."""
    from axes.models import AccessAttempt
    from django.conf import settings

    return set(
        AccessAttempt.objects.filter(
            username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        ).values_list("username", flat=True)
    )


# Information sharing records (issue 9) -----------------------------------------------------

SHARING_PAGE_SIZE = 50


def sharing_records(*, agency_id: int | None = None, decision: str | None = None):
    """Every share, decision not to share and end of sharing, newest first, with whom and by
    whom joined in (one query a page); the encrypted reason and family note are not loaded.
    Managers and auditors only (accounts.rights.refuse_sharing_records)."""
    from django.db.models import Q

    from accounts.sharing import SharingRecord

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
    from accounts.sharing import SharingRecord

    return (
        SharingRecord.objects.filter(child_ref=child_ref)
        .select_related("agency", "user", "by")
        .order_by("-at", "-pk")
    )
