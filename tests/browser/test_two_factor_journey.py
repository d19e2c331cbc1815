"""First sign-in with enrolment of an app, sign-out, then sign-in with a backup code."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from accounts.models import Agency, User
from tests.browser.conftest import assert_accessible, sign_in_through_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "a-new-starter-password"  # test data


def test_new_starter_enrols_then_signs_in_with_a_backup_code(page: Page, base):
    agency = Agency.objects.get(kind=Agency.Kind.LOCAL_AUTHORITY)
    user = User.objects.create_user(
        username="newstarter", password=PASSWORD, agency=agency, first_name="Nia", last_name="Jones"
    )
    user.groups.add(Group.objects.get(name="Practitioner"))

    sign_in_through_page(page, base, "newstarter", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    assert_accessible(page)
    page.get_by_text("I cannot scan the QR code").click()
    key_text = page.locator("#secret-key").inner_text().replace(" ", "")
    secret = base64.b32decode(key_text + "=" * (-len(key_text) % 8))

    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.wait_for_timeout(1100)  # django-otp throttles a retry for a second after a failure
    page.get_by_label("Security code").fill(f"{totp(secret):06d}")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your app is set up")
    codes = page.locator(".app-backup-codes code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nia Jones")

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill("newstarter")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    assert_accessible(page)
    page.get_by_label("Security code").fill(codes[3])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nia Jones")
