"""A stateful test over one child's decision: any order of actions by any of the people, and
the rules always hold (four eyes, nothing closed without feedback, returned proposals kept)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from accounts.roles import Role
from casework.errors import RuleBroken
from referrals import services
from referrals.models.contacts import ContactChild, ContactChildState, ContactDecision, Outcome
from tests.referrals.factories import contact, level

PEOPLE = ["practitioner", "manager", "manager2", "partner"]


@pytest.mark.django_db
def test_the_decision_machine_keeps_its_rules(make_user):
    users = {
        "practitioner": make_user(Role.PRACTITIONER),
        "manager": make_user(Role.MANAGER),
        "manager2": make_user(Role.MANAGER),
        "partner": make_user(Role.PARTNER_PRACTITIONER),
    }

    class DecisionMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.cc = contact(by=users["practitioner"]).children.get()

        def refresh(self) -> ContactChild:
            self.cc = ContactChild.objects.get(pk=self.cc.pk)
            return self.cc

        def attempt(self, action) -> None:
            try:
                with transaction.atomic():
                    action()
            except (RuleBroken, PermissionDenied):
                pass
            self.refresh()

        @rule(who=st.sampled_from(PEOPLE), outcome=st.sampled_from(list(Outcome)))
        def propose(self, who, outcome):
            if outcome == Outcome.ALLOCATED_WORKER:
                outcome = Outcome.ADVICE  # no allocation in this test
            self.attempt(lambda: services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
                by=users[who], contact_child=self.refresh(), outcome=outcome,
                level_of_need=level(), rationale="because",
            ))  # fmt: skip

        @rule(who=st.sampled_from(PEOPLE))
        def sign_off(self, who):
            self.attempt(
                lambda: services.decision_sign_off(by=users[who], contact_child=self.refresh())
            )

        @rule(who=st.sampled_from(PEOPLE))
        def give_back(self, who):
            self.attempt(lambda: services.decision_return(
                by=users[who], contact_child=self.refresh(), comment="look again"))  # fmt: skip

        @rule(who=st.sampled_from(PEOPLE), family=st.booleans())
        def feedback(self, who, family):
            self.attempt(lambda: services.feedback_record(
                by=users[who], contact_child=self.refresh(), feedback_given=True,
                feedback_note="told", family_told=True if family else None,
                family_note="told them" if family else "",
            ))  # fmt: skip

        @precondition(lambda self: self.cc.state == ContactChildState.SIGNED_OFF)
        @rule(who=st.sampled_from(PEOPLE))
        def close(self, who):
            self.attempt(
                lambda: services.contact_child_close(by=users[who], contact_child=self.refresh())
            )

        @invariant()
        def signed_off_decisions_were_signed_by_someone_else(self):
            for decision in ContactDecision.objects.filter(contact_child=self.cc).exclude(
                reviewed_by=None
            ):
                assert decision.reviewed_by_id != decision.proposed_by_id
                assert decision.reviewed_by in (users["manager"], users["manager2"])

        @invariant()
        def a_proposal_is_current_exactly_when_there_should_be_one(self):
            has_current = self.cc.current_decision_id is not None
            assert has_current == (self.cc.state != ContactChildState.SCREENING)

        @invariant()
        def closed_only_with_feedback(self):
            if self.cc.state == ContactChildState.CLOSED:
                assert self.cc.feedback_given is not None and self.cc.feedback_note
                if self.cc.current_decision.outcome in {
                    Outcome.NO_FURTHER_ACTION,
                    Outcome.ADVICE,
                    Outcome.EARLY_HELP,
                }:
                    assert self.cc.family_told is not None

        @invariant()
        def returned_proposals_are_kept(self):
            states = list(
                ContactDecision.objects.filter(contact_child=self.cc).values_list(
                    "state", flat=True
                )
            )
            assert states.count(ContactDecision.State.PROPOSED) <= 1
            assert states.count(ContactDecision.State.SIGNED_OFF) <= 1

    DecisionMachine.TestCase.settings = settings(
        max_examples=25, stateful_step_count=12, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )  # fmt: skip
    DecisionMachine.TestCase().runTest()
