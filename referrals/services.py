"""The front door's actions: each checks the actor's right, enforces the journey's rules,
calls the transition, saves, and audits the transition in one transaction.

DESIGN.md ("The journey"). A broken rule raises `RuleBroken` with the rule in plain words.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts import sharing
from accounts.models import User
from accounts.permissions import Perm
from casework import access, transitions
from casework.errors import ChangedBySomeoneElse, RuleBroken
from casework.locking import locked
from casework.references import child_reference
from casework.transitions import audit_transition, four_eyes, require_right
from referrals.codes import ReasonForClosure, validate_assessment_factors
from referrals.contacts import (
    FAMILY_TOLD_NEEDED,
    Contact,
    ContactChild,
    ContactChildState,
    ContactDecision,
    LevelOfNeed,
    Outcome,
)
from referrals.episodes import (
    OPEN_REFERRAL_STATES,
    Assessment,
    AssessmentState,
    NextSteps,
    ReferralDecision,
    ReferralState,
)
from referrals.identifiers import normalise_nhs_number
from referrals.lado import lado_outcome_record as record
from referrals.lado import share_with_lado
from referrals.models import (
    Allocation,
    Child,
    Household,
    LadoReferral,
    Person,
    Referral,
)
from referrals.requests import InformationRequest, Priority, RequestState
from referrals.timescales import Timescale, due_date, information_request_due, local_date
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
def contact_record(
    *, by: User, received_at: datetime, taken_by: User, source: str, concern: str, consent: str,
    children: list[Child], adults: list[Person] = (), urgent: bool = False,
    referrer_name: str = "", referrer_agency: str = "", referrer_role: str = "",
    referrer_contact: str = "",
) -> Contact:  # fmt: skip
    """Record a contact with a decision to make for each child (finding 1: every concern)."""
    require_right(by, Perm.RECORD_CONTACTS)
    if received_at > timezone.now():
        raise RuleBroken("The time the contact was received cannot be in the future")
    if not children:
        raise RuleBroken("Add at least one child the contact is about")
    if not concern.strip():
        raise RuleBroken("Record the concern")
    contact = Contact.objects.create(
        received_at=received_at, taken_by=taken_by, recorded_by=by, source=source,
        concern=concern, consent=consent, urgent=urgent,
        referrer_name=referrer_name, referrer_agency=referrer_agency,
        referrer_role=referrer_role, referrer_contact=referrer_contact,
        decision_due=due_date(received_at, Timescale.CONTACT_DECISION),
    )  # fmt: skip
    contact.adults.set(adults)
    ContactChild.objects.bulk_create(ContactChild(contact=contact, child=c) for c in children)
    return contact


@transaction.atomic
def decision_propose(
    *, by: User, contact_child: ContactChild, outcome: str, level_of_need: LevelOfNeed,
    rationale: str,
) -> ContactDecision:  # fmt: skip
    """Propose a decision for one child, with its level of need and rationale (finding 11)."""

    def rules(current: ContactChild) -> None:
        if not rationale.strip():
            raise RuleBroken("Give the rationale for the decision")
        if outcome == Outcome.ALLOCATED_WORKER and not _open_allocation(current.child_id):
            raise RuleBroken(
                "This child has no allocated worker to pass the contact to: choose another outcome"
            )

    _, decision = transitions.propose(
        CONTACT_DECISION, by=by, record=contact_child, rules=rules,
        create=lambda current: ContactDecision.objects.create(
            contact_child=current, outcome=Outcome(outcome), level_of_need=level_of_need,
            rationale=rationale, proposed_by=by,
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
    """A manager other than the proposer signs the decision off (findings 13, 14)."""

    def urgent_discussion_first(current: ContactChild) -> None:
        outcome = current.current_decision.outcome
        if outcome == Outcome.STRATEGY_NOW and not _urgent_discussion_convened(current):
            raise RuleBroken(
                "Convene the strategy discussion before signing off an urgent decision: the "
                "discussion comes first, the sign-off follows"
            )

    transitions.sign_off(
        CONTACT_DECISION, by=by, record=contact_child, comment=comment,
        rules=urgent_discussion_first,
    )  # fmt: skip
    outcome = contact_child.current_decision.outcome
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
    shared with the LADO service as it opens (referrals.lado)."""

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


def lado_outcome_record(*, by: User, lado_referral: LadoReferral, outcome: str, note: str):
    """The LADO service records its outcome, once (referrals.lado)."""

    return record(by=by, lado_referral=lado_referral, outcome=outcome, note=note)


