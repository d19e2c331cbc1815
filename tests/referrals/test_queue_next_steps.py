"""The queue says what is due next (issue 19): each open child's next step and its due date,
overdue marked, a link to where it is done, and filters kept in the session, never in the
address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from referrals import selectors, services
from referrals.models import Allocation, Team
from referrals.models.contacts import ContactChild, Outcome
from referrals.timescales import Timescale, due_date
from tests.conftest import sign_in
from tests.referrals.factories import contact, proposed, signed_off

pytestmark = pytest.mark.django_db

QUEUE = reverse("referrals:queue")


@pytest.fixture
def worker(make_user):
    return make_user(Role.PRACTITIONER, first_name="Wanda", last_name="Worker")


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, first_name="Mina", last_name="Manager")


def rows_by_child(response) -> dict[int, selectors.QueueRow]:
    return {row.contact_child.pk: row for row in response.context["rows"]}


def decision_url(cc: ContactChild) -> str:
    return reverse("referrals:decision", args=[cc.contact_id, cc.pk])


def test_each_row_names_its_next_step_and_when_it_is_due(client, worker, manager, make_user):
    screening = contact(by=worker).children.get()
    waiting = proposed(by=worker)
    feedback = signed_off(by=worker, signer=manager)
    family = signed_off(by=worker, signer=manager, outcome=Outcome.NO_FURTHER_ACTION)
    services.feedback_record(
        by=worker, contact_child=family, feedback_given=True, feedback_note="Told by phone"
    )
    closing = signed_off(by=worker, signer=manager)
    services.feedback_record(
        by=worker, contact_child=closing, feedback_given=True, feedback_note="Told by phone"
    )
    sign_in(client, make_user(Role.MANAGER))
    response = client.get(QUEUE)
    assert response.status_code == 200
    rows = rows_by_child(response)
    steps = {pk: (row.next_step_label, row.due) for pk, row in rows.items()}
    feedback_due = due_date(timezone.now(), Timescale.FEEDBACK_TO_REFERRER)
    assert steps == {
        screening.pk: ("Decision", screening.contact.decision_due),
        waiting.pk: ("Sign-off", waiting.contact.decision_due),
        feedback.pk: ("Feedback to the referrer", feedback_due),
        family.pk: ("Family told", feedback_due),
        closing.pk: ("Close", feedback_due),
    }
    page = response.content.decode()
    # Each row links straight to where its step is done: the sign-off page for the proposal.
    assert decision_url(screening) in page and decision_url(feedback) in page
    assert reverse("referrals:contact-sign-off", args=[waiting.contact_id]) in page


def test_feedback_is_due_the_set_working_days_after_sign_off(worker, manager, settings):
    settings.TIMESCALE_WORKING_DAYS = {**settings.TIMESCALE_WORKING_DAYS, "FEEDBACK_TO_REFERRER": 3}
    cc = signed_off(by=worker, signer=manager)
    assert cc.feedback_due == due_date(timezone.now(), Timescale.FEEDBACK_TO_REFERRER)
    assert cc.feedback_due > due_date(timezone.now().date(), Timescale.CONTACT_DECISION)


def test_an_overdue_feedback_is_marked(client, worker, manager):
    late = signed_off(by=worker, signer=manager)
    ContactChild.objects.filter(pk=late.pk).update(
        feedback_due=timezone.localdate() - timedelta(days=2)
    )
    sign_in(client, worker)
    response = client.get(QUEUE)
    row = rows_by_child(response)[late.pk]
    assert row.next_step_label == "Feedback to the referrer" and row.overdue
    assert "Overdue" in response.content.decode()


def test_filters_are_posted_kept_in_the_session_and_never_in_the_address(
    client, worker, manager, make_user
):
    screening = contact(by=worker).children.get()
    feedback = signed_off(by=worker, signer=manager)
    sign_in(client, worker)
    response = client.post(QUEUE, {"stage": "feedback", "worker": "", "filter": ""})
    assert response.status_code == 302 and response.url == QUEUE
    shown = client.get(QUEUE)
    assert set(rows_by_child(shown)) == {feedback.pk}
    assert "matching the filters" in shown.content.decode()
    # Kept: the next visit is filtered too, with nothing in the address.
    assert set(rows_by_child(client.get(QUEUE))) == {feedback.pk}
    client.post(QUEUE, {"clear": ""})
    assert set(rows_by_child(client.get(QUEUE))) == {screening.pk, feedback.pk}


def test_the_worker_and_overdue_filters(client, worker, manager):
    mine = contact(by=worker).children.get()
    other = contact(by=worker).children.get()
    team = Team.objects.create(name="Assessment", manager=manager)
    Allocation.objects.create(child=mine.child, worker=worker, team=team)
    other.contact.decision_due = timezone.localdate() - timedelta(days=1)
    other.contact.save()
    other.contact.children.update(decision_due=other.contact.decision_due)  # issue 21's copy
    sign_in(client, manager)
    page = client.get(QUEUE).content.decode()
    assert "Wanda Worker" in page  # offered in the worker filter (an id is posted)
    client.post(QUEUE, {"stage": "", "worker": str(worker.pk)})
    assert set(rows_by_child(client.get(QUEUE))) == {mine.pk}
    client.post(QUEUE, {"stage": "", "worker": "", "overdue": "on"})
    assert set(rows_by_child(client.get(QUEUE))) == {other.pk}


def test_a_bad_filter_shows_the_error_summary_and_changes_nothing(client, worker, manager):
    feedback = signed_off(by=worker, signer=manager)
    screening = contact(by=worker).children.get()
    sign_in(client, worker)
    client.post(QUEUE, {"stage": "feedback"})
    response = client.post(QUEUE, {"stage": "nonsense", "worker": "99999"})
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body
    assert set(rows_by_child(response)) == {feedback.pk}  # the kept filters still apply
    assert screening.pk not in rows_by_child(client.get(QUEUE))


def test_a_search_in_the_address_is_answered_not_ignored(client, worker):
    contact(by=worker)
    sign_in(client, worker)
    response = client.get(QUEUE, {"q": "Jones"})
    assert response.status_code == 302 and response.url == QUEUE
    page = client.get(QUEUE).content.decode()
    assert "cannot be searched from the web address" in page


@pytest.mark.parametrize("count", [1, 12])
def test_the_queue_query_count_does_not_grow_in_any_step_or_filter(
    client, worker, manager, count, django_assert_max_num_queries
):
    for _ in range(count):
        contact(by=worker)
        proposed(by=worker)
        signed_off(by=worker, signer=manager)
    sign_in(client, manager)
    client.post(QUEUE, {"stage": "", "worker": "", "overdue": ""})
    # savepoint, session, user, rights, device; the workers for the filter; the count; the
    # page of the queue with each row's next step and due date; the list entry: savepoint,
    # content type (until cached), chain lock (PostgreSQL), last entry, insert, release;
    # release; the partner referrals waiting
    with django_assert_max_num_queries(16):
        response = client.get(QUEUE)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 3 * count


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PRACTITIONER, 302),
        (Role.AUDITOR, 302),
        (Role.PARTNER_PRACTITIONER, 404),  # partners never learn the queue exists
        (Role.SYSTEM_ADMINISTRATOR, 403),
    ],
)
def test_posting_filters_is_for_the_queues_readers_only(client, make_user, role, status):
    sign_in(client, make_user(role))
    response = client.post(QUEUE, {"stage": "decision"})
    assert response.status_code == status
    assert ("queue-filters" in client.session) == (status == 302)
