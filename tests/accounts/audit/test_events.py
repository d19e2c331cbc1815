"""Each kind of event produces exactly its entry, with actor and address, nothing confidential."""

from __future__ import annotations

import json

import pytest
from auditlog.context import disable_auditlog
from django.urls import reverse
from django_otp.oath import totp

from accounts.audit import (
    AuditEntry,
    Event,
    record_break_glass,
    record_export,
    record_sharing,
    record_transition,
)
from accounts.audit_verification import verify_chain
from accounts.models import User
from accounts.roles import Role
from demo.people import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.conftest import sign_in
from tests.standins.models import SealedNote

pytestmark = pytest.mark.django_db
STANDIN_URLS = "tests.standins.views"


def everything_in_the_trail() -> str:
    return json.dumps(
        [
            [
                e.object_repr,
                e.changes,
                e.changes_text,
                e.additional_data,
                e.object_pk,
                e.actor_email,
            ]
            for e in AuditEntry.objects.all()
        ],
        default=str,
    )


def only_entry(**filters) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(**filters))
    assert len(entries) == 1, entries
    return entries[0]


def test_sign_in_is_recorded_with_actor_and_address(client, demo):
    client.post(reverse("accounts:sign-in"), {"username": "manager", "password": DEMO_PASSWORD})
    password = only_entry(event=Event.PASSWORD_ACCEPTED)
    assert (password.actor.username, password.remote_addr) == ("manager", "127.0.0.1")
    assert not AuditEntry.objects.filter(event=Event.SIGN_IN).exists()  # not yet: no code
    code = f"{totp(DEMO_TOTP_SECRET):06d}"
    client.post(reverse("accounts:second-factor"), {"code": code})
    signed_in = only_entry(event=Event.SIGN_IN)
    assert signed_in.actor.username == "manager"
    assert DEMO_PASSWORD not in everything_in_the_trail() and code not in everything_in_the_trail()


def test_sign_out_is_recorded(client, demo):
    client.post(reverse("accounts:sign-in"), {"username": "manager", "password": DEMO_PASSWORD})
    client.post(reverse("accounts:sign-out"))
    assert only_entry(event=Event.SIGN_OUT).actor.username == "manager"


def test_a_failed_sign_in_names_the_account_but_never_the_password(client, demo):
    client.post(reverse("accounts:sign-in"), {"username": "police", "password": "Guess-1234"})
    entry = only_entry(event=Event.SIGN_IN_FAILED)
    assert entry.object_pk == str(User.objects.get(username="police").pk)
    assert entry.actor is None
    assert "Guess-1234" not in everything_in_the_trail()


def test_a_failed_sign_in_with_an_unknown_username_keeps_no_username(client, demo):
    # People type their password into the username box: an unknown username is never kept.
    client.post(reverse("accounts:sign-in"), {"username": "MyS3cretPass", "password": "x"})
    entry = only_entry(event=Event.SIGN_IN_FAILED)
    assert entry.object_pk == ""
    assert "MyS3cretPass" not in everything_in_the_trail()


def test_changes_are_recorded_with_encrypted_content_masked(db):
    note = SealedNote.objects.create(reference="FD000007", body="He hit her with a belt")
    note.body = "corrected"
    note.save()
    note.delete()
    events = list(AuditEntry.objects.order_by("sequence").values_list("event", "child_ref"))
    assert events == [
        (Event.CREATE, "FD000007"),
        (Event.UPDATE, "FD000007"),
        (Event.DELETE, "FD000007"),
    ]
    assert "belt" not in everything_in_the_trail()
    assert "corrected" not in everything_in_the_trail()


@pytest.fixture
def standin_urls(settings):
    settings.ROOT_URLCONF = STANDIN_URLS


def test_a_case_page_read_is_recorded_in_the_request(client, make_user, standin_urls):
    note = SealedNote.objects.create(reference="FD000008", body="concern")
    user = make_user(Role.PRACTITIONER)
    sign_in(client, user)
    assert client.get(f"/standin/notes/{note.pk}/").status_code == 200
    entry = only_entry(event=Event.READ)
    assert (entry.actor, entry.object_pk, entry.child_ref) == (user, str(note.pk), "FD000008")
    assert entry.additional_data == {"path": f"/standin/notes/{note.pk}/"}


def test_a_list_page_records_the_ids_it_showed(client, make_user, standin_urls):
    notes = [SealedNote.objects.create(reference=f"L{n}", body="c") for n in range(3)]
    sign_in(client, make_user(Role.MANAGER))
    client.get("/standin/notes/")
    entry = only_entry(event=Event.LIST)
    assert entry.additional_data["ids"] == [str(note.pk) for note in notes]


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (Role.SYSTEM_ADMINISTRATOR, "/standin/notes/{pk}/", 403),
        (Role.PRACTITIONER, "/standin/notes/999999/", 404),
    ],
)
def test_refused_reads_of_case_urls_are_recorded(
    client, make_user, standin_urls, role, path, status
):
    note = SealedNote.objects.create(reference="R1", body="c")
    user = make_user(role)
    sign_in(client, user)
    url = path.format(pk=note.pk)
    assert client.get(url).status_code == status
    entry = only_entry(event=Event.REFUSED)
    assert entry.actor == user
    assert entry.additional_data == {"path": url, "status": status}
    assert not AuditEntry.objects.filter(event=Event.READ).exists()


def test_a_404_outside_case_pages_is_not_a_refused_read(client, make_user, standin_urls):
    sign_in(client, make_user(Role.PRACTITIONER))
    assert client.get("/standin/other/").status_code == 404
    assert not AuditEntry.objects.filter(event=Event.REFUSED).exists()


