"""Restricted children (issue 9; DESIGN.md "Information sharing and access").

A restricted child's record (a staff member's child, say) opens only for the people on its
named allow-list, a plain relation (not guardian). Anyone else, auditor included, gives a reason
to open it ("break glass"): each opening is a `BreakGlass` row with the reason encrypted, is
audited, and is listed for managers. Search shows "restricted record" with no details.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.audit import register_audited
from accounts.encryption import EncryptedTextField
from accounts.models import User
from casework.references import about_child, child_reference

_USER = settings.AUTH_USER_MODEL


class RestrictionQuerySet(models.QuerySet):
    def active(self) -> RestrictionQuerySet:
        """Restrictions in force: not lifted. Every access question asks only about these."""
        return self.filter(lifted_at__isnull=True)


@register_audited
class Restriction(models.Model):
    """A child's record is restricted: why, by whom, and who may open it without a reason;
    once lifted, the row stays with who lifted it, when and why (restricting the record again
    makes a new row: at most one active restriction per child)."""

    child = models.ForeignKey(
        "referrals.Child", on_delete=models.PROTECT, related_name="restrictions"
    )
    reason = EncryptedTextField(help_text="Why the record is restricted")
    restricted_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    restricted_at = models.DateTimeField(default=timezone.now)
    allowed: models.ManyToManyField[User, Any] = models.ManyToManyField(
        _USER, related_name="+", blank=True
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    lift_reason = EncryptedTextField(blank=True, help_text="Why the restriction was lifted")

    objects = RestrictionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_active_restriction_per_child",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True, lifted_by__isnull=True)
                | models.Q(lifted_at__isnull=False, lifted_by__isnull=False),
                name="restriction_lifted_at_and_by_together",
            ),
        ]

    def __str__(self) -> str:
        return f"Restriction of child {child_reference(self.child_id)}"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)


@register_audited
class BreakGlass(models.Model):
    """One opening of a restricted record by someone not on its allow-list, with the reason."""

    child = models.ForeignKey("referrals.Child", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField()
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["user", "child", "expires_at"], name="break_glass_live")]
        verbose_name_plural = "break glass openings"

    def __str__(self) -> str:
        return f"Break glass BG-{self.pk:06d}" if self.pk else "Break glass (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)
