"""Screening notes are versioned (issue 19): a save never overwrites, the history shows who
saved what and when, the text stays sealed, and notes typed with a proposal are kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from accounts.roles import Role
from referrals import services
from referrals.models.contacts import ContactChild, ScreeningNotesVersion
from tests.conftest import sign_in
from tests.referrals.factories import contact, level

pytestmark = pytest.mark.django_db


def url(name: str, cc: ContactChild) -> str:
    return reverse(f"referrals:{name}", args=[cc.contact_id, cc.pk])


def version_of(cc: ContactChild) -> int:
    return ContactChild.objects.get(pk=cc.pk).version


def test_two_people_save_in_turn_and_both_texts_remain_in_the_history(client, make_user):
    first, second = make_user(Role.PRACTITIONER), make_user(Role.PRACTITIONER)
    cc = contact(by=first).children.get()
    sign_in(client, first)
    client.post(
        url("screening-notes", cc),
        {"screening_notes": "Police: two call-outs", "version": version_of(cc)},
    )
    client.logout()
    sign_in(client, second)
    client.post(
        url("screening-notes", cc),
        {"screening_notes": "GP: missed checks", "version": version_of(cc)},
    )
    versions = list(cc.screening_versions.order_by("number"))
    assert [(v.number, v.text, v.saved_by) for v in versions] == [
        (1, "Police: two call-outs", first),
        (2, "GP: missed checks", second),
    ]
    page = client.get(url("decision", cc)).content.decode()
    assert "Police: two call-outs" in page and "GP: missed checks" in page
    assert "Version 1, saved by" in page and "Version 2, saved by" in page
    assert ContactChild.objects.get(pk=cc.pk).screening_notes == "GP: missed checks"


def test_the_versions_text_is_sealed_in_the_table(make_user):
    worker = make_user(Role.PRACTITIONER)
    cc = contact(by=worker).children.get()
    services.screening_notes_save(
        by=worker, contact_child=cc, notes="Uncle visits at night", version=cc.version
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT text FROM {ScreeningNotesVersion._meta.db_table}")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all("Uncle" not in value for value in stored)


def test_notes_typed_with_the_proposal_are_saved_with_it(client, make_user):
    worker = make_user(Role.PRACTITIONER)
    cc = contact(by=worker).children.get()
    sign_in(client, worker)
    response = client.post(
        url("decision-propose", cc),
        {
            "screening_notes": "School nurse: weight loss",
            "version": version_of(cc),
            "outcome": "referral",
            "level_of_need": level().pk,
            "rationale": "Third injury this term",
            "childs_voice": "Says she is hungry at school",
        },
    )
    assert response.status_code == 302 and response.url == url("decision-check", cc)
    assert cc.screening_versions.get().text == "School nurse: weight loss"
    client.post(url("decision-check", cc))
    cc = ContactChild.objects.get(pk=cc.pk)
    assert cc.state == "proposed" and cc.screening_notes == "School nurse: weight loss"


def test_notes_are_saved_even_when_the_proposal_is_refused(client, make_user):
    worker = make_user(Role.PRACTITIONER)
    cc = contact(by=worker).children.get()
    sign_in(client, worker)
    response = client.post(
        url("decision-propose", cc),
        {"screening_notes": "Neighbour: shouting", "version": version_of(cc), "outcome": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and "Choose the decision" in body
    assert cc.screening_versions.get().text == "Neighbour: shouting"
    assert "Neighbour: shouting" in body


def test_saving_the_notes_alone_from_the_one_form_keeps_the_proposal_unchecked(client, make_user):
    worker = make_user(Role.PRACTITIONER)
    cc = contact(by=worker).children.get()
    sign_in(client, worker)
    response = client.post(
        url("decision-propose", cc),
        {"screening_notes": "Health visitor: fine", "version": version_of(cc),
         "save_notes": "", "rationale": "half typed"},
    )  # fmt: skip
    assert response.status_code == 302 and response.url == url("decision", cc)
    assert cc.screening_versions.get().text == "Health visitor: fine"
    assert ContactChild.objects.get(pk=cc.pk).state == "screening"


def test_unchanged_notes_add_no_version(client, make_user):
    worker = make_user(Role.PRACTITIONER)
    cc = contact(by=worker).children.get()
    services.screening_notes_save(by=worker, contact_child=cc, notes="Same", version=cc.version)
    sign_in(client, worker)
    client.post(
        url("decision-propose", cc),
        {"screening_notes": "Same", "version": version_of(cc), "save_notes": ""},
    )
    assert cc.screening_versions.count() == 1


def test_a_stale_version_with_the_proposal_shows_theirs_and_keeps_both_texts(client, make_user):
    worker, other = make_user(Role.PRACTITIONER), make_user(Role.PRACTITIONER)
    cc = contact(by=worker).children.get()
    stale = version_of(cc)
    services.screening_notes_save(by=other, contact_child=cc, notes="Theirs", version=stale)
    sign_in(client, worker)
    response = client.post(
        url("decision-propose", cc),
        {"screening_notes": "Mine", "version": stale, "outcome": "referral",
         "level_of_need": level().pk, "rationale": "My rationale"},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 409 and "changed by someone else" in body
    assert "Theirs" in body and "Mine" in body and "My rationale" in body
    assert ContactChild.objects.get(pk=cc.pk).state == "screening"
