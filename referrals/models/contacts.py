"""Contacts and the decision for each child (DESIGN.md "The journey").

ContactChild: screening -> decision proposed -> signed off -> closed, and back to screening
when a proposal is returned with a comment. A proposal is never edited: each is a
`ContactDecision` row, kept when returned.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.audit import register_audited
from accounts.encryption import EncryptedTextField
from casework.references import about_child
from referrals.codes import ConsentPosition, ReferralSource
from referrals.models.proposals import Proposal


@register_audited
class LevelOfNeed(models.Model):
    """A level of the authority's continuum of need (local data, edited by the administrator)."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # The outcomes this level expects (codes of `Outcome`); any other needs a reason that
    # addresses it (the safety rule, casework.safety). Empty: the level expects every outcome.
    expected_outcomes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "levels of need"

    def __str__(self) -> str:
        return self.name

    @property
    def expected_outcome_labels(self) -> list[str]:
        return [
            str(Outcome(code).label) for code in self.expected_outcomes if code in Outcome.values
        ]


@register_audited
class Contact(models.Model):
    """A concern about one or more children, as it reached the front door."""

    received_at = models.DateTimeField(help_text="When it was actually received", db_index=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        help_text="Who took it (for out-of-hours contacts entered later, the person on call)",
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=2, choices=ReferralSource.choices)
    referrer_name = EncryptedTextField(blank=True)
    referrer_agency = EncryptedTextField(blank=True)
    referrer_role = EncryptedTextField(blank=True)
    referrer_contact = EncryptedTextField(blank=True)
    concern = EncryptedTextField()
    consent = models.CharField(max_length=50, choices=ConsentPosition.choices)
    urgent = models.BooleanField(default=False)
    decision_due = models.DateField()
    adults = models.ManyToManyField("referrals.Person", related_name="contacts", blank=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Contact C-{self.pk:06d}" if self.pk else "Contact (new)"


class Outcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    ADVICE = "advice", "Advice or signposting"
    EARLY_HELP = "early_help", "Early help (the family consents)"
    REFERRAL = "referral", "Referral to children's social care"
    STRATEGY_NOW = "strategy_now", "Strategy discussion now (urgent)"
    LADO = "lado", "LADO referral"
    ALLOCATED_WORKER = "allocated_worker", "Passed to the allocated worker"


# Outcomes after which the family must be told (or the record says why not).
FAMILY_TOLD_NEEDED = {Outcome.NO_FURTHER_ACTION, Outcome.ADVICE, Outcome.EARLY_HELP}
# Outcomes that need the child's own voice recorded (DOMAIN.md finding 10).
VOICE_NEEDED = frozenset({Outcome.REFERRAL, Outcome.STRATEGY_NOW})


class ContactChildState(models.TextChoices):
    SCREENING = "screening", "Screening"
    PROPOSED = "proposed", "Decision proposed"
    SIGNED_OFF = "signed_off", "Signed off"
    CLOSED = "closed", "Closed"


@register_audited
class ContactChild(ConcurrentTransitionMixin, models.Model):
    """One child of a contact, with its own state, decision, feedback and sign-off."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="children")
    child = models.ForeignKey("referrals.Child", on_delete=models.PROTECT, related_name="contacts")
    state = FSMField(
        default=ContactChildState.SCREENING, choices=ContactChildState.choices, protected=True
    )
    # The newest version's text (ScreeningNotesVersion keeps every one, never overwritten).
    screening_notes = EncryptedTextField(blank=True)
    current_decision = models.ForeignKey(
        "referrals.ContactDecision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    feedback_given = models.BooleanField(null=True)
    feedback_note = EncryptedTextField(
        blank=True, help_text="What the referrer was told, or why not"
    )
    family_told = models.BooleanField(null=True)
    family_note = EncryptedTextField(blank=True, help_text="What the family was told, or why not")
    # Feedback to the referrer (and the family) is due this many working days after sign-off:
    # computed once, by the sign-off service, from the timescale (referrals.timescales).
    feedback_due = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The contact's received time, copied onto the child's row by the service that records it
    # (never changed after): the queue and the home pages sort and count open rows on it under
    # a partial index, instead of walking every contact from the oldest (issue 21).
    received_at = models.DateTimeField()
    # Likewise the contact's decision date: the open rows' next due date is their own.
    decision_due = models.DateField()
    # When its decision was signed off (the decision's own time, copied at the sign-off), so
    # the timeliness report counts a period's contacts from this table's covering index alone.
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "child"], name="child_once_per_contact")
        ]
        indexes = [
            models.Index(fields=["state"], name="contact_child_state"),
            models.Index(
                fields=["received_at", "id"],
                condition=models.Q(state__in=["screening", "proposed", "signed_off"]),
                name="contact_child_open_received",
            ),
            # The timeliness report's period of contacts, read from the index alone on
            # PostgreSQL (the included columns; other databases index `received_at` only).
            models.Index(
                fields=["received_at"],
                include=["decision_due", "decided_at", "feedback_due", "closed_at"],
                name="contact_child_received",
            ),
        ]

    def __str__(self) -> str:
        return f"Contact C-{self.contact_id:06d} child {self.child_id}"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)

    # Conditions check the record itself, with no side effects.
    def _has_proposal(self) -> bool:
        return self.current_decision is not None and self.current_decision.rationale != ""

    def _feedback_complete(self) -> bool:
        decision = self.current_decision
        if self.feedback_given is None or not self.feedback_note:
            return False
        if decision is not None and decision.outcome in FAMILY_TOLD_NEEDED:
            return self.family_told is not None and bool(self.family_note)
        return True

    @transition(field=state, source=ContactChildState.SCREENING, target=ContactChildState.PROPOSED,
                conditions=[_has_proposal])  # type: ignore[list-item]  # django-fsm-2 types conditions as taking any Model  # fmt: skip
    def propose_decision(self, *, by) -> None:
        """The proposal (a new ContactDecision row) is set by the service before this."""

    @transition(field=state, source=ContactChildState.PROPOSED, target=ContactChildState.SIGNED_OFF)
    def sign_off(self, *, by, comment: str = "") -> None:
        self.current_decision.review(by=by, state=Proposal.State.SIGNED_OFF, comment=comment)  # type: ignore[union-attr]  # the proposed state always has a current decision
        self.decided_at = self.current_decision.reviewed_at  # type: ignore[union-attr]  # as above

    @transition(field=state, source=ContactChildState.PROPOSED, target=ContactChildState.SCREENING)
    def return_for_changes(self, *, by, comment: str) -> None:
        self.current_decision.review(by=by, state=Proposal.State.RETURNED, comment=comment)  # type: ignore[union-attr]  # the proposed state always has a current decision
        self.current_decision = None

    @transition(field=state, source=ContactChildState.SIGNED_OFF, target=ContactChildState.CLOSED,
                conditions=[_feedback_complete])  # type: ignore[list-item]  # django-fsm-2 types conditions as taking any Model  # fmt: skip
    def close(self, *, by) -> None:
        self.closed_by, self.closed_at = by, timezone.now()


@register_audited
class ContactDecision(Proposal):
    """One proposed decision for one child; returned proposals are kept, never edited."""

    contact_child = models.ForeignKey(
        ContactChild, on_delete=models.PROTECT, related_name="decisions"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    level_of_need = models.ForeignKey(LevelOfNeed, on_delete=models.PROTECT, related_name="+")
    childs_voice = EncryptedTextField(
        blank=True,
        help_text="What is known of the child's own views and daily life, or why nothing is yet",
    )
    # The safety rule (casework.safety): what the proposer said about the open child-protection
    # work or the unexpected outcome it names, shown to the signer and in the timeline.
    safety_reason = EncryptedTextField(blank=True)

    class Meta(Proposal.Meta):
        indexes = [
            # The work lists' proposals returned to their author and waiting for a sign-off:
            # a person's few open or returned proposals, read once per count, never the
            # decisions they ever signed off.
            models.Index(fields=["proposed_by"], condition=models.Q(state="returned"),
                         name="decision_returned_by"),
            models.Index(fields=["proposed_by"], condition=models.Q(state="proposed"),
                         name="decision_proposed_by"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Decision D-{self.pk:06d}" if self.pk else "Decision (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.contact_child.child_id)


@register_audited
class ScreeningNotesVersion(models.Model):
    """One saved version of a child's screening notes: a save adds a version and never
    overwrites one, so the history shows who wrote what and when (issue 19)."""

    contact_child = models.ForeignKey(
        ContactChild, on_delete=models.PROTECT, related_name="screening_versions"
    )
    number = models.PositiveIntegerField()
    text = EncryptedTextField(blank=True)
    # Empty only on a first version made from text saved before versions were kept.
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact_child", "number"], name="screening_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"Screening notes version {self.number} of {self.contact_child_id}"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.contact_child.child_id)
