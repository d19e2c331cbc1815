"""The system administrator adds a user (who waits for a second administrator's approval),
deactivates; axe finds nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from demo.people import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in_through_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_sysadmin_adds_a_user_and_manages_agencies(page: Page, base):
    sign_in_through_page(page, base, "sysadmin", DEMO_PASSWORD)
    page.get_by_role("link", name="Users", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    assert_accessible(page)
    page.get_by_role("button", name="Add a user").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Username").fill("hv.new")
    page.get_by_label("First name").fill("Hana")
    page.get_by_label("Last name").fill("Visitor")
    page.get_by_label("Email address").fill("hana@example.invalid")
    page.get_by_label("Agency").select_option(label="Holmsey NHS Trust")
    page.get_by_label("Partner practitioner").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hana Visitor")
    expect(page.get_by_role("alert")).to_contain_text("Waiting for a second person")
    expect(page.get_by_role("alert")).to_contain_text("gets an e-mail to set a password")
    expect(page.get_by_text("New: waiting for approval")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base}/administration/users/")
    page.get_by_role("link", name="Pete Lawson").click()
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("alert")).to_contain_text("deactivated")

    page.goto(f"{base}/administration/agencies/")
    assert_accessible(page)
    page.get_by_role("link", name="Holmsey Constabulary").click()
    expect(page.get_by_label("Police")).to_be_checked()
    assert_accessible(page)


def test_a_practitioner_is_refused_the_administration_pages(page: Page, base):
    sign_in_through_page(page, base, "practitioner", DEMO_PASSWORD)
    page.goto(f"{base}/administration/users/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")


def test_sysadmin_manages_levels_of_need_and_closure_days(page: Page, base):
    sign_in_through_page(page, base, "sysadmin", DEMO_PASSWORD)
    page.get_by_role("link", name="Levels of need and closure days").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Levels of need and closure days")
    assert_accessible(page)
    page.get_by_label("Date").fill("31/2/2027")
    page.get_by_label("Reason").fill("Staff training")
    page.get_by_role("button", name="Add closure day").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Date").fill("1/3/2027")
    page.get_by_role("button", name="Add closure day").click()
    expect(page.get_by_role("table").nth(1)).to_contain_text("Staff training")
    page.get_by_role("button", name="Add a level of need").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a level of need")
    assert_accessible(page)
