"""Issue 19 in the browser, against the demo: the queue names each child's next step and its
due date and filters without a name in the address; screening notes typed and not saved
separately survive proposing, and every version shows. axe finds nothing; at 375 px nothing
overflows the page (wide tables scroll in their own region)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from demo.front_door import load_cases, load_information_requests, load_levels
from demo.people import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in_through_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def cases(base) -> str:
    load_levels()
    load_cases()
    load_information_requests()
    return base


def fits(page: Page, width: int) -> None:
    """Nothing makes the page wider than the screen."""
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"{page.url} is {wide} px wide at {width} px"


def row_of(page: Page, name: str):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


@pytest.mark.parametrize("width", [1280, 375])
def test_the_queue_names_the_next_step_and_filters_without_a_name_in_the_address(
    page: Page, cases: str, width: int
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_through_page(page, cases, "practitioner", DEMO_PASSWORD)
    page.goto(f"{cases}/front-door/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Front door queue")
    expect(page.get_by_role("columnheader", name="Next step")).to_be_visible()
    expect(row_of(page, "Ria Nance")).to_contain_text("Decision")
    expect(row_of(page, "Ria Nance")).to_contain_text("Overdue")
    expect(row_of(page, "Morwenna Penhallow")).to_contain_text("Feedback to the referrer")
    expect(row_of(page, "Tamsin Penhallow")).to_contain_text("Sign-off")
    assert_accessible(page)
    fits(page, width)

    page.get_by_text("Filter the open decisions").click()
    page.get_by_label("Next step").select_option(label="Feedback to the referrer")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("table", name="open decisions matching the filters")).to_be_visible()
    assert page.url == f"{cases}/front-door/"  # kept in the session, not the address
    shown = page.get_by_role("region", name="Open decisions")
    expect(shown.get_by_role("link", name="Morwenna Penhallow", exact=True)).to_be_visible()
    expect(shown.get_by_role("link", name="Ria Nance", exact=True)).to_have_count(0)
    assert_accessible(page)
    fits(page, width)

    # The row's next step opens the page where it is done.
    page.get_by_role("link", name="Feedback to the referrer for Morwenna Penhallow").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision for Morwenna Penhallow")
    expect(page.get_by_role("heading", name="Feedback")).to_be_visible()
    page.go_back()
    page.get_by_role("button", name="Clear filters").click()
    expect(row_of(page, "Ria Nance")).to_be_visible()

    # The decision page's table of requests to agencies scrolls in its own region.
    page.get_by_role("link", name="Decision for Ria Nance").click()
    expect(page.get_by_role("region", name="Requests to partner agencies")).to_be_visible()
    assert_accessible(page)
    fits(page, width)


@pytest.mark.parametrize("width", [1280, 375])
def test_screening_notes_typed_and_not_saved_survive_proposing(page: Page, cases: str, width: int):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_through_page(page, cases, "practitioner", DEMO_PASSWORD)
    page.goto(f"{cases}/front-door/")
    page.get_by_role("link", name="Decision for Denzel Rowe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision for Denzel Rowe")
    assert_accessible(page)
    fits(page, width)
    # Typed, not saved on their own: the proposal is made straight after.
    page.get_by_label("Screening notes").fill("Police: found at 2am, third time this month")
    page.get_by_label("Referral to children's social care").check()
    page.get_by_label("Level 3: child in need").check()
    page.get_by_label("Rationale").fill("Repeated missing episodes at night")
    page.get_by_label("The child's voice").fill("Says she goes out to see friends and feels safe")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before proposing the decision"
    )
    page.get_by_role("button", name="Propose the decision").click()
    expect(page.get_by_role("alert")).to_contain_text("The decision is proposed")
    page.goto(f"{cases}/front-door/")
    page.get_by_role("link", name="Sign-off for Denzel Rowe").click()
    expect(page.get_by_role("heading", name="Screening notes: every version")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Police: found at 2am, third time this month")
    expect(page.locator("main")).to_contain_text("Version 1, saved by")
    assert_accessible(page)
    fits(page, width)
