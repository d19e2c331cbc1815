"""The audit trail of a restricted child (issue 16: one rule for restricted records everywhere):
the child's trail, and the trail of every record that belongs to the child, in HTML and CSV,
asks for the break glass like the child's page; with the glass broken it shows; a user's trail
shows entries about a restricted child as "Restricted record" and the reference only."""

from __future__ import annotations

import pytest
from auditlog.context import set_actor
from django.urls import reverse
from django.utils.http import urlencode

from accounts.audit import AuditEntry
from accounts.roles import Role
from notes import services as note_services
from referrals import services as referral_services
from referrals.models import Child, Person, Relationship
from referrals.services import restrictions
from tests.conftest import sign_in
from tests.strategy import factories as strategy_factories

pytestmark = pytest.mark.django_db

FIRST, LAST, POSTCODE = "Zennor", "Trelawney", "TR19 7AA"
PARENT = "Morwenna"


@pytest.fixture
def world(make_user):
    """A restricted child whose journey reached a section 47 enquiry, with a note, a household
    and a parent; `worker` and `manager` are named on the restriction, `manager2` and
    `auditor` are not. The child's name is changed by `worker` (an entry in the worker's
    trail that names the child)."""
    people = {
        "worker": make_user(Role.PRACTITIONER, username="worker"),
        "manager": make_user(Role.MANAGER, username="boss"),
        "manager2": make_user(Role.MANAGER, username="boss2"),
        "auditor": make_user(Role.AUDITOR, username="auditor"),
    }
    enquiry = strategy_factories.section47(by=people["worker"], signer=people["manager"])
    child = enquiry.child
    with set_actor(people["worker"]):
        child.first_name, child.last_name, child.postcode = FIRST, LAST, POSTCODE
        child.save()
        parent = Person.objects.create(first_name=PARENT, last_name=LAST)
        relationship = Relationship.objects.create(child=child, person=parent, kind="mother")
    note = note_services.note_add(by=people["worker"], child=child, text="A note")
    household = referral_services.household_add(
        by=people["worker"], child=child, address="7 Quay Street"
    )
    restriction = restrictions.child_restrict(
        by=people["manager"], child=child, reason="Her mother works here",
        allowed=[people["worker"], people["manager"]],
    )  # fmt: skip
    referral = enquiry.referral
    contact_child = referral.contact_child
    discussion_child = enquiry.discussion_child
    return {
        **people, "child": child, "enquiry": enquiry, "referral": referral,
        "assessment": enquiry.assessment, "discussion": discussion_child.discussion,
        "discussion_child": discussion_child, "contact": contact_child.contact,
        "cc": contact_child, "decision": contact_child.current_decision, "note": note,
        "household": household, "parent": parent, "relationship": relationship,
        "restriction": restriction, "referral_decision": referral.current_decision,
    }  # fmt: skip


# Every kind of record that belongs to the child, by its model's label.
RECORDS = [
    ("referrals.child", "child"),
    ("referrals.contact", "contact"),
    ("referrals.contactchild", "cc"),
    ("referrals.contactdecision", "decision"),
    ("referrals.referral", "referral"),
    ("referrals.referraldecision", "referral_decision"),
    ("referrals.assessment", "assessment"),
    ("referrals.household", "household"),
    ("referrals.person", "parent"),
    ("referrals.relationship", "relationship"),
    ("referrals.restriction", "restriction"),
    ("notes.note", "note"),
    ("strategy.strategydiscussion", "discussion"),
    ("strategy.discussionchild", "discussion_child"),
    ("strategy.section47", "enquiry"),
]
NOT_NAMED = ["manager2", "auditor"]


def record_url(world, label: str, key: str) -> str:
    return reverse("workspace:audit-record", args=[label, world[key].pk])


def child_url(world) -> str:
    return reverse("workspace:audit-child", args=[world["child"].census_id])


def break_glass_url(world, asked: str) -> str:
    target = reverse("referrals:child-restricted", args=[world["child"].pk])
    return f"{target}?{urlencode({'next': asked})}"


@pytest.mark.parametrize("fmt", ["html", "csv"])
@pytest.mark.parametrize("who", NOT_NAMED)
@pytest.mark.parametrize(("label", "key"), RECORDS, ids=[key for _, key in RECORDS])
def test_a_record_s_trail_asks_for_a_reason(client, world, label, key, who, fmt):
    sign_in(client, world[who])
    url = record_url(world, label, key) + ("?format=csv" if fmt == "csv" else "")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == break_glass_url(world, url)


