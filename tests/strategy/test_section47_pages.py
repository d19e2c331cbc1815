"""The section 47 enquiry pages: the list, the enquiry, proposing the outcome with "Check your
answers", sign-off (checked) or return, and the initial conference recorded by its chair."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from notes import services as note_services
from referrals.codes import CategoryOfAbuse
from referrals.models import Allocation, Team
from strategy import services
from strategy.models import (
    EnquiryOutcome,
    EnquiryOutcomeDecision,
    InitialConference,
    Section47,
    Section47State,
)
from tests.conftest import sign_in
from tests.strategy.factories import last_weekday, section47, section47_outcome_signed_off

pytestmark = pytest.mark.django_db

READERS = [Role.PRACTITIONER, Role.MANAGER, Role.CONFERENCE_CHAIR, Role.AUDITOR]
OUTSIDERS = [
    (Role.PARTNER_PRACTITIONER, 404),
    (Role.PARTNER_SAFEGUARDING_LEAD, 404),
    (Role.SYSTEM_ADMINISTRATOR, 403),
]


def url(name: str, enquiry: Section47 | None = None) -> str:
    return reverse(f"strategy:{name}", args=[enquiry.pk] if enquiry else [])


def fresh(enquiry: Section47) -> Section47:
    return Section47.objects.get(pk=enquiry.pk)


def body(response) -> str:
    return response.content.decode()


def error_summary(response) -> str:
    """The text of the page's error summary (empty if it has none)."""
    page = body(response)
    start = page.find('class="govuk-error-summary"')
    if start < 0:
        return ""
    return page[start : page.find("</ul>", start)]


@pytest.fixture
def worker(make_user):
    return make_user(Role.PRACTITIONER, first_name="Wendy", last_name="Worker")


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, first_name="Mina", last_name="Manager")


@pytest.fixture
def other_manager(make_user):
    return make_user(Role.MANAGER, first_name="Otto", last_name="Other")


@pytest.fixture
def chair(make_user):
    return make_user(Role.CONFERENCE_CHAIR, first_name="Chloe", last_name="Chair")


@pytest.fixture
def enquiry(worker, manager):
    """An open, joint enquiry: the worker recorded the discussion, the manager signed it off."""
    return section47(by=worker, signer=manager)


def propose(enquiry, by, outcome=EnquiryOutcome.CONTINUING_RISK, rationale="Bruises again"):
    services.section47_outcome_propose(
        by=by, section47=enquiry, outcome=outcome, rationale=rationale
    )
    return fresh(enquiry)


THE_THREE = ["Test council", "Test police", "Test health"]  # the discussion's agencies


def conference_data(**changes) -> dict:
    from accounts.models import Agency

    day = last_weekday()
    data = {
        "held_on_0": day.day, "held_on_1": day.month, "held_on_2": day.year,
        "agencies": [agency.pk for agency in Agency.objects.filter(name__in=THE_THREE)],
        "outcome": CategoryOfAbuse.PHY, "summary": "Plan agreed; core group",
    }  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# Who may see and do what --------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_list_and_the_enquiry(client, make_user, enquiry, role):
    sign_in(client, make_user(role))
    listed = body(client.get(url("section47s")))
    assert url("section47", enquiry) in listed
    assert enquiry.child.census_id in listed and "Sib0 Jones" in listed
    page = client.get(url("section47", enquiry))
    assert page.status_code == 200
    assert "Section 47 enquiry for Sib0 Jones" in body(page)


