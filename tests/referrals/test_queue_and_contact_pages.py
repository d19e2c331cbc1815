"""The front door queue and a contact's page: every role, refusals, audit, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from referrals.models import Allocation, Team
from tests.conftest import sign_in
from tests.referrals.factories import contact

pytestmark = pytest.mark.django_db
READERS = [Role.PRACTITIONER, Role.MANAGER, Role.CONFERENCE_CHAIR, Role.AUDITOR]


@pytest.fixture
def a_contact(make_user):
    return contact(
        by=make_user(Role.PRACTITIONER), children=2, concern="Smell of cannabis, no food"
    )


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_queue_and_the_contact(client, make_user, a_contact, role):
    sign_in(client, make_user(role))
    queue = client.get(reverse("referrals:queue")).content.decode()
    assert queue.count(f'href="{reverse("referrals:contact", args=[a_contact.pk])}"') == 2
    page = client.get(reverse("referrals:contact", args=[a_contact.pk])).content.decode()
    assert "Smell of cannabis, no food" in page
    assert "Sib0 Jones" in page and "Sib1 Jones" in page


@pytest.mark.parametrize(
    ("role", "queue_status", "contact_status"),
    [
        (Role.PARTNER_PRACTITIONER, 404, 404),  # partners never learn the case lists exist
        (Role.PARTNER_SAFEGUARDING_LEAD, 404, 404),
        (Role.SYSTEM_ADMINISTRATOR, 403, 403),
    ],
)
def test_others_are_refused_without_learning_that_it_exists(
    client, make_user, a_contact, role, queue_status, contact_status
):
    sign_in(client, make_user(role))
    assert client.get(reverse("referrals:queue")).status_code == queue_status
    response = client.get(reverse("referrals:contact", args=[a_contact.pk]))
    assert response.status_code == contact_status
    assert "cannabis" not in response.content.decode()
    missing = client.get(reverse("referrals:contact", args=[999999]))
    assert missing.status_code == contact_status  # the same answer for a record that does not exist
    assert AuditEntry.objects.filter(event=Event.REFUSED).count() == 2


def test_reads_and_the_queue_are_audited_per_child(client, make_user, a_contact):
    sign_in(client, make_user(Role.PRACTITIONER))
    client.get(reverse("referrals:queue"))
    listed = AuditEntry.objects.get(event=Event.LIST)
    assert sorted(listed.additional_data["ids"]) == sorted(
        str(cc.pk) for cc in a_contact.children.all()
    )
    client.get(reverse("referrals:contact", args=[a_contact.pk]))
    reads = AuditEntry.objects.filter(event=Event.READ)
    assert {read.child_ref for read in reads} == {
        cc.child.census_id for cc in a_contact.children.all()
    }


def test_overdue_and_due_today_are_marked(client, make_user):
    worker = make_user(Role.PRACTITIONER)
    old = contact(by=worker)
    old.decision_due = timezone.localdate() - timedelta(days=3)
    old.save()
    old.children.update(decision_due=old.decision_due)  # the rows' copy (issue 21)
    fresh = contact(by=worker)
    fresh.decision_due = timezone.localdate()
    fresh.save()
    fresh.children.update(decision_due=fresh.decision_due)
    sign_in(client, worker)
    page = client.get(reverse("referrals:queue")).content.decode()
    assert page.index(f"/contacts/{old.pk}/") < page.index(f"/contacts/{fresh.pk}/")  # oldest first
    assert "Overdue" in page and "Due today" in page


def test_the_queue_shows_the_allocated_worker(client, make_user, a_contact):
    manager, worker = (
        make_user(Role.MANAGER),
        make_user(Role.PRACTITIONER, first_name="Wendy", last_name="Worker"),
    )
    team = Team.objects.create(name="Assessment", manager=manager)
    Allocation.objects.create(child=a_contact.children.first().child, worker=worker, team=team)
    sign_in(client, manager)
    assert "Wendy Worker" in client.get(reverse("referrals:queue")).content.decode()


@pytest.mark.parametrize("count", [1, 25])
def test_queue_query_count_does_not_grow(client, make_user, count, django_assert_max_num_queries):
    worker = make_user(Role.PRACTITIONER)
    for _ in range(count):
        contact(by=worker, children=2)
    sign_in(client, worker)
    # savepoint, session, user, rights, device; the workers for the filter; the count; the
    # page of the queue; the list entry: savepoint, content type (until cached), chain lock
    # (PostgreSQL), last entry, insert, release; release; the partner referrals waiting (none
    # here: tests/referrals/test_partner_referrals.py)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("referrals:queue"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(2 * count, 50)
    assert response.context["page"].paginator.count == 2 * count


@pytest.mark.parametrize("children", [1, 6])
def test_contact_page_query_count_does_not_grow(
    client, make_user, children, django_assert_max_num_queries
):
    worker = make_user(Role.PRACTITIONER)
    record = contact(by=worker, children=children)
    sign_in(client, worker)
    # savepoint, session, user, rights, device; contact with users; children with their
    # child; decisions with levels; adults; whether a restricted child is open; the notes
    # with authors; the read entries: savepoint, content type, chain lock (PostgreSQL), last
    # entry, insert, release; release
    # (+1: the kept draft or unrecorded contact looked up for the page, issue 19)
    with django_assert_max_num_queries(18):
        client.get(reverse("referrals:contact", args=[record.pk]))


def test_the_queue_pages_oldest_first(client, make_user, settings):
    from referrals import selectors

    worker = make_user(Role.PRACTITIONER)
    contacts = [contact(by=worker) for _ in range(3)]
    sign_in(client, worker)
    original = selectors.QUEUE_PAGE_SIZE
    selectors.QUEUE_PAGE_SIZE = 2
    try:
        first = client.get(reverse("referrals:queue")).content.decode()
        second = client.get(reverse("referrals:queue"), {"page": 2}).content.decode()
    finally:
        selectors.QUEUE_PAGE_SIZE = original
    assert f"/contacts/{contacts[0].pk}/" in first and f"/contacts/{contacts[2].pk}/" not in first
    assert f"/contacts/{contacts[2].pk}/" in second
    assert "Page 2 of 2" in second


def test_a_note_on_a_contact_is_about_one_of_its_children(client, make_user, a_contact):
    from notes.models import Note

    sign_in(client, make_user(Role.PRACTITIONER))
    url = reverse("referrals:contact-note-add", args=[a_contact.pk])
    second = a_contact.children.order_by("pk")[1]
    assert "Choose the child" in client.post(url, {"text": "x"}).content.decode()
    outsider = contact(by=make_user(Role.PRACTITIONER)).children.get().child
    assert (
        "Select a valid choice"
        in client.post(url, {"text": "x", "child": outsider.pk}).content.decode()
    )
    client.post(
        url, {"text": "Teacher called back: both fed at breakfast club", "child": second.child_id}
    )
    note = Note.objects.get()
    assert (note.contact, note.child) == (a_contact, second.child)
    page = client.get(reverse("referrals:contact", args=[a_contact.pk])).content.decode()
    assert "breakfast club" in page


def test_auditors_read_contact_notes_but_cannot_add_them(client, make_user, a_contact):
    sign_in(client, make_user(Role.AUDITOR))
    page = client.get(reverse("referrals:contact", args=[a_contact.pk])).content.decode()
    assert "Notes on this contact" in page and 'name="text"' not in page
    url = reverse("referrals:contact-note-add", args=[a_contact.pk])
    child = a_contact.children.first().child_id
    assert client.post(url, {"text": "x", "child": child}).status_code == 403
