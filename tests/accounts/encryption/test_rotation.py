"""`rotate_encryption_keys`: re-seals everything, in batches, resumable after an interruption."""

from __future__ import annotations

from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from accounts.encryption import Keyring, KeyRotationCheckpoint
from tests.accounts.encryption.conftest import KEY_A, KEY_B
from tests.standins.models import SealedNote

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BODY, ANSWER = "accounts.SealedNote.body", "accounts.SealedNote.answer"


def sealed_labels() -> set[str]:
    rows = SealedNote.objects.annotate(raw=Cast("body", TextField())).values_list("raw", flat=True)
    return {raw.split(":")[1] for raw in rows}


def make_notes(count: int) -> None:
    ring = Keyring([KEY_A])
    rows = [SealedNote(reference=f"R{n}", body="", answer=None) for n in range(count)]
    SealedNote.objects.bulk_create(rows)
    # Seal directly, as the old key would have, in one statement per row.
    with connection.cursor() as cursor:
        for note in SealedNote.objects.order_by("pk").values_list("pk", flat=True):
            cursor.execute(
                f"UPDATE {SealedNote._meta.db_table} SET body = %s, answer = %s WHERE id = %s",
                [
                    ring.seal(f"note {note} " + "x" * 50, BODY),
                    ring.seal(f"answer {note}", ANSWER),
                    note,
                ],
            )


class Interrupted(Exception):
    pass


def test_rotation_interrupted_half_way_resumes_and_the_old_key_can_go(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    make_notes(1000)
    assert sealed_labels() == {"alpha"}

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    calls = {"n": 0}

    def interrupt_after_first_batch(self, progress):
        calls["n"] += 1
        if calls["n"] == 1:
            raise Interrupted  # the process dies after the first batch has committed

    with (
        mock.patch(
            "accounts.management.commands.rotate_encryption_keys.Command._report",
            interrupt_after_first_batch,
        ),
        pytest.raises(Interrupted),
    ):
        call_command("rotate_encryption_keys", "--batch-size", "500", stdout=StringIO())
    assert sealed_labels() == {"alpha", "bravo"}
    checkpoint = KeyRotationCheckpoint.objects.get(model_label="accounts.SealedNote")
    assert checkpoint.resealed == 1000  # 500 rows, two fields each
    assert not checkpoint.completed

    out = StringIO()
    with mock.patch(
        "accounts.encryption.Keyring.open", autospec=True, side_effect=Keyring.open
    ) as opened:
        call_command("rotate_encryption_keys", "--batch-size", "500", stdout=out)
    assert opened.call_count == 1000  # only the second half was opened again
    assert "accounts.SealedNote: 2000 values re-sealed (1000 rows)" in out.getvalue()
    assert "500 of 1000 rows scanned this run" in out.getvalue()
    assert sealed_labels() == {"bravo"}

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]  # the old key removed
    notes = list(SealedNote.objects.order_by("pk"))
    assert len(notes) == 1000
    assert all(note.body.startswith(f"note {note.pk} ") for note in notes)
    assert all(note.answer == f"answer {note.pk}" for note in notes)


def test_a_finished_rotation_is_not_repeated_until_the_key_changes(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    make_notes(3)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    call_command("rotate_encryption_keys", stdout=StringIO())
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "already done with this key" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A, KEY_B]
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "6 values re-sealed" in out.getvalue()
    assert sealed_labels() == {"alpha"}


def test_a_row_changed_during_rotation_keeps_the_change(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    make_notes(2)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    first = SealedNote.objects.order_by("pk").first()
    original_open = Keyring.open

    def open_then_someone_edits(ring, envelope, context=""):
        plaintext = original_open(ring, envelope, context)
        if plaintext.startswith(f"note {first.pk} "):
            SealedNote.objects.filter(pk=first.pk).update(body="edited meanwhile")
        return plaintext

    with mock.patch("accounts.encryption.Keyring.open", open_then_someone_edits):
        call_command("rotate_encryption_keys", stdout=StringIO())
    assert SealedNote.objects.get(pk=first.pk).body == "edited meanwhile"
    # The row's other field was re-sealed all the same: the old key can go.
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert SealedNote.objects.get(pk=first.pk).answer == f"answer {first.pk}"


def test_a_value_left_under_the_old_key_is_reported_and_not_marked_done(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    make_notes(2)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    first = SealedNote.objects.order_by("pk").first()
    original_open = Keyring.open

    def open_then_an_old_process_writes(ring, envelope, context=""):
        plaintext = original_open(ring, envelope, context)
        if plaintext.startswith(f"note {first.pk} "):
            with connection.cursor() as cursor:  # a process still sealing with key A
                cursor.execute(
                    f"UPDATE {SealedNote._meta.db_table} SET body = %s WHERE id = %s",
                    [Keyring([KEY_A]).seal("old process", BODY), first.pk],
                )
        return plaintext

    with (
        mock.patch("accounts.encryption.Keyring.open", open_then_an_old_process_writes),
        pytest.raises(CommandError, match="1 values are still sealed with an old key"),
    ):
        call_command("rotate_encryption_keys", stdout=StringIO())
    assert not KeyRotationCheckpoint.objects.get(model_label="accounts.SealedNote").completed
    call_command("rotate_encryption_keys", stdout=StringIO())
    assert sealed_labels() == {"bravo"}
