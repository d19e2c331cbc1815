"""The outbox (issue 24): what happened that someone outside the page must be told of.

A service writes an `OutboxEvent` in the same transaction as the change that causes it, through
`casework.outbox.emit`: a rolled-back change leaves no event, a committed one stays until the
notifications app (a top app, which nothing imports) has turned it into messages. An event
names its kind, the record it is about (a content type and a primary key), and at most one
agency or person it is for; never case content, never a child's identity.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class EventKind(models.TextChoices):
    INFORMATION_REQUESTED = "information_requested", "Information requested from an agency"
    DISCUSSION_INVITED = "discussion_invited", "Agency invited to a strategy discussion"
    DISCUSSION_RESCHEDULED = "discussion_rescheduled", "Strategy discussion's time changed"
    REFERRAL_FEEDBACK = "referral_feedback", "Feedback given on a partner's referral"
    PROPOSAL_RETURNED = "proposal_returned", "Proposal returned to its author"


class OutboxEvent(models.Model):
    """One thing that happened and must be told; `handled_at` is set once its messages exist."""

    kind = models.CharField(max_length=32, choices=EventKind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(handled_at__isnull=True),
                name="outbox_unhandled",
            )
        ]

    def __str__(self) -> str:
        return f"Event {self.pk}" if self.pk else "Event (new)"
