"""LADO referrals: an allegation about someone who works with children, passed to the LADO
service within one working day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.audit import register_audited
from accounts.encryption import EncryptedTextField
from casework.references import about_child
from referrals.models.children import Child


class LadoState(models.TextChoices):
    OPEN = "open", "Open"
    OUTCOME_RECORDED = "outcome_recorded", "Outcome recorded"


class LadoOutcome(models.TextChoices):
    """What the LADO decided about the allegation (kept short and plain)."""

    NO_FURTHER_ACTION = "no_further_action", "No further action"
    ADVICE_TO_EMPLOYER = "advice_to_employer", "Advice given to the employer"
    STRATEGY_MEETING = "strategy_meeting", "Strategy meeting or investigation"
    REFERRED_TO_POLICE = "referred_to_police", "Referred to the police"
    REFERRED_TO_DBS = "referred_to_dbs", "Referred to the DBS"


@register_audited
class LadoReferral(ConcurrentTransitionMixin, models.Model):
    """An allegation about an adult working with children, for the LADO within 1 working day;
    the child's own route continues beside it. It is shared with the LADO service (`agency`)
    through accounts.sharing, whose users record the outcome (referrals.services.lado)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="lado_referrals")
    contact_child = models.OneToOneField(
        "referrals.ContactChild", on_delete=models.PROTECT, related_name="lado_referral"
    )
    due = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The LADO service it was sent to; empty when none was set up",
    )  # fmt: skip
    state = FSMField(
        max_length=20, choices=LadoState.choices, default=LadoState.OPEN, protected=True
    )
    outcome = models.CharField(max_length=30, choices=LadoOutcome.choices, blank=True)
    outcome_note = EncryptedTextField(blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agency", "state", "due"], name="lado_inbox")]

    def __str__(self) -> str:
        return f"LADO referral L-{self.pk:06d}" if self.pk else "LADO referral (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)

    @transition(field=state, source=LadoState.OPEN, target=LadoState.OUTCOME_RECORDED)
    def record_outcome(self, *, by, outcome: str, note: str) -> None:
        """What the LADO decided about the allegation, once."""
        self.outcome, self.outcome_note = outcome, note
        self.outcome_by, self.outcome_at = by, timezone.now()
