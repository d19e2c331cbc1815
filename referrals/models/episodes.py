"""A referral and what follows it in the same episode (the CIN census's `CINdetails`).

Referral: open -> next steps proposed -> next steps signed off -> closed, back to open when a
proposal is returned. Assessment (section 17, or opened by a section 47 enquiry):
open -> authorised, with the factors identified. DESIGN.md "The journey"; DOMAIN.md "CIN census".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.audit import register_audited
from accounts.encryption import EncryptedTextField
from casework.errors import RuleBroken
from casework.references import about_child
from referrals.codes import PrimaryNeed, ReasonForClosure, ReferralSource
from referrals.models.proposals import Proposal


class ReferralState(models.TextChoices):
    OPEN = "open", "Open: next steps to decide"
    NEXT_STEPS_PROPOSED = "next_steps_proposed", "Next steps proposed"
    NEXT_STEPS_SIGNED_OFF = "next_steps_signed_off", "Next steps signed off"
    CLOSED = "closed", "Closed"


OPEN_REFERRAL_STATES = (
    ReferralState.OPEN,
    ReferralState.NEXT_STEPS_PROPOSED,
    ReferralState.NEXT_STEPS_SIGNED_OFF,
)


class NextSteps(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment (section 17)"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    NO_FURTHER_ACTION = "nfa", "No further action"


@register_audited
class Referral(ConcurrentTransitionMixin, models.Model):
    """A referral to children's social care, one per child from a signed-off "referral" or an
    urgent decision, dated when the contact was received (`CINreferralDate`)."""

    child = models.ForeignKey("referrals.Child", on_delete=models.PROTECT, related_name="referrals")
    contact_child = models.OneToOneField(
        "referrals.ContactChild", on_delete=models.PROTECT, related_name="referral"
    )
    state = FSMField(default=ReferralState.OPEN, choices=ReferralState.choices, protected=True)
    referral_date = models.DateField(help_text="CINreferralDate: when the contact was received")
    source = models.CharField(max_length=2, choices=ReferralSource.choices)
    urgent = models.BooleanField(default=False)
    next_steps_due = models.DateField()
    current_decision = models.ForeignKey(
        "referrals.ReferralDecision", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    primary_need = models.CharField(max_length=2, choices=PrimaryNeed.choices, blank=True)
    closure_date = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=3, choices=ReasonForClosure.choices, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        # The list of open referrals walks this index in its order and stops at a page.
        indexes = [
            models.Index(
                fields=["next_steps_due", "id"],
                condition=models.Q(
                    state__in=["open", "next_steps_proposed", "next_steps_signed_off"]
                ),
                name="referral_open_due",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closure_date__isnull=True, closure_reason="")
                | models.Q(closure_date__isnull=False) & ~models.Q(closure_reason=""),
                name="referral_closure_date_and_reason_together",
            )
        ]

    def __str__(self) -> str:
        return f"Referral R-{self.pk:06d}" if self.pk else "Referral (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_REFERRAL_STATES

    @property
    def next_steps(self) -> str:
        """The signed-off next steps, or "" while they are being decided."""
        if self.state in (ReferralState.NEXT_STEPS_SIGNED_OFF, ReferralState.CLOSED):
            return self.current_decision.next_steps if self.current_decision else ""
        return ""

    @property
    def is_nfa(self) -> bool:
        """`ReferralNFA`: no further action was decided and nothing else happened."""
        return self.next_steps == NextSteps.NO_FURTHER_ACTION

    # Conditions: the record itself (and its own episode's rows), no side effects.
    def _has_proposal(self) -> bool:
        return self.current_decision is not None and self.current_decision.rationale != ""

    def open_work(self) -> list[str]:
        """What keeps the referral from closing, in plain words (census rules 8839, 8868)."""
        problems = []
        if self.assessments.filter(state=AssessmentState.OPEN).exists():
            problems.append("The assessment is not yet authorised")
        # The strategy app's rows answer through their own managers' `open()`: this model
        # sits below that app and imports nothing from it.
        if self.discussion_children.open().exists():
            problems.append(
                "A strategy discussion about the child is not yet signed off or cancelled"
            )
        if self.section47s.open().exists():
            problems.append(
                "A section 47 enquiry has neither an initial conference nor 'conference not "
                "required'"
            )
        return problems

    def _nothing_open(self) -> bool:
        return not self.open_work()

    @transition(field=state, source=ReferralState.OPEN,
                target=ReferralState.NEXT_STEPS_PROPOSED, conditions=[_has_proposal])  # type: ignore[list-item]  # django-fsm-2 types conditions as taking any Model  # fmt: skip
    def propose_next_steps(self, *, by) -> None:
        """The proposal (a new ReferralDecision row) is set by the service before this."""

    @transition(field=state, source=ReferralState.NEXT_STEPS_PROPOSED,
                target=ReferralState.NEXT_STEPS_SIGNED_OFF)  # fmt: skip
    def sign_off_next_steps(self, *, by, comment: str = "") -> None:
        self.current_decision.review(by=by, state=Proposal.State.SIGNED_OFF, comment=comment)  # type: ignore[union-attr]  # the proposed state always has a current decision
        self.primary_need = self.current_decision.primary_need  # type: ignore[union-attr]  # the proposed state always has a current decision

    @transition(field=state, source=ReferralState.NEXT_STEPS_PROPOSED,
                target=ReferralState.OPEN)  # fmt: skip
    def return_next_steps(self, *, by, comment: str) -> None:
        self.current_decision.review(by=by, state=Proposal.State.RETURNED, comment=comment)  # type: ignore[union-attr]  # the proposed state always has a current decision
        self.current_decision = None

    @transition(field=state, source=ReferralState.NEXT_STEPS_SIGNED_OFF,
                target=ReferralState.CLOSED, conditions=[_nothing_open])  # type: ignore[list-item]  # django-fsm-2 types conditions as taking any Model  # fmt: skip
    def close(self, *, by, reason: str, on) -> None:
        if reason not in ReasonForClosure.values:
            raise RuleBroken("Choose the reason for closure")
        if on < self.referral_date:
            raise RuleBroken("A referral cannot close before its referral date")
        self.closure_reason, self.closure_date, self.closed_by = reason, on, by


@register_audited
class ReferralDecision(Proposal):
    """Proposed next steps for a referral, with the primary need (none for no further action)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="decisions")
    next_steps = models.CharField(max_length=20, choices=NextSteps.choices)
    primary_need = models.CharField(max_length=2, choices=PrimaryNeed.choices, blank=True)
    # The safety rule (casework.safety), as on a contact's decision.
    safety_reason = EncryptedTextField(blank=True)

    class Meta(Proposal.Meta):
        indexes = [
            # The work lists' next steps returned to their author (as for contact decisions).
            models.Index(fields=["proposed_by"], condition=models.Q(state="returned"),
                         name="next_steps_returned_by"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Next steps S-{self.pk:06d}" if self.pk else "Next steps (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.referral.child_id)


class AssessmentState(models.TextChoices):
    OPEN = "open", "Open"
    AUTHORISED = "authorised", "Authorised"


@register_audited
class Assessment(ConcurrentTransitionMixin, models.Model):
    """A child and family assessment, started by next steps, a strategy discussion or a
    section 47 enquiry, and authorised by a manager with the factors identified."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="assessments")
    child = models.ForeignKey(
        "referrals.Child", on_delete=models.PROTECT, related_name="assessments"
    )
    state = FSMField(default=AssessmentState.OPEN, choices=AssessmentState.choices, protected=True)
    start_date = models.DateField(help_text="AssessmentActualStartDate")
    due = models.DateField(help_text="45 working days from the referral date")
    factors = models.JSONField(default=list, blank=True)
    # Ofsted Annex A list 4 (DOMAIN.md): None until the assessment is completed ("c) Unknown").
    child_seen = models.BooleanField(
        null=True, blank=True, help_text="Child Seen During Continuous Assessment"
    )
    needs_support = models.BooleanField(
        null=True,
        blank=True,
        help_text="Was the child assessed as requiring LA children's social care support?",
    )
    analysis = EncryptedTextField(blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorisation_date = models.DateField(null=True, blank=True)
    authorisation_comment = EncryptedTextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(state="open"),
                name="one_open_assessment_per_referral",
            )
        ]
        indexes = [models.Index(fields=["state", "due"], name="assessment_open_due")]

    def __str__(self) -> str:
        return f"Assessment A-{self.pk:06d}" if self.pk else "Assessment (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)

    def _completed(self) -> bool:
        return bool(self.factors) and self.completed_by_id is not None

    @transition(field=state, source=AssessmentState.OPEN, target=AssessmentState.AUTHORISED,
                conditions=[_completed])  # type: ignore[list-item]  # django-fsm-2 types conditions as taking any Model  # fmt: skip
    def authorise(self, *, by, comment: str = "") -> None:
        if self.completed_by_id == by.pk:
            raise RuleBroken("You completed this assessment, so another manager must authorise it")
        self.authorised_by, self.authorisation_comment = by, comment
        self.authorisation_date = timezone.localdate()
