"""The access gate: every question about who may see or do what with a case record is
answered here, and views, services and selectors ask nothing else (CONVENTIONS.md,
"Permissions: one gate, one grantor").

What a role may do is `accounts.rights` (the foundation, which knows no case model); this
module re-exports those answers so that case code asks one place, and adds the questions
about case records themselves: what is shared with a partner, in SQL through
`accounts.sharing.shared_with`, and restricted children (DESIGN.md "Information sharing and
access").
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, ExpressionWrapper, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Perm
from accounts.rights import (
    CHRONOLOGY_VIEW,
    DISCUSSION_VIEW,
    INFORMATION_REQUEST_PERMISSION,
    LADO_VIEW,
    NOTE_VIEW,
    SECTION47_VIEW,
    AnyUser,
    can_end_sharing,
    can_manage_users,
    can_prepare_returns,
    can_read_audit_trail,
    can_read_reports,
    can_read_restricted_records,
    can_read_sharing_records,
    can_record_not_shared,
    can_restrict_records,
    can_view_case_records,
    has_right,
    makes_referrals,
    may_be_named_on_restriction,
    refuse_case_object,
    refuse_information_request,
    refuse_lado_inbox,
    refuse_my_referrals,
    refuse_partner_pages,
    refuse_restricted_records,
    refuse_sharing_records,
    require_case_records_access,
    require_reports_reader,
    rights,
    takes_part_in_discussions,
    users_who_may_be_named,
    users_with_right,
    uses_lado_inbox,
)
from accounts.sharing import shared_with
from casework.references import child_reference
from notes.models import Note, SharedChronologyEntry
from quality.models import QualityAudit
from referrals.models import Child
from referrals.models.information_requests import InformationRequest
from referrals.models.partner_referrals import PartnerReferral, PartnerReferralState
from referrals.models.restrictions import BreakGlass, Restriction
from strategy.models import Section47, StrategyDiscussion

__all__ = [
    "CHRONOLOGY_VIEW",
    "DISCUSSION_VIEW",
    "INFORMATION_REQUEST_PERMISSION",
    "LADO_VIEW",
    "MANAGES_LOCAL_DATA",
    "NOTE_VIEW",
    "PREPARES_RETURNS",
    "RECORDS_CONTACTS",
    "ROLE_REFUSAL",
    "RUNS_ENQUIRIES",
    "SECTION47_VIEW",
    "SIGNS_OFF_OUTCOMES",
    "AnyUser",
    "RestrictedRecord",
    "can_assign_quality_audits",
    "can_end_sharing",
    "can_manage_users",
    "can_prepare_returns",
    "can_read_audit_trail",
    "can_read_reports",
    "can_read_restricted_records",
    "can_read_sharing_records",
    "can_record_not_shared",
    "can_restrict_records",
    "can_view_case_records",
    "child_is_open_to",
    "closed_children",
    "closed_to",
    "contributed_discussions",
    "get_case_record_for_user",
    "get_child_for_census",
    "get_child_for_user",
    "get_quality_audit_for_user",
    "has_right",
    "invited_discussions",
    "lado_referrals_for",
    "live_break_glass",
    "makes_referrals",
    "may_be_named_on_restriction",
    "partner_referrals_for",
    "refuse_case_object",
    "refuse_information_request",
    "refuse_lado_inbox",
    "refuse_my_referrals",
    "refuse_partner_pages",
    "refuse_restricted_records",
    "refuse_sharing_records",
    "require_case_records_access",
    "require_open",
    "require_reports_reader",
    "require_right",
    "restricted_children_closed_to",
    "rights",
    "shared_enquiries",
    "takes_part_in_discussions",
    "users_who_may_be_named",
    "users_with_right",
    "uses_lado_inbox",
    "visible_discussion_notes",
    "visible_information_requests",
    "visible_quality_audits",
    "visible_shared_chronology",
    "waiting_partner_referrals",
]


def lado_referrals_for(user: User, queryset):
    """The LADO referrals of `queryset` shared with the user's LADO service, unexpired, in
    SQL (accounts.sharing.shared_with); none for anyone else."""
    if not uses_lado_inbox(user):
        return queryset.none()
    return queryset.filter(
        agency_id=user.agency_id, pk__in=shared_with(user, queryset.model, LADO_VIEW)
    )


def visible_information_requests(user: AnyUser):
    """The information requests shared with the user's agency (or the user), unexpired, as a
    queryset filtered in SQL (accounts.sharing.shared_with); none without the right to answer."""
    if not has_right(user, Perm.ANSWER_INFORMATION_REQUESTS):
        return InformationRequest.objects.none()
    return InformationRequest.objects.filter(
        pk__in=shared_with(user, InformationRequest, INFORMATION_REQUEST_PERMISSION)
    )


def invited_discussions(user: AnyUser):
    """The discussions shared with the user's agency (or the user), grants unexpired."""
    if not takes_part_in_discussions(user):
        return StrategyDiscussion.objects.none()
    return StrategyDiscussion.objects.filter(
        pk__in=shared_with(user, StrategyDiscussion, DISCUSSION_VIEW)
    )


