"""Two siblings' decisions by three people: the practitioner records a contact from a new
referrer about two siblings (one already known), proposes for each child, a
manager returns one, the practitioner corrects it, a second manager signs both off, and
feedback is recorded; axe finds nothing on any page visited."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from demo.front_door import load_levels
from demo.people import DEMO_PASSWORD
from referrals.models import Child, Contact
from tests.browser.conftest import assert_accessible, sign_in_through_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def person(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context().new_page()
    sign_in_through_page(page, base, username, DEMO_PASSWORD)
    return page


def propose(
    page: Page, base: str, contact_pk: int, child: str, outcome: str, rationale: str
) -> None:
    page.goto(f"{base}/contacts/{contact_pk}/")
    page.get_by_role("link", name=child).click()
    page.get_by_label(outcome).check()
    page.get_by_label("Level 3: child in need").check()
    page.get_by_label("Rationale").fill(rationale)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before proposing the decision"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Propose the decision").click()
    expect(page.get_by_role("alert")).to_contain_text("The decision is proposed")


def review(
    page: Page, base: str, contact_pk: int, child: str, action: str, comment: str = ""
) -> None:
    page.goto(f"{base}/contacts/{contact_pk}/")
    page.get_by_role("link", name=child).click()
    assert_accessible(page)
    page.get_by_label(action).check()
    if comment:
        page.get_by_label("Comment", exact=True).fill(comment)
    page.get_by_role("button", name="Confirm").click()


def record_contact_about_two_siblings(worker: Page) -> int:
    """Through the pages: a new referrer, two children, one of them already known, found in
    place; both decisions left to screen later."""
    worker.get_by_role("link", name="Front door queue").click()
    worker.get_by_role("button", name="Record a contact").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("Record a contact")
    assert_accessible(worker)
    worker.get_by_label("Source").select_option("2A")
    worker.get_by_label("Referrer's name").fill("Mrs Head")
    worker.get_by_label("Referrer's organisation").fill("St Bride's Primary School")
    worker.get_by_label("The concern").fill("Both arrived hungry")
    worker.get_by_role("button", name="Continue").click()
    expect(worker.locator(".govuk-error-summary")).to_contain_text("Choose the consent position")
    expect(worker.locator(".govuk-error-summary")).to_contain_text("Add at least one child")
    assert_accessible(worker)
    worker.get_by_label("Given", exact=True).check()
    for n, (first, born) in enumerate((("Sib0", "1/1/2015"), ("Sib1", "1/1/2016"))):
        if n:
            worker.get_by_role("button", name="Add another child").click()
        worker.locator(f"#id_child_{n}_first_name").fill(first)
        worker.locator(f"#id_child_{n}_last_name").fill("Jones")
        worker.locator(f"#id_child_{n}_date_of_birth").fill(born)
        worker.get_by_role("button", name=f"Look for this child (child {n + 1})").click()
        matches = worker.locator(f"#child_{n}-matches")
        expect(matches.locator("legend")).to_be_visible()
        assert_accessible(worker)
        if first == "Sib0":  # known already: linked, not duplicated
            matches.get_by_label(re.compile(r"^Sib0 Jones, FD")).check()
        else:
            matches.get_by_label("This is a new child").check()
    worker.locator("#id_adult_0_first_name").fill("Jan")
    worker.locator("#id_adult_0_last_name").fill("Jones")
    worker.locator("#id_adult_0_relationship").select_option("mother")
    worker.get_by_role("button", name="Look for this adult").click()
    worker.locator("#adult_0-matches").get_by_label("This is a new adult").check()
    worker.get_by_role("button", name="Continue").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before recording the contact"
    )
    expect(worker.locator(".govuk-summary-list")).to_contain_text("Jan Jones (new): mother")
    assert_accessible(worker)
    for name in ("Sib0 Jones", "Sib1 Jones"):
        worker.get_by_role("group", name=f"What now for {name}?").get_by_label(
            "Leave it to screen later"
        ).check()
    worker.get_by_role("button", name="Record the contact").click()
    expect(worker.get_by_role("alert")).to_contain_text("The contact is recorded")
    return int(re.search(r"/contacts/(\d+)/$", worker.url).group(1))


def test_two_siblings_decided_returned_corrected_and_signed_off(page: Page, browser: Browser, base):
    load_levels()
    Child.objects.create(first_name="Sib0", last_name="Jones", date_of_birth=date(2015, 1, 1))

    worker = person(browser, base, "practitioner")
    record = Contact.objects.get(pk=record_contact_about_two_siblings(worker))
    assert Child.objects.count() == 2
    worker.get_by_role("link", name="Sib0 Jones").click()
    worker.get_by_role("button", name="Continue").click()
    expect(worker.locator(".govuk-error-summary")).to_contain_text("Choose the decision")
    assert_accessible(worker)
    propose(
        worker,
        base,
        record.pk,
        "Sib0 Jones",
        "Early help (the family consents)",
        "Neglect signs, family willing",
    )
    propose(worker, base, record.pk, "Sib1 Jones", "No further action", "Younger child seems fine")

    manager = person(browser, base, "manager")
    review(
        manager, base, record.pk, "Sib1 Jones", "Return it with a comment", "Same home: look again"
    )
    expect(manager.get_by_role("alert")).to_contain_text("returned with your comment")

    propose(
        worker,
        base,
        record.pk,
        "Sib1 Jones",
        "Early help (the family consents)",
        "Same home, same needs",
    )

    manager2 = person(browser, base, "manager2")
    for child in ("Sib0 Jones", "Sib1 Jones"):
        review(manager2, base, record.pk, child, "Sign it off")
        expect(manager2.get_by_role("alert")).to_contain_text("signed off")

    worker.goto(f"{base}/contacts/{record.pk}/")
    worker.get_by_role("link", name="Sib0 Jones").click()
    worker.get_by_label("Yes").first.check()
    worker.get_by_label("What they were told, or why they could not be told").fill(
        "Told the school by phone"
    )
    worker.get_by_label("Yes").nth(1).check()
    worker.get_by_label("What the family was told, or why not").fill("Visited mum with early help")
    worker.get_by_role("button", name="Save feedback").click()
    expect(worker.get_by_role("alert")).to_contain_text("feedback is recorded")
    assert_accessible(worker)
    worker.get_by_role("button", name="Close the child's contact").click()
    expect(worker.locator("table")).to_contain_text("Closed")
    assert_accessible(worker)
