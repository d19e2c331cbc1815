"""E-mails people act on (issue 24), in real pages, with GOV.UK Notify played by a local
server that speaks its API (tests/notify_server.py): the police are asked for information,
receive the e-mail, follow its link, sign in and answer; the practitioner's morning digest
holds the right counts and its link opens their home page; a discussion moved to another
time e-mails the invited agencies. axe finds nothing at 1280 and at 375 px."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect

from accounts.models import Agency, User
from demo.people import COUNCIL, DEMO_PASSWORD, DEMO_TOTP_SECRET, HEALTH, POLICE, SHARED_MAILBOXES
from notifications import selectors, services
from notifications.models import Template
from referrals import services as referral_services
from referrals.models import Contact, Team
from referrals.models.contacts import ContactChild
from referrals.models.information_requests import InformationRequest, Priority, RequestState
from strategy import services as strategy_services
from strategy.models import DiscussionFormat, StrategyDiscussion
from tests.browser.conftest import assert_accessible
from tests.notify_server import TEMPLATE_IDS
from tests.referrals.factories import contact
from tests.referrals.test_information_requests import BASIS
from tests.strategy.factories import TERMS, next_steps_signed_off

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def notify(notify_server, settings, base):
    settings.SERVICE_URL = base
    return notify_server


def run_worker() -> None:
    services.queue_from_outbox()
    services.send_due()


def both_widths(page: Page) -> None:
    """axe at 1280 px and at 375 px, where nothing is wider than the screen."""
    page.set_viewport_size({"width": 1280, "height": 800})
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 800})


def follow_and_sign_in(browser: Browser, link: str, username: str) -> Page:
    """Open an e-mail's link signed out: the sign-in comes first, then the page itself."""
    page = browser.new_context().new_page()
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/sign-in/\?next="))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_load_state()
    if "/sign-in/security-code/" in page.url:
        page.get_by_label("Security code").fill(f"{totp(DEMO_TOTP_SECRET):06d}")
        page.get_by_label("Security code").press("Enter")
    expect(page).to_have_url(link)
    return page


def test_the_police_follow_the_emails_link_sign_in_and_answer(browser: Browser, notify):
    practitioner = User.objects.get(username="practitioner")
    police = Agency.objects.get(name=POLICE)
    contact_child = contact(by=practitioner).children.get()
    request = referral_services.information_request_send(
        by=practitioner, contact_child=contact_child, agency=police,
        question="Any incidents at the address?", priority=Priority.RED, **BASIS,
    )  # fmt: skip
    run_worker()

    [email] = notify.to("police@example.invalid")
    assert email["template_id"] == TEMPLATE_IDS["information_request"]
    assert [m["email_address"] for m in notify.messages if m["email_address"].startswith("mash")]
    link = email["personalisation"]["link"]
    assert link.endswith(f"/information-requests/{request.pk}/")

    page = follow_and_sign_in(browser, link, "police")
    both_widths(page)
    page.get_by_label("Your answer").fill("Two call-outs to the address this year")
    page.get_by_role("button", name="Send the answer").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Your answer is sent")
    assert InformationRequest.objects.get(pk=request.pk).state == RequestState.ANSWERED


def test_the_practitioners_digest_holds_the_right_counts(browser: Browser, notify, settings):
    practitioner = User.objects.get(username="practitioner")
    manager = User.objects.get(username="manager")
    team = Team.objects.create(name="Front door team", manager=manager)
    today = timezone.localdate()
    before = selectors.digest_counts(practitioner, today=today)
    for due in (today, today - timedelta(days=2), today - timedelta(days=4), today + timedelta(3)):
        record = contact(by=practitioner)
        Contact.objects.filter(pk=record.pk).update(decision_due=due)
        ContactChild.objects.filter(contact=record).update(decision_due=due)
        referral_services.allocation_set(
            by=manager, child=record.children.get().child, team=team, worker=practitioner
        )
    morning = timezone.localtime().replace(hour=settings.DIGEST_HOUR, minute=1)
    services.queue_digests(now=morning)
    services.send_due()

    [digest] = notify.to("practitioner@example.invalid")
    assert digest["template_id"] == TEMPLATE_IDS["digest"]
    counts = digest["personalisation"]
    assert counts["due_today"] == str(before.due_today + 1)
    assert counts["overdue"] == str(before.overdue + 2)
    page = follow_and_sign_in(browser, counts["link"], "practitioner")
    both_widths(page)


def test_a_moved_discussion_emails_the_invited_agencies(browser: Browser, notify):
    practitioner = User.objects.get(username="practitioner")
    opened = next_steps_signed_off(by=practitioner, signer=User.objects.get(username="manager"))
    discussion = strategy_services.discussion_convene(
        by=practitioner, referrals=[opened], scheduled_for=timezone.now() + timedelta(hours=3),
        format=DiscussionFormat.VIDEO, chair=practitioner,
        agencies=list(Agency.objects.filter(name__in=[COUNCIL, POLICE, HEALTH])),
        sharing_terms=TERMS,
    )  # fmt: skip
    run_worker()
    invited = len(notify.messages)
    assert invited > 0

    page = follow_and_sign_in(
        browser, services.link(f"/strategy-discussions/{discussion.pk}/"), "practitioner"
    )
    page.get_by_role("link", name="Move to another time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move the strategy discussion")
    both_widths(page)
    later = timezone.localtime(discussion.scheduled_for) + timedelta(days=1)
    page.get_by_label("Day").fill(str(later.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(later.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(later.year))
    page.get_by_label("New time").fill(later.strftime("%H:%M"))
    page.get_by_label("New time").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("The discussion is moved")
    assert StrategyDiscussion.objects.get(pk=discussion.pk).version == discussion.version + 1

    run_worker()
    moved = [m for m in notify.messages[invited:]
             if m["template_id"] == TEMPLATE_IDS[Template.DISCUSSION_RESCHEDULED]]  # fmt: skip
    addresses = {m["email_address"] for m in moved}
    assert {SHARED_MAILBOXES[POLICE], SHARED_MAILBOXES[HEALTH], "police@example.invalid",
            "police_lead@example.invalid", "health@example.invalid"} <= addresses  # fmt: skip
    assert not any(a.endswith("@example.invalid") and a.split("@")[0] in {"practitioner",
                   "manager"} for a in addresses)  # fmt: skip


def test_preferences_and_the_failures_page_work_by_keyboard_at_both_widths(
    browser: Browser, notify, settings
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    notify.mode = "error"
    practitioner = User.objects.get(username="practitioner")
    referral_services.information_request_send(
        by=practitioner, contact_child=contact(by=practitioner).children.get(),
        agency=Agency.objects.get(name=POLICE), question="Any incidents?",
        priority=Priority.AMBER, **BASIS,
    )  # fmt: skip
    run_worker()

    page = follow_and_sign_in(browser, services.link("/email-preferences/"), "practitioner")
    both_widths(page)
    page.get_by_label("In my morning digest, as a count").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Your e-mail preferences are saved")
    expect(page.get_by_label("In my morning digest, as a count")).to_be_checked()

    admin = follow_and_sign_in(browser, services.link("/administration/agencies/"), "sysadmin")
    admin.get_by_role("link", name="E-mails not sent").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("E-mails not sent")
    expect(admin.locator("main")).to_contain_text("HTTP 500")
    both_widths(admin)
