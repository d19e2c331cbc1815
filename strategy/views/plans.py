"""Child protection plans: the plan's page, a review and the end, recorded by the conference
chair or a manager (DOMAIN.md "CP plan")."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django_fsm import ConcurrentTransition

from accounts.audit import case_view, record_read
from accounts.http import AuthenticatedHttpRequest
from casework import access
from casework.errors import CHANGED_BY_SOMEONE_ELSE, RuleBroken
from strategy import selectors, services
from strategy.forms.plans import PlanEndForm, PlanReviewForm
from strategy.models import ChildProtectionPlan


def _plan(request: AuthenticatedHttpRequest, pk: int) -> ChildProtectionPlan:
    """The plan, for a user who may see case records: 404 for partners, 403 for the system
    administrator, before anything is looked up; then the restriction of its child."""
    access.refuse_case_object(request.user)
    plan = selectors.plan_detail(pk)
    access.require_open(request.user, plan.child_id)
    return plan


def _manager(request: AuthenticatedHttpRequest, pk: int) -> ChildProtectionPlan:
    plan = _plan(request, pk)
    access.require_manages_plans(request.user)
    return plan


@case_view(ChildProtectionPlan)
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The plan: its start, categories, reviews and end."""
    plan = _plan(request, pk)
    record_read(request, plan, child_ref=plan.child.census_id)
    return render(
        request,
        "strategy/plan.html",
        {"plan": plan, "can_manage": access.can_manage_plans(request.user)},
    )


def _form_page(request, plan, form, *, template: str, status: int = 200) -> HttpResponse:
    return render(request, template, {"plan": plan, "form": form}, status=status)


@case_view(ChildProtectionPlan)
def plan_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record a review of an open plan and the category it settled on."""
    plan = _manager(request, pk)
    template = "strategy/plan_review.html"
    if request.method != "POST":
        record_read(request, plan, child_ref=plan.child.census_id)
        initial = {"category": plan.latest_category, "version": plan.version}
        form = PlanReviewForm(initial=initial) if plan.is_open else None
        return _form_page(request, plan, form, template=template)
    form = PlanReviewForm(request.POST)
    if not form.is_valid():
        return _form_page(request, plan, form, template=template)
    data = form.cleaned_data
    try:
        services.plan_review_record(
            by=request.user, plan=plan, reviewed_on=data["reviewed_on"],
            category=data["category"], note=data["note"], version=data["version"],
        )  # fmt: skip
    except RuleBroken as error:
        form.add_error("reviewed_on" if "date" in str(error) else None, str(error))
        return _form_page(request, plan, form, template=template, status=409)
    except ConcurrentTransition:
        form.add_error(None, CHANGED_BY_SOMEONE_ELSE)
        return _form_page(request, plan, form, template=template, status=409)
    messages.success(request, "The review is recorded.")
    return redirect("strategy:plan", pk=plan.pk)


@case_view(ChildProtectionPlan)
def plan_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """End an open plan, with the date and the reason."""
    plan = _manager(request, pk)
    template = "strategy/plan_end.html"
    if request.method != "POST":
        record_read(request, plan, child_ref=plan.child.census_id)
        initial = {"end_date": timezone.localdate(), "version": plan.version}
        form = PlanEndForm(initial=initial) if plan.is_open else None
        return _form_page(request, plan, form, template=template)
    form = PlanEndForm(request.POST)
    if not form.is_valid():
        return _form_page(request, plan, form, template=template)
    data = form.cleaned_data
    try:
        services.plan_end(
            by=request.user, plan=plan, on=data["end_date"], reason=data["reason"],
            version=data["version"],
        )  # fmt: skip
    except RuleBroken as error:
        form.add_error("end_date" if "date" in str(error) else None, str(error))
        return _form_page(request, plan, form, template=template, status=409)
    except ConcurrentTransition:
        form.add_error(None, CHANGED_BY_SOMEONE_ELSE)
        return _form_page(request, plan, form, template=template, status=409)
    messages.success(request, "The plan has ended.")
    return redirect("strategy:plan", pk=plan.pk)