def contributed_discussions(user: User):
    """The discussions the user's agency recorded its own part in: a partner keeps seeing
    what it contributed after its grant ends."""
    if not takes_part_in_discussions(user):
        return StrategyDiscussion.objects.none()
    return StrategyDiscussion.objects.filter(
        participants__agency_id=user.agency_id, participants__recorded_by__isnull=False
    )


def visible_discussion_notes(user: User, discussion):
    """A discussion's notes a partner sees: shared with its agency, or written by it."""
    if not takes_part_in_discussions(user):
        return Note.objects.none()
    return Note.objects.filter(discussion=discussion).filter(
        Q(pk__in=shared_with(user, Note, NOTE_VIEW)) | Q(author__agency_id=user.agency_id)
    )


def visible_shared_chronology(user: User, discussion):
    """The chronology entries shared into a discussion that a partner sees: exactly those
    shared with its agency, unexpired (issue 20)."""
    if not takes_part_in_discussions(user):
        return SharedChronologyEntry.objects.none()
    return SharedChronologyEntry.objects.filter(
        discussion=discussion, pk__in=shared_with(user, SharedChronologyEntry, CHRONOLOGY_VIEW)
    )


def shared_enquiries(user: AnyUser):
    """The joint section 47 enquiries shared with the user's police force, unexpired."""
    if not takes_part_in_discussions(user):
        return Section47.objects.none()
    return Section47.objects.filter(pk__in=shared_with(user, Section47, SECTION47_VIEW))


def partner_referrals_for(user: User):
    """The partner referrals the user follows, in SQL: their own, or for a partner
    safeguarding lead every referral their agency made; none for anyone else."""
    if not makes_referrals(user):
        return PartnerReferral.objects.none()
    if has_right(user, Perm.SEE_AGENCY_WORK):
        return PartnerReferral.objects.filter(agency_id=user.agency_id)
    return PartnerReferral.objects.filter(submitted_by_id=user.pk)


def waiting_partner_referrals(user: AnyUser):
    """Partner referrals not yet recorded as a contact, for those who see case records (the
    front door queue); none for anyone else."""
    if not can_view_case_records(user):
        return PartnerReferral.objects.none()
    return PartnerReferral.objects.filter(state=PartnerReferralState.SUBMITTED)


# Restricted children (issue 9; DESIGN.md "Information sharing and access") -----------------
# A restricted child's record (a staff member's child, say) opens for the people named on its
# allow-list (a plain relation, not guardian) and for anyone who gave a reason less than
# BREAK_GLASS_HOURS ago ("break glass", referrals.services.restrictions). Everyone else with
# case-record rights, auditors included, is sent to the break-glass page; partners and the
# system administrator are refused before the question is asked.


class RestrictedRecord(Exception):
    """A case page about a restricted child that is not open to the user:
    `accounts.middleware.RestrictedRecordMiddleware` sends them to the break-glass page."""

    def __init__(self, child_id: int) -> None:
        super().__init__(f"Restricted record {child_reference(child_id)}")
        self.child_id = child_id


def live_break_glass(user: AnyUser):
    """The user's break-glass openings that have not expired (a queryset, for subqueries)."""

    return BreakGlass.objects.filter(user_id=user.pk or 0, expires_at__gt=timezone.now())


def _not_open(user: AnyUser, restrictions: QuerySet) -> QuerySet:
    """The restrictions that keep their record closed to the user: not on the allow-list, and
    no live break-glass opening given since the restriction began (an opening of an earlier,
    lifted restriction does not open the record restricted again)."""
    opened = live_break_glass(user).filter(
        child_id=OuterRef("child_id"), opened_at__gte=OuterRef("restricted_at")
    )
    return restrictions.exclude(allowed__pk=user.pk or 0).exclude(Exists(opened))


def closed_children(user: AnyUser, child_ids) -> set[int]:
    """The children among `child_ids` (ids, or a queryset of ids used as a subquery) whose
    records are restricted (an active restriction) and not open to the user (not on the
    allow-list, no live break-glass opening since it was restricted), in one query."""

    wanted = child_ids
    if not isinstance(child_ids, QuerySet):
        wanted = {pk for pk in child_ids if pk is not None}
        if not wanted:
            return set()
    return set(
        _not_open(user, Restriction.objects.active().filter(child_id__in=wanted)).values_list(
            "child_id", flat=True
        )
    )


def restricted_children_closed_to(user: AnyUser) -> set[int]:
    """Every restricted child whose record is not open to the user, in one query (restrictions
    are few): what a page listing many records (the audit trail) shows as "Restricted
    record"."""
    return set(_not_open(user, Restriction.objects.active()).values_list("child_id", flat=True))


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

    closed = _not_open(user, Restriction.objects.active().filter(child_id=OuterRef(child_field)))
    return ExpressionWrapper(Q(Exists(closed)), BooleanField())


