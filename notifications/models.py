"""Messages to people (issue 24): one `Notification` per e-mail, made when it is queued.

It says to whom (a user, or an agency's shared mailbox, and the address used), which template,
why (the outbox event or the in-app notice it came from, or the digest or escalation run), and
what became of it: queued, sent, failed, attempts, GOV.UK Notify's id and status, the class of
the last error. Its personalisation holds a link and counts only: never case content, a name,
a date of birth or a child's reference.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

_USER = settings.AUTH_USER_MODEL


class Template(models.TextChoices):
    """What is sent: each is a GOV.UK Notify template (NOTIFY_TEMPLATE_IDS) and a fallback
    pair of files in templates/notifications/email/ for Django's e-mail backend."""

    INFORMATION_REQUEST = "information_request", "Information requested from your agency"
    DISCUSSION_INVITATION = "discussion_invitation", "Invitation to a strategy discussion"
    DISCUSSION_RESCHEDULED = "discussion_rescheduled", "Strategy discussion moved"
    REFERRAL_FEEDBACK = "referral_feedback", "Feedback on your referral"
    PROPOSAL_RETURNED = "proposal_returned", "Your proposal was returned"
    NOTICE = "notice", "Security notice"
    DIGEST = "digest", "Morning digest"
    ESCALATION = "escalation", "Work overdue"


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    HELD = "held", "Held for the digest"
    IN_DIGEST = "in_digest", "Counted in a digest"


class Notification(models.Model):
    """One e-mail to one address; `key` makes the same message impossible to queue twice."""

    key = models.CharField(max_length=120, unique=True)
    template = models.CharField(max_length=32, choices=Template.choices)
    recipient = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="For the agency's shared mailbox",
    )  # fmt: skip
    email_address = models.EmailField()
    event = models.ForeignKey(
        "casework.OutboxEvent", null=True, blank=True, on_delete=models.PROTECT,
        related_name="notifications",
    )  # fmt: skip
    notice = models.ForeignKey(
        "accounts.Notice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    personalisation = models.JSONField(default=dict, help_text="A link and counts, nothing more")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    queued_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    notify_id = models.CharField(max_length=64, blank=True)
    notify_status = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="queued"),
                name="notification_due",
            ),
            models.Index(fields=["status", "queued_at"], name="notification_status"),
        ]

    def __str__(self) -> str:
        return f"Notification {self.pk}" if self.pk else "Notification (new)"


class Timing(models.TextChoices):
    IMMEDIATE = "immediate", "Straight away, one e-mail each"
    DIGEST = "digest", "In my morning digest, as a count"


class Preference(models.Model):
    """How one person wants to be told of what concerns their own work (issue 24)."""

    user = models.OneToOneField(_USER, on_delete=models.CASCADE, related_name="+")
    timing = models.CharField(max_length=16, choices=Timing.choices, default=Timing.IMMEDIATE)
    morning_digest = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Preference {self.pk}" if self.pk else "Preference (new)"


class Escalation(models.Model):
    """An item of work told to a manager as overdue, once for each due date it missed."""

    contact_child_id = models.PositiveBigIntegerField()
    due = models.DateField()
    manager = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact_child_id", "due"], name="escalated_once")
        ]

    def __str__(self) -> str:
        return f"Escalation {self.pk}" if self.pk else "Escalation (new)"
