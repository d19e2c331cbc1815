"""A partner referral to a strategy discussion the partners take part in, by real people in
real pages (issue 9): the police refer a child on the multi-agency form; a front door
practitioner records it as a contact, matching the child, and asks health; health answers;
the practitioner sees the answer, proposes a referral and, once it and the next steps are
signed off, convenes a strategy discussion with the council, the police and health; health
and then the police record their agency's part, each shared with everyone invited, and the
police see health's; the police are refused another child's record and a discussion they
are not invited to. axe finds nothing on any page visited."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import Agency, User
from accounts.sharing import Article6Basis, ConsentPosition
from demo.front_door import load_levels
from demo.people import COUNCIL, DEMO_PASSWORD, HEALTH, POLICE
from referrals import services as referral_services
from referrals.codes import PrimaryNeed
from referrals.models import Child
from referrals.models.contacts import ContactChild, ContactChildState
from referrals.models.episodes import NextSteps, Referral
from referrals.models.information_requests import InformationRequest, Priority, RequestState
from referrals.models.partner_referrals import PartnerReferral, PartnerReferralState
from strategy import services as strategy_services
from strategy.models import Attendance, ContributionAudience, DiscussionFormat, StrategyDiscussion
from tests.browser.conftest import assert_accessible, sign_in_through_page
from tests.strategy.factories import TERMS, referral

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHILD = "Ruby Fisher"
BORN = date(2016, 5, 4)


@pytest.fixture
def person(browser: Browser, base: str):
    """A signed-in browser of one's own for each demo user; like the page fixture, the
    test fails if any of their pages breaks the Content Security Policy or a script fails.
    The sign-in page is checked by axe once (it is the same page for everyone; the security
    code page is checked in test_two_factor_journey)."""
    problems: list[str] = []
    checked: list[bool] = []
    contexts: list[BrowserContext] = []

    def signed_in(username: str) -> Page:
        contexts.append(browser.new_context())
        page = contexts[-1].new_page()
        page.on(
            "console", lambda message: message.type == "error" and problems.append(message.text)
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        if not checked:
            page.goto(f"{base}/sign-in/")
            assert_accessible(page)
            checked.append(True)
        sign_in_through_page(page, base, username, DEMO_PASSWORD)
        expect(page).to_have_url(f"{base}/")
        assert_accessible(page)
        return page

    yield signed_in
    # Closed, so that the live server's threads (and their database connections) end before
    # the test database is dropped.
    for context in contexts:
        context.close()
    # The refused addresses answer 404, which Chromium logs: not a problem.
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


def navigate(page: Page, label: str) -> None:
    """A link of the service navigation."""
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=label, exact=True).click()


def another_childs_discussion() -> tuple[Child, StrategyDiscussion]:
    """Another child, known to the council, in a discussion with the council and health only
    (built through the real services): the police are not invited."""
    opened = referral(
        by=User.objects.get(username="practitioner"), signer=User.objects.get(username="manager")
    )
    discussion = strategy_services.discussion_convene(
        by=User.objects.get(username="practitioner"), referrals=[opened],
        scheduled_for=timezone.now() + timedelta(hours=3), format=DiscussionFormat.PHONE,
        chair=User.objects.get(username="practitioner"),
        agencies=list(Agency.objects.filter(name__in=[COUNCIL, HEALTH])), sharing_terms=TERMS,
    )  # fmt: skip
    return opened.child, discussion


def refer(police: Page) -> int:
    """Step 1: the police refer the child on the multi-agency form, check and send it."""
    navigate(police, "My referrals")
    heading(police, "My referrals")
    assert_accessible(police)
    police.get_by_role("button", name="Make a referral").click()
    heading(police, "Tell the front door about a child you are worried about")
    assert_accessible(police)
    # Sent empty first: the error summary, and nothing saved.
    police.get_by_role("button", name="Continue").click()
    summary = police.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the first name of a child")
    expect(summary).to_contain_text("Say what happened and what worries you")
    assert_accessible(police)
    assert not PartnerReferral.objects.exists()

    child = police.get_by_role("group", name="Child 1")
    child.get_by_label("First name").fill("Ruby")
    child.get_by_label("Last name").fill("Fisher")
    fill_date(police, "Date of birth", BORN)
    child.get_by_label("Address").fill("14 Mill Lane, Holmsey")
    child.get_by_label("Postcode").fill("hx1 4nl")
    police.get_by_label("What happened, and what worries you?").fill(
        "Called to a disturbance at the home last night. Ruby said: 'Dad hit Mum and then me'."
    )
    choose(police, "Is a child at risk of immediate harm?", "No")
    police.get_by_label("Parents, carers and others in the home").fill(
        "Dan Fisher, father; Amy Fisher, mother"
    )
    choose(
        police, "Has the family agreed to this referral?",
        ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE.label,
    )  # fmt: skip
    police.get_by_label("Why consent was refused or not sought").fill(
        "Asking the father would put Ruby and her mother at risk"
    )
    choose(police, "Does the family know about this referral?", "No")
    police.get_by_label("Your role").fill("Police constable")
    police.get_by_label("How can the front door call you back?").fill("01632 960 111")
    police.get_by_role("button", name="Continue").click()

    heading(police, "Check your answers before sending your referral")
    expect(police.locator(".govuk-summary-list").first).to_contain_text(CHILD)
    expect(police.locator(".govuk-summary-list").first).to_contain_text("14 Mill Lane")
    assert_accessible(police)
    police.get_by_role("button", name="Send the referral").click()
    heading(police, "Referral sent")
    sent = PartnerReferral.objects.get()
    expect(police.locator(".govuk-panel")).to_contain_text(sent.reference)
    assert_accessible(police)

    police.get_by_role("link", name="Back to my referrals").click()
    row = police.get_by_role("row").filter(has_text=sent.reference)
    expect(row).to_contain_text(CHILD)
    expect(row).to_contain_text("Received by the front door")
    assert_accessible(police)
    return sent.pk


def record_as_contact(worker: Page, reference: str) -> int:
    """Step 2: the practitioner finds the referral on the queue and records it as a contact,
    prefilled from the referral; they match the child to the one already known."""
    navigate(worker, "Front door")
    heading(worker, "Front door queue")
    partner = worker.get_by_role("table", name="Referrals from partner agencies")
    expect(partner.get_by_role("row").filter(has_text=reference)).to_contain_text(POLICE)
    assert_accessible(worker)
    partner.get_by_role("link", name=reference).click()
    heading(worker, f"Referral from {POLICE}")
    expect(worker.locator(".govuk-summary-list").nth(1)).to_contain_text(CHILD)
    assert_accessible(worker)
    worker.get_by_role("button", name="Record as a contact").click()

    heading(worker, "Record a contact")
    expect(worker.get_by_label("The concern")).to_have_value(re.compile(r"^Called to a disturb"))
    expect(worker.get_by_label("Referrer's organisation")).to_have_value(POLICE)
    expect(worker.locator("#id_child_0_first_name")).to_have_value("Ruby")
    expect(worker.locator("#id_child_0_last_name")).to_have_value("Fisher")
    expect(worker.locator("main")).to_contain_text("Dan Fisher, father; Amy Fisher, mother")
    assert_accessible(worker)
    worker.get_by_role("button", name="Look for this child").click()
    worker.get_by_label(re.compile(rf"^{CHILD}, FD")).check()
    assert_accessible(worker)
    worker.get_by_role("button", name="Continue").click()

    heading(worker, "Check your answers before recording the contact")
    expect(worker.locator(".govuk-summary-list")).to_contain_text(
        re.compile(rf"{CHILD} \(.*FD\d{{6}}, known\)")
    )
    assert_accessible(worker)
    worker.get_by_label("Leave it to screen later").check()
    worker.get_by_role("button", name="Record the contact").click()
    expect(worker.get_by_role("alert")).to_contain_text("The contact is recorded")
    assert_accessible(worker)
    return int(re.search(r"/contacts/(\d+)/$", worker.url).group(1))


def ask_health(worker: Page) -> None:
    """Step 2, then: the practitioner asks health from the child's decision page."""
    worker.get_by_role("link", name=CHILD).first.click()
    heading(worker, f"Decision for {CHILD}")
    assert_accessible(worker)
    worker.get_by_role("link", name="Ask an agency").click()
    heading(worker, f"Ask a partner agency about {CHILD}")
    assert_accessible(worker)
    worker.get_by_label("Agency", exact=True).select_option(label=HEALTH)
    worker.get_by_label("Your question").fill("Has Ruby been seen for any injury in the last year?")
    choose(worker, "Lawful basis (UK GDPR Article 6)", Article6Basis.PUBLIC_TASK.label)
    choose(worker, "Consent", ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE.label)
    choose(worker, "Has the family been told what you are asking?", "No")
    worker.get_by_label("What the family was told, or why not").fill(
        "Telling the father would put Ruby at risk"
    )
    choose(worker, "Priority", Priority.RED.label)
    worker.get_by_role("button", name="Send the request").click()
    expect(worker.get_by_role("alert")).to_contain_text(f"The request is sent to {HEALTH}")
    heading(worker, f"Decision for {CHILD}")
    expect(worker.locator("main")).to_contain_text("Outstanding")
    assert_accessible(worker)


