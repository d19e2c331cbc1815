"""The LADO service's inbox (issue 9): each LADO referral is shared with the LADO service
when it opens; its users see the referrals sent to them (and nothing else) and record the
outcome, once. Everyone else gets 404, the system administrator 403."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from guardian.shortcuts import get_perms

from accounts.audit import AuditEntry, Event
from accounts.models import Agency
from accounts.roles import Role
from accounts.sharing import (
    Article6Basis,
    ConsentPosition,
    SharingDecision,
    SharingRecord,
    SpecialCondition,
)
from casework.errors import RuleBroken
from referrals import services
from referrals.models import LadoOutcome, LadoReferral, LadoState
from referrals.models.contacts import Outcome
from referrals.services.lado import FAMILY_NOT_TOLD
from tests.conftest import sign_in
from tests.factories import AgencyFactory
from tests.referrals.factories import signed_off

pytestmark = pytest.mark.django_db

ALLEGATION = "Bruising seen at school"  # the factories' concern: the allegation
SCREENING = "LA-ONLY screening notes about the family"
RATIONALE = "LA-ONLY rationale for the decision"


@pytest.fixture
def people(make_user):
    lado_service = AgencyFactory(name="Test LADO", kind=Agency.Kind.LADO)
    return {
        "worker": make_user(Role.PRACTITIONER),
        "manager": make_user(Role.MANAGER),
        "lado_service": lado_service,
        "lado": make_user(Role.PARTNER_PRACTITIONER, agency=lado_service),
        "lado_lead": make_user(Role.PARTNER_SAFEGUARDING_LEAD, agency=lado_service),
    }


def open_lado(people) -> LadoReferral:
    from tests.referrals.factories import proposed

    contact_child = proposed(by=people["worker"], outcome=Outcome.LADO, rationale=RATIONALE)
    contact_child.screening_notes = SCREENING
    contact_child.save()
    services.decision_sign_off(by=people["manager"], contact_child=contact_child)
    return LadoReferral.objects.get(contact_child=contact_child)


# The share at sign-off ----------------------------------------------------------------------


def test_signing_off_a_lado_outcome_shares_the_referral_with_the_lado_service(people):
    lado = open_lado(people)
    assert lado.agency == people["lado_service"] and lado.state == LadoState.OPEN
    record = SharingRecord.objects.get(object_id=lado.pk, permission="referrals.view_ladoreferral")
    assert record.decision == SharingDecision.SHARED
    assert record.agency == people["lado_service"] and record.by == people["manager"]
    assert record.article6 == Article6Basis.PUBLIC_TASK
    assert record.condition == SpecialCondition.SAFEGUARDING
    assert record.consent == lado.contact_child.contact.consent
    assert record.family_told is False and record.family_note == FAMILY_NOT_TOLD
    assert record.child_ref == lado.child.census_id
    people["lado_service"].refresh_from_db()
    assert "view_ladoreferral" in get_perms(people["lado_service"].grant_group, lado)
    grant = AuditEntry.objects.get(event=Event.GRANT, object_id=str(lado.pk))
    assert grant.actor == people["manager"]


def test_the_family_told_position_recorded_on_the_contact_is_used(people):
    from tests.referrals.factories import proposed

    contact_child = proposed(by=people["worker"], outcome=Outcome.LADO)
    contact_child.family_told, contact_child.family_note = True, "Mother told by phone"
    contact_child.contact.consent = ConsentPosition.GIVEN
    contact_child.contact.save()
    contact_child.save()
    services.decision_sign_off(by=people["manager"], contact_child=contact_child)
    record = SharingRecord.objects.get(permission="referrals.view_ladoreferral")
    assert record.family_told is True and record.family_note == "Mother told by phone"
    assert record.consent == ConsentPosition.GIVEN


def test_with_no_lado_service_the_referral_stays_unshared_and_the_decision_page_says_so(
    client, make_user
):
    worker, manager = make_user(Role.PRACTITIONER), make_user(Role.MANAGER)
    contact_child = signed_off(by=worker, signer=manager, outcome=Outcome.LADO)
    lado = LadoReferral.objects.get(contact_child=contact_child)
    assert lado.agency is None
    assert not SharingRecord.objects.exists()
    sign_in(client, worker)
    page = client.get(
        reverse("referrals:decision", args=[contact_child.contact_id, contact_child.pk])
    ).content.decode()
    assert "No LADO service is set up" in page


def test_the_decision_page_shows_the_lado_referrals_state_and_outcome(client, people):
    lado = open_lado(people)
    url = reverse("referrals:decision", args=[lado.contact_child.contact_id, lado.contact_child_id])
    sign_in(client, people["worker"])
    page = client.get(url).content.decode()
    assert "Test LADO" in page and "Open" in page
    services.lado_outcome_record(
        by=people["lado"], lado_referral=lado, outcome=LadoOutcome.REFERRED_TO_DBS,
        note="Barred list referral",
    )  # fmt: skip
    page = client.get(url).content.decode()
    assert "Outcome recorded" in page and "Referred to the DBS" in page
    assert "Barred list referral" not in page  # the LADO's note stays with the LADO


# The outcome service ------------------------------------------------------------------------


def test_the_lado_records_the_outcome_once_and_it_is_audited(people):
    lado = open_lado(people)
    saved = services.lado_outcome_record(
        by=people["lado"], lado_referral=lado, outcome=LadoOutcome.STRATEGY_MEETING,
        note="Meeting with the employer on Monday",
    )  # fmt: skip
    saved.refresh_from_db()
    assert saved.state == LadoState.OUTCOME_RECORDED
    assert saved.outcome == LadoOutcome.STRATEGY_MEETING and saved.outcome_by == people["lado"]
    assert saved.outcome_at is not None
    [entry] = [
        e
        for e in AuditEntry.objects.filter(event=Event.TRANSITION, object_id=str(lado.pk))
        if e.additional_data["transition"] == "record_outcome"
    ]
    assert entry.additional_data["from"] == "open"
    assert entry.additional_data["to"] == "outcome_recorded"
    with pytest.raises(RuleBroken, match="already recorded"):
        services.lado_outcome_record(
            by=people["lado_lead"], lado_referral=lado, outcome=LadoOutcome.NO_FURTHER_ACTION,
            note="again",
        )  # fmt: skip
    saved.refresh_from_db()
    assert saved.outcome == LadoOutcome.STRATEGY_MEETING


def test_the_state_changes_only_through_the_outcome_transition(people):
    lado = open_lado(people)
    with pytest.raises(AttributeError):
        lado.state = LadoState.OUTCOME_RECORDED
    lado.record_outcome(by=people["lado"], outcome=LadoOutcome.REFERRED_TO_DBS, note="DBS")
    assert lado.state == LadoState.OUTCOME_RECORDED and lado.outcome_by == people["lado"]
    with pytest.raises(TransitionNotAllowed):
        lado.record_outcome(by=people["lado"], outcome=LadoOutcome.REFERRED_TO_DBS, note="DBS")


def test_two_outcomes_at_once_only_the_first_is_saved(people):
    lado = open_lado(people)
    first = LadoReferral.objects.get(pk=lado.pk)
    second = LadoReferral.objects.get(pk=lado.pk)
    first.record_outcome(by=people["lado"], outcome=LadoOutcome.STRATEGY_MEETING, note="Meet")
    first.save()
    second.record_outcome(
        by=people["lado_lead"], outcome=LadoOutcome.NO_FURTHER_ACTION, note="Nothing"
    )
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        second.save()
    saved = LadoReferral.objects.get(pk=lado.pk)
    assert saved.outcome == LadoOutcome.STRATEGY_MEETING and saved.outcome_by == people["lado"]


@pytest.mark.parametrize("who", ["worker", "manager", "police", "other_lado"])
def test_only_the_lado_service_it_was_sent_to_records_the_outcome(people, make_user, who):
    lado = open_lado(people)
    users = {
        "police": lambda: make_user(Role.PARTNER_PRACTITIONER),
        "other_lado": lambda: make_user(
            Role.PARTNER_PRACTITIONER,
            agency=AgencyFactory(name="Other LADO", kind=Agency.Kind.LADO),
        ),
    }
    user = users[who]() if who in users else people[who]
    with pytest.raises(PermissionDenied):
        services.lado_outcome_record(
            by=user, lado_referral=lado, outcome=LadoOutcome.NO_FURTHER_ACTION, note="x"
        )
    lado.refresh_from_db()
    assert lado.state == LadoState.OPEN


def test_an_ended_share_stops_the_outcome_too(people):
    from accounts.sharing import revoke

    lado = open_lado(people)
    revoke(by=people["manager"], record=SharingRecord.objects.get(), reason="Sent in error")
    with pytest.raises(PermissionDenied):
        services.lado_outcome_record(
            by=people["lado"], lado_referral=lado, outcome=LadoOutcome.NO_FURTHER_ACTION, note="x"
        )


@pytest.mark.parametrize(
    ("outcome", "note", "message"),
    [("", "why", "Choose the outcome"), ("nonsense", "why", "Choose the outcome"),
     (LadoOutcome.NO_FURTHER_ACTION, "  ", "Say what was decided and why")],
)  # fmt: skip
def test_the_outcome_needs_a_choice_and_a_note(people, outcome, note, message):
    lado = open_lado(people)
    with pytest.raises(RuleBroken, match=message):
        services.lado_outcome_record(
            by=people["lado"], lado_referral=lado, outcome=outcome, note=note
        )


# The inbox filter in SQL --------------------------------------------------------------------


def test_the_inbox_filter_shows_only_what_was_sent_to_the_users_lado_service(people, make_user):
    from casework import access

    lado = open_lado(people)
    every = LadoReferral.objects.all()
    assert list(access.lado_referrals_for(people["lado"], every)) == [lado]
    police = make_user(Role.PARTNER_PRACTITIONER)
    other = make_user(
        Role.PARTNER_PRACTITIONER, agency=AgencyFactory(name="Other LADO", kind=Agency.Kind.LADO)
    )
    for user in (police, other, people["worker"], people["manager"]):
        assert not access.lado_referrals_for(user, every).exists()
    assert " IN (SELECT" in str(access.lado_referrals_for(people["lado"], every).query).upper()


# The pages ----------------------------------------------------------------------------------


def test_the_lado_sees_its_inbox_with_only_what_it_needs(client, people):
    lado = open_lado(people)
    sign_in(client, people["lado"])
    response = client.get(reverse("referrals:lado-inbox"))
    page = response.content.decode()
    assert response.status_code == 200
    assert str(lado) in page and ALLEGATION in page
    assert lado.child.first_name in page and lado.child.date_of_birth.strftime("%-d %b %Y") in page
    assert SCREENING not in page and RATIONALE not in page
    assert 'href="/lado/"' in page and "LADO inbox" in page  # the navigation item
    entry = AuditEntry.objects.filter(event=Event.LIST).latest("pk")
    assert entry.additional_data["ids"] == [str(lado.pk)]


def test_the_inbox_lists_open_first_then_soonest_due_with_overdue_tags(client, people):
    from datetime import timedelta

    first, second, done = open_lado(people), open_lado(people), open_lado(people)
    LadoReferral.objects.filter(pk=first.pk).update(due=first.due - timedelta(days=30))
    LadoReferral.objects.filter(pk=done.pk).update(due=first.due - timedelta(days=60))
    services.lado_outcome_record(
        by=people["lado"], lado_referral=done, outcome=LadoOutcome.ADVICE_TO_EMPLOYER, note="ok"
    )
    sign_in(client, people["lado"])
    response = client.get(reverse("referrals:lado-inbox"))
    assert [row.pk for row in response.context["rows"]] == [first.pk, second.pk, done.pk]
    page = response.content.decode()
    assert page.count("Overdue") == 1  # the recorded one is not overdue, however old


def test_the_lado_records_the_outcome_on_the_referral_page(client, people):
    lado = open_lado(people)
    sign_in(client, people["lado"])
    url = reverse("referrals:lado-referral", args=[lado.pk])
    page = client.get(url).content.decode()
    assert ALLEGATION in page and SCREENING not in page and RATIONALE not in page
    assert AuditEntry.objects.filter(event=Event.READ, object_id=str(lado.pk)).exists()
    response = client.post(
        url, {"outcome": LadoOutcome.REFERRED_TO_POLICE, "note": "Police informed"}
    )
    assert response.status_code == 302
    lado.refresh_from_db()
    assert lado.outcome == LadoOutcome.REFERRED_TO_POLICE
    page = client.get(url).content.decode()
    assert "Referred to the police" in page and "Police informed" in page
    assert "Record the outcome" not in page
    # A second post changes nothing.
    client.post(url, {"outcome": LadoOutcome.NO_FURTHER_ACTION, "note": "again"})
    lado.refresh_from_db()
    assert lado.outcome == LadoOutcome.REFERRED_TO_POLICE


@pytest.mark.parametrize(
    ("data", "message"),
    [({"note": "why"}, "Choose the outcome"),
     ({"outcome": LadoOutcome.NO_FURTHER_ACTION}, "Say what was decided and why"),
     ({"outcome": "nonsense", "note": "why"}, "Select a valid choice")],
)  # fmt: skip
def test_bad_input_shows_the_error_summary_and_changes_nothing(client, people, data, message):
    lado = open_lado(people)
    sign_in(client, people["lado"])
    response = client.post(reverse("referrals:lado-referral", args=[lado.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    lado.refresh_from_db()
    assert lado.state == LadoState.OPEN


@pytest.mark.parametrize(
    ("role", "kind", "status"),
    [(Role.PRACTITIONER, None, 404), (Role.MANAGER, None, 404), (Role.CONFERENCE_CHAIR, None, 404),
     (Role.AUDITOR, None, 404), (Role.PARTNER_PRACTITIONER, None, 404),
     (Role.PARTNER_SAFEGUARDING_LEAD, None, 404), (Role.PARTNER_PRACTITIONER, "other_lado", 404),
     (Role.SYSTEM_ADMINISTRATOR, None, 403), (Role.SYSTEM_ADMINISTRATOR, "lado", 403)],
)  # fmt: skip
def test_everyone_else_is_refused(client, people, make_user, role, kind, status):
    lado = open_lado(people)
    agency = {
        "other_lado": lambda: AgencyFactory(name="Other LADO", kind=Agency.Kind.LADO),
        "lado": lambda: people["lado_service"],
        None: lambda: None,
    }[kind]()
    sign_in(client, make_user(role, agency=agency))
    detail = reverse("referrals:lado-referral", args=[lado.pk])
    inbox = client.get(reverse("referrals:lado-inbox"))
    if kind == "other_lado":  # another LADO service has an inbox, without this referral
        assert inbox.status_code == 200 and str(lado) not in inbox.content.decode()
    else:
        assert inbox.status_code == status
    assert client.get(detail).status_code == status
    post = client.post(detail, {"outcome": LadoOutcome.NO_FURTHER_ACTION, "note": "x"})
    assert post.status_code == status
    lado.refresh_from_db()
    assert lado.state == LadoState.OPEN
    page = client.get(reverse("workspace:home")).content.decode()
    assert ('href="/lado/"' in page) == (kind == "other_lado")
    assert AuditEntry.objects.filter(event=Event.REFUSED).exists()


def test_both_lado_roles_use_the_inbox(client, people):
    lado = open_lado(people)
    sign_in(client, people["lado_lead"])
    assert client.get(reverse("referrals:lado-referral", args=[lado.pk])).status_code == 200


@pytest.mark.parametrize("count", [1, 8])
def test_the_inbox_query_count_does_not_grow(client, people, count, django_assert_max_num_queries):
    for _ in range(count):
        open_lado(people)
    sign_in(client, people["lado"])
    # savepoint, session, user, rights, device, agency; the count; the page; the list entry:
    # savepoint, content type, chain lock (PostgreSQL), last entry, insert, release; release
    with django_assert_max_num_queries(16):
        response = client.get(reverse("referrals:lado-inbox"))
    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("recorded", [False, True])
def test_the_referral_page_query_count(client, people, recorded, django_assert_max_num_queries):
    lado = open_lado(people)
    if recorded:
        services.lado_outcome_record(
            by=people["lado"], lado_referral=lado, outcome=LadoOutcome.NO_FURTHER_ACTION, note="x"
        )
    sign_in(client, people["lado"])
    with django_assert_max_num_queries(15):
        client.get(reverse("referrals:lado-referral", args=[lado.pk]))
