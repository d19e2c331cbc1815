"""Anchors: the trail's tail published outside the database, so that cutting it shows."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.audit import AuditEntry, forget_chain_end
from accounts.audit_anchors import RESTORED, read_anchors
from accounts.tasks import anchor_audit
from tests.standins.models import SealedNote

pytestmark = pytest.mark.django_db
TABLE = AuditEntry._meta.db_table


@pytest.fixture
def anchors(tmp_path, settings):
    settings.AUDIT_ANCHOR_PATH = str(tmp_path / "anchors.jsonl")
    return tmp_path / "anchors.jsonl"


def add_entries(count: int) -> None:
    for n in range(count):
        SealedNote.objects.create(reference=f"AN{n}", body="concern")


def remove_entries_from(sequence: int) -> None:
    """What a database owner could do: delete the newest entries, triggers off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(f"DELETE FROM {TABLE} WHERE sequence >= %s", [sequence])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
    # A restore or an intruder works outside this test's transaction, which would read the
    # chain's end afresh; the test's one transaction is told to.
    forget_chain_end()


def verify(anchors) -> str:
    call_command("verify_audit", "--anchors", str(anchors))
    return "ok"


def test_anchor_audit_appends_a_signed_line_with_the_last_sequence_and_hash(anchors, capsys):
    add_entries(3)
    call_command("anchor_audit", "--to", str(anchors))
    add_entries(1)
    call_command("anchor_audit")  # AUDIT_ANCHOR_PATH
    assert "Anchored entry #4" in capsys.readouterr().out
    lines = [json.loads(line) for line in anchors.read_text().splitlines()]
    last = AuditEntry.objects.get(sequence=4)
    assert [line["sequence"] for line in lines] == [3, 4]
    assert lines[-1]["hash"] == last.entry_hash and lines[-1]["kind"] == "anchor"
    assert verify(anchors) == "ok"


def test_the_periodic_job_writes_the_same_anchor(anchors):
    add_entries(2)
    assert anchor_audit.call() == 2
    assert [anchor.sequence for anchor in read_anchors(anchors)] == [2]


def test_cutting_the_last_entries_is_detected(anchors):
    add_entries(5)
    call_command("anchor_audit")
    remove_entries_from(4)
    call_command("verify_audit")  # the shorter chain alone verifies clean...
    with pytest.raises(CommandError, match=r"shorter than its anchor.*#5 is missing"):
        verify(anchors)  # ...but not against its anchor


def test_emptying_the_trail_is_detected_once_anything_was_anchored(anchors):
    add_entries(2)
    call_command("anchor_audit")
    remove_entries_from(1)
    assert AuditEntry.objects.count() == 0
    with pytest.raises(CommandError, match="#2 is missing"):
        verify(anchors)


def test_an_empty_trail_anchored_empty_verifies(anchors):
    call_command("anchor_audit")
    assert verify(anchors) == "ok"


def test_a_trail_rewritten_from_an_anchored_entry_is_detected(anchors, settings):
    add_entries(3)
    call_command("anchor_audit")
    remove_entries_from(1)
    add_entries(3)  # a new chain of the same length, with other hashes (other timestamps)
    with pytest.raises(CommandError, match="#3 is not the entry anchored"):
        verify(anchors)


def test_a_forged_or_damaged_anchor_is_refused(anchors, settings):
    add_entries(2)
    call_command("anchor_audit")
    line = json.loads(anchors.read_text())
    line["sequence"] = 1  # lowered to hide a cut: the signature no longer matches
    anchors.write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError, match="line 1 is not signed with the anchor key"):
        verify(anchors)
    anchors.write_text("not json\n")
    with pytest.raises(CommandError, match="line 1 is damaged"):
        verify(anchors)


def test_an_anchor_signed_with_another_key_is_refused(anchors, settings):
    call_command("anchor_audit")
    settings.AUDIT_ANCHOR_KEY = "another anchor key of at least thirty-two characters"
    with pytest.raises(CommandError, match="not signed with the anchor key"):
        verify(anchors)


def test_a_restore_to_an_earlier_point_is_accepted_once_recorded(anchors, capsys):
    add_entries(3)
    call_command("anchor_audit")
    add_entries(3)
    call_command("anchor_audit")
    remove_entries_from(5)  # the database restored to a point after entry #4
    with pytest.raises(CommandError, match="#6 is missing"):
        verify(anchors)
    call_command("anchor_audit", "--restored")
    assert read_anchors(anchors)[-1].kind == RESTORED
    assert verify(anchors) == "ok"
    output = capsys.readouterr().out
    assert "Restored to entry #4" in output and "Note: restored to entry #4" in output
    add_entries(1)
    call_command("anchor_audit")
    remove_entries_from(5)  # a cut after the restore is still caught
    with pytest.raises(CommandError, match="#5 is missing"):
        verify(anchors)


def test_a_restore_does_not_excuse_a_rewritten_anchored_entry_before_it(anchors):
    add_entries(2)
    call_command("anchor_audit")
    remove_entries_from(1)
    add_entries(3)
    call_command("anchor_audit", "--restored")
    with pytest.raises(CommandError, match="#2 is not the entry anchored"):
        verify(anchors)


def test_a_missing_anchor_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("verify_audit", "--anchors", str(tmp_path / "nowhere"))
