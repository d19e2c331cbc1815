"""The notifications pages (issue 24): each person's e-mail preferences, the administrator's
e-mails not sent, the discussion's "move to another time", the agency's shared mailbox and
the front door's duty manager. Bad input changes nothing and shows the error summary."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency
from accounts.roles import Role
from casework.models import EventKind, OutboxEvent
from notifications.models import Notification, Preference, Status, Template, Timing
from referrals.models import DutyManager
from strategy.models import StrategyDiscussion
from tests.conftest import sign_in
from tests.strategy.factories import convened, next_steps_signed_off

pytestmark = pytest.mark.django_db


def test_everyone_chooses_digest_or_immediate_for_themselves(client, make_user):
    worker = make_user(Role.PRACTITIONER)
    sign_in(client, worker)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    assert b"E-mail preferences" in page.content

    saved = client.post(reverse("notifications:preferences"),
                        {"timing": "digest", "morning_digest": ""})  # fmt: skip
    assert saved.status_code == 302
    preference = Preference.objects.get(user=worker)
    assert preference.timing == Timing.DIGEST and preference.morning_digest is False


def test_a_bad_preference_shows_the_error_summary_and_changes_nothing(client, make_user):
    worker = make_user(Role.PARTNER_PRACTITIONER)
    sign_in(client, worker)
    page = client.post(reverse("notifications:preferences"), {"timing": "weekly"})
    assert page.status_code == 200
    assert b"govuk-error-summary" in page.content
    assert not Preference.objects.exists()


def _failed(n: int, recipient) -> None:
    Notification.objects.bulk_create(
        Notification(
            key=f"failed-{i}",
            template=Template.DIGEST,
            recipient=recipient,
            email_address=recipient.email,
            status=Status.FAILED,
            attempts=5,
            last_error="HTTP 500",
            failed_at=timezone.now(),
        )
        for i in range(n)
    )


@pytest.mark.parametrize("rows", [1, 30])
def test_the_failures_page_lists_what_was_not_sent_in_bounded_queries(
    client, make_user, django_assert_max_num_queries, rows
):
    admin = make_user(Role.SYSTEM_ADMINISTRATOR)
    _failed(rows, make_user(Role.PRACTITIONER))
    sign_in(client, admin)
    # Session, user, the user's rights, the count, the page of failures with recipients,
    # those waiting for a retry; on PostgreSQL the session's save may add one.
    with django_assert_max_num_queries(12):
        page = client.get(reverse("notifications:failures"))
    assert page.status_code == 200
    assert page.content.count(b"HTTP 500") == rows


def test_only_the_system_administrator_sees_the_failures(client, make_user):
    sign_in(client, make_user(Role.MANAGER))
    assert client.get(reverse("notifications:failures")).status_code == 403


@pytest.fixture
def discussion(make_user):
    worker, manager = make_user(Role.PRACTITIONER), make_user(Role.MANAGER)
    opened = next_steps_signed_off(by=worker, signer=manager)
    return convened(by=worker, referrals=[opened]), worker


def test_moving_a_discussion_on_its_page_tells_the_invited_agencies(client, discussion):
    discussion, worker = discussion
    sign_in(client, worker)
    url = reverse("strategy:discussion-reschedule", kwargs={"pk": discussion.pk})
    assert client.get(url).status_code == 200
    later = timezone.localtime(discussion.scheduled_for) + timedelta(days=1)
    moved = client.post(url, {
        "scheduled_on_0": later.day, "scheduled_on_1": later.month, "scheduled_on_2": later.year,
        "scheduled_time": later.strftime("%H:%M"), "version": discussion.version,
    })  # fmt: skip
    assert moved.status_code == 302
    assert StrategyDiscussion.objects.get(pk=discussion.pk).scheduled_for.date() == later.date()
    assert OutboxEvent.objects.filter(kind=EventKind.DISCUSSION_RESCHEDULED).count() == 2


def test_a_bad_new_time_changes_nothing(client, discussion):
    discussion, worker = discussion
    sign_in(client, worker)
    url = reverse("strategy:discussion-reschedule", kwargs={"pk": discussion.pk})
    page = client.post(url, {"scheduled_on_0": "31", "scheduled_on_1": "2",
                             "scheduled_on_2": "2026", "scheduled_time": "25:99",
                             "version": discussion.version})  # fmt: skip
    assert page.status_code == 200
    assert b"govuk-error-summary" in page.content
    assert (
        StrategyDiscussion.objects.get(pk=discussion.pk).scheduled_for == discussion.scheduled_for
    )
    stale = client.post(url, {
        "scheduled_on_0": "1", "scheduled_on_1": "1", "scheduled_on_2": "2030",
        "scheduled_time": "10:00", "version": discussion.version + 5,
    })  # fmt: skip
    assert stale.status_code == 409
    assert b"changed by someone else" in stale.content
    assert not OutboxEvent.objects.filter(kind=EventKind.DISCUSSION_RESCHEDULED).exists()


def test_the_agency_page_keeps_a_shared_mailbox(client, make_user):
    admin = make_user(Role.SYSTEM_ADMINISTRATOR)
    police = Agency.objects.create(name="Test police", kind=Agency.Kind.POLICE)
    sign_in(client, admin)
    url = reverse("accounts:agency", kwargs={"agency_id": police.pk})
    bad = client.post(url, {"name": "Test police", "kind": "police", "is_active": "on",
                            "shared_mailbox": "not an address"})  # fmt: skip
    assert bad.status_code == 200 and b"govuk-error-summary" in bad.content
    saved = client.post(url, {"name": "Test police", "kind": "police", "is_active": "on",
                              "shared_mailbox": "mash@police.example.invalid"})  # fmt: skip
    assert saved.status_code == 302
    police.refresh_from_db()
    assert police.shared_mailbox == "mash@police.example.invalid"


def test_the_local_data_page_sets_the_duty_manager(client, make_user):
    admin, manager = make_user(Role.SYSTEM_ADMINISTRATOR), make_user(Role.MANAGER)
    sign_in(client, admin)
    refused = client.post(reverse("referrals:duty-manager-set"), {"manager": ""})
    assert refused.status_code == 200 and b"govuk-error-summary" in refused.content
    assert not DutyManager.objects.exists()
    done = client.post(reverse("referrals:duty-manager-set"), {"manager": manager.pk})
    assert done.status_code == 302
    assert DutyManager.current() == manager
    assert manager.get_full_name().encode() in client.get(reverse("referrals:local-data")).content