def answer(health: Page) -> None:
    """Step 3: health answers on "Requests to answer"."""
    asked = InformationRequest.objects.get()
    navigate(health, "Requests to answer")
    heading(health, "Requests to answer")
    assert_accessible(health)
    health.get_by_role("link", name=str(asked)).click()
    heading(health, f"Information request about {CHILD}")
    assert_accessible(health)
    health.get_by_label("Your answer").fill("Seen in A&E in March with a burn to her hand")
    health.get_by_role("button", name="Send the answer").click()
    expect(health.get_by_role("alert")).to_contain_text("Your answer is sent")
    heading(health, "Requests to answer")
    assert_accessible(health)


def propose_referral(worker: Page) -> None:
    """Step 4: the practitioner reads health's answer and proposes a referral."""
    worker.reload()
    heading(worker, f"Decision for {CHILD}")
    expect(worker.locator("main")).to_contain_text("Seen in A&E in March with a burn")
    assert_accessible(worker)
    worker.get_by_label("Referral to children's social care").check()
    worker.get_by_label("Level 4: child protection").check()
    worker.get_by_label("Rationale").fill("Domestic abuse and an earlier burn: harm suspected")
    worker.get_by_label("The child's voice").fill("Not yet seen: a visit is arranged for today")
    worker.get_by_role("button", name="Continue").click()
    heading(worker, "Check your answers before proposing the decision")
    assert_accessible(worker)
    worker.get_by_role("button", name="Propose the decision").click()
    expect(worker.get_by_role("alert")).to_contain_text("The decision is proposed")
    assert_accessible(worker)