@pytest.mark.parametrize(("role", "status"), OUTSIDERS)
def test_partners_and_the_administrator_are_refused_every_page(
    client, make_user, worker, manager, role, status
):
    enquiry = section47_outcome_signed_off(by=worker, signer=manager)
    sign_in(client, make_user(role))
    assert client.get(url("section47s")).status_code == status
    for name in ("section47", "section47-propose-check", "section47-sign-off-check",
                 "section47-conference"):  # fmt: skip
        response = client.get(url(name, enquiry))
        assert response.status_code == status, name
        assert "Sib0" not in body(response)
    for name in ("section47-propose", "section47-review", "section47-conference",
                 "section47-propose-check", "section47-sign-off-check"):  # fmt: skip
        assert client.post(url(name, enquiry), {"action": "sign_off"}).status_code == status
    # The same answer for an enquiry that does not exist.
    assert client.get(reverse("strategy:section47", args=[999999])).status_code == status
    assert fresh(enquiry).state == Section47State.OUTCOME_SIGNED_OFF
    assert not InitialConference.objects.exists()
    refused = AuditEntry.objects.filter(event=Event.REFUSED)
    assert refused.count() >= 10


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.PRACTITIONER, 302), (Role.MANAGER, 302), (Role.CONFERENCE_CHAIR, 403),
     (Role.AUDITOR, 403), *OUTSIDERS],
)  # fmt: skip
def test_who_may_propose_the_outcome(client, make_user, enquiry, role, status):
    sign_in(client, make_user(role))
    data = {"outcome": EnquiryOutcome.NOT_SUBSTANTIATED, "rationale": "Accident, explained"}
    response = client.post(url("section47-propose", enquiry), data)
    assert response.status_code == status
    if status == 302:
        assert response.url == url("section47-propose-check", enquiry)
        assert client.get(response.url).status_code == 200
        assert client.post(response.url).status_code == 302
        assert fresh(enquiry).state == Section47State.OUTCOME_PROPOSED
    else:
        assert client.get(url("section47-propose-check", enquiry)).status_code == status
        assert client.post(url("section47-propose-check", enquiry)).status_code == status
        assert fresh(enquiry).state == Section47State.OPEN


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.MANAGER, 302), (Role.PRACTITIONER, 403), (Role.CONFERENCE_CHAIR, 403),
     (Role.AUDITOR, 403), *OUTSIDERS],
)  # fmt: skip
def test_who_may_return_or_sign_off(client, make_user, enquiry, worker, role, status):
    propose(enquiry, worker)
    sign_in(client, make_user(role))
    back = client.post(url("section47-review", enquiry), {"action": "return", "comment": "More"})
    assert back.status_code == status
    if status == 302:
        assert fresh(enquiry).state == Section47State.OPEN
        propose(enquiry, worker)
    else:
        assert fresh(enquiry).state == Section47State.OUTCOME_PROPOSED
    review = client.post(url("section47-review", enquiry), {"action": "sign_off"})
    assert review.status_code == status
    check = client.get(url("section47-sign-off-check", enquiry))
    assert check.status_code == (200 if status == 302 else status)
    assert client.post(url("section47-sign-off-check", enquiry)).status_code == status
    signed = status == 302
    assert fresh(enquiry).state == (
        Section47State.OUTCOME_SIGNED_OFF if signed else Section47State.OUTCOME_PROPOSED
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.CONFERENCE_CHAIR, 200), (Role.PRACTITIONER, 403), (Role.MANAGER, 403),
     (Role.AUDITOR, 403), *OUTSIDERS],
)  # fmt: skip
def test_who_may_record_the_conference(client, make_user, worker, manager, role, status):
    enquiry = section47_outcome_signed_off(by=worker, signer=manager)
    sign_in(client, make_user(role))
    page = client.get(url("section47-conference", enquiry))
    assert page.status_code == status
    response = client.post(url("section47-conference", enquiry), conference_data())
    assert response.status_code == (302 if status == 200 else status)
    assert InitialConference.objects.exists() == (status == 200)


@pytest.mark.parametrize(
    ("role", "sees"),
    [(Role.PRACTITIONER, "Propose the outcome"), (Role.MANAGER, "Propose the outcome"),
     (Role.CONFERENCE_CHAIR, "will propose the outcome"), (Role.AUDITOR, "will propose")],
)  # fmt: skip
def test_each_role_sees_only_the_form_it_may_use(client, make_user, enquiry, role, sees):
    sign_in(client, make_user(role))
    page = body(client.get(url("section47", enquiry)))
    assert sees in page
    assert ('name="rationale"' in page) == (sees == "Propose the outcome")


