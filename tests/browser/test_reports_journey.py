"""Reports and quality audits in a real browser (issue 21): a manager opens a report from the
navigation, its chart and table agree, both downloads hold the page's rows; the manager assigns
a quality audit, the auditor records it, the worker responds, and the grades report shows it.
axe finds nothing at 1280 and 375 pixels wide."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from demo.people import DEMO_PASSWORD
from quality.services import audit_question_add
from tests.browser.conftest import assert_accessible, sign_in_through_page
from tests.referrals.factories import signed_off

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def accessible_at_both_widths(page: Page) -> None:
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"the page scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def chart_and_table(page: Page) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    bars = page.locator("svg[role=img] g.app-chart__bar")
    drawn = [
        (bars.nth(i).get_attribute("data-label"), bars.nth(i).get_attribute("data-shown"))
        for i in range(bars.count())
    ]
    rows = page.locator("#chart-table tbody tr")
    shown = [
        (rows.nth(i).locator("th").inner_text(), rows.nth(i).locator("td").inner_text())
        for i in range(rows.count())
    ]
    return drawn, shown


def test_a_report_its_downloads_and_a_quality_audit_from_assignment_to_response(page: Page, base):
    # The demo's users; a decision of the practitioner's, signed off, and the local form.
    users = {u.username: u for u in User.objects.all()}
    decision = signed_off(by=users["practitioner"], signer=users["manager"])
    audit_question_add(by=users["sysadmin"], text="Was the child's voice recorded?")
    sign_in_through_page(page, base, "manager", DEMO_PASSWORD)
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    accessible_at_both_widths(page)

    page.get_by_role("link", name="Timeliness against the standards").click()
    chart = page.locator("svg[role=img]")
    expect(chart).to_have_attribute("aria-labelledby", "chart-title chart-description")
    expect(chart.locator("title")).to_have_text(
        "Percentage of each step done on time in the period"
    )
    drawn, shown = chart_and_table(page)
    assert drawn and [label for label, _ in drawn] == [label for label, _ in shown]
    assert [value for _, value in drawn] == [value for _, value in shown]
    accessible_at_both_widths(page)

    figures = page.locator("#report-rows tbody tr")
    on_page = [
        [cell.strip() for cell in figures.nth(i).locator("td").all_inner_texts()]
        for i in range(figures.count())
    ]
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download as CSV").click()
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    in_csv = list(csv.reader(io.StringIO(text)))[1:]
    assert [row[:2] for row in in_csv] == [row[:2] for row in on_page]
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Download as XLSX").click()
    with zipfile.ZipFile(xlsx_download.value.path()) as archive:
        assert "xl/worksheets/sheet1.xml" in archive.namelist()

    # The manager assigns a quality audit of one of the practitioner's decisions.
    page.get_by_role("link", name="Quality audits", exact=True).click()
    page.get_by_role("button", name="Assign a quality audit").click()
    page.get_by_label("Contact decision").check()
    page.get_by_label("Its number").fill(str(decision.pk))
    page.get_by_label("Who will audit it?").select_option(label="Ann Fraser")
    due = timezone.localdate() + timedelta(days=7)
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_label("Year").press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is assigned")
    audit_url = page.url
    accessible_at_both_widths(page)
    sign_out(page)

    # The auditor records it against the local form.
    sign_in_through_page(page, base, "auditor", DEMO_PASSWORD)
    page.goto(audit_url)
    page.get_by_role("button", name="Record the audit").click()
    accessible_at_both_widths(page)
    for group in page.locator("fieldset:has(input[value=met])").all():
        group.locator("input[value=met]").check()
    page.get_by_label("Good", exact=True).check()
    page.get_by_label("Findings").fill("The rationale weighs the history well.")
    page.get_by_label("An action (optional)").fill("Record when the referrer was told.")
    page.get_by_label("Who owns the action").select_option(label="Priya Shah")
    action_due = timezone.localdate() + timedelta(days=14)
    page.get_by_label("Day").fill(str(action_due.day))
    page.get_by_label("Month").fill(str(action_due.month))
    page.get_by_label("Year").fill(str(action_due.year))
    page.get_by_role("button", name="Complete the audit").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#grade")).to_have_text("Good")
    sign_out(page)

    # The worker reads it and responds.
    sign_in_through_page(page, base, "practitioner", DEMO_PASSWORD)
    page.goto(audit_url)
    expect(page.get_by_text("Record when the referrer was told.")).to_be_visible()
    page.get_by_label("Your response").fill("I will record it from now on.")
    page.get_by_role("button", name="Send your response").click()
    expect(page.locator("#response")).to_have_text("I will record it from now on.")
    accessible_at_both_widths(page)
    # ... and, once it is done, marks the action done with the keyboard.
    page.get_by_role("button", name="Mark as done").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("marked done")
    expect(page.get_by_role("button", name="Mark as done")).to_have_count(0)
    accessible_at_both_widths(page)
    sign_out(page)

    # The grades report shows it (to the other manager: a security code is used only once).
    sign_in_through_page(page, base, "manager2", DEMO_PASSWORD)
    page.goto(f"{base}/reports/quality-audits/")
    drawn, shown = chart_and_table(page)
    good = dict(shown)["Good"]
    assert good == dict(drawn)["Good"]
    assert good == "1"
    accessible_at_both_widths(page)


def test_every_report_has_a_text_alternative_and_passes_axe(page: Page, base):
    sign_in_through_page(page, base, "auditor", DEMO_PASSWORD)
    page.goto(f"{base}/reports/")
    links = page.locator("main ul.govuk-list a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) == 7
    for href in hrefs:
        page.goto(f"{base}{href}")
        chart = page.locator("svg[role=img]")
        expect(chart.locator("title")).not_to_be_empty()
        expect(chart.locator("desc")).not_to_be_empty()
        accessible_at_both_widths(page)
