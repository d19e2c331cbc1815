"""The decision for each child of a contact: proposed, signed off or returned by another manager,
feedback to the referrer and the family, and closing (DESIGN.md "The journey")."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Perm
from casework import safety, transitions
from casework.errors import ChangedBySomeoneElse, RecordsChanged, RefusedFor, RuleBroken
from casework.models import EventKind
from casework.outbox import emit
from casework.transitions import audit_transition, require_right
from referrals.models import (
    Allocation,
    LadoReferral,
    PartnerReferral,
    Referral,
)
from referrals.models.contacts import (
    FAMILY_TOLD_NEEDED,
    VOICE_NEEDED,
    Contact,
    ContactChild,
    ContactChildState,
    ContactDecision,
    LevelOfNeed,
    Outcome,
    ScreeningNotesVersion,
)
from referrals.services.lado import share_with_lado
from referrals.timescales import Timescale, due_date, local_date
from strategy.models import DiscussionState

# The reviews of this app's work (casework.transitions): each proposal waits for a manager
# other than its author, who signs it off or returns it.
CONTACT_DECISION = transitions.Review(
    model=ContactChild, lock=False,
    open_state=ContactChildState.SCREENING, waiting_state=ContactChildState.PROPOSED,
    propose_transition="propose_decision", sign_off_transition="sign_off",
    return_transition="return_for_changes",
    not_open="A decision can be proposed only while the child is being screened",
    waiting="a proposed decision", did="proposed this decision",
    author_id=lambda contact_child: contact_child.current_decision.proposed_by_id,
)  # fmt: skip


@transaction.atomic
def decision_propose(
    *, by: User, contact_child: ContactChild, outcome: str, level_of_need: LevelOfNeed,
    rationale: str, childs_voice: str = "", safety_reason: str = "",
) -> ContactDecision:  # fmt: skip
    """Propose a decision for one child, with its level of need and rationale (finding 11),
    the child's voice for a referral or an urgent discussion (finding 10), and the reason the
    safety rule asks for (casework.safety; findings 7, 11)."""

    def rules(current: ContactChild) -> None:
        if not rationale.strip():
            raise RuleBroken("Give the rationale for the decision")
        if outcome in VOICE_NEEDED and not childs_voice.strip():
            raise RuleBroken(
                "Say what is known of the child's own views and daily life, or why nothing "
                "is known yet"
            )
        safety.require_reason(
            safety.concerns_for(child_id=current.child_id, outcome=outcome, level=level_of_need),
            safety_reason,
        )
        if outcome == Outcome.ALLOCATED_WORKER and not _open_allocation(current.child_id):
            raise RuleBroken(
                "This child has no allocated worker to pass the contact to: choose another outcome"
            )

    _, decision = transitions.propose(
        CONTACT_DECISION, by=by, record=contact_child, rules=rules,
        create=lambda current: ContactDecision.objects.create(
            contact_child=current, outcome=Outcome(outcome), level_of_need=level_of_need,
            rationale=rationale, childs_voice=childs_voice, safety_reason=safety_reason,
            proposed_by=by,
        ),
        reason=lambda decision: decision.get_outcome_display(),
    )  # fmt: skip
    if decision.outcome == Outcome.STRATEGY_NOW:
        # The urgent path: the referral exists at once, dated when the contact arrived; the
        # sign-off follows the strategy discussion (DESIGN.md).
        _open_referral(by, contact_child, urgent=True)
    return decision


@transaction.atomic
def decision_sign_off(*, by: User, contact_child: ContactChild, comment: str = "") -> ContactChild:
    """A manager other than the proposer signs the decision off (findings 13, 14); the safety
    rule is asked again, as the child's work may have changed since the proposal."""

    def rules(current: ContactChild) -> None:
        decision = current.current_decision
        outcome = decision.outcome  # type: ignore[union-attr]  # a signed-off child has its current decision
        found = safety.concerns_for(
            child_id=current.child_id,
            outcome=outcome,
            level=decision.level_of_need,  # type: ignore[union-attr]  # as above
        )
        if found and not decision.safety_reason.strip():  # type: ignore[union-attr]  # as above
            raise RuleBroken(
                f"{safety.RULE_NAME}: " + "; ".join(found) + ". The proposal gives no reason "
                "that addresses this: return it so that one is recorded"
            )
        if outcome == Outcome.STRATEGY_NOW and not _urgent_discussion_convened(current):
            raise RuleBroken(
                "Convene the strategy discussion before signing off an urgent decision: the "
                "discussion comes first, the sign-off follows"
            )

    transitions.sign_off(
        CONTACT_DECISION, by=by, record=contact_child, comment=comment,
        rules=rules,
    )  # fmt: skip
    # The referrer (and the family) are told within the timescale, counted from the sign-off.
    contact_child.feedback_due = due_date(timezone.now(), Timescale.FEEDBACK_TO_REFERRER)
    contact_child.save(update_fields=["feedback_due"])
    outcome = contact_child.current_decision.outcome  # type: ignore[union-attr]  # a signed-off child has its current decision
    if outcome in (Outcome.REFERRAL, Outcome.STRATEGY_NOW):
        _open_referral(by, contact_child, urgent=outcome == Outcome.STRATEGY_NOW)
    elif outcome == Outcome.LADO:
        _open_lado_referral(by, contact_child)
    return contact_child