@pytest.mark.parametrize("fmt", ["html", "csv"])
@pytest.mark.parametrize("who", NOT_NAMED)
def test_the_child_s_trail_asks_for_a_reason(client, world, who, fmt):
    sign_in(client, world[who])
    url = child_url(world) + ("?format=csv" if fmt == "csv" else "")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == break_glass_url(world, url)


def test_asking_is_audited_as_a_refused_read_of_the_child(client, world):
    sign_in(client, world["auditor"])
    client.get(child_url(world))
    refused = AuditEntry.objects.filter(event="refused", child_ref=world["child"].census_id)
    assert refused.count() == 1


@pytest.mark.parametrize("fmt", ["html", "csv"])
def test_the_named_manager_reads_the_trail_without_a_reason(client, world, fmt):
    sign_in(client, world["manager"])
    response = client.get(child_url(world), {"format": fmt} if fmt == "csv" else {})
    assert response.status_code == 200
    assert FIRST in response.content.decode()


OPENED = [("referrals.child", "child", FIRST), ("referrals.person", "parent", PARENT)]


@pytest.mark.parametrize("fmt", ["html", "csv"])
@pytest.mark.parametrize(("label", "key", "shown"), OPENED, ids=["child", "parent"])
def test_with_the_glass_broken_the_trail_shows(client, world, label, key, shown, fmt):
    restrictions.break_glass(by=world["auditor"], child=world["child"], reason="Annual audit")
    sign_in(client, world["auditor"])
    query = {"format": "csv"} if fmt == "csv" else {}
    assert client.get(child_url(world), query).status_code == 200
    response = client.get(record_url(world, label, key), query)
    assert response.status_code == 200
    assert shown in response.content.decode()


def test_the_break_glass_page_comes_back_to_the_trail(client, world):
    sign_in(client, world["auditor"])
    url = child_url(world)
    response = client.post(break_glass_url(world, url), {"reason": "Annual audit"})
    assert response.status_code == 302
    assert response.url == url
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("fmt", ["html", "csv"])
@pytest.mark.parametrize("who", NOT_NAMED)
def test_a_user_s_trail_shows_restricted_record_and_the_reference_only(client, world, who, fmt):
    sign_in(client, world[who])
    url = reverse("workspace:audit-user", args=[world["worker"].pk])
    response = client.get(url, {"format": "csv"} if fmt == "csv" else {})
    assert response.status_code == 200
    text = response.content.decode()
    for secret in (FIRST, LAST, POSTCODE, PARENT):
        assert secret not in text
    assert f"Restricted record {world['child'].census_id}" in text


def test_a_user_s_trail_shows_the_entries_to_the_named_manager(client, world):
    sign_in(client, world["manager"])
    response = client.get(reverse("workspace:audit-user", args=[world["worker"].pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert FIRST in text and PARENT in text
    assert f"Restricted record {world['child'].census_id}" not in text


def test_an_open_child_s_entries_are_not_hidden(client, world, make_user):
    """Another child's trail shows in full (only the restricted child's entries are hidden)."""
    worker = world["worker"]
    with set_actor(worker):
        other = Child.objects.create(first_name="Kerensa", last_name="Pengelly")
    sign_in(client, world["auditor"])
    response = client.get(reverse("workspace:audit-user", args=[worker.pk]))
    assert "Pengelly" in response.content.decode()
    response = client.get(reverse("workspace:audit-child", args=[other.census_id]))
    assert response.status_code == 200
    assert "Pengelly" in response.content.decode()


@pytest.mark.parametrize("children", [1, 8])
def test_user_trail_query_count_does_not_grow_with_restricted_children(
    client, make_user, children, django_assert_max_num_queries
):
    manager, worker, auditor = (
        make_user(Role.MANAGER), make_user(Role.PRACTITIONER), make_user(Role.AUDITOR)
    )  # fmt: skip
    for n in range(children):
        with set_actor(worker):
            child = Child.objects.create(first_name=f"Child{n}", last_name="Carne")
            parent = Person.objects.create(first_name=f"Parent{n}", last_name="Carne")
            Relationship.objects.create(child=child, person=parent, kind="father")
        restrictions.child_restrict(by=manager, child=child, reason="Staff", allowed=[manager])
    sign_in(client, auditor)
    url = reverse("workspace:audit-user", args=[worker.pk])
    # savepoint, session, user, rights, count, the page of entries; the restricted children
    # closed to the reader; for each kind of record shown that is not a child's own, one
    # per lookup (relationship 1, person 3); the audit list entry: savepoint, chain lock
    # (PostgreSQL), last entry, insert, release; release; content types (until cached)
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    assert "Carne" not in response.content.decode()
    assert len(response.context["rows"]) == 3 * children
