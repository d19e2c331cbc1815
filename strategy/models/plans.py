"""Child protection plans as records (DOMAIN.md "CP plan" and "CIN census").

A plan starts on the date of the initial conference that made it, with the initial category
of abuse (rule 2885); it is reviewed (`CPPreviewDate`), its latest category may change, and it
ends on `CPPendDate` with a reason. A child has at most one open plan; `NumberOfPreviousCPP`
is fixed when the plan starts.

ChildProtectionPlan: open -> ended.
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
from referrals.codes import CategoryOfAbuse
from strategy.models.enquiries import InitialConference

_USER = settings.AUTH_USER_MODEL


class PlanState(models.TextChoices):
    OPEN = "open", "Open"
    ENDED = "ended", "Ended"


class PlanQuerySet(models.QuerySet):
    def open(self):
        """Plans not yet ended (at most one per child)."""
        return self.filter(state=PlanState.OPEN)


@register_audited
class ChildProtectionPlan(ConcurrentTransitionMixin, models.Model):
    """One child protection plan, from the conference that made it to its end."""

    child = models.ForeignKey("referrals.Child", on_delete=models.PROTECT, related_name="plans")
    conference = models.OneToOneField(
        InitialConference, on_delete=models.PROTECT, related_name="child_protection_plan"
    )
    state = FSMField(default=PlanState.OPEN, choices=PlanState.choices, protected=True)
    start_date = models.DateField(help_text="CPPstartDate: the initial conference's date")
    initial_category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices)
    latest_category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices)
    previous_plans = models.PositiveSmallIntegerField(
        default=0, help_text="NumberOfPreviousCPP: the child's plans before this one"
    )
    end_date = models.DateField(null=True, blank=True, help_text="CPPendDate")
    end_reason = EncryptedTextField(blank=True, help_text="Why the plan ended")
    ended_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "child protection plan"
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(state="open"),
                name="one_open_plan_per_child",
            ),
            models.CheckConstraint(
                condition=models.Q(state="open", end_date__isnull=True)
                | models.Q(state="ended", end_date__isnull=False),
                name="plan_end_date_when_ended",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="plan_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"Child protection plan CPP-{self.pk:06d}" if self.pk else "Plan (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)

    @property
    def is_open(self) -> bool:
        return self.state == PlanState.OPEN

    @transition(field=state, source=PlanState.OPEN, target=PlanState.ENDED)
    def end(self, *, by, on, reason: str) -> None:
        if not reason.strip():
            raise RuleBroken("Give the reason the plan ended")
        if on < self.start_date:
            raise RuleBroken("A plan cannot end before it started")
        self.end_date, self.end_reason, self.ended_by = on, reason, by
        self.ended_at = timezone.now()


@register_audited
class PlanReview(models.Model):
    """A review of a plan (`CPPreviewDate`), with the category the review settled on."""

    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField(help_text="CPPreviewDate")
    category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices)
    note = EncryptedTextField(blank=True, help_text="What the review decided")
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reviewed_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "reviewed_on"], name="one_review_a_day")
        ]

    def __str__(self) -> str:
        return f"Plan review PR-{self.pk:06d}" if self.pk else "Plan review (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.plan.child_id)
