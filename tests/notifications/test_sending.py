"""The outbox and sending (issue 24), against a local server that speaks GOV.UK Notify's
e-mail API (tests/notify_server.py): a service writes its event in its own transaction, the
worker turns it into one message per recipient and sends each once, retrying with back-off
when Notify answers 500 or does not answer, and recording what failed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.models import Agency
from accounts.roles import Role
from casework.models import EventKind, OutboxEvent
from notifications import selectors, services
from notifications.models import Notification, Status, Template
from referrals import services as referral_services
from referrals.models.information_requests import Priority
from tests.factories import AgencyFactory, UserFactory
from tests.notify_server import TEMPLATE_IDS
from tests.referrals.factories import contact
from tests.referrals.test_information_requests import BASIS

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def world(make_user):
    police = AgencyFactory(
        name="Test police", kind=Agency.Kind.POLICE, shared_mailbox="mash@police.example.invalid"
    )
    worker = make_user(Role.PRACTITIONER)
    return {
        "worker": worker, "police": police,
        "cc": contact(by=worker).children.get(),
        "officer": make_user(Role.PARTNER_PRACTITIONER, agency=police),
        "lead": make_user(Role.PARTNER_SAFEGUARDING_LEAD, agency=police),
    }  # fmt: skip


def ask(world):
    return referral_services.information_request_send(
        by=world["worker"], contact_child=world["cc"], agency=world["police"],
        question="Any incidents at the address?", priority=Priority.AMBER, **BASIS,
    )  # fmt: skip


def run_worker() -> int:
    services.queue_from_outbox()
    return services.send_due()


def test_an_information_request_emails_the_agency_mailbox_and_its_users_through_notify(
    world, notify_server
):
    request = ask(world)
    assert OutboxEvent.objects.filter(kind=EventKind.INFORMATION_REQUESTED).count() == 1

    assert run_worker() == 3

    link = f"https://front-door.example.gov.uk/information-requests/{request.pk}/"
    addresses = sorted(m["email_address"] for m in notify_server.messages)
    assert addresses == sorted(
        ["mash@police.example.invalid", world["officer"].email, world["lead"].email]
    )
    for message in notify_server.messages:
        assert message["template_id"] == TEMPLATE_IDS["information_request"]
        assert message["personalisation"] == {"link": link}
    assert notify_server.refused == []
    sent = Notification.objects.get(agency=world["police"])
    assert sent.status == Status.SENT and sent.attempts == 1 and sent.sent_at is not None
    assert sent.notify_id == notify_server.to("mash@police.example.invalid")[0]["id"]
    assert sent.notify_status == "created"
    assert sent.template == Template.INFORMATION_REQUEST
    assert sent.event.kind == EventKind.INFORMATION_REQUESTED


def test_a_rolled_back_service_call_queues_nothing(world, notify_server):
    with pytest.raises(Boom), transaction.atomic():
        ask(world)
        raise Boom

    assert run_worker() == 0
    assert OutboxEvent.objects.count() == 0
    assert Notification.objects.count() == 0
    assert notify_server.requests == 0


def test_the_same_event_never_sends_twice(world, notify_server):
    ask(world)
    assert run_worker() == 3
    event = OutboxEvent.objects.get()

    # Another worker run, and the event handed round again as if two workers had read it.
    assert run_worker() == 0
    OutboxEvent.objects.filter(pk=event.pk).update(handled_at=None)
    assert run_worker() == 0

    assert len(notify_server.messages) == 3
    assert Notification.objects.count() == 3


def test_a_message_claimed_by_one_worker_is_not_sent_by_another(world, notify_server):
    ask(world)
    services.queue_from_outbox()
    first = Notification.objects.order_by("pk").first()
    now = timezone.now()

    assert services.claim(first.pk, now=now) is True
    # The second worker's claim of the same row matches nothing: it moves on.
    assert services.claim(first.pk, now=now) is False
    assert services.send_one(first.pk, now=now) is None
    assert notify_server.to(first.email_address) == []


def test_notify_answering_500_is_retried_with_back_off_then_recorded_as_failed(
    world, notify_server, settings
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_SECONDS = 60
    notify_server.mode = "error"
    ask(world)
    services.queue_from_outbox()
    mailbox = Notification.objects.get(agency=world["police"])

    start = timezone.now()
    assert services.send_due(now=start) == 0
    mailbox.refresh_from_db()
    assert mailbox.status == Status.QUEUED and mailbox.attempts == 1
    assert mailbox.last_error == "HTTP 500"
    assert timedelta(seconds=59) < mailbox.next_attempt_at - start <= timedelta(seconds=61)

    # Not before its time; then the second wait is twice the first.
    assert services.send_due(now=start + timedelta(seconds=30)) == 0
    mailbox.refresh_from_db()
    assert mailbox.attempts == 1
    second = mailbox.next_attempt_at
    services.send_due(now=second)
    mailbox.refresh_from_db()
    assert mailbox.attempts == 2
    assert timedelta(seconds=119) < mailbox.next_attempt_at - second <= timedelta(seconds=121)

    services.send_due(now=mailbox.next_attempt_at)
    mailbox.refresh_from_db()
    assert mailbox.status == Status.FAILED and mailbox.attempts == 3
    assert mailbox.failed_at is not None
    assert mailbox in selectors.failures()

    # Notify is back: a failed message stays failed (listed for the administrator); the
    # others, still within their attempts, go.
    notify_server.mode = "ok"
    assert services.send_due(now=timezone.now() + timedelta(hours=1)) == 0
    assert notify_server.messages == []


def test_notify_not_answering_in_time_is_retried_and_then_sent(world, notify_server, settings):
    settings.NOTIFY_TIMEOUT_SECONDS = 0.3
    notify_server.mode = "hang"
    notify_server.hang_seconds = 1.0
    ask(world)
    services.queue_from_outbox()
    mailbox = Notification.objects.get(agency=world["police"])

    assert services.send_one(mailbox.pk) == Status.QUEUED
    mailbox.refresh_from_db()
    assert mailbox.attempts == 1
    assert mailbox.last_error == "HTTP 503 (ReadTimeout)"

    notify_server.mode = "ok"
    assert services.send_one(mailbox.pk, now=mailbox.next_attempt_at) == Status.SENT
    mailbox.refresh_from_db()
    assert mailbox.status == Status.SENT and mailbox.attempts == 2 and mailbox.notify_id


def test_a_notify_outage_does_not_touch_the_work_that_caused_the_message(world, notify_server):
    notify_server.mode = "error"
    request = ask(world)  # no request to Notify happens in the service at all
    assert notify_server.requests == 0
    run_worker()
    request.refresh_from_db()
    assert request.pk and notify_server.requests == 3


def test_a_key_that_notify_refuses_is_recorded_not_sent(world, notify_server, settings):
    settings.NOTIFY_API_KEY = f"wrong-{notify_server.service_id}-{'0' * 36}"
    ask(world)
    assert run_worker() == 0
    assert notify_server.refused and notify_server.messages == []
    assert set(Notification.objects.values_list("last_error", flat=True)) == {"HTTP 403"}


def test_without_notify_the_fallback_templates_go_through_djangos_email_backend(world, settings):
    settings.NOTIFICATIONS_BACKEND = "email"
    settings.SERVICE_URL = "https://front-door.example.gov.uk"
    request = ask(world)
    assert run_worker() == 3
    assert len(mail.outbox) == 3
    message = mail.outbox[0]
    assert message.subject == "Front Door: your agency has been asked for information"
    assert f"https://front-door.example.gov.uk/information-requests/{request.pk}/" in message.body


def test_a_user_without_an_address_and_an_inactive_user_get_nothing(world, notify_server):
    UserFactory(agency=world["police"], email="")
    UserFactory(agency=world["police"], is_active=False)
    ask(world)
    assert run_worker() == 3
