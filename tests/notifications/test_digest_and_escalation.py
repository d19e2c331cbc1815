"""The morning digest (counts and a link) and the escalation of newly overdue work to the
team manager, or the front door's duty manager where no team is allocated (issue 24)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from notifications import selectors, services
from notifications.models import Escalation, Notification, Preference, Template
from referrals import services as referral_services
from referrals.models import Contact, Team
from referrals.models.contacts import ContactChild
from referrals.services import local_data
from tests.referrals.factories import contact, proposed
from worklists.selectors import counts_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    manager = make_user(Role.MANAGER)
    return {
        "worker": make_user(Role.PRACTITIONER),
        "other": make_user(Role.PRACTITIONER),
        "manager": manager,
        "duty": make_user(Role.MANAGER),
        "admin": make_user(Role.SYSTEM_ADMINISTRATOR),
        "team": Team.objects.create(name="Assessment team", manager=manager),
    }


def open_contact(people, *, worker, due_in_days: int, allocate: bool = True):
    """An open contact about one child, due `due_in_days` from today (negative: overdue)."""
    record = contact(by=people["worker"])
    due = timezone.localdate() + timedelta(days=due_in_days)
    # The due date as the service keeps it: on the contact and on its children's open rows.
    Contact.objects.filter(pk=record.pk).update(decision_due=due)
    ContactChild.objects.filter(contact=record).update(decision_due=due)
    child = record.children.get().child
    if allocate:
        referral_services.allocation_set(
            by=people["manager"], child=child, team=people["team"], worker=worker
        )
    return record


def test_the_digest_counts_what_is_due_today_and_overdue_for_the_allocated_worker(people):
    worker, today = people["worker"], timezone.localdate()
    open_contact(people, worker=worker, due_in_days=0)
    open_contact(people, worker=worker, due_in_days=-2)
    open_contact(people, worker=worker, due_in_days=-5)
    open_contact(people, worker=worker, due_in_days=3)
    open_contact(people, worker=people["other"], due_in_days=-1)

    counts = selectors.digest_counts(worker, today=today)
    assert (counts.due_today, counts.overdue, counts.waiting) == (1, 2, 0)
    message = services.digest_message(worker, today=today)
    assert message.personalisation == {
        "due_today": 1, "overdue": 2, "waiting": 0, "other_updates": 0,
        "link": "http://127.0.0.1:8000/",
    }  # fmt: skip


def test_the_digest_adds_up_the_home_pages_lists(people):
    """The digest's counts are the home page's: its lists due today, overdue, and waiting."""
    worker, manager, today = people["worker"], people["manager"], timezone.localdate()
    open_contact(people, worker=worker, due_in_days=0)
    open_contact(people, worker=worker, due_in_days=-2)
    proposed(by=worker)
    for user in (worker, manager):
        home = counts_for(user, today=today)
        counts = selectors.digest_counts(user, today=today)
        assert counts.due_today == sum(n for k, n in home.items() if k.endswith("-today"))
        assert counts.overdue == sum(n for k, n in home.items() if k.endswith("-overdue"))
        assert counts.waiting == sum(home.get(k, 0) for k in selectors.WAITING_LISTS)


def test_a_manager_digest_counts_their_teams_overdue_work_and_what_awaits_their_sign_off(
    people,
):
    open_contact(people, worker=people["worker"], due_in_days=-1)  # in the manager's team
    proposed(by=people["worker"])  # due tomorrow: neither today nor overdue, but waiting
    counts = selectors.digest_counts(people["manager"], today=timezone.localdate())
    assert (counts.due_today, counts.overdue, counts.waiting) == (0, 1, 1)
    message = services.digest_message(people["manager"], today=timezone.localdate())
    assert message.personalisation["waiting"] == 1
    # Their own proposals are not theirs to sign off; another manager's team is not theirs.
    assert selectors.digest_counts(people["worker"], today=timezone.localdate()).waiting == 0
    assert selectors.digest_counts(people["duty"], today=timezone.localdate()).overdue == 0


def test_digests_are_queued_from_the_digest_hour_once_a_day_and_only_with_something_in_them(
    people, settings
):
    open_contact(people, worker=people["worker"], due_in_days=-1)
    Preference.objects.create(user=people["other"], morning_digest=False)
    open_contact(people, worker=people["other"], due_in_days=-1)
    early = timezone.localtime().replace(hour=settings.DIGEST_HOUR - 1, minute=0)
    assert services.queue_digests(now=early) == 0
    morning = early + timedelta(hours=1, minutes=1)

    services.queue_digests(now=morning)
    services.queue_digests(now=morning + timedelta(minutes=15))

    # The other worker turned it off; the manager is told of their team's overdue work; the
    # duty manager has nothing in theirs; the administrator proposes nothing and gets none.
    digests = Notification.objects.filter(template=Template.DIGEST).order_by("recipient_id")
    assert {d.recipient for d in digests} == {people["worker"], people["manager"]}
    assert len(digests) == 2


def test_newly_overdue_work_is_escalated_once_to_the_team_manager_or_the_duty_manager(people):
    open_contact(people, worker=people["worker"], due_in_days=-1)
    open_contact(people, worker=people["worker"], due_in_days=-3)
    open_contact(people, worker=people["worker"], due_in_days=0)  # due today: not yet
    open_contact(people, worker=people["worker"], due_in_days=-1, allocate=False)
    local_data.duty_manager_set(by=people["admin"], manager=people["duty"])

    assert services.queue_escalations() == 2
    team = Notification.objects.get(template=Template.ESCALATION, recipient=people["manager"])
    duty = Notification.objects.get(template=Template.ESCALATION, recipient=people["duty"])
    assert team.personalisation == {"count": 2, "link": "http://127.0.0.1:8000/front-door/"}
    assert duty.personalisation["count"] == 1
    assert Escalation.objects.count() == 3

    # The next run finds nothing new.
    assert services.queue_escalations() == 0
    # Tomorrow the item due today is overdue too: one more, to the team manager.
    assert services.queue_escalations(today=timezone.localdate() + timedelta(days=1)) == 1


def test_without_a_duty_manager_unallocated_overdue_work_is_not_lost_track_of(people):
    open_contact(people, worker=people["worker"], due_in_days=-1, allocate=False)
    assert services.queue_escalations() == 0
    assert Escalation.objects.count() == 0  # told later, once a duty manager is set
    local_data.duty_manager_set(by=people["admin"], manager=people["duty"])
    assert services.queue_escalations() == 1
