"""The partner's referral pages and the front door's view of a waiting one, with the demo's
police referrals (one recorded with feedback, one waiting): axe finds nothing on any of them,
and "Add another child" works without JavaScript's help."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from demo.front_door import load_levels, load_partner_referrals
from demo.people import DEMO_PASSWORD
from referrals.models.partner_referrals import PartnerReferral, PartnerReferralState
from tests.browser.conftest import assert_accessible, sign_in_through_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def referrals(base):
    load_levels()
    load_partner_referrals()
    return {r.state: r for r in PartnerReferral.objects.all()}


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_the_police_lead_follows_the_agencys_referrals(page: Page, base, referrals):
    recorded = referrals[PartnerReferralState.RECORDED]
    sign_in_through_page(page, base, "police_lead", DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Make a referral")).to_be_visible()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My referrals").click()
    heading(page, "My referrals")
    expect(page.get_by_role("row").filter(has_text=recorded.reference)).to_contain_text(
        "Feedback given"
    )
    assert_accessible(page)
    page.get_by_role("link", name=recorded.reference).click()
    heading(page, "Your referral to the front door")
    expect(page.locator(".govuk-inset-text")).to_contain_text("Kensa's mother has accepted")
    expect(page.locator("main")).not_to_contain_text("First police call-out known")  # rationale
    assert_accessible(page)


def test_the_form_adds_another_child_and_shows_errors(page: Page, base, referrals):
    sign_in_through_page(page, base, "police", DEMO_PASSWORD)
    page.get_by_role("button", name="Make a referral").click()
    heading(page, "Tell the front door about a child you are worried about")
    page.get_by_role("group", name="Child 1").get_by_label("First name").fill("Ada")
    page.get_by_role("button", name="Add another child").click()
    expect(page.get_by_role("group", name="Child 2")).to_be_visible()
    expect(page.get_by_role("group", name="Child 1").get_by_label("First name")).to_have_value(
        "Ada"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter child 1's last name")
    assert_accessible(page)


def test_the_front_door_sees_a_waiting_referral(page: Page, base, referrals):
    waiting = referrals[PartnerReferralState.SUBMITTED]
    sign_in_through_page(page, base, "practitioner", DEMO_PASSWORD)
    page.goto(f"{base}/front-door/")
    table = page.get_by_role("table", name="Referrals from partner agencies")
    expect(table.get_by_role("row").filter(has_text=waiting.reference)).to_contain_text(
        "Immediate risk"
    )
    assert_accessible(page)
    table.get_by_role("link", name=waiting.reference).click()
    expect(page.locator("main")).to_contain_text("Elowyn Trewin")
    expect(page.get_by_role("button", name="Record as a contact")).to_be_visible()
    assert_accessible(page)
