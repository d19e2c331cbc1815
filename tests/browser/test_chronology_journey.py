"""The chronology (issue 20), in Chromium: a practitioner opens a child, opens the chronology,
filters it to significant events, adds an entry dated last year (it sorts into place) and
downloads the PDF; then shares the entry into the child's convened strategy discussion, and
the invited police see exactly that entry and nothing else of the chronology. axe finds
nothing, at 1280 and at 375 pixels."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from accounts.models import User
from demo import strategy as demo_strategy
from demo.front_door import load_levels
from demo.people import DEMO_PASSWORD
from notes import services
from notes.models import ChronologySource
from referrals.models import Child
from strategy.models import DiscussionState, StrategyDiscussion
from tests.browser.conftest import assert_accessible, sign_in_through_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ENTRY = "Grandmother took Jago to A and E after a fall (fictional)"
NOT_SHARED = "Mother's counselling sessions began (fictional)"


def person(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context(accept_downloads=True).new_page()
    sign_in_through_page(page, base, username, DEMO_PASSWORD)
    return page


def jago_with_a_convened_discussion() -> tuple[Child, StrategyDiscussion]:
    """The demo families; Jago Rosewarne's discussion is convened, the police and health
    invited. One entry is in his chronology already, never to be shared."""
    load_levels()
    demo_strategy.load()
    jago = Child.objects.get(first_name="Jago", last_name="Rosewarne")
    services.chronology_entry_add(
        by=User.objects.get(username="practitioner"), child=jago,
        happened_on=date(timezone.localdate().year - 2, 6, 1), source=ChronologySource.HEALTH,
        text=NOT_SHARED,
    )  # fmt: skip
    discussion = StrategyDiscussion.objects.get(
        children__child=jago, state=DiscussionState.CONVENED
    )
    return jago, discussion


def both_widths(page: Page, region: str) -> None:
    """axe at 1280 and 375 pixels; at 375 the chronology's table (`region`) scrolls inside
    its own region, never wider than the screen."""
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page)
    box = page.get_by_role("region", name=region).bounding_box()
    assert box is not None and box["x"] + box["width"] <= 375
    page.set_viewport_size({"width": 1280, "height": 800})


def test_chronology_filtered_added_to_downloaded_and_shared(browser: Browser, base: str):
    jago, discussion = jago_with_a_convened_discussion()
    last_year = timezone.localdate().year - 1

    worker = person(browser, base, "practitioner")
    worker.goto(f"{base}/children/{jago.pk}/")
    worker.get_by_role("link", name="Chronology", exact=True).click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("Chronology: Jago Rosewarne")
    rows = worker.locator("table.app-chronology tbody tr")
    expect(rows.first).to_contain_text(NOT_SHARED)
    everything = rows.count()
    both_widths(worker, "The chronology")

    # Filter to significant events, with the keyboard.
    worker.get_by_text("Filter the chronology").click()
    worker.get_by_label("Significant events only").focus()
    worker.keyboard.press("Space")
    worker.get_by_role("button", name="Filter").focus()
    worker.keyboard.press("Enter")
    expect(worker).to_have_url(re.compile(r"significant=on"))
    significant = rows.count()
    assert 0 < significant < everything
    for n in range(significant):
        expect(rows.nth(n)).to_contain_text("Significant")
    expect(worker.get_by_text(NOT_SHARED)).to_have_count(0)  # not flagged significant
    both_widths(worker, "The chronology")

    # An entry dated last year: it sorts into place (after the one of two years ago).
    worker.get_by_role("link", name="Add an entry to the chronology").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("Add to the chronology")
    assert_accessible(worker)
    worker.get_by_label("Day").fill("14")
    worker.get_by_label("Month").fill("3")
    worker.get_by_label("Year").fill(str(last_year))
    worker.get_by_label("Where did the information come from?").select_option(
        label="The child or family"
    )
    worker.get_by_label("What happened").fill(ENTRY)
    worker.get_by_label("Significant event").focus()
    worker.keyboard.press("Space")
    worker.get_by_role("button", name="Add to the chronology").click()
    expect(worker.get_by_text("The entry is added to the chronology.")).to_be_visible()
    expect(rows.nth(0)).to_contain_text(NOT_SHARED)
    expect(rows.nth(1)).to_contain_text(ENTRY)
    expect(rows.nth(1)).to_contain_text(f"14 Mar {last_year}")
    expect(rows.nth(1)).to_contain_text("Significant")

    # The PDF, made on the server.
    with worker.expect_download() as download:
        worker.get_by_role("link", name="Download as PDF").click()
    content = open(download.value.path(), "rb").read()  # noqa: SIM115  # a test's read
    assert content.startswith(b"%PDF")
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split()
    )
    assert "Grandmother took Jago to A and E" in text and "Jago Rosewarne" in text

    # Share the new entry into the convened discussion.
    worker.goto(f"{base}/strategy-discussions/{discussion.pk}/")
    worker.get_by_role("link", name="Share chronology entries with the invited agencies").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(
        "Share chronology entries with the invited agencies"
    )
    assert_accessible(worker)
    worker.get_by_label(f"14 Mar {last_year}: Entry").focus()
    worker.keyboard.press("Space")
    worker.get_by_role("button", name="Share these entries").click()
    expect(worker.get_by_text("The entries are shared with the invited agencies.")).to_be_visible()

    # The invited police see exactly that entry.
    police = person(browser, base, "police")
    police.goto(f"{base}/invitations/{discussion.pk}/")
    shared = police.get_by_role("region", name="Chronology entries shared with your agency")
    expect(shared).to_contain_text(ENTRY)
    expect(shared.locator("tbody tr")).to_have_count(1)
    expect(police.get_by_text(NOT_SHARED)).to_have_count(0)
    both_widths(police, "Chronology entries shared with your agency")
