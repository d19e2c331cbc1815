"""Queries for the accounts pages."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import (
    OPEN_CHANGE_STATES,
    AccountChange,
    AccountChangeState,
    Agency,
    User,
)
from accounts.roles import Role
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


def locked_accounts():
    """The usernames whose sign-in is paused now from some address, as a subquery (the home
    page's count and its list, issue 21)."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Sum
    from django.utils import timezone

    return (
        AccessAttempt.objects.filter(attempt_time__gt=timezone.now() - settings.AXES_COOLOFF_TIME)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .values("username")
    )


# Changes that hand out access (issue 16) -----------------------------------------------------

ACCOUNT_CHANGES_PAGE_SIZE = 50


def _account_changes() -> QuerySet[AccountChange]:
    return AccountChange.objects.select_related(
        "account", "new_agency", "requested_by", "approved_by", "cancelled_by"
    )


def account_changes_waiting(user: User) -> QuerySet[AccountChange]:
    """Changes waiting for a second person that `user` may approve: not asked for by them,
    not to their own account (one query)."""
    return (
        _account_changes()
        .filter(state=AccountChangeState.REQUESTED)
        .exclude(requested_by=user)
        .exclude(account=user)
        .order_by("requested_at", "pk")
    )


def account_changes_waiting_count(user: User) -> int:
    return account_changes_waiting(user).count()


def account_changes_not_for(user: User) -> QuerySet[AccountChange]:
    """Waiting changes that someone other than `user` must approve (theirs, or to them)."""
    return (
        _account_changes()
        .filter(state=AccountChangeState.REQUESTED)
        .filter(Q(requested_by=user) | Q(account=user))
        .order_by("requested_at", "pk")
    )


def account_changes_approved() -> QuerySet[AccountChange]:
    """Approved changes waiting for their time, soonest first."""
    return (
        _account_changes().filter(state=AccountChangeState.APPROVED).order_by("effective_at", "pk")
    )


def open_account_changes(account: User) -> QuerySet[AccountChange]:
    """The changes to one account still waiting for approval or to take effect."""
    return (
        _account_changes()
        .filter(account=account, state__in=OPEN_CHANGE_STATES)
        .order_by("requested_at", "pk")
    )


def accounts_with_open_changes(account_ids: list[int]) -> set[int]:
    """Which of these accounts have a change waiting (one query)."""
    return set(
        AccountChange.objects.filter(
            account_id__in=account_ids, state__in=OPEN_CHANGE_STATES
        ).values_list("account_id", flat=True)
    )


def administrators() -> list[User]:
    """Every system administrator's account, active or not (one query): the administrators'
    actions page links to each one's whole audit trail."""
    return list(
        User.objects.filter(groups__name=Role.SYSTEM_ADMINISTRATOR.value)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def administrators_actions() -> QuerySet[AccountChange]:
    """Every change that hands out access, newest first, with who asked and who approved
    (one query a page); the sealed new email is not loaded. Managers and auditors."""
    return _account_changes().defer("new_email").order_by("-requested_at", "-pk")


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
