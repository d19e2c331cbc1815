"""Search (issue 20) in a real browser: the practitioner reaches the search from the service
navigation, searches a misspelt surname by keyboard and opens the child, then the child's
mother and back to the child from her page; a restricted child
found by search is "Restricted record" and asks for a reason before anything opens. axe finds
nothing, at 1280 and 375 px, and the results fit a phone's width."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from demo.people import DEMO_PASSWORD
from referrals.models import Person, Relationship
from referrals.services.restrictions import child_restrict
from tests.browser.conftest import assert_accessible, sign_in_through_page
from tests.referrals.factories import contact

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def family() -> None:
    """Tamsin Penhallow and her mother (a contact being decided), and Jenna Quiller, whose
    record is open only to the manager and the practitioner (the demo's people)."""
    worker, manager = (
        User.objects.get(username="practitioner"),
        User.objects.get(username="manager"),
    )
    tamsin, jenna = (cc.child for cc in contact(by=worker, children=2).children.order_by("pk"))
    tamsin.first_name, tamsin.last_name, tamsin.date_of_birth = (
        "Tamsin",
        "Penhallow",
        date(2016, 1, 22),
    )
    tamsin.save()
    mother = Person.objects.create(first_name="Kerenza", last_name="Penhallow")
    Relationship.objects.create(child=tamsin, person=mother, kind=Relationship.Kind.MOTHER)
    jenna.first_name, jenna.last_name = "Jenna", "Quiller"
    jenna.save()
    child_restrict(
        by=manager, child=jenna, reason="Her mother works here", allowed=[manager, worker]
    )


def person(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in_through_page(page, base, username, DEMO_PASSWORD)
    return page


def search_by_keyboard(page: Page, name: str) -> None:
    page.get_by_role("link", name="Search", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search for a child or adult")
    page.get_by_label("Name", exact=True).focus()
    page.keyboard.type(name)
    page.keyboard.press("Enter")  # submits the form
    expect(page.get_by_role("heading", level=2).first).to_contain_text("found")


def test_a_practitioner_finds_a_child_by_a_misspelt_surname(browser: Browser, base: str):
    family()
    page = person(browser, base, "practitioner")
    search_by_keyboard(page, "Tamsin Penhalow")
    assert "/search/" in page.url and "Penhalow" not in page.url
    children = page.get_by_role("region", name="Children found")
    expect(children).to_contain_text("22 Jan 2016")
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Tamsin Penhallow").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tamsin Penhallow")

    # Surname alone: the mother is found too, after the children; her page shows Tamsin and
    # the contact about her, and leads back to Tamsin.
    search_by_keyboard(page, "Penhalow")
    expect(page.get_by_role("region", name="Adults found")).to_contain_text("Kerenza Penhallow")
    assert_accessible(page)
    page.get_by_role("link", name="Kerenza Penhallow").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kerenza Penhallow")
    related = page.get_by_role("region", name="Children this adult is related to")
    expect(related).to_contain_text("Mother")
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    related.get_by_role("link", name="Tamsin Penhallow").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tamsin Penhallow")


def test_a_restricted_child_found_by_search_asks_for_a_reason_first(browser: Browser, base: str):
    family()
    page = person(browser, base, "practitioner2")
    search_by_keyboard(page, "Quiler")
    results = page.get_by_role("region", name="Children found")
    expect(results).to_contain_text("Restricted record")
    assert "Jenna" not in results.inner_text()
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page)
    page.get_by_role("link", name="Restricted record").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("This record is restricted")
    assert "Jenna" not in page.content()
    assert_accessible(page)
    page.get_by_label("Why do you need to open this record?").fill("Duty call about Jenna")
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jenna Quiller")
