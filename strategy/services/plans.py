"""Child protection plans: started by the initial conference that decided one, reviewed, and
ended, by the conference chair or a manager (DOMAIN.md "CP plan"; the CIN census's
`ChildProtectionPlans`). Each action checks the actor's right, the rule, saves and audits in
one transaction.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from casework import access
from casework.errors import RuleBroken
from casework.locking import locked
from casework.transitions import audit_transition
from referrals.codes import CategoryOfAbuse
from strategy.models import ChildProtectionPlan, InitialConference, PlanReview


def _require_plan_right(user: User) -> None:
    if not access.can_manage_plans(user):
        raise RuleBroken(access.MANAGES_PLANS)


def plan_start(*, conference: InitialConference) -> ChildProtectionPlan:
    """The plan a conference decided starts on its date with its category (rule 2885), with
    the child's earlier plans counted; a child has at most one open plan. Called by the
    conference's service inside its transaction."""
    if ChildProtectionPlan.objects.open().filter(child_id=conference.child_id).exists():
        raise RuleBroken(
            "The child already has an open child protection plan: record its end before a "
            "new plan starts"
        )
    return ChildProtectionPlan.objects.create(
        child_id=conference.child_id, conference=conference, start_date=conference.held_on,
        initial_category=conference.category, latest_category=conference.category,
        previous_plans=ChildProtectionPlan.objects.filter(child_id=conference.child_id).count(),
    )  # fmt: skip


@transaction.atomic
def plan_review_record(
    *, by: User, plan: ChildProtectionPlan, reviewed_on: date, category: str, note: str = "",
    version: int | None = None,
) -> PlanReview:  # fmt: skip
    """A review of an open plan (`CPPreviewDate`), after the day the plan started (CIN census
    rule 8841) and not in the future; the category it settled on becomes the plan's latest."""
    _require_plan_right(by)
    current = locked(ChildProtectionPlan, plan, version)
    if not current.is_open:
        raise RuleBroken("Reviews are recorded only while the plan is open")
    if category not in CategoryOfAbuse.values:
        raise RuleBroken("Choose the category of abuse the review settled on")
    if reviewed_on <= current.start_date:
        raise RuleBroken("A review must be after the day the plan started")
    if reviewed_on > timezone.localdate():
        raise RuleBroken("The review date cannot be in the future")
    if current.reviews.filter(reviewed_on=reviewed_on).exists():
        raise RuleBroken("A review on that date is already recorded")
    review = PlanReview.objects.create(
        plan=current, reviewed_on=reviewed_on, category=category, note=note, recorded_by=by
    )
    current.latest_category = category
    current.version += 1
    current.save(update_fields=["latest_category", "version"])
    audit_transition(by, current, current.state, "review", reason=category)
    return review


def end_plan(*, by: User, plan: ChildProtectionPlan, on: date, reason: str) -> None:
    """End an open plan on `on` with its reason; the caller holds the transaction and the
    right (the plan's own page, or closing the child's referral)."""
    if on > timezone.localdate():
        raise RuleBroken("The plan's end date cannot be in the future")
    source = plan.state
    plan.end(by=by, on=on, reason=reason)
    plan.version += 1
    plan.save()
    audit_transition(by, plan, source, "end")


@transaction.atomic
def plan_end(
    *, by: User, plan: ChildProtectionPlan, on: date, reason: str, version: int | None = None
) -> ChildProtectionPlan:
    """The plan ends (`CPPendDate`) with its reason, by a chair or a manager."""
    _require_plan_right(by)
    current = locked(ChildProtectionPlan, plan, version)
    if not current.is_open:
        raise RuleBroken("This plan has already ended")
    end_plan(by=by, plan=current, on=on, reason=reason)
    return current
