"""Idle time-out: the warning, "Stay signed in", then the time-out, and a half-filled form
given back after signing in again."""

from __future__ import annotations

import re
import time

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from playwright.sync_api import Page, expect

from accounts.models import User
from demo.people import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in_through_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BACKUP_CODE = "bkup1234"


def test_a_half_filled_form_survives_the_idle_time_out(page: Page, base, settings):
    settings.ROOT_URLCONF = "tests.standins.views"
    settings.SESSION_IDLE_SECONDS = 14
    settings.SESSION_WARNING_SECONDS = 8
    practitioner = User.objects.get(username="practitioner")
    device = StaticDevice.objects.create(user=practitioner, name="Backup codes")
    StaticToken.objects.create(device=device, token=BACKUP_CODE)

    sign_in_through_page(page, base, "practitioner", DEMO_PASSWORD)
    page.goto(f"{base}/standin/note-form/")
    page.get_by_label("Reference").fill("FD000123")
    page.get_by_label("What happened").fill("Told her teacher she is scared to go home")

    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert_accessible(page)
    dialog.get_by_role("button", name="Stay signed in").click()
    stayed_at = time.monotonic()
    expect(dialog).to_be_hidden()

    page.wait_for_url(
        re.compile(r".*/sign-in/\?timed_out=1&next=/standin/note-form/$"), timeout=30_000
    )
    # Signed out only a full idle period after "Stay signed in", not at the first deadline.
    assert time.monotonic() - stayed_at >= settings.SESSION_IDLE_SECONDS - 1
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "Anything you were typing has been kept"
    )
    assert_accessible(page)

    page.get_by_label("Username").fill("practitioner")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Security code").fill(BACKUP_CODE)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Record a note")
    banner = page.get_by_role("region", name="Important")
    expect(banner).to_contain_text("You have answers on this page that you had not sent")
    assert_accessible(page)
    banner.get_by_role("button", name="Put them back in the form").click()
    expect(page.get_by_label("What happened")).to_have_value(
        "Told her teacher she is scared to go home"
    )
    expect(page.get_by_label("Reference")).to_have_value("FD000123")
