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


class ChronologySource(models.TextChoices):
    """Where a manual chronology entry's information came from (no names: the text says
    more, sealed)."""

    LOCAL_AUTHORITY = "la", "Children's services"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "School or education"
    FAMILY = "family", "The child or family"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    OTHER_LOCAL_AUTHORITY = "other_la", "Another local authority"
    COURT = "court", "A court"
    OTHER = "other", "Other"


@register_audited
class ChronologyEntry(models.Model):
    """A significant event added to a child's chronology by hand (issue 20): the date it
    happened (not when it was typed), its source, whether it is significant, and its text,
    sealed. A correction is a new version that supersedes the old one, as notes are."""

    child = models.ForeignKey(
        "referrals.Child", on_delete=models.PROTECT, related_name="chronology_entries"
    )
    happened_on = models.DateField(help_text="When the event happened")
    source = models.CharField(max_length=20, choices=ChronologySource.choices)
    significant = models.BooleanField(default=False)
    text = EncryptedTextField()
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["happened_on", "pk"]
        verbose_name_plural = "chronology entries"
        indexes = [models.Index(fields=["child", "happened_on"], name="chronology_entry_child")]

    def __str__(self) -> str:
        return f"Chronology entry CE-{self.pk:06d}" if self.pk else "Chronology entry (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)


@register_audited
class SharedChronologyEntry(models.Model):
    """An entry of a child's chronology the worker chose to share with the agencies invited to
    a strategy discussion (issue 20): a copy as it read when shared (its detail sealed),
    granted to each invited partner agency through accounts.sharing on the discussion's terms.
    Partners see these and nothing else of the chronology."""

    discussion = models.ForeignKey(
        "strategy.StrategyDiscussion", on_delete=models.PROTECT, related_name="shared_chronology"
    )
    child = models.ForeignKey("referrals.Child", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=40, help_text="Which event of the chronology it copies")
    happened_at = models.DateTimeField(null=True, blank=True)
    happened_on = models.DateField()
    kind = models.CharField(max_length=20)
    what = models.CharField(max_length=200)
    detail = EncryptedTextField(blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["happened_on", "happened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "child", "key"], name="chronology_shared_once"
            )
        ]

    def __str__(self) -> str:
        return f"Shared chronology entry SC-{self.pk:06d}" if self.pk else "Shared entry (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)
