"""Idle and absolute time-outs, keep-alive, and drafts that survive a time-out."""

from __future__ import annotations

import io
import json
import re
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import FormDraft
from accounts.roles import Role
from accounts.sessions import LAST_ACTIVITY, SIGNED_IN_AT, save_draft
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db
FORM = "/standin/note-form/"


@pytest.fixture
def user_client(client, make_user, settings):
    settings.ROOT_URLCONF = "tests.standins.views"
    settings.SESSION_IDLE_SECONDS = 600
    settings.SESSION_MAX_AGE_SECONDS = 3600
    user = make_user(Role.PRACTITIONER)
    sign_in(client, user)
    client.user = user
    return client


def age_session(client, *, idle: float = 0, signed_in: float = 0) -> None:
    session = client.session
    now = time.time()
    session[LAST_ACTIVITY] = now - idle
    session[SIGNED_IN_AT] = now - signed_in
    session.save()


def test_activity_within_the_idle_limit_keeps_the_session(user_client):
    age_session(user_client, idle=590)
    assert user_client.get("/").status_code == 200


def test_idle_too_long_signs_out_and_returns_there_after_sign_in(user_client):
    age_session(user_client, idle=601)
    response = user_client.get(FORM)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:sign-in')}?timed_out=1&next={FORM}"
    assert "_auth_user_id" not in user_client.session
    page = user_client.get(response.url).content.decode()
    assert "You were signed out because you had not done anything for a while" in page


def test_the_absolute_limit_applies_however_active(user_client):
    age_session(user_client, idle=1, signed_in=3601)
    assert user_client.get("/").status_code == 302
    assert "_auth_user_id" not in user_client.session


def test_saving_a_draft_does_not_reset_the_idle_clock(user_client):
    age_session(user_client, idle=300)
    before = user_client.session[LAST_ACTIVITY]
    response = user_client.post(
        reverse("accounts:save-draft"), {"path": FORM, "fields": json.dumps({"body": "typed"})}
    )
    assert response.status_code == 204
    assert user_client.session[LAST_ACTIVITY] == before


def test_stay_signed_in_resets_the_idle_clock(user_client):
    age_session(user_client, idle=550)
    response = user_client.post(reverse("accounts:keep-alive"))
    assert response.json()["seconds_left"] >= 599


def test_a_draft_is_encrypted_kept_for_its_author_only_and_offered_back(
    user_client, make_user, client
):
    user_client.post(
        reverse("accounts:save-draft"),
        {
            "path": FORM,
            "fields": json.dumps({"body": "Bruise on the left cheek", "csrfmiddlewaretoken": "x"}),
        },
    )
    draft = FormDraft.objects.get()
    assert draft.fields == {"body": "Bruise on the left cheek"}
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM accounts_formdraft")
        assert "Bruise" not in cursor.fetchone()[0]
    page = user_client.get(FORM).content.decode()
    assert "You have answers on this page that you had not sent" in page
    assert "Bruise on the left cheek" in page  # in the JSON the restore button reads
    other = make_user(Role.PRACTITIONER)
    client.logout()
    sign_in(client, other)
    assert "Bruise" not in client.get(FORM).content.decode()


def test_sending_the_form_discards_its_draft(user_client):
    user_client.post(
        reverse("accounts:save-draft"), {"path": FORM, "fields": json.dumps({"body": "x"})}
    )
    user_client.post(FORM, {"reference": "R1", "body": "the note"})
    assert not FormDraft.objects.exists()


def test_discard_button_removes_the_draft(user_client):
    user_client.post(
        reverse("accounts:save-draft"), {"path": FORM, "fields": json.dumps({"body": "x"})}
    )
    response = user_client.post(reverse("accounts:discard-draft"), {"path": FORM})
    assert response.url == FORM
    assert not FormDraft.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"path": FORM, "fields": "not json"},
        {"path": "https://evil.example/", "fields": "{}"},
        {"path": FORM, "fields": "[1]"},
    ],
)
def test_bad_draft_requests_change_nothing(user_client, data):
    assert user_client.post(reverse("accounts:save-draft"), data).status_code == 400
    assert not FormDraft.objects.exists()


def test_expired_drafts_are_not_offered(user_client, settings):
    from datetime import timedelta

    from django.utils import timezone

    user_client.post(
        reverse("accounts:save-draft"), {"path": FORM, "fields": json.dumps({"body": "old"})}
    )
    FormDraft.objects.update(
        updated_at=timezone.now() - timedelta(hours=settings.DRAFT_KEEP_HOURS + 1)
    )
    assert "You have answers" not in user_client.get(FORM).content.decode()


def test_pages_without_forms_do_not_look_for_drafts(user_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as home:
        user_client.get(reverse("workspace:notices"))  # the home page lists a started contact
    with CaptureQueriesContext(connection) as form:
        user_client.get(FORM)
    assert not [q for q in home.captured_queries if "accounts_formdraft" in q["sql"]]
    assert [q for q in form.captured_queries if "accounts_formdraft" in q["sql"]]


def test_a_session_without_its_sign_in_time_counts_as_ended(user_client):
    session = user_client.session
    del session[SIGNED_IN_AT]
    session.save()
    assert user_client.get("/").status_code == 302


def test_a_form_sent_after_the_time_out_is_kept_as_a_draft(user_client):
    age_session(user_client, idle=601)
    response = user_client.post(FORM, {"reference": "R9", "body": "Sent too late"})
    assert response.url.startswith(reverse("accounts:sign-in"))
    draft = FormDraft.objects.get(path=FORM)
    assert draft.fields == {"reference": "R9", "body": "Sent too late"}


def test_signed_in_pages_are_never_stored_by_the_browser(user_client, client):
    cache_control = user_client.get("/")["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


def test_the_page_is_told_the_servers_seconds_left_including_the_absolute_limit(user_client):
    age_session(user_client, idle=100, signed_in=3500)  # 100 s to the absolute limit
    response = user_client.get(FORM)
    left = int(re.search(r'data-session-seconds-left="(\d+)"', response.content.decode()).group(1))
    assert 95 <= left <= 100


def test_purge_drafts_removes_old_drafts_keeps_fresh_ones_and_can_run_again(make_user, settings):
    author = make_user(Role.PRACTITIONER)
    old = save_draft(user=author, path="/old/", fields={"body": "old case text"})
    fresh = save_draft(user=author, path="/fresh/", fields={"body": "new case text"})
    FormDraft.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - timedelta(hours=settings.DRAFT_KEEP_HOURS, minutes=1)
    )
    out = io.StringIO()
    call_command("purge_drafts", stdout=out)
    assert out.getvalue().strip() == "1 expired draft removed."
    assert list(FormDraft.objects.all()) == [fresh]
    out = io.StringIO()
    call_command("purge_drafts", stdout=out)
    assert out.getvalue().strip() == "0 expired drafts removed."
    assert list(FormDraft.objects.all()) == [fresh]
