"""Information sharing records (issue 9): a practitioner records a decision not to share on a
child's page; a manager lists the records, filters them and ends a share; axe finds nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from demo.people import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in_through_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def cases(base) -> str:
    from demo.front_door import load_cases, load_information_requests, load_levels

    load_levels()
    load_cases()
    load_information_requests()
    return base


def test_a_practitioner_records_a_decision_not_to_share(page: Page, cases):
    from referrals.models import Child

    ria = Child.objects.get(first_name="Ria", last_name="Nance")
    sign_in_through_page(page, cases, "practitioner", DEMO_PASSWORD)
    page.goto(f"{cases}/children/{ria.pk}/")
    expect(page.get_by_role("heading", name="Information shared")).to_be_visible()
    expect(page.get_by_text("Shared with Holmsey NHS Trust")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Record the decision not to share").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why it is not shared")
    assert_accessible(page)
    page.get_by_label("Agency").select_option(label="Holmsey Constabulary")
    page.get_by_label("What was asked for or considered").fill("The mother's GP records")
    page.get_by_label("Why it is not shared").fill("Not needed for the police's enquiry")
    page.get_by_role("button", name="Record the decision not to share").click()
    expect(page.get_by_role("alert")).to_contain_text("decision not to share is recorded")
    expect(page.get_by_text("Not shared with Holmsey Constabulary")).to_be_visible()


def test_a_manager_filters_the_records_and_ends_a_share(page: Page, cases):
    sign_in_through_page(page, cases, "manager", DEMO_PASSWORD)
    page.get_by_role("link", name="Information sharing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Information sharing records")
    assert_accessible(page)
    page.get_by_label("Decision").select_option(label="Shared")
    page.get_by_label("Agency").select_option(label="St Bride's Primary School")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("table")).to_contain_text("Information request")
    assert_accessible(page)
    page.get_by_role("link", name="End sharing").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End sharing")
    assert_accessible(page)
    page.get_by_role("button", name="End sharing").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Why the sharing ends").fill("Asked the wrong school")
    page.get_by_role("button", name="End sharing").click()
    expect(page.get_by_role("alert")).to_contain_text("has ended")
    expect(page.get_by_role("heading", level=1)).to_have_text("Information sharing records")