@transaction.atomic
def decision_return(*, by: User, contact_child: ContactChild, comment: str) -> ContactChild:
    """A manager returns a proposal with a comment; it is kept, and a new one is proposed."""
    return transitions.return_for_changes(
        CONTACT_DECISION, by=by, record=contact_child, comment=comment
    )


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
    contact_child.feedback_given, contact_child.feedback_note = feedback_given, feedback_note
    if family_told is not None:
        if not family_note.strip():
            raise RuleBroken("Say what the family was told, or why they were not told")
        contact_child.family_told, contact_child.family_note = family_told, family_note
    contact_child.version += 1
    contact_child.save()
    return contact_child


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
    if contact_child.current_decision.outcome in FAMILY_TOLD_NEEDED and (
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
    """Screening notes, edited while screening; the second of two editors is told (version)."""
    require_right(by, Perm.RECORD_CONTACTS)
    current = ContactChild.objects.select_for_update().get(pk=contact_child.pk)
    if current.version != version:
        raise ChangedBySomeoneElse(current)
    if current.state != ContactChildState.SCREENING:
        raise RuleBroken("Screening notes can be changed only while the child is being screened")
    current.screening_notes = notes
    current.version += 1
    current.save(update_fields=["screening_notes", "version"])
    return current


# Households (DESIGN.md "People around the child") ------------------------------------------


@transaction.atomic
def household_add(
    *, by: User, child: Child, address: str, postcode: str = "",
    people: Sequence[Person] = (), children: Sequence[Child] = (),
) -> Household:  # fmt: skip
    """A household the child lives in, with the adults and other children who live there:
    the child is always one of its members; the address is required."""
    require_right(by, Perm.RECORD_CONTACTS)
    address = " ".join(address.split())
    if not address:
        raise RuleBroken("Enter the household's address")
    household = Household(address=address, postcode=" ".join(postcode.upper().split()))
    household.audit_child_id = child.pk
    household.save()
    household.children.add(child, *(c for c in children if c.pk != child.pk))
    if people:
        household.people.add(*people)
    return household


@transaction.atomic
def household_leave(
    *, by: User, household: Household, child: Child | None = None, person: Person | None = None
) -> Household:
    """A child or an adult leaves a household (the audit trail keeps that they were in it)."""
    require_right(by, Perm.RECORD_CONTACTS)
    if (child is None) == (person is None):
        raise RuleBroken("Choose one child or one adult to leave the household")
    current = Household.objects.select_for_update().get(pk=household.pk)
    if child is not None:
        if not current.children.filter(pk=child.pk).exists():
            raise RuleBroken("That child is not in this household")
        current.audit_child_id = child.pk
        current.children.remove(child)
    else:
        if not current.people.filter(pk=person.pk).exists():
            raise RuleBroken("That adult is not in this household")
        current.people.remove(person)
    return current


CHILD_DETAILS = (
    "first_name", "last_name", "date_of_birth", "expected_date_of_birth", "sex", "ethnicity",
    "disabilities", "nhs_number", "upn", "upn_unknown", "address", "postcode",
)  # fmt: skip


@transaction.atomic
def child_update(*, by: User, child: Child, version: int, **details) -> Child:
    """Change a child's census details under the census rules; a second editor is told."""

    require_right(by, Perm.RECORD_CONTACTS)
    current = Child.objects.select_for_update().get(pk=child.pk)
    if current.version != version:
        raise ChangedBySomeoneElse(current)
    for name in CHILD_DETAILS:
        setattr(
            current,
            name,
            details.get(name) or ([] if name == "disabilities" else None if "date" in name else ""),
        )
    current.nhs_number = normalise_nhs_number(current.nhs_number)
    current.upn = (current.upn or "").strip().upper()
    current.full_clean(exclude=["first_name_key", "last_name_key", "last_name_sound"])
    current.version += 1
    current.save()
    return current


@transaction.atomic
def allocation_set(*, by: User, child: Child, team, worker: User) -> Allocation:
    """Allocate a child's open work to a worker in a team; the previous allocation ends."""
    require_right(by, Perm.ALLOCATE_WORK)
    if not access.has_right(worker, Perm.RECORD_CONTACTS):
        raise RuleBroken("Allocate the work to a practitioner or manager")
    now = timezone.now()
    for current in Allocation.objects.select_for_update().filter(
        child=child, ended_at__isnull=True
    ):
        current.ended_at = now
        current.save(update_fields=["ended_at"])
    return Allocation.objects.create(child=child, team=team, worker=worker)


# The referral's episode: next steps, assessment, closure ---------------------------------


@transaction.atomic
def referral_next_steps_propose(
    *, by: User, referral: Referral, next_steps: str, primary_need: str, rationale: str
) -> ReferralDecision:
    """Propose the referral's next steps within 1 working day, with the census primary need
    (none for no further action: census rules 8831, 8610)."""

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

    _, decision = transitions.propose(
        NEXT_STEPS, by=by, record=referral, rules=rules,
        create=lambda current: ReferralDecision.objects.create(
            referral=current, next_steps=NextSteps(next_steps), primary_need=primary_need,
            rationale=rationale, proposed_by=by,
        ),
        reason=lambda decision: decision.get_next_steps_display(),
    )  # fmt: skip
    return decision


@transaction.atomic
def referral_next_steps_sign_off(*, by: User, referral: Referral, comment: str = "") -> Referral:
    """A manager other than the proposer signs the next steps off; an assessment opens."""
    referral = transitions.sign_off(NEXT_STEPS, by=by, record=referral, comment=comment)
    if referral.current_decision.next_steps == NextSteps.ASSESSMENT:
        assessment_open(by=by, referral=referral, start_date=timezone.localdate())
    return referral


@transaction.atomic
def referral_next_steps_return(*, by: User, referral: Referral, comment: str) -> Referral:
    """A manager returns proposed next steps with a comment; they are kept."""
    return transitions.return_for_changes(NEXT_STEPS, by=by, record=referral, comment=comment)


@transaction.atomic
def referral_close(*, by: User, referral: Referral, reason: str, on) -> Referral:
    """A manager closes the referral with the census reason, once every assessment is
    authorised and every enquiry has a conference or 'not required' (rules 8839, 8868)."""
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
    *, by: User, assessment: Assessment, factors: list[str], analysis: str, version: int
) -> Assessment:
    """Record the factors identified (census rules: `21` alone, no repeats) and the analysis,
    ready for a manager to authorise."""
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


