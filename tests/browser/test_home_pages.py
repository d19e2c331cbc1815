"""Home pages that are work lists (issue 21): the manager's home page shows the counts of the
demo data and each count, opened with the keyboard, lists exactly those rows; every other
role's home page loads, and axe finds nothing, at 1280 and 375 px."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from demo.people import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in_through_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def whole_demo(base) -> str:
    """Everything `manage.py load_demo` loads: a family in every state of every step."""
    call_command("load_demo", allow_without_debug=True, stdout=StringIO())
    return base


def counts_on(page: Page) -> dict[str, int]:
    links = page.locator("[data-work-count]")
    return {
        links.nth(i).get_attribute("data-work-count") or "": int(
            links.nth(i).locator("[data-count]").inner_text()
        )
        for i in range(links.count())
    }


def test_each_of_the_manager_s_counts_opens_exactly_those_rows(page: Page, whole_demo: str):
    base = whole_demo
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_through_page(page, base, "manager", DEMO_PASSWORD)
    page.goto(f"{base}/")
    counts = counts_on(page)
    assert "awaiting-sign-off" in counts and "contacts-4-plus" in counts
    assert sum(counts.values()) > 0, "the demo data gives the manager work"
    assert_accessible(page)
    for key, count in counts.items():
        page.goto(f"{base}/")
        link = page.locator(f'[data-work-count="{key}"]')
        link.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/my-work/" in page.url
        assert page.locator("[data-work-row]").count() == min(count, 50), key
        caption = page.locator("caption").inner_text()
        assert caption.startswith(f"{count} row"), (key, caption)
    assert_accessible(page)


@pytest.mark.parametrize(
    "username", ["practitioner", "chair", "police", "police_lead", "auditor", "sysadmin"]
)
def test_every_other_role_s_home_page_loads_and_is_accessible(
    page: Page, whole_demo: str, username
):
    base = whole_demo
    sign_in_through_page(page, base, username, DEMO_PASSWORD)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(f"{base}/")
        assert response is not None and response.status == 200
        assert_accessible(page)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{username} at {width} px: {overflow} px wide"
    if username == "auditor":
        assert page.locator("[data-quality-audits-due]").count() == 1
