"""Failed sign-ins lock the account after the configured number; unlock; nothing typed is kept."""

from __future__ import annotations

import json

import pytest
from axes.models import AccessAttempt, AccessLog
from django.core import serializers
from django.urls import reverse

from accounts import two_factor
from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def fail(client, username: str, times: int, password: str = "wrong-password"):
    response = None
    for _ in range(times):
        response = client.post(
            reverse("accounts:sign-in"), {"username": username, "password": password}
        )
    return response


def test_the_account_locks_after_the_configured_failures(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user(Role.PRACTITIONER)
    assert fail(client, user.username, 2).status_code == 200
    response = fail(client, user.username, 1)
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    # Even the right password is refused now.
    response = client.post(
        reverse("accounts:sign-in"), {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The lockout and each refused attempt while locked are audited.
    locked = AuditEntry.objects.filter(event=Event.LOCKED_OUT)
    assert locked.count() == 2
    assert {entry.object_pk for entry in locked} == {str(user.pk)}


def test_a_system_administrator_unlocks(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = make_user(Role.PRACTITIONER)
    fail(client, user.username, 2)
    two_factor.unlock(user=user, by=make_user(Role.SYSTEM_ADMINISTRATOR))
    response = client.post(
        reverse("accounts:sign-in"), {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(event=Event.UPDATE, object_repr="Sign-in unlocked").exists()


def test_a_username_matching_no_account_is_neither_stored_nor_logged(client, db, caplog, settings):
    settings.AXES_FAILURE_LIMIT = 2
    typed = "Correct-Horse-Battery-9"  # a password typed into the username box
    fail(client, typed, 3)
    stored = serializers.serialize("json", [*AccessAttempt.objects.all(), *AccessLog.objects.all()])
    assert typed not in stored
    assert AccessAttempt.objects.filter(username__startswith=two_factor.UNKNOWN_ACCOUNT).exists()
    trail = json.dumps(
        [[e.object_repr, e.additional_data, e.object_pk] for e in AuditEntry.objects.all()]
    )
    assert typed not in trail
    assert typed not in caplog.text


def test_the_password_is_never_stored(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = make_user(Role.PRACTITIONER)
    fail(client, user.username, 2, password="Secret-Guess-4321")
    stored = serializers.serialize("json", AccessAttempt.objects.all())
    assert "Secret-Guess-4321" not in stored


def test_unknown_names_get_the_same_answer_as_a_wrong_password_however_many(
    client, make_user, settings
):
    # A "locked" answer for unknown names only would tell which usernames exist.
    settings.AXES_FAILURE_LIMIT = 2
    for n in range(6):
        response = fail(client, f"ghost{n % 2}", 1)
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()
    real = make_user(Role.PRACTITIONER)
    assert fail(client, real.username, 1).status_code == 200
