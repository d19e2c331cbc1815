"""Queries for the home page and the audit-trail pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone

from accounts import rights
from accounts.models import Agency, AuditEntry, User
from accounts.notices import Notice, notices_for
from accounts.roles import LADO_SUMMARY, ROLE_SUMMARIES, Role


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
    lado = person.agency.kind == Agency.Kind.LADO and rights.uses_lado_inbox(user)
    return HomeProfile(
        user_id=person.pk,
        reads_audit_trail=rights.can_read_audit_trail(user),
        manages_users=rights.can_manage_users(user),
        sees_case_records=rights.can_view_case_records(user),
        display_name=person.display_name,
        agency_name=person.agency.name,
        roles=[
            RoleSummary(
                name, LADO_SUMMARY if lado and name in _PARTNER else ROLE_SUMMARIES[Role(name)]
            )
            for name in person.role_names
        ],
    )


_PARTNER = {Role.PARTNER_PRACTITIONER.value, Role.PARTNER_SAFEGUARDING_LEAD.value}

HOME_NOTICES = 5


@dataclass(frozen=True)
class HomeNotices:
    unread: list[Notice]  # the newest unread, at most HOME_NOTICES
    unread_count: int


def home_notices(user: User) -> HomeNotices:
    """The user's newest unread notices and how many are unread: one query, or two when there
    are more than the page shows."""
    unread = notices_for(user).filter(read_at__isnull=True)
    newest = list(unread[:HOME_NOTICES])
    count = unread.count() if len(newest) == HOME_NOTICES else len(newest)
    return HomeNotices(unread=newest, unread_count=count)


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


def audit_child_references(*, content_type: ContentType, object_pk: str) -> list[str]:
    """The references of the children a record's audit entries name, in one query."""
    return list(
        AuditEntry.objects.filter(content_type=content_type, object_pk=object_pk)
        .exclude(child_ref="")
        .order_by()
        .values_list("child_ref", flat=True)
        .distinct()
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