def _urgent_discussion_convened(contact_child: ContactChild) -> bool:

    referral = Referral.objects.filter(contact_child=contact_child).first()
    return (
        referral is not None
        and referral.discussion_children.exclude(
            discussion__state=DiscussionState.CANCELLED
        ).exists()
    )


def _open_allocation(child_id: int) -> bool:
    return Allocation.objects.filter(child_id=child_id, ended_at__isnull=True).exists()


def _open_referral(by: User, contact_child: ContactChild, *, urgent: bool) -> Referral:
    """One referral per child of a contact, dated when the contact was received."""
    contact = contact_child.contact
    existing = Referral.objects.filter(contact_child=contact_child).first()
    if existing is not None:
        return existing
    referral_date = local_date(contact.received_at)
    return Referral.objects.create(
        child_id=contact_child.child_id, contact_child=contact_child, referral_date=referral_date,
        source=contact.source, urgent=urgent, created_by=by,
        next_steps_due=due_date(referral_date, Timescale.REFERRAL_DECISION),
    )  # fmt: skip


def _open_lado_referral(by: User, contact_child: ContactChild) -> LadoReferral:
    """Due within 1 working day of the allegation becoming known (the contact's arrival);
    shared with the LADO service as it opens (referrals.services.lado)."""

    lado_referral, created = LadoReferral.objects.get_or_create(
        contact_child=contact_child,
        defaults={
            "child_id": contact_child.child_id, "created_by": by,
            "due": due_date(contact_child.contact.received_at, Timescale.LADO_REFERRAL),
        },
    )  # fmt: skip
    if created:
        share_with_lado(by=by, lado_referral=lado_referral)
    return lado_referral


@transaction.atomic
def decision_return(*, by: User, contact_child: ContactChild, comment: str) -> ContactChild:
    """A manager returns a proposal with a comment; it is kept, and a new one is proposed."""
    return transitions.return_for_changes(
        CONTACT_DECISION, by=by, record=contact_child, comment=comment
    )


SIGN_OFF, RETURN = "sign_off", "return"


@transaction.atomic
def contact_decisions_review(
    *, by: User, contact: Contact, reviews: list[dict]
) -> list[ContactChild]:
    """A manager signs off or returns every proposed decision of one contact at once (issue 17):
    each review is `{"contact_child": pk, "proposal": the decision's pk as shown, "action":
    "sign_off" or "return", "comment"}`. If any child's proposal changed since the page was
    shown, nothing is done and `RecordsChanged` names them; a rule refusing one child
    (four eyes, the urgent path) undoes them all and `RefusedFor` names it. Each child goes
    through `decision_sign_off` or `decision_return`, as on its own page (findings 13, 14)."""
    require_right(by, Perm.SIGN_OFF_DECISIONS)
    if not reviews:
        raise RuleBroken("There is no proposed decision to sign off or return")
    wanted = [review["contact_child"] for review in reviews]
    current = {
        cc.pk: cc
        # Only the children's rows are locked (their decisions are joined, nullable).
        for cc in ContactChild.objects.select_for_update(of=("self",))
        .select_related("contact", "current_decision")
        .filter(contact=contact, pk__in=wanted)
    }
    changed = [
        review["contact_child"]
        for review in reviews
        if review["contact_child"] not in current
        or current[review["contact_child"]].state != ContactChildState.PROPOSED
        or current[review["contact_child"]].current_decision_id != review["proposal"]
    ]
    if changed:
        raise RecordsChanged(changed)
    done = []
    for review in reviews:
        contact_child = current[review["contact_child"]]
        try:
            if review["action"] == SIGN_OFF:
                decision_sign_off(by=by, contact_child=contact_child, comment=review["comment"])
            else:
                decision_return(by=by, contact_child=contact_child, comment=review["comment"])
        except RecordsChanged:
            raise
        except RuleBroken as error:
            raise RefusedFor(contact_child.pk, str(error)) from error
        done.append(contact_child)
    return done