def signed_off_for_a_strategy_discussion(contact_child: ContactChild) -> Referral:
    """Through the real services, to keep the test fast (the sign-off and next-steps pages
    have their own browser journeys): a manager signs the decision off, the practitioner
    proposes a strategy discussion as the next steps, and the manager signs that off."""
    practitioner = User.objects.get(username="practitioner")
    manager = User.objects.get(username="manager")
    referral_services.decision_sign_off(by=manager, contact_child=contact_child)
    opened = ContactChild.objects.get(pk=contact_child.pk).referral
    referral_services.referral_next_steps_propose(
        by=practitioner, referral=opened, next_steps=NextSteps.STRATEGY_DISCUSSION,
        primary_need=PrimaryNeed.N1, rationale="Harm suspected: a multi-agency view is needed",
    )  # fmt: skip
    referral_services.referral_next_steps_sign_off(by=manager, referral=opened)
    return Referral.objects.get(pk=opened.pk)


def convene(worker: Page, census_id: str) -> int:
    """Step 4, then: from the referral's page, a discussion with the council, the police and
    health, and what they see."""
    worker.reload()  # the contact's page, where proposing leads
    worker.get_by_role("link", name=CHILD).first.click()
    heading(worker, f"Decision for {CHILD}")
    signed_off = worker.locator(".govuk-summary-list__row", has_text="Signed off by")
    expect(signed_off.locator("dd")).to_contain_text("Margaret Hughes")
    assert_accessible(worker)
    worker.get_by_role("link", name="Go to the referral").click()
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
    worker.get_by_label("Time", exact=True).fill("11:00")
    choose(worker, "How will it be held?", "Video call")
    worker.get_by_label("History shared with the invited agencies").fill(
        "Police called to domestic abuse at the home; health saw a burn in March"
    )
    choose(
        worker, "Consent to share with the invited agencies",
        ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE.label,
    )  # fmt: skip
    choose(worker, "Has the family been told what is shared?", "No")
    worker.get_by_label("What the family was told, or why not").fill(
        "Telling the father would put Ruby and her mother at risk"
    )
    worker.get_by_role("button", name="Convene the discussion").click()
    expect(worker.get_by_role("alert")).to_contain_text("The strategy discussion is convened")
    assert_accessible(worker)
    return int(re.search(r"/strategy-discussions/(\d+)/$", worker.url).group(1))


