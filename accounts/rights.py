"""What each role may do: the rights the user's roles grant, and the questions that need no
case record. The access gate over case records is `casework.access`, which re-exports these
so that case code asks one place; `accounts` itself (sign-in, administration, sharing) asks
here, since the foundation knows no case model.

Rights come from the user's roles (Django groups holding `Perm` permissions), never from the
user's agency being the local authority, nor from Django's superuser flag: a superuser with no
role has no right here. DESIGN.md ("Who uses it", "Information sharing and access").
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from accounts.models import Agency, User
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


def can_prepare_returns(user: AnyUser) -> bool:
    """Data officers and managers keep census details and make the statutory returns (issue 22;
    DOMAIN.md "CIN census", "Ofsted Annex A")."""
    return has_right(user, Perm.PREPARE_RETURNS)


def can_manage_users(user: AnyUser) -> bool:
    """System administrators manage users and agencies, and see no case content."""
    return has_right(user, Perm.MANAGE_USERS)


def is_named_approving_manager(user: AnyUser) -> bool:
    """The manager named by `ACCOUNT_CHANGE_APPROVING_MANAGER` (where the authority has one
    system administrator), while they hold the manager's right to sign off."""
    return (
        bool(settings.ACCOUNT_CHANGE_APPROVING_MANAGER)
        and user.is_authenticated
        and user.get_username() == settings.ACCOUNT_CHANGE_APPROVING_MANAGER
        and has_right(user, Perm.SIGN_OFF_DECISIONS)
    )


def can_approve_account_changes(user: AnyUser) -> bool:
    """System administrators, and the named manager, approve changes that hand out access
    (issue 16); the services add who may not approve which change."""
    return can_manage_users(user) or is_named_approving_manager(user)


def require_account_change_approver(user: AnyUser) -> None:
    """403 for everyone who does not approve account changes."""
    if not can_approve_account_changes(user):
        raise PermissionDenied("Only system administrators and the named manager approve this.")


def account_change_approvers():
    """Active users who approve account changes: administrators and the named manager."""
    who = Q(pk__in=users_with_right(Perm.MANAGE_USERS).values("pk"))
    name = settings.ACCOUNT_CHANGE_APPROVING_MANAGER
    if name:
        managers = users_with_right(Perm.SIGN_OFF_DECISIONS).filter(username=name)
        who |= Q(pk__in=managers.values("pk"))
    return User.objects.filter(who, is_active=True).order_by("first_name", "last_name", "username")


