"""Chronology entries shared into a strategy discussion (issue 20): the worker picks them while
the discussion is convened; each is shared with every invited partner agency through the one
sharing service on the discussion's lawful basis; partners see exactly those entries."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Agency
from accounts.roles import Role
from accounts.sharing import Article6Basis, SharingDecision, SharingRecord
from notes import services
from notes.chronology import chronology_events
from notes.models import ChronologySource, SharedChronologyEntry
from tests.conftest import sign_in
from tests.strategy.factories import convened, referral

pytestmark = pytest.mark.django_db

SHARED_TEXT = "Father arrested for assault in 2024 (fictional)"
KEPT_TEXT = "Mother's counselling notes (fictional): not for partners"


@pytest.fixture
def worker(make_user):
    return make_user(Role.PRACTITIONER)


@pytest.fixture
def discussion(worker, make_user):
    manager = make_user(Role.MANAGER)
    found = convened(by=worker, referrals=[referral(by=worker, signer=manager)])
    child = found.children.get().child
    for text in (SHARED_TEXT, KEPT_TEXT):
        services.chronology_entry_add(
            by=worker, child=child, happened_on=date(2024, 5, 1), source=ChronologySource.POLICE,
            text=text, significant=True,
        )  # fmt: skip
    return found


def key_of(discussion, text: str) -> str:
    child_id = discussion.children.get().child_id
    event = next(e for e in chronology_events([child_id]) if e.detail == text)
    return f"{child_id}:{event.key}"


def partner(make_user, kind: str):
    agency = Agency.objects.get(kind=kind, name__startswith="Test")
    return make_user(Role.PARTNER_PRACTITIONER, agency=agency)


def test_partners_see_exactly_the_entries_shared_with_them(client, worker, make_user, discussion):
    sign_in(client, worker)
    url = reverse("notes:discussion-chronology", args=[discussion.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Share these entries" in page.content.decode()
    response = client.post(url, {"entries": [key_of(discussion, SHARED_TEXT)]})
    assert response.status_code == 302
    item = SharedChronologyEntry.objects.get()
    assert item.detail == SHARED_TEXT and item.discussion == discussion
    records = SharingRecord.objects.filter(object_id=item.pk, decision=SharingDecision.SHARED)
    assert {r.agency.kind for r in records} == {Agency.Kind.POLICE, Agency.Kind.HEALTH}
    assert {r.article6 for r in records} == {Article6Basis.PUBLIC_TASK}
    assert all(r.child_ref == item.child.census_id for r in records)
    for kind in (Agency.Kind.POLICE, Agency.Kind.HEALTH):
        sign_in(client, partner(make_user, kind))
        html = client.get(reverse("strategy:invitation", args=[discussion.pk])).content.decode()
        assert "Father arrested for assault in 2024 (fictional)" in html
        assert "counselling" not in html  # nothing else of the chronology
        chronology = client.get(reverse("notes:chronology", args=[item.child_id]))
        assert chronology.status_code == 404  # the chronology itself is the local authority's


def test_an_entry_is_shared_once_and_bad_picks_change_nothing(client, worker, discussion):
    sign_in(client, worker)
    url = reverse("notes:discussion-chronology", args=[discussion.pk])
    client.post(url, {"entries": [key_of(discussion, SHARED_TEXT)]})
    again = client.post(url, {"entries": [key_of(discussion, SHARED_TEXT)]})
    assert again.status_code == 200 and "govuk-error-summary" in again.content.decode()
    nothing = client.post(url, {})
    assert "Choose at least one entry to share" in nothing.content.decode()
    assert SharedChronologyEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PRACTITIONER, 200), (Role.MANAGER, 200), (Role.CONFERENCE_CHAIR, 403),
        (Role.AUDITOR, 403), (Role.PARTNER_PRACTITIONER, 404),
        (Role.PARTNER_SAFEGUARDING_LEAD, 404), (Role.SYSTEM_ADMINISTRATOR, 403),
    ],
)  # fmt: skip
def test_who_picks_entries_to_share(client, make_user, discussion, role, status):
    sign_in(client, make_user(role))
    response = client.get(reverse("notes:discussion-chronology", args=[discussion.pk]))
    assert response.status_code == status
