"""Headless Debian Chromium through pytest-playwright, against pytest-django's live server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from demo.people import DEMO_TOTP_SECRET

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _no_policy_violations(page: Page):
    """Fail a browser test whose pages break the Content Security Policy or raise in scripts."""
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield
    assert [p for p in problems if "Content Security Policy" in p or "Error" in p] == []


@pytest.fixture
def base(live_server, demo) -> str:
    """The live server's address, with the demo users loaded."""
    return live_server.url


_axe = Axe()


_NAVIGATING = ("Execution context was destroyed", "reading 'documentElement'")


def assert_accessible(page: Page) -> None:
    """axe-core finds nothing on the page once it has loaded.

    A click on a link returns before the next page has replaced the last; axe started in that
    moment finds no document. It waits for the page to load and, if a navigation took the
    document from under it, runs again on the page that arrived."""
    for attempt in range(5):
        page.wait_for_load_state("load")
        try:
            results = _axe.run(page)
        except PlaywrightError as error:
            if attempt == 4 or not any(sign in str(error) for sign in _NAVIGATING):
                raise
            page.wait_for_timeout(100)
        else:
            break
    assert results.violations_count == 0, results.generate_report()


def sign_in_through_page(page: Page, base: str, username: str, password: str) -> None:
    """Username and password; then, if they were right, the demo app's current code."""
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if "/sign-in/security-code/" in page.url:
        page.get_by_label("Security code").fill(f"{totp(DEMO_TOTP_SECRET):06d}")
        page.get_by_role("button", name="Continue").click()
