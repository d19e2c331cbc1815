"""Issue 19: each way of losing work, in the browser, with a short idle setting: what was typed
comes back after a time-out, a refused form, a reload after an error and a half-finished
contact; the skip link's target does not follow anyone through a redirect."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from playwright.sync_api import Page, expect

from accounts.field_rules import LONG_TEXT_MAX
from accounts.models import User
from demo.people import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in_through_page
from tests.referrals.factories import signed_off

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BACKUP_CODE = "bkup1234"
TYPED = "Mum rang: dad is back home and the school is worried about her"
OFFER = "You have answers on this page that you had not sent"


@pytest.fixture
def child_url(base) -> str:
    worker = User.objects.get(username="practitioner")
    manager = User.objects.get(username="manager")
    child = signed_off(by=worker, signer=manager).child
    return base + reverse("referrals:child", args=[child.pk])


def test_a_note_typed_before_the_time_out_comes_back_on_the_child_s_page(
    page: Page, base, child_url, settings
):
    settings.SESSION_IDLE_SECONDS = 14
    settings.SESSION_WARNING_SECONDS = 8
    practitioner = User.objects.get(username="practitioner")
    device = StaticDevice.objects.create(user=practitioner, name="Backup codes")
    StaticToken.objects.create(device=device, token=BACKUP_CODE)
    sign_in_through_page(page, base, "practitioner", DEMO_PASSWORD)
    page.goto(child_url)
    page.get_by_label("Note").fill(TYPED)
    page.wait_for_url(re.compile(r".*/sign-in/\?timed_out=1&next=/children/\d+/$"), timeout=30_000)
    page.get_by_label("Username").fill("practitioner")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Security code").fill(BACKUP_CODE)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(child_url)
    banner = page.get_by_role("region", name="Important")
    expect(banner).to_contain_text(OFFER)
    assert_accessible(page)
    banner.get_by_role("button", name="Put them back in the form").click()
    expect(page.get_by_label("Note")).to_have_value(TYPED)


def test_a_refused_note_keeps_what_was_typed_and_a_reload_offers_it_back(
    page: Page, base, child_url
):
    sign_in_through_page(page, base, "practitioner", DEMO_PASSWORD)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(child_url)
    too_long = TYPED + "." * LONG_TEXT_MAX
    page.get_by_label("Note").fill(too_long)
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_label("Note")).to_have_value(too_long)  # the refused form shows it
    assert page.url == child_url  # the page's own address, not the POST-only one
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    response = page.reload()  # a reload asks for the page: never a 405
    assert response is not None and response.status == 200
    banner = page.get_by_role("region", name="Important")
    expect(banner).to_contain_text(OFFER)
    assert_accessible(page)
    banner.get_by_role("button", name="Put them back in the form").click()
    expect(page.get_by_label("Note")).to_have_value(too_long)
    # Kept on the server (encrypted), never in the browser's storage.
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    # Discarded, it is offered no more.
    page.reload()
    page.get_by_role("button", name="Discard them").click()
    expect(page.get_by_role("region", name="Important")).to_have_count(0)


def test_a_half_finished_contact_is_listed_and_continued_after_the_browser_closes(
    page: Page, base, browser
):
    sign_in_through_page(page, base, "practitioner", DEMO_PASSWORD)
    page.goto(base + reverse("referrals:contact-new"))
    page.get_by_label("The concern").fill(TYPED)
    page.locator("[name=child_0_first_name]").fill("Ava")
    page.locator("[name=child_0_last_name]").fill("Quill")
    page.wait_for_timeout(7_000)  # at least one background save
    cookies = page.context.cookies()
    page.close()  # the browser "crashes"
    context = browser.new_context()
    context.add_cookies(cookies)
    again = context.new_page()
    again.set_viewport_size({"width": 375, "height": 800})
    again.goto(base + "/")
    card = again.locator("[data-unrecorded-contact]")
    expect(card).to_contain_text("not yet recorded")
    assert_accessible(again)
    again.goto(base + reverse("referrals:queue"))
    expect(again.locator("[data-unrecorded-contact]")).to_be_visible()
    again.get_by_role("link", name="Continue the contact").click()
    expect(again.get_by_label("The concern")).to_have_value(TYPED)
    expect(again.locator("[name=child_0_first_name]")).to_have_value("Ava")
    children = again.locator("[data-rows=child] input[name$=_first_name]")
    expect(children).to_have_count(1)  # the child once, not again
    assert_accessible(again)
    again.get_by_role("button", name="Discard it and start again").click()
    expect(again.locator("[data-unrecorded-contact]")).to_have_count(0)
    context.close()


def test_the_skip_link_s_target_does_not_follow_a_keyboard_user(page: Page, base, child_url):
    sign_in_through_page(page, base, "practitioner", DEMO_PASSWORD)
    page.goto(child_url)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    assert "#main-content" not in page.url
    page.get_by_label("Note").fill(TYPED)
    page.get_by_role("button", name="Add note").click()
    page.wait_for_url(child_url)
    assert "#main-content" not in page.url
