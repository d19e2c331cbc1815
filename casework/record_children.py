"""Which children each audited record is about, whatever app its model lives in: what the
restricted-record rule asks of a record that is not a child (a contact, a decision, a parent,
a discussion...), so that a page about it, its audit trail included, is behind the same break
glass as the child's own page (issue 16; DESIGN.md "Information sharing and access").

`CHILD_LOOKUPS` names, for every model registered with the audit trail, the lookups from a row
to the ids of the children it concerns (empty for a model about no child: users, agencies,
local data). `tests/architecture/test_record_children.py` fails for a registered model missing
here, so a new case model must say which children it is about.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Model

from accounts.models import AccountChange, Agency, User
from accounts.sharing import SharingRecord
from casework.references import child_id_from_reference, child_reference
from notes.models import ChronologyEntry, Note, SharedChronologyEntry
from quality.models import AuditQuestion, QualityAudit, QualityAuditAction, QualityAuditAnswer
from referrals.models import (
    Allocation,
    Assessment,
    BreakGlass,
    Child,
    ClosureDay,
    Contact,
    ContactChild,
    ContactDecision,
    DutyManager,
    Household,
    InformationRequest,
    LadoReferral,
    LevelOfNeed,
    PartnerReferral,
    PartnerReferralChild,
    Person,
    Referral,
    ReferralDecision,
    Relationship,
    Restriction,
    ScreeningNotesVersion,
    Team,
)
from strategy.models import (
    Action,
    ChildProtectionPlan,
    DiscussionChild,
    DiscussionRecordVersion,
    EnquiryOutcomeDecision,
    InitialConference,
    Participant,
    PlanReview,
    Section47,
    StrategyDiscussion,
)

# A lookup ending in "child_ref" gives a child's reference ("FD000008"), any other its id.
REFERENCE = "child_ref"

CHILD_LOOKUPS: dict[type[Model], tuple[str, ...]] = {
    # About no child.
    Agency: (),
    User: (),
    AccountChange: (),
    LevelOfNeed: (),
    Team: (),
    DutyManager: (),
    ClosureDay: (),
    AuditQuestion: (),
    # The child itself, and records that belong to one child.
    Child: ("pk",),
    Allocation: ("child",),
    Assessment: ("child",),
    BreakGlass: ("child",),
    ContactChild: ("child",),
    InformationRequest: ("child",),
    LadoReferral: ("child",),
    Note: ("child",),
    ChronologyEntry: ("child",),
    SharedChronologyEntry: ("child",),
    Referral: ("child",),
    Relationship: ("child",),
    Restriction: ("child",),
    DiscussionChild: ("child",),
    InitialConference: ("child",),
    ChildProtectionPlan: ("child",),
    PlanReview: ("plan__child",),
    Section47: ("child",),
    ContactDecision: ("contact_child__child",),
    ScreeningNotesVersion: ("contact_child__child",),
    ReferralDecision: ("referral__child",),
    EnquiryOutcomeDecision: ("section47__child",),
    SharingRecord: (REFERENCE,),
    # Records about several children: every one of them.
    Contact: ("children__child",),
    Household: ("children",),
    Person: ("relationships__child", "households__children", "contacts__children__child"),
    StrategyDiscussion: ("children__child",),
    Participant: ("discussion__children__child",),
    Action: ("discussion__children__child",),
    DiscussionRecordVersion: ("discussion__children__child",),
    PartnerReferral: ("contact__children__child",),
    PartnerReferralChild: ("referral__contact__children__child",),
    # A quality audit is about the children of the work it audits.
    QualityAudit: (
        "contact_child__child",
        "referral__child",
        "discussion__children__child",
        "section47__child",
    ),
    QualityAuditAnswer: (
        "audit__contact_child__child",
        "audit__referral__child",
        "audit__discussion__children__child",
        "audit__section47__child",
    ),
    QualityAuditAction: (
        "audit__contact_child__child",
        "audit__referral__child",
        "audit__discussion__children__child",
        "audit__section47__child",
    ),
}


def is_mapped(model: type[Model]) -> bool:
    """Whether `CHILD_LOOKUPS` says which children the model's records are about."""
    return model in CHILD_LOOKUPS


def may_concern_children(model: type[Model]) -> bool:
    """Whether a record of `model` can be about a child (an unknown model is assumed to be)."""
    return CHILD_LOOKUPS.get(model, ("?",)) != ()


def children_of(
    model: type[Model], pks: Iterable[str], *, among: Iterable[int] | None = None
) -> dict[str, set[int]]:
    """The ids of the children each record of `model` (by primary key, as the audit trail
    stores it) is about. With `among` (a few children: the restricted ones), only those, and
    the query starts from them rather than from the records, however many those are. One
    query per lookup of the model."""
    wanted = {str(pk) for pk in pks}
    lookups = CHILD_LOOKUPS.get(model, ())
    found: dict[str, set[int]] = defaultdict(set)
    children = None if among is None else set(among)
    if not wanted or not lookups or children == set():
        return found
    for lookup in lookups:
        rows = model._default_manager.all()
        if children is None:
            rows = rows.filter(pk__in=[pk for pk in wanted if pk.isdigit()])
        elif lookup == REFERENCE:
            rows = rows.filter(**{f"{lookup}__in": [child_reference(pk) for pk in children]})
        else:
            rows = rows.filter(**{f"{lookup}__in": children})
        for pk, value in rows.values_list("pk", lookup):
            child_id = child_id_from_reference(value or "") if lookup == REFERENCE else value
            if child_id is None or str(pk) not in wanted:
                continue
            if children is None or child_id in children:
                found[str(pk)].add(child_id)
    return found
