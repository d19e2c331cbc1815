"""Notes on a child or on one of its records (DESIGN.md "Architecture": notes and the
chronology in an app of their own, above the referrals and strategy apps).

The model moved here from `referrals` (issue 14) and kept its identity: the same rows, the
same content type id (object permissions, sharing records and audit entries point at it) and
the same sealing context for its encrypted text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.audit import register_audited
from accounts.encryption import EncryptedTextField
from casework.references import about_child


@register_audited
class Note(models.Model):
    """A note on a child or on one of its records. A correction is a new version that
    supersedes the old one; both are kept and shown. Significant notes go in the chronology."""

    class Audience(models.TextChoices):
        LOCAL_AUTHORITY = "la", "The local authority only"
        INVITED = "invited", "Everyone invited to the strategy discussion"

    child = models.ForeignKey("referrals.Child", on_delete=models.PROTECT, related_name="notes")
    contact = models.ForeignKey(
        "referrals.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    discussion = models.ForeignKey(
        "strategy.StrategyDiscussion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notes",
    )
    section47 = models.ForeignKey(
        "strategy.Section47", null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    # Sealed as a referrals note before the move: existing values open with that context.
    text = EncryptedTextField(sealed_as="referrals.Note.text")
    significant = models.BooleanField(default=False)
    audience = models.CharField(
        max_length=10, choices=Audience.choices, default=Audience.LOCAL_AUTHORITY
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Note N-{self.pk:06d}" if self.pk else "Note (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)
