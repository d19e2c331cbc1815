"""Lockout nobody can abuse (issue 16): per account and address together, the same answers for
a name with no account, a stated time at which the lock ends by itself, the holder and the
administrators told, every lock cleared by one command, counts every process sees."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import environ
import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail, serializers
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import lockout, two_factor
from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from tests.factories import TEST_PASSWORD
from tests.pages import page_text

pytestmark = pytest.mark.django_db


def fail(client, username: str, times: int, password: str = "wrong-password", **extra):
    response = None
    for _ in range(times):
        response = client.post(
            reverse("accounts:sign-in"), {"username": username, "password": password}, **extra
        )
    return response


def right_password(client, user, **extra):
    return client.post(
        reverse("accounts:sign-in"), {"username": user.username, "password": TEST_PASSWORD}, **extra
    )


def move_back(by: timedelta) -> None:
    """As if the failures had happened earlier by `by` (the lock is measured from them)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - by)


def test_the_account_locks_after_the_configured_failures_until_a_stated_time(
    client, make_user, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user(Role.PRACTITIONER)
    assert fail(client, user.username, 2).status_code == 200
    response = fail(client, user.username, 1)
    assert response.status_code == 429
    until = timezone.localtime(lockout.locked_until(response.wsgi_request, user.username))
    assert until - timezone.now() == pytest.approx(
        timedelta(minutes=settings.SIGN_IN_LOCKOUT_MINUTES), abs=timedelta(seconds=5)
    )
    text = page_text(response)
    assert f"Sign-in is paused until {until:%H:%M}" in text
    assert f"You can sign in again from {until:%H:%M} on {until.day} {until:%B %Y}" in text
    assert 0 < int(response["Retry-After"]) <= settings.SIGN_IN_LOCKOUT_MINUTES * 60
    # Even the right password is refused now, and the stated time does not move on.
    response = right_password(client, user)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert lockout.locked_until(response.wsgi_request, user.username) == until
    # The lockout and each refused attempt while locked are audited.
    locked = AuditEntry.objects.filter(event=Event.LOCKED_OUT)
    assert locked.count() == 2
    assert {entry.object_pk for entry in locked} == {str(user.pk)}


def test_a_lockout_ends_by_itself_at_the_stated_time(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.SIGN_IN_LOCKOUT_MINUTES = 10
    settings.AXES_COOLOFF_TIME = timedelta(minutes=10)
    user = make_user(Role.PRACTITIONER)
    response = fail(client, user.username, 2)
    until = lockout.locked_until(response.wsgi_request, user.username)
    # A second before the stated time: still paused, even for the right password.
    move_back(until - timezone.now() - timedelta(seconds=1))
    assert right_password(client, user).status_code == 429
    # At the stated time, with nobody doing anything, the right password works again.
    move_back(timedelta(seconds=2))
    response = right_password(client, user)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_six_wrong_passwords_give_the_same_answers_for_an_existing_and_a_missing_name(
    client, make_user, settings
):
    settings.AXES_FAILURE_LIMIT = 5
    real = make_user(Role.SYSTEM_ADMINISTRATOR)
    missing = "sysadmin-who-does-not-exist"

    def answers(name: str) -> list[tuple[int, str, str | None]]:
        seen = []
        for _ in range(6):
            response = fail(client, name, 1)
            text = re.sub(r"\d{2}:\d{2}|\d{1,2} \w+ \d{4}", "<time>", page_text(response))
            text = text.replace(name, "<name>")
            seen.append((response.status_code, text, response.get("Retry-After")))
        return seen

    real_answers, missing_answers = answers(real.username), answers(missing)
    assert [status for status, _, _ in real_answers] == [200, 200, 200, 200, 429, 429]
    assert [(s, t) for s, t, _ in real_answers] == [(s, t) for s, t, _ in missing_answers]
    for (_, _, a), (_, _, b) in zip(real_answers, missing_answers, strict=True):
        assert (a is None) == (b is None)
        if a is not None:
            assert abs(int(a) - int(b)) <= 5
    assert "Enter a correct username and password" in real_answers[0][1]
    assert "Sign-in is paused until" in real_answers[-1][1]
    # The right password is refused for the locked real name, as for any locked name.
    assert right_password(client, real).status_code == 429


def test_failures_from_another_address_do_not_lock_the_holder_out(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user(Role.SYSTEM_ADMINISTRATOR)
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    assert fail(client, user.username, 10, **attacker).status_code == 429
    assert right_password(client, user, **attacker).status_code == 429
    # From the holder's own address the right password still works.
    response = right_password(client, user, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 302
    # And another person at the attacker's address, with their own account, is not locked.
    other = make_user(Role.PRACTITIONER)
    client.logout()
    assert right_password(client, other, **attacker).status_code == 302


def test_a_name_with_no_account_is_counted_under_a_keyed_hash_never_the_name(
    client, db, caplog, settings
):
    settings.AXES_FAILURE_LIMIT = 2
    typed = "Correct-Horse-Battery-9"  # a password typed into the username box
    fail(client, typed, 3)
    (attempt,) = AccessAttempt.objects.all()
    assert attempt.username.startswith(lockout.UNKNOWN_ACCOUNT)
    assert attempt.failures_since_start == 2  # one count for the name, not one per attempt
    assert attempt.username == lockout.lock_key(None, {"username": typed})
    assert attempt.username != lockout.lock_key(None, {"username": typed.lower()})
    stored = serializers.serialize("json", [*AccessAttempt.objects.all(), *AccessLog.objects.all()])
    assert typed not in stored
    trail = json.dumps(
        [[e.object_repr, e.additional_data, e.object_pk] for e in AuditEntry.objects.all()]
    )
    assert typed not in trail
    assert typed not in caplog.text


def test_the_hash_is_keyed_with_the_secret_key(settings):
    before = lockout.lock_key(None, {"username": "ghost"})
    settings.SECRET_KEY = "another secret key " * 4
    assert lockout.lock_key(None, {"username": "ghost"}) != before


def test_the_password_is_never_stored(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = make_user(Role.PRACTITIONER)
    fail(client, user.username, 2, password="Secret-Guess-4321")
    stored = serializers.serialize("json", AccessAttempt.objects.all())
    assert "Secret-Guess-4321" not in stored


def test_a_system_administrator_unlocks(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = make_user(Role.PRACTITIONER)
    fail(client, user.username, 2)
    two_factor.unlock(user=user, by=make_user(Role.SYSTEM_ADMINISTRATOR))
    assert right_password(client, user).status_code == 302
    assert AuditEntry.objects.filter(event=Event.UPDATE, object_repr="Sign-in unlocked").exists()


def test_the_holder_and_the_administrators_are_told_once_per_lock(
    client, make_user, settings, django_capture_on_commit_callbacks
):
    settings.AXES_FAILURE_LIMIT = 2
    user = make_user(Role.PRACTITIONER, email="holder@example.gov.uk")
    make_user(Role.SYSTEM_ADMINISTRATOR, email="admin1@example.gov.uk")
    make_user(Role.SYSTEM_ADMINISTRATOR, email="gone@example.gov.uk", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        fail(client, user.username, 2)
        fail(client, user.username, 3)  # refused while locked: nobody is told again
        fail(client, user.username, 2, REMOTE_ADDR="203.0.113.9")  # nor from another address
    holder, administrators = mail.outbox
    assert holder.to == ["holder@example.gov.uk"]
    assert administrators.to == ["admin1@example.gov.uk"]
    assert "http://testserver/sign-in/" in holder.body
    assert f"http://testserver/administration/users/{user.pk}/" in administrators.body
    assert "paused until" in holder.body and user.username in administrators.body
    assert "clear_sign_in_locks" in administrators.body


def test_a_locked_name_with_no_account_tells_nobody(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    make_user(Role.SYSTEM_ADMINISTRATOR, email="admin1@example.gov.uk")
    fail(client, "ghost", 3)
    assert mail.outbox == []


def test_a_full_sign_in_clears_the_count(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 5
    user = make_user(Role.PRACTITIONER)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    fail(client, user.username, 3)
    right_password(client, user)
    # The password alone does not clear it: wrong codes after it still count toward the lock.
    assert AccessAttempt.objects.get().failures_since_start == 3
    code = f"{totp(device.bin_key):06d}"
    response = client.post(reverse("accounts:second-factor"), {"code": code, "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert not AccessAttempt.objects.exists()


def test_clear_sign_in_locks_clears_every_lock_and_throttle(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    locked = make_user(Role.SYSTEM_ADMINISTRATOR)  # the last administrator, locked out
    fail(client, locked.username, 2)
    fail(client, "ghost", 2)
    device = TOTPDevice.objects.create(
        user=locked, name="app", confirmed=True,
        throttling_failure_count=9, throttling_failure_timestamp=timezone.now(),
    )  # fmt: skip
    throttles = caches[django_settings.RATELIMIT_USE_CACHE]
    throttles.set("password-reset-count", 5)
    out = StringIO()
    call_command("clear_sign_in_locks", stdout=out)
    assert "Cleared 2 failed sign-in count(s)" in out.getvalue()
    assert not AccessAttempt.objects.exists()
    device.refresh_from_db()
    assert device.throttling_failure_count == 0 and device.verify_is_allowed()[0]
    assert throttles.get("password-reset-count") is None
    assert right_password(client, locked).status_code == 302
    assert AuditEntry.objects.filter(object_repr__contains="clear_sign_in_locks").exists()


def test_the_readme_documents_the_command():
    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    assert "manage.py clear_sign_in_locks" in readme


def test_the_lock_needs_a_time_to_end_by_itself():
    assert (
        timedelta(minutes=django_settings.SIGN_IN_LOCKOUT_MINUTES)
        == django_settings.AXES_COOLOFF_TIME
    )
    assert django_settings.SIGN_IN_LOCKOUT_MINUTES >= 1


# Two processes share one count --------------------------------------------------------------

_OTHER_PROCESS = """
import django, sys
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
name, times = sys.argv[1], int(sys.argv[2])
client = Client()
for _ in range(times):
    response = client.post("/sign-in/", {"username": name, "password": "wrong-password"})
print(response.status_code)
"""


def other_process(username: str, times: int) -> int:
    """Wrong passwords posted by a second Python process of the service, on the same database."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    environment = {
        **environ.Env.ENVIRON,  # this process's environment, through the one reader
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SIGN_IN_FAILURE_LIMIT": "5",
    }
    done = subprocess.run(  # noqa: S603  # our own interpreter and script, no shell
        [sys.executable, "-c", _OTHER_PROCESS, username, str(times)],
        env=environment, cwd=django_settings.BASE_DIR, capture_output=True, text=True,
        check=True, timeout=120,
    )  # fmt: skip
    return int(done.stdout.strip().splitlines()[-1])


# Committed rows, so that the other process sees them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_processes_share_one_lockout_count(client, make_user, settings):
    if connection.vendor == "sqlite" and ":memory:" in connection.settings_dict["NAME"]:
        pytest.fail("this test needs a file-backed SQLite test database (config/settings.py)")
    # An earlier transactional test's flush may have made the content types anew (new ids) and
    # removed the roles: forget the cached ids, and sign in with an account without a role.
    ContentType.objects.clear_cache()
    settings.AXES_FAILURE_LIMIT = 5
    user = make_user()
    assert other_process(user.username, 3) == 200  # three failures in the other process
    assert fail(client, user.username, 1).status_code == 200  # the fourth here
    assert other_process(user.username, 1) == 429  # the fifth, there, locks
    assert right_password(client, user).status_code == 429  # and this process sees the lock
    call_command("clear_sign_in_locks", stdout=StringIO())
    assert right_password(client, user).status_code == 302
