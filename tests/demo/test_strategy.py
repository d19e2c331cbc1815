"""`manage.py load_demo` puts the demo families' referrals, assessments, discussions and
enquiries in every state of their journeys, through the real services, and loads them once."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency, User
from accounts.sharing import SharingDecision, SharingRecord
from casework import access
from demo import front_door, people
from demo import strategy as strategy_demo
from notes.models import Note
from referrals.codes import CategoryOfAbuse, ReasonForClosure
from referrals.models import Allocation, Child, Household, Person, Relationship, Team
from referrals.models.contacts import Contact, ContactChild, ContactDecision
from referrals.models.episodes import (
    Assessment,
    AssessmentState,
    NextSteps,
    Referral,
    ReferralDecision,
    ReferralState,
)
from referrals.models.restrictions import Restriction
from referrals.timescales import local_date
from strategy.models import (
    Action,
    Attendance,
    DiscussionChild,
    DiscussionState,
    EnquiryOutcome,
    EnquiryOutcomeDecision,
    InitialConference,
    Participant,
    Section47,
    Section47State,
    StrategyDiscussion,
)
from strategy.services import chair_conflicts
from tests.conftest import sign_in

PROPOSERS = {"practitioner", "practitioner2"}
SIGNERS = {"manager", "manager2"}


@pytest.fixture
def loaded(db, settings):
    settings.DEBUG = True
    call_command("load_demo", history_children=0, stdout=StringIO())


def states(model) -> set[str]:
    return set(model.objects.values_list("state", flat=True))


def test_every_state_of_every_machine_has_a_case(loaded):
    assert states(Referral) == set(ReferralState.values)
    assert states(Assessment) == set(AssessmentState.values)
    assert states(StrategyDiscussion) == set(DiscussionState.values)
    assert states(Section47) == set(Section47State.values)


def test_one_referral_closed_with_no_further_action_and_one_after_its_assessment(loaded):
    this_year = Referral.objects.exclude(child__last_name="Angove")  # last year's family
    nfa = this_year.get(state=ReferralState.CLOSED, closure_reason=ReasonForClosure.RC7)
    assert nfa.is_nfa
    assert not nfa.assessments.exists() and not nfa.primary_need
    assessed = this_year.get(state=ReferralState.CLOSED, closure_reason=ReasonForClosure.RC8)
    assert assessed.next_steps == NextSteps.ASSESSMENT
    assert assessed.assessments.get().state == AssessmentState.AUTHORISED


def test_a_family_was_in_need_in_the_previous_census_year(loaded):
    # Issue 22: the demo's census has children in need last year as well as this year.
    today = timezone.localdate()
    starts = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    last_year = (starts.replace(year=starts.year - 1), starts - timedelta(days=1))
    referrals = Referral.objects.filter(child__last_name="Angove").order_by("child__date_of_birth")
    assessed, nfa = referrals
    assert {r.state for r in referrals} == {ReferralState.CLOSED}
    for referral in referrals:
        assert last_year[0] <= referral.referral_date <= referral.closure_date <= last_year[1]
    assert nfa.is_nfa and nfa.closure_reason == ReasonForClosure.RC7
    assessment = assessed.assessments.get()
    assert assessment.factors == ["21"] and assessed.closure_reason == ReasonForClosure.RC8
    assert assessed.referral_date < assessment.start_date <= assessment.authorisation_date
    assert assessment.authorisation_date <= assessed.closure_date
    assert all(child.disabilities == ["NONE"] and child.upn for child in
               (assessed.child, nfa.child))  # fmt: skip


def test_the_cancelled_discussion_gives_its_reason(loaded):
    cancelled = StrategyDiscussion.objects.get(state=DiscussionState.CANCELLED)
    assert cancelled.cancel_reason == strategy_demo.CANCEL_REASON
    assert cancelled.cancelled_by.username in PROPOSERS
    # The child's discussion was convened again.
    (child,) = cancelled.children.values_list("child_id", flat=True)
    again = StrategyDiscussion.objects.get(children__child_id=child, state="convened")
    assert again.scheduled_for <= timezone.now()


def test_an_enquiry_awaits_its_conference_past_the_target(loaded):
    overdue = Section47.objects.get(
        state=Section47State.OUTCOME_SIGNED_OFF, conference_due__lt=timezone.localdate()
    )
    assert overdue.outcome == EnquiryOutcome.CONTINUING_RISK
    assert not InitialConference.objects.filter(section47=overdue).exists()
    held_at = overdue.discussion_child.discussion.held_at
    assert overdue.start_date == local_date(held_at)
    assert overdue.referral.contact_child.contact.received_at < held_at


def test_a_discussion_was_held_without_health_with_the_reason(loaded):
    health = Participant.objects.get(
        agency__kind=Agency.Kind.HEALTH, discussion__state=DiscussionState.HELD
    )
    assert health.attendance != Attendance.ATTENDED
    assert health.absence_reason == strategy_demo.HEALTH_ABSENT_REASON
    assert not health.contribution
    assert health.discussion.reviewed_by is None  # awaiting a manager's sign-off


def test_the_joint_enquiry_ends_in_a_conference_with_a_plan_by_an_independent_chair(loaded):
    enquiry = Section47.objects.get(joint=True, state=Section47State.CONFERENCE_HELD)
    conference = enquiry.conference
    assert conference.plan and conference.category == CategoryOfAbuse.PHY
    assert conference.chair.username == "chair" == conference.recorded_by.username
    assert chair_conflicts(conference.chair, enquiry.child_id) == []
    assert not Allocation.objects.filter(worker=conference.chair).exists()
    assert enquiry.start_date <= conference.held_on <= timezone.localdate()
    assert conference.held_on.weekday() < 5
    assert conference.agencies_attending.filter(kind=Agency.Kind.POLICE).exists()


def test_the_single_enquiries_cover_the_other_states(loaded):
    single = Section47.objects.filter(joint=False)
    assert set(single.values_list("state", flat=True)) == set(Section47State.values) - {
        Section47State.CONFERENCE_HELD
    }
    closed = single.get(state=Section47State.CLOSED)
    assert closed.conference_not_required
    assert closed.outcome == EnquiryOutcome.NOT_SUBSTANTIATED


def test_four_eyes_practitioners_propose_and_managers_sign_off(loaded):
    for model in (ContactDecision, ReferralDecision, EnquiryOutcomeDecision):
        rows = model.objects.select_related("proposed_by", "reviewed_by")
        assert {row.proposed_by.username for row in rows} <= PROPOSERS
        assert {row.reviewed_by.username for row in rows if row.reviewed_by} <= SIGNERS
        assert all(row.proposed_by_id != row.reviewed_by_id for row in rows)
    recorded = StrategyDiscussion.objects.exclude(recorded_by=None)
    assert set(recorded.values_list("recorded_by__username", flat=True)) <= PROPOSERS
    reviewed = recorded.exclude(reviewed_by=None)
    assert set(reviewed.values_list("reviewed_by__username", flat=True)) <= SIGNERS
    assessed = Assessment.objects.exclude(completed_by=None)
    assert set(assessed.values_list("completed_by__username", flat=True)) <= PROPOSERS
    assert set(assessed.values_list("authorised_by__username", flat=True)) <= SIGNERS


def test_everything_happened_in_the_past_and_in_order(loaded):
    now, today = timezone.now(), timezone.localdate()
    assert not Contact.objects.filter(received_at__gt=now).exists()
    assert not StrategyDiscussion.objects.filter(scheduled_for__gt=now).exists()
    held = StrategyDiscussion.objects.exclude(held_at=None)
    assert held.count() == 5
    for discussion in held:
        assert discussion.held_at <= now
        assert local_date(discussion.held_at).weekday() < 5
        for child in discussion.children.select_related("referral__contact_child__contact"):
            assert local_date(discussion.held_at) > child.referral.referral_date
            assert child.referral.contact_child.contact.received_at < discussion.held_at
    assert not Action.objects.filter(due__gt=today).exists()
    for referral in Referral.objects.filter(state=ReferralState.CLOSED):
        assert referral.referral_date <= referral.closure_date <= today


def test_demo_people_are_fictional_islanders(loaded):
    surnames = set(Child.objects.values_list("last_name", flat=True))
    assert {strategy_demo.MARKER_SURNAME, "Nancarrow", "Trewhella", "Jelbert"} <= surnames
    # No way to reach anyone: the referrers have no contact details (encrypted, read here).
    assert all(not contact.referrer_contact for contact in Contact.objects.all())


TABLES = (
    Child, Person, Relationship, Contact, ContactChild, ContactDecision, Referral,
    ReferralDecision, Assessment, StrategyDiscussion, DiscussionChild, Participant, Action,
    Section47, EnquiryOutcomeDecision, InitialConference, Allocation, Team,
)  # fmt: skip


def test_a_second_run_adds_no_rows(loaded):
    before = {model.__name__: model.objects.count() for model in TABLES}
    call_command("load_demo", history_children=0, stdout=StringIO())
    after = {model.__name__: model.objects.count() for model in TABLES}
    assert before == after
    assert strategy_demo.load() == 0


def test_the_families_add_the_contacts_they_declare(db):
    people.load_demo()
    front_door.load_levels()
    front_door.load_cases()
    before = Contact.objects.count()
    assert strategy_demo.load() == strategy_demo.CONTACTS
    assert Contact.objects.count() == before + strategy_demo.CONTACTS


def test_each_demo_family_lives_in_a_household_with_its_mother(loaded):
    siblings = Child.objects.filter(last_name="Nancarrow")
    household = Household.objects.get(children__in=siblings[:1])
    assert set(household.children.all()) == set(siblings)
    assert [p.first_name for p in household.people.all()] == ["Rosenwyn"]


def test_police_and_health_took_part_and_a_grant_has_expired(loaded):
    police, health = User.objects.get(username="police"), User.objects.get(username="health")
    current = StrategyDiscussion.objects.get(
        children__child__last_name="Rosewarne", state=DiscussionState.CONVENED
    )
    parts = {p.agency_id: p for p in current.participants.all()}
    assert parts[police.agency_id].contribution == strategy_demo.POLICE_PART
    assert parts[health.agency_id].contribution == strategy_demo.HEALTH_PART
    assert parts[police.agency_id].recorded_by == police
    for user in (police, health):
        assert list(
            access.invited_discussions(user).filter(children__child__last_name="Rosewarne")
        ) == [current]
        assert [n.text for n in access.visible_discussion_notes(user, current)] == [
            strategy_demo.SHARED_NOTE
        ]
    cancelled = StrategyDiscussion.objects.get(
        children__child__last_name="Rosewarne", state=DiscussionState.CANCELLED
    )
    assert not access.invited_discussions(police).filter(pk=cancelled.pk).exists()
    ended = SharingRecord.objects.filter(object_id=cancelled.pk, decision=SharingDecision.REVOKED)
    assert ended.filter(agency=police.agency).exists() and not ended.exclude(by=None).exists()
    assert [n.text for n in Note.objects.filter(audience=Note.Audience.INVITED)] == [
        strategy_demo.SHARED_NOTE
    ]


# The restricted record (load_restricted) ---------------------------------------------------


def test_the_demo_restricts_a_record_for_manager_and_practitioner(db, settings):
    settings.DEBUG = True
    call_command("load_demo", history_children=0, stdout=StringIO())
    call_command("load_demo", history_children=0, stdout=StringIO())
    restriction = Restriction.objects.get()
    child = restriction.child
    assert (child.first_name, child.last_name) == strategy_demo.RESTRICTED_CHILD
    users = {u.username: u for u in User.objects.all()}
    assert {u.username for u in restriction.allowed.all()} == {"manager", "practitioner"}
    for name, opens in (("manager", True), ("practitioner", True), ("practitioner2", False),
                        ("auditor", False)):  # fmt: skip
        assert access.child_is_open_to(users[name], restriction.child) == opens


def test_the_restricted_demo_child_asks_practitioner2_for_a_reason(client, db, settings):
    settings.DEBUG = True
    call_command("load_demo", history_children=0, stdout=StringIO())
    child = Restriction.objects.get().child
    sign_in(client, User.objects.get(username="practitioner2"))
    page = reverse("referrals:child", args=[child.pk])
    assert client.get(page).url.startswith(reverse("referrals:child-restricted", args=[child.pk]))
    queue = client.get(reverse("referrals:referrals")).content.decode()
    assert "Restricted record" in queue and child.first_name not in queue
