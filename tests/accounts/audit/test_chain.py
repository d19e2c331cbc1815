"""The chain: sequence and HMAC per entry; verify_audit catches every kind of tampering."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from accounts.audit import GENESIS_HASH, AuditEntry, AuditTrailIsAppendOnly, Event, record_event
from accounts.audit_verification import verify_chain
from tests.standins.models import SealedNote

pytestmark = pytest.mark.django_db
TABLE = AuditEntry._meta.db_table


@pytest.fixture
def trail():
    """Six entries: creates, updates and events."""
    for n in range(3):
        note = SealedNote.objects.create(reference=f"CH{n}", body="concern")
        note.body = "changed"
        note.save()
    entries = list(AuditEntry.objects.order_by("sequence"))
    assert [entry.sequence for entry in entries] == [1, 2, 3, 4, 5, 6]
    return entries


@pytest.fixture
def raw_sql():
    """Run SQL as an intruder with direct database access (bypassing the triggers)."""

    def run(sql: str, params: list | None = None) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # a superuser can switch triggers off
                cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params or [])
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")

    return run


def test_each_entry_links_to_the_previous_one(trail):
    assert trail[0].prev_hash == GENESIS_HASH
    for previous, entry in itertools.pairwise(trail):
        assert entry.prev_hash == previous.entry_hash
        assert entry.entry_hash == entry.expected_hash(previous.entry_hash)


def test_the_hash_depends_on_the_key(trail, settings):
    settings.AUDIT_HMAC_KEY = "another key of at least thirty-two characters"
    assert verify_chain().problem == f"Entry #1 (id {trail[0].pk}) was changed or forged."


def test_verify_audit_passes_on_a_clean_trail(trail, capsys):
    call_command("verify_audit", "--batch-size", "2")
    assert "The audit trail is intact: 6 entries." in capsys.readouterr().out


def test_an_empty_trail_verifies(db):
    assert verify_chain().problem == ""


def test_verify_audit_names_an_edited_entry(trail, raw_sql):
    raw_sql(f"UPDATE {TABLE} SET object_repr = %s WHERE sequence = 3", ["Nothing to see"])
    with pytest.raises(CommandError, match=r"Entry #3 \(id \d+\) was changed or forged"):
        call_command("verify_audit")


def test_verify_audit_names_a_deleted_entry(trail, raw_sql):
    raw_sql(f"DELETE FROM {TABLE} WHERE sequence = 4")
    with pytest.raises(CommandError, match="Entry #4 is missing"):
        call_command("verify_audit")


def test_verify_audit_names_a_deleted_entry_even_when_renumbered(trail, raw_sql):
    raw_sql(f"DELETE FROM {TABLE} WHERE sequence = 4")
    raw_sql(f"UPDATE {TABLE} SET sequence = sequence - 1 WHERE sequence > 4")
    with pytest.raises(CommandError, match=r"Entry #4 \(id \d+\) does not follow entry #3"):
        call_command("verify_audit")


def test_verify_audit_names_an_inserted_entry(trail, raw_sql):
    forged = trail[2]
    raw_sql(f"UPDATE {TABLE} SET sequence = sequence + 1000 WHERE sequence > 3")
    raw_sql(f"UPDATE {TABLE} SET sequence = sequence - 999 WHERE sequence > 1000")
    raw_sql(
        f"INSERT INTO {TABLE} (content_type_id, object_pk, object_repr, action, changes_text,"
        " timestamp, child_ref, event, sequence, prev_hash, entry_hash)"
        " VALUES (%s, '1', 'forged', 3, '', %s, '', 'read', 4, %s, %s)",
        [forged.content_type_id, forged.timestamp, forged.entry_hash, "f" * 64],
    )
    with pytest.raises(CommandError, match=r"Entry #4 \(id \d+\) was changed or forged"):
        call_command("verify_audit")


def test_verify_audit_names_an_entry_inserted_outside_the_chain(trail, raw_sql):
    raw_sql(
        f"INSERT INTO {TABLE} (content_type_id, object_pk, object_repr, action, changes_text,"
        " timestamp, child_ref, event, prev_hash, entry_hash)"
        " VALUES (%s, '1', 'forged', 3, '', %s, '', 'read', '', '')",
        [trail[0].content_type_id, trail[0].timestamp],
    )
    with pytest.raises(CommandError, match="inserted outside the chain"):
        call_command("verify_audit")


def test_verify_audit_names_swapped_entries(trail, raw_sql):
    raw_sql(f"UPDATE {TABLE} SET sequence = 1002 WHERE sequence = 2")
    raw_sql(f"UPDATE {TABLE} SET sequence = 2 WHERE sequence = 3")
    raw_sql(f"UPDATE {TABLE} SET sequence = 3 WHERE sequence = 1002")
    with pytest.raises(CommandError, match=r"Entry #2 \(id \d+\) does not follow entry #1"):
        call_command("verify_audit")


def test_the_application_never_changes_or_deletes_an_entry(trail):
    entry = trail[0]
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="x")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEntry.objects.all().delete()


def test_the_librarys_flush_command_is_disabled(trail):
    with pytest.raises(CommandError, match="append-only"):
        call_command("auditlogflush", "--yes")
    assert AuditEntry.objects.count() == 6


def test_entries_survive_a_round_trip_with_every_kind_of_value(db, make_user):
    user = make_user(None)
    record_event(
        Event.TRANSITION, actor=user, obj=user, child_ref="FD000001",
        details={"from": "screening", "to": "proposed", "reason": "Ünïcode ✓ — quoted", "n": 3},
    )  # fmt: skip
    AuditEntry(
        content_type=trail_content_type(), object_pk="7", object_repr="x", action=3,
        remote_addr="2001:0db8:0000:0000:0000:0000:0000:0001", actor=None,
        additional_data={"ids": ["1", "2"], "nested": [[1, 2.5], {"b": None, "a": True}]},
        changes={"field": ["old", "new"]},
    ).save()  # fmt: skip
    assert verify_chain().problem == ""


def trail_content_type():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(AuditEntry)


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "statement",
    [f"UPDATE {TABLE} SET object_repr = 'x'", f"DELETE FROM {TABLE}"],
    ids=["update", "delete"],
)
def test_postgresql_refuses_update_and_delete(trail, statement):
    from django.db import DatabaseError, transaction

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


def test_entries_appended_during_verification_are_left_for_the_next_run(trail, monkeypatch):
    from accounts import audit_verification

    original = audit_verification._Row

    def row_then_append(row):
        if row["sequence"] == 1:
            record_event(Event.READ, model=AuditEntry)
        return original(row)

    monkeypatch.setattr(audit_verification, "_Row", row_then_append)
    result = verify_chain(batch_size=2)
    assert (result.checked, result.problem) == (6, "")


def test_a_transaction_reads_the_chains_end_once_and_a_rollback_makes_it_read_again(
    db, django_assert_num_queries
):
    """Within one transaction the entries after the first are one insert each; an entry whose
    savepoint is rolled back is gone, and the next entry links to the one before it."""
    SealedNote.objects.create(reference="T0", body="first")  # reads the end, appends
    note = SealedNote.objects.create(reference="T1", body="second")
    # The note read for the change, its update and its entry: nothing of the chain's own.
    with django_assert_num_queries(3):
        note.body = "changed"
        note.save()
    with pytest.raises(RuntimeError), transaction.atomic():
        SealedNote.objects.create(reference="T2", body="rolled back")
        raise RuntimeError
    SealedNote.objects.create(reference="T3", body="after the rollback")
    entries = list(AuditEntry.objects.order_by("sequence"))
    assert [entry.sequence for entry in entries] == [1, 2, 3, 4]
    assert entries[-1].prev_hash == entries[-2].entry_hash
    assert verify_chain().problem == ""


def test_an_entry_after_a_released_savepoint_links_to_the_one_made_inside_it(db):
    with transaction.atomic():
        SealedNote.objects.create(reference="S0", body="inside")
    SealedNote.objects.create(reference="S1", body="after")
    entries = list(AuditEntry.objects.order_by("sequence"))
    assert [entry.sequence for entry in entries] == [1, 2]
    assert verify_chain().problem == ""
