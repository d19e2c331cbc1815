"""Two people for a change that hands out access (issue 16): an administrator asks for a new
email address for a manager, the second administrator approves it from their home page, the
old address is told, and the change takes effect after the (shortened) delay; the holder's
report link stops another. axe finds nothing on any page, at 375 px too."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User
from demo.people import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in_through_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
NEW_EMAIL = "dev.patel@example.invalid"
DELAY = 3


def ask_for_a_new_email(page: Page, base: str) -> None:
    """As sysadmin: Dev Patel's page, a new email address, saved: it waits."""
    sign_in_through_page(page, base, "sysadmin", DEMO_PASSWORD)
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("link", name="Dev Patel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dev Patel")
    page.get_by_label("Email address").fill(NEW_EMAIL)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Waiting for a second person")
    expect(page.get_by_text("Changes waiting")).to_be_visible()
    assert_accessible(page)


def test_a_second_administrator_approves_an_email_change_that_takes_effect_later(
    page: Page, base, settings
):
    settings.ACCOUNT_CHANGE_DELAY_SECONDS = DELAY
    ask_for_a_new_email(page, base)
    assert User.objects.get(username="manager2").email == "manager2@example.invalid"
    # The holder is told at the old address, with a link to report it.
    notice = mail.outbox[-1]
    assert notice.to == ["manager2@example.invalid"]
    assert "/account-changes/report/" in notice.body and NEW_EMAIL not in notice.body
    # The asker cannot approve it.
    page.goto(f"{base}/administration/account-changes/")
    expect(page.get_by_role("table").first).to_contain_text("Nothing is waiting for your approval")
    expect(page.get_by_text("You asked for it")).to_be_visible()

    page.context.clear_cookies()
    sign_in_through_page(page, base, "sysadmin2", DEMO_PASSWORD)
    page.get_by_role("link", name=re.compile("1 change to accounts waiting")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes awaiting my approval")
    expect(page.get_by_text("Two people for every change that hands out access")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="Approve change of email address for Dev Patel").click()
    expect(page.get_by_role("alert")).to_contain_text("approved: it takes effect later")
    assert_accessible(page)
    approved = mail.outbox[-1]
    assert approved.to == ["manager2@example.invalid"] and "takes effect on" in approved.body
    assert User.objects.get(username="manager2").email == "manager2@example.invalid"

    time.sleep(DELAY + 0.5)  # the delay, shortened; the users' page applies what is due
    page.goto(f"{base}/administration/users/")
    page.get_by_role("link", name="Dev Patel").click()
    expect(page.get_by_label("Email address")).to_have_value(NEW_EMAIL)
    assert User.objects.get(username="manager2").email == NEW_EMAIL


def test_the_holder_reports_a_change_they_did_not_expect(page: Page, base):
    ask_for_a_new_email(page, base)
    link = re.search(r"https?://\S+/account-changes/report/\S+/", mail.outbox[-1].body)
    assert link is not None
    page.context.clear_cookies()
    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a change to your account")
    assert_accessible(page)
    page.get_by_role("button", name="Report it and stop the change").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change reported")
    assert_accessible(page)
    alert = mail.outbox[-1]
    assert set(alert.to) == {"sysadmin@example.invalid", "sysadmin2@example.invalid"}
    assert User.objects.get(username="manager2").email == "manager2@example.invalid"