def record_part(partner: Page, discussion: str, who: str, contribution: str) -> None:
    """Steps 5 and 6: an invited agency records its part, seen by everyone invited."""
    navigate(partner, "My invitations")
    heading(partner, "My invitations")
    row = partner.get_by_role("row").filter(has_text=discussion)
    expect(row).to_contain_text(CHILD)
    expect(row).to_contain_text("Not recorded yet")
    assert_accessible(partner)
    row.get_by_role("link", name=discussion).click()
    heading(partner, discussion)
    expect(partner.locator(".govuk-inset-text")).to_contain_text("health saw a burn in March")
    assert_accessible(partner)
    partner.get_by_role("button", name="Record your agency's part").click()
    heading(partner, "Your agency's part")
    assert_accessible(partner)
    choose(partner, "Did your agency attend?", "Attended")
    partner.get_by_label("Who attended for your agency").fill(who)
    partner.get_by_label("What your agency shared").fill(contribution)
    choose(partner, "Who sees what your agency shared", "Everyone invited to the discussion")
    partner.get_by_role("button", name="Save your agency's part").click()
    expect(partner.get_by_role("alert")).to_contain_text("Your agency's part is saved")
    heading(partner, discussion)
    assert_accessible(partner)


def refused(partner: Page, address: str) -> None:
    """Step 7: an address typed in; the partner is not told the record exists."""
    response = partner.goto(address)
    assert response.status == 404
    heading(partner, "Page not found")
    assert_accessible(partner)


def test_police_referral_to_a_strategy_discussion_the_partners_take_part_in(person, base):
    load_levels()
    known = Child.objects.create(first_name="Ruby", last_name="Fisher", date_of_birth=BORN)
    other_child, other_discussion = another_childs_discussion()

    # 1. The police refer Ruby.
    police = person("police")
    partner_referral_pk = refer(police)
    reference = PartnerReferral.objects.get(pk=partner_referral_pk).reference

    # 2. The front door records it as a contact about the known child, and asks health.
    worker = person("practitioner")
    contact_pk = record_as_contact(worker, reference)
    ask_health(worker)

    # 3. Health answers.
    health = person("health")
    answer(health)

    # 4. The practitioner sees the answer and proposes; the sign-offs; then convenes.
    propose_referral(worker)
    contact_child = ContactChild.objects.get(contact_id=contact_pk)
    opened = signed_off_for_a_strategy_discussion(contact_child)
    discussion_pk = convene(worker, known.census_id)
    discussion = f"Strategy discussion SD-{discussion_pk:06d}"

    # 5. Health records its part.
    record_part(
        health, discussion, "Nurse Helen Moss, named nurse",
        "Burn to the right hand treated in A&E in March; the explanation did not fit",
    )  # fmt: skip

    # 6. The police record theirs, and see health's.
    record_part(
        police, discussion, "DC Pete Lawson",
        "Two call-outs to the home this year for domestic abuse",
    )  # fmt: skip
    shared = police.get_by_role("table", name="Attendance and what each agency shared")
    health_row = shared.get_by_role("row").filter(has_text=HEALTH)
    expect(health_row).to_contain_text("Nurse Helen Moss, named nurse")
    expect(health_row).to_contain_text("Burn to the right hand treated in A&E in March")
    expect(shared.get_by_role("row").filter(has_text=f"{POLICE} (your agency)")).to_contain_text(
        "Two call-outs to the home this year"
    )

    # The police's referral now shows that the front door recorded it.
    navigate(police, "My referrals")
    expect(police.get_by_role("row").filter(has_text=reference)).to_contain_text(
        "Recorded by the front door"
    )
    assert_accessible(police)

    # 7. Another child's record and a discussion the police are not invited to: 404.
    refused(police, f"{base}/children/{other_child.pk}/")
    refused(police, f"{base}/invitations/{other_discussion.pk}/")

    recorded = PartnerReferral.objects.get(pk=partner_referral_pk)
    assert recorded.state == PartnerReferralState.RECORDED
    assert recorded.contact_id == contact_child.contact_id
    assert recorded.recorded_by.username == "practitioner"
    assert contact_child.child_id == known.pk  # matched, not duplicated
    assert Child.objects.filter(first_name="Ruby", last_name="Fisher").count() == 1
    asked = InformationRequest.objects.get()
    assert asked.state == RequestState.ANSWERED
    assert asked.agency.name == HEALTH
    assert asked.answered_by.username == "health"
    assert ContactChild.objects.get(pk=contact_child.pk).state == ContactChildState.SIGNED_OFF
    convened = StrategyDiscussion.objects.get(pk=discussion_pk)
    assert convened.children.get().referral_id == opened.pk
    assert convened.sharing_consent == ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE
    assert convened.sharing_family_told is False
    parts = {p.agency.name: p for p in convened.participants.select_related("agency")}
    assert set(parts) == {COUNCIL, POLICE, HEALTH}
    for agency, username in ((HEALTH, "health"), (POLICE, "police")):
        assert parts[agency].attendance == Attendance.ATTENDED
        assert parts[agency].audience == ContributionAudience.INVITED
        assert parts[agency].recorded_by.username == username
    assert parts[COUNCIL].attendance == Attendance.INVITED
