"""A person signs in through the page, sees their home page, and signs out; axe finds nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from demo.people import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in_through_page

# serialized_rollback brings back the roles the migrations created, which a flush removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_practitioner_signs_in_sees_home_and_signs_out(page: Page, base):
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/sign-in/?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Front Door")
    assert_accessible(page)

    sign_in_through_page(page, base, "practitioner", DEMO_PASSWORD)
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Shah")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Practitioner")
    expect(page.locator(".govuk-summary-list")).to_contain_text(
        "Holmsey Council children's services"
    )
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert_accessible(page)

    page.goto(f"{base}/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    assert_accessible(page)
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/sign-in/?next=/")


def test_wrong_password_shows_an_accessible_error_summary_with_focus(page: Page, base):
    sign_in_through_page(page, base, "police", "wrong password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(page).to_have_title(re.compile(r"^Error: Sign in . Front Door . Holmsey Council$"))
    assert_accessible(page)

    page.get_by_label("Username").fill("")
    page.get_by_label("Password").fill("")
    page.get_by_role("button", name="Sign in").click()
    summary.get_by_role("link", name="Enter your username").click()
    expect(page.get_by_label("Username")).to_be_focused()
    assert_accessible(page)


def test_police_user_signs_in_and_sees_their_agency(page: Page, base):
    sign_in_through_page(page, base, "police_lead", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Lena Ward")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Partner safeguarding lead")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Holmsey Constabulary")
    assert_accessible(page)


def test_the_accessibility_check_finds_a_real_violation(page: Page, base):
    # Guards assert_accessible itself: an unlabelled input on a real page must be reported.
    page.goto(f"{base}/sign-in/")
    page.evaluate("document.querySelector('label[for=id_username]').remove()")
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page)


def test_password_reset_pages_are_accessible(page: Page, base):
    page.goto(f"{base}/sign-in/")
    page.get_by_role("link", name="I have forgotten my password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    assert_accessible(page)
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    assert_accessible(page)
    page.get_by_label("Email").fill("someone@example.invalid")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)


def test_a_paused_sign_in_says_until_when_the_same_for_any_name_on_a_phone(page: Page, base):
    # Issue 16: six wrong passwords for a real name and for a name with no account give the
    # same pages; the pause page says when sign-in starts again; axe finds nothing at 375 px.
    page.set_viewport_size({"width": 375, "height": 800})
    headings = {}
    for name in ("police", "nobody-by-this-name"):
        seen = []
        for _ in range(6):
            sign_in_through_page(page, base, name, "wrong password")
            seen.append(page.get_by_role("heading", level=1).inner_text())
        headings[name] = seen
    assert headings["police"] == headings["nobody-by-this-name"]
    assert headings["police"][:4] == ["Sign in to Front Door"] * 4
    assert re.fullmatch(r"Sign-in is paused until \d{2}:\d{2}", headings["police"][5])
    expect(page.locator("main")).to_contain_text("You can sign in again from")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    # The right password is refused too, until the stated time.
    sign_in_through_page(page, base, "police", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign-in is paused until")
