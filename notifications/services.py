"""Turning what happened into messages, and sending them (issue 24).

- `queue_from_outbox`: each unhandled outbox event (casework.models) becomes its messages, in
  one transaction that marks the event handled: an event is consumed once, however many
  workers run, and a message is never queued twice (its unique `key`).
- `queue_from_notices`: each in-app notice (accounts.notices) is e-mailed to its recipient.
- `queue_digests`: the morning digest, counts and a link, for each worker and manager.
- `queue_escalations`: work newly overdue, told to the child's team manager (or the front
  door's duty manager where no team is allocated).
- `send_due`: each queued message is claimed by one conditional UPDATE (one worker wins),
  sent outside any transaction, and marked sent, or retried later with back-off, or failed.
  Nothing here runs inside the request that caused the message: a Notify outage never blocks
  or rolls back the work.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency, User
from accounts.notices import Notice
from accounts.permissions import Perm
from accounts.rights import users_with_right
from casework.models import EventKind, OutboxEvent
from notifications.models import Escalation, Notification, Preference, Status, Template, Timing
from notifications.selectors import digest_counts
from notifications.sending import DeliveryFailed, deliver
from referrals.models import Allocation
from referrals.models.contacts import ContactChild
from referrals.models.local_data import DutyManager
from referrals.selectors import open_decisions

logger = logging.getLogger(__name__)

OUTBOX_BATCH = 200
SEND_BATCH = 100


@dataclass(frozen=True)
class Message:
    key: str
    template: Template
    address: str
    personalisation: dict[str, Any]
    recipient: User | None = None
    agency: Agency | None = None


def link(path: str) -> str:
    """An absolute link to a page of the service (SERVICE_URL): the worker has no request."""
    return settings.SERVICE_URL + path


# What each event says, and to whom --------------------------------------------------------

EVENT_TEMPLATES = {
    EventKind.INFORMATION_REQUESTED: Template.INFORMATION_REQUEST,
    EventKind.DISCUSSION_INVITED: Template.DISCUSSION_INVITATION,
    EventKind.DISCUSSION_RESCHEDULED: Template.DISCUSSION_RESCHEDULED,
    EventKind.REFERRAL_FEEDBACK: Template.REFERRAL_FEEDBACK,
    EventKind.PROPOSAL_RETURNED: Template.PROPOSAL_RETURNED,
}
# Events about the person's own work, which they may take in the digest instead.
DIGESTIBLE = {EventKind.REFERRAL_FEEDBACK, EventKind.PROPOSAL_RETURNED}


def event_path(event: OutboxEvent) -> str:
    """The page the message links to: the recipient's own page for the record."""
    kind, pk = event.kind, event.object_id
    if kind == EventKind.INFORMATION_REQUESTED:
        return reverse("referrals:information-request", kwargs={"pk": pk})
    if kind in {EventKind.DISCUSSION_INVITED, EventKind.DISCUSSION_RESCHEDULED}:
        return reverse("strategy:invitation", kwargs={"pk": pk})
    if kind == EventKind.REFERRAL_FEEDBACK:
        return reverse("referrals:my-referral", kwargs={"pk": pk})
    model = event.content_type.model
    if model == "contactchild":
        contact_id = ContactChild.objects.values_list("contact_id", flat=True).get(pk=pk)
        return reverse("referrals:decision", kwargs={"pk": contact_id, "cc_pk": pk})
    if model == "referral":
        return reverse("referrals:referral", kwargs={"pk": pk})
    if model == "strategydiscussion":
        return reverse("strategy:discussion", kwargs={"pk": pk})
    if model == "section47":
        return reverse("strategy:section47", kwargs={"pk": pk})
    return reverse("workspace:home")


def event_messages(event: OutboxEvent) -> list[Message]:
    """Every message one event makes: an agency's shared mailbox and its active users, or the
    one person it is for."""
    template = EVENT_TEMPLATES[EventKind(event.kind)]
    personalisation = {"link": link(event_path(event))}
    messages: list[Message] = []
    if event.agency is not None:
        agency = event.agency
        if agency.shared_mailbox:
            messages.append(
                Message(
                    key=f"event-{event.pk}-mailbox-{agency.pk}",
                    template=template,
                    address=agency.shared_mailbox,
                    personalisation=personalisation,
                    agency=agency,
                )
            )
        people: Iterable[User] = agency.users.filter(is_active=True).order_by("pk")
    else:
        people = [event.user] if event.user is not None and event.user.is_active else []
    for person in people:
        if person.email:
            messages.append(
                Message(
                    key=f"event-{event.pk}-user-{person.pk}",
                    template=template,
                    address=person.email,
                    personalisation=personalisation,
                    recipient=person,
                )
            )
    return messages


