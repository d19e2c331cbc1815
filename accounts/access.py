"""Every access question is answered here; views, services and selectors ask nothing else.

Rights come from the user's roles (Django groups holding `Perm` permissions), never from the
user's agency being the local authority, nor from Django's superuser flag: a superuser with no
role has no right here. DESIGN.md ("Who uses it", "Information sharing and access").
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import User
from accounts.permissions import Perm

_RIGHTS_CACHE = "_front_door_rights"

AnyUser = User | AnonymousUser


def rights(user: AnyUser) -> frozenset[str]:
    """The codenames the user's roles grant; one query, cached on the user object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _RIGHTS_CACHE, None)
    if cached is None:
        cached = frozenset(
            Permission.objects.filter(
                group__user=user,
                content_type__app_label="accounts",
                content_type__model="globalpermission",
            ).values_list("codename", flat=True)
        )
        setattr(user, _RIGHTS_CACHE, cached)
    return cached


def has_right(user: AnyUser, perm: Perm) -> bool:
    """Whether one of the user's roles grants `perm`."""
    return perm.value in rights(user)


def can_view_case_records(user: AnyUser) -> bool:
    """Local authority staff roles and auditors see case records; partners only what is shared."""
    return has_right(user, Perm.VIEW_CASE_RECORDS) or has_right(user, Perm.READ_ALL_CASE_RECORDS)


def can_read_audit_trail(user: AnyUser) -> bool:
    """Managers and auditors read the audit trail (DESIGN.md, "Audit trail")."""
    return has_right(user, Perm.READ_AUDIT_TRAIL)


def can_manage_users(user: AnyUser) -> bool:
    """System administrators manage users and agencies, and see no case content."""
    return has_right(user, Perm.MANAGE_USERS)


def require_case_records_access(user: AnyUser) -> None:
    """403 for a signed-in user whose roles give no access to case pages (the administrator)."""
    if not can_view_case_records(user):
        raise PermissionDenied("Your role does not give access to case records.")


def refuse_case_object(user: AnyUser) -> None:
    """For a case record the user may not see: 403 for the system administrator (no case
    content anywhere), 404 for everyone else, who must not learn that the record exists.

    Partners' own and granted records come with the sharing issue (9)."""
    if can_view_case_records(user):
        return
    if has_right(user, Perm.MANAGE_USERS) or has_right(user, Perm.MANAGE_LOCAL_DATA):
        raise PermissionDenied("The system administrator's role gives no access to case records.")
    raise Http404


def users_with_right(perm: Perm):
    """Active users whose roles grant `perm` (one query; for choosing signers, managers...)."""
    return (
        User.objects.filter(
            is_active=True,
            groups__permissions__codename=perm.value,
            groups__permissions__content_type__app_label="accounts",
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
