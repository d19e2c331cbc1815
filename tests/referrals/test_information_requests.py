"""Information requests at screening (the multi-agency check): the LA asks a partner agency
from the child's decision page, with the lawful basis; the asked agency answers once, seeing
the question and the child's name and date of birth, never the LA's screening."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from accounts.audit import AuditEntry, Event
from accounts.models import Agency
from accounts.roles import Role
from accounts.sharing import (
    Article6Basis,
    ConsentPosition,
    SharingDecision,
    SharingRecord,
    SpecialCondition,
    revoke,
)
from casework.errors import RuleBroken
from referrals import services
from referrals.models.information_requests import (
    InformationRequest,
    Priority,
    RequestState,
)
from referrals.timescales import WorkingCalendar, information_request_due
from tests.conftest import sign_in
from tests.factories import AgencyFactory
from tests.referrals.factories import contact, proposed

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
BASIS = {
    "article6": Article6Basis.PUBLIC_TASK,
    "condition": SpecialCondition.SAFEGUARDING,
    "consent": ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE,
    "family_told": False,
    "family_note": "Telling them would put the child at risk",
}
SCREENING_SECRET = "Screening-only note: uncle known to police"


@pytest.fixture
def world(make_user):
    police = AgencyFactory(name="Test police", kind=Agency.Kind.POLICE)
    health = AgencyFactory(name="Test health", kind=Agency.Kind.HEALTH)
    worker = make_user(Role.PRACTITIONER)
    record = contact(by=worker)
    contact_child = record.children.get()
    services.screening_notes_save(
        by=worker, contact_child=contact_child, notes=SCREENING_SECRET, version=1
    )
    return {
        "worker": worker, "police": police, "health": health, "cc": contact_child,
        "officer": make_user(Role.PARTNER_PRACTITIONER, agency=police),
        "nurse": make_user(Role.PARTNER_PRACTITIONER, agency=health),
    }  # fmt: skip


def send(world, *, agency=None, priority=Priority.AMBER, question="Any incidents at home?"):
    return services.information_request_send(
        by=world["worker"], contact_child=world["cc"], agency=agency or world["police"],
        question=question, priority=priority, **BASIS,
    )  # fmt: skip


# Due times -------------------------------------------------------------------------------


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_red_is_due_at_the_end_of_the_same_day():
    due = information_request_due(_at(2026, 11, 20, 9, 30), Priority.RED, WorkingCalendar())
    assert due == _at(2026, 11, 20, 23, 59)


def test_amber_on_a_friday_is_due_on_monday_night():
    due = information_request_due(_at(2026, 11, 20, 16, 0), Priority.AMBER, WorkingCalendar())
    assert due == _at(2026, 11, 23, 23, 59)


def test_amber_skips_bank_holidays():
    # Thursday 2 April 2026: Good Friday and Easter Monday follow.
    due = information_request_due(_at(2026, 4, 2, 11, 0), Priority.AMBER, WorkingCalendar())
    assert due == _at(2026, 4, 7, 23, 59)


def test_the_local_standards_are_settings(settings):
    settings.INFORMATION_REQUEST_AMBER_WORKING_DAYS = 2
    due = information_request_due(_at(2026, 11, 20, 16, 0), Priority.AMBER, WorkingCalendar())
    assert due == _at(2026, 11, 24, 23, 59)


# Services --------------------------------------------------------------------------------


def test_sending_shares_the_request_with_the_agency_on_the_same_basis(world):
    request = send(world)
    assert request.state == RequestState.OPEN and request.child_id == world["cc"].child_id
    record = SharingRecord.objects.get(object_id=request.pk, agency=world["police"])
    assert record.decision == SharingDecision.SHARED
    assert record.permission == "referrals.view_informationrequest"
    assert (record.article6, record.condition, record.consent, record.family_told) == (
        "6(1)(e)", "9(2)(g)+Sch1p18", ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE, False,
    )  # fmt: skip
    assert record.family_note == BASIS["family_note"]
    grant = AuditEntry.objects.get(event=Event.GRANT)
    assert grant.child_ref == world["cc"].child.census_id
    assert "incidents" not in str(grant.additional_data)


@pytest.mark.parametrize("role", [Role.PARTNER_PRACTITIONER, Role.AUDITOR, Role.CONFERENCE_CHAIR])
def test_only_roles_that_ask_may_send(world, make_user, role):
    with pytest.raises(PermissionDenied):
        services.information_request_send(
            by=make_user(role), contact_child=world["cc"], agency=world["police"],
            question="Q", priority=Priority.RED, **BASIS,
        )  # fmt: skip
    assert not InformationRequest.objects.exists()


def test_only_while_the_child_is_being_screened(make_user):
    worker = make_user(Role.PRACTITIONER)
    police = AgencyFactory(kind=Agency.Kind.POLICE)
    contact_child = proposed(by=worker)
    with pytest.raises(RuleBroken, match="being screened"):
        services.information_request_send(
            by=worker, contact_child=contact_child, agency=police, question="Q",
            priority=Priority.RED, **BASIS,
        )  # fmt: skip
    assert not InformationRequest.objects.exists() and not SharingRecord.objects.exists()


def test_a_missing_basis_saves_nothing(world):
    with pytest.raises(RuleBroken, match="Article 6"):
        services.information_request_send(
            by=world["worker"], contact_child=world["cc"], agency=world["police"],
            question="Q", priority=Priority.RED, **{**BASIS, "article6": ""},
        )  # fmt: skip
    assert not InformationRequest.objects.exists() and not SharingRecord.objects.exists()


def test_the_local_authority_is_not_a_partner_agency(world):
    with pytest.raises(RuleBroken, match="partner agency"):
        send(world, agency=world["worker"].agency)


def test_the_asked_agency_answers_once(world):
    request = send(world)
    answered = services.information_request_answer(
        by=world["officer"], request=request, answer="Two call-outs in May"
    )
    assert answered.state == RequestState.ANSWERED and answered.answered_by == world["officer"]
    assert answered.answered_at is not None
    with pytest.raises(RuleBroken, match="already been answered"):
        services.information_request_answer(by=world["officer"], request=request, answer="More")
    assert InformationRequest.objects.get().answer == "Two call-outs in May"
    transition = AuditEntry.objects.filter(event=Event.TRANSITION).latest("pk")
    assert transition.child_ref == world["cc"].child.census_id


def test_the_state_changes_only_through_the_answer_transition(world):
    request = InformationRequest.objects.get(pk=send(world).pk)
    with pytest.raises(AttributeError):
        request.state = RequestState.ANSWERED
    request.record_answer(by=world["officer"], answer="Known to us")
    assert request.state == RequestState.ANSWERED and request.answered_by == world["officer"]
    with pytest.raises(TransitionNotAllowed):
        request.record_answer(by=world["officer"], answer="Again")


def test_two_answers_at_once_only_the_first_is_saved(world):
    request = send(world)
    first = InformationRequest.objects.get(pk=request.pk)
    second = InformationRequest.objects.get(pk=request.pk)
    first.record_answer(by=world["officer"], answer="First answer")
    first.save()
    second.record_answer(by=world["officer"], answer="Second answer")
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        second.save()
    saved = InformationRequest.objects.get(pk=request.pk)
    assert saved.state == RequestState.ANSWERED and saved.answer == "First answer"


def test_another_agency_or_the_la_cannot_answer(world):
    request = send(world)
    for user in (world["nurse"], world["worker"]):
        with pytest.raises(PermissionDenied):
            services.information_request_answer(by=user, request=request, answer="x")
    assert InformationRequest.objects.get().state == RequestState.OPEN


def test_once_the_share_ends_the_agency_cannot_answer(world):
    request = send(world)
    revoke(by=world["worker"], record=SharingRecord.objects.get(), reason="Asked in error")
    with pytest.raises(PermissionDenied):
        services.information_request_answer(by=world["officer"], request=request, answer="x")


# Pages: asking -------------------------------------------------------------------------


def _new_url(world):
    return reverse(
        "referrals:information-request-new", args=[world["cc"].contact_id, world["cc"].pk]
    )


def _form(world, **changes):
    data = {
        "agency": world["police"].pk, "question": "Any incidents?", "article6": "6(1)(e)",
        "condition": "9(2)(g)+Sch1p18", "consent": "given", "family_told": "yes",
        "family_note": "Mother told by phone", "priority": "red",
    }  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PRACTITIONER, 200),
        (Role.MANAGER, 200),
        (Role.AUDITOR, 403),
        (Role.CONFERENCE_CHAIR, 403),
        (Role.PARTNER_PRACTITIONER, 404),
        (Role.PARTNER_SAFEGUARDING_LEAD, 404),
        (Role.SYSTEM_ADMINISTRATOR, 403),
    ],
)
def test_the_ask_page_per_role(client, world, make_user, role, status):
    sign_in(client, make_user(role))
    assert client.get(_new_url(world)).status_code == status
    assert client.post(_new_url(world), _form(world)).status_code in {status, 302}
    assert InformationRequest.objects.exists() == (status == 200)


def test_asking_from_the_page_sends_and_returns_to_the_decision(client, world):
    sign_in(client, world["worker"])
    page = client.get(_new_url(world))
    options = [str(agency) for agency in page.context["form"].fields["agency"].queryset]
    assert options == ["Test health", "Test police"]  # partners only, no council
    response = client.post(_new_url(world), _form(world))
    assert response.status_code == 302
    request = InformationRequest.objects.get()
    assert request.priority == "red" and request.family_told is True
    assert SharingRecord.objects.get().consent == "given"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"question": ""}, "Enter the question for the agency"),
        ({"article6": None}, "Choose the Article 6 lawful basis"),
        ({"family_told": None}, "Say whether the family has been told"),
        ({"priority": "purple"}, "Select a valid choice"),
        ({"agency": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_input_shows_the_error_summary_and_saves_nothing(client, world, changes, message):
    sign_in(client, world["worker"])
    response = client.post(_new_url(world), _form(world, **changes))
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text and message in response.text
    assert not InformationRequest.objects.exists() and not SharingRecord.objects.exists()


def test_a_decided_child_cannot_be_asked_about_from_the_page(client, make_user):
    worker = make_user(Role.PRACTITIONER)
    police = AgencyFactory(kind=Agency.Kind.POLICE)
    contact_child = proposed(by=worker)
    sign_in(client, worker)
    url = reverse("referrals:information-request-new", args=[contact_child.contact_id,
                                                               contact_child.pk])  # fmt: skip
    data = {"agency": police.pk, "question": "Q", "article6": "6(1)(e)", "consent": "given",
            "family_told": "no", "family_note": "Risk", "priority": "amber"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 409 and "being screened" in response.text
    assert not InformationRequest.objects.exists()


def test_the_decision_page_lists_requests_with_answers_and_outstanding(client, world):
    send(world, priority=Priority.RED)
    answered = send(world, agency=world["health"])
    services.information_request_answer(
        by=world["nurse"], request=answered, answer="Missed two appointments"
    )
    sign_in(client, world["worker"])
    page = client.get(reverse("referrals:decision", args=[world["cc"].contact_id, world["cc"].pk]))
    assert "Information from partner agencies" in page.text
    assert "Test police" in page.text and "Outstanding" in page.text
    assert "Missed two appointments" in page.text
    assert _new_url(world) in page.text


def _count_queries(client, url) -> int:
    client.get(url)  # warm caches (content types)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_decision_page_query_count_does_not_grow(client, world):
    sign_in(client, world["worker"])
    url = reverse("referrals:decision", args=[world["cc"].contact_id, world["cc"].pk])
    send(world)
    one = _count_queries(client, url)
    for _ in range(5):
        send(world, agency=world["health"])
    assert _count_queries(client, url) == one


# Pages: answering --------------------------------------------------------------------------


def test_partner_list_shows_only_its_agency_open_first_due_soonest(client, world):
    amber = send(world, priority=Priority.AMBER)
    red = send(world, priority=Priority.RED)
    done = send(world, priority=Priority.RED)
    services.information_request_answer(by=world["officer"], request=done, answer="Done")
    send(world, agency=world["health"])
    sign_in(client, world["officer"])
    response = client.get(reverse("referrals:information-requests"))
    assert response.status_code == 200
    assert [row.pk for row in response.context["rows"]] == [red.pk, amber.pk, done.pk]
    assert SCREENING_SECRET not in response.text
    entry = AuditEntry.objects.filter(event=Event.LIST).latest("pk")
    assert entry.additional_data["ids"] == [str(red.pk), str(amber.pk), str(done.pk)]
    assert 'href="/information-requests/"' in response.text  # the navigation item


def test_overdue_requests_are_tagged(client, world):
    request = send(world)
    InformationRequest.objects.filter(pk=request.pk).update(due_at=_at(2020, 1, 1, 23, 59))
    sign_in(client, world["officer"])
    assert "Overdue" in client.get(reverse("referrals:information-requests")).text


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PRACTITIONER, 403),
        (Role.MANAGER, 403),
        (Role.AUDITOR, 403),
        (Role.CONFERENCE_CHAIR, 403),
        (Role.PARTNER_PRACTITIONER, 200),
        (Role.PARTNER_SAFEGUARDING_LEAD, 200),
        (Role.SYSTEM_ADMINISTRATOR, 403),
    ],
)
def test_the_list_per_role(client, make_user, role, status):
    sign_in(client, make_user(role))
    assert client.get(reverse("referrals:information-requests")).status_code == status


def test_a_list_for_a_partner_with_nothing_shared_is_empty(client, world):
    send(world)
    sign_in(client, world["nurse"])
    response = client.get(reverse("referrals:information-requests"))
    assert response.context["rows"] == [] and "There are no requests" in response.text


def test_partner_list_query_count_does_not_grow(client, world):
    send(world)
    sign_in(client, world["officer"])
    url = reverse("referrals:information-requests")
    one = _count_queries(client, url)
    for _ in range(6):
        send(world)
    assert _count_queries(client, url) == one


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer", 200), ("police_lead", 200), ("nurse", 404), ("worker", 403), ("admin", 403)],
)
def test_the_answer_page_per_user(client, world, make_user, who, status):
    users = {
        **world,
        "police_lead": make_user(Role.PARTNER_SAFEGUARDING_LEAD, agency=world["police"]),
        "admin": make_user(Role.SYSTEM_ADMINISTRATOR),
    }
    request = send(world)
    sign_in(client, users[who])
    url = reverse("referrals:information-request", args=[request.pk])
    response = client.get(url)
    assert response.status_code == status
    if status == 200:
        assert "Any incidents at home?" in response.text
        assert world["cc"].child.first_name in response.text
        assert SCREENING_SECRET not in response.text
        assert AuditEntry.objects.filter(event=Event.READ, object_pk=str(request.pk)).exists()
    else:
        refused = AuditEntry.objects.filter(event=Event.REFUSED).latest("pk")
        assert refused.additional_data["status"] == status
    client.post(url, {"answer": "Sneaky"})
    assert InformationRequest.objects.get().answer == ("Sneaky" if status == 200 else "")


def test_an_expired_share_gives_404(client, world):
    request = send(world)
    revoke(by=world["worker"], record=SharingRecord.objects.get(), reason="Asked in error")
    sign_in(client, world["officer"])
    url = reverse("referrals:information-request", args=[request.pk])
    assert client.get(url).status_code == 404


def test_answering_from_the_page(client, world):
    request = send(world)
    sign_in(client, world["officer"])
    url = reverse("referrals:information-request", args=[request.pk])
    empty = client.post(url, {"answer": "  "})
    assert empty.status_code == 200 and "govuk-error-summary" in empty.text
    assert "Enter your answer" in empty.text
    assert InformationRequest.objects.get().state == RequestState.OPEN
    assert client.post(url, {"answer": "Two call-outs"}).status_code == 302
    page = client.get(url)
    assert "Two call-outs" in page.text and "Send the answer" not in page.text
    again = client.post(url, {"answer": "Changed my mind"})
    assert again.status_code == 409 and "already been answered" in again.text
    assert InformationRequest.objects.get().answer == "Two call-outs"


def test_no_confidential_text_in_str(world):
    request = send(world)
    assert str(request) == f"Information request IR-{request.pk:06d}"


# The partner list is paginated (issue 9) ---------------------------------------------------


def test_partner_list_is_paginated_at_50(client, world):
    for _ in range(51):
        send(world)
    sign_in(client, world["officer"])
    url = reverse("referrals:information-requests")
    first = client.get(url)
    assert len(first.context["rows"]) == 50 and "Page 1 of 2" in first.text
    assert 'href="?page=2"' in first.text
    second = client.get(url, {"page": 2})
    assert len(second.context["rows"]) == 1 and 'href="?page=1"' in second.text
    listed = AuditEntry.objects.filter(event=Event.LIST).latest("pk")
    assert listed.additional_data["ids"] == [str(row.pk) for row in second.context["rows"]]