# The list ----------------------------------------------------------------------------------


def test_the_list_shows_open_enquiries_soonest_target_first_with_tags(
    client, worker, manager, chair
):
    today = timezone.localdate()
    later, overdue, due_today = (section47(by=worker, signer=manager) for _ in range(3))
    Section47.objects.filter(pk=later.pk).update(conference_due=today + timedelta(days=9))
    Section47.objects.filter(pk=overdue.pk).update(conference_due=today - timedelta(days=2))
    Section47.objects.filter(pk=due_today.pk).update(conference_due=today)
    closed = section47_outcome_signed_off(
        by=worker, signer=manager, outcome=EnquiryOutcome.NOT_SUBSTANTIATED
    )
    sign_in(client, chair)
    response = client.get(url("section47s"))
    page = body(response)
    positions = [page.index(url("section47", e)) for e in (overdue, due_today, later)]
    assert positions == sorted(positions)
    assert url("section47", closed) not in page
    rows = {row.enquiry.pk: row for row in response.context["rows"]}
    assert rows[overdue.pk].overdue and not rows[overdue.pk].due_today
    assert rows[due_today.pk].due_today and not rows[due_today.pk].overdue
    assert not rows[later.pk].overdue and not rows[later.pk].due_today
    assert page.count("Overdue") == 1 and page.count("Due today") == 1
    assert "Joint with the police" in page and "3 open enquiries" in page


def test_a_signed_off_continuing_risk_past_its_target_is_an_overdue_conference(
    client, worker, manager, chair
):
    enquiry = section47_outcome_signed_off(by=worker, signer=manager)
    Section47.objects.filter(pk=enquiry.pk).update(
        conference_due=timezone.localdate() - timedelta(days=1)
    )
    sign_in(client, chair)
    listed = body(client.get(url("section47s")))
    assert "Outcome signed off" in listed and "Overdue" in listed
    assert "Overdue" in body(client.get(url("section47", enquiry)))
    assert "Overdue" in body(client.get(url("section47-conference", enquiry)))


def test_the_list_pages_by_target(client, worker, manager, monkeypatch):
    from strategy import selectors

    enquiries = [section47(by=worker, signer=manager) for _ in range(3)]
    for days, enquiry in enumerate(enquiries):
        Section47.objects.filter(pk=enquiry.pk).update(
            conference_due=timezone.localdate() + timedelta(days=days)
        )
    monkeypatch.setattr(selectors, "SECTION_47_PAGE_SIZE", 2)
    sign_in(client, worker)
    first = body(client.get(url("section47s")))
    second = body(client.get(url("section47s"), {"page": 2}))
    assert url("section47", enquiries[0]) in first and url("section47", enquiries[2]) not in first
    assert url("section47", enquiries[2]) in second and "Page 2 of 2" in second


def test_the_list_is_audited_with_the_ids_it_showed(client, worker, manager, enquiry):
    other = section47(by=worker, signer=manager)
    sign_in(client, worker)
    client.get(url("section47s"))
    listed = AuditEntry.objects.get(event=Event.LIST)
    assert sorted(listed.additional_data["ids"]) == sorted([str(enquiry.pk), str(other.pk)])


@pytest.mark.parametrize("count", [1, 6])
def test_list_query_count_does_not_grow(
    client, worker, manager, count, django_assert_max_num_queries
):
    for _ in range(count):
        section47(by=worker, signer=manager)
    sign_in(client, worker)
    # savepoint, session, user, rights, device; the count; the page of enquiries with their
    # children; the list entry: savepoint, content type (until cached), chain lock
    # (PostgreSQL), last entry, insert, release; release
    with django_assert_max_num_queries(14):
        response = client.get(url("section47s"))
    assert len(response.context["rows"]) == count


# The enquiry page ----------------------------------------------------------------------------


