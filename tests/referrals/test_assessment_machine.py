"""The assessment's machine, through its services: opened (or continued), completed with the
census factors, authorised by another manager; the audit, the version and the races."""

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
from casework.errors import ChangedBySomeoneElse, RuleBroken
from referrals import services
from referrals.codes import ConsentPosition, ReferralSource
from referrals.models import Child
from referrals.models.contacts import Outcome
from referrals.models.episodes import Assessment, AssessmentState, NextSteps, Referral
from tests.referrals.factories import level
from tests.strategy.factories import next_steps_signed_off, referral

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


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


@pytest.fixture
def people(make_user):
    return {
        "practitioner": make_user(Role.PRACTITIONER),
        "manager": make_user(Role.MANAGER),
        "manager2": make_user(Role.MANAGER),
    }


@pytest.fixture
def assessment(people) -> Assessment:
    signed = next_steps_signed_off(
        by=people["practitioner"], signer=people["manager"], next_steps=NextSteps.ASSESSMENT
    )
    return signed.assessments.get()


def complete(assessment, *, by, factors=("3B", "16A"), analysis="Neglect and domestic abuse"):
    return services.assessment_complete(
        by=by, assessment=assessment, factors=list(factors), analysis=analysis,
        version=fresh(assessment).version,
    )  # fmt: skip


# The journey -----------------------------------------------------------------------------------


def test_an_assessment_is_completed_then_authorised(assessment, people):
    assert assessment.state == AssessmentState.OPEN
    done = complete(assessment, by=people["practitioner"])
    assert done.factors == ["3B", "16A"]
    assert done.analysis == "Neglect and domestic abuse"
    assert done.completed_by == people["practitioner"]
    assert done.completed_at is not None
    assert done.version == assessment.version + 1
    assert fresh(assessment).state == AssessmentState.OPEN  # completing is not authorising

    services.assessment_authorise(by=people["manager"], assessment=done, comment="Thorough")
    current = fresh(assessment)
    assert current.state == AssessmentState.AUTHORISED
    assert current.authorised_by == people["manager"]
    assert current.authorisation_date == timezone.localdate()
    assert current.authorisation_comment == "Thorough"
    assert transitions(assessment) == [
        ("authorise", "open", "authorised", f"FD{assessment.child_id:06d}")
    ]


def test_the_assessment_is_due_45_working_days_from_the_referral_date(people):
    """DOMAIN.md: referral Mon 2025-12-08 + 45 WD = Thu 2026-02-12, whenever it starts."""
    child = Child.objects.create(
        first_name="Ava", last_name="Smith", date_of_birth=date(2016, 3, 1)
    )
    contact = services.contact_record(
        by=people["practitioner"],
        received_at=datetime.combine(date(2025, 12, 8), time(16, 30), tzinfo=LONDON),
        taken_by=people["practitioner"], source=ReferralSource.POLICE,
        concern="Found alone at night", consent=ConsentPosition.GIVEN, children=[child],
    )  # fmt: skip
    contact_child = contact.children.get()
    services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
        by=people["practitioner"], contact_child=contact_child, outcome=Outcome.REFERRAL,
        level_of_need=level(), rationale="Unsupervised",
    )  # fmt: skip
    services.decision_sign_off(by=people["manager"], contact_child=contact_child)
    opened = Referral.objects.get(contact_child=contact_child)
    started = services.assessment_open(
        by=people["practitioner"], referral=opened, start_date=date(2025, 12, 15)
    )
    assert (started.start_date, started.due) == (date(2025, 12, 15), date(2026, 2, 12))


def test_completing_again_before_authorisation_replaces_the_factors(assessment, people):
    complete(assessment, by=people["practitioner"])
    again = complete(assessment, by=people["manager2"], factors=["21"], analysis="Nothing found")
    assert (again.factors, again.completed_by) == (["21"], people["manager2"])
    services.assessment_authorise(by=people["manager"], assessment=again)
    assert fresh(assessment).state == AssessmentState.AUTHORISED


# One open assessment per referral, none before the referral ------------------------------------


def test_opening_again_continues_the_open_assessment(assessment, people):
    same = services.assessment_open(
        by=people["manager"], referral=assessment.referral, start_date=timezone.localdate()
    )
    assert same.pk == assessment.pk
    assert assessment.referral.assessments.count() == 1


def test_once_authorised_a_new_assessment_can_open(assessment, people):
    services.assessment_authorise(
        by=people["manager"], assessment=complete(assessment, by=people["practitioner"])
    )
    second = services.assessment_open(
        by=people["practitioner"], referral=assessment.referral, start_date=timezone.localdate()
    )
    assert second.pk != assessment.pk
    assert second.state == AssessmentState.OPEN


def test_the_database_refuses_a_second_open_assessment(assessment, people):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            referral=assessment.referral, child_id=assessment.child_id,
            start_date=assessment.start_date, due=assessment.due, started_by=people["manager"],
        )  # fmt: skip
    assert assessment.referral.assessments.count() == 1


def test_no_assessment_starts_before_its_referral(people):
    """Census rules 2889/1103."""
    opened = referral(by=people["practitioner"], signer=people["manager"])
    with pytest.raises(RuleBroken, match="cannot start before its referral date"):
        services.assessment_open(
            by=people["practitioner"], referral=opened,
            start_date=opened.referral_date - timedelta(days=1),
        )  # fmt: skip
    assert not opened.assessments.exists()
    on_the_day = services.assessment_open(
        by=people["practitioner"], referral=opened, start_date=opened.referral_date
    )
    assert on_the_day.start_date == opened.referral_date