def test_the_client_address_header_is_ignored_unless_a_proxy_is_configured(
    client, make_user, standin_urls, settings
):
    note = SealedNote.objects.create(reference="R1", body="c")
    sign_in(client, make_user(Role.PRACTITIONER))
    client.get(f"/standin/notes/{note.pk}/", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert only_entry(event=Event.READ).remote_addr == "127.0.0.1"
    settings.AUDIT_CLIENT_ADDRESS_HEADER = "X-Real-IP"
    client.get(f"/standin/notes/{note.pk}/", HTTP_X_REAL_IP="198.51.100.7")
    assert AuditEntry.objects.filter(event=Event.READ).order_by("-sequence")[0].remote_addr == (
        "198.51.100.7"
    )


def test_transition_sharing_export_and_break_glass_helpers(make_user):
    user = make_user(Role.MANAGER)
    note = SealedNote.objects.create(reference="FD000009", body="c")
    record_transition(
        actor=user, obj=note, source="proposed", target="signed_off", reason="agreed",
        child_ref="FD000009", name="sign_off",
    )  # fmt: skip
    record_sharing(Event.GRANT, actor=user, obj=note, child_ref="FD000009", agency="Police")
    record_sharing(Event.REVOKE, actor=user, obj=note, child_ref="FD000009", agency="Police")
    record_sharing(Event.NOT_SHARED, actor=user, obj=note, child_ref="FD000009", agency="Health")
    record_break_glass(actor=user, obj=note, child_ref="FD000009")
    transition = only_entry(event=Event.TRANSITION)
    assert transition.additional_data == {
        "transition": "sign_off", "from": "proposed", "to": "signed_off", "reason": "agreed",
    }  # fmt: skip
    for event in (Event.GRANT, Event.REVOKE, Event.NOT_SHARED, Event.BREAK_GLASS):
        assert only_entry(event=event).child_ref == "FD000009"
    assert AuditEntry.objects.filter(child_ref="FD000009").count() == 6  # with the create
    assert verify_chain().problem == ""


def test_export_records_the_ids(rf, make_user):
    request = rf.get("/export")
    request.user = make_user(Role.AUDITOR)
    record_export(request, SealedNote, [3, 1, 2])
    assert only_entry(event=Event.EXPORT).additional_data["ids"] == ["3", "1", "2"]


def test_entries_of_a_request_are_written_last_in_its_transaction(client, make_user, standin_urls):
    sign_in(client, make_user(Role.PRACTITIONER))
    client.get("/standin/create/3/")
    entries = list(
        AuditEntry.objects.filter(event=Event.CREATE, content_type__model="sealednote").order_by(
            "sequence"
        )
    )
    first = entries[0].sequence
    assert [entry.sequence for entry in entries] == [first, first + 1, first + 2]
    # Held back during the view and written together: ids follow the sequence.
    assert [entry.pk for entry in entries] == sorted(entry.pk for entry in entries)


@pytest.mark.parametrize("count", [1, 20])
def test_auditing_adds_a_bounded_number_of_queries_to_a_request(
    client, make_user, standin_urls, count, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, make_user(Role.PRACTITIONER))
    client.get("/standin/create/1/")  # warm caches (content types)
    with disable_auditlog(), CaptureQueriesContext(connection) as without_audit:
        client.get(f"/standin/create/{count}/")
    with CaptureQueriesContext(connection) as with_audit:
        client.get(f"/standin/create/{count}/")
    # Savepoint, the chain lock (PostgreSQL only), the last entry, one bulk insert, release:
    # the same whatever the number of entries.
    assert len(with_audit) - len(without_audit) <= 5


def test_user_and_agency_changes_are_audited_without_password_hashes(make_user):
    user = make_user(Role.PRACTITIONER)
    user.first_name = "Renamed"
    user.set_password("A-new-password-123")
    user.save()
    entries = AuditEntry.objects.filter(event=Event.UPDATE, object_pk=str(user.pk))
    entry = next(e for e in entries if "first_name" in (e.changes_dict or {}))
    assert "password" not in entry.changes_dict
    assert "argon2" not in everything_in_the_trail() and "md5$" not in everything_in_the_trail()
    user.agency.name = "Renamed agency"
    user.agency.save()
    assert AuditEntry.objects.filter(event=Event.UPDATE, object_repr="Renamed agency").exists()


def test_a_request_that_fails_keeps_neither_its_changes_nor_their_entries(
    client, make_user, standin_urls
):
    sign_in(client, make_user(Role.PRACTITIONER))
    before = AuditEntry.objects.count()
    client.raise_request_exception = False
    assert client.get("/standin/writes-then-breaks/").status_code == 500
    assert not SealedNote.objects.filter(reference="LOST").exists()
    assert AuditEntry.objects.count() == before


def test_entries_of_a_rolled_back_step_are_dropped_with_it(client, make_user, standin_urls):
    sign_in(client, make_user(Role.PRACTITIONER))
    assert client.get("/standin/refused-half-way/").status_code == 200
    assert not AuditEntry.objects.filter(event=Event.TRANSITION).exists()
    assert not AuditEntry.objects.filter(child_ref="ROLLED-BACK").exists()
    assert AuditEntry.objects.filter(child_ref="KEPT", event=Event.CREATE).exists()
    assert verify_chain().problem == ""


def test_refused_reads_carry_the_address_and_a_server_correlation_id(
    client, make_user, standin_urls
):
    sign_in(client, make_user(Role.SYSTEM_ADMINISTRATOR))
    client.get("/standin/notes/1/", HTTP_X_CORRELATION_ID="x" * 300)
    entry = only_entry(event=Event.REFUSED)
    assert entry.remote_addr == "127.0.0.1"
    assert entry.cid and len(entry.cid) == 32 and entry.cid != "x" * 300
