"""The encrypted field: plain text in Python, sealed in the database, never searched."""

from __future__ import annotations

import json
import sys

import pytest
from django import forms
from django.core import checks, serializers
from django.core.exceptions import FieldError
from django.db import connection
from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from accounts.audit import ENCRYPTED_VALUE_MASK
from accounts.checks import check_field_encryption_keys
from accounts.encryption import TamperedValueError, UnknownKeyError
from accounts.models import AuditEntry
from tests.accounts.encryption.conftest import KEY_A, KEY_B
from tests.standins.models import SealedNote

pytestmark = pytest.mark.django_db
SECRET = "Child disclosed that her stepfather hit her"


def raw_body(note: SealedNote) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {SealedNote._meta.db_table} WHERE id = %s", [note.pk])
        return cursor.fetchone()[0]


def test_saved_text_is_sealed_in_the_table_and_plain_when_loaded():
    note = SealedNote.objects.create(reference="R1", body=SECRET)
    assert raw_body(note).startswith("fd1:")
    assert SECRET not in raw_body(note)
    assert SealedNote.objects.get(pk=note.pk).body == SECRET


def test_null_and_empty_are_kept():
    note = SealedNote.objects.create(reference="R1", body="", answer=None)
    note.refresh_from_db()
    assert (note.body, note.answer) == ("", None)
    assert SealedNote.objects.filter(answer__isnull=True).count() == 1


@pytest.mark.parametrize("lookup", ["body", "body__icontains", "body__startswith", "body__in"])
def test_lookups_other_than_isnull_are_refused_with_the_reason(lookup):
    value = ["x"] if lookup.endswith("__in") else "x"
    with pytest.raises(FieldError, match=r"SealedNote\.body is encrypted, so the database cannot"):
        list(SealedNote.objects.filter(**{lookup: value}))


def test_a_value_sealed_with_a_key_no_longer_configured_names_the_key(set_keys):
    set_keys(KEY_A)
    note = SealedNote.objects.create(reference="R1", body=SECRET)
    set_keys(KEY_B)
    with pytest.raises(UnknownKeyError, match="'alpha'"):
        SealedNote.objects.get(pk=note.pk)


def test_a_model_form_shows_the_plain_text_to_whoever_may_see_it():
    note = SealedNote.objects.create(reference="R1", body=SECRET)
    form_class = forms.modelform_factory(SealedNote, fields=["body"])
    assert SECRET in str(form_class(instance=SealedNote.objects.get(pk=note.pk))["body"])


def test_str_is_an_opaque_reference():
    note = SealedNote.objects.create(reference="R1", body=SECRET)
    assert SECRET not in str(note)


def test_dumpdata_writes_sealed_values_that_cannot_be_loaded_back_in():
    SealedNote.objects.create(reference="R1", body=SECRET)
    dumped = serializers.serialize("json", SealedNote.objects.all())
    assert SECRET not in dumped
    assert json.loads(dumped)[0]["fields"]["body"].startswith("fd1:")
    with pytest.raises(serializers.base.DeserializationError, match="encrypted value"):
        list(serializers.deserialize("json", dumped))


def test_a_sealed_value_pasted_into_a_form_is_refused_not_opened():
    stolen = raw_body(SealedNote.objects.create(reference="R1", body=SECRET))
    form_class = forms.modelform_factory(SealedNote, fields=["reference", "body"])
    form = form_class({"reference": "mine", "body": stolen})
    assert not form.is_valid()
    assert "This is an encrypted value" in str(form.errors["body"])
    assert SealedNote.objects.count() == 1


def test_a_value_moved_to_another_field_does_not_open():
    note = SealedNote.objects.create(reference="R1", body=SECRET, answer="x")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {SealedNote._meta.db_table} SET answer = body WHERE id = %s", [note.pk]
        )
    with pytest.raises(TamperedValueError, match="moved from another field"):
        SealedNote.objects.get(pk=note.pk)


def test_the_audit_entry_of_a_change_holds_none_of_the_content():
    note = SealedNote.objects.create(reference="R1", body=SECRET)
    note.body = SECRET + " again, twice"
    note.save()
    entries = AuditEntry.objects.filter(object_pk=str(note.pk)).order_by("pk")
    assert [entry.action for entry in entries] == [0, 1]
    for entry in entries:
        dumped = json.dumps([entry.changes, entry.changes_text, entry.object_repr])
        assert "stepfather" not in dumped
        assert "twice" not in dumped
    assert entries[1].changes_dict["body"] == [ENCRYPTED_VALUE_MASK, ENCRYPTED_VALUE_MASK]


def test_error_reports_show_no_local_variables_or_posted_values(settings):
    settings.DEBUG = True  # even the developer's technical page
    request = RequestFactory().post("/", {"concern": SECRET})
    confidential = SECRET  # a local variable of the failing frame
    try:
        raise ValueError("something failed")
    except ValueError:
        html = ExceptionReporter(request, *sys.exc_info()).get_traceback_html()
    assert confidential not in html
    assert "something failed" in html


def test_system_check_refuses_a_missing_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    errors = check_field_encryption_keys(None)
    assert [error.id for error in errors] == ["accounts.E001"]
    assert errors[0].level == checks.ERROR
    assert "No field encryption key is configured" in errors[0].msg


def test_system_check_passes_with_a_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    assert check_field_encryption_keys(None) == []
