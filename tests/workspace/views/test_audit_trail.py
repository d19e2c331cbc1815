"""The audit trail pages: managers and auditors only; filters; CSV; constant query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.audit import AuditEntry, Event, record_event
from accounts.roles import Role
from referrals import services
from referrals.models import Child
from tests.conftest import sign_in
from tests.standins.models import SealedNote

pytestmark = pytest.mark.django_db
READERS = [Role.MANAGER, Role.AUDITOR]
REFUSED = [r for r in Role if r not in READERS]


def pages(note: SealedNote, user_id: int) -> list[str]:
    return [
        reverse("workspace:audit-record", args=["accounts.sealednote", note.pk]),
        reverse("workspace:audit-child", args=[note.reference]),
        reverse("workspace:audit-user", args=[user_id]),
    ]


@pytest.fixture
def note(db):
    note = SealedNote.objects.create(reference="FD000042", body="Mum's partner hits the children")
    note.body = "Mum's partner hit the children, twice"
    note.save()
    return note


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("page", [0, 1, 2], ids=["record", "child", "user"])
def test_readers_see_the_trail_without_confidential_text(client, make_user, note, role, page):
    user = make_user(role)
    sign_in(client, user)
    response = client.get(pages(note, user.pk)[page])
    assert response.status_code == 200
    text = response.content.decode()
    assert "hits the children" not in text and "twice" not in text
    if page < 2:
        assert "Sealed note N-" in text
        assert "(encrypted)" in text


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_are_refused(client, make_user, note, role):
    user = make_user(role)
    sign_in(client, user)
    for url in pages(note, user.pk):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", REFUSED)
def test_refusal_does_not_reveal_whether_the_record_exists(client, make_user, role):
    sign_in(client, make_user(role))
    assert client.get(reverse("workspace:audit-user", args=[999999])).status_code == 403
    assert client.get(reverse("workspace:audit-record", args=["no.such", "1"])).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, note):
    response = client.get(pages(note, 1)[0])
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


def test_unknown_record_type_and_user_are_not_found(client, make_user):
    sign_in(client, make_user(Role.AUDITOR))
    assert (
        client.get(reverse("workspace:audit-record", args=["nope.nothing", "1"])).status_code == 404
    )
    assert client.get(reverse("workspace:audit-user", args=[999999])).status_code == 404


def test_showing_the_trail_is_itself_audited_with_the_ids_shown(client, make_user, note):
    sign_in(client, make_user(Role.AUDITOR))
    shown = list(AuditEntry.objects.filter(child_ref="FD000042").values_list("pk", flat=True))
    client.get(pages(note, 1)[1])
    entry = AuditEntry.objects.filter(event=Event.LIST).get()
    assert sorted(entry.additional_data["ids"]) == sorted(str(pk) for pk in shown)


def test_filters_by_event_and_date(client, make_user, note):
    sign_in(client, make_user(Role.MANAGER))
    url = pages(note, 1)[1]
    response = client.get(url, {"event": "update"})
    assert response.context["page"].paginator.count == 1
    response = client.get(url, {"date_from": "1/1/2001", "date_to": "2/1/2001"})
    assert response.context["page"].paginator.count == 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "31/2/2026"}, "Enter the start date as day/month/year"),
        ({"date_to": "tomorrow"}, "Enter the end date as day/month/year"),
        ({"date_from": "2/3/2026", "date_to": "1/3/2026"}, "The end date must be the same as"),
        ({"event": "<script>"}, "Select a valid choice"),
    ],
)
def test_bad_filters_show_the_error_summary(client, make_user, note, params, message):
    sign_in(client, make_user(Role.MANAGER))
    response = client.get(pages(note, 1)[1], params)
    assert response.status_code == 200
    text = response.content.decode()
    assert "govuk-error-summary" in text
    assert message in text


def test_csv_download_is_audited_and_holds_no_confidential_text(client, make_user, note):
    sign_in(client, make_user(Role.AUDITOR))
    response = client.get(pages(note, 1)[1], {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert "Sealed note N-" in body
    assert "hits the children" not in body
    export = AuditEntry.objects.get(event=Event.EXPORT)
    assert len(export.additional_data["ids"]) == 2


@pytest.mark.parametrize("entries", [1, 60])
def test_query_count_does_not_grow_with_entries(
    client, make_user, entries, django_assert_max_num_queries
):
    reader = make_user(Role.AUDITOR)
    others = [make_user(Role.PRACTITIONER) for _ in range(3)]
    for n in range(entries):
        record_event(Event.READ, actor=others[n % 3], obj=reader, child_ref="FD000077")
    sign_in(client, reader)
    url = reverse("workspace:audit-child", args=["FD000077"])
    # savepoint (the request's transaction), session, user, rights, whether the child is
    # restricted and not open to the reader, count, the page of entries with actors and
    # content types, the restricted children closed to the reader, a content type (until
    # cached); the audit list entry: savepoint, chain lock (PostgreSQL), last entry, insert,
    # release; release
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert len(response.context["rows"]) == entries


def test_a_child_s_trail_shows_household_membership_changes(client, make_user):
    """A many-to-many change (a household's members) is recorded by auditlog as an operation
    with its objects, not an (old, new) pair; the trail shows it (it was a server error)."""
    worker = make_user(Role.PRACTITIONER)
    child = Child.objects.create(first_name="Jago", last_name="Rosewarne")
    services.household_add(by=worker, child=child, address="1 Quay Row", children=[child])
    sign_in(client, make_user(Role.MANAGER))
    response = client.get(reverse("workspace:audit-child", args=[child.census_id]))
    assert response.status_code == 200
    assert f"children: add Child {child.census_id}" in response.content.decode()
