"""The decision for each child: every transition allowed and refused, and every rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_fsm import ConcurrentTransition

from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from casework.errors import RuleBroken
from referrals import services
from referrals.codes import ConsentPosition, ReferralSource
from referrals.models.contacts import ContactChild, ContactChildState, ContactDecision, Outcome
from referrals.timescales import WorkingCalendar
from tests.referrals.factories import contact, level, proposed, signed_off
from tests.strategy.factories import convened

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {
        "practitioner": make_user(Role.PRACTITIONER),
        "manager": make_user(Role.MANAGER),
        "manager2": make_user(Role.MANAGER),
        "partner": make_user(Role.PARTNER_PRACTITIONER),
        "auditor": make_user(Role.AUDITOR),
    }


def test_a_contact_about_siblings_has_a_decision_per_child(people):
    record = contact(by=people["practitioner"], children=3)
    assert record.children.count() == 3
    assert set(record.children.values_list("state", flat=True)) == {ContactChildState.SCREENING}
    calendar = WorkingCalendar.current()
    assert record.decision_due == calendar.add_working_days(
        timezone.localdate(record.received_at), 1
    )


@pytest.mark.parametrize("role", ["partner", "auditor"])
def test_only_front_door_roles_record_contacts(people, role):
    with pytest.raises(PermissionDenied):
        contact(by=people[role])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"received_at": timezone.now() + timedelta(days=1)}, "cannot be in the future"),
        ({"children": []}, "at least one child"),
        ({"concern": "  "}, "Record the concern"),
    ],
)
def test_contact_rules(people, change, message):
    values = {
        "by": people["practitioner"], "received_at": timezone.now(),
        "taken_by": people["practitioner"],
        "source": ReferralSource.POLICE, "concern": "x", "consent": ConsentPosition.GIVEN,
        "children": [contact(by=people["practitioner"]).children.get().child], **change,
    }  # fmt: skip
    with pytest.raises(RuleBroken, match=message):
        services.contact_record(**values)


def test_propose_needs_a_rationale_and_the_right(people):
    contact_child = contact(by=people["practitioner"]).children.get()
    with pytest.raises(RuleBroken, match="Give the rationale"):
        services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
            by=people["practitioner"], contact_child=contact_child, outcome=Outcome.ADVICE,
            level_of_need=level(), rationale=" ",
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
            by=people["partner"], contact_child=contact_child, outcome=Outcome.ADVICE,
            level_of_need=level(), rationale="x",
        )  # fmt: skip
    assert ContactChild.objects.get(pk=contact_child.pk).state == ContactChildState.SCREENING


def test_a_practitioner_cannot_sign_off(people):
    contact_child = proposed(by=people["practitioner"])
    with pytest.raises(PermissionDenied):
        services.decision_sign_off(by=people["practitioner"], contact_child=contact_child)


def test_a_manager_signs_off_anothers_proposal_and_the_transition_is_audited(people):
    contact_child = signed_off(by=people["practitioner"], signer=people["manager"])
    assert contact_child.state == ContactChildState.SIGNED_OFF
    decision = contact_child.current_decision
    assert (decision.state, decision.reviewed_by) == (
        ContactDecision.State.SIGNED_OFF,
        people["manager"],
    )
    transitions = AuditEntry.objects.filter(
        event=Event.TRANSITION, child_ref=f"FD{contact_child.child_id:06d}"
    )
    assert [t.additional_data["transition"] for t in transitions.order_by("sequence")] == [
        "propose_decision", "sign_off",
    ]  # fmt: skip
    assert "Pattern of injuries" not in str([t.additional_data for t in transitions])


def test_four_eyes_a_manager_never_signs_off_their_own_proposal(people):
    contact_child = proposed(by=people["manager"])
    with pytest.raises(RuleBroken, match=r"another manager must sign it off$"):
        services.decision_sign_off(by=people["manager"], contact_child=contact_child)
    services.decision_sign_off(by=people["manager2"], contact_child=contact_child)


def test_with_one_manager_the_item_waits_and_says_so(make_user):
    only_manager = make_user(Role.MANAGER)
    contact_child = proposed(by=only_manager)
    with pytest.raises(RuleBroken, match="There is no other manager yet: it waits for one"):
        services.decision_sign_off(by=only_manager, contact_child=contact_child)
    assert ContactChild.objects.get(pk=contact_child.pk).state == ContactChildState.PROPOSED


def test_the_transition_itself_refuses_four_eyes_too(people):
    contact_child = proposed(by=people["manager"])
    with pytest.raises(RuleBroken):
        contact_child.sign_off(by=people["manager"])


def test_a_returned_proposal_is_kept_and_the_next_is_a_new_row(people):
    contact_child = proposed(by=people["practitioner"], rationale="First go")
    with pytest.raises(RuleBroken, match="Say what needs to change"):
        services.decision_return(by=people["manager"], contact_child=contact_child, comment="")
    services.decision_return(
        by=people["manager"], contact_child=contact_child, comment="Look at history"
    )
    contact_child = ContactChild.objects.get(pk=contact_child.pk)
    assert (
        contact_child.state == ContactChildState.SCREENING
        and contact_child.current_decision is None
    )
    services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
        by=people["practitioner"], contact_child=contact_child, outcome=Outcome.STRATEGY_NOW,
        level_of_need=level(), rationale="Second go",
    )  # fmt: skip
    decisions = list(contact_child.decisions.all())
    assert [(d.rationale, d.state) for d in decisions] == [
        ("First go", ContactDecision.State.RETURNED), ("Second go", ContactDecision.State.PROPOSED),
    ]  # fmt: skip
    assert decisions[0].review_comment == "Look at history"


@pytest.mark.parametrize(
    ("outcome", "needs_family"),
    [(Outcome.NO_FURTHER_ACTION, True), (Outcome.ADVICE, True), (Outcome.EARLY_HELP, True),
     (Outcome.REFERRAL, False), (Outcome.LADO, False)],
)  # fmt: skip
def test_closing_needs_feedback_and_for_some_outcomes_the_family(people, outcome, needs_family):
    contact_child = signed_off(by=people["practitioner"], signer=people["manager"], outcome=outcome)
    with pytest.raises(RuleBroken, match="Record the feedback to the referrer"):
        services.contact_child_close(by=people["practitioner"], contact_child=contact_child)
    services.feedback_record(
        by=people["practitioner"], contact_child=contact_child, feedback_given=True,
        feedback_note="Told the school we will assess",
    )  # fmt: skip
    if needs_family:
        with pytest.raises(RuleBroken, match="whether the family was told"):
            services.contact_child_close(by=people["practitioner"], contact_child=contact_child)
        services.feedback_record(
            by=people["practitioner"], contact_child=contact_child, feedback_given=True,
            feedback_note="Told the school", family_told=False,
            family_note="Telling them would raise the risk",
        )  # fmt: skip
    services.contact_child_close(by=people["practitioner"], contact_child=contact_child)
    assert ContactChild.objects.get(pk=contact_child.pk).state == ContactChildState.CLOSED


def test_feedback_needs_what_was_said_or_why_not(people):
    contact_child = signed_off(by=people["practitioner"], signer=people["manager"])
    with pytest.raises(RuleBroken, match="what the referrer was told"):
        services.feedback_record(
            by=people["practitioner"], contact_child=contact_child, feedback_given=False,
            feedback_note="",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("sign_off", "Only a proposed decision can be signed off"),
        ("return", "Only a proposed decision can be returned"),
        ("close", "Only a signed-off decision can be closed"),
    ],
)
def test_transitions_from_the_wrong_state_are_refused(people, step, message):
    contact_child = contact(by=people["practitioner"]).children.get()
    manager, worker = people["manager"], people["practitioner"]
    with pytest.raises(RuleBroken, match=message):
        if step == "sign_off":
            services.decision_sign_off(by=manager, contact_child=contact_child)
        elif step == "return":
            services.decision_return(by=manager, contact_child=contact_child, comment="x")
        else:
            services.contact_child_close(by=worker, contact_child=contact_child)


def test_siblings_are_decided_one_by_one(people):
    record = contact(by=people["practitioner"], children=2)
    first, second = record.children.order_by("pk")
    services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
        by=people["practitioner"], contact_child=first, outcome=Outcome.REFERRAL,
        level_of_need=level(), rationale="Disclosure by the older child",
    )  # fmt: skip
    assert ContactChild.objects.get(pk=second.pk).state == ContactChildState.SCREENING


def test_two_managers_deciding_at_once_one_is_told(people):
    contact_child = proposed(by=people["practitioner"])
    stale = ContactChild.objects.get(pk=contact_child.pk)
    services.decision_sign_off(by=people["manager"], contact_child=contact_child)
    assert stale.state == ContactChildState.PROPOSED  # as loaded, before the other's change
    with pytest.raises(ConcurrentTransition):
        stale.return_for_changes(by=people["manager2"], comment="No")
        stale.save()


def test_the_urgent_path_creates_the_referral_at_once_dated_when_the_contact_arrived(people):
    from referrals.models import Referral

    contact_child = proposed(by=people["practitioner"], outcome=Outcome.STRATEGY_NOW)
    referral = Referral.objects.get(contact_child=contact_child)
    assert referral.urgent
    assert referral.referral_date == timezone.localdate(contact_child.contact.received_at)
    assert contact_child.state == ContactChildState.PROPOSED  # the sign-off follows
    with pytest.raises(RuleBroken, match="Convene the strategy discussion before signing off"):
        services.decision_sign_off(by=people["manager"], contact_child=contact_child)
    discussion = convened(by=people["practitioner"], referrals=[referral])
    services.decision_sign_off(by=people["manager"], contact_child=contact_child)
    assert Referral.objects.filter(contact_child=contact_child).count() == 1
    contact_child.refresh_from_db()
    assert contact_child.state == ContactChildState.SIGNED_OFF
    assert discussion.children.get().referral == referral


def test_a_cancelled_discussion_does_not_open_the_urgent_sign_off(people):
    from referrals.models import Referral
    from strategy.services import discussion_cancel

    contact_child = proposed(by=people["practitioner"], outcome=Outcome.STRATEGY_NOW)
    referral = Referral.objects.get(contact_child=contact_child)
    discussion = convened(by=people["practitioner"], referrals=[referral])
    discussion_cancel(by=people["practitioner"], discussion=discussion, reason="Duplicate")
    with pytest.raises(RuleBroken, match="Convene the strategy discussion"):
        services.decision_sign_off(by=people["manager"], contact_child=contact_child)


def test_a_signed_off_referral_opens_one_referral(people):
    from referrals.models import Referral

    contact_child = signed_off(by=people["practitioner"], signer=people["manager"])
    referral = Referral.objects.get(contact_child=contact_child)
    assert not referral.urgent
    assert referral.next_steps_due == WorkingCalendar.current().add_working_days(
        referral.referral_date, 1
    )


def test_a_lado_outcome_opens_a_lado_referral_due_in_one_working_day(people):
    from referrals.models import LadoReferral

    contact_child = signed_off(
        by=people["practitioner"], signer=people["manager"], outcome=Outcome.LADO
    )
    lado = LadoReferral.objects.get(contact_child=contact_child)
    received = timezone.localdate(contact_child.contact.received_at)
    assert lado.due == WorkingCalendar.current().add_working_days(received, 1)
    assert ContactChild.objects.get(pk=contact_child.pk).state == ContactChildState.SIGNED_OFF


def test_passing_to_the_allocated_worker_needs_an_open_allocation(people, make_user):
    from referrals.models import Allocation, Team

    contact_child = contact(by=people["practitioner"]).children.get()
    with pytest.raises(RuleBroken, match="no allocated worker"):
        services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
            by=people["practitioner"], contact_child=contact_child,
            outcome=Outcome.ALLOCATED_WORKER, level_of_need=level(), rationale="Known to us",
        )  # fmt: skip
    team = Team.objects.create(name="Assessment team", manager=people["manager"])
    Allocation.objects.create(child=contact_child.child, worker=people["practitioner"], team=team)
    services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
        by=people["practitioner"], contact_child=contact_child, outcome=Outcome.ALLOCATED_WORKER,
        level_of_need=level(), rationale="Known to us",
    )  # fmt: skip
