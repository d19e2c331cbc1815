"""Issue 19: a half-finished contact is a saved draft record, listed on the home page and the
queue as "not yet recorded" with "continue" and "discard"; it never expires with other drafts
and comes back with each child once."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import FormDraft
from accounts.roles import Role
from tests.conftest import sign_in
from tests.referrals.test_record_contact import (
    CHECK_URL,
    NEW_URL,
    child_row,
    details,
)

pytestmark = pytest.mark.django_db

HOME, QUEUE = reverse("workspace:home"), reverse("referrals:queue")
NOT_YET = "A contact you started: not yet recorded"


@pytest.fixture
def worker_client(client, make_user):
    client.worker = make_user(Role.PRACTITIONER)
    return sign_in(client, client.worker)


def typed(worker) -> dict:
    return {**details(worker), **child_row(0, "Ava", "Quill"), **child_row(1, "Bo", "Quill")}


def save_in_background(client, fields: dict) -> None:
    response = client.post(
        reverse("accounts:save-draft"), {"path": NEW_URL, "fields": json.dumps(fields)}
    )
    assert response.status_code == 204


def test_a_half_finished_contact_is_listed_continued_with_each_child_once_and_discarded(
    worker_client,
):
    for page in (HOME, QUEUE):
        assert NOT_YET not in worker_client.get(page).content.decode()
    save_in_background(worker_client, typed(worker_client.worker))
    for page in (HOME, QUEUE):
        body = worker_client.get(page).content.decode()
        assert NOT_YET in body and f'href="{NEW_URL}"' in body and "Discard the contact" in body
    for _ in range(3):  # comes back as often as asked, its children never multiplied
        page = worker_client.get(NEW_URL)
        body = page.content.decode()
        assert page.status_code == 200 and "You are continuing a contact" in body
        assert body.count('value="Ava"') == 1 and body.count('value="Bo"') == 1
        assert page.context["form"].counts["child"] == 2
    response = worker_client.post(reverse("referrals:contact-new-discard"))
    assert response.status_code == 302 and response["Location"] == HOME
    assert not FormDraft.objects.exists()
    assert NOT_YET not in worker_client.get(HOME).content.decode()


def test_a_contact_checked_but_not_recorded_continues_at_check_your_answers(worker_client):
    fields = {**typed(worker_client.worker), "child_0_match": "new", "child_1_match": "new"}
    assert worker_client.post(NEW_URL, {**fields, "action": "continue"})["Location"] == CHECK_URL
    body = worker_client.get(HOME).content.decode()
    assert NOT_YET in body and f'href="{CHECK_URL}"' in body


def test_purge_drafts_leaves_a_half_finished_contact(worker_client, make_user, settings):
    save_in_background(worker_client, typed(worker_client.worker))
    worker_client.post(
        reverse("accounts:save-draft"), {"path": "/elsewhere/", "fields": '{"text": "x"}'}
    )
    long_ago = timezone.now() - timedelta(hours=settings.DRAFT_KEEP_HOURS + 48)
    FormDraft.objects.update(updated_at=long_ago)
    call_command("purge_drafts", verbosity=0)
    assert list(FormDraft.objects.values_list("path", flat=True)) == [NEW_URL]
    assert NOT_YET in worker_client.get(HOME).content.decode()


def test_discarding_a_contact_is_refused_to_those_who_do_not_record_contacts(client, make_user):
    sign_in(client, make_user(Role.AUDITOR))
    assert client.post(reverse("referrals:contact-new-discard")).status_code == 403


def test_recording_the_contact_leaves_no_half_finished_one_behind(worker_client):
    """A background save that lands after "Continue" is gone once the contact is recorded."""
    worker_client.post(NEW_URL, {**typed(worker_client.worker), "child_0_match": "new",
                                 "child_1_match": "new", "action": "continue"})  # fmt: skip
    save_in_background(worker_client, typed(worker_client.worker))  # late, after Continue
    recorded = worker_client.post(
        CHECK_URL, {"action": "record", "decision_0_when": "later", "decision_1_when": "later"}
    )
    assert recorded.status_code == 302
    assert not FormDraft.objects.filter(user=worker_client.worker).exists()
    assert NOT_YET not in worker_client.get(HOME).content.decode()
