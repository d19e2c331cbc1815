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


# The LADO service's inbox (issue 9): the LADO referrals shared with the user's agency.

LADO_VIEW = "referrals.view_ladoreferral"


def uses_lado_inbox(user: AnyUser) -> bool:
    """A partner in an agency of kind LADO (the LADO service) works from the LADO inbox."""
    from accounts.models import Agency

    return (
        has_right(user, Perm.ANSWER_INFORMATION_REQUESTS)
        and not has_right(user, Perm.MANAGE_USERS)
        and user.agency.kind == Agency.Kind.LADO
    )


def refuse_lado_inbox(user: AnyUser) -> None:
    """403 for the system administrator, 404 for everyone else who is not the LADO service
    (other partners and the local authority's own staff, who have their own pages)."""
    if uses_lado_inbox(user):
        return
    if has_right(user, Perm.MANAGE_USERS) or has_right(user, Perm.MANAGE_LOCAL_DATA):
        raise PermissionDenied("The system administrator's role gives no access to case records.")
    raise Http404


def lado_referrals_for(user: AnyUser, queryset):
    """The LADO referrals of `queryset` shared with the user's LADO service, unexpired, in
    SQL (accounts.sharing.shared_with); none for anyone else."""
    from accounts.sharing import shared_with

    if not uses_lado_inbox(user):
        return queryset.none()
    return queryset.filter(
        agency_id=user.agency_id, pk__in=shared_with(user, queryset.model, LADO_VIEW)
    )


INFORMATION_REQUEST_PERMISSION = "referrals.view_informationrequest"


def visible_information_requests(user: AnyUser):
    """The information requests shared with the user's agency (or the user), unexpired, as a
    queryset filtered in SQL (accounts.sharing.shared_with); none without the right to answer."""
    from accounts.sharing import shared_with
    from referrals.requests import InformationRequest

    if not has_right(user, Perm.ANSWER_INFORMATION_REQUESTS):
        return InformationRequest.objects.none()
    return InformationRequest.objects.filter(
        pk__in=shared_with(user, InformationRequest, INFORMATION_REQUEST_PERMISSION)
    )


def refuse_information_request(user: AnyUser) -> None:
    """The partner's answer page: 403 for the system administrator and for local authority
    staff (who use the decision page: only the agency asked answers it); a partner without the
    grant gets 404 from the visible queryset."""
    if has_right(user, Perm.MANAGE_USERS) or has_right(user, Perm.MANAGE_LOCAL_DATA):
        raise PermissionDenied("The system administrator's role gives no access to case records.")
    if can_view_case_records(user):
        raise PermissionDenied("Only the agency asked answers it.")
    if not has_right(user, Perm.ANSWER_INFORMATION_REQUESTS):
        raise Http404
