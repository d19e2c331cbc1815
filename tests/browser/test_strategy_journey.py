"""From a referral to an initial conference, by four people: the practitioner convenes a
strategy discussion and records it (refused as held while health's absence has no reason,
then held), a manager signs it off, which opens a joint section 47 enquiry; the practitioner
proposes its outcome, a second manager signs it off, and an independent conference chair
records the initial conference with a plan; axe finds nothing on any page visited."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from demo.people import COUNCIL, DEMO_PASSWORD, HEALTH, POLICE
from referrals.codes import CategoryOfAbuse
from strategy.models import (
    Attendance,
    DiscussionOutcome,
    DiscussionState,
    EnquiryOutcome,
    Section47,
    Section47State,
    StrategyDiscussion,
)
from tests.browser.conftest import assert_accessible, sign_in_through_page
from tests.strategy.factories import last_weekday, referral

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHILD = "Sib0 Jones"


@pytest.fixture
def person(browser: Browser, base: str):
    """A signed-in browser of one's own for each demo user; like the page fixture, the
    test fails if any of their pages breaks the Content Security Policy or a script fails."""
    problems: list[str] = []
    contexts = []

    def signed_in(username: str) -> Page:
        contexts.append(browser.new_context())
        page = contexts[-1].new_page()
        page.on(
            "console", lambda message: message.type == "error" and problems.append(message.text)
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in_through_page(page, base, username, DEMO_PASSWORD)
        return page

    yield signed_in
    for context in contexts:  # closed, so no connection outlives the test (PostgreSQL)
        context.close()
    # The refusal to record as held is a 409 response, which Chromium logs: not a problem.
    assert [p for p in problems if "Content Security Policy" in p or "Error" in p] == []


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def fill_date(page: Page, question: str, day: date) -> None:
    """The GOV.UK date input whose legend is `question`: day, month and year."""
    group = page.get_by_role("group", name=question)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def choose(page: Page, question: str, answer: str) -> None:
    """The radio `answer` of the radios whose legend is `question`."""
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def convene(worker: Page, base: str, referral_pk: int, census_id: str) -> int:
    """Step 1: from the referral's page, the discussion about its child, the three agencies
    every discussion needs already ticked."""
    worker.goto(f"{base}/referrals/{referral_pk}/")
    heading(worker, f"Referral for {CHILD}")
    assert_accessible(worker)
    worker.get_by_role("button", name="Convene a strategy discussion").click()
    heading(worker, "Convene a strategy discussion")
    children = worker.get_by_role("group", name="Which children is the discussion about?")
    expect(children.get_by_label(f"{CHILD} ({census_id})", exact=True)).to_be_checked()
    agencies = worker.get_by_role("group", name="Agencies to invite")
    for agency in (COUNCIL, POLICE, HEALTH):
        expect(agencies.get_by_label(agency, exact=True)).to_be_checked()
    assert_accessible(worker)
    fill_date(worker, "Date of the discussion", timezone.localdate() + timedelta(days=1))
    worker.get_by_label("Time", exact=True).fill("10:00")
    choose(worker, "How will it be held?", "Video call")
    worker.get_by_label("History shared with the invited agencies").fill(
        "One earlier contact about the family, closed with advice"
    )
    choose(
        worker, "Consent to share with the invited agencies",
        "Not sought: asking would prejudice protection",
    )  # fmt: skip
    choose(worker, "Has the family been told what is shared?", "No")
    worker.get_by_label("What the family was told, or why not").fill(
        "Telling the parents before the discussion could put the child at risk"
    )
    expect(worker.get_by_label("Chair")).to_have_value(
        str(User.objects.get(username="practitioner").pk)
    )
    worker.get_by_role("button", name="Convene the discussion").click()
    expect(worker.get_by_role("alert")).to_contain_text("The strategy discussion is convened")
    expect(worker.get_by_role("button", name="Record the discussion")).to_be_visible()
    assert_accessible(worker)
    return int(re.search(r"/strategy-discussions/(\d+)/$", worker.url).group(1))


def record(worker: Page, held_on: date) -> None:
    """Step 2, the record: everything but the reason health did not attend."""
    worker.get_by_role("button", name="Record the discussion").click()
    heading(worker, "Record the strategy discussion")
    assert_accessible(worker)
    fill_date(worker, "Date it was held", held_on)
    worker.get_by_label("Time it started").fill("10:30")
    for agency, who in ((COUNCIL, "Priya Shah, social worker"), (POLICE, "DC Lawson")):
        choose(worker, f"Did {agency} attend?", "Attended")
        worker.get_by_label(f"Who attended for {agency}").fill(who)
        worker.get_by_label(f"What {agency} shared").fill(f"{agency}: what it knows")
    choose(worker, f"Did {HEALTH} attend?", "Did not attend")
    worker.get_by_label("Other children affected").fill("None in the household")
    # Whether the history was reviewed is no longer asked (issue 20): recording the
    # discussion as held keeps a snapshot of the chronology it reviewed.
    worker.get_by_label("What the history and chronology showed").fill("Chronology read")
    worker.get_by_label("The child's views").fill("Wants to stay with his aunt")
    worker.get_by_label("Risk analysis").fill("Bruising in a pattern, twice this term")
    worker.get_by_label("The police plan").fill("Joint interview this week")
    worker.get_by_label("Immediate safety plan").fill("Stays with his aunt")
    worker.get_by_label("Legal action").fill("None now")
    choose(worker, "Will the family be told about the discussion?", "Yes")
    worker.get_by_label("What the family is told, or why not").fill("Mother told by phone")
    choose(worker, f"Decision for {CHILD}", DiscussionOutcome.SECTION_47_JOINT.label)
    worker.get_by_label(f"Rationale for {CHILD}'s decision").fill("Injuries need a joint enquiry")
    worker.get_by_role("button", name="Save", exact=True).click()
    expect(worker.get_by_role("alert")).to_contain_text("The record is saved")
    heading(worker, "Record the strategy discussion")
    expect(worker.get_by_label("Risk analysis")).to_have_value(
        "Bruising in a pattern, twice this term"
    )

    worker.get_by_label("Action", exact=True).fill("Medical examination of the bruising")
    worker.get_by_label("Who owns it").fill("Dr Moss, paediatrician")
    worker.get_by_label("Their agency").select_option(label=HEALTH)
    fill_date(worker, "Due by", timezone.localdate() + timedelta(days=7))
    worker.get_by_role("button", name="Add the action").click()
    expect(worker.get_by_role("alert")).to_contain_text("The action is added")
    expect(worker.get_by_role("table", name="Actions set so far")).to_contain_text(
        "Dr Moss, paediatrician"
    )
    assert_accessible(worker)


def save_and_check(worker: Page) -> None:
    worker.get_by_role("button", name="Save and check").click()
    heading(worker, "Check the record before recording the discussion as held")
    assert_accessible(worker)


def test_referral_to_conference_with_a_plan(person, base):
    practitioner = User.objects.get(username="practitioner")
    start = referral(by=practitioner, signer=User.objects.get(username="manager"))
    held_on = last_weekday()

    # 1. Convene.
    worker = person("practitioner")
    discussion_pk = convene(worker, base, start.pk, start.child.census_id)

    # 2. Record it; refused as held while health's absence has no reason, then held.
    record(worker, held_on)
    save_and_check(worker)
    expect(worker.get_by_role("table", name="Actions")).to_contain_text("Medical examination")
    worker.get_by_role("button", name="Record as held").click()
    summary = worker.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text(
        "Health did not take part: record who attended for health, or the reason they did not"
    )
    expect(summary.get_by_role("listitem")).to_have_count(1)
    expect(worker).to_have_title(re.compile(r"^Error: "))
    assert_accessible(worker)
    assert StrategyDiscussion.objects.get(pk=discussion_pk).state == DiscussionState.CONVENED

    worker.get_by_role("link", name="Change what was discussed").click()
    heading(worker, "Record the strategy discussion")
    worker.get_by_label(f"Why {HEALTH} did not attend").fill(
        "The named nurse was on leave; the GP's letter was read out"
    )
    save_and_check(worker)
    worker.get_by_role("button", name="Record as held").click()
    expect(worker.get_by_role("alert")).to_contain_text("The discussion is recorded as held")
    heading(worker, f"Strategy discussion SD-{discussion_pk:06d}")
    assert_accessible(worker)

    # 3. A manager signs it off, after the check step: the enquiry opens.
    manager = person("manager")
    manager.goto(f"{base}/strategy-discussions/{discussion_pk}/")
    manager.get_by_role("button", name="Sign off or return").click()
    heading(manager, "Sign off or return the strategy discussion")
    assert_accessible(manager)
    choose(manager, "Your decision", "Sign off the outcome")
    manager.get_by_label("Comment").fill("The joint enquiry follows from the record")
    manager.get_by_role("button", name="Continue").click()
    heading(manager, "Check before you sign off the outcome")
    expect(manager.get_by_role("listitem").filter(has_text=CHILD)).to_contain_text(
        "A section 47 enquiry opens"
    )
    assert_accessible(manager)
    manager.get_by_role("button", name="Sign off the outcome").click()
    census_id = start.child.census_id
    expect(manager.get_by_role("alert")).to_contain_text(
        f"The outcome is signed off. Now a section 47 enquiry is open for {census_id}"
    )
    assert_accessible(manager)

    # 4. The practitioner proposes the enquiry's outcome.
    worker.goto(f"{base}/section-47-enquiries/")
    assert_accessible(worker)
    worker.get_by_role("link", name=CHILD).click()
    heading(worker, f"Section 47 enquiry for {CHILD}")
    expect(worker.locator(".govuk-summary-list").first).to_contain_text("Joint with the police")
    assert_accessible(worker)
    choose(worker, "What is the outcome of the enquiry?", EnquiryOutcome.CONTINUING_RISK.label)
    worker.get_by_label("Rationale").fill("The bruising was inflicted; the risk continues")
    worker.get_by_role("button", name="Continue").click()
    heading(worker, "Check your answers before proposing the outcome")
    assert_accessible(worker)
    worker.get_by_role("button", name="Propose the outcome").click()
    expect(worker.get_by_role("alert")).to_contain_text("The outcome is proposed")
    assert_accessible(worker)
    enquiry_url = worker.url

    # 5. A second manager signs the outcome off, after the check step.
    manager2 = person("manager2")
    manager2.goto(enquiry_url)
    assert_accessible(manager2)
    choose(manager2, "Your decision", "Sign it off")
    manager2.get_by_role("button", name="Continue").click()
    heading(manager2, "Check before you sign off the outcome")
    assert_accessible(manager2)
    manager2.get_by_role("button", name="Sign off the outcome").click()
    expect(manager2.get_by_role("alert")).to_contain_text(
        "A conference chair can now record the initial child protection conference"
    )
    assert_accessible(manager2)

    # 6. The independent chair records the initial conference, with a plan.
    chair = person("chair")
    chair.goto(enquiry_url)
    chair.get_by_role("button", name="Record the initial conference").click()
    heading(chair, "Record the initial child protection conference")
    assert_accessible(chair)
    fill_date(chair, "When was the conference held?", held_on)
    attended = chair.get_by_role("group", name="Which agencies attended?")
    for agency in (COUNCIL, POLICE, HEALTH):
        attended.get_by_label(agency, exact=True).check()
    choose(
        chair, "Did the conference decide on a child protection plan?",
        "Yes, a plan: physical abuse",
    )  # fmt: skip
    assert_accessible(chair)  # with the plan chosen
    chair.get_by_label("Summary of the conference").fill("Plan agreed: physical abuse")
    chair.get_by_role("button", name="Record the conference").click()
    expect(chair.get_by_role("alert")).to_contain_text(
        "The initial child protection conference is recorded"
    )
    heading(chair, f"Section 47 enquiry for {CHILD}")
    conference = chair.locator(".govuk-summary-list").last
    row = conference.locator(".govuk-summary-list__row", has_text="Child protection plan")
    expect(row.locator("dd")).to_have_text("Yes")
    row = conference.locator(".govuk-summary-list__row", has_text="Category of abuse")
    expect(row.locator("dd")).to_have_text("Physical abuse")
    expect(chair.locator("p", has_text="Stage:")).to_contain_text("Initial conference held")
    assert_accessible(chair)

    discussion = StrategyDiscussion.objects.get(pk=discussion_pk)
    assert discussion.state == DiscussionState.SIGNED_OFF
    health = discussion.participants.get(agency__name=HEALTH)
    assert health.attendance == Attendance.DID_NOT_ATTEND
    assert health.absence_reason.startswith("The named nurse was on leave")
    assert discussion.actions.get().owner == "Dr Moss, paediatrician"
    enquiry = Section47.objects.get(referral=start)
    assert enquiry.state == Section47State.CONFERENCE_HELD
    assert enquiry.joint is True
    assert enquiry.start_date == timezone.localtime(discussion.held_at).date() == held_on
    assert enquiry.outcome == EnquiryOutcome.CONTINUING_RISK
    assert enquiry.current_outcome.proposed_by.username == "practitioner"
    assert enquiry.current_outcome.reviewed_by.username == "manager2"
    assert enquiry.conference.plan is True
    assert enquiry.conference.category == CategoryOfAbuse.PHY
    assert enquiry.conference.chair.username == "chair"
    assert enquiry.conference.held_on == held_on
    assert set(enquiry.conference.agencies_attending.values_list("name", flat=True)) == {
        COUNCIL,
        POLICE,
        HEALTH,
    }
