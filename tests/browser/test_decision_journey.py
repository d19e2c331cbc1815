"""Two siblings' decisions by three people: the practitioner proposes for each child, a
manager returns one, the practitioner corrects it, a second manager signs both off, and
feedback is recorded; axe finds nothing on any page visited."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from referrals.demo import load_levels
from tests.browser.conftest import assert_accessible, sign_in_through_page
from tests.referrals.factories import contact

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


def test_two_siblings_decided_returned_corrected_and_signed_off(page: Page, browser: Browser, base):
    load_levels()
    record = contact(
        by=User.objects.get(username="practitioner"), children=2, concern="Both arrived hungry"
    )

    worker = person(browser, base, "practitioner")
    worker.goto(f"{base}/contacts/{record.pk}/")
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
