"""The note's move from referrals to notes on a populated database (issue 14): the rows, the
content type id, object permissions, sharing records, the role's right, the audit chain and
the sealed text all survive, and the move reverses. Runs on PostgreSQL, where authorities
upgrade (unwinding and re-applying every later migration took a minute of each CI pass on
SQLite)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.audit import CHAIN_FIELDS, GENESIS_HASH, canonical_content, chain_hash
from accounts.encryption import KeyRotationCheckpoint
from accounts.models import User
from accounts.sharing import SharingRecord, shared_with
from casework import access
from casework.references import child_reference
from notes.models import Note
from workspace.selectors import audit_entries

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgresql,
    pytest.mark.heavy,
]

BEFORE_THE_MOVE = [("notes", None)]  # notes.0001 and referrals.0013 unapplied
TEXT = "Grandmother rang: she will collect him from school (fictional)."
ROLE = "Note readers (migration test)"


def migrate(targets) -> object:
    executor = MigrationExecutor(connection)
    state = executor.migrate(targets)
    ContentType.objects.clear_cache()
    return state


def migrate_to_the_end() -> None:
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def chained(apps, rows: list[dict]) -> list[int]:
    """Append entries to the audit chain with the chain's own hash; returns their ids."""
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    last = (
        AuditEntry.objects.filter(sequence__isnull=False)
        .order_by("-sequence")
        .values_list("sequence", "entry_hash")
        .first()
    )
    sequence, prev_hash = last if last else (0, GENESIS_HASH)
    ids = []
    for row in rows:
        sequence += 1
        values = dict.fromkeys(CHAIN_FIELDS)
        values.update({"changes_text": "", "object_repr": "", "child_ref": "", **row})
        values["sequence"] = sequence
        entry_hash = chain_hash(prev_hash, canonical_content(values))
        entry = AuditEntry.objects.create(**values, prev_hash=prev_hash, entry_hash=entry_hash)
        ids.append(entry.pk)
        prev_hash = entry_hash
    return ids


def populate_before_the_move(apps) -> dict:
    """A child, a note, a role holding the note's right, the note shared with the police
    (guardian and a sharing record) and audit entries about it, with historical models."""
    ContentType_ = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    HistoricalGroup = apps.get_model("auth", "Group")
    Agency = apps.get_model("accounts", "Agency")
    HistoricalUser = apps.get_model("accounts", "User")
    Child = apps.get_model("referrals", "Child")
    HistoricalNote = apps.get_model("referrals", "Note")
    GroupObjectPermission = apps.get_model("guardian", "GroupObjectPermission")
    HistoricalSharingRecord = apps.get_model("accounts", "SharingRecord")
    Checkpoint = apps.get_model("accounts", "KeyRotationCheckpoint")

    council = Agency.objects.create(name="Council (migration test)", kind="local_authority")
    police = Agency.objects.create(name="Police (migration test)", kind="police")
    worker = HistoricalUser.objects.create(username="mt-worker", agency=council)
    officer = HistoricalUser.objects.create(username="mt-officer", agency=police)
    reader = HistoricalUser.objects.create(username="mt-reader", agency=council)
    child = Child.objects.create(first_name="Jago", last_name="Testing")
    note = HistoricalNote.objects.create(child=child, text=TEXT, author=worker)

    content_type, _ = ContentType_.objects.get_or_create(app_label="referrals", model="note")
    view_note, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="view_note", defaults={"name": "Can view note"}
    )
    role = HistoricalGroup.objects.create(name=ROLE)
    role.permissions.add(view_note)
    reader.groups.add(role)
    grants = HistoricalGroup.objects.create(name=f"Grants to agency {police.pk}")
    police.grant_group = grants
    police.save(update_fields=["grant_group"])
    GroupObjectPermission.objects.create(
        group=grants, permission=view_note, content_type=content_type, object_pk=str(note.pk)
    )
    HistoricalSharingRecord.objects.create(
        content_type=content_type, object_id=note.pk, what=f"Note N-{note.pk:06d}",
        permission="referrals.view_note", child_ref=child_reference(child.pk), agency=police,
        decision="shared", by=worker, article6="6(1)(e)", expires_at=None,
    )  # fmt: skip
    Checkpoint.objects.create(model_label="referrals.Note", key_label="k", key_fingerprint="f")

    now = timezone.now().replace(microsecond=123456)
    about_the_note = {
        "content_type_id": content_type.pk, "object_pk": str(note.pk), "object_id": note.pk,
        "object_repr": f"Note N-{note.pk:06d}", "actor_id": worker.pk,
        "child_ref": child_reference(child.pk),
    }  # fmt: skip
    entries = chained(
        apps,
        [
            {**about_the_note, "timestamp": now, "action": 0, "event": "create"},
            {
                **about_the_note, "timestamp": now + timedelta(seconds=1), "action": 3,
                "event": "read", "additional_data": {"path": f"/children/{child.pk}/"},
                "remote_addr": "192.0.2.1",
            },
        ],
    )  # fmt: skip
    return {
        "content_type_id": content_type.pk, "note": note.pk, "officer": officer.pk,
        "reader": reader.pk, "entries": entries,
    }  # fmt: skip


def test_the_note_keeps_its_identity_when_it_moves_to_the_notes_app():
    state = migrate(BEFORE_THE_MOVE)
    try:
        assert "notes_note" not in connection.introspection.table_names()
        before = populate_before_the_move(state.apps)
        call_command("verify_audit", stdout=StringIO())  # the chain holds before the move

        migrate_to_the_end()

        content_type = ContentType.objects.get_by_natural_key("notes", "note")
        assert content_type.pk == before["content_type_id"]
        assert ContentType.objects.get_for_model(Note) == content_type
        assert not ContentType.objects.filter(app_label="referrals", model="note").exists()
        assert "referrals_note" not in connection.introspection.table_names()
        note = Note.objects.get(pk=before["note"])
        assert note.text == TEXT  # sealed as a referrals note, still opens

        officer = User.objects.get(pk=before["officer"])
        assert list(Note.objects.filter(pk__in=shared_with(officer, Note, access.NOTE_VIEW))) == [
            note
        ]
        assert SharingRecord.objects.get(object_id=note.pk).permission == "notes.view_note"
        reader = User.objects.get(pk=before["reader"])
        assert reader.has_perm("notes.view_note")
        assert Group.objects.get(name=ROLE).permissions.get().content_type == content_type
        assert KeyRotationCheckpoint.objects.filter(model_label="notes.Note").exists()

        call_command("verify_audit", stdout=StringIO())  # raises CommandError if broken
        trail = audit_entries(content_type=content_type, object_pk=str(note.pk))
        assert sorted(trail.values_list("pk", flat=True)) == sorted(before["entries"])

        # And back: the same row under referrals again, then forward once more.
        migrate(BEFORE_THE_MOVE)
        assert (
            ContentType.objects.get_by_natural_key("referrals", "note").pk
            == (before["content_type_id"])
        )
        assert "notes_note" not in connection.introspection.table_names()
        call_command("verify_audit", stdout=StringIO())
    finally:
        migrate_to_the_end()
    assert Note.objects.get(pk=before["note"]).text == TEXT
