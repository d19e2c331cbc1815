"""Issue 19: nothing typed on a case form is lost. A refused form keeps what was typed and
offers it back on its page; a POST-only address never answers 405; every case form opts in."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from accounts.field_rules import LONG_TEXT_MAX
from accounts.roles import Role
from accounts.sessions import LAST_ACTIVITY, FormDraft, draft_for
from tests.case_forms import forms_without_drafts
from tests.conftest import sign_in
from tests.referrals.factories import signed_off

pytestmark = pytest.mark.django_db

TYPED = "Mum rang: dad back home, the school is worried"


@pytest.fixture
def child_page(client, make_user):
    worker, manager = make_user(Role.PRACTITIONER), make_user(Role.MANAGER)
    child = signed_off(by=worker, signer=manager).child
    sign_in(client, worker)
    return worker, child


def test_a_refused_note_shows_what_was_typed_and_keeps_it_for_the_child_s_page(client, child_page):
    worker, child = child_page
    page = reverse("referrals:child", args=[child.pk])
    too_long = TYPED + "." * LONG_TEXT_MAX
    refused = client.post(reverse("referrals:note-add", args=[child.pk]), {"text": too_long})
    body = refused.content.decode()
    assert refused.status_code == 200 and "govuk-error-summary" in body
    assert too_long in body  # the refused form shows what was typed
    assert f'data-form-page="{page}"' in body  # the address bar is given the page's address
    assert draft_for(worker, page).fields["text"] == too_long
    assert "You have answers on this page" not in body  # no offer over the typed form itself
    # A reload at the page: the draft is offered there, to be put back or discarded.
    offered = client.get(page).content.decode()
    assert "You have answers on this page" in offered and "Put them back" in offered
    client.post(reverse("accounts:discard-draft"), {"path": page})
    assert draft_for(worker, page) is None


def test_an_empty_note_is_refused_and_nothing_is_kept_but_the_form(client, child_page):
    _worker, child = child_page
    response = client.post(reverse("referrals:note-add", args=[child.pk]), {"text": ""})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()


def test_a_note_sent_and_accepted_leaves_no_draft(client, child_page):
    worker, child = child_page
    page = reverse("referrals:child", args=[child.pk])
    client.post(reverse("accounts:save-draft"), {"path": page, "fields": '{"text": "half"}'})
    response = client.post(reverse("referrals:note-add", args=[child.pk]), {"text": TYPED})
    assert response.status_code == 302
    assert not FormDraft.objects.filter(user=worker, path=page).exists()


def test_reloading_a_post_only_address_goes_to_its_page(client, child_page):
    _worker, child = child_page
    response = client.get(reverse("referrals:note-add", args=[child.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:child", args=[child.pk])


def test_a_note_sent_after_the_time_out_is_kept_for_the_page_and_sign_in_returns_there(
    client, child_page, settings
):
    worker, child = child_page
    page = reverse("referrals:child", args=[child.pk])
    session = client.session
    session[LAST_ACTIVITY] = time.time() - settings.SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.post(reverse("referrals:note-add", args=[child.pk]), {"text": TYPED})
    assert response.status_code == 302 and response["Location"].endswith("next=" + page)
    assert draft_for(worker, page).fields["text"] == TYPED
    sign_in(client, worker)
    assert "You have answers on this page" in client.get(page).content.decode()


def test_the_case_form_check_finds_a_text_form_that_keeps_no_draft():
    kept = '<form method="post" data-keep-draft><textarea name="t"></textarea></form>'
    lost = '<form method="post" action="/x/"><textarea name="t"></textarea></form>'
    search = '<form method="get"><textarea name="q"></textarea></form>'
    assert forms_without_drafts(kept + search) == []
    assert forms_without_drafts(kept + lost) == ["/x/"]
