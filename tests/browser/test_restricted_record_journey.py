"""A restricted record through the pages: the manager restricts a child's record naming the
practitioner; the second practitioner finds "Restricted record" in the queue, is asked for a
reason, gives none (the error summary), then one, and the record opens; the manager sees the
opening and its reason. The auditor is asked for a reason before a restricted child's audit
trail, and the allow-list is told of the opening on the home page (issue 16). axe finds
nothing on any page visited."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from demo.people import DEMO_PASSWORD
from referrals.services.restrictions import child_restrict
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
    other.get_by_role("link", name="Restricted record", exact=True).click()
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


def test_the_audit_trail_asks_for_a_reason_and_the_allow_list_is_told(browser: Browser, base: str):
    """Issue 16: the auditor opens a restricted child's audit trail, is asked for a reason,
    gives one and reads the trail; the practitioner on the allow-list finds the notice on the
    home page and marks it read on the notices page (also at 375 px)."""
    worker = User.objects.get(username="practitioner")
    child = contact(by=worker).children.get().child
    child_restrict(
        by=User.objects.get(username="manager"), child=child, reason="Her father works here",
        allowed=[worker],
    )  # fmt: skip

    auditor = person(browser, base, "auditor")
    auditor.goto(f"{base}/audit/children/{child.census_id}/")
    expect(auditor.get_by_role("heading", level=1)).to_have_text("This record is restricted")
    assert child.last_name not in auditor.content()
    assert_accessible(auditor)
    auditor.get_by_label("Why do you need to open this record?").fill("Quarterly audit")
    auditor.get_by_role("button", name="Open the record").click()
    expect(auditor.get_by_role("heading", level=1)).to_have_text("Audit trail of a child's records")
    expect(auditor.locator("table")).to_contain_text(child.last_name)
    assert_accessible(auditor)

    told = person(browser, base, "practitioner")
    told.set_viewport_size({"width": 375, "height": 800})
    notice = f"Ann Fraser gave a reason and opened restricted record {child.census_id}"
    expect(told.get_by_role("link", name=notice)).to_be_visible()
    expect(told.get_by_text("You have 1 unread notice.")).to_be_visible()
    assert_accessible(told)
    told.get_by_role("link", name="See all your notices").click()
    expect(told.get_by_role("heading", level=1)).to_have_text("Notices")
    assert told.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(told)
    told.get_by_role("button", name="Mark as read").click()
    expect(told.get_by_role("table")).to_contain_text("Read ")
    expect(told.get_by_role("button", name="Mark as read")).to_have_count(0)
    told.goto(f"{base}/")
    expect(told.get_by_text("You have no unread notices.")).to_be_visible()
