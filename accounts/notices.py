"""In-app notices: what someone is told on their home page and the notices page (issue 16).

A notice says what happened (its kind), who did it, when, and links to the page to look at;
it holds no case content and no child's identity: at most a reference the recipient may see
(a restricted record's allow-list is told its reference when someone breaks the glass). The
notifications issue later e-mails the same notices: `notices_send` is the one place that
makes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

_USER = settings.AUTH_USER_MODEL


class NoticeKind(models.TextChoices):
    BREAK_GLASS = "break_glass", "Restricted record opened"


class Notice(models.Model):
    """One thing one person is told, read or not yet."""

    recipient = models.ForeignKey(_USER, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=32, choices=NoticeKind.choices)
    actor = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Who did what the notice is about",
    )  # fmt: skip
    reference = models.CharField(
        max_length=32,
        blank=True,
        help_text="A reference the recipient may see, never a name",
    )
    link = models.CharField(max_length=200, help_text="The page to look at: a path in the service")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return f"Notice {self.pk}" if self.pk else "Notice (new)"

    @property
    def message(self) -> str:
        """What the notice says, in plain words (no case content)."""
        who = self.actor.display_name if self.actor else "Someone"
        if self.kind == NoticeKind.BREAK_GLASS:
            return f"{who} gave a reason and opened restricted record {self.reference}"
        return self.get_kind_display()


class NoticeRefused(Exception):
    """A notice that would break the rules (a link out of the service)."""


@transaction.atomic
def notices_send(
    *, recipients: Iterable[Any], kind: NoticeKind, link: str, actor: Any = None,
    reference: str = "",
) -> list[Notice]:  # fmt: skip
    """Tell each active recipient (never the actor) one thing, linking to a page of the
    service: no case content, only a reference the recipient may see (issue 16)."""
    if not link.startswith("/") or link.startswith("//"):
        raise NoticeRefused("A notice links to a page of the service")
    now = timezone.now()
    people = {user.pk: user for user in recipients if user.is_active}
    people.pop(getattr(actor, "pk", None), None)
    return Notice.objects.bulk_create(
        Notice(
            recipient=user, kind=kind, actor=actor, reference=reference, link=link, created_at=now
        )
        for user in people.values()
    )


def notices_for(user: Any) -> models.QuerySet[Notice]:
    """The user's notices, newest first, with who did what (for lists: one query a page)."""
    return Notice.objects.filter(recipient_id=user.pk).select_related("actor")


def notices_mark_read(*, by: Any, notice_id: int | None = None) -> int:
    """Mark one of the user's own notices read, or all of them: nobody marks another's.
    Raises `Notice.DoesNotExist` for a notice that is not theirs."""
    mine = Notice.objects.filter(recipient_id=by.pk)
    if notice_id is not None:
        mine = mine.filter(pk=notice_id)
        if not mine.exists():
            raise Notice.DoesNotExist
    return mine.filter(read_at__isnull=True).update(read_at=timezone.now())
