"""The data-quality page (issue 22): each census rule of DOMAIN.md's "Key rules" (and the
child's census fields) that a record breaks names the child and the rule, with a link to the
page that fixes it; restricted children by reference only; one query per rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from referrals.codes import Disability, Sex, UPNUnknown
from referrals.models import Assessment, Child, Referral
from referrals.models.episodes import NextSteps
from referrals.services.restrictions import child_restrict
from returns import selectors
from strategy.models import ChildProtectionPlan, InitialConference, Section47
from tests.conftest import sign_in
from tests.strategy.factories import next_steps_signed_off, section47

pytestmark = pytest.mark.django_db

PAGE = reverse("returns:data-quality")
CLEAN = {"disabilities": [Disability.NONE], "upn_unknown": UPNUnknown.UN4}


@pytest.fixture
def worker(make_user):
    return make_user(Role.PRACTITIONER)


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER)


@pytest.fixture
def officer(make_user):
    return make_user(Role.DATA_OFFICER)


def keys(problems) -> set[tuple[str, int]]:
    return {(problem.rule.key, problem.child_id) for problem in problems}


def clean(child_id: int) -> None:
    Child.objects.filter(pk=child_id).update(**CLEAN)


def assessed(worker, manager) -> Assessment:
    referral = next_steps_signed_off(by=worker, signer=manager, next_steps=NextSteps.ASSESSMENT)
    clean(referral.child_id)
    return Assessment.objects.get(referral=referral)


def enquiry(worker, manager) -> Section47:
    found = section47(by=worker, signer=manager)
    clean(found.child_id)
    return found


def conference(found: Section47, manager, held_on: date, plan: bool = False):
    return InitialConference.objects.create(
        section47=found, child_id=found.child_id, held_on=held_on, chair=manager, plan=plan,
        category="PHY" if plan else "", recorded_by=manager,
    )  # fmt: skip


def weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


# Each rule: (its key, what breaks it, by direct update) --------------------------------------


def breaks_no_disability(worker, manager):
    child_id = assessed(worker, manager).child_id
    Child.objects.filter(pk=child_id).update(disabilities=[])
    return child_id


def breaks_disability_codes(worker, manager):
    child_id = assessed(worker, manager).child_id
    Child.objects.filter(pk=child_id).update(disabilities=[Disability.NONE, Disability.AUT])
    return child_id


def breaks_no_upn(worker, manager):
    child_id = assessed(worker, manager).child_id
    Child.objects.filter(pk=child_id).update(upn="", upn_unknown="")
    return child_id


def breaks_un1_school_age(worker, manager):
    child_id = assessed(worker, manager).child_id  # born 2015
    Child.objects.filter(pk=child_id).update(upn_unknown=UPNUnknown.UN1)
    return child_id


def breaks_un7_activity(worker, manager):
    child_id = assessed(worker, manager).child_id
    Child.objects.filter(pk=child_id).update(upn_unknown=UPNUnknown.UN7)
    return child_id


def breaks_no_birth_date(worker, manager):
    child_id = assessed(worker, manager).child_id
    Child.objects.filter(pk=child_id).update(date_of_birth=None, expected_date_of_birth=None)
    return child_id


def breaks_unborn_sex(worker, manager):
    child_id = assessed(worker, manager).child_id
    Child.objects.filter(pk=child_id).update(
        date_of_birth=None, expected_date_of_birth=timezone.localdate() + timedelta(days=60),
        sex=Sex.FEMALE, disabilities=[],
    )  # fmt: skip
    return child_id


def breaks_no_primary_need(worker, manager):
    child_id = assessed(worker, manager).child_id
    Referral.objects.filter(child_id=child_id).update(primary_need="")
    return child_id


def breaks_nfa_activity(worker, manager):
    referral = next_steps_signed_off(
        by=worker, signer=manager, next_steps=NextSteps.NO_FURTHER_ACTION
    )
    clean(referral.child_id)
    Assessment.objects.create(
        referral=referral, child_id=referral.child_id, start_date=referral.referral_date,
        due=referral.referral_date, started_by=worker,
    )  # fmt: skip
    return referral.child_id


def breaks_assessment_before_referral(worker, manager):
    found = assessed(worker, manager)
    Assessment.objects.filter(pk=found.pk).update(
        start_date=found.referral.referral_date - timedelta(days=1)
    )
    return found.child_id


def breaks_enquiry_before_referral(worker, manager):
    found = enquiry(worker, manager)
    Section47.objects.filter(pk=found.pk).update(
        start_date=found.referral.referral_date - timedelta(days=1)
    )
    return found.child_id


def breaks_conference_before_enquiry(worker, manager):
    found = enquiry(worker, manager)
    conference(found, manager, weekday_on_or_after(found.start_date - timedelta(days=7)))
    return found.child_id


def breaks_conference_weekend(worker, manager):
    found = enquiry(worker, manager)
    saturday = found.start_date + timedelta(days=(5 - found.start_date.weekday()) % 7 or 7)
    conference(found, manager, saturday)
    return found.child_id


def breaks_plan_start(worker, manager):
    found = enquiry(worker, manager)
    held = conference(found, manager, found.start_date, plan=True)
    ChildProtectionPlan.objects.create(
        child_id=found.child_id, conference=held, start_date=found.start_date + timedelta(days=1),
        initial_category="PHY", latest_category="PHY",
    )  # fmt: skip
    return found.child_id


def breaks_closed_enquiry(worker, manager):
    found = enquiry(worker, manager)
    Referral.objects.filter(pk=found.referral_id).update(
        closure_date=timezone.localdate(), closure_reason="RC7", state="closed"
    )
    return found.child_id


BREAKS = {
    "no-disability": breaks_no_disability,
    "disability-codes": breaks_disability_codes,
    "no-upn": breaks_no_upn,
    "un1-school-age": breaks_un1_school_age,
    "un7-activity": breaks_un7_activity,
    "no-birth-date": breaks_no_birth_date,
    "unborn-sex": breaks_unborn_sex,
    "no-primary-need": breaks_no_primary_need,
    "nfa-activity": breaks_nfa_activity,
    "assessment-before-referral": breaks_assessment_before_referral,
    "enquiry-before-referral": breaks_enquiry_before_referral,
    "conference-before-enquiry": breaks_conference_before_enquiry,
    "conference-weekend": breaks_conference_weekend,
    "plan-start": breaks_plan_start,
    "closed-enquiry": breaks_closed_enquiry,
}


def test_every_rule_has_a_breaking_record_here():
    assert set(BREAKS) == {rule.key for rule in selectors.QUALITY_RULES}


@pytest.mark.parametrize("key", sorted(BREAKS))
def test_a_record_breaking_the_rule_is_named_with_the_rule_and_its_fix(
    client, worker, manager, officer, key
):
    fine = assessed(worker, manager).child_id  # a child whose records break nothing
    child_id = BREAKS[key](worker, manager)
    found = keys(selectors.data_quality_problems(user=manager))
    assert (key, child_id) in found
    assert not [pair for pair in found if pair[1] == fine]
    rule = next(rule for rule in selectors.QUALITY_RULES if rule.key == key)
    child = Child.objects.get(pk=child_id)
    sign_in(client, manager)
    page = client.get(PAGE).content.decode()
    assert rule.words.replace("'", "&#x27;") in page
    assert f"{child.first_name} {child.last_name} ({child.census_id})" in page
    problem = next(p for p in selectors.data_quality_problems(user=manager) if p.rule.key == key)
    assert problem.fix_url and problem.fix_url in page


def test_a_data_officer_is_linked_to_census_details_and_told_who_fixes_case_records(
    client, worker, manager, officer
):
    census_child = breaks_no_disability(worker, manager)
    case_child = breaks_assessment_before_referral(worker, manager)
    sign_in(client, officer)
    page = client.get(PAGE).content.decode()
    assert reverse("returns:child-census", args=[census_child]) in page
    assessment = Assessment.objects.get(child_id=case_child)
    assert reverse("referrals:assessment", args=[assessment.pk]) not in page
    assert "A practitioner or manager puts this right on the assessment" in page


def test_a_restricted_child_is_shown_by_reference_only(client, worker, manager, officer):
    child_id = breaks_no_disability(worker, manager)
    child = Child.objects.get(pk=child_id)
    child_restrict(by=manager, child=child, reason="Staff member's child", allowed=[manager])
    sign_in(client, officer)
    page = client.get(PAGE).content.decode()
    assert f"Restricted record {child.census_id}" in page
    assert child.last_name not in page
    assert reverse("returns:child-census", args=[child_id]) not in page
    assert "allow-list puts this right" in page


def test_a_child_outside_the_collection_year_is_not_checked(worker, manager):
    child_id = breaks_no_disability(worker, manager)
    start = selectors.census_year_start(timezone.localdate())
    Referral.objects.filter(child_id=child_id).update(
        referral_date=start - timedelta(days=30), closure_date=start - timedelta(days=1),
        closure_reason="RC7", state="closed",
    )  # fmt: skip
    assert ("no-disability", child_id) not in keys(selectors.data_quality_problems(user=manager))


@pytest.mark.parametrize(("role", "status"), [
    (Role.DATA_OFFICER, 200), (Role.MANAGER, 200), (Role.PRACTITIONER, 403),
    (Role.AUDITOR, 403), (Role.SYSTEM_ADMINISTRATOR, 403), (Role.PARTNER_PRACTITIONER, 403),
])  # fmt: skip
def test_who_opens_the_page(client, make_user, role, status):
    sign_in(client, make_user(role))
    assert client.get(PAGE).status_code == status


def test_the_page_costs_the_same_queries_for_one_problem_and_many(
    client, worker, manager, officer, django_assert_max_num_queries
):
    breaks_no_disability(worker, manager)
    sign_in(client, officer)
    # Session, user, rights, 15 rules, the restrictions, the names, and the page's own
    # (messages, navigation): a bound that does not grow with the problems.
    bound = 30
    with django_assert_max_num_queries(bound):
        assert client.get(PAGE).status_code == 200
    for key in ("no-upn", "plan-start", "conference-weekend", "nfa-activity"):
        BREAKS[key](worker, manager)
        BREAKS["no-disability"](worker, manager)
    with django_assert_max_num_queries(bound):
        response = client.get(PAGE)
    assert response.status_code == 200
    assert len(response.context["problems"]) >= 9


def test_the_data_officers_home_lists_the_problem_counts_and_the_returns(
    client, worker, manager, officer, django_assert_max_num_queries
):
    breaks_no_disability(worker, manager)
    sign_in(client, officer)
    # As the home page's own test, plus one query per rule and the newest returns.
    bound = 9 + len(selectors.QUALITY_RULES) + 1
    with django_assert_max_num_queries(bound):
        page = client.get(reverse("workspace:home")).content.decode()
    assert "Data-quality problems, by census rule" in page
    assert reverse("returns:exports") in page and PAGE in page
    for key in ("no-upn", "plan-start", "conference-weekend"):
        BREAKS[key](worker, manager)
    with django_assert_max_num_queries(bound):
        assert client.get(reverse("workspace:home")).status_code == 200
