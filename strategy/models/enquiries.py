"""Section 47 enquiries, their outcome decisions and initial conferences (DESIGN.md "The
journey"; DOMAIN.md "Section 47 enquiries, ICPC, CP plan").

Section47: open -> outcome proposed -> outcome signed off -> conference held | closed
("conference not required").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.audit import register_audited
from accounts.encryption import EncryptedTextField
from accounts.models import Agency
from casework.references import about_child
from referrals.codes import CategoryOfAbuse
from referrals.models.proposals import Proposal
from strategy.models.discussions import DiscussionChild

_USER = settings.AUTH_USER_MODEL


class Section47State(models.TextChoices):
    OPEN = "open", "Open"
    OUTCOME_PROPOSED = "outcome_proposed", "Outcome proposed"
    OUTCOME_SIGNED_OFF = "outcome_signed_off", "Outcome signed off"
    CONFERENCE_HELD = "conference_held", "Initial conference held"
    CLOSED = "closed", "Closed: conference not required"


OPEN_SECTION_47_STATES = (
    Section47State.OPEN,
    Section47State.OUTCOME_PROPOSED,
    Section47State.OUTCOME_SIGNED_OFF,
)


class EnquiryOutcome(models.TextChoices):
    NOT_SUBSTANTIATED = "not_substantiated", "Not substantiated"
    NO_CONTINUING_RISK = "no_continuing_risk", "Substantiated, no continuing risk"
    CONTINUING_RISK = (
        "continuing_risk",
        ("Substantiated, continuing risk of significant harm: convene an initial conference"),
    )


class Section47QuerySet(models.QuerySet):
    def open(self):
        """Enquiries with neither an initial conference nor "conference not required"."""
        return self.filter(state__in=OPEN_SECTION_47_STATES)


@register_audited
class Section47(ConcurrentTransitionMixin, models.Model):
    """One enquiry per child per decision to enquire. It starts on the date of the discussion
    that decided it, and the initial conference target is fixed then (15 working days)."""

    discussion_child = models.OneToOneField(
        DiscussionChild, on_delete=models.PROTECT, related_name="section47"
    )
    child = models.ForeignKey(
        "referrals.Child", on_delete=models.PROTECT, related_name="section47s"
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="section47s"
    )
    assessment = models.ForeignKey(
        "referrals.Assessment", on_delete=models.PROTECT, related_name="section47s"
    )
    state = FSMField(default=Section47State.OPEN, choices=Section47State.choices, protected=True)
    joint = models.BooleanField(help_text="Joint with the police")
    start_date = models.DateField(help_text="S47ActualStartDate: the discussion's date")
    conference_due = models.DateField(help_text="InitialCPCtarget")
    current_outcome = models.ForeignKey(
        "strategy.EnquiryOutcomeDecision", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    conference_not_required = models.BooleanField(default=False, help_text="ICPCnotRequired")
    closed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = Section47QuerySet.as_manager()

    class Meta:
        verbose_name = "section 47 enquiry"
        verbose_name_plural = "section 47 enquiries"
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(state__in=["open", "outcome_proposed", "outcome_signed_off"]),
                name="one_open_section47_per_referral",
            )
        ]
        indexes = [models.Index(fields=["state", "conference_due"], name="section47_open_due")]

    def __str__(self) -> str:
        return f"Section 47 enquiry E-{self.pk:06d}" if self.pk else "Section 47 enquiry (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_SECTION_47_STATES

    @property
    def outcome(self) -> str:
        decision = self.current_outcome
        return decision.outcome if decision and decision.state == Proposal.State.SIGNED_OFF else ""

    def _has_proposal(self) -> bool:
        return self.current_outcome is not None and self.current_outcome.rationale != ""

    def _conference_needed(self) -> bool:
        return self.outcome == EnquiryOutcome.CONTINUING_RISK

    def _conference_not_needed(self) -> bool:
        return self.outcome in (EnquiryOutcome.NOT_SUBSTANTIATED, EnquiryOutcome.NO_CONTINUING_RISK)

    @transition(field=state, source=Section47State.OPEN, target=Section47State.OUTCOME_PROPOSED,
                conditions=[_has_proposal])  # type: ignore[list-item]  # django-fsm-2 types conditions as taking any Model  # fmt: skip
    def propose_outcome(self, *, by) -> None:
        """The proposal (a new EnquiryOutcomeDecision row) is set by the service before this."""

    @transition(field=state, source=Section47State.OUTCOME_PROPOSED,
                target=Section47State.OUTCOME_SIGNED_OFF)  # fmt: skip
    def sign_off_outcome(self, *, by, comment: str = "") -> None:
        self.current_outcome.review(by=by, state=Proposal.State.SIGNED_OFF, comment=comment)  # type: ignore[union-attr]  # the proposed state always has a current outcome

    @transition(field=state, source=Section47State.OUTCOME_PROPOSED, target=Section47State.OPEN)
    def return_outcome(self, *, by, comment: str) -> None:
        self.current_outcome.review(by=by, state=Proposal.State.RETURNED, comment=comment)  # type: ignore[union-attr]  # the proposed state always has a current outcome
        self.current_outcome = None

    @transition(field=state, source=Section47State.OUTCOME_SIGNED_OFF,
                target=Section47State.CLOSED, conditions=[_conference_not_needed])  # type: ignore[list-item]  # django-fsm-2 types conditions as taking any Model  # fmt: skip
    def close_without_conference(self, *, by) -> None:
        self.conference_not_required = True
        self.closed_by, self.closed_at = by, timezone.now()

    @transition(field=state, source=Section47State.OUTCOME_SIGNED_OFF,
                target=Section47State.CONFERENCE_HELD, conditions=[_conference_needed])  # type: ignore[list-item]  # django-fsm-2 types conditions as taking any Model  # fmt: skip
    def hold_conference(self, *, by) -> None:
        """The conference record (InitialConference) is made by the service with this."""


@register_audited
class EnquiryOutcomeDecision(Proposal):
    """A proposed outcome of a section 47 enquiry; returned proposals are kept."""

    section47 = models.ForeignKey(Section47, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=EnquiryOutcome.choices)

    class Meta(Proposal.Meta):
        indexes = [
            # The work lists' outcomes returned to their author (as for contact decisions).
            models.Index(fields=["proposed_by"], condition=models.Q(state="returned"),
                         name="enquiry_outcome_returned_by"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Enquiry outcome EO-{self.pk:06d}" if self.pk else "Enquiry outcome (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.section47.child_id)


@register_audited
class InitialConference(models.Model):
    """The initial child protection conference of a section 47 enquiry (`DateOfInitialCPC`);
    a plan starts on its date with the initial category of abuse."""

    section47 = models.OneToOneField(Section47, on_delete=models.PROTECT, related_name="conference")
    child = models.ForeignKey(
        "referrals.Child", on_delete=models.PROTECT, related_name="conferences"
    )
    held_on = models.DateField()
    chair = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    agencies_attending = models.ManyToManyField(Agency, related_name="+", blank=True)
    plan = models.BooleanField(help_text="A child protection plan was decided")
    category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices, blank=True)
    summary = EncryptedTextField(blank=True, help_text="The conference's decisions and reasons")
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(plan=True) & ~models.Q(category="")
                | models.Q(plan=False, category=""),
                name="conference_category_with_plan_only",
            )
        ]

    def __str__(self) -> str:
        return f"Initial conference IC-{self.pk:06d}" if self.pk else "Initial conference (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)