def test_the_enquiry_page_shows_where_it_came_from(client, worker, manager, enquiry):
    sign_in(client, worker)
    response = client.get(url("section47", enquiry))
    page = body(response)
    assert reverse("referrals:child", args=[enquiry.child_id]) in page
    discussion = enquiry.discussion_child.discussion
    assert str(discussion) in page and str(enquiry.referral) in page
    assert str(enquiry.assessment) in page and "opened with this enquiry" in page
    assert f"{enquiry.start_date:%-d %B %Y}" in page
    assert enquiry.start_date == timezone.localtime(discussion.held_at).date()
    assert f"{enquiry.conference_due:%-d %B %Y}" in page
    assert "Joint with the police" in page
    assert "No outcome is proposed yet" in page and "Not held yet" in page
    # The referral's, discussion's and assessment's pages are linked once they exist.
    from strategy.views.enquiries import _link

    for name, pk in [("referrals:referral", enquiry.referral_id),
                     ("strategy:discussion", discussion.pk),
                     ("referrals:assessment", enquiry.assessment_id)]:  # fmt: skip
        assert not _link(name, pk) or f'href="{_link(name, pk)}"' in page


def test_links_to_pages_not_built_yet_are_left_out_not_broken():
    from strategy.views.enquiries import _link

    assert _link("referrals:no-such-page", 1) == ""
    assert _link("referrals:child", 7) == reverse("referrals:child", args=[7])


def test_reads_are_audited_with_the_child(client, worker, enquiry):
    sign_in(client, worker)
    client.get(url("section47", enquiry))
    read = AuditEntry.objects.get(event=Event.READ)
    assert read.child_ref == enquiry.child.census_id
    assert read.object_pk == str(enquiry.pk)


@pytest.mark.parametrize("earlier", [0, 4])
def test_enquiry_page_query_count_does_not_grow(
    client, worker, manager, other_manager, enquiry, earlier, django_assert_max_num_queries
):
    for n in range(earlier):
        propose(enquiry, worker, rationale=f"Try {n}")
        services.section47_outcome_return(by=manager, section47=fresh(enquiry), comment="Again")
    propose(enquiry, worker)
    for n in range(earlier + 1):
        note_services.note_add(by=worker, child=enquiry.child, section47=enquiry, text=f"Note {n}")
    sign_in(client, other_manager)
    # savepoint, session, user, rights, device; the enquiry with its child, referral,
    # discussion, assessment, outcome, conference; its proposals with their people; the
    # notes with their authors; the read entry: savepoint, content type (until cached),
    # chain lock (PostgreSQL), last entry, insert, release; release
    # (+1: the kept draft or unrecorded contact looked up for the page, issue 19)
    with django_assert_max_num_queries(16):
        response = client.get(url("section47", enquiry))
    assert len(response.context["history"]) == earlier
    assert len(response.context["notes"]) == earlier + 1


@pytest.mark.parametrize("agencies", [1, 3])
def test_enquiry_page_with_a_conference_query_count_does_not_grow(
    client, worker, manager, chair, agencies, django_assert_max_num_queries
):
    from accounts.models import Agency

    enquiry = section47_outcome_signed_off(by=worker, signer=manager)
    services.conference_record(
        by=chair, section47=enquiry, held_on=last_weekday(),
        agencies=list(Agency.objects.filter(name__in=THE_THREE)[:agencies]), plan=False,
    )  # fmt: skip
    note_services.note_add(by=worker, child=enquiry.child, section47=enquiry, text="Note")
    sign_in(client, worker)
    # as above, and the agencies at the conference
    # (+1: the kept draft or unrecorded contact looked up for the page, issue 19)
    with django_assert_max_num_queries(17):
        response = client.get(url("section47", enquiry))
    assert body(response).count("Test ") >= agencies


# Propose, check your answers -------------------------------------------------------------


