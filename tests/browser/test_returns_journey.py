"""A data officer (issue 22) opens the data-quality page, fixes a child's missing disability
with the keyboard, starts the census export, watches its progress and downloads the file; the
download is audited; axe finds nothing at 1280 and 375 pixels wide."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.audit import AuditEntry, Event
from accounts.models import User
from demo.people import DEMO_PASSWORD
from referrals.codes import Disability, UPNUnknown
from referrals.models import Child
from referrals.models.episodes import NextSteps
from returns import services
from returns.models import Export, ExportState
from tests.browser.conftest import assert_accessible, sign_in_through_page
from tests.strategy.factories import next_steps_signed_off

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 375, "height": 800}


def accessible_at_both_widths(page: Page) -> None:
    for size in (WIDE, NARROW):
        page.set_viewport_size(size)
        assert_accessible(page)
        # Nothing but a table's own scrolling region is wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    page.set_viewport_size(WIDE)


@pytest.fixture
def child_without_disability(base, settings, tmp_path) -> Child:
    settings.EXPORTS_ROOT = str(tmp_path / "exports")
    worker = User.objects.get(username="practitioner")
    manager = User.objects.get(username="manager")
    referral = next_steps_signed_off(by=worker, signer=manager, next_steps=NextSteps.ASSESSMENT)
    Child.objects.filter(pk=referral.child_id).update(disabilities=[], upn_unknown=UPNUnknown.UN4)
    return Child.objects.get(pk=referral.child_id)


def test_a_data_officer_fixes_a_disability_and_downloads_the_census(
    page: Page, base, child_without_disability
):
    child = child_without_disability
    sign_in_through_page(page, base, "dataofficer", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Statutory returns")).to_be_visible()
    expect(page.locator("main")).to_contain_text("A child who has been born has no disability")
    accessible_at_both_widths(page)

    page.get_by_role("link", name="Data quality", exact=True).press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Data quality")
    expect(page.locator("main")).to_contain_text(child.census_id)
    accessible_at_both_widths(page)

    page.get_by_role("link", name=f"Record the disabilities for {child.census_id}").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Census details")
    accessible_at_both_widths(page)
    page.get_by_label("No disability").press("Space")
    page.get_by_role("button", name="Save").press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("are saved")
    expect(page.locator("main")).not_to_contain_text(f"{child.census_id})")
    assert Child.objects.get(pk=child.pk).disabilities == [Disability.NONE]

    page.get_by_role("link", name="Statutory returns", exact=True).first.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statutory returns")
    accessible_at_both_widths(page)
    page.get_by_role("radio").first.press("Space")
    page.get_by_role("button", name="Make the census").press("Enter")
    expect(page.locator("main")).to_contain_text("Waiting to start")
    accessible_at_both_widths(page)

    # The worker is not running: the test plays its part. Half done first: the page's bar
    # follows without a page load; then the task runs to the end and the page offers the file.
    export = Export.objects.get()
    Export.objects.filter(pk=export.pk).update(done=5, total=10)
    expect(page.locator("progress")).to_have_attribute("value", "50", timeout=10_000)
    services.export_run(export_id=export.pk)
    assert Export.objects.get(pk=export.pk).state == ExportState.READY
    download_button = page.get_by_role("button", name="Download")
    expect(download_button).to_be_visible(timeout=10_000)
    expect(page.locator("main")).to_contain_text("Ready")
    accessible_at_both_widths(page)

    with page.expect_download() as waiting:
        download_button.press("Enter")
    saved = Path(waiting.value.path())
    assert saved.read_bytes().startswith(b"<?xml")
    downloads = AuditEntry.objects.filter(
        event=Event.EXPORT, object_pk=str(export.pk), additional_data__action="downloaded"
    )
    assert [entry.actor.username for entry in downloads] == ["dataofficer"]
