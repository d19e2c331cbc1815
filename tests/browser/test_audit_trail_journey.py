"""A manager reads the audit trail of their own activity, filters it, and finds the sign-in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from demo.people import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in_through_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_manager_reads_and_filters_their_own_trail(page: Page, base):
    sign_in_through_page(page, base, "police", "not the password")  # a failed attempt
    sign_in_through_page(page, base, "manager", DEMO_PASSWORD)
    page.get_by_role("link", name="See everything you have done").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail of a user")
    table = page.locator("table")
    expect(table).to_contain_text("Signed in")
    assert_accessible(page)

    page.get_by_label("From").fill("31/2/2026")
    page.get_by_role("button", name="Filter").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the start date as day/month/year")
    assert_accessible(page)

    page.get_by_label("From").fill("")
    page.get_by_label("What happened").select_option("Listed")
    page.get_by_role("button", name="Filter").click()
    expect(table).to_contain_text("Listed")
    expect(table).not_to_contain_text("Signed in")
    assert_accessible(page)


def test_a_practitioner_cannot_open_the_trail(page: Page, base):
    sign_in_through_page(page, base, "practitioner", DEMO_PASSWORD)
    page.goto(f"{base}/audit/users/1/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    assert_accessible(page)
