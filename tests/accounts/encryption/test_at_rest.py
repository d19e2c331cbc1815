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
from referrals.contacts import Contact, ContactChild, ContactDecision
from referrals.models import Note
from tests.standins.models import SealedNote

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PLAIN_MARKER = "PLAIN-REFERENCE-7731"
SECRETS = [
    "SECRET-CONCERN-4471 she said he hurts her",
    "SECRET-ANSWER-9183 known to GP",
    "SECRET-DRAFT-5529 half typed",
    "SECRET-CONTACT-6612 burns on hands",
    "SECRET-REFERRER-7720 Mrs Secretname",
    "SECRET-RATIONALE-8841 repeated injuries",
    "SECRET-RETURN-3390 check history",
    "SECRET-FEEDBACK-2284 told the nurse",
    "SECRET-SCREENING-1175 known to police",
    "SECRET-NOTE-6048 dad back home",
]


def fill_every_encrypted_model() -> None:
    note = SealedNote.objects.create(reference=PLAIN_MARKER, body=SECRETS[0], answer="draft")
    note.answer = SECRETS[1]  # an update too: the old value must not linger either
    note.save()
    user = User.objects.create(
        username="drafter", agency=Agency.objects.create(name="A", kind="other")
    )
    save_draft(user=user, path="/form/", fields={"body": SECRETS[2]})
    fill_contact_models()
    # Every model with an encrypted field must be filled by this function.
    assert set(models_with_encrypted_fields()) <= {
        SealedNote, FormDraft, Contact, ContactChild, ContactDecision, Note,
    }  # fmt: skip


def fill_contact_models() -> None:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from referrals import services
    from referrals.codes import ConsentPosition, ReferralSource
    from referrals.contacts import LevelOfNeed, Outcome
    from referrals.models import Child

    agency = Agency.objects.create(name="Council", kind="local_authority")
    worker = User.objects.create(username="worker", agency=agency)
    worker.groups.add(Group.objects.get(name="Practitioner"))
    manager = User.objects.create(username="boss", agency=agency)
    manager.groups.add(Group.objects.get(name="Manager"))
    child = Child.objects.create(first_name="A", last_name="B")
    contact = services.contact_record(
        by=worker, received_at=timezone.now(), taken_by=worker, source=ReferralSource.GP,
        concern=SECRETS[3], consent=ConsentPosition.GIVEN, children=[child],
        referrer_name=SECRETS[4],
    )  # fmt: skip
    contact_child = contact.children.get()
    contact_child.screening_notes = SECRETS[8]
    contact_child.save()
    level = LevelOfNeed.objects.create(name="Level 2")
    services.decision_propose(by=worker, contact_child=contact_child, outcome=Outcome.ADVICE,
                              level_of_need=level, rationale=SECRETS[5])  # fmt: skip
    services.decision_return(by=manager, contact_child=contact_child, comment=SECRETS[6])
    services.decision_propose(by=worker, contact_child=contact_child, outcome=Outcome.ADVICE,
                              level_of_need=level, rationale="again")  # fmt: skip
    services.decision_sign_off(by=manager, contact_child=contact_child)
    services.feedback_record(
        by=worker, contact_child=contact_child, feedback_given=True, feedback_note=SECRETS[7],
        family_told=True, family_note="told",
    )  # fmt: skip
    note = services.note_add(by=worker, child=child, text="first")
    services.note_correct(by=worker, note=note, text=SECRETS[9], significant=True)


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