def test_no_assessment_starts_on_a_closed_referral(people):
    signed = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    services.referral_close(
        by=people["manager"], referral=signed, reason="RC7", on=timezone.localdate()
    )
    with pytest.raises(RuleBroken, match="The referral is closed"):
        services.assessment_open(
            by=people["practitioner"], referral=fresh(signed), start_date=timezone.localdate()
        )
    assert not signed.assessments.exists()


# Completing: the census factors and the analysis -----------------------------------------------


@pytest.mark.parametrize(
    ("factors", "problem"),
    [
        ([], "Choose the factors identified"),
        (["99Z"], "Unknown assessment factor codes: 99Z"),
        (["3B", "3B"], "A factor is given twice"),
        (["21", "3B"], "'No factors identified' cannot be chosen with a factor"),
    ],
)
def test_the_factors_follow_the_census_rules(assessment, people, factors, problem):
    with pytest.raises(RuleBroken, match=problem):
        complete(assessment, by=people["practitioner"], factors=factors)
    current = fresh(assessment)
    assert (current.factors, current.completed_by, current.version) == ([], None, 1)


def test_the_analysis_is_required(assessment, people):
    with pytest.raises(RuleBroken, match="Record the analysis"):
        complete(assessment, by=people["practitioner"], analysis="  ")
    assert fresh(assessment).completed_by is None


def test_an_authorised_assessment_cannot_change(assessment, people):
    done = complete(assessment, by=people["practitioner"])
    services.assessment_authorise(by=people["manager"], assessment=done)
    with pytest.raises(RuleBroken, match="An authorised assessment cannot change"):
        complete(assessment, by=people["practitioner"], factors=["21"])
    assert fresh(assessment).factors == ["3B", "16A"]


def test_a_stale_version_is_told_it_changed_and_overwrites_nothing(assessment, people):
    shown = assessment.version
    complete(assessment, by=people["practitioner"])
    with pytest.raises(ChangedBySomeoneElse) as told:
        services.assessment_complete(
            by=people["manager2"], assessment=assessment, factors=["21"],
            analysis="My own view", version=shown,
        )  # fmt: skip
    assert told.value.current.factors == ["3B", "16A"]  # what the other person saved
    assert told.value.current.completed_by == people["practitioner"]
    current = fresh(assessment)
    assert (current.factors, current.analysis) == (["3B", "16A"], "Neglect and domestic abuse")


# Authorising -----------------------------------------------------------------------------------


def test_an_assessment_is_authorised_only_once_completed(assessment, people):
    with pytest.raises(RuleBroken, match="Record the factors identified before"):
        services.assessment_authorise(by=people["manager"], assessment=assessment)
    assert fresh(assessment).state == AssessmentState.OPEN
    with pytest.raises(TransitionNotAllowed):  # the model's own condition
        fresh(assessment).authorise(by=people["manager"])


def test_an_assessment_is_authorised_once(assessment, people):
    done = complete(assessment, by=people["practitioner"])
    services.assessment_authorise(by=people["manager"], assessment=done)
    with pytest.raises(RuleBroken, match="already authorised"):
        services.assessment_authorise(by=people["manager2"], assessment=done)
    with pytest.raises(TransitionNotAllowed):
        fresh(assessment).authorise(by=people["manager2"])
    assert fresh(assessment).authorised_by == people["manager"]
    assert len(transitions(assessment)) == 1


def test_four_eyes_whoever_completed_it_never_authorises_it(assessment, people):
    done = complete(assessment, by=people["manager"])
    with pytest.raises(RuleBroken, match="You completed this assessment, so another manager"):
        services.assessment_authorise(by=people["manager"], assessment=done)
    with pytest.raises(RuleBroken, match="You completed this assessment"):
        fresh(assessment).authorise(by=people["manager"])  # the model refuses it too
    assert fresh(assessment).state == AssessmentState.OPEN
    services.assessment_authorise(by=people["manager2"], assessment=done)
    assert fresh(assessment).state == AssessmentState.AUTHORISED


def test_with_one_manager_the_assessment_waits_for_another(make_user):
    practitioner, manager = make_user(Role.PRACTITIONER), make_user(Role.MANAGER)
    signed = next_steps_signed_off(by=practitioner, signer=manager, next_steps=NextSteps.ASSESSMENT)
    assessment = signed.assessments.get()
    complete(assessment, by=manager)
    with pytest.raises(RuleBroken, match="There is no other manager yet: it waits for one"):
        services.assessment_authorise(by=manager, assessment=assessment)
    assert fresh(assessment).state == AssessmentState.OPEN


# Rights ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", roles_without(Perm.PROPOSE_DECISIONS))
def test_roles_without_the_right_cannot_complete_an_assessment(assessment, make_user, role):
    with pytest.raises(PermissionDenied):
        complete(assessment, by=make_user(role))
    assert fresh(assessment).completed_by is None


@pytest.mark.parametrize("role", roles_without(Perm.SIGN_OFF_DECISIONS))
def test_roles_without_the_right_cannot_authorise_an_assessment(
    assessment, people, make_user, role
):
    done = complete(assessment, by=people["practitioner"])
    with pytest.raises(PermissionDenied):
        services.assessment_authorise(by=make_user(role), assessment=done)
    assert fresh(assessment).state == AssessmentState.OPEN
    assert transitions(assessment) == []


# Races -----------------------------------------------------------------------------------------


def test_two_stale_copies_the_second_authorisation_fails(assessment, people):
    complete(assessment, by=people["practitioner"])
    first, second = fresh(assessment), fresh(assessment)
    first.authorise(by=people["manager"])
    first.save()
    second.authorise(by=people["manager2"], comment="Me too")
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        second.save()
    assert fresh(assessment).authorised_by == people["manager"]
