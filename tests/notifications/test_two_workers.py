"""PostgreSQL only: two workers at once, each consuming the outbox and sending, never send the
same message twice (issue 24): the event is claimed by one conditional UPDATE, each message by
another, and only one worker's matches."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from accounts.models import Agency
from accounts.roles import Role
from notifications import services
from notifications.models import Notification, Status
from referrals import services as referral_services
from referrals.models.information_requests import Priority
from tests.factories import AgencyFactory
from tests.referrals.factories import contact
from tests.referrals.test_information_requests import BASIS

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
WORKERS = 2
OFFICERS = 6


def test_two_workers_at_once_send_each_message_exactly_once(make_user, notify_server):
    police = AgencyFactory(
        name="Test police", kind=Agency.Kind.POLICE, shared_mailbox="mash@police.example.invalid"
    )
    for _ in range(OFFICERS):
        make_user(Role.PARTNER_PRACTITIONER, agency=police)
    worker = make_user(Role.PRACTITIONER)
    for _ in range(3):
        referral_services.information_request_send(
            by=worker, contact_child=contact(by=worker).children.get(), agency=police,
            question="Any incidents?", priority=Priority.AMBER, **BASIS,
        )  # fmt: skip
    notify_server.mode = "hang"
    notify_server.hang_seconds = 0.05  # each send takes a moment: the workers overlap
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            services.queue_from_outbox()
            services.send_due()
            services.queue_from_outbox()
            services.send_due()
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    expected = 3 * (OFFICERS + 1)
    assert Notification.objects.count() == expected
    assert Notification.objects.filter(status=Status.SENT, attempts=1).count() == expected
    references = [m["reference"] for m in notify_server.messages]
    assert len(references) == expected == len(set(references))
