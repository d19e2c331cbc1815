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


# Strategy discussions for invited partner agencies (issue 9; strategy.partners): the
# discussions, notes and joint enquiries shared with the user's agency, unexpired, in SQL.

DISCUSSION_VIEW = "strategy.view_strategydiscussion"
NOTE_VIEW = "referrals.view_note"
SECTION47_VIEW = "strategy.view_section47"


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


def invited_discussions(user: AnyUser):
    """The discussions shared with the user's agency (or the user), grants unexpired."""
    from accounts.sharing import shared_with
    from strategy.models import StrategyDiscussion

    if not takes_part_in_discussions(user):
        return StrategyDiscussion.objects.none()
    return StrategyDiscussion.objects.filter(
        pk__in=shared_with(user, StrategyDiscussion, DISCUSSION_VIEW)
    )


def contributed_discussions(user: AnyUser):
    """The discussions the user's agency recorded its own part in: a partner keeps seeing
    what it contributed after its grant ends."""
    from strategy.models import StrategyDiscussion

    if not takes_part_in_discussions(user):
        return StrategyDiscussion.objects.none()
    return StrategyDiscussion.objects.filter(
        participants__agency_id=user.agency_id, participants__recorded_by__isnull=False
    )


def visible_discussion_notes(user: AnyUser, discussion):
    """A discussion's notes a partner sees: shared with its agency, or written by it."""
    from django.db.models import Q

    from accounts.sharing import shared_with
    from referrals.models import Note

    if not takes_part_in_discussions(user):
        return Note.objects.none()
    return Note.objects.filter(discussion=discussion).filter(
        Q(pk__in=shared_with(user, Note, NOTE_VIEW)) | Q(author__agency_id=user.agency_id)
    )


def shared_enquiries(user: AnyUser):
    """The joint section 47 enquiries shared with the user's police force, unexpired."""
    from accounts.sharing import shared_with
    from strategy.models import Section47

    if not takes_part_in_discussions(user):
        return Section47.objects.none()
    return Section47.objects.filter(pk__in=shared_with(user, Section47, SECTION47_VIEW))


# Information sharing records (issue 9): the managers' list, ending a share, and recording a
# decision not to share from a child's page.


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


# Partner referrals (issue 9; referrals.partner_referrals): a partner sees its own referrals
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


def partner_referrals_for(user: AnyUser):
    """The partner referrals the user follows, in SQL: their own, or for a partner
    safeguarding lead every referral their agency made; none for anyone else."""
    from referrals.partner_referrals import PartnerReferral

    if not makes_referrals(user):
        return PartnerReferral.objects.none()
    if has_right(user, Perm.SEE_AGENCY_WORK):
        return PartnerReferral.objects.filter(agency_id=user.agency_id)
    return PartnerReferral.objects.filter(submitted_by_id=user.pk)


def waiting_partner_referrals(user: AnyUser):
    """Partner referrals not yet recorded as a contact, for those who see case records (the
    front door queue); none for anyone else."""
    from referrals.partner_referrals import PartnerReferral, PartnerReferralState

    if not can_view_case_records(user):
        return PartnerReferral.objects.none()
    return PartnerReferral.objects.filter(state=PartnerReferralState.SUBMITTED)


# Restricted children (issue 9; DESIGN.md "Information sharing and access") -----------------
# A restricted child's record (a staff member's child, say) opens for the people named on its
# allow-list (a plain relation, not guardian) and for anyone who gave a reason less than
# BREAK_GLASS_HOURS ago ("break glass", referrals.restriction_services). Everyone else with
# case-record rights, auditors included, is sent to the break-glass page; partners and the
# system administrator are refused before the question is asked.


class RestrictedRecord(Exception):
    """A case page about a restricted child that is not open to the user:
    `accounts.middleware.RestrictedRecordMiddleware` sends them to the break-glass page."""

    def __init__(self, child_id: int) -> None:
        super().__init__(f"Restricted record FD{child_id:06d}")
        self.child_id = child_id


def live_break_glass(user: AnyUser):
    """The user's break-glass openings that have not expired (a queryset, for subqueries)."""
    from django.utils import timezone

    from referrals.restrictions import BreakGlass

    return BreakGlass.objects.filter(user_id=user.pk or 0, expires_at__gt=timezone.now())


def closed_children(user: AnyUser, child_ids) -> set[int]:
    """The children among `child_ids` (ids, or a queryset of ids used as a subquery) whose
    records are restricted and not open to the user (not on the allow-list, no live
    break-glass opening), in one query."""
    from django.db.models import QuerySet

    from referrals.restrictions import Restriction

    wanted = child_ids
    if not isinstance(child_ids, QuerySet):
        wanted = {pk for pk in child_ids if pk is not None}
        if not wanted:
            return set()
    return set(
        Restriction.objects.filter(child_id__in=wanted)
        .exclude(allowed__pk=user.pk or 0)
        .exclude(child_id__in=live_break_glass(user).values("child_id"))
        .values_list("child_id", flat=True)
    )


def child_is_open_to(user: AnyUser, child) -> bool:
    """A child's record is open unless it is restricted and the user is neither on its
    allow-list nor holding a live break-glass opening (one query)."""
    return not closed_children(user, [getattr(child, "pk", child)])


def require_open(user: AnyUser, *children) -> None:
    """For a case page about `children` (records or ids, or one queryset of ids), after the
    page's own refusals: `RestrictedRecord` for the first one not open to a local authority
    user or an auditor (the break-glass page follows), 404 for anyone else (a partner never
    breaks the glass). One query. The partners' own pages do not ask: what they see of a
    restricted child was shared with their agency by name (accounts.sharing), like the
    allow-list's names."""
    from django.db.models import QuerySet

    if len(children) == 1 and isinstance(children[0], QuerySet):
        ids, closed = None, closed_children(user, children[0])
    else:
        ids = [getattr(child, "pk", child) for child in children]
        closed = closed_children(user, ids)
    if not closed:
        return
    if not can_view_case_records(user):
        raise Http404
    raise RestrictedRecord(min(closed) if ids is None else next(p for p in ids if p in closed))


def closed_to(user: AnyUser, child_field: str = "child"):
    """An expression for `annotate()`: whether the child whose id is at `child_field` is
    restricted and not open to the user, so that a list shows "Restricted record" with no
    query per row."""
    from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

    from referrals.restrictions import Restriction

    restricted = Restriction.objects.filter(child_id=OuterRef(child_field)).exclude(
        allowed__pk=user.pk or 0
    )
    opened = live_break_glass(user).filter(child_id=OuterRef(child_field))
    return ExpressionWrapper(Q(Exists(restricted)) & ~Q(Exists(opened)), BooleanField())


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
