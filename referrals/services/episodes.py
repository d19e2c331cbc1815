"""The referral's episode: next steps, assessments and closure (DOMAIN.md "CIN census")."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Perm
from casework import safety, transitions
from casework.errors import RuleBroken
from casework.locking import locked
from casework.transitions import audit_transition, four_eyes, require_right
from referrals.codes import ReasonForClosure, validate_assessment_factors
from referrals.models import (
    Referral,
)
from referrals.models.episodes import (
    OPEN_REFERRAL_STATES,
    Assessment,
    AssessmentState,
    NextSteps,
    ReferralDecision,
    ReferralState,
)
from referrals.timescales import Timescale, due_date
from strategy.models import ChildProtectionPlan

NEXT_STEPS = transitions.Review(
    model=Referral,
    open_state=ReferralState.OPEN, waiting_state=ReferralState.NEXT_STEPS_PROPOSED,
    propose_transition="propose_next_steps", sign_off_transition="sign_off_next_steps",
    return_transition="return_next_steps",
    not_open="Next steps can be proposed only while the referral is open",
    waiting="proposed next steps", did="proposed these next steps",
    author_id=lambda referral: referral.current_decision.proposed_by_id,
)  # fmt: skip


@transaction.atomic
def referral_next_steps_propose(
    *, by: User, referral: Referral, next_steps: str, primary_need: str, rationale: str,
    safety_reason: str = "",
) -> ReferralDecision:  # fmt: skip
    """Propose the referral's next steps within 1 working day, with the census primary need
    (none for no further action: census rules 8831, 8610); no further action over open
    child-protection work needs the safety rule's reason (casework.safety)."""

    def rules(current: Referral) -> None:
        if not rationale.strip():
            raise RuleBroken("Give the rationale for the next steps")
        nfa = next_steps == NextSteps.NO_FURTHER_ACTION
        if nfa and primary_need:
            raise RuleBroken("A referral with no further action has no primary need")
        if not nfa and not primary_need:
            raise RuleBroken("Choose the child's primary need")
        if nfa and (current.assessments.exists() or current.section47s.exists()):
            raise RuleBroken(
                "This referral already has an assessment or enquiry, so it cannot be 'no "
                "further action': close it with its reason once the work is done"
            )
        safety.require_reason(
            safety.concerns_for(
                child_id=current.child_id, outcome=next_steps, closing=safety.CLOSING_NEXT_STEPS
            ),
            safety_reason,
        )

    _, decision = transitions.propose(
        NEXT_STEPS, by=by, record=referral, rules=rules,
        create=lambda current: ReferralDecision.objects.create(
            referral=current, next_steps=NextSteps(next_steps), primary_need=primary_need,
            rationale=rationale, safety_reason=safety_reason, proposed_by=by,
        ),
        reason=lambda decision: decision.get_next_steps_display(),
    )  # fmt: skip
    return decision


@transaction.atomic
def referral_next_steps_sign_off(*, by: User, referral: Referral, comment: str = "") -> Referral:
    """A manager other than the proposer signs the next steps off; an assessment opens. The
    safety rule is asked again (casework.safety)."""

    def safety_rule(current: Referral) -> None:
        decision = current.current_decision
        found = safety.concerns_for(
            child_id=current.child_id, outcome=decision.next_steps,  # type: ignore[union-attr]  # proposed, so decided
            closing=safety.CLOSING_NEXT_STEPS,
        )  # fmt: skip
        if found and not decision.safety_reason.strip():  # type: ignore[union-attr]  # as above
            raise RuleBroken(
                f"{safety.RULE_NAME}: " + "; ".join(found) + ". The proposal gives no reason "
                "that addresses this: return it so that one is recorded"
            )

    referral = transitions.sign_off(
        NEXT_STEPS, by=by, record=referral, comment=comment, rules=safety_rule
    )
    if referral.current_decision.next_steps == NextSteps.ASSESSMENT:  # type: ignore[union-attr]  # signed off, so decided
        assessment_open(by=by, referral=referral, start_date=timezone.localdate())
    return referral


@transaction.atomic
def referral_next_steps_return(*, by: User, referral: Referral, comment: str) -> Referral:
    """A manager returns proposed next steps with a comment; they are kept."""
    return transitions.return_for_changes(NEXT_STEPS, by=by, record=referral, comment=comment)