def test_propose_then_check_your_answers_then_proposed(client, worker, enquiry):
    sign_in(client, worker)
    data = {"outcome": EnquiryOutcome.CONTINUING_RISK, "rationale": "Third injury this month"}
    response = client.post(url("section47-propose", enquiry), data)
    assert response.url == url("section47-propose-check", enquiry)
    check = body(client.get(response.url))
    assert "Check your answers" in check and "Third injury this month" in check
    assert "Substantiated, continuing risk" in check
    assert fresh(enquiry).state == Section47State.OPEN  # not yet
    # Changing the answers: the form still holds them.
    form = client.get(url("section47", enquiry)).context["form"]
    assert form.initial["rationale"] == "Third injury this month"
    done = client.post(url("section47-propose-check", enquiry))
    assert done.url == url("section47", enquiry)
    enquiry = fresh(enquiry)
    assert enquiry.state == Section47State.OUTCOME_PROPOSED
    assert enquiry.current_outcome.rationale == "Third injury this month"
    assert enquiry.current_outcome.proposed_by == worker
    page = body(client.get(done.url))
    assert "The outcome is proposed" in page and "Waiting for a manager" in page
    # Nothing is left to propose twice.
    assert client.get(url("section47-propose-check", enquiry)).url == url("section47", enquiry)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "", "rationale": "x"}, "Choose the outcome of the enquiry"),
        ({"rationale": "x"}, "Choose the outcome of the enquiry"),
        ({"outcome": "continuing_risk", "rationale": ""}, "Give the rationale for the outcome"),
        ({"outcome": "continuing_risk", "rationale": "   "}, "Give the rationale for the outcome"),
        ({"outcome": "nonsense", "rationale": "x"}, "Select a valid choice"),
    ],
)
def test_bad_proposals_show_the_error_summary_and_change_nothing(
    client, worker, enquiry, data, message
):
    sign_in(client, worker)
    response = client.post(url("section47-propose", enquiry), data)
    assert response.status_code == 200
    assert message in error_summary(response)
    assert "<title>Error: " in body(response)
    assert fresh(enquiry).state == Section47State.OPEN
    assert not EnquiryOutcomeDecision.objects.exists()
    assert client.get(url("section47-propose-check", enquiry)).status_code == 302


def test_an_outcome_is_proposed_only_while_the_enquiry_is_open(client, worker, enquiry):
    propose(enquiry, worker)
    sign_in(client, worker)
    data = {"outcome": EnquiryOutcome.NOT_SUBSTANTIATED, "rationale": "Second thoughts"}
    response = client.post(url("section47-propose", enquiry), data)
    assert response.status_code == 409
    assert "only while the enquiry is open" in error_summary(response)
    assert EnquiryOutcomeDecision.objects.count() == 1


def test_a_proposal_made_meanwhile_by_someone_else_is_not_overwritten(
    client, worker, make_user, enquiry
):
    sign_in(client, worker)
    data = {"outcome": EnquiryOutcome.NOT_SUBSTANTIATED, "rationale": "Mine"}
    client.post(url("section47-propose", enquiry), data)
    propose(enquiry, make_user(Role.PRACTITIONER), rationale="Theirs")
    response = client.post(url("section47-propose-check", enquiry))
    assert response.status_code == 409
    assert "only while the enquiry is open" in error_summary(response)
    assert fresh(enquiry).current_outcome.rationale == "Theirs"


# Review: four eyes, return, sign off ----------------------------------------------------------


def test_four_eyes_a_manager_cannot_review_their_own_proposal(
    client, manager, other_manager, enquiry
):
    propose(enquiry, manager)
    sign_in(client, manager)
    page = client.get(url("section47", enquiry))
    assert "You proposed this outcome, so another manager must sign it off" in body(page)
    assert page.context["form"] is None  # no sign-off form for the proposer
    for action in ("sign_off", "return"):
        response = client.post(
            url("section47-review", enquiry), {"action": action, "comment": "Fine by me"}
        )
        assert response.status_code == 409
        assert "You proposed this outcome, so another manager must sign it off" in error_summary(
            response
        )
    assert client.get(url("section47-sign-off-check", enquiry)).status_code == 302
    assert fresh(enquiry).state == Section47State.OUTCOME_PROPOSED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "return", "comment": ""}, "Say what needs to change"),
        ({"action": "return", "comment": "  "}, "Say what needs to change"),
        ({"comment": "Fine"}, "Choose whether to sign it off or return it"),
        ({"action": "shrug"}, "Select a valid choice"),
    ],
)
def test_bad_reviews_show_the_error_summary_and_change_nothing(
    client, worker, manager, enquiry, data, message
):
    propose(enquiry, worker)
    sign_in(client, manager)
    response = client.post(url("section47-review", enquiry), data)
    assert response.status_code == 200
    assert message in error_summary(response)
    enquiry = fresh(enquiry)
    assert enquiry.state == Section47State.OUTCOME_PROPOSED
    assert enquiry.current_outcome.reviewed_by is None


