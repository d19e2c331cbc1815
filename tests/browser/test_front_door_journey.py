"""The front door queue and a contact's page, as a practitioner sees them; axe finds nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from demo.people import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in_through_page
from tests.referrals.factories import contact

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_practitioner_opens_a_contact_from_the_queue(page: Page, base):
    record = contact(
        by=User.objects.get(username="practitioner"), children=2, concern="Left alone overnight"
    )
    sign_in_through_page(page, base, "practitioner", DEMO_PASSWORD)
    page.get_by_role("link", name="Front door queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Front door queue")
    assert_accessible(page)
    page.get_by_role("link", name="Sib1 Jones", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Contact received")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Left alone overnight")
    assert page.url.endswith(f"/contacts/{record.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="child's record").first.click()
    expect(page.get_by_role("heading", level=2, name="Timeline")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write the note")
    page.get_by_label("Note", exact=True).fill("Grandmother offers to help with school runs")
    page.get_by_label("Significant: include it in the child's chronology").check()
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("table")).to_contain_text("Significant note")
    assert_accessible(page)
    page.get_by_role("link", name="Change the child's details").click()
    page.get_by_label("NHS number").fill("943 476 5918")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("its last digit does not match")
    assert_accessible(page)
    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("The child's details are saved")


def test_a_partner_typing_a_contacts_address_is_not_told_it_exists(page: Page, base):
    record = contact(by=User.objects.get(username="practitioner"))
    sign_in_through_page(page, base, "police", DEMO_PASSWORD)
    page.goto(f"{base}/contacts/{record.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