@transaction.atomic
def referral_close(
    *, by: User, referral: Referral, reason: str, on, plan_end_reason: str = ""
) -> Referral:
    """A manager closes the referral with the census reason, once every assessment is
    authorised and every enquiry has a conference or 'not required' (rules 8839, 8868); the
    child's open child protection plan ends with it, on the closure date, with its reason."""
    require_right(by, Perm.SIGN_OFF_DECISIONS)
    referral = locked(Referral, referral)
    if referral.state != ReferralState.NEXT_STEPS_SIGNED_OFF:
        raise RuleBroken("A referral closes only once its next steps are signed off")
    problems = referral.open_work()
    if problems:
        raise RuleBroken("The referral cannot close yet: " + "; ".join(problems))
    if reason not in ReasonForClosure.values:
        raise RuleBroken("Choose the reason for closure")
    if on > timezone.localdate():
        raise RuleBroken("The closure date cannot be in the future")
    plan = ChildProtectionPlan.objects.open().filter(child_id=referral.child_id).first()
    if plan is not None:
        if not plan_end_reason.strip():
            raise RuleBroken(
                "The child has an open child protection plan: give the reason it ends, as it "
                "ends with the referral"
            )
        if on < plan.start_date:
            raise RuleBroken("The referral cannot close before the child's plan started")
        plan_source = plan.state
        plan.end(by=by, on=on, reason=plan_end_reason)
        plan.version += 1
        plan.save()
        audit_transition(by, plan, plan_source, "end")
    source = referral.state
    referral.close(by=by, reason=reason, on=on)
    referral.save()
    audit_transition(by, referral, source, "close", reason=reason)
    return referral


def assessment_open(*, by: User, referral: Referral, start_date) -> Assessment:
    """Open the referral's assessment, or continue the one already open (one open assessment
    per referral, none before the referral date: census rules 8839, 1103)."""
    require_right(by, Perm.PROPOSE_DECISIONS)
    existing = referral.assessments.filter(state=AssessmentState.OPEN).first()
    if existing is not None:
        return existing
    if referral.state not in OPEN_REFERRAL_STATES:
        raise RuleBroken("The referral is closed: an assessment cannot start")
    if start_date < referral.referral_date:
        raise RuleBroken("An assessment cannot start before its referral date")
    return Assessment.objects.create(
        referral=referral, child_id=referral.child_id, start_date=start_date, started_by=by,
        due=due_date(referral.referral_date, Timescale.ASSESSMENT),
    )  # fmt: skip


@transaction.atomic
def assessment_complete(
    *,
    by: User,
    assessment: Assessment,
    factors: list[str],
    analysis: str,
    version: int,
    child_seen: bool | None = None,
    needs_support: bool | None = None,
) -> Assessment:
    """Record the factors identified (census rules: `21` alone, no repeats), whether the child
    was seen and was assessed as needing support (Annex A list 4; None: not answered) and the
    analysis, ready for a manager to authorise."""
    require_right(by, Perm.PROPOSE_DECISIONS)
    current = locked(Assessment, assessment, version)
    if current.state != AssessmentState.OPEN:
        raise RuleBroken("An authorised assessment cannot change")
    problems = validate_assessment_factors(list(factors))
    if problems:
        raise RuleBroken("; ".join(problems))
    if not analysis.strip():
        raise RuleBroken("Record the analysis of the assessment")
    current.factors, current.analysis = list(factors), analysis
    current.child_seen, current.needs_support = child_seen, needs_support
    current.completed_by, current.completed_at = by, timezone.now()
    current.version += 1
    current.save()
    return current


@transaction.atomic
def assessment_authorise(*, by: User, assessment: Assessment, comment: str = "") -> Assessment:
    """A manager other than the one who completed it authorises the assessment."""
    require_right(by, Perm.SIGN_OFF_DECISIONS)
    current = locked(Assessment, assessment)
    if current.state != AssessmentState.OPEN:
        raise RuleBroken("This assessment is already authorised")
    if not current.factors or current.completed_by_id is None:
        raise RuleBroken("Record the factors identified before the assessment is authorised")
    four_eyes(by, current.completed_by_id, did="completed this assessment")
    source = current.state
    current.authorise(by=by, comment=comment)
    current.save()
    audit_transition(by, current, source, "authorise")
    return current
