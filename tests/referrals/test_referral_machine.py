"""The referral's machine, through its services: next steps proposed, signed off or returned,
and closure; every transition allowed and refused, every rule, the audit and the races."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from accounts.audit import AuditEntry, Event
from accounts.permissions import Perm
from accounts.roles import ROLE_PERMISSIONS, Role
from casework.errors import RuleBroken
from referrals import services
from referrals.codes import ConsentPosition, PrimaryNeed, ReasonForClosure, ReferralSource
from referrals.models import Child
from referrals.models.contacts import Outcome
from referrals.models.episodes import (
    Assessment,
    AssessmentState,
    NextSteps,
    Referral,
    ReferralDecision,
    ReferralState,
)
from strategy import services as strategy_services
from strategy.models import DiscussionOutcome, EnquiryOutcome, Section47State
from tests.referrals.factories import level
from tests.strategy.factories import (
    convened,
    discussion_signed_off,
    next_steps_signed_off,
    referral,
    section47,
    section47_outcome_signed_off,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def roles_without(perm: Perm) -> list[Role]:
    return [role for role in Role if perm not in ROLE_PERMISSIONS[role]]


def transitions(record) -> list[tuple[str, str, str, str]]:
    """(name, from, to, child_ref) of each transition audited for `record`, oldest first."""
    entries = AuditEntry.objects.filter(
        event=Event.TRANSITION,
        content_type=ContentType.objects.get_for_model(type(record), for_concrete_model=False),
        object_pk=str(record.pk),
    ).order_by("sequence")
    return [
        (e.additional_data["transition"], e.additional_data["from"], e.additional_data["to"],
         e.child_ref)
        for e in entries
    ]  # fmt: skip


def fresh(record):
    """The row as saved now (FSM fields are protected, so never refresh_from_db)."""
    return type(record).objects.get(pk=record.pk)


def received_on(day: date, *, by, signer) -> Referral:
    """A referral from a contact received at 10:00 (London) on `day`."""
    child = Child.objects.create(
        first_name="Ava", last_name="Smith", date_of_birth=date(2016, 3, 1)
    )
    contact = services.contact_record(
        by=by, received_at=datetime.combine(day, time(10), tzinfo=LONDON), taken_by=by,
        source=ReferralSource.SCHOOLS, concern="Bruising seen at school",
        consent=ConsentPosition.GIVEN, children=[child],
    )  # fmt: skip
    contact_child = contact.children.get()
    services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
        by=by, contact_child=contact_child, outcome=Outcome.REFERRAL, level_of_need=level(),
        rationale="Pattern of injuries",
    )  # fmt: skip
    services.decision_sign_off(by=signer, contact_child=contact_child)
    return Referral.objects.get(contact_child=contact_child)


def propose(referral, *, by, next_steps=NextSteps.STRATEGY_DISCUSSION, primary_need=None,
            rationale="Injuries need a multi-agency view") -> ReferralDecision:  # fmt: skip
    if primary_need is None:
        primary_need = "" if next_steps == NextSteps.NO_FURTHER_ACTION else PrimaryNeed.N1
    return services.referral_next_steps_propose(
        by=by, referral=referral, next_steps=next_steps, primary_need=primary_need,
        rationale=rationale,
    )  # fmt: skip


@pytest.fixture
def people(make_user):
    return {
        "practitioner": make_user(Role.PRACTITIONER),
        "manager": make_user(Role.MANAGER),
        "manager2": make_user(Role.MANAGER),
    }


@pytest.fixture
def opened(people) -> Referral:
    return referral(by=people["practitioner"], signer=people["manager"])


@pytest.fixture
def proposed(opened, people) -> Referral:
    propose(opened, by=people["practitioner"])
    return fresh(opened)


# The journey, allowed --------------------------------------------------------------------


def test_next_steps_proposed_then_signed_off_then_the_referral_closes(opened, people):
    decision = propose(opened, by=people["practitioner"], primary_need=PrimaryNeed.N4)
    current = fresh(opened)
    assert current.state == ReferralState.NEXT_STEPS_PROPOSED
    assert current.current_decision == decision
    assert current.next_steps == ""  # nothing decided until the sign-off
    assert current.primary_need == ""

    services.referral_next_steps_sign_off(by=people["manager"], referral=current, comment="Yes")
    current = fresh(opened)
    assert current.state == ReferralState.NEXT_STEPS_SIGNED_OFF
    assert current.next_steps == NextSteps.STRATEGY_DISCUSSION
    assert current.primary_need == PrimaryNeed.N4
    decision.refresh_from_db()
    assert decision.state == ReferralDecision.State.SIGNED_OFF
    assert decision.reviewed_by == people["manager"]
    assert decision.reviewed_at is not None
    assert decision.review_comment == "Yes"
    assert not current.assessments.exists()  # a discussion, not an assessment, comes next

    today = timezone.localdate()
    services.referral_close(by=people["manager"], referral=current, reason="RC7", on=today)
    current = fresh(opened)
    assert current.state == ReferralState.CLOSED
    assert not current.is_open
    assert (current.closure_reason, current.closure_date) == (ReasonForClosure.RC7, today)
    assert current.closed_by == people["manager"]
    assert current.next_steps == NextSteps.STRATEGY_DISCUSSION  # still known once closed

    ref = f"FD{opened.child_id:06d}"
    assert transitions(opened) == [
        ("propose_next_steps", "open", "next_steps_proposed", ref),
        ("sign_off_next_steps", "next_steps_proposed", "next_steps_signed_off", ref),
        ("close", "next_steps_signed_off", "closed", ref),
    ]
    reasons = [
        e.additional_data["reason"]
        for e in AuditEntry.objects.filter(event=Event.TRANSITION, object_pk=str(opened.pk))
    ]
    assert "Injuries need a multi-agency view" not in str(reasons)  # the rationale stays out


def test_returned_next_steps_are_kept_and_a_new_proposal_follows(proposed, people):
    first = proposed.current_decision
    services.referral_next_steps_return(
        by=people["manager"], referral=proposed, comment="Say why not an assessment"
    )
    current = fresh(proposed)
    assert current.state == ReferralState.OPEN
    assert current.current_decision is None
    first.refresh_from_db()
    assert first.state == ReferralDecision.State.RETURNED
    assert first.review_comment == "Say why not an assessment"
    assert first.reviewed_by == people["manager"]

    second = propose(current, by=people["practitioner"], next_steps=NextSteps.ASSESSMENT)
    assert second.pk != first.pk
    assert fresh(proposed).current_decision == second
    assert list(proposed.decisions.order_by("pk").values_list("state", flat=True)) == [
        ReferralDecision.State.RETURNED, ReferralDecision.State.PROPOSED,
    ]  # fmt: skip
    assert [t[0] for t in transitions(proposed)] == [
        "propose_next_steps", "return_next_steps", "propose_next_steps",
    ]  # fmt: skip


def test_assessment_next_steps_open_an_assessment_due_45_working_days_from_the_referral(people):
    # DOMAIN.md: referral Mon 2025-12-08 + 45 WD = Thu 2026-02-12.
    opened = received_on(date(2025, 12, 8), by=people["practitioner"], signer=people["manager"])
    assert opened.referral_date == date(2025, 12, 8)
    propose(opened, by=people["practitioner"], next_steps=NextSteps.ASSESSMENT)
    services.referral_next_steps_sign_off(by=people["manager"], referral=opened)
    assessment = Assessment.objects.get(referral=opened)
    assert assessment.state == AssessmentState.OPEN
    assert assessment.due == date(2026, 2, 12)
    assert assessment.start_date == timezone.localdate()
    assert assessment.child_id == opened.child_id
    assert assessment.started_by == people["manager"]


def test_no_further_action_has_no_primary_need_and_is_nfa(opened, people):
    propose(opened, by=people["practitioner"], next_steps=NextSteps.NO_FURTHER_ACTION)
    services.referral_next_steps_sign_off(by=people["manager"], referral=opened)
    current = fresh(opened)
    assert current.is_nfa
    assert current.primary_need == ""
    assert not current.assessments.exists()


# The journey, refused in the wrong state ---------------------------------------------------


def test_next_steps_are_proposed_only_while_open(proposed, people):
    with pytest.raises(RuleBroken, match="only while the referral is open"):
        propose(proposed, by=people["practitioner"])
    assert proposed.decisions.count() == 1


@pytest.mark.parametrize("action", ["sign_off", "return"])
def test_only_proposed_next_steps_are_signed_off_or_returned(opened, people, action):
    def act(referral):
        if action == "sign_off":
            services.referral_next_steps_sign_off(by=people["manager"], referral=referral)
        else:
            services.referral_next_steps_return(
                by=people["manager"], referral=referral, comment="No"
            )

    with pytest.raises(RuleBroken, match=r"Only proposed next steps can be"):
        act(opened)  # still open
    propose(opened, by=people["practitioner"])
    services.referral_next_steps_sign_off(by=people["manager2"], referral=opened)
    with pytest.raises(RuleBroken, match=r"Only proposed next steps can be"):
        act(opened)  # already signed off
    assert fresh(opened).state == ReferralState.NEXT_STEPS_SIGNED_OFF


@pytest.mark.parametrize("state", ["open", "proposed", "closed"])
def test_a_referral_closes_only_once_its_next_steps_are_signed_off(people, state):
    opened = referral(by=people["practitioner"], signer=people["manager"])
    if state != "open":
        propose(opened, by=people["practitioner"])
    if state == "closed":
        services.referral_next_steps_sign_off(by=people["manager"], referral=opened)
        services.referral_close(
            by=people["manager"], referral=opened, reason="RC7", on=timezone.localdate()
        )
    before = fresh(opened).state
    with pytest.raises(RuleBroken, match="closes only once its next steps are signed off"):
        services.referral_close(
            by=people["manager"], referral=opened, reason="RC7", on=timezone.localdate()
        )
    assert fresh(opened).state == before


def test_a_closed_referral_takes_no_new_next_steps(people):
    signed = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    services.referral_close(
        by=people["manager"], referral=signed, reason="RC7", on=timezone.localdate()
    )
    with pytest.raises(RuleBroken):
        propose(signed, by=people["practitioner"])


def test_the_model_refuses_transitions_from_the_wrong_state(opened, people):
    current = fresh(opened)
    with pytest.raises(TransitionNotAllowed):
        current.sign_off_next_steps(by=people["manager"])
    with pytest.raises(TransitionNotAllowed):
        current.return_next_steps(by=people["manager"], comment="No")
    with pytest.raises(TransitionNotAllowed):
        current.close(by=people["manager"], reason="RC7", on=timezone.localdate())
    with pytest.raises(TransitionNotAllowed):  # the condition: a proposal with a rationale
        current.propose_next_steps(by=people["practitioner"])
    assert current.state == ReferralState.OPEN

    propose(opened, by=people["practitioner"])
    current = fresh(opened)
    with pytest.raises(TransitionNotAllowed):
        current.propose_next_steps(by=people["practitioner"])
    with pytest.raises(TransitionNotAllowed):
        current.close(by=people["manager"], reason="RC7", on=timezone.localdate())


def test_the_model_refuses_closure_while_work_is_open(people):
    signed = next_steps_signed_off(
        by=people["practitioner"], signer=people["manager"], next_steps=NextSteps.ASSESSMENT
    )
    current = fresh(signed)
    assert current.open_work() == ["The assessment is not yet authorised"]
    with pytest.raises(TransitionNotAllowed):
        current.close(by=people["manager"], reason="RC8", on=timezone.localdate())


def test_the_model_refuses_a_bad_reason_or_a_date_before_the_referral(people):
    signed = fresh(next_steps_signed_off(by=people["practitioner"], signer=people["manager"]))
    with pytest.raises(RuleBroken, match="reason for closure"):
        signed.close(by=people["manager"], reason="RC99", on=timezone.localdate())
    with pytest.raises(RuleBroken, match="before its referral date"):
        signed.close(by=people["manager"], reason="RC7", on=signed.referral_date - timedelta(1))
    assert signed.state == ReferralState.NEXT_STEPS_SIGNED_OFF
    assert (signed.closure_reason, signed.closure_date) == ("", None)


# Rights --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", roles_without(Perm.PROPOSE_DECISIONS))
def test_roles_without_the_right_cannot_propose_next_steps(opened, make_user, role):
    with pytest.raises(PermissionDenied):
        propose(opened, by=make_user(role))
    assert fresh(opened).state == ReferralState.OPEN
    assert not opened.decisions.exists()


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.MANAGER])
def test_practitioners_and_managers_propose_next_steps(opened, make_user, role):
    propose(opened, by=make_user(role))
    assert fresh(opened).state == ReferralState.NEXT_STEPS_PROPOSED


@pytest.mark.parametrize("role", roles_without(Perm.SIGN_OFF_DECISIONS))
@pytest.mark.parametrize("action", ["sign_off", "return"])
def test_roles_without_the_right_cannot_review_next_steps(proposed, make_user, role, action):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        if action == "sign_off":
            services.referral_next_steps_sign_off(by=user, referral=proposed)
        else:
            services.referral_next_steps_return(by=user, referral=proposed, comment="No")
    assert fresh(proposed).state == ReferralState.NEXT_STEPS_PROPOSED
    assert proposed.current_decision.state == ReferralDecision.State.PROPOSED


@pytest.mark.parametrize("role", roles_without(Perm.SIGN_OFF_DECISIONS))
def test_roles_without_the_right_cannot_close_a_referral(people, make_user, role):
    signed = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    with pytest.raises(PermissionDenied):
        services.referral_close(
            by=make_user(role), referral=signed, reason="RC7", on=timezone.localdate()
        )
    assert fresh(signed).state == ReferralState.NEXT_STEPS_SIGNED_OFF


# Rules -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["sign_off", "return"])
def test_four_eyes_the_proposer_never_reviews_their_next_steps(opened, people, action):
    propose(opened, by=people["manager"])
    with pytest.raises(RuleBroken, match=r"another manager must sign it off$"):
        if action == "sign_off":
            services.referral_next_steps_sign_off(by=people["manager"], referral=opened)
        else:
            services.referral_next_steps_return(
                by=people["manager"], referral=opened, comment="Mine"
            )
    current = fresh(opened)
    assert current.state == ReferralState.NEXT_STEPS_PROPOSED
    assert current.current_decision.reviewed_by is None
    services.referral_next_steps_sign_off(by=people["manager2"], referral=opened)
    assert fresh(opened).state == ReferralState.NEXT_STEPS_SIGNED_OFF


def test_with_one_manager_the_next_steps_wait_for_another(make_user):
    practitioner, manager = make_user(Role.PRACTITIONER), make_user(Role.MANAGER)
    make_user(Role.MANAGER, is_active=False)  # a manager who has left does not count
    opened = referral(by=practitioner, signer=manager)
    propose(opened, by=manager)
    with pytest.raises(RuleBroken, match="There is no other manager yet: it waits for one"):
        services.referral_next_steps_sign_off(by=manager, referral=opened)
    assert fresh(opened).state == ReferralState.NEXT_STEPS_PROPOSED


def test_the_model_itself_refuses_the_proposer(opened, people):
    propose(opened, by=people["manager"])
    current = fresh(opened)
    with pytest.raises(RuleBroken, match="You proposed this decision"):
        current.sign_off_next_steps(by=people["manager"])
    assert current.state == ReferralState.NEXT_STEPS_PROPOSED


def test_next_steps_need_a_rationale_and_a_return_needs_a_comment(opened, people):
    with pytest.raises(RuleBroken, match="Give the rationale"):
        propose(opened, by=people["practitioner"], rationale="   ")
    assert not opened.decisions.exists()
    propose(opened, by=people["practitioner"])
    with pytest.raises(RuleBroken, match="Say what needs to change"):
        services.referral_next_steps_return(by=people["manager"], referral=opened, comment=" ")
    assert fresh(opened).state == ReferralState.NEXT_STEPS_PROPOSED


@pytest.mark.parametrize("next_steps", [NextSteps.ASSESSMENT, NextSteps.STRATEGY_DISCUSSION])
def test_a_primary_need_is_required_unless_no_further_action(opened, people, next_steps):
    with pytest.raises(RuleBroken, match="Choose the child's primary need"):
        propose(opened, by=people["practitioner"], next_steps=next_steps, primary_need="")
    assert fresh(opened).state == ReferralState.OPEN


def test_no_further_action_has_no_primary_need(opened, people):
    with pytest.raises(RuleBroken, match="no primary need"):
        propose(
            opened, by=people["practitioner"], next_steps=NextSteps.NO_FURTHER_ACTION,
            primary_need=PrimaryNeed.N1,
        )  # fmt: skip
    assert not opened.decisions.exists()


def test_no_further_action_is_refused_once_the_referral_has_an_assessment(people):
    # A referral still open, whose discussion opened an assessment (s17 outcome).
    urgent = referral(by=people["practitioner"], signer=people["manager"])
    discussion_signed_off(
        by=people["practitioner"], signer=people["manager"], referrals=[urgent],
        outcome=DiscussionOutcome.ASSESSMENT,
    )  # fmt: skip
    assert fresh(urgent).state == ReferralState.OPEN and urgent.assessments.exists()
    with pytest.raises(RuleBroken, match="cannot be 'no further action'"):
        propose(urgent, by=people["practitioner"], next_steps=NextSteps.NO_FURTHER_ACTION)
    assert not urgent.decisions.exists()


def test_no_further_action_is_refused_once_the_referral_has_an_enquiry(people):
    urgent = referral(by=people["practitioner"], signer=people["manager"])
    discussion_signed_off(by=people["practitioner"], signer=people["manager"], referrals=[urgent])
    assert urgent.section47s.exists()
    with pytest.raises(RuleBroken, match="cannot be 'no further action'"):
        propose(urgent, by=people["practitioner"], next_steps=NextSteps.NO_FURTHER_ACTION)


# Closure ---------------------------------------------------------------------------------------


def test_closure_waits_for_the_assessment_to_be_authorised(people):
    signed = next_steps_signed_off(
        by=people["practitioner"], signer=people["manager"], next_steps=NextSteps.ASSESSMENT
    )
    with pytest.raises(RuleBroken, match="The assessment is not yet authorised"):
        services.referral_close(
            by=people["manager"], referral=signed, reason="RC8", on=timezone.localdate()
        )
    assessment = signed.assessments.get()
    assessment = services.assessment_complete(
        by=people["practitioner"], assessment=assessment, factors=["21"], analysis="No concern",
        version=assessment.version,
    )  # fmt: skip
    services.assessment_authorise(by=people["manager"], assessment=assessment)
    services.referral_close(
        by=people["manager"], referral=signed, reason="RC8", on=timezone.localdate()
    )
    assert fresh(signed).state == ReferralState.CLOSED


def test_closure_waits_for_a_pending_strategy_discussion(people):
    signed = next_steps_signed_off(
        by=people["practitioner"], signer=people["manager"],
        next_steps=NextSteps.NO_FURTHER_ACTION,
    )  # fmt: skip
    discussion = convened(by=people["practitioner"], referrals=[signed])
    with pytest.raises(RuleBroken, match="strategy discussion about the child is not yet signed"):
        services.referral_close(
            by=people["manager"], referral=signed, reason="RC7", on=timezone.localdate()
        )
    strategy_services.discussion_cancel(
        by=people["practitioner"], discussion=discussion, reason="Not needed after all"
    )
    services.referral_close(
        by=people["manager"], referral=signed, reason="RC7", on=timezone.localdate()
    )
    assert fresh(signed).state == ReferralState.CLOSED


def test_closure_waits_for_each_enquiry_to_have_a_conference_or_not_required(people):
    """Census rule 8868: on closure, every s47 has an ICPC date or ICPCnotRequired."""
    enquiry = section47(by=people["practitioner"], signer=people["manager"])
    signed = enquiry.referral  # next steps (a strategy discussion) signed off
    assessment = signed.assessments.get()  # opened by the enquiry
    services.assessment_complete(
        by=people["practitioner"], assessment=assessment, factors=["18C"], analysis="Injury",
        version=assessment.version,
    )  # fmt: skip
    services.assessment_authorise(by=people["manager"], assessment=assessment)
    with pytest.raises(RuleBroken, match="neither an initial conference nor 'conference not"):
        services.referral_close(
            by=people["manager"], referral=signed, reason="RC7", on=timezone.localdate()
        )
    strategy_services.section47_outcome_propose(
        by=people["practitioner"], section47=enquiry, outcome=EnquiryOutcome.NOT_SUBSTANTIATED,
        rationale="Accidental injury",
    )  # fmt: skip
    strategy_services.section47_outcome_sign_off(by=people["manager"], section47=enquiry)
    assert fresh(enquiry).conference_not_required
    services.referral_close(
        by=people["manager"], referral=signed, reason="RC7", on=timezone.localdate()
    )
    assert fresh(signed).state == ReferralState.CLOSED


def test_closure_after_an_initial_conference(people, make_user):
    enquiry = section47_outcome_signed_off(by=people["practitioner"], signer=people["manager"])
    chair = make_user(Role.CONFERENCE_CHAIR)
    strategy_services.conference_record(
        by=chair, section47=enquiry, held_on=enquiry.start_date, agencies=[], plan=False
    )
    signed = fresh(enquiry.referral)
    assessment = signed.assessments.get()
    services.assessment_complete(
        by=people["practitioner"], assessment=assessment, factors=["18C"], analysis="Injury",
        version=assessment.version,
    )  # fmt: skip
    services.assessment_authorise(by=people["manager"], assessment=assessment)
    assert fresh(enquiry).state == Section47State.CONFERENCE_HELD
    services.referral_close(
        by=people["manager"], referral=signed, reason="RC7", on=timezone.localdate()
    )
    assert fresh(signed).state == ReferralState.CLOSED


@pytest.mark.parametrize("reason", ["", "RC0", "rc7"])
def test_closure_needs_a_census_reason(people, reason):
    signed = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    with pytest.raises(RuleBroken, match="Choose the reason for closure"):
        services.referral_close(
            by=people["manager"], referral=signed, reason=reason, on=timezone.localdate()
        )
    assert fresh(signed).state == ReferralState.NEXT_STEPS_SIGNED_OFF


def test_closure_date_is_not_in_the_future_nor_before_the_referral(people):
    signed = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    with pytest.raises(RuleBroken, match="cannot be in the future"):
        services.referral_close(
            by=people["manager"], referral=signed, reason="RC7",
            on=timezone.localdate() + timedelta(days=1),
        )  # fmt: skip
    with pytest.raises(RuleBroken, match="cannot close before its referral date"):
        services.referral_close(
            by=people["manager"], referral=signed, reason="RC7",
            on=signed.referral_date - timedelta(days=1),
        )  # fmt: skip
    assert fresh(signed).state == ReferralState.NEXT_STEPS_SIGNED_OFF
    services.referral_close(
        by=people["manager"], referral=signed, reason="RC7", on=signed.referral_date
    )
    assert fresh(signed).closure_date == signed.referral_date


@pytest.mark.parametrize(
    "change", [{"closure_date": date(2026, 1, 5)}, {"closure_reason": ReasonForClosure.RC7}]
)
def test_the_database_keeps_closure_date_and_reason_together(people, change):
    signed = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=signed.pk).update(**change)
    assert (fresh(signed).closure_date, fresh(signed).closure_reason) == (None, "")


# Races ---------------------------------------------------------------------------------------


def test_two_stale_copies_the_second_sign_off_fails(proposed, people):
    first, second = fresh(proposed), fresh(proposed)
    first.sign_off_next_steps(by=people["manager"])
    first.current_decision.save()
    first.save()
    second.return_next_steps(by=people["manager2"], comment="Not this")
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        second.save()
    assert fresh(proposed).state == ReferralState.NEXT_STEPS_SIGNED_OFF


def test_a_service_given_a_stale_copy_reads_the_current_state(proposed, people):
    stale = fresh(proposed)
    services.referral_next_steps_sign_off(by=people["manager"], referral=proposed)
    with pytest.raises(RuleBroken, match="Only proposed next steps can be returned"):
        services.referral_next_steps_return(by=people["manager2"], referral=stale, comment="No")
    current = fresh(proposed)
    assert current.state == ReferralState.NEXT_STEPS_SIGNED_OFF
    assert current.current_decision.state == ReferralDecision.State.SIGNED_OFF
