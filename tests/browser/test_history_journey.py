"""History at the point of decision (issue 18), in Chromium: the practitioner proposes no
further action for the demo child with an open section 47 enquiry (Elestren Nancarrow); the
page names the safety rule and refuses without a reason, accepts with one; the manager who
signs off sees the reason, the child's voice and the history. axe finds nothing on any page
visited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from demo import strategy as demo_strategy
from demo.front_door import load_levels
from demo.people import DEMO_PASSWORD
from referrals import services
from referrals.codes import ConsentPosition, ReferralSource
from referrals.models import Child
from tests.browser.conftest import assert_accessible, sign_in_through_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHILD = "Elestren Nancarrow"


def person(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context().new_page()
    sign_in_through_page(page, base, username, DEMO_PASSWORD)
    return page


def new_contact_about_elestren() -> tuple[int, int]:
    """A new contact about the demo child whose section 47 enquiry is open (set-up)."""
    load_levels()
    demo_strategy.load()
    child = Child.objects.get(first_name="Elestren", last_name="Nancarrow")
    worker = User.objects.get(username="practitioner")
    contact = services.contact_record(
        by=worker, received_at=timezone.now() - timedelta(hours=1), taken_by=worker,
        source=ReferralSource.SCHOOLS, concern="Elestren said she was hungry at school",
        consent=ConsentPosition.GIVEN, children=[child], referrer_name="Mrs Penrose",
        referrer_agency="Holmsey Primary",
    )  # fmt: skip
    return contact.pk, contact.children.get().pk


def test_nfa_over_an_open_enquiry_needs_a_reason_the_signer_sees(browser: Browser, base: str):
    contact_pk, cc_pk = new_contact_about_elestren()
    decision = f"{base}/contacts/{contact_pk}/children/{cc_pk}/"

    worker = person(browser, base, "practitioner")
    worker.goto(decision)
    panel = worker.get_by_test_id("history-panel")
    expect(panel).to_contain_text("Elestren said she was hungry at school")
    expect(panel).to_contain_text("Section 47 enquiries")
    expect(panel).to_contain_text("an open section 47 enquiry")
    expect(worker.get_by_test_id("safety-rule")).to_contain_text("The safety rule")
    assert_accessible(worker)
    worker.get_by_label("No further action").check()
    worker.get_by_label("Level 3: child in need").check()
    worker.get_by_label("Rationale").fill("Breakfast club offered; mother engaging")
    worker.get_by_label("The child's voice").fill("Elestren says mum is working nights again")
    worker.get_by_role("button", name="Continue").click()
    summary = worker.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The safety rule")
    expect(summary).to_contain_text("open section 47 enquiry")
    expect(worker.get_by_label("Rationale")).to_have_value(
        "Breakfast club offered; mother engaging"
    )
    assert_accessible(worker)
    worker.get_by_label("Reason under the safety rule").fill(
        "The open enquiry already covers supervision; hunger is shared with its worker today"
    )
    worker.get_by_role("button", name="Continue").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before proposing the decision"
    )
    assert_accessible(worker)
    worker.get_by_role("button", name="Propose the decision").click()
    expect(worker.get_by_role("alert")).to_contain_text("The decision is proposed")

    manager = person(browser, base, "manager")
    manager.goto(decision)
    main = manager.locator("main")
    expect(main).to_contain_text("The open enquiry already covers supervision")
    expect(main).to_contain_text("Elestren says mum is working nights again")
    expect(manager.get_by_test_id("history-panel")).to_contain_text("Section 47 enquiries")
    expect(manager.get_by_test_id("history-panel")).to_contain_text("Brothers and sisters")
    expect(manager.get_by_test_id("history-panel")).to_contain_text("Hedra Nancarrow")
    assert_accessible(manager)
    manager.get_by_label("Sign it off").check()
    manager.get_by_role("button", name="Confirm").click()
    expect(manager.get_by_role("alert")).to_contain_text("The decision is signed off")
    assert_accessible(manager)
