"""The referral pages: the list of open referrals, one referral, proposing next steps with
"Check your answers", the manager's sign-off or return (four eyes), and closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import sessions
from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from notes import services as note_services
from referrals import services
from referrals.codes import PrimaryNeed, ReasonForClosure
from referrals.models.episodes import (
    Assessment,
    AssessmentState,
    NextSteps,
    Referral,
    ReferralDecision,
    ReferralState,
)
from tests.conftest import sign_in
from tests.strategy.factories import (
    convened,
    discussion_signed_off,
    next_steps_signed_off,
)
from tests.strategy.factories import referral as open_referral

pytestmark = pytest.mark.django_db

READERS = [Role.PRACTITIONER, Role.MANAGER, Role.CONFERENCE_CHAIR, Role.AUDITOR]
OUTSIDERS = [
    (Role.PARTNER_PRACTITIONER, 404),
    (Role.PARTNER_SAFEGUARDING_LEAD, 404),
    (Role.SYSTEM_ADMINISTRATOR, 403),
]
# Who may propose next steps (and complete assessments): practitioners and managers.
PROPOSERS = [
    (Role.PRACTITIONER, 200),
    (Role.MANAGER, 200),
    (Role.CONFERENCE_CHAIR, 403),
    (Role.AUDITOR, 403),
    *OUTSIDERS,
]
# Who may sign off, return and close: managers only.
SIGNERS = [
    (Role.MANAGER, 200),
    (Role.PRACTITIONER, 403),
    (Role.CONFERENCE_CHAIR, 403),
    (Role.AUDITOR, 403),
    *OUTSIDERS,
]


def url(name: str, referral: Referral | int) -> str:
    return reverse(f"referrals:{name}", args=[getattr(referral, "pk", referral)])


def fresh(referral: Referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


def propose(referral: Referral, *, by, next_steps=NextSteps.ASSESSMENT, rationale="Needs a view"):
    services.referral_next_steps_propose(
        by=by, referral=referral, next_steps=next_steps,
        primary_need="" if next_steps == NextSteps.NO_FURTHER_ACTION else PrimaryNeed.N1,
        rationale=rationale,
    )  # fmt: skip
    return fresh(referral)


@pytest.fixture
def worker(make_user):
    return make_user(Role.PRACTITIONER, first_name="Pat", last_name="Worker")


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, first_name="Mo", last_name="Manager")


@pytest.fixture
def referral(worker, manager):
    return open_referral(by=worker, signer=manager)


# Who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_list_and_the_referral(client, make_user, referral, role):
    sign_in(client, make_user(role))
    listing = client.get(reverse("referrals:referrals"))
    assert listing.status_code == 200
    assert url("referral", referral) in listing.content.decode()
    assert referral.child.census_id in listing.content.decode()
    page = client.get(url("referral", referral))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Sib0 Jones" in body and referral.child.census_id in body
    assert "Schools" in body  # the source


@pytest.mark.parametrize(("role", "status"), OUTSIDERS)
def test_partners_and_the_administrator_are_refused_everywhere(
    client, make_user, worker, referral, role, status
):
    proposed = propose(referral, by=worker)
    sign_in(client, make_user(role))
    names = ["referral", "referral-propose", "referral-propose-check", "referral-review",
             "referral-review-check", "referral-close"]  # fmt: skip
    assert client.get(reverse("referrals:referrals")).status_code == status
    for name in names:
        response = client.get(url(name, proposed))
        assert response.status_code == status, name
        assert "Sib0" not in response.content.decode()
        assert client.post(url(name, proposed), {"action": "sign_off"}).status_code == status
        # The same answer for a referral that does not exist.
        assert client.get(url(name, 999999)).status_code == status
    assert fresh(proposed).state == ReferralState.NEXT_STEPS_PROPOSED
    assert AuditEntry.objects.filter(event=Event.REFUSED).count() == 1 + 3 * len(names)


@pytest.mark.parametrize(("role", "status"), PROPOSERS)
def test_who_may_propose_next_steps(client, make_user, referral, role, status):
    sign_in(client, make_user(role))
    assert client.get(url("referral-propose", referral)).status_code == status
    response = client.post(
        url("referral-propose", referral),
        {"next_steps": NextSteps.ASSESSMENT, "primary_need": "N1", "rationale": "Worried"},
    )
    assert response.status_code == (302 if status == 200 else status)
    page = client.get(url("referral", referral)).content.decode() if status != 404 else ""
    assert (url("referral-propose", referral) in page) == (status == 200)


@pytest.mark.parametrize(("role", "status"), SIGNERS)
def test_who_may_sign_off_and_return(client, make_user, worker, referral, role, status):
    proposed = propose(referral, by=worker)
    sign_in(client, make_user(role))
    assert client.get(url("referral-review", proposed)).status_code == status
    response = client.post(url("referral-review", proposed), {"action": "sign_off"})
    assert response.status_code == (302 if status == 200 else status)
    assert fresh(proposed).state == ReferralState.NEXT_STEPS_PROPOSED  # not before the check
    page = client.get(url("referral", proposed)).content.decode() if status != 404 else ""
    assert (url("referral-review", proposed) in page) == (status == 200)


@pytest.mark.parametrize(("role", "status"), SIGNERS)
def test_who_may_close(client, make_user, worker, manager, role, status):
    referral = next_steps_signed_off(by=worker, signer=manager)
    sign_in(client, make_user(role))
    assert client.get(url("referral-close", referral)).status_code == status
    today = timezone.localdate()
    response = client.post(
        url("referral-close", referral),
        {"reason": "RC7", "closure_date_0": today.day, "closure_date_1": today.month,
         "closure_date_2": today.year},
    )  # fmt: skip
    assert response.status_code == (302 if status == 200 else status)
    closed = fresh(referral).state == ReferralState.CLOSED
    assert closed == (status == 200)


@pytest.mark.parametrize(
    ("role", "offered"),
    [(Role.PRACTITIONER, True), (Role.MANAGER, True), (Role.AUDITOR, False),
     (Role.CONFERENCE_CHAIR, False)],
)  # fmt: skip
def test_an_open_referral_offers_to_convene_a_strategy_discussion(
    client, make_user, referral, role, offered
):
    sign_in(client, make_user(role))
    page = client.get(url("referral", referral)).content.decode()
    convene = reverse("strategy:discussion-new", args=[referral.pk])
    assert (convene in page) is offered


def test_a_closed_referral_offers_no_discussion(client, worker, manager, make_user):
    closed = next_steps_signed_off(
        by=worker, signer=manager, next_steps=NextSteps.NO_FURTHER_ACTION
    )
    services.referral_close(
        by=manager, referral=closed, reason=ReasonForClosure.RC7, on=timezone.localdate()
    )
    sign_in(client, worker)
    page = client.get(url("referral", closed)).content.decode()
    assert reverse("strategy:discussion-new", args=[closed.pk]) not in page


def test_a_practitioner_is_told_the_next_steps_wait_for_a_manager(client, worker, referral):
    proposed = propose(referral, by=worker)
    sign_in(client, worker)
    assert "Waiting for a manager" in client.get(url("referral", proposed)).content.decode()


# Proposing next steps -----------------------------------------------------------------------


def test_propose_then_check_your_answers_then_proposed(client, worker, referral):
    sign_in(client, worker)
    response = client.post(
        url("referral-propose", referral),
        {"next_steps": NextSteps.ASSESSMENT, "primary_need": "N4", "rationale": "Parents at odds"},
    )
    assert response.url == url("referral-propose-check", referral)
    check = client.get(response.url).content.decode()
    assert "Check your answers" in check and "Parents at odds" in check
    assert "N4: family in acute stress" in check and "Assessment (section 17)" in check
    assert fresh(referral).state == ReferralState.OPEN  # not yet
    # "Change" goes back to the form with the answers kept.
    form = client.get(url("referral-propose", referral)).context["form"]
    assert form.initial["rationale"] == "Parents at odds"
    response = client.post(url("referral-propose-check", referral))
    assert response.url == url("referral", referral)
    referral = fresh(referral)
    assert referral.state == ReferralState.NEXT_STEPS_PROPOSED
    decision = referral.current_decision
    assert (decision.next_steps, decision.primary_need, decision.rationale) == (
        NextSteps.ASSESSMENT, PrimaryNeed.N4, "Parents at odds",
    )  # fmt: skip
    assert sessions.kept(user=worker, key=f"next-steps-{referral.pk}") is None
    page = client.get(url("referral", referral)).content.decode()
    assert "The next steps are proposed" in page and "Parents at odds" in page


def test_no_further_action_has_no_primary_need(client, worker, referral):
    sign_in(client, worker)
    client.post(
        url("referral-propose", referral),
        {"next_steps": NextSteps.NO_FURTHER_ACTION, "primary_need": "", "rationale": "Resolved"},
    )
    assert (
        "None: no further action"
        in client.get(url("referral-propose-check", referral)).content.decode()
    )
    client.post(url("referral-propose-check", referral))
    decision = fresh(referral).current_decision
    assert (decision.next_steps, decision.primary_need) == (NextSteps.NO_FURTHER_ACTION, "")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"next_steps": "", "primary_need": "N1", "rationale": "x"}, "Choose the next steps"),
        ({"next_steps": "nonsense", "primary_need": "N1", "rationale": "x"},
         "Select a valid choice"),
        ({"next_steps": "assessment", "primary_need": "", "rationale": "x"},
         "Choose the child&#x27;s primary need"),
        ({"next_steps": "nfa", "primary_need": "N1", "rationale": "x"},
         "A referral with no further action has no primary need"),
        ({"next_steps": "assessment", "primary_need": "N77", "rationale": "x"},
         "Select a valid choice"),
        ({"next_steps": "assessment", "primary_need": "N1", "rationale": ""},
         "Give the rationale for the next steps"),
    ],
)  # fmt: skip
def test_bad_proposals_show_the_error_summary_and_change_nothing(
    client, worker, referral, data, message
):
    sign_in(client, worker)
    response = client.post(url("referral-propose", referral), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    assert fresh(referral).state == ReferralState.OPEN
    assert sessions.kept(user=worker, key=f"next-steps-{referral.pk}") is None
    assert not ReferralDecision.objects.filter(referral=referral).exists()


def test_a_rule_the_service_enforces_is_shown_in_the_error_summary(client, worker, manager):
    # A discussion decided on a section 47 enquiry while the referral was open: it is no
    # longer "no further action".
    referral = open_referral(by=worker, signer=manager)
    discussion_signed_off(by=worker, signer=manager, referrals=[referral])
    sign_in(client, worker)
    client.post(
        url("referral-propose", referral),
        {
            "next_steps": NextSteps.NO_FURTHER_ACTION, "primary_need": "", "rationale": "Nothing",
            "safety_reason": "The enquiry found nothing",  # the safety rule, for the open s47
        },
    )  # fmt: skip
    response = client.post(url("referral-propose-check", referral))
    page = response.content.decode()
    assert response.status_code == 409
    assert "govuk-error-summary" in page and "cannot be &#x27;no further action&#x27;" in page
    assert fresh(referral).state == ReferralState.OPEN


def test_the_check_page_without_answers_goes_back_to_the_form(client, worker, referral):
    sign_in(client, worker)
    response = client.get(url("referral-propose-check", referral))
    assert response.url == url("referral-propose", referral)


def test_proposing_once_the_referral_moved_on_is_refused_in_plain_words(
    client, worker, manager, referral
):
    sign_in(client, worker)
    client.post(
        url("referral-propose", referral),
        {"next_steps": NextSteps.ASSESSMENT, "primary_need": "N1", "rationale": "Mine"},
    )
    propose(referral, by=manager, rationale="Someone else's, first")
    response = client.post(url("referral-propose-check", referral), follow=True)
    page = response.content.decode()
    assert "Next steps can be proposed only while the referral is open" in page
    assert list(ReferralDecision.objects.values_list("rationale", flat=True)) == [
        "Someone else's, first"
    ]


# Signing off or returning -------------------------------------------------------------------


def test_a_manager_signs_off_after_checking_and_the_assessment_opens(
    client, worker, manager, referral
):
    proposed = propose(referral, by=worker, rationale="Neglect over months")
    sign_in(client, manager)
    page = client.get(url("referral-review", proposed)).content.decode()
    assert "Neglect over months" in page and "Pat Worker" in page
    response = client.post(
        url("referral-review", proposed), {"action": "sign_off", "comment": "Yes"}
    )
    assert response.url == url("referral-review-check", proposed)
    check = client.get(response.url).content.decode()
    assert "Check your answers before signing off" in check and "Neglect over months" in check
    assert fresh(proposed).state == ReferralState.NEXT_STEPS_PROPOSED
    response = client.post(url("referral-review-check", proposed))
    assert response.url == url("referral", proposed)
    signed = fresh(proposed)
    assert signed.state == ReferralState.NEXT_STEPS_SIGNED_OFF
    assert signed.primary_need == PrimaryNeed.N1
    assert signed.current_decision.reviewed_by == manager
    assert signed.current_decision.review_comment == "Yes"
    assessment = Assessment.objects.get(referral=signed)
    page = client.get(url("referral", signed)).content.decode()
    assert "The assessment is open" in page
    assert reverse("referrals:assessment", args=[assessment.pk]) in page


def test_returning_needs_a_comment_and_the_returned_proposal_is_kept(
    client, worker, manager, referral
):
    proposed = propose(referral, by=worker, rationale="First try")
    sign_in(client, manager)
    response = client.post(url("referral-review", proposed), {"action": "return", "comment": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "Say what needs to change" in page
    assert sessions.kept(user=manager, key=f"next-steps-review-{proposed.pk}") is None
    client.post(url("referral-review", proposed), {"action": "return", "comment": "Read the file"})
    check = client.get(url("referral-review-check", proposed)).content.decode()
    assert "Check your answers before returning" in check and "Read the file" in check
    client.post(url("referral-review-check", proposed))
    returned = fresh(proposed)
    assert returned.state == ReferralState.OPEN and returned.current_decision is None
    propose(returned, by=worker, rationale="Second try")
    page = client.get(url("referral", returned)).content.decode()
    assert "First try" in page and "Read the file" in page and "Second try" in page
    assert "Returned" in page


def test_the_proposer_cannot_sign_off_and_is_told_on_the_page(
    client, make_user, worker, manager, referral
):
    make_user(Role.MANAGER)  # another manager exists
    proposed = propose(referral, by=manager)
    sign_in(client, manager)
    response = client.post(url("referral-review", proposed), {"action": "sign_off"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "govuk-error-summary" in page
    assert "You proposed these next steps, so another manager must sign it off" in page
    assert "no other manager yet" not in page
    assert sessions.kept(user=manager, key=f"next-steps-review-{proposed.pk}") is None
    assert fresh(proposed).state == ReferralState.NEXT_STEPS_PROPOSED


def test_with_one_manager_the_page_says_it_waits_for_another(client, worker, manager, referral):
    proposed = propose(referral, by=manager)  # the only manager there is
    sign_in(client, manager)
    response = client.post(url("referral-review", proposed), {"action": "return", "comment": "x"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "There is no other manager yet: it waits for one" in page
    assert fresh(proposed).state == ReferralState.NEXT_STEPS_PROPOSED


def test_a_review_of_next_steps_someone_else_reviewed_first_changes_nothing(
    client, make_user, worker, manager, referral
):
    proposed = propose(referral, by=worker)
    sign_in(client, manager)
    client.post(url("referral-review", proposed), {"action": "return", "comment": "Mine"})
    services.referral_next_steps_sign_off(by=make_user(Role.MANAGER), referral=proposed)
    response = client.post(url("referral-review-check", proposed), follow=True)
    assert "not waiting for a sign-off" in response.content.decode()
    assert fresh(proposed).state == ReferralState.NEXT_STEPS_SIGNED_OFF
    assert fresh(proposed).current_decision.review_comment == ""


def test_a_review_kept_for_an_earlier_proposal_is_not_applied_to_a_new_one(
    client, make_user, worker, manager, referral
):
    proposed = propose(referral, by=worker, rationale="First")
    sign_in(client, manager)
    client.post(url("referral-review", proposed), {"action": "sign_off"})
    # Meanwhile another manager returns it and the worker proposes again.
    services.referral_next_steps_return(
        by=make_user(Role.MANAGER), referral=proposed, comment="Again"
    )
    again = propose(fresh(proposed), by=worker, rationale="Second")
    response = client.post(url("referral-review-check", again), follow=True)
    assert "changed by someone else" in response.content.decode()
    assert fresh(again).state == ReferralState.NEXT_STEPS_PROPOSED


# Closing ------------------------------------------------------------------------------------


def close_data(day, reason="RC8"):
    return {"reason": reason, "closure_date_0": day.day, "closure_date_1": day.month,
            "closure_date_2": day.year}  # fmt: skip


def test_a_manager_closes_with_the_census_reason_and_date(client, worker, manager):
    referral = next_steps_signed_off(by=worker, signer=manager)
    sign_in(client, manager)
    form = client.get(url("referral-close", referral)).context["form"]
    assert form["closure_date"].value() == timezone.localdate()  # today, by default
    response = client.post(url("referral-close", referral), close_data(timezone.localdate()))
    assert response.url == url("referral", referral)
    closed = fresh(referral)
    assert closed.state == ReferralState.CLOSED
    assert (closed.closure_reason, closed.closure_date, closed.closed_by) == (
        ReasonForClosure.RC8, timezone.localdate(), manager,
    )  # fmt: skip
    page = client.get(url("referral", closed)).content.decode()
    assert "RC8: closed after assessment, no further action" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**close_data(timezone.localdate()), "reason": ""}, "Choose the reason for closure"),
        ({**close_data(timezone.localdate()), "reason": "RC99"}, "Select a valid choice"),
        ({"reason": "RC7", "closure_date_0": "", "closure_date_1": "", "closure_date_2": ""},
         "Enter the closure date"),
        ({"reason": "RC7", "closure_date_0": "31", "closure_date_1": "2", "closure_date_2": "2026"},
         "Closure date must be a real date"),
        ({"reason": "RC7", "closure_date_0": "x", "closure_date_1": "2", "closure_date_2": "2026"},
         "Closure date must be a real date"),
        ({"reason": "RC7", "closure_date_0": "3", "closure_date_1": "", "closure_date_2": "2026"},
         "Closure date must include a month"),
        (close_data(timezone.localdate() + timedelta(days=2)),
         "The closure date cannot be in the future"),
        (close_data(timezone.localdate() - timedelta(days=400)),
         "A referral cannot close before its referral date"),
    ],
)  # fmt: skip
def test_bad_closures_show_the_error_summary_and_change_nothing(
    client, worker, manager, data, message
):
    referral = next_steps_signed_off(by=worker, signer=manager)
    sign_in(client, manager)
    response = client.post(url("referral-close", referral), data)
    page = response.content.decode()
    assert response.status_code in (200, 409)
    assert "govuk-error-summary" in page and message in page
    assert fresh(referral).state == ReferralState.NEXT_STEPS_SIGNED_OFF


def test_open_work_keeps_the_referral_open_and_the_page_says_why(client, worker, manager):
    referral = next_steps_signed_off(by=worker, signer=manager, next_steps=NextSteps.ASSESSMENT)
    assert Assessment.objects.filter(referral=referral, state=AssessmentState.OPEN).exists()
    sign_in(client, manager)
    assert (
        "The assessment is not yet authorised"
        in client.get(url("referral-close", referral)).content.decode()
    )
    response = client.post(url("referral-close", referral), close_data(timezone.localdate()))
    page = response.content.decode()
    assert response.status_code == 409
    assert "govuk-error-summary" in page
    assert "The referral cannot close yet: The assessment is not yet authorised" in page
    assert fresh(referral).state == ReferralState.NEXT_STEPS_SIGNED_OFF


def test_closing_a_referral_whose_next_steps_are_not_signed_off_is_refused(
    client, manager, referral
):
    sign_in(client, manager)
    response = client.get(url("referral-close", referral), follow=True)
    assert "closes only once its next steps are signed off" in response.content.decode()


# The referral page --------------------------------------------------------------------------


def test_the_referral_page_lists_discussions_and_enquiries(client, worker, manager, referral):
    convened(by=worker, referrals=[referral])
    other = open_referral(by=worker, signer=manager)
    discussion_signed_off(by=worker, signer=manager, referrals=[other])
    sign_in(client, worker)
    page = client.get(url("referral", referral)).content.decode()
    assert "Convened" in page and "Not decided yet" in page
    page = client.get(url("referral", other)).content.decode()
    assert "Outcome signed off" in page
    assert "Section 47 enquiry, joint with the police" in page
    enquiry = other.section47s.get()
    assert str(enquiry) in page and "Joint with the police" in page


def test_the_referral_page_shows_the_history_and_who_decided(client, worker, manager, referral):
    proposed = propose(referral, by=worker, rationale="First reason")
    services.referral_next_steps_return(by=manager, referral=proposed, comment="Too thin")
    proposed = propose(fresh(proposed), by=worker, rationale="Second reason")
    sign_in(client, worker)
    page = client.get(url("referral", proposed)).content.decode()
    assert page.index("First reason") < page.index("Too thin") < page.index("Second reason")
    assert "Returned by Mo Manager" in page
    assert "Pat Worker" in page


def test_discussions_and_enquiries_link_to_their_pages(client, worker, manager):
    referral = open_referral(by=worker, signer=manager)
    discussion = discussion_signed_off(by=worker, signer=manager, referrals=[referral])
    enquiry = referral.section47s.get()
    sign_in(client, worker)
    page = client.get(url("referral", referral)).content.decode()
    assert f'href="{reverse("strategy:discussion", args=[discussion.pk])}"' in page
    assert f'href="{reverse("strategy:section47", args=[enquiry.pk])}"' in page


def test_the_contact_decision_and_the_child_page_link_to_the_referral(client, worker, referral):
    sign_in(client, worker)
    decision = client.get(
        reverse(
            "referrals:decision",
            args=[referral.contact_child.contact_id, referral.contact_child_id],
        )
    ).content.decode()
    assert url("referral", referral) in decision
    child = client.get(reverse("referrals:child", args=[referral.child_id])).content.decode()
    assert url("referral", referral) in child
    page = client.get(url("referral", referral)).content.decode()
    assert reverse("referrals:child", args=[referral.child_id]) in page


def test_an_urgent_decision_links_to_its_referral_before_the_sign_off(client, worker):
    from referrals.models.contacts import Outcome
    from tests.referrals.factories import proposed

    urgent = proposed(by=worker, outcome=Outcome.STRATEGY_NOW)
    referral = Referral.objects.get(contact_child=urgent)
    sign_in(client, worker)
    page = client.get(
        reverse("referrals:decision", args=[urgent.contact_id, urgent.pk])
    ).content.decode()
    assert url("referral", referral) in page


# Audit and query counts ---------------------------------------------------------------------


def test_the_list_and_the_page_are_audited(client, worker, manager):
    referrals = [open_referral(by=worker, signer=manager) for _ in range(2)]
    closed = next_steps_signed_off(by=worker, signer=manager)
    services.referral_close(by=manager, referral=closed, reason="RC7", on=timezone.localdate())
    sign_in(client, worker)
    client.get(reverse("referrals:referrals"))
    listed = AuditEntry.objects.get(event=Event.LIST)
    assert sorted(listed.additional_data["ids"]) == sorted(str(r.pk) for r in referrals)
    client.get(url("referral", referrals[0]))
    read = AuditEntry.objects.get(event=Event.READ)
    assert read.child_ref == referrals[0].child.census_id
    assert read.object_pk == str(referrals[0].pk)


def test_the_list_marks_overdue_and_due_today_and_puts_the_oldest_first(client, worker, manager):
    today = timezone.localdate()
    late, now, later = (open_referral(by=worker, signer=manager) for _ in range(3))
    # Due dates set by hand: the service computes them from the contact's arrival.
    Referral.objects.filter(pk=late.pk).update(next_steps_due=today - timedelta(days=3))
    Referral.objects.filter(pk=now.pk).update(next_steps_due=today)
    Referral.objects.filter(pk=later.pk).update(next_steps_due=today + timedelta(days=3))
    signed = next_steps_signed_off(by=worker, signer=manager, next_steps=NextSteps.ASSESSMENT)
    Referral.objects.filter(pk=signed.pk).update(next_steps_due=today - timedelta(days=9))
    Assessment.objects.filter(referral=signed).update(due=today - timedelta(days=1))
    sign_in(client, worker)
    response = client.get(reverse("referrals:referrals"))
    rows = {row.referral.pk: row for row in response.context["rows"]}
    assert [row.referral.pk for row in response.context["rows"]] == [
        signed.pk, late.pk, now.pk, later.pk,
    ]  # fmt: skip
    assert rows[late.pk].overdue and not rows[late.pk].due_today
    assert rows[now.pk].due_today and not rows[now.pk].overdue
    assert not rows[later.pk].overdue and not rows[later.pk].due_today
    # Signed-off next steps are no longer due; the assessment is, and it is late.
    assert not rows[signed.pk].overdue
    assert rows[signed.pk].assessment_overdue
    assert rows[signed.pk].assessment_due == today - timedelta(days=1)
    page = response.content.decode()
    assert "Overdue" in page and "Due today" in page and "No open assessment" in page


def test_the_list_pages_by_fifty(client, worker, manager, monkeypatch):
    from referrals import selectors

    referrals = [open_referral(by=worker, signer=manager) for _ in range(3)]
    monkeypatch.setattr(selectors, "REFERRAL_PAGE_SIZE", 2)
    sign_in(client, worker)
    first = client.get(reverse("referrals:referrals")).content.decode()
    second = client.get(reverse("referrals:referrals"), {"page": 2}).content.decode()
    shown = [r for r in referrals if url("referral", r) in first]
    assert len(shown) == 2 and "Page 1 of 2" in first
    assert [r for r in referrals if url("referral", r) in second] == [
        r for r in referrals if r not in shown
    ]


@pytest.mark.parametrize("count", [1, 12])
def test_list_query_count_does_not_grow(
    client, worker, manager, count, django_assert_max_num_queries
):
    for _ in range(count):
        open_referral(by=worker, signer=manager)
    next_steps_signed_off(by=worker, signer=manager, next_steps=NextSteps.ASSESSMENT)
    sign_in(client, worker)
    # savepoint, session, user, rights, device; the count; the page of referrals with their
    # children and open assessments; the list entry: savepoint, content type (until cached),
    # chain lock (PostgreSQL), last entry, insert, release; release
    with django_assert_max_num_queries(14):
        response = client.get(reverse("referrals:referrals"))
    assert len(response.context["rows"]) == count + 1


@pytest.mark.parametrize("rounds", [0, 4])
def test_referral_page_query_count_does_not_grow(
    client, worker, manager, rounds, django_assert_max_num_queries
):
    referral = open_referral(by=worker, signer=manager)
    for n in range(rounds):
        propose(fresh(referral), by=worker, rationale=f"Try {n}")
        services.referral_next_steps_return(by=manager, referral=fresh(referral), comment="No")
        convened(by=worker, referrals=[fresh(referral)])
    if rounds:
        discussion_signed_off(by=worker, signer=manager, referrals=[fresh(referral)])
        referral = propose(fresh(referral), by=worker)
        services.referral_next_steps_sign_off(by=manager, referral=referral)
    for n in range(rounds + 1):
        note = note_services.note_add(
            by=worker, child=referral.child, referral=referral, text=f"Note {n}"
        )
        note_services.note_correct(by=manager, note=note, text=f"Note {n} again", significant=True)
    sign_in(client, worker)
    # savepoint, session, user, rights, device; the referral with its child; the read entry:
    # savepoint, content type, chain lock (PostgreSQL), last entry, insert, release; the
    # proposals with their people; assessments; discussions; enquiries; the notes with their
    # authors; release
    # (+1: the kept draft or unrecorded contact looked up for the page, issue 19)
    with django_assert_max_num_queries(19):
        response = client.get(url("referral", referral))
    assert len(response.context["decisions"]) == rounds + (1 if rounds else 0)
    assert len(response.context["notes"]) == 2 * (rounds + 1)
