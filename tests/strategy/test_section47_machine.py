"""The section 47 enquiry's machine, through its services: started by a signed-off discussion
on the discussion's date with its conference target fixed then; outcome proposed, signed off
or returned; closed without a conference unless there is continuing risk."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from accounts.audit import AuditEntry, Event
from accounts.permissions import Perm
from accounts.roles import ROLE_PERMISSIONS, Role
from casework.errors import RuleBroken
from referrals import services as referral_services
from referrals.codes import ConsentPosition, PrimaryNeed, ReferralSource
from referrals.models import Child, ClosureDay
from referrals.models.contacts import Outcome
from referrals.models.episodes import NextSteps, Referral
from referrals.timescales import Timescale, due_date
from strategy import services
from strategy.models import (
    DiscussionOutcome,
    EnquiryOutcome,
    EnquiryOutcomeDecision,
    Section47,
    Section47State,
)
from tests.referrals.factories import level
from tests.strategy.factories import (
    convened,
    discussion_signed_off,
    next_steps_signed_off,
    recorded,
    section47,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NO_CONFERENCE = [EnquiryOutcome.NOT_SUBSTANTIATED, EnquiryOutcome.NO_CONTINUING_RISK]


def roles_without(perm: Perm) -> list[Role]:
    return [role for role in Role if perm not in ROLE_PERMISSIONS[role]]


def transitions(record) -> list[tuple[str, str, str, str]]:
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
    return type(record).objects.get(pk=record.pk)


def received_on(day: date, *, by, signer) -> Referral:
    """A referral from a contact received on `day`, next steps (a discussion) signed off."""
    child = Child.objects.create(
        first_name="Ava", last_name="Smith", date_of_birth=date(2016, 3, 1)
    )
    contact = referral_services.contact_record(
        by=by, received_at=datetime.combine(day, time(9), tzinfo=LONDON), taken_by=by,
        source=ReferralSource.SCHOOLS, concern="Bruising seen at school",
        consent=ConsentPosition.GIVEN, children=[child],
    )  # fmt: skip
    contact_child = contact.children.get()
    referral_services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
        by=by, contact_child=contact_child, outcome=Outcome.REFERRAL, level_of_need=level(),
        rationale="Injuries",
    )  # fmt: skip
    referral_services.decision_sign_off(by=signer, contact_child=contact_child)
    opened = Referral.objects.get(contact_child=contact_child)
    referral_services.referral_next_steps_propose(
        by=by, referral=opened, next_steps=NextSteps.STRATEGY_DISCUSSION,
        primary_need=PrimaryNeed.N1, rationale="Multi-agency view",
    )  # fmt: skip
    referral_services.referral_next_steps_sign_off(by=signer, referral=opened)
    return fresh(opened)


def enquiry_from_discussion_on(day: date, *, by, signer, referral: Referral) -> Section47:
    """The discussion recorded as held at 10:00 on `day`, signed off today by `signer`."""
    discussion = recorded(convened(by=by, referrals=[referral]), by=by)
    discussion = services.discussion_record(
        by=by, discussion=discussion, version=discussion.version,
        held_at=datetime.combine(day, time(10), tzinfo=LONDON),
    )  # fmt: skip
    services.discussion_mark_held(by=by, discussion=discussion)
    services.discussion_sign_off(by=signer, discussion=discussion)
    return Section47.objects.get(referral=referral, discussion_child__discussion=discussion)


def propose(enquiry, *, by, outcome=EnquiryOutcome.CONTINUING_RISK, rationale="Harm likely"):
    return services.section47_outcome_propose(
        by=by, section47=enquiry, outcome=outcome, rationale=rationale
    )


@pytest.fixture
def people(make_user):
    return {
        "practitioner": make_user(Role.PRACTITIONER),
        "manager": make_user(Role.MANAGER),
        "manager2": make_user(Role.MANAGER),
    }


@pytest.fixture
def enquiry(people) -> Section47:
    return section47(by=people["practitioner"], signer=people["manager"])


@pytest.fixture
def proposed(enquiry, people) -> Section47:
    propose(enquiry, by=people["practitioner"])
    return fresh(enquiry)


# When it starts and when its conference is due ------------------------------------------------


def test_the_worked_example_conference_and_assessment_targets(people):
    """DOMAIN.md: s47 start Tue 2025-12-09 + 15 WD = Fri 2026-01-02 (Christmas, Boxing Day and
    New Year's Day skipped); referral Mon 2025-12-08 + 45 WD = Thu 2026-02-12."""
    opened = received_on(date(2025, 12, 8), by=people["practitioner"], signer=people["manager"])
    started = enquiry_from_discussion_on(
        date(2025, 12, 9), by=people["practitioner"], signer=people["manager"], referral=opened
    )
    assert started.start_date == date(2025, 12, 9)
    assert started.conference_due == date(2026, 1, 2)
    assert started.assessment.start_date == date(2025, 12, 9)
    assert started.assessment.due == date(2026, 2, 12)
    assert started.state == Section47State.OPEN
    assert started.joint  # the factory's record decides a joint enquiry


def test_the_conference_target_is_not_moved_by_a_later_setting_or_closure_day(people):
    opened = received_on(date(2025, 12, 9), by=people["practitioner"], signer=people["manager"])
    started = enquiry_from_discussion_on(
        date(2025, 12, 9), by=people["practitioner"], signer=people["manager"], referral=opened
    )
    assert started.conference_due == date(2026, 1, 2)
    shorter = {**settings.TIMESCALE_WORKING_DAYS, "INITIAL_CONFERENCE": 10}
    with override_settings(TIMESCALE_WORKING_DAYS=shorter):
        ClosureDay.objects.create(day=date(2025, 12, 12), name="Office move")
        assert due_date(date(2025, 12, 9), Timescale.INITIAL_CONFERENCE) == date(2025, 12, 24)
        assert fresh(started).conference_due == date(2026, 1, 2)
        # The new standard and the closure day apply to an enquiry started from now on.
        later = received_on(date(2025, 12, 9), by=people["practitioner"], signer=people["manager"])
        second = enquiry_from_discussion_on(
            date(2025, 12, 9), by=people["practitioner"], signer=people["manager"],
            referral=later,
        )  # fmt: skip
        assert second.conference_due == date(2025, 12, 24)  # 10 WD, skipping Fri 12 Dec
    assert fresh(started).conference_due == date(2026, 1, 2)


def test_the_enquiry_starts_on_the_discussions_date_not_the_sign_off(people):
    opened = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    day = opened.referral_date
    while day.weekday() >= 5:  # a weekday on or after the referral, a week or more ago
        day += timedelta(days=1)
    started = enquiry_from_discussion_on(
        day, by=people["practitioner"], signer=people["manager"], referral=opened
    )
    assert started.start_date == day
    assert (timezone.localdate() - day).days >= 3
    assert started.created_at.date() != day


def test_a_joint_enquiry_only_when_decided_jointly(people):
    opened = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    discussion_signed_off(
        by=people["practitioner"], signer=people["manager"], referrals=[opened],
        outcome=DiscussionOutcome.SECTION_47_SINGLE,
    )  # fmt: skip
    assert not Section47.objects.get(referral=opened).joint


# Outcome proposed, signed off, returned ----------------------------------------------------------


def test_continuing_risk_is_signed_off_and_waits_for_its_conference(enquiry, people):
    decision = propose(enquiry, by=people["practitioner"])
    current = fresh(enquiry)
    assert current.state == Section47State.OUTCOME_PROPOSED
    assert current.current_outcome == decision
    assert current.outcome == ""  # nothing decided until the sign-off
    services.section47_outcome_sign_off(by=people["manager"], section47=enquiry, comment="Yes")
    current = fresh(enquiry)
    assert current.state == Section47State.OUTCOME_SIGNED_OFF
    assert current.outcome == EnquiryOutcome.CONTINUING_RISK
    assert current.is_open
    assert not current.conference_not_required
    decision.refresh_from_db()
    assert (decision.state, decision.reviewed_by, decision.review_comment) == (
        EnquiryOutcomeDecision.State.SIGNED_OFF, people["manager"], "Yes",
    )  # fmt: skip
    child_ref = f"FD{enquiry.child_id:06d}"
    assert transitions(enquiry) == [
        ("propose_outcome", "open", "outcome_proposed", child_ref),
        ("sign_off_outcome", "outcome_proposed", "outcome_signed_off", child_ref),
    ]
    reasons = [
        e.additional_data["reason"]
        for e in AuditEntry.objects.filter(event=Event.TRANSITION, object_pk=str(enquiry.pk))
    ]
    assert "Harm likely" not in reasons  # the rationale is not copied into the trail


@pytest.mark.parametrize("outcome", NO_CONFERENCE)
def test_without_continuing_risk_it_closes_with_conference_not_required(enquiry, people, outcome):
    propose(enquiry, by=people["practitioner"], outcome=outcome)
    services.section47_outcome_sign_off(by=people["manager"], section47=enquiry)
    current = fresh(enquiry)
    assert current.state == Section47State.CLOSED
    assert current.conference_not_required
    assert current.closed_by == people["manager"]
    assert current.closed_at is not None
    assert current.outcome == outcome
    assert not current.is_open
    assert [t[:3] for t in transitions(enquiry)] == [
        ("propose_outcome", "open", "outcome_proposed"),
        ("sign_off_outcome", "outcome_proposed", "outcome_signed_off"),
        ("close_without_conference", "outcome_signed_off", "closed"),
    ]


def test_a_returned_outcome_is_kept_and_a_new_one_follows(proposed, people):
    first = proposed.current_outcome
    with pytest.raises(RuleBroken, match="Say what needs to change"):
        services.section47_outcome_return(by=people["manager"], section47=proposed, comment="")
    services.section47_outcome_return(
        by=people["manager"], section47=proposed, comment="The medical says accidental"
    )
    current = fresh(proposed)
    assert current.state == Section47State.OPEN
    assert current.current_outcome is None
    first.refresh_from_db()
    assert first.state == EnquiryOutcomeDecision.State.RETURNED
    assert first.review_comment == "The medical says accidental"
    second = propose(current, by=people["practitioner"], outcome=EnquiryOutcome.NOT_SUBSTANTIATED)
    assert second.pk != first.pk
    assert proposed.decisions.count() == 2
    assert [t[0] for t in transitions(proposed)] == [
        "propose_outcome", "return_outcome", "propose_outcome",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("outcome", "rationale", "message"),
    [("", "x", "Choose the outcome"), ("substantiated", "x", "Choose the outcome"),
     (EnquiryOutcome.CONTINUING_RISK, "  ", "Give the rationale")],
)  # fmt: skip
def test_an_outcome_needs_a_known_code_and_a_rationale(enquiry, people, outcome, rationale,
                                                        message):  # fmt: skip
    with pytest.raises(RuleBroken, match=message):
        propose(enquiry, by=people["practitioner"], outcome=outcome, rationale=rationale)
    assert fresh(enquiry).state == Section47State.OPEN
    assert not enquiry.decisions.exists()


def test_an_outcome_is_proposed_only_while_open(proposed, people):
    with pytest.raises(RuleBroken, match="only while the enquiry is open"):
        propose(proposed, by=people["practitioner"])
    services.section47_outcome_sign_off(by=people["manager"], section47=proposed)
    with pytest.raises(RuleBroken, match="only while the enquiry is open"):
        propose(proposed, by=people["practitioner"])
    assert proposed.decisions.count() == 1


def test_only_a_proposed_outcome_is_signed_off_or_returned(enquiry, people):
    with pytest.raises(RuleBroken, match="Only a proposed outcome can be signed off"):
        services.section47_outcome_sign_off(by=people["manager"], section47=enquiry)
    with pytest.raises(RuleBroken, match="Only a proposed outcome can be returned"):
        services.section47_outcome_return(by=people["manager"], section47=enquiry, comment="x")
    propose(enquiry, by=people["practitioner"], outcome=EnquiryOutcome.NOT_SUBSTANTIATED)
    services.section47_outcome_sign_off(by=people["manager"], section47=enquiry)
    with pytest.raises(RuleBroken, match="Only a proposed outcome can be returned"):
        services.section47_outcome_return(by=people["manager2"], section47=enquiry, comment="x")
    assert fresh(enquiry).state == Section47State.CLOSED


def test_the_model_refuses_transitions_from_the_wrong_state(enquiry, people):
    current = fresh(enquiry)
    with pytest.raises(TransitionNotAllowed):  # the condition: a proposal with a rationale
        current.propose_outcome(by=people["practitioner"])
    for transition in ("sign_off_outcome", "close_without_conference", "hold_conference"):
        with pytest.raises(TransitionNotAllowed):
            getattr(current, transition)(by=people["manager"])
    with pytest.raises(TransitionNotAllowed):
        current.return_outcome(by=people["manager"], comment="No")
    assert current.state == Section47State.OPEN


def test_the_model_closes_or_holds_a_conference_only_as_the_outcome_says(people):
    continuing = section47(by=people["practitioner"], signer=people["manager"])
    propose(continuing, by=people["practitioner"])
    services.section47_outcome_sign_off(by=people["manager"], section47=continuing)
    with pytest.raises(TransitionNotAllowed):
        fresh(continuing).close_without_conference(by=people["manager"])

    not_found = section47(by=people["practitioner"], signer=people["manager"])
    propose(not_found, by=people["practitioner"], outcome=EnquiryOutcome.NOT_SUBSTANTIATED)
    current = fresh(not_found)
    current.sign_off_outcome(by=people["manager"])  # the model alone: not yet closed
    assert current.state == Section47State.OUTCOME_SIGNED_OFF
    with pytest.raises(TransitionNotAllowed):
        current.hold_conference(by=people["manager"])


# Four eyes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["sign_off", "return"])
def test_four_eyes_the_proposer_never_reviews_the_outcome(enquiry, people, action):
    propose(enquiry, by=people["manager"])
    with pytest.raises(RuleBroken, match="You proposed this outcome, so another manager must"):
        if action == "sign_off":
            services.section47_outcome_sign_off(by=people["manager"], section47=enquiry)
        else:
            services.section47_outcome_return(
                by=people["manager"], section47=enquiry, comment="Mine"
            )
    with pytest.raises(RuleBroken, match="You proposed this"):
        fresh(enquiry).sign_off_outcome(by=people["manager"])  # the model refuses it too
    assert fresh(enquiry).state == Section47State.OUTCOME_PROPOSED
    services.section47_outcome_sign_off(by=people["manager2"], section47=enquiry)
    assert fresh(enquiry).state == Section47State.OUTCOME_SIGNED_OFF


def test_with_one_manager_the_outcome_waits_for_another(make_user):
    practitioner, manager = make_user(Role.PRACTITIONER), make_user(Role.MANAGER)
    enquiry = section47(by=practitioner, signer=manager)
    propose(enquiry, by=manager)
    with pytest.raises(RuleBroken, match="There is no other manager yet: it waits for one"):
        services.section47_outcome_sign_off(by=manager, section47=enquiry)
    assert fresh(enquiry).state == Section47State.OUTCOME_PROPOSED


# Rights ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", roles_without(Perm.RUN_SECTION_47_ENQUIRIES))
def test_roles_without_the_right_cannot_propose_an_outcome(enquiry, make_user, role):
    with pytest.raises(PermissionDenied):
        propose(enquiry, by=make_user(role))
    assert fresh(enquiry).state == Section47State.OPEN
    assert not enquiry.decisions.exists()


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.MANAGER])
def test_practitioners_and_managers_propose_outcomes(enquiry, make_user, role):
    propose(enquiry, by=make_user(role))
    assert fresh(enquiry).state == Section47State.OUTCOME_PROPOSED


