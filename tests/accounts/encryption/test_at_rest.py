"""No plaintext of a sealed value anywhere in the database's bytes: table, audit trail, free pages.

Every model with encrypted fields is filled here; the later issues add their models to
`SEALED_EXAMPLES` so that this test covers each new encrypted field.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest
from django.db import connection

from accounts.encryption import models_with_encrypted_fields
from accounts.models import Agency, FormDraft, User
from accounts.sessions import save_draft
from tests.standins.models import SealedNote

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PLAIN_MARKER = "PLAIN-REFERENCE-7731"
SECRETS = [
    "SECRET-CONCERN-4471 she said he hurts her",
    "SECRET-ANSWER-9183 known to GP",
    "SECRET-DRAFT-5529 half typed",
]


def fill_every_encrypted_model() -> None:
    note = SealedNote.objects.create(reference=PLAIN_MARKER, body=SECRETS[0], answer="draft")
    note.answer = SECRETS[1]  # an update too: the old value must not linger either
    note.save()
    user = User.objects.create(
        username="drafter", agency=Agency.objects.create(name="A", kind="other")
    )
    save_draft(user=user, path="/form/", fields={"body": SECRETS[2]})
    # Every model with an encrypted field must be filled by this function.
    assert set(models_with_encrypted_fields()) <= {SealedNote, FormDraft}


@pytest.mark.sqlite
def test_sqlite_database_bytes_hold_no_plaintext(tmp_path):
    assert connection.vendor == "sqlite"
    fill_every_encrypted_model()
    copy = tmp_path / "copy.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    connection.connection.backup(target)
    target.close()
    data = copy.read_bytes()
    assert PLAIN_MARKER.encode() in data  # the check can see plain text when it is there
    for secret in SECRETS:
        assert secret.split()[0].encode() not in data


@pytest.mark.postgresql
def test_pg_dump_holds_no_plaintext():
    assert connection.vendor == "postgresql"
    fill_every_encrypted_model()
    settings_dict = connection.settings_dict
    command = [
        shutil.which("pg_dump") or "pg_dump",
        "--data-only",
        "--host", settings_dict["HOST"] or "127.0.0.1",
        "--port", str(settings_dict["PORT"] or 5432),
        "--username", settings_dict["USER"] or "postgres",
        settings_dict["NAME"],
    ]  # fmt: skip
    env = {"PGPASSWORD": settings_dict["PASSWORD"] or ""}
    dump = subprocess.run(command, capture_output=True, check=True, env=env, timeout=120).stdout  # noqa: S603  # fixed arguments
    assert PLAIN_MARKER.encode() in dump
    for secret in SECRETS:
        assert secret.split()[0].encode() not in dump