def _timing(users: Iterable[User]) -> dict[int, str]:
    return dict(Preference.objects.filter(user__in=list(users)).values_list("user_id", "timing"))


def _queue(
    messages: list[Message],
    *,
    event: OutboxEvent | None = None,
    notice: Notice | None = None,
    held_for: AbstractSet[int] = frozenset(),
) -> list[Notification]:
    now = timezone.now()
    rows = [
        Notification(
            key=m.key,
            template=m.template,
            recipient=m.recipient,
            agency=m.agency,
            email_address=m.address,
            event=event,
            notice=notice,
            personalisation=m.personalisation,
            queued_at=now,
            next_attempt_at=now,
            status=Status.HELD
            if m.recipient is not None and m.recipient.pk in held_for
            else Status.QUEUED,
        )
        for m in messages
    ]
    # The unique key makes a second queueing of the same message a no-op.
    return Notification.objects.bulk_create(rows, ignore_conflicts=True)


def queue_from_outbox(*, limit: int = OUTBOX_BATCH) -> int:
    """Turn unhandled outbox events into queued messages; returns how many events."""
    handled = 0
    waiting = OutboxEvent.objects.filter(handled_at__isnull=True).order_by("pk")
    for event_id in list(waiting.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            # One worker claims the event; another finds it handled and moves on.
            if not OutboxEvent.objects.filter(pk=event_id, handled_at__isnull=True).update(
                handled_at=timezone.now()
            ):
                continue
            event = OutboxEvent.objects.select_related("agency", "user", "content_type").get(
                pk=event_id
            )
            messages = event_messages(event)
            held: set[int] = set()
            if event.kind in DIGESTIBLE:
                people = [m.recipient for m in messages if m.recipient is not None]
                held = {pk for pk, t in _timing(people).items() if t == Timing.DIGEST}
            _queue(messages, event=event, held_for=held)
            handled += 1
    return handled


def queue_from_notices(*, since: timedelta = timedelta(days=2)) -> int:
    """E-mail each recent in-app notice not e-mailed yet to its recipient (issue 16's
    notices: a restricted record opened...): a link to the notices page, never the notice's
    reference."""
    recent = (
        Notice.objects.filter(created_at__gte=timezone.now() - since)
        .exclude(Exists(Notification.objects.filter(notice=OuterRef("pk"))))
        .select_related("recipient")
    )
    messages = []
    for notice in recent:
        if notice.recipient.is_active and notice.recipient.email:
            messages.append(
                (notice, Message(
                    key=f"notice-{notice.pk}", template=Template.NOTICE,
                    address=notice.recipient.email, recipient=notice.recipient,
                    personalisation={"link": link(reverse("workspace:notices"))},
                ))
            )  # fmt: skip
    for notice, message in messages:
        _queue([message], notice=notice)
    return len(messages)


# The morning digest and escalations -------------------------------------------------------


def digest_recipients():
    """Workers and managers (whoever proposes decisions), unless they turned the digest off."""
    return (
        users_with_right(Perm.PROPOSE_DECISIONS)
        .exclude(email="")
        .exclude(Exists(Preference.objects.filter(user=OuterRef("pk"), morning_digest=False)))
        .order_by("pk")
    )


def digest_message(user: User, *, today: date) -> Message | None:
    """One person's digest for `today`, or None when nothing is due, overdue or held."""
    counts = digest_counts(user, today=today)
    held = Notification.objects.filter(recipient=user, status=Status.HELD).count()
    if not counts.any and not held:
        return None
    return Message(
        key=f"digest-{today.isoformat()}-user-{user.pk}", template=Template.DIGEST,
        address=user.email, recipient=user,
        personalisation={
            "due_today": counts.due_today, "overdue": counts.overdue,
            "waiting": counts.waiting, "other_updates": held,
            "link": link(reverse("workspace:home")),
        },
    )  # fmt: skip


def queue_digests(*, now: datetime | None = None) -> int:
    """From DIGEST_HOUR (Europe/London), each recipient's digest for today, once."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < settings.DIGEST_HOUR:
        return 0
    today = now.date()
    queued = 0
    for user in digest_recipients():
        if Notification.objects.filter(key=f"digest-{today.isoformat()}-user-{user.pk}").exists():
            continue
        message = digest_message(user, today=today)
        if message is None:
            continue
        with transaction.atomic():
            if _queue([message]):
                Notification.objects.filter(recipient=user, status=Status.HELD).update(
                    status=Status.IN_DIGEST
                )
                queued += 1
    return queued


def _manager_for(child_ids: list[int]) -> dict[int, int]:
    return dict(
        Allocation.objects.filter(child_id__in=child_ids, ended_at__isnull=True).values_list(
            "child_id", "team__manager_id"
        )
    )


def queue_escalations(*, today: date | None = None) -> int:
    """Each item of front-door work newly overdue is told once (per due date it missed) to
    the team manager of the child's allocation, or to the duty manager where no team is
    allocated yet: one message per manager per run, with the count and a link."""
    today = today or timezone.localdate()
    overdue = list(
        open_decisions()
        .filter(next_due__lt=today)
        .exclude(Exists(Escalation.objects.filter(contact_child_id=OuterRef("pk"),
                                                  due=OuterRef("next_due"))))
        .values_list("pk", "child_id", "next_due")
    )  # fmt: skip
    if not overdue:
        return 0
    managers = _manager_for([child_id for _, child_id, _ in overdue])
    duty = DutyManager.current()
    by_manager: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for pk, child_id, due in overdue:
        manager_id = managers.get(child_id) or (duty.pk if duty else None)
        if manager_id is not None:
            by_manager[manager_id].append((pk, due))
    now = timezone.now()
    queued = 0
    people = User.objects.in_bulk(list(by_manager))
    for manager_id, items in by_manager.items():
        manager = people[manager_id]
        if not manager.is_active or not manager.email:
            continue
        with transaction.atomic():
            notification = Notification.objects.create(
                key=f"escalation-{now.isoformat()}-user-{manager_id}",
                template=Template.ESCALATION, recipient=manager, email_address=manager.email,
                personalisation={"count": len(items), "link": link(reverse("referrals:queue"))},
            )  # fmt: skip
            Escalation.objects.bulk_create(
                [
                    Escalation(contact_child_id=pk, due=due, manager=manager,
                               notification=notification)
                    for pk, due in items
                ],
                ignore_conflicts=True,
            )  # fmt: skip
        queued += 1
    return queued


# Sending -----------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """How long after the n-th failed attempt the next one is made (doubling, at most 6 h)."""
    return timedelta(seconds=min(settings.NOTIFICATION_RETRY_SECONDS * 2 ** (attempts - 1),
                                 6 * 60 * 60))  # fmt: skip


def claim(notification_id: int, *, now: datetime) -> bool:
    """Take one queued message for sending: exactly one worker's UPDATE matches."""
    return bool(
        Notification.objects.filter(
            pk=notification_id, status=Status.QUEUED, next_attempt_at__lte=now
        ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def send_one(notification_id: int, *, now: datetime | None = None) -> str | None:
    """Claim and send one message; returns its new status, or None if another worker has it."""
    now = now or timezone.now()
    if not claim(notification_id, now=now):
        return None
    notification = Notification.objects.get(pk=notification_id)
    try:
        delivered = deliver(notification)
    except DeliveryFailed as error:
        done = now  # the attempt's time: the back-off counts from when it was made
        if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            fields: dict[str, Any] = {"status": Status.FAILED, "failed_at": done}
            logger.warning("Notification %s failed for good: %s", notification.pk, error.reason)
        else:
            fields = {"status": Status.QUEUED,
                      "next_attempt_at": done + backoff(notification.attempts)}  # fmt: skip
        Notification.objects.filter(pk=notification.pk).update(last_error=error.reason, **fields)
        return str(fields["status"])
    Notification.objects.filter(pk=notification.pk).update(
        status=Status.SENT, sent_at=timezone.now(), notify_id=delivered.notify_id,
        notify_status=delivered.notify_status, last_error="",
    )  # fmt: skip
    return Status.SENT


def send_due(*, now: datetime | None = None, limit: int = SEND_BATCH) -> int:
    """Send the queued messages whose time has come; returns how many were sent."""
    now = now or timezone.now()
    due = Notification.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
    sent = 0
    for notification_id in list(
        due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
    ):
        if send_one(notification_id, now=now) == Status.SENT:
            sent += 1
    return sent


@transaction.atomic
def preference_save(*, by: User, timing: str, morning_digest: bool) -> Preference:
    """How the person wants to be told of what concerns their own work: their own choice,
    nobody else's (issue 24)."""
    if timing not in Timing.values:
        raise ValueError(timing)
    preference, _ = Preference.objects.update_or_create(
        user=by, defaults={"timing": timing, "morning_digest": morning_digest}
    )
    return preference


def preference_for(user: User) -> Preference:
    """The person's choices, or the defaults (immediate, with the digest)."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)