@pytest.mark.parametrize("role", roles_without(Perm.SIGN_OFF_DECISIONS))
@pytest.mark.parametrize("action", ["sign_off", "return"])
def test_roles_without_the_right_cannot_review_an_outcome(proposed, make_user, role, action):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        if action == "sign_off":
            services.section47_outcome_sign_off(by=user, section47=proposed)
        else:
            services.section47_outcome_return(by=user, section47=proposed, comment="No")
    assert fresh(proposed).state == Section47State.OUTCOME_PROPOSED
    assert len(transitions(proposed)) == 1


# One open enquiry per referral; races ----------------------------------------------------------


def test_once_closed_a_new_enquiry_can_start_for_the_referral(people):
    first = section47(by=people["practitioner"], signer=people["manager"])
    propose(first, by=people["practitioner"], outcome=EnquiryOutcome.NO_CONTINUING_RISK)
    services.section47_outcome_sign_off(by=people["manager"], section47=first)
    discussion_signed_off(
        by=people["practitioner"], signer=people["manager"], referrals=[first.referral]
    )
    enquiries = Section47.objects.filter(referral=first.referral).order_by("pk")
    assert [e.state for e in enquiries] == [Section47State.CLOSED, Section47State.OPEN]
    assert enquiries[1].assessment == first.assessment  # the open assessment continues


def test_two_stale_copies_the_second_review_fails(proposed, people):
    first, second = fresh(proposed), fresh(proposed)
    first.sign_off_outcome(by=people["manager"])
    first.current_outcome.save()
    first.save()
    second.return_outcome(by=people["manager2"], comment="Wait")
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        second.save()
    assert fresh(proposed).state == Section47State.OUTCOME_SIGNED_OFF


def test_a_service_given_a_stale_copy_reads_the_current_state(proposed, people):
    stale = fresh(proposed)
    services.section47_outcome_sign_off(by=people["manager"], section47=proposed)
    with pytest.raises(RuleBroken, match="Only a proposed outcome can be returned"):
        services.section47_outcome_return(by=people["manager2"], section47=stale, comment="No")
    assert fresh(proposed).state == Section47State.OUTCOME_SIGNED_OFF
