"""The initial child protection conference: recorded by an independent chair after a signed-off
outcome of continuing risk, not before the enquiry started (census 8615), not on a weekend
(8875), not in the future; a plan has its category and only a plan has one."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import AuditEntry, Event
from accounts.models import Agency
from accounts.permissions import Perm
from accounts.roles import ROLE_PERMISSIONS, Role
from casework.errors import RuleBroken
from referrals import services as referral_services
from referrals.codes import CategoryOfAbuse
from referrals.models import Team
from referrals.models.contacts import Outcome
from referrals.models.episodes import NextSteps
from strategy import services
from strategy.models import EnquiryOutcome, InitialConference, Section47, Section47State
from tests.referrals.factories import contact, level
from tests.strategy.factories import (
    convened,
    next_steps_signed_off,
    recorded,
    section47,
    section47_outcome_signed_off,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def roles_without(perm: Perm) -> list[Role]:
    return [role for role in Role if perm not in ROLE_PERMISSIONS[role]]


def fresh(record):
    return type(record).objects.get(pk=record.pk)


def also(user, role: Role):
    """Give `user` a second role (before anything asks for their rights: they are cached)."""
    user.groups.add(Group.objects.get(name=role.value))
    return user


def last_saturday() -> date:
    day = timezone.localdate() - timedelta(days=1)
    while day.weekday() != 5:
        day -= timedelta(days=1)
    return day


@pytest.fixture
def people(make_user):
    return {
        "practitioner": make_user(Role.PRACTITIONER),
        "manager": make_user(Role.MANAGER),
        "manager2": make_user(Role.MANAGER),
        "chair": make_user(Role.CONFERENCE_CHAIR),
    }


@pytest.fixture
def enquiry(people) -> Section47:
    """Continuing risk signed off; the enquiry started on the latest weekday before today."""
    return section47_outcome_signed_off(by=people["practitioner"], signer=people["manager"])


def hold(enquiry, *, by, held_on=None, plan=True, category=CategoryOfAbuse.PHY, agencies=()):
    return services.conference_record(
        by=by, section47=enquiry, held_on=held_on or enquiry.start_date, agencies=list(agencies),
        plan=plan, category=category, summary="Plan agreed: physical abuse",
    )  # fmt: skip


def started_friday_before_a_weekend(people) -> Section47:
    """Continuing risk signed off, the enquiry started on the Friday before last Saturday."""
    friday = last_saturday() - timedelta(days=1)
    opened = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    assert opened.referral_date <= friday
    discussion = recorded(convened(by=people["practitioner"], referrals=[opened]),
                          by=people["practitioner"])  # fmt: skip
    discussion = services.discussion_record(
        by=people["practitioner"], discussion=discussion, version=discussion.version,
        held_at=datetime.combine(friday, time(10), tzinfo=LONDON),
    )  # fmt: skip
    services.discussion_mark_held(by=people["practitioner"], discussion=discussion)
    services.discussion_sign_off(by=people["manager"], discussion=discussion)
    started = Section47.objects.get(referral=opened)
    services.section47_outcome_propose(
        by=people["practitioner"], section47=started, outcome=EnquiryOutcome.CONTINUING_RISK,
        rationale="Risk continues",
    )  # fmt: skip
    services.section47_outcome_sign_off(by=people["manager"], section47=started)
    return fresh(started)


# Recorded ----------------------------------------------------------------------------------------


def test_an_independent_chair_records_the_conference_and_plan(enquiry, people):
    police = Agency.objects.get(name="Test police")
    health = Agency.objects.get(name="Test health")
    conference = hold(enquiry, by=people["chair"], agencies=[police, health])
    assert conference.section47 == enquiry
    assert conference.child_id == enquiry.child_id
    assert (conference.held_on, conference.chair, conference.recorded_by) == (
        enquiry.start_date, people["chair"], people["chair"],
    )  # fmt: skip
    assert (conference.plan, conference.category) == (True, CategoryOfAbuse.PHY)
    assert set(conference.agencies_attending.all()) == {police, health}
    assert conference.summary == "Plan agreed: physical abuse"
    current = fresh(enquiry)
    assert current.state == Section47State.CONFERENCE_HELD
    assert not current.is_open
    assert not current.conference_not_required
    entry = AuditEntry.objects.filter(
        event=Event.TRANSITION,
        content_type=ContentType.objects.get_for_model(Section47, for_concrete_model=False),
        object_pk=str(enquiry.pk),
    ).order_by("-sequence")[0]
    assert entry.child_ref == f"FD{enquiry.child_id:06d}"
    assert entry.additional_data == {
        "transition": "hold_conference", "from": "outcome_signed_off", "to": "conference_held",
        "reason": "plan",
    }  # fmt: skip


def test_a_conference_without_a_plan_has_no_category(enquiry, people):
    conference = hold(enquiry, by=people["chair"], plan=False, category="")
    assert (conference.plan, conference.category) == (False, "")
    assert fresh(enquiry).state == Section47State.CONFERENCE_HELD


@pytest.mark.parametrize("category", ["", "XYZ"])
def test_a_plan_needs_its_category(enquiry, people, category):
    with pytest.raises(RuleBroken, match="Choose the category of abuse for the plan"):
        hold(enquiry, by=people["chair"], plan=True, category=category)
    assert fresh(enquiry).state == Section47State.OUTCOME_SIGNED_OFF
    assert not InitialConference.objects.exists()


def test_no_category_without_a_plan(enquiry, people):
    with pytest.raises(RuleBroken, match="A category of abuse is recorded only with a plan"):
        hold(enquiry, by=people["chair"], plan=False, category=CategoryOfAbuse.NEG)
    assert not InitialConference.objects.exists()


@pytest.mark.parametrize(("plan", "category"), [(True, ""), (False, "NEG")])
def test_the_database_keeps_category_and_plan_together(enquiry, people, plan, category):
    with pytest.raises(IntegrityError), transaction.atomic():
        InitialConference.objects.create(
            section47=enquiry, child_id=enquiry.child_id, held_on=enquiry.start_date,
            chair=people["chair"], plan=plan, category=category, recorded_by=people["chair"],
        )  # fmt: skip
    assert not InitialConference.objects.exists()


# Dates -------------------------------------------------------------------------------------------


def test_not_before_the_enquiry_started(enquiry, people):
    """Census rule 8615; the start day itself is 0 working days and allowed."""
    with pytest.raises(RuleBroken, match="cannot be before the section 47 enquiry started"):
        hold(enquiry, by=people["chair"], held_on=enquiry.start_date - timedelta(days=1))
    assert fresh(enquiry).state == Section47State.OUTCOME_SIGNED_OFF
    assert hold(enquiry, by=people["chair"]).held_on == enquiry.start_date


@pytest.mark.parametrize("day", [0, 1])
def test_not_on_a_weekend(people, day):
    """Census rule 8875."""
    started = started_friday_before_a_weekend(people)
    with pytest.raises(RuleBroken, match="not held on a weekend"):
        hold(started, by=people["chair"], held_on=last_saturday() + timedelta(days=day))
    assert fresh(started).state == Section47State.OUTCOME_SIGNED_OFF
    assert hold(started, by=people["chair"], held_on=started.start_date).held_on.weekday() == 4


def test_not_in_the_future(enquiry, people):
    with pytest.raises(RuleBroken, match="cannot be in the future"):
        hold(enquiry, by=people["chair"], held_on=timezone.localdate() + timedelta(days=1))
    assert not InitialConference.objects.exists()


# Only after a signed-off outcome of continuing risk ---------------------------------------------


def test_not_while_the_enquiry_is_open_or_its_outcome_proposed(people):
    open_enquiry = section47(by=people["practitioner"], signer=people["manager"])
    with pytest.raises(RuleBroken, match="only after a signed-off outcome of continuing risk"):
        hold(open_enquiry, by=people["chair"])
    services.section47_outcome_propose(
        by=people["practitioner"], section47=open_enquiry,
        outcome=EnquiryOutcome.CONTINUING_RISK, rationale="Risk",
    )  # fmt: skip
    with pytest.raises(RuleBroken, match="only after a signed-off outcome of continuing risk"):
        hold(open_enquiry, by=people["chair"])
    assert not InitialConference.objects.exists()


@pytest.mark.parametrize("outcome", [EnquiryOutcome.NOT_SUBSTANTIATED,
                                     EnquiryOutcome.NO_CONTINUING_RISK])  # fmt: skip
def test_not_when_no_conference_is_required(people, outcome):
    closed = section47_outcome_signed_off(
        by=people["practitioner"], signer=people["manager"], outcome=outcome
    )
    with pytest.raises(RuleBroken, match="only after a signed-off outcome of continuing risk"):
        hold(closed, by=people["chair"])
    assert fresh(closed).state == Section47State.CLOSED


def test_one_conference_per_enquiry(enquiry, people, make_user):
    hold(enquiry, by=people["chair"])
    with pytest.raises(RuleBroken, match="only after a signed-off outcome"):
        hold(enquiry, by=make_user(Role.CONFERENCE_CHAIR))
    assert InitialConference.objects.count() == 1


# The chair's independence ------------------------------------------------------------------------


def test_an_independent_chair_has_no_conflicts(enquiry, people):
    assert services.chair_conflicts(people["chair"], enquiry.child_id) == []


def test_not_the_allocated_worker_nor_their_team_manager(enquiry, people, make_user):
    worker = also(make_user(Role.PRACTITIONER), Role.CONFERENCE_CHAIR)
    team_manager = also(make_user(Role.MANAGER), Role.CONFERENCE_CHAIR)
    team = Team.objects.create(name="Assessment team 1", manager=team_manager)
    referral_services.allocation_set(
        by=people["manager"], child=enquiry.child, team=team, worker=worker
    )
    assert services.chair_conflicts(worker, enquiry.child_id) == [
        "you are the child's allocated worker"
    ]
    assert services.chair_conflicts(team_manager, enquiry.child_id) == [
        "you manage the allocated worker's team"
    ]
    with pytest.raises(RuleBroken, match="You cannot chair this conference: you are the child"):
        hold(enquiry, by=worker)
    with pytest.raises(RuleBroken, match="you manage the allocated worker's team"):
        hold(enquiry, by=team_manager)
    assert fresh(enquiry).state == Section47State.OUTCOME_SIGNED_OFF


def test_an_ended_allocation_is_no_conflict(enquiry, people, make_user):
    former = also(make_user(Role.PRACTITIONER), Role.CONFERENCE_CHAIR)
    team = Team.objects.create(name="Assessment team 2", manager=people["manager2"])
    referral_services.allocation_set(
        by=people["manager"], child=enquiry.child, team=team, worker=former
    )
    referral_services.allocation_set(
        by=people["manager"], child=enquiry.child, team=team, worker=people["practitioner"]
    )
    assert services.chair_conflicts(former, enquiry.child_id) == []


def _decided(step: str, people, make_user):
    """A user with the chair's role and a practitioner's or manager's who took part in one
    decision for the child of a continuing-risk enquiry, and that enquiry."""
    worker = also(make_user(Role.MANAGER), Role.CONFERENCE_CHAIR)
    p, m = people["practitioner"], people["manager"]
    kwargs = {
        "contact_proposed": {"contact_by": worker},
        "contact_signed_off": {"contact_signer": worker},
        "next_steps_proposed": {"steps_by": worker},
        "next_steps_signed_off": {"steps_signer": worker},
        "discussion_recorded": {"held_by": worker},
        "discussion_signed_off": {"discussion_signer": worker},
        "outcome_proposed": {"outcome_by": worker},
        "outcome_signed_off": {"outcome_signer": worker},
        "assessment_completed": {"completed_by": worker},
        "assessment_authorised": {"authorised_by": worker},
    }[step]
    roles = {
        "contact_by": p, "contact_signer": m, "steps_by": p, "steps_signer": m, "held_by": p,
        "discussion_signer": m, "outcome_by": p, "outcome_signer": m, "completed_by": p,
        "authorised_by": m, **kwargs,
    }  # fmt: skip
    child_contact = contact(by=roles["contact_by"], days_ago=10).children.get()
    referral_services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
        by=roles["contact_by"], contact_child=child_contact, outcome=Outcome.REFERRAL,
        level_of_need=level(), rationale="Injuries",
    )  # fmt: skip
    referral_services.decision_sign_off(by=roles["contact_signer"], contact_child=child_contact)
    opened = child_contact.referral
    referral_services.referral_next_steps_propose(
        by=roles["steps_by"], referral=opened, next_steps=NextSteps.STRATEGY_DISCUSSION,
        primary_need="N1", rationale="Multi-agency view",
    )  # fmt: skip
    referral_services.referral_next_steps_sign_off(by=roles["steps_signer"], referral=opened)
    discussion = recorded(convened(by=roles["held_by"], referrals=[opened]), by=roles["held_by"])
    services.discussion_mark_held(by=roles["held_by"], discussion=discussion)
    services.discussion_sign_off(by=roles["discussion_signer"], discussion=discussion)
    enquiry = Section47.objects.get(referral=opened)
    referral_services.assessment_complete(
        by=roles["completed_by"], assessment=enquiry.assessment, factors=["18C"],
        analysis="Injury", version=enquiry.assessment.version,
    )  # fmt: skip
    referral_services.assessment_authorise(by=roles["authorised_by"], assessment=enquiry.assessment)
    services.section47_outcome_propose(
        by=roles["outcome_by"], section47=enquiry, outcome=EnquiryOutcome.CONTINUING_RISK,
        rationale="Risk continues",
    )  # fmt: skip
    services.section47_outcome_sign_off(by=roles["outcome_signer"], section47=enquiry)
    return worker, fresh(enquiry)


@pytest.mark.parametrize(
    "step",
    [
        "contact_proposed", "contact_signed_off", "next_steps_proposed", "next_steps_signed_off",
        "discussion_recorded", "discussion_signed_off", "outcome_proposed", "outcome_signed_off",
        "assessment_completed", "assessment_authorised",
    ],
)  # fmt: skip
def test_not_anyone_who_decided_for_the_child(people, make_user, step):
    chair, enquiry = _decided(step, people, make_user)
    assert services.chair_conflicts(chair, enquiry.child_id) == [
        "you proposed or signed off a decision for the child"
    ]
    with pytest.raises(RuleBroken, match="You cannot chair this conference: you proposed"):
        hold(enquiry, by=chair)
    assert fresh(enquiry).state == Section47State.OUTCOME_SIGNED_OFF
    # Deciding for one child is no conflict for another child's conference.
    other = section47_outcome_signed_off(by=people["practitioner"], signer=people["manager"])
    assert services.chair_conflicts(chair, other.child_id) == []
    assert hold(other, by=chair).chair == chair


def test_a_returned_discussion_counts_as_reviewed(people, make_user):
    reviewer = also(make_user(Role.MANAGER), Role.CONFERENCE_CHAIR)
    enquiry = section47_outcome_signed_off(by=people["practitioner"], signer=people["manager"])
    discussion = enquiry.discussion_child.discussion
    again = recorded(convened(by=people["practitioner"], referrals=[enquiry.referral]),
                     by=people["practitioner"], outcome="police_only")  # fmt: skip
    services.discussion_mark_held(by=people["practitioner"], discussion=again)
    services.discussion_return(by=reviewer, discussion=again, comment="Add the police plan")
    assert discussion.pk != again.pk
    assert services.chair_conflicts(reviewer, enquiry.child_id) == [
        "you proposed or signed off a decision for the child"
    ]


# Rights ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", roles_without(Perm.CHAIR_CONFERENCES))
def test_only_a_conference_chair_records_the_conference(enquiry, make_user, role):
    with pytest.raises(PermissionDenied):
        hold(enquiry, by=make_user(role))
    assert fresh(enquiry).state == Section47State.OUTCOME_SIGNED_OFF
    assert not InitialConference.objects.exists()
