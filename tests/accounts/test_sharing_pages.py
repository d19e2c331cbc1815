"""The visible side of the sharing service (issue 9): the child's page shows every share,
decision not to share and end of sharing about the child, and records a decision not to share;
managers and auditors list every sharing record, and a manager ends a live share. Partners get
404, the system administrator 403; nothing confidential reaches the audit trail; query counts
stay constant as records (and guardian's permission rows) grow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermission

from accounts.audit import AuditEntry, Event
from accounts.models import Agency
from accounts.roles import Role
from accounts.sharing import (
    Article6Basis,
    ConsentPosition,
    SharingDecision,
    SharingRecord,
    SpecialCondition,
    decline,
    revoke,
    share,
)
from referrals import services
from referrals.models import Child, LadoReferral
from referrals.models.information_requests import InformationRequest, Priority
from tests.conftest import sign_in
from tests.factories import AgencyFactory, bulk_grants
from tests.pages import escaped, page_text
from tests.referrals.factories import contact

pytestmark = pytest.mark.django_db

FAMILY_NOTE = "Mother-told-SECRET-note about her own health"
REASON = "Reason-SECRET: father's conviction is not the school's business"
BASIS = {
    "article6": Article6Basis.PUBLIC_TASK,
    "condition": SpecialCondition.SAFEGUARDING,
    "consent": ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE,
    "family_told": False,
    "family_note": FAMILY_NOTE,
}
ROLES = {
    "practitioner": (Role.PRACTITIONER, None),
    "manager": (Role.MANAGER, None),
    "chair": (Role.CONFERENCE_CHAIR, None),
    "police": (Role.PARTNER_PRACTITIONER, "police"),
    "police_lead": (Role.PARTNER_SAFEGUARDING_LEAD, "police"),
    "health": (Role.PARTNER_PRACTITIONER, "health"),
    "school": (Role.PARTNER_PRACTITIONER, "school"),
    "lado": (Role.PARTNER_PRACTITIONER, "lado"),
    "auditor": (Role.AUDITOR, None),
    "sysadmin": (Role.SYSTEM_ADMINISTRATOR, None),
}


@pytest.fixture
def world(make_user):
    agencies = {
        "police": AgencyFactory(name="Test police", kind=Agency.Kind.POLICE),
        "health": AgencyFactory(name="Test health", kind=Agency.Kind.HEALTH),
        "school": AgencyFactory(name="Test school", kind=Agency.Kind.EDUCATION),
        "lado": AgencyFactory(name="Test LADO", kind=Agency.Kind.LADO),
    }
    users = {
        name: make_user(role, agency=agencies[where] if where else None)
        for name, (role, where) in ROLES.items()
    }
    record = contact(by=users["practitioner"])
    contact_child = record.children.select_related("child").get()
    return {**agencies, "users": users, "cc": contact_child, "child": contact_child.child}


def ask(world, agency="health", **changes) -> InformationRequest:
    arguments = {
        "by": world["users"]["practitioner"], "contact_child": world["cc"],
        "agency": world[agency], "question": "Any missed appointments?",
        "priority": Priority.AMBER, **BASIS, **changes,
    }  # fmt: skip
    return services.information_request_send(**arguments)


def grant_of(request: InformationRequest) -> SharingRecord:
    return SharingRecord.objects.get(
        content_type=ContentType.objects.get_for_model(InformationRequest),
        object_id=request.pk, decision=SharingDecision.SHARED,
    )  # fmt: skip


def not_shared(world, agency="school", child=None) -> SharingRecord:
    child = child or world["child"]
    return decline(
        by=world["users"]["practitioner"], obj=child, permission="referrals.view_child",
        agency=world[agency], reason=REASON, child_ref=child.census_id, **BASIS,
    )  # fmt: skip


def _count(client, url) -> int:
    client.get(url)  # warm the caches (content types, the rights)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def assert_no_plaintext_in_audit(*secrets: str) -> None:
    """Every column of every audit entry, as stored, is free of the confidential text."""
    for row in AuditEntry.objects.values_list():
        stored = " ".join(str(value) for value in row)
        for secret in secrets:
            assert secret not in stored


# The child's page: "Information shared" -----------------------------------------------------


def child_url(world) -> str:
    return reverse("referrals:child", args=[world["child"].pk])


def test_the_child_page_shows_shares_decisions_not_to_share_and_ends(client, world):
    request = ask(world)
    not_shared(world)
    shared = grant_of(request)
    revoke(by=world["users"]["manager"], record=shared, reason="Asked in error")
    other = Child.objects.create(first_name="Other", last_name="Child")
    not_shared(world, agency="police", child=other)
    sign_in(client, world["users"]["manager"])
    response = client.get(child_url(world))
    assert response.status_code == 200
    records = response.context["sharing_records"]
    assert [r.decision for r in records] == [
        SharingDecision.REVOKED, SharingDecision.NOT_SHARED, SharingDecision.SHARED,
    ]  # fmt: skip  # newest first; the other child's record is not here
    page = response.text
    assert "Information shared" in page
    assert "Shared with Test health" in page and "Not shared with Test school" in page
    assert "Sharing ended with Test health" in page and "Since ended" in page
    assert str(request) in page  # what: the information request's reference
    text = page_text(response)
    assert world["users"]["practitioner"].display_name in text  # by whom
    assert world["users"]["manager"].display_name in text
    assert Article6Basis.PUBLIC_TASK.label in page and "Schedule 1 paragraph 18" in page
    assert ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE.label in page
    assert FAMILY_NOTE in page and escaped(REASON) in page
    assert "Asked in error" in page
    assert "Test police" not in page.split("Information shared")[1].split("Record a decision")[0]


def test_the_child_page_sharing_section_costs_one_query_whatever_the_records(client, world):
    sign_in(client, world["users"]["practitioner"])
    not_shared(world)
    one = _count(client, child_url(world))
    for _ in range(6):
        ask(world)
        not_shared(world, agency="police")
    assert len(client.get(child_url(world)).context["sharing_records"]) == 13
    assert _count(client, child_url(world)) == one


@pytest.mark.parametrize(
    ("who", "status", "has_form"),
    [
        ("practitioner", 200, True),
        ("manager", 200, True),
        ("chair", 200, False),
        ("auditor", 200, False),
        ("police", 404, False),
        ("police_lead", 404, False),
        ("health", 404, False),
        ("school", 404, False),
        ("lado", 404, False),
        ("sysadmin", 403, False),
    ],
)
def test_the_section_and_its_form_per_role(client, world, who, status, has_form):
    not_shared(world)
    sign_in(client, world["users"][who])
    response = client.get(child_url(world))
    assert response.status_code == status
    if status == 200:
        assert "Information shared" in response.text
        assert ("Record a decision not to share" in response.text) == has_form
    else:
        assert escaped(REASON) not in response.text


# Recording a decision not to share ----------------------------------------------------------


def not_shared_url(world) -> str:
    return reverse("referrals:child-not-shared", args=[world["child"].pk])


def decline_form(world, **changes) -> dict:
    data = {
        "agency": world["school"].pk, "asked_for": "Why Jo is absent so often",
        "reason": "Only that support is planned is needed", "article6": "6(1)(e)",
        "condition": "", "consent": "refused", "family_told": "yes",
        "family_note": "Mother told the school hears nothing more",
    }  # fmt: skip
    data.update(changes)
    return {f"not_shared-{key}": value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("practitioner", 302),
        ("manager", 302),
        ("chair", 403),
        ("auditor", 403),
        ("police", 404),
        ("police_lead", 404),
        ("health", 404),
        ("school", 404),
        ("lado", 404),
        ("sysadmin", 403),
    ],
)
def test_recording_a_decision_not_to_share_per_role(client, world, who, status):
    sign_in(client, world["users"][who])
    response = client.post(not_shared_url(world), decline_form(world))
    assert response.status_code == status
    assert SharingRecord.objects.exists() == (status == 302)
    if status != 302:
        refused = AuditEntry.objects.filter(event=Event.REFUSED).latest("pk")
        assert refused.additional_data["status"] == status


def test_a_decision_not_to_share_is_recorded_with_its_reason_and_audited(client, world):
    sign_in(client, world["users"]["practitioner"])
    response = client.post(not_shared_url(world), decline_form(world))
    assert response.status_code == 302 and response.url == child_url(world)
    record = SharingRecord.objects.get()
    assert record.decision == SharingDecision.NOT_SHARED
    assert record.agency == world["school"] and record.by == world["users"]["practitioner"]
    assert record.content_type == ContentType.objects.get_for_model(Child)
    assert record.object_id == world["child"].pk and record.child_ref == world["child"].census_id
    assert "Why Jo is absent so often" in record.reason
    assert "Only that support is planned is needed" in record.reason
    assert (record.article6, record.condition, record.consent) == ("6(1)(e)", "", "refused")
    assert record.family_told is True
    entry = AuditEntry.objects.get(event=Event.NOT_SHARED)
    assert entry.child_ref == world["child"].census_id
    assert entry.actor == world["users"]["practitioner"]
    page = client.get(child_url(world)).text
    assert "Not shared with Test school" in page and "Why Jo is absent so often" in page
    assert_no_plaintext_in_audit("Why Jo is absent", "Only that support", "Mother told the")


def test_the_basis_and_family_fields_are_optional(client, world):
    sign_in(client, world["users"]["manager"])
    data = decline_form(
        world, article6=None, condition=None, consent=None, family_told=None, family_note=None
    )
    assert client.post(not_shared_url(world), data).status_code == 302
    record = SharingRecord.objects.get()
    assert (record.article6, record.consent, record.family_told) == ("", "", None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reason": ""}, "Say why it is not shared"),
        ({"reason": "   "}, "Say why it is not shared"),
        ({"asked_for": ""}, "Say what was asked for or considered"),
        ({"agency": ""}, "Choose the agency it is not shared with"),
        ({"agency": "999999"}, "Select a valid choice"),
        ({"article6": "6(1)(z)"}, "Select a valid choice"),
        ({"consent": "maybe"}, "Select a valid choice"),
        ({"family_told": "perhaps"}, "Select a valid choice"),
    ],
)
def test_bad_input_shows_the_error_summary_and_records_nothing(client, world, changes, message):
    sign_in(client, world["users"]["practitioner"])
    response = client.post(not_shared_url(world), decline_form(world, **changes))
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text and message in response.text
    assert "<title>Error: " in response.text
    assert not SharingRecord.objects.exists()
    assert not AuditEntry.objects.filter(event=Event.NOT_SHARED).exists()


def test_the_local_authority_is_not_offered(client, world):
    sign_in(client, world["users"]["practitioner"])
    form = client.get(child_url(world)).context["not_shared_form"]
    assert "Test school" in [a.name for a in form.fields["agency"].queryset]
    assert not form.fields["agency"].queryset.filter(kind=Agency.Kind.LOCAL_AUTHORITY).exists()
    council = world["users"]["practitioner"].agency
    response = client.post(not_shared_url(world), decline_form(world, agency=council.pk))
    assert response.status_code == 200 and not SharingRecord.objects.exists()


def test_an_unknown_child_is_404(client, world):
    sign_in(client, world["users"]["practitioner"])
    url = reverse("referrals:child-not-shared", args=[999999])
    assert client.post(url, decline_form(world)).status_code == 404


def test_a_restricted_child_needs_the_glass_broken_first(client, world):
    from referrals.models.restrictions import Restriction

    Restriction.objects.create(
        child=world["child"], reason="Staff member's child", restricted_by=world["users"]["manager"]
    )
    sign_in(client, world["users"]["practitioner"])
    response = client.post(not_shared_url(world), decline_form(world))
    assert response.status_code == 302  # to the break-glass page, not a success
    assert response.url.startswith(reverse("referrals:child-restricted", args=[world["child"].pk]))
    assert not SharingRecord.objects.exists()


def test_the_form_is_post_only(client, world):
    sign_in(client, world["users"]["practitioner"])
    response = client.get(not_shared_url(world))  # a reload goes to the child's page, not a 405
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:child", args=[world["child"].pk])


# The managers' list: /sharing/ --------------------------------------------------------------

SHARING = "/sharing/"


def test_the_list_is_at_sharing():
    assert reverse("accounts:sharing") == SHARING


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("manager", 200),
        ("auditor", 200),
        ("practitioner", 403),
        ("chair", 403),
        ("police", 404),
        ("police_lead", 404),
        ("health", 404),
        ("school", 404),
        ("lado", 404),
        ("sysadmin", 403),
    ],
)
def test_the_list_per_role(client, world, who, status):
    not_shared(world)
    sign_in(client, world["users"][who])
    response = client.get(SHARING)
    assert response.status_code == status
    if status == 200:
        assert "Information sharing records" in response.text
        entry = AuditEntry.objects.filter(event=Event.LIST).latest("pk")
        assert entry.additional_data["ids"] == [str(SharingRecord.objects.get().pk)]
    else:
        refused = AuditEntry.objects.filter(event=Event.REFUSED).latest("pk")
        assert refused.additional_data["status"] == status
    home = client.get(reverse("workspace:home")).text
    assert (f'href="{SHARING}"' in home) == (status == 200)  # the navigation item


def test_the_list_is_newest_first_links_children_and_hides_reasons(client, world):
    request = ask(world)
    declined = not_shared(world)
    system = SharingRecord.objects.create(
        content_type=ContentType.objects.get_for_model(Agency), object_id=world["police"].pk,
        what="Something without a child", permission="accounts.view_agency",
        agency=world["police"], decision=SharingDecision.NOT_SHARED, reason=REASON,
    )  # fmt: skip
    sign_in(client, world["users"]["manager"])
    response = client.get(SHARING)
    rows = response.context["rows"]
    shared = grant_of(request)
    assert [row.record.pk for row in rows] == [system.pk, declined.pk, shared.pk]
    assert rows[1].child_pk == world["child"].pk and rows[0].child_pk is None
    page = response.text
    assert f'href="{child_url(world)}"' in page
    # The reasons are on the child's page.
    assert escaped(REASON) not in page and escaped(FAMILY_NOTE) not in page
    assert "Test health" in page and "Test school" in page
    assert world["users"]["practitioner"].display_name in page_text(response)
    assert f'href="{reverse("accounts:sharing-end", args=[shared.pk])}"' in page
    assert reverse("accounts:sharing-end", args=[declined.pk]) not in page


def test_the_auditor_reads_but_is_not_offered_to_end(client, world):
    request = ask(world)
    sign_in(client, world["users"]["auditor"])
    shared = grant_of(request)
    page = client.get(SHARING).text
    assert "Test health" in page
    assert reverse("accounts:sharing-end", args=[shared.pk]) not in page


def test_the_list_filters_by_agency_and_decision(client, world):
    to_health = grant_of(ask(world))
    to_police = grant_of(ask(world, agency="police"))
    not_to_school = not_shared(world)
    ended = revoke(by=world["users"]["manager"], record=to_police, reason="Not needed")
    nurse = world["users"]["health"]
    with_a_person = share(
        by=world["users"]["practitioner"], obj=world["child"], permission="referrals.view_child",
        user=nurse, child_ref=world["child"].census_id, **BASIS,
    )  # fmt: skip
    sign_in(client, world["users"]["manager"])

    def shown(**query):
        response = client.get(SHARING, query)
        assert response.status_code == 200
        return {row.record.pk for row in response.context["rows"]}

    assert shown() == {to_health.pk, to_police.pk, not_to_school.pk, ended.pk, with_a_person.pk}
    assert shown(agency=world["health"].pk) == {to_health.pk, with_a_person.pk}
    assert shown(agency=world["police"].pk) == {to_police.pk, ended.pk}
    assert shown(decision="shared") == {to_health.pk, to_police.pk, with_a_person.pk}
    assert shown(decision="not_shared") == {not_to_school.pk}
    assert shown(decision="revoked") == {ended.pk}
    assert shown(agency=world["police"].pk, decision="shared") == {to_police.pk}
    page = client.get(SHARING, {"agency": world["police"].pk}).text
    assert "<select" in page and "Filter" in page


@pytest.mark.parametrize("query", [{"agency": "999999"}, {"decision": "maybe"}, {"agency": "x"}])
def test_a_bad_filter_shows_the_error_summary_and_everything(client, world, query):
    not_shared(world)
    sign_in(client, world["users"]["manager"])
    response = client.get(SHARING, query)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text and "Select a valid choice" in response.text
    assert len(response.context["rows"]) == 1


def _many_records(world, count: int) -> None:
    content_type = ContentType.objects.get_for_model(Child)
    SharingRecord.objects.bulk_create(
        SharingRecord(
            content_type=content_type, object_id=world["child"].pk, what=f"Child {n}",
            permission="referrals.view_child", child_ref=world["child"].census_id,
            agency=world["school"], decision=SharingDecision.NOT_SHARED,
            by=world["users"]["practitioner"], at=timezone.now() - timedelta(minutes=n),
        )
        for n in range(count)
    )  # fmt: skip


def test_the_list_is_paginated_at_50_keeping_the_filters(client, world):
    _many_records(world, 51)
    sign_in(client, world["users"]["manager"])
    first = client.get(SHARING, {"decision": "not_shared"})
    assert len(first.context["rows"]) == 50
    assert "Page 1 of 2" in first.text
    assert "?decision=not_shared&amp;page=2" in first.text
    second = client.get(SHARING, {"decision": "not_shared", "page": 2})
    assert len(second.context["rows"]) == 1
    assert client.get(SHARING, {"page": "999"}).context["page"].number == 2


@pytest.mark.parametrize("count", [1, 120])
def test_the_list_query_count_does_not_grow(client, world, count, django_assert_max_num_queries):
    _many_records(world, count)
    ask(world)  # a share, with a person's and an agency's name to join
    sign_in(client, world["users"]["manager"])
    client.get(SHARING)
    # savepoint, session, user, device, rights; the count; the page (agency, user and by
    # joined); the filter's agencies; the list entry: savepoint, chain lock (PostgreSQL),
    # last entry, insert, release; release
    with django_assert_max_num_queries(14):
        response = client.get(SHARING)
    assert len(response.context["rows"]) == min(count + 1, 50)


# Ending a share -----------------------------------------------------------------------------


def end_url(record) -> str:
    return reverse("accounts:sharing-end", args=[record.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("manager", 200),
        ("auditor", 403),
        ("practitioner", 403),
        ("chair", 403),
        ("police", 404),
        ("police_lead", 404),
        ("health", 404),
        ("school", 404),
        ("lado", 404),
        ("sysadmin", 403),
    ],
)
def test_ending_a_share_per_role(client, world, who, status):
    request = ask(world)
    shared = grant_of(request)
    sign_in(client, world["users"][who])
    assert client.get(end_url(shared)).status_code == status
    response = client.post(end_url(shared), {"reason": "No longer needed"})
    assert response.status_code == (302 if status == 200 else status)
    shared.refresh_from_db()
    assert (shared.ended_at is not None) == (status == 200)
    if status != 200:
        refused = AuditEntry.objects.filter(event=Event.REFUSED).latest("pk")
        assert refused.additional_data["status"] == status


def test_a_manager_ends_a_share_and_the_agency_no_longer_sees_it(client, world):
    request = ask(world)
    shared = grant_of(request)
    sign_in(client, world["users"]["manager"])
    page = client.get(end_url(shared))
    assert page.status_code == 200 and "Test health" in page.text and "End sharing" in page.text
    read = AuditEntry.objects.filter(event=Event.READ).latest("pk")
    assert read.object_pk == str(shared.pk) and read.child_ref == world["child"].census_id
    response = client.post(end_url(shared), {"reason": "Reason-SECRET asked the wrong agency"})
    assert response.status_code == 302 and response.url == SHARING
    ended = SharingRecord.objects.get(decision=SharingDecision.REVOKED)
    assert ended.by == world["users"]["manager"] and "wrong agency" in ended.reason
    revoked = AuditEntry.objects.get(event=Event.REVOKE)
    assert revoked.actor == world["users"]["manager"]
    assert revoked.child_ref == world["child"].census_id
    nurse = world["users"]["health"]
    sign_in(client, nurse)
    assert (
        client.get(reverse("referrals:information-request", args=[request.pk])).status_code == 404
    )
    assert_no_plaintext_in_audit("Reason-SECRET", FAMILY_NOTE, "Any missed appointments")


def test_ending_needs_a_reason(client, world):
    shared = grant_of(ask(world))
    sign_in(client, world["users"]["manager"])
    for reason in ("", "   "):
        response = client.post(end_url(shared), {"reason": reason})
        assert response.status_code == 200
        assert (
            "govuk-error-summary" in response.text and "Say why the sharing ends" in response.text
        )
    shared.refresh_from_db()
    assert shared.ended_at is None
    assert not AuditEntry.objects.filter(event=Event.REVOKE).exists()


def test_a_second_end_is_refused_with_the_message(client, world):
    shared = grant_of(ask(world))
    sign_in(client, world["users"]["manager"])
    assert client.post(end_url(shared), {"reason": "First"}).status_code == 302
    again = client.post(end_url(shared), {"reason": "Second"})
    assert again.status_code == 409
    assert "govuk-error-summary" in again.text and "This share has already ended" in again.text
    assert SharingRecord.objects.filter(decision=SharingDecision.REVOKED).count() == 1
    page = client.get(end_url(shared))
    assert page.status_code == 200 and "This share has already ended" in page.text
    assert "<textarea" not in page.text


def test_only_shares_can_be_ended(client, world):
    declined = not_shared(world)
    sign_in(client, world["users"]["manager"])
    assert client.get(end_url(declined)).status_code == 404
    assert client.post(end_url(declined), {"reason": "x"}).status_code == 404
    assert client.get(reverse("accounts:sharing-end", args=[999999])).status_code == 404


# Query counts at scale: 10,000 grants of other objects ---------------------------------------


IR_VIEW = "referrals.view_informationrequest"
LADO_VIEW = "referrals.view_ladoreferral"


def test_the_requests_list_costs_the_same_with_10000_other_grants(client, world):
    request = ask(world)
    sign_in(client, world["users"]["health"])
    url = reverse("referrals:information-requests")
    one = _count(client, url)
    bulk_grants(
        by=world["users"]["practitioner"],
        granted=[
            (world["health"], Child, "referrals.view_child"),  # other objects, same agency
            (world["health"], LadoReferral, LADO_VIEW),
            (world["police"], InformationRequest, IR_VIEW),  # other agencies
            (world["school"], InformationRequest, IR_VIEW),
            (world["lado"], LadoReferral, LADO_VIEW),
        ],
        each=2000,
    )
    assert SharingRecord.objects.count() == 10_001
    assert GroupObjectPermission.objects.count() >= 10_001
    assert _count(client, url) == one
    assert [row.pk for row in client.get(url).context["rows"]] == [request.pk]


def test_the_lado_inbox_costs_the_same_with_10000_other_grants(client, world, make_user):
    from referrals.models.contacts import Outcome
    from tests.referrals.factories import proposed

    contact_child = proposed(by=world["users"]["practitioner"], outcome=Outcome.LADO)
    services.decision_sign_off(by=world["users"]["manager"], contact_child=contact_child)
    lado = LadoReferral.objects.get(contact_child=contact_child)
    assert lado.agency == world["lado"]
    sign_in(client, world["users"]["lado"])
    url = reverse("referrals:lado-inbox")
    one = _count(client, url)
    other_lado = AgencyFactory(name="Another LADO", kind=Agency.Kind.LADO)
    bulk_grants(
        by=world["users"]["practitioner"],
        granted=[
            (world["lado"], InformationRequest, IR_VIEW),  # other objects, same agency
            (world["lado"], Child, "referrals.view_child"),
            (other_lado, LadoReferral, LADO_VIEW),  # other agencies
            (world["police"], InformationRequest, IR_VIEW),
            (world["health"], LadoReferral, LADO_VIEW),
        ],
        each=2000,
    )
    assert SharingRecord.objects.count() >= 10_001
    assert _count(client, url) == one
    assert [row.pk for row in client.get(url).context["rows"]] == [lado.pk]
