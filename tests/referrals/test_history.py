"""History at the point of decision (issue 18): the re-referral selector, the safety rule in
the services and on the decision page, the child's voice, the history panel and its query
count, child protection plans as records (one open plan per child, reviews, the end, closing
a referral with an open plan)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import Role
from casework.errors import RuleBroken
from referrals import selectors, services
from referrals.codes import CategoryOfAbuse, ConsentPosition, ReasonForClosure, ReferralSource
from referrals.models import Child, Household, Person, Referral, Relationship, Restriction
from referrals.models.contacts import ContactChild, ContactChildState, LevelOfNeed, Outcome
from referrals.models.episodes import NextSteps
from strategy import services as strategy_services
from strategy.models import ChildProtectionPlan, PlanState
from tests.conftest import sign_in
from tests.referrals.factories import contact, level
from tests.strategy.factories import (
    convened,
    next_steps_signed_off,
    section47,
    section47_outcome_signed_off,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {
        "practitioner": make_user(Role.PRACTITIONER),
        "manager": make_user(Role.MANAGER),
        "manager2": make_user(Role.MANAGER),
        "chair": make_user(Role.CONFERENCE_CHAIR),
    }


def contact_about(child: Child, *, by, concern: str = "Shouting heard again") -> ContactChild:
    """A new contact about a known child."""
    record = services.contact_record(
        by=by, received_at=timezone.now() - timedelta(hours=1), taken_by=by,
        source=ReferralSource.POLICE, concern=concern, consent=ConsentPosition.GIVEN,
        children=[child], referrer_name="PC Cole", referrer_agency="Police",
    )  # fmt: skip
    return record.children.get()


def propose(contact_child, *, by, outcome=Outcome.NO_FURTHER_ACTION, reason="", at=None):
    return services.decision_propose(
        by=by, contact_child=contact_child, outcome=outcome, level_of_need=at or level(),
        rationale="Parents engaging", childs_voice="Says home is calm now",
        safety_reason=reason,
    )  # fmt: skip


def with_plan(people) -> ChildProtectionPlan:
    enquiry = section47_outcome_signed_off(by=people["practitioner"], signer=people["manager"])
    strategy_services.conference_record(
        by=people["chair"], section47=enquiry, held_on=enquiry.start_date, agencies=[],
        plan=True, category=CategoryOfAbuse.NEG,
    )  # fmt: skip
    return ChildProtectionPlan.objects.get(child_id=enquiry.child_id)


# Re-referral: within 12 months of an earlier referral's date -------------------------------


@pytest.mark.parametrize(
    ("earlier", "expected"),
    [
        (date(2025, 3, 15), True),  # 12 months exactly
        (date(2025, 3, 16), True),  # a day inside
        (date(2025, 3, 14), False),  # a day outside
    ],
)
def test_re_referral_is_within_12_months_of_an_earlier_referrals_date(people, earlier, expected):
    first = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    later_cc = contact_about(first.child, by=people["practitioner"])
    propose(later_cc, by=people["practitioner"], outcome=Outcome.REFERRAL)
    services.decision_sign_off(by=people["manager"], contact_child=later_cc)
    second = Referral.objects.get(contact_child=later_cc)
    # The dates are test data: the census compares referral dates only.
    Referral.objects.filter(pk=first.pk).update(referral_date=earlier)
    Referral.objects.filter(pk=second.pk).update(referral_date=date(2026, 3, 15))
    flags = dict(
        selectors.with_re_referral(Referral.objects.filter(child=first.child)).values_list(
            "pk", "re_referral"
        )
    )
    assert flags == {first.pk: False, second.pk: expected}
    assert selectors.within_twelve_months(earlier, date(2026, 3, 15)) is expected


def test_re_referral_counts_29_february_to_28_february(people):
    assert selectors.within_twelve_months(date(2024, 2, 29), date(2025, 2, 28))
    assert not selectors.within_twelve_months(date(2024, 2, 29), date(2025, 3, 1))


# The safety rule ----------------------------------------------------------------------------


def test_nfa_for_a_child_with_an_open_section_47_needs_a_reason(people):
    enquiry = section47(by=people["practitioner"], signer=people["manager"])
    cc = contact_about(enquiry.child, by=people["practitioner"])
    with pytest.raises(RuleBroken, match=r"The safety rule: .*open section 47 enquiry"):
        propose(cc, by=people["practitioner"])
    assert ContactChild.objects.get(pk=cc.pk).state == ContactChildState.SCREENING
    decision = propose(cc, by=people["practitioner"], reason="The enquiry covers this concern")
    assert decision.safety_reason == "The enquiry covers this concern"


def test_advice_for_a_child_with_an_open_plan_needs_a_reason(people):
    plan = with_plan(people)
    cc = contact_about(plan.child, by=people["practitioner"])
    with pytest.raises(RuleBroken, match="open child protection plan"):
        propose(cc, by=people["practitioner"], outcome=Outcome.ADVICE)
    propose(cc, by=people["practitioner"], outcome=Outcome.ADVICE, reason="Plan covers it")


def test_early_help_while_a_discussion_is_not_signed_off_needs_a_reason(people):
    opened = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    convened(by=people["practitioner"], referrals=[opened])
    cc = contact_about(opened.child, by=people["practitioner"])
    with pytest.raises(RuleBroken, match="strategy discussion not yet signed off"):
        propose(cc, by=people["practitioner"], outcome=Outcome.EARLY_HELP)


@pytest.mark.parametrize("link", ["household", "mother"])
def test_nfa_when_a_brother_or_sister_has_open_work_needs_a_reason(people, link):
    enquiry = section47(by=people["practitioner"], signer=people["manager"])
    brother = Child.objects.create(first_name="Ben", last_name="Jones")
    if link == "household":
        home = Household.objects.create(address="1 High Street")
        home.children.add(enquiry.child, brother)
    else:
        mother = Person.objects.create(first_name="Ann", last_name="Jones")
        for child in (enquiry.child, brother):
            Relationship.objects.create(child=child, person=mother, kind="mother")
    cc = contact_about(brother, by=people["practitioner"])
    with pytest.raises(RuleBroken, match="brother or sister"):
        propose(cc, by=people["practitioner"])
    propose(cc, by=people["practitioner"], reason="Ben lives with his father now")


def test_a_linked_adults_other_child_is_not_a_sibling_for_the_rule(people):
    enquiry = section47(by=people["practitioner"], signer=people["manager"])
    other = Child.objects.create(first_name="Cal", last_name="Smith")
    uncle = Person.objects.create(first_name="Dan", last_name="Jones")
    Relationship.objects.create(child=enquiry.child, person=uncle, kind="relative")
    Relationship.objects.create(child=other, person=uncle, kind="alleged_perpetrator")
    cc = contact_about(other, by=people["practitioner"])
    history = selectors.child_history(other, user=people["practitioner"])
    assert [row.child for row in history.linked] == [enquiry.child]
    assert history.siblings == []
    propose(cc, by=people["practitioner"])  # no reason needed


def test_an_outcome_the_level_does_not_expect_needs_a_reason(people):
    child = Child.objects.create(first_name="Eve", last_name="Ray")
    cc = contact_about(child, by=people["practitioner"])
    high = LevelOfNeed.objects.create(name="Level 4: acute", expected_outcomes=["referral"])
    with pytest.raises(RuleBroken, match="'Level 4: acute' does not expect 'No further action'"):
        propose(cc, by=people["practitioner"], at=high)
    propose(cc, by=people["practitioner"], at=high, reason="Needs met by the school nurse")


def test_no_reason_is_needed_without_open_work_and_for_a_referral(people):
    enquiry = section47(by=people["practitioner"], signer=people["manager"])
    propose(contact_about(enquiry.child, by=people["practitioner"]), by=people["practitioner"],
            outcome=Outcome.REFERRAL)  # fmt: skip
    child = Child.objects.create(first_name="Fay", last_name="Ray")
    propose(contact_about(child, by=people["practitioner"]), by=people["practitioner"])


def test_sign_off_asks_the_rule_again_when_work_opened_after_the_proposal(people):
    enquiry = section47(by=people["practitioner"], signer=people["manager"])
    brother = Child.objects.create(first_name="Ben", last_name="Jones")
    cc = contact_about(brother, by=people["practitioner"])
    propose(cc, by=people["practitioner"])
    Household.objects.create(address="1 High Street").children.add(enquiry.child, brother)
    with pytest.raises(RuleBroken, match=r"The safety rule: .*return it"):
        services.decision_sign_off(by=people["manager"], contact_child=cc)
    assert ContactChild.objects.get(pk=cc.pk).state == ContactChildState.PROPOSED


def test_next_steps_nfa_with_a_siblings_open_enquiry_needs_a_reason(people):
    enquiry = section47(by=people["practitioner"], signer=people["manager"])
    sister = Child.objects.create(first_name="Gia", last_name="Jones")
    Household.objects.create(address="1 High Street").children.add(enquiry.child, sister)
    cc = contact_about(sister, by=people["practitioner"])
    propose(cc, by=people["practitioner"], outcome=Outcome.REFERRAL)
    services.decision_sign_off(by=people["manager"], contact_child=cc)
    referral = Referral.objects.get(contact_child=cc)
    arguments = {
        "by": people["practitioner"], "referral": referral, "primary_need": "",
        "next_steps": NextSteps.NO_FURTHER_ACTION, "rationale": "Nothing found",
    }  # fmt: skip
    with pytest.raises(RuleBroken, match="The safety rule"):
        services.referral_next_steps_propose(**arguments)
    decision = services.referral_next_steps_propose(**arguments, safety_reason="Gia moved out")
    assert decision.safety_reason == "Gia moved out"


def test_a_referral_needs_the_childs_voice(people):
    cc = contact(by=people["practitioner"]).children.get()
    with pytest.raises(RuleBroken, match="child's own views"):
        services.decision_propose(
            by=people["practitioner"], contact_child=cc, outcome=Outcome.STRATEGY_NOW,
            level_of_need=level(), rationale="Injury",
        )  # fmt: skip


# The decision page --------------------------------------------------------------------------


def decision_url(cc) -> str:
    return f"/contacts/{cc.contact_id}/children/{cc.pk}/"


def test_the_page_refuses_nfa_over_an_open_enquiry_without_a_reason_and_keeps_what_was_typed(
    client, people
):
    enquiry = section47(by=people["practitioner"], signer=people["manager"])
    cc = contact_about(enquiry.child, by=people["practitioner"])
    sign_in(client, people["practitioner"])
    page = client.get(decision_url(cc)).content.decode()
    assert "The safety rule." in page and "an open section 47 enquiry" in page
    response = client.post(
        decision_url(cc) + "propose/",
        {"outcome": "nfa", "level_of_need": level().pk, "rationale": "Parents engaging"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "The safety rule: " in page
    assert "Parents engaging" in page
    assert ContactChild.objects.get(pk=cc.pk).state == ContactChildState.SCREENING


def test_the_signer_sees_the_reason_the_voice_and_the_history(client, people):
    enquiry = section47(by=people["practitioner"], signer=people["manager"])
    cc = contact_about(enquiry.child, by=people["practitioner"], concern="Mother shouting")
    propose(cc, by=people["practitioner"], reason="The enquiry already covers it")
    sign_in(client, people["manager"])
    page = client.get(decision_url(cc)).content.decode()
    for seen in ("The enquiry already covers it", "Says home is calm now", "Mother shouting",
                 "Section 47 enquiries", "Earlier contacts",
                 "would be a <strong>re-referral</strong>"):  # fmt: skip
        assert seen in page, seen


def test_a_restricted_sibling_shows_as_restricted_record_and_its_reference(client, people):
    enquiry = section47(by=people["practitioner"], signer=people["manager"])
    brother = Child.objects.create(first_name="Zebedee", last_name="Jones")
    Household.objects.create(address="1 High Street").children.add(enquiry.child, brother)
    Restriction.objects.create(child=enquiry.child, reason="Staff member's child",
                               restricted_by=people["manager"])  # fmt: skip
    cc = contact_about(brother, by=people["practitioner"])
    history = selectors.child_history(brother, user=people["practitioner"], contact_child_id=cc.pk)
    assert [(row.restricted, row.child) for row in history.siblings] == [(True, enquiry.child)]
    sign_in(client, people["practitioner"])
    page = client.get(decision_url(cc)).content.decode()
    assert f"Restricted record {enquiry.child.census_id}" in page
    assert enquiry.child.first_name not in page


@pytest.mark.parametrize("earlier", [1, 50])
def test_decision_page_query_count_is_the_same_with_1_and_50_earlier_contacts(
    client, people, earlier, django_assert_num_queries
):
    child = Child.objects.create(first_name="Hal", last_name="Ray")
    for _ in range(earlier):
        cc = contact_about(child, by=people["practitioner"])
        propose(cc, by=people["practitioner"], outcome=Outcome.ADVICE)
    cc = contact_about(child, by=people["practitioner"])
    sign_in(client, people["practitioner"])
    # The page's own and the history panel's ten; the same for 1 or 50 earlier contacts.
    # (The read's audit entry is one insert here: this test's transaction appended the
    # chain's last entry; a request in a transaction of its own first locks and reads the
    # chain's end, two more.)
    with django_assert_num_queries(27):
        response = client.get(decision_url(cc))
    assert response.status_code == 200
    assert response.content.decode().count("Advice or signposting (") == earlier


# Child protection plans ---------------------------------------------------------------------


def test_a_conference_with_a_plan_starts_it_on_its_date_with_its_category(people):
    plan = with_plan(people)
    assert (plan.state, plan.start_date, plan.initial_category, plan.latest_category) == (
        PlanState.OPEN, plan.conference.held_on, CategoryOfAbuse.NEG, CategoryOfAbuse.NEG,
    )  # fmt: skip
    assert plan.previous_plans == 0


def test_a_child_has_at_most_one_open_plan(people):
    plan = with_plan(people)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildProtectionPlan.objects.create(
            child=plan.child, conference=plan.conference, start_date=plan.start_date,
            initial_category="NEG", latest_category="NEG",
        )  # fmt: skip
    strategy_services.plan_end(by=people["manager"], plan=plan, on=plan.start_date,
                               reason="Risk reduced")  # fmt: skip
    plan.refresh_from_db()
    assert (plan.state, plan.end_date, plan.end_reason) == (
        PlanState.ENDED, plan.start_date, "Risk reduced",
    )  # fmt: skip


def test_reviews_set_the_latest_category_and_only_chairs_and_managers_record_them(people):
    plan = with_plan(people)
    strategy_services.plan_review_record(
        by=people["chair"], plan=plan, reviewed_on=timezone.localdate(),
        category=CategoryOfAbuse.EMO,
    )  # fmt: skip
    plan.refresh_from_db()
    assert (plan.initial_category, plan.latest_category) == ("NEG", "EMO")
    assert plan.reviews.count() == 1
    with pytest.raises(RuleBroken, match="conference chairs and managers"):
        strategy_services.plan_end(by=people["practitioner"], plan=plan,
                                   on=timezone.localdate(), reason="x")  # fmt: skip


def test_closing_a_referral_with_an_open_plan_asks_for_its_end(people):
    plan = with_plan(people)
    referral = plan.conference.section47.referral
    assessment = referral.assessments.get()
    assessment = services.assessment_complete(
        by=people["practitioner"], assessment=assessment, factors=["21"], analysis="Done",
        version=assessment.version,
    )  # fmt: skip
    services.assessment_authorise(by=people["manager"], assessment=assessment)
    with pytest.raises(RuleBroken, match="open child protection plan"):
        services.referral_close(by=people["manager"], referral=referral,
                                reason=ReasonForClosure.RC8, on=timezone.localdate())  # fmt: skip
    services.referral_close(
        by=people["manager"], referral=referral, reason=ReasonForClosure.RC8,
        on=timezone.localdate(), plan_end_reason="Moved to another authority",
    )  # fmt: skip
    plan.refresh_from_db()
    assert (plan.state, plan.end_date) == (PlanState.ENDED, timezone.localdate())


def test_the_timeline_carries_the_voice_the_reason_and_the_plan(client, people):
    plan = with_plan(people)
    cc = contact_about(plan.child, by=people["practitioner"])
    propose(cc, by=people["practitioner"], reason="The plan's core group is on it")
    sign_in(client, people["manager"])
    page = client.get(f"/children/{plan.child_id}/").content.decode()
    assert "Reason under the safety rule: The plan&#x27;s core group is on it" in page
    assert "The child&#x27;s voice: Says home is calm now" in page
    assert "Child protection plan started" in page