@transaction.atomic
def feedback_record(
    *, by: User, contact_child: ContactChild, feedback_given: bool, feedback_note: str,
    family_told: bool | None = None, family_note: str = "",
) -> ContactChild:  # fmt: skip
    """Feedback to the referrer (or why not) and whether the family was told (finding 5),
    once the decision is signed off: the referrer is told the outcome."""
    require_right(by, Perm.RECORD_CONTACTS)
    if contact_child.state != ContactChildState.SIGNED_OFF:
        raise RuleBroken("Feedback is recorded once the decision is signed off")
    if not feedback_note.strip():
        raise RuleBroken("Say what the referrer was told, or why they could not be told")
    told_now = feedback_given and contact_child.feedback_given is not True
    contact_child.feedback_given, contact_child.feedback_note = feedback_given, feedback_note
    if family_told is not None:
        if not family_note.strip():
            raise RuleBroken("Say what the family was told, or why they were not told")
        contact_child.family_told, contact_child.family_note = family_told, family_note
    contact_child.version += 1
    contact_child.save()
    if told_now:
        _tell_partner_referrer(contact_child)
    return contact_child


def _tell_partner_referrer(contact_child: ContactChild) -> None:
    """A partner who referred through the service is told that feedback is there to read
    (issue 24): the outbox event names their referral, never the feedback."""
    referral = PartnerReferral.objects.filter(contact_id=contact_child.contact_id).first()
    if referral is None or referral.submitted_by_id is None:
        return
    emit(kind=EventKind.REFERRAL_FEEDBACK, about=referral, user=referral.submitted_by)


@transaction.atomic
def contact_child_close(*, by: User, contact_child: ContactChild) -> ContactChild:
    """Close a signed-off decision once feedback, and for some outcomes the family, are recorded."""
    require_right(by, Perm.RECORD_CONTACTS)
    if contact_child.state != ContactChildState.SIGNED_OFF:
        raise RuleBroken("Only a signed-off decision can be closed")
    if contact_child.feedback_given is None or not contact_child.feedback_note:
        raise RuleBroken(
            "Record the feedback to the referrer, or why it could not be given, before closing"
        )
    decision = contact_child.current_decision
    if decision.outcome in FAMILY_TOLD_NEEDED and (  # type: ignore[union-attr, operator]  # as above
        contact_child.family_told is None or not contact_child.family_note
    ):
        raise RuleBroken("Record whether the family was told, or why not, before closing")
    source = contact_child.state
    contact_child.close(by=by)
    contact_child.save()
    audit_transition(by, contact_child, source, "close")
    return contact_child


@transaction.atomic
def screening_notes_save(
    *, by: User, contact_child: ContactChild, notes: str, version: int
) -> ContactChild:
    """Screening notes, edited while screening, each save a new version that overwrites none
    (issue 19); the second of two editors is told (version)."""
    require_right(by, Perm.RECORD_CONTACTS)
    current = ContactChild.objects.select_for_update().get(pk=contact_child.pk)
    if current.version != version:
        raise ChangedBySomeoneElse(current)
    if current.state != ContactChildState.SCREENING:
        raise RuleBroken("Screening notes can be changed only while the child is being screened")
    # A new version every time: the earlier text stays in the history (issue 19).
    number = (current.screening_versions.aggregate(last=Max("number"))["last"] or 0) + 1
    ScreeningNotesVersion.objects.create(
        contact_child=current, number=number, text=notes, saved_by=by
    )
    current.screening_notes = notes
    current.version += 1
    current.save(update_fields=["screening_notes", "version"])
    return current
