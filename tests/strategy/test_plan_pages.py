"""The child protection plan pages: a review and the end, by the chair or a manager; bad
input in the error summary with nothing changed and nothing typed lost."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.roles import Role
from referrals.codes import CategoryOfAbuse
from strategy import services
from strategy.models import ChildProtectionPlan, PlanState
from tests.conftest import sign_in
from tests.strategy.factories import section47_outcome_signed_off

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {
        "practitioner": make_user(Role.PRACTITIONER),
        "manager": make_user(Role.MANAGER),
        "chair": make_user(Role.CONFERENCE_CHAIR),
    }


@pytest.fixture
def plan(people) -> ChildProtectionPlan:
    enquiry = section47_outcome_signed_off(by=people["practitioner"], signer=people["manager"])
    services.conference_record(
        by=people["chair"], section47=enquiry, held_on=enquiry.start_date, agencies=[],
        plan=True, category=CategoryOfAbuse.PHY,
    )  # fmt: skip
    return ChildProtectionPlan.objects.get(child_id=enquiry.child_id)


def day_fields(prefix: str, day) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def test_the_chair_records_a_review_and_the_latest_category_changes(client, people, plan):
    sign_in(client, people["chair"])
    assert client.get(f"/child-protection-plans/{plan.pk}/review/").status_code == 200
    response = client.post(
        f"/child-protection-plans/{plan.pk}/review/",
        {**day_fields("reviewed_on", timezone.localdate()), "category": "EMO",
         "note": "Core group working", "version": plan.version},
    )  # fmt: skip
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.latest_category == "EMO" and plan.reviews.count() == 1
    page = client.get(f"/child-protection-plans/{plan.pk}/").content.decode()
    assert "Emotional abuse" in page and "Core group working" in page


def test_a_review_before_the_plan_started_is_refused_in_the_error_summary(client, people, plan):
    sign_in(client, people["manager"])
    before = plan.start_date.replace(year=plan.start_date.year - 1)
    response = client.post(
        f"/child-protection-plans/{plan.pk}/review/",
        {**day_fields("reviewed_on", before), "category": "NEG", "note": "Typed note",
         "version": plan.version},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 409
    assert "govuk-error-summary" in page and "after the day the plan started" in page
    assert "Typed note" in page
    assert plan.reviews.count() == 0


def test_a_review_on_the_day_the_plan_started_is_refused(client, people, plan):
    """CIN census rule 8841: a review date on or before the plan's start date is an error."""
    sign_in(client, people["manager"])
    response = client.post(
        f"/child-protection-plans/{plan.pk}/review/",
        {**day_fields("reviewed_on", plan.start_date), "category": "NEG", "note": "Typed note",
         "version": plan.version},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 409
    assert "govuk-error-summary" in page and "after the day the plan started" in page
    assert "Typed note" in page and plan.reviews.count() == 0


def test_a_manager_ends_the_plan_with_a_reason(client, people, plan):
    sign_in(client, people["manager"])
    response = client.post(
        f"/child-protection-plans/{plan.pk}/end/",
        {**day_fields("end_date", timezone.localdate()), "reason": "", "version": plan.version},
    )
    assert response.status_code == 200 and "Say why the plan ended" in response.content.decode()
    response = client.post(
        f"/child-protection-plans/{plan.pk}/end/",
        {**day_fields("end_date", timezone.localdate()), "reason": "Risk reduced",
         "version": plan.version},
    )  # fmt: skip
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.state, plan.end_date, plan.end_reason) == (
        PlanState.ENDED, timezone.localdate(), "Risk reduced",
    )  # fmt: skip


def test_a_practitioner_sees_the_plan_but_cannot_end_it(client, people, plan):
    sign_in(client, people["practitioner"])
    assert client.get(f"/child-protection-plans/{plan.pk}/").status_code == 200
    response = client.post(
        f"/child-protection-plans/{plan.pk}/end/",
        {**day_fields("end_date", timezone.localdate()), "reason": "x", "version": plan.version},
    )
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.state == PlanState.OPEN