# Getters: the record a page is about, asked in the order that tells nobody more than they may
# know (CONVENTIONS.md, "Permissions: one gate"). Views call these instead of repeating the
# refusals; a page's own queryset (with what it prefetches) may be passed as `records`.

ROLE_REFUSAL = "Your role does not allow this."
RECORDS_CONTACTS = "Your role does not record contacts."
MANAGES_LOCAL_DATA = "Only system administrators manage local data."
RUNS_ENQUIRIES = "Your role does not run section 47 enquiries."
SIGNS_OFF_OUTCOMES = "Only managers sign off or return outcomes."


MANAGES_PLANS = "Only conference chairs and managers record a plan's reviews and end."
PREPARES_RETURNS = "Only data officers and managers keep census details and make the returns."


def can_manage_plans(user: AnyUser) -> bool:
    """A child protection plan's reviews and end: the conference chair or a manager
    (DOMAIN.md "CP plan"; DESIGN.md "Who uses it")."""
    return has_right(user, Perm.CHAIR_CONFERENCES) or has_right(user, Perm.SIGN_OFF_DECISIONS)


def require_manages_plans(user: AnyUser) -> None:
    """403 in plain words unless `can_manage_plans`."""
    if not can_manage_plans(user):
        raise PermissionDenied(MANAGES_PLANS)


def require_right(user: AnyUser, perm: Perm, refusal: str = ROLE_REFUSAL) -> None:
    """403 with `refusal`, in plain words, unless one of the user's roles grants `perm`."""
    if not has_right(user, perm):
        raise PermissionDenied(refusal)


def _children_of(record: Model) -> list[int]:
    if isinstance(record, Child):
        return [record.pk]
    return [record.child_id]  # type: ignore[attr-defined]  # every other case record belongs to a child


def get_case_record_for_user(
    user: AnyUser, records, *, right: Perm | None = None, refusal: str = ROLE_REFUSAL,
    children=_children_of, **lookup,
):  # fmt: skip
    """The case record `lookup` names among `records` (a model or a queryset): 404 for a
    partner, who must not learn that it exists, and 403 for the system administrator, before
    anything is looked up; then 403 without `right` (a real and a missing id answer alike);
    404 when there is no such record; then the break glass for a restricted child
    (`RestrictedRecord`). `children` gives the ids of the children the record is about."""
    refuse_case_object(user)
    if right is not None:
        require_right(user, right, refusal)
    record = get_object_or_404(records, **lookup)
    require_open(user, *children(record))
    return record


def get_child_for_user(user: AnyUser, pk: int, *, right: Perm | None = None,
                       refusal: str = ROLE_REFUSAL, records=Child) -> Child:  # fmt: skip
    """A child's record for a page about the child (see `get_case_record_for_user`)."""
    return get_case_record_for_user(user, records, right=right, refusal=refusal, pk=pk)


def get_child_for_census(user: AnyUser, pk: int) -> Child:
    """A child's census details (issue 22): 403 without the returns right, before anything
    is looked up; 404 for no such child; then a restricted child not open to the user sends
    a case-record role to the break glass and is a 404 for the data officer, who never
    breaks the glass (restricted children by reference only)."""
    require_right(user, Perm.PREPARE_RETURNS, PREPARES_RETURNS)
    child = get_object_or_404(Child, pk=pk)
    require_open(user, child)
    return child


# Quality audits (issue 21) --------------------------------------------------------------------


def can_assign_quality_audits(user: AnyUser) -> bool:
    """Managers assign quality audits (issue 21)."""
    return has_right(user, Perm.SIGN_OFF_DECISIONS) and can_read_reports(user)


def visible_quality_audits(user: AnyUser) -> QuerySet[QualityAudit]:
    """Managers and auditors see every quality audit; anyone else with case records sees the
    audits of their own work and those assigned to them; nobody else any (in SQL)."""
    if can_read_reports(user):
        return QualityAudit.objects.all()
    if not can_view_case_records(user):
        return QualityAudit.objects.none()
    return QualityAudit.objects.filter(Q(worker_id=user.pk) | Q(auditor_id=user.pk))


def get_quality_audit_for_user(user: AnyUser, pk: int) -> QualityAudit:
    """One quality audit: 403 for the system administrator, 404 for partners and for anyone
    whose work it is not (they must not learn it exists); the break glass for an audit of a
    restricted child's work."""
    refuse_case_object(user)
    audit = get_object_or_404(
        visible_quality_audits(user).select_related(
            "worker", "auditor", "assigned_by", "team", "contact_child", "referral",
            "discussion", "section47",
        ),
        pk=pk,
    )  # fmt: skip
    # The audit of a restricted child's work is behind the same break glass as the work.
    if audit.discussion is not None:
        require_open(user, audit.discussion.children.values("child_id"))
    else:
        subject = audit.contact_child or audit.referral or audit.section47
        if subject is not None:
            require_open(user, subject.child_id)
    return audit