def test_a_returned_proposal_is_kept_and_shown_with_the_comment(client, worker, manager, enquiry):
    propose(enquiry, worker, rationale="First look: an accident")
    sign_in(client, manager)
    response = client.post(
        url("section47-review", enquiry), {"action": "return", "comment": "Speak to the GP"}
    )
    assert response.url == url("section47", enquiry)
    assert fresh(enquiry).state == Section47State.OPEN
    page = body(client.get(response.url))
    assert "The outcome is returned with your comment" in page
    assert "Earlier proposals" in page
    assert "First look: an accident" in page and "Speak to the GP" in page
    assert "Wendy Worker" in page and "Mina Manager" in page


def test_sign_off_is_checked_first_then_a_chair_is_due(client, worker, manager, enquiry):
    propose(enquiry, worker)
    sign_in(client, manager)
    response = client.post(
        url("section47-review", enquiry), {"action": "sign_off", "comment": "Agreed"}
    )
    assert response.url == url("section47-sign-off-check", enquiry)
    check = body(client.get(response.url))
    assert "Check before you sign off" in check and "Bruises again" in check
    assert "Agreed" in check and "conference chair records" in check
    assert fresh(enquiry).state == Section47State.OUTCOME_PROPOSED  # not yet
    done = client.post(response.url)
    assert done.url == url("section47", enquiry)
    enquiry = fresh(enquiry)
    assert enquiry.state == Section47State.OUTCOME_SIGNED_OFF
    assert enquiry.current_outcome.review_comment == "Agreed"
    page = body(client.get(done.url))
    assert "A conference chair can now record" in page
    assert "Waiting for the initial child protection conference" in page


@pytest.mark.parametrize(
    "outcome", [EnquiryOutcome.NOT_SUBSTANTIATED, EnquiryOutcome.NO_CONTINUING_RISK]
)
def test_signing_off_without_continuing_risk_closes_conference_not_required(
    client, worker, manager, enquiry, outcome
):
    propose(enquiry, worker, outcome=outcome)
    sign_in(client, manager)
    client.post(url("section47-review", enquiry), {"action": "sign_off"})
    assert "the enquiry closes: conference not required" in body(
        client.get(url("section47-sign-off-check", enquiry))
    )
    done = client.post(url("section47-sign-off-check", enquiry))
    enquiry = fresh(enquiry)
    assert enquiry.state == Section47State.CLOSED and enquiry.conference_not_required
    page = body(client.get(done.url))
    assert "The outcome is signed off. The enquiry is closed: conference not required." in page
    assert "Conference not required" in page
    assert url("section47", enquiry) not in body(client.get(url("section47s")))


def test_a_proposal_returned_and_proposed_again_since_the_review_is_not_signed_off(
    client, worker, manager, other_manager, enquiry
):
    propose(enquiry, worker, rationale="The first")
    sign_in(client, manager)
    client.post(url("section47-review", enquiry), {"action": "sign_off"})
    services.section47_outcome_return(by=other_manager, section47=enquiry, comment="No")
    propose(enquiry, worker, rationale="The second")
    response = client.post(url("section47-sign-off-check", enquiry))
    assert response.status_code == 409
    assert "changed by someone else" in error_summary(response)
    assert fresh(enquiry).state == Section47State.OUTCOME_PROPOSED


