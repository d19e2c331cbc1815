"""A restricted record through the pages: the manager restricts a child's record naming the
practitioner; the second practitioner finds "Restricted record" in the queue, is asked for a
reason, gives none (the error summary), then one, and the record opens; the manager sees the
opening and its reason. axe finds nothing on any page visited."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from demo.people import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in_through_page
from tests.referrals.factories import contact

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def person(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context().new_page()
    sign_in_through_page(page, base, username, DEMO_PASSWORD)
    return page


def test_restrict_break_the_glass_and_see_the_opening(browser: Browser, base: str):
    child = contact(by=User.objects.get(username="practitioner")).children.get().child
    manager = person(browser, base, "manager")
    manager.goto(f"{base}/children/{child.pk}/")
    manager.get_by_role("link", name="Restrict this record").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Restrict this record")
    manager.get_by_role("button", name="Restrict the record").click()
    expect(manager.get_by_role("alert")).to_contain_text("Give the reason")  # error summary
    assert_accessible(manager)
    manager.get_by_label("Why is the record restricted?").fill("Her father works here")
    manager.get_by_label("Priya Shah").check()
    manager.get_by_role("button", name="Restrict the record").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Restricted record")
    assert_accessible(manager)

    other = person(browser, base, "practitioner2")
    other.goto(f"{base}/front-door/")
    other.get_by_role("link", name="Restricted record").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("This record is restricted")
    other.get_by_role("button", name="Open the record").click()
    expect(other.get_by_role("alert")).to_contain_text("Give the reason you need to open")
    assert_accessible(other)
    other.get_by_label("Why do you need to open this record?").fill("Duty call tonight")
    other.get_by_role("button", name="Open the record").click()
    expect(other.get_by_role("heading", level=1)).to_contain_text("Contact received")

    manager.goto(f"{base}/")
    manager.get_by_role("link", name="Restricted records and every opening").click()
    expect(manager.get_by_role("table").nth(1)).to_contain_text("Duty call tonight")
    assert_accessible(manager)