def can_read_administrators_actions(user: AnyUser) -> bool:
    """Managers and auditors read what administrators asked for and approved (issue 16)."""
    return has_right(user, Perm.READ_AUDIT_TRAIL)


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
    return (
        user.is_authenticated  # no one signed out has a right; this tells the type checker
        and has_right(user, Perm.ANSWER_INFORMATION_REQUESTS)
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


INFORMATION_REQUEST_PERMISSION = "referrals.view_informationrequest"


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


# Strategy discussions for invited partner agencies (issue 9; strategy.services.partners): the
# discussions, notes and joint enquiries shared with the user's agency, unexpired, in SQL.

DISCUSSION_VIEW = "strategy.view_strategydiscussion"
NOTE_VIEW = "notes.view_note"
SECTION47_VIEW = "strategy.view_section47"
# The chronology entries a worker shares into a discussion (issue 20).
CHRONOLOGY_VIEW = "notes.view_sharedchronologyentry"


def takes_part_in_discussions(user: AnyUser) -> bool:
    """Partner practitioners and leads take part in the discussions they are invited to."""
    return has_right(user, Perm.TAKE_PART_IN_STRATEGY_DISCUSSIONS) and not has_right(
        user, Perm.MANAGE_USERS
    )


def refuse_partner_pages(user: AnyUser) -> None:
    """The partners' own pages: 403 for the system administrator and for local authority
    staff (who have the case pages); 404 for anyone else without the right."""
    if has_right(user, Perm.MANAGE_USERS) or has_right(user, Perm.MANAGE_LOCAL_DATA):
        raise PermissionDenied("The system administrator's role gives no access to case records.")
    if can_view_case_records(user):
        raise PermissionDenied("These pages are for partner agencies.")
    if not takes_part_in_discussions(user):
        raise Http404


def can_read_sharing_records(user: AnyUser) -> bool:
    """Managers and auditors read every sharing record (DESIGN.md "Information sharing")."""
    return has_right(user, Perm.SIGN_OFF_DECISIONS) or has_right(user, Perm.READ_ALL_CASE_RECORDS)


def can_end_sharing(user: AnyUser) -> bool:
    """Managers end a live share before its time; auditors only read."""
    return has_right(user, Perm.SIGN_OFF_DECISIONS)


def can_record_not_shared(user: AnyUser) -> bool:
    """Those who ask partners for information record decisions not to share with them."""
    return has_right(user, Perm.REQUEST_INFORMATION)


def refuse_sharing_records(user: AnyUser, *, to_end: bool = False) -> None:
    """The sharing records pages: 404 for partners, 403 for the system administrator and for
    local authority staff whose role does not read them (or, with `to_end`, end them)."""
    if can_end_sharing(user):
        return
    if can_read_sharing_records(user) and not to_end:
        return
    refuse_case_object(user)
    if to_end:
        raise PermissionDenied("Only managers end sharing.")
    raise PermissionDenied("Only managers and auditors read the information sharing records.")


# Partner referrals (issue 9; referrals.models.partner_referrals): a partner sees its own referrals
# (a safeguarding lead, every referral its agency made), by ownership, in SQL; the front door
# sees those waiting to be recorded. Status and feedback only, never the LA's screening.


def makes_referrals(user: AnyUser) -> bool:
    """Partner practitioners and leads make referrals and follow them on "My referrals"."""
    return (
        has_right(user, Perm.MAKE_REFERRALS)
        and not has_right(user, Perm.MANAGE_USERS)
        and not can_view_case_records(user)
    )


def refuse_my_referrals(user: AnyUser) -> None:
    """The partner's referral pages: 403 for the system administrator and for local
    authority staff (who see partner referrals in the front door queue); 404 for anyone
    else without the right to make referrals."""
    if has_right(user, Perm.MANAGE_USERS) or has_right(user, Perm.MANAGE_LOCAL_DATA):
        raise PermissionDenied("The system administrator's role gives no access to case records.")
    if can_view_case_records(user):
        raise PermissionDenied("Referrals from partner agencies are in the front door queue.")
    if not makes_referrals(user):
        raise Http404


def can_restrict_records(user: AnyUser) -> bool:
    """Managers restrict a child's record, name who may open it, and lift the restriction."""
    return has_right(user, Perm.SIGN_OFF_DECISIONS)


def can_read_restricted_records(user: AnyUser) -> bool:
    """Managers and auditors read the restricted records and every break-glass opening."""
    return has_right(user, Perm.SIGN_OFF_DECISIONS) or has_right(user, Perm.READ_ALL_CASE_RECORDS)


def refuse_restricted_records(user: AnyUser) -> None:
    """The restricted records list: 404 for partners, 403 for the system administrator and
    for local authority staff who are neither managers nor auditors."""
    if can_read_restricted_records(user):
        return
    refuse_case_object(user)
    raise PermissionDenied("Only managers and auditors read the restricted records.")


def may_be_named_on_restriction(user: AnyUser) -> bool:
    """Only people who see case records (local authority staff, auditors) can be named on a
    restricted record's allow-list."""
    return user.is_active and can_view_case_records(user)


def users_who_may_be_named():
    """Active users whose roles see case records: whom a restriction may name (one query)."""
    return (
        User.objects.filter(
            is_active=True,
            groups__permissions__codename__in=[
                Perm.VIEW_CASE_RECORDS.value,
                Perm.READ_ALL_CASE_RECORDS.value,
            ],
            groups__permissions__content_type__app_label="accounts",
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def can_read_reports(user: AnyUser) -> bool:
    """Managers and auditors read the management reports and carry out quality audits
    (DESIGN.md "Oversight and returns"; issue 21)."""
    return has_right(user, Perm.READ_REPORTS)


def require_reports_reader(user: AnyUser) -> None:
    """403 for every role without the reports (partners included: not a case record)."""
    if not can_read_reports(user):
        raise PermissionDenied("Only managers and auditors read the reports.")