def test_a_second_manager_is_told_the_outcome_was_already_reviewed(
    client, worker, manager, other_manager, enquiry
):
    propose(enquiry, worker)
    sign_in(client, manager)
    services.section47_outcome_sign_off(by=other_manager, section47=enquiry)
    response = client.post(
        url("section47-review", enquiry), {"action": "return", "comment": "Too late"}
    )
    assert response.status_code == 409
    assert "Only a proposed outcome can be signed off or returned" in error_summary(response)
    assert fresh(enquiry).state == Section47State.OUTCOME_SIGNED_OFF


# The initial conference --------------------------------------------------------------------


def test_the_chair_records_the_conference(client, worker, manager, chair):
    enquiry = section47_outcome_signed_off(by=worker, signer=manager)
    sign_in(client, chair)
    assert "Record the initial conference" in body(client.get(url("section47", enquiry)))
    form = body(client.get(url("section47-conference", enquiry)))
    assert 'name="held_on_0"' in form and "govuk-date-input" in form
    # One question: a plan with its category, or no plan (nothing hidden behind a reveal).
    assert "govuk-radios__conditional" not in form and "Yes, a plan: physical abuse" in form
    response = client.post(url("section47-conference", enquiry), conference_data())
    assert response.url == url("section47", enquiry)
    conference = InitialConference.objects.get(section47=enquiry)
    assert conference.held_on == last_weekday() and conference.chair == chair
    assert conference.plan and conference.category == CategoryOfAbuse.PHY
    assert conference.agencies_attending.count() == 3
    assert fresh(enquiry).state == Section47State.CONFERENCE_HELD
    page = body(client.get(response.url))
    assert "The initial child protection conference is recorded" in page
    assert f"{last_weekday():%-d %B %Y}" in page and "Chloe Chair" in page
    assert "Test police" in page and "Physical abuse" in page
    assert "Plan agreed; core group" in page
    again = client.get(url("section47-conference", enquiry))
    assert "already recorded" in body(again) and again.context["form"] is None


def test_without_a_plan_no_category_is_recorded(client, worker, manager, chair):
    enquiry = section47_outcome_signed_off(by=worker, signer=manager)
    sign_in(client, chair)
    response = client.post(url("section47-conference", enquiry), conference_data(outcome="none"))
    assert response.status_code == 302
    conference = InitialConference.objects.get(section47=enquiry)
    assert not conference.plan and conference.category == ""


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on_0": "", "held_on_1": "", "held_on_2": ""}, "Enter the date of the conference"),
        ({"held_on_0": ""}, "Date of the conference must include a day"),
        ({"held_on_2": ""}, "Date of the conference must include a year"),
        ({"held_on_0": "31", "held_on_1": "2"}, "Date of the conference must be a real date"),
        ({"held_on_1": "x"}, "Date of the conference must be a real date"),
        ({"held_on_2": "26"}, "Year must include 4 numbers"),
        ({"agencies": []}, "Choose the agencies that attended"),
        ({"outcome": None}, "Say whether the conference decided on a plan"),
        ({"outcome": "XXX"}, "Select a valid choice"),
        ({"summary": ""}, "Summarise the conference&#x27;s decisions and reasons"),
    ],
)
def test_bad_conference_input_shows_the_error_summary_and_records_nothing(
    client, worker, manager, chair, changes, message
):
    enquiry = section47_outcome_signed_off(by=worker, signer=manager)
    sign_in(client, chair)
    response = client.post(url("section47-conference", enquiry), conference_data(**changes))
    assert response.status_code == 200
    assert message in error_summary(response)
    assert "<title>Error: " in body(response)
    assert not InitialConference.objects.exists()
    assert fresh(enquiry).state == Section47State.OUTCOME_SIGNED_OFF


