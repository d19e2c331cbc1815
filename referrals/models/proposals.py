"""A proposed decision that a manager signs off or returns (DESIGN.md "The journey").

Every decision carries a rationale; every sign-off records who, when and any comment. A
proposal is never edited: returning it keeps it, and the next proposal is a new row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.encryption import EncryptedTextField
from casework.errors import RuleBroken


class Proposal(models.Model):
    """The common part of every proposed decision: rationale, proposer, and the review."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        SIGNED_OFF = "signed_off", "Signed off"
        RETURNED = "returned", "Returned"

    rationale = EncryptedTextField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = EncryptedTextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["proposed_at", "pk"]

    def refuse_own(self, by, what: str = "decision") -> None:
        """Four eyes: whoever proposed never signs off or returns."""
        if self.proposed_by_id == by.pk:
            raise RuleBroken(f"You proposed this {what}, so another manager must review it")

    def review(self, *, by, state: str, comment: str) -> None:
        self.refuse_own(by)
        self.state, self.reviewed_by, self.review_comment = state, by, comment
        self.reviewed_at = timezone.now()