# Information requests (the multi-agency check at screening; DESIGN.md "Information sharing
# and access"). The request is shared with the asked agency through accounts.sharing, with the
# same lawful basis, so the sharing record exists.
INFORMATION_REQUEST_PERMISSION = "referrals.view_informationrequest"


@transaction.atomic
def information_request_send(
    *, by: User, contact_child: ContactChild, agency, question: str, article6: str,
    condition: str, consent: str, family_told: bool | None, family_note: str, priority: str,
):  # fmt: skip
    """Ask one partner agency about a child being screened; due by its priority."""

    require_right(by, Perm.REQUEST_INFORMATION)
    current = ContactChild.objects.select_for_update().get(pk=contact_child.pk)
    if current.state != ContactChildState.SCREENING:
        raise RuleBroken("Partner agencies can be asked only while the child is being screened")
    if not agency.is_active or agency.kind == agency.Kind.LOCAL_AUTHORITY:
        raise RuleBroken("Choose an active partner agency")
    if not question.strip():
        raise RuleBroken("Enter the question for the agency")
    if priority not in Priority.values:
        raise RuleBroken("Choose the priority")
    asked_at = timezone.now()
    request = InformationRequest(
        contact_child=current, child_id=current.child_id, agency=agency, question=question,
        article6=article6, condition=condition, consent=consent,
        family_told=bool(family_told), family_note=family_note, priority=priority,
        due_at=information_request_due(asked_at, priority), asked_by=by, asked_at=asked_at,
    )  # fmt: skip
    if family_told is None:
        raise RuleBroken("Say whether the family was told what is shared, or why not")
    request.save()
    try:
        sharing.share(
            by=by, obj=request, permission=INFORMATION_REQUEST_PERMISSION, agency=agency,
            article6=article6, condition=condition, consent=consent, family_told=family_told,
            family_note=family_note, reason="Information request at screening",
            child_ref=child_reference(current.child_id),
        )  # fmt: skip
    except sharing.SharingRefused as error:
        raise RuleBroken(str(error)) from error
    return request


@transaction.atomic
def information_request_answer(*, by: User, request, answer: str):
    """The asked agency's answer, once."""

    require_right(by, Perm.ANSWER_INFORMATION_REQUESTS)
    if by.agency_id != request.agency_id:
        raise PermissionDenied("Only the agency asked answers it.")
    if not access.visible_information_requests(by).filter(pk=request.pk).exists():
        raise PermissionDenied("This request is not shared with your agency.")
    current = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if current.state != RequestState.OPEN:
        raise RuleBroken("This request has already been answered")
    if not answer.strip():
        raise RuleBroken("Enter the answer")
    current.answer = answer
    current.answered_by = by
    current.answered_at = timezone.now()
    current.state = RequestState.ANSWERED
    current.save(update_fields=["answer", "answered_by", "answered_at", "state"])
    audit_transition(by, current, RequestState.OPEN, "answer")
    return current