def _last_saturday():
    day = timezone.localdate()
    while day.weekday() != 5:
        day -= timedelta(days=1)
    return day


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (_last_saturday, "An initial conference is not held on a weekend"),
        (lambda: timezone.localdate() + timedelta(days=1), "cannot be in the future"),
        (
            lambda: timezone.localdate() - timedelta(days=30),
            "cannot be before the section 47 enquiry started",
        ),
    ],
)
def test_the_services_date_rules_show_by_the_date(client, worker, manager, chair, when, message):
    enquiry = section47_outcome_signed_off(by=worker, signer=manager)
    # Started a fortnight ago, so that the last Saturday falls within the enquiry.
    Section47.objects.filter(pk=enquiry.pk).update(
        start_date=timezone.localdate() - timedelta(days=14)
    )
    day = when()
    sign_in(client, chair)
    response = client.post(
        url("section47-conference", enquiry),
        conference_data(held_on_0=day.day, held_on_1=day.month, held_on_2=day.year),
    )
    assert response.status_code == 409
    assert message in error_summary(response)
    assert 'href="#id_held_on_0"' in error_summary(response)  # linked to the date's day
    (by_the_date,) = response.context["form"].errors["held_on"]  # shown by the field too
    assert message in by_the_date
    assert not InitialConference.objects.exists()


def test_a_conference_is_recorded_only_when_one_is_due(client, worker, manager, chair, enquiry):
    sign_in(client, chair)
    page = client.get(url("section47-conference", enquiry))
    assert page.status_code == 200 and page.context["form"] is None
    assert "only after a manager signs off an outcome of continuing risk" in body(page)
    assert client.post(url("section47-conference", enquiry), conference_data()).status_code == 409
    closed = section47_outcome_signed_off(
        by=worker, signer=manager, outcome=EnquiryOutcome.NO_CONTINUING_RISK
    )
    assert "Conference not required" in body(client.get(url("section47-conference", closed)))
    assert not InitialConference.objects.exists()


def _conflicted_chair(kind, *, make_user, worker, manager, enquiry):
    """A conference chair who also has a part in the child's work."""
    from django.contrib.auth.models import Group

    if kind == "allocated worker":
        user = make_user(Role.CONFERENCE_CHAIR)
        user.groups.add(Group.objects.get(name=Role.PRACTITIONER.value))
        team = Team.objects.create(name="Assessment team", manager=manager)
        Allocation.objects.create(child=enquiry.child, worker=user, team=team)
        return user, "you are the child&#x27;s allocated worker"
    if kind == "team manager":
        user = make_user(Role.CONFERENCE_CHAIR)
        user.groups.add(Group.objects.get(name=Role.MANAGER.value))
        team = Team.objects.create(name="Assessment team", manager=user)
        Allocation.objects.create(child=enquiry.child, worker=worker, team=team)
        return user, "you manage the allocated worker&#x27;s team"
    # The manager who signed off the child's decisions, given the chair's role too.
    manager.groups.add(Group.objects.get(name=Role.CONFERENCE_CHAIR.value))
    return manager, "you proposed or signed off a decision for the child"


@pytest.mark.parametrize("kind", ["allocated worker", "team manager", "signed off a decision"])
def test_a_chair_with_a_part_in_the_childs_work_is_told_and_refused(
    client, make_user, worker, manager, kind
):
    enquiry = section47_outcome_signed_off(by=worker, signer=manager)
    user, reason = _conflicted_chair(
        kind, make_user=make_user, worker=worker, manager=manager, enquiry=enquiry
    )
    sign_in(client, user)
    page = client.get(url("section47-conference", enquiry))
    assert page.status_code == 200
    assert "You cannot chair this conference" in body(page) and reason in body(page)
    assert 'name="held_on_0"' not in body(page)
    response = client.post(url("section47-conference", enquiry), conference_data())
    assert response.status_code == 409
    assert "You cannot chair this conference" in error_summary(response)
    assert reason in error_summary(response)
    assert not InitialConference.objects.exists()
    assert fresh(enquiry).state == Section47State.OUTCOME_SIGNED_OFF


def test_the_conference_page_read_is_audited(client, worker, manager, chair):
    enquiry = section47_outcome_signed_off(by=worker, signer=manager)
    sign_in(client, chair)
    client.get(url("section47-conference", enquiry))
    read = AuditEntry.objects.get(event=Event.READ)
    assert read.child_ref == enquiry.child.census_id
