"""Section 47 enquiries and initial conferences: propose, sign off or return the outcome
(closing the enquiry when no conference is needed), the chair's independence, and the
conference's record. Each action checks the actor's right, enforces the journey's rules, calls
the transition, saves and audits it in one transaction (DESIGN.md "The journey"; DOMAIN.md
"Section 47 enquiries, ICPC, CP plan").
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Agency, User
from accounts.permissions import Perm
from casework import transitions
from casework.errors import RuleBroken
from casework.locking import locked
from casework.transitions import audit_transition, require_right
from referrals.codes import CategoryOfAbuse
from referrals.models import Allocation
from referrals.models.contacts import ContactDecision
from referrals.models.episodes import Assessment, ReferralDecision
from strategy.models import (
    EnquiryOutcome,
    EnquiryOutcomeDecision,
    InitialConference,
    Section47,
    Section47State,
    StrategyDiscussion,
)
from strategy.services.partners import (
    refresh_enquiry_expiry,
)
from strategy.services.plans import plan_start

# The review of an enquiry's outcome (casework.transitions): it waits for a manager other than
# its proposer.
ENQUIRY_OUTCOME = transitions.Review(
    model=Section47, propose_right=Perm.RUN_SECTION_47_ENQUIRIES,
    open_state=Section47State.OPEN, waiting_state=Section47State.OUTCOME_PROPOSED,
    propose_transition="propose_outcome", sign_off_transition="sign_off_outcome",
    return_transition="return_outcome",
    not_open="An outcome can be proposed only while the enquiry is open",
    waiting="a proposed outcome", did="proposed this outcome",
    author_id=lambda section47: section47.current_outcome.proposed_by_id,
    proposal=lambda section47: section47.current_outcome, proposal_field="current_outcome",
)  # fmt: skip


@transaction.atomic
def section47_outcome_propose(
    *, by: User, section47: Section47, outcome: str, rationale: str
) -> EnquiryOutcomeDecision:
    """Propose the enquiry's outcome with its rationale (DOMAIN.md "Section 47 enquiries")."""

    def rules(current: Section47) -> None:
        if outcome not in EnquiryOutcome.values:
            raise RuleBroken("Choose the outcome of the enquiry")
        if not rationale.strip():
            raise RuleBroken("Give the rationale for the outcome")

    _, decision = transitions.propose(
        ENQUIRY_OUTCOME, by=by, record=section47, rules=rules,
        create=lambda current: EnquiryOutcomeDecision.objects.create(
            section47=current, outcome=outcome, rationale=rationale, proposed_by=by
        ),
        reason=lambda decision: decision.outcome,
    )  # fmt: skip
    return decision


@transaction.atomic
def section47_outcome_sign_off(*, by: User, section47: Section47, comment: str = "") -> Section47:
    """A manager other than the proposer signs the outcome off. Without continuing risk the
    enquiry closes with 'conference not required' (`ICPCnotRequired`)."""
    current = transitions.sign_off(ENQUIRY_OUTCOME, by=by, record=section47, comment=comment)
    if current.outcome != EnquiryOutcome.CONTINUING_RISK:
        source = current.state
        current.close_without_conference(by=by)
        current.save()
        audit_transition(by, current, source, "close_without_conference")
        refresh_enquiry_expiry(current)
    return current


@transaction.atomic
def section47_outcome_return(*, by: User, section47: Section47, comment: str) -> Section47:
    """A manager returns the proposed outcome with a comment; it is kept."""
    return transitions.return_for_changes(ENQUIRY_OUTCOME, by=by, record=section47, comment=comment)


def chair_conflicts(user: User, child_id: int) -> list[str]:
    """DESIGN.md: a conference chair is never the child's allocated worker, that worker's
    team manager, nor anyone who proposed or signed off a decision for the child."""

    conflicts = []
    allocation = (
        Allocation.objects.filter(child_id=child_id, ended_at__isnull=True)
        .select_related("team")
        .first()
    )
    if allocation is not None and allocation.worker_id == user.pk:
        conflicts.append("you are the child's allocated worker")
    if allocation is not None and allocation.team.manager_id == user.pk:
        conflicts.append("you manage the allocated worker's team")
    by_user = Q(proposed_by=user) | Q(reviewed_by=user)
    decided = (
        ContactDecision.objects.filter(by_user, contact_child__child_id=child_id).exists()
        or ReferralDecision.objects.filter(by_user, referral__child_id=child_id).exists()
        or EnquiryOutcomeDecision.objects.filter(by_user, section47__child_id=child_id).exists()
        or StrategyDiscussion.objects.filter(
            Q(recorded_by=user) | Q(reviewed_by=user), children__child_id=child_id
        ).exists()
        or Assessment.objects.filter(
            Q(completed_by=user) | Q(authorised_by=user), child_id=child_id
        ).exists()
    )
    if decided:
        conflicts.append("you proposed or signed off a decision for the child")
    return conflicts


@transaction.atomic
def conference_record(
    *, by: User, section47: Section47, held_on: date, agencies: list[Agency], plan: bool,
    category: str = "", summary: str = "",
) -> InitialConference:  # fmt: skip
    """The chair records the initial conference: independent of the child's work, not before
    the enquiry started (rule 8615), not on a weekend (8875); a plan has its category."""
    require_right(by, Perm.CHAIR_CONFERENCES)
    current = locked(Section47, section47)
    if current.state != Section47State.OUTCOME_SIGNED_OFF or not current._conference_needed():
        raise RuleBroken(
            "A conference is recorded only after a signed-off outcome of continuing risk"
        )
    conflicts = chair_conflicts(by, current.child_id)
    if conflicts:
        raise RuleBroken("You cannot chair this conference: " + " and ".join(conflicts))
    if held_on < current.start_date:
        raise RuleBroken("The conference cannot be before the section 47 enquiry started")
    if held_on > timezone.localdate():
        raise RuleBroken("The conference date cannot be in the future")
    if held_on.weekday() >= 5:
        raise RuleBroken("An initial conference is not held on a weekend")
    if plan and category not in CategoryOfAbuse.values:
        raise RuleBroken("Choose the category of abuse for the plan")
    if not plan and category:
        raise RuleBroken("A category of abuse is recorded only with a plan")
    source = current.state
    current.hold_conference(by=by)
    current.save()
    conference = InitialConference.objects.create(
        section47=current, child_id=current.child_id, held_on=held_on, chair=by, plan=plan,
        category=category if plan else "", summary=summary, recorded_by=by,
    )  # fmt: skip
    conference.agencies_attending.set(agencies)
    if plan:
        plan_start(conference=conference)
    audit_transition(by, current, source, "hold_conference", reason="plan" if plan else "no plan")
    refresh_enquiry_expiry(current)
    return conference
