"""The system administrator's local data page: levels of need, closure days and teams."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import sessions
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import Perm
from casework import access
from casework.errors import RuleBroken
from referrals.forms import (
    ClosureDayForm,
    DutyManagerForm,
    LevelOfNeedForm,
    TeamForm,
)
from referrals.models import (
    ClosureDay,
    DutyManager,
    LevelOfNeed,
    Team,
)
from referrals.services import local_data as services


def local_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The continuum of need and closure days (DESIGN.md "Settings and local data")."""
    access.require_right(request.user, Perm.MANAGE_LOCAL_DATA, access.MANAGES_LOCAL_DATA)
    form = ClosureDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.closure_day_add(by=request.user, **form.cleaned_data)
        except RuleBroken as error:
            form.add_error("day", str(error))
        else:
            messages.success(request, "The closure day is added. Due dates from now on skip it.")
            return redirect("referrals:local-data")
    return _local_data_page(request, form=form)


def _local_data_page(
    request: AuthenticatedHttpRequest, *, form=None, team_form=None, duty_form=None
) -> HttpResponse:
    return render(
        request,
        "referrals/local_data.html",
        {
            "levels": LevelOfNeed.objects.all(),
            "closure_days": ClosureDay.objects.all(),
            "teams": Team.objects.select_related("manager").order_by("name"),
            "form": form or ClosureDayForm(),
            "team_form": team_form or TeamForm(),
            "duty_manager": DutyManager.current(),
            "duty_form": duty_form or DutyManagerForm(),
        },
    )


@sessions.posted_from("referrals:local-data")
@require_POST
def closure_day_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access.require_right(request.user, Perm.MANAGE_LOCAL_DATA, access.MANAGES_LOCAL_DATA)
    services.closure_day_remove(by=request.user, closure_day=get_object_or_404(ClosureDay, pk=pk))
    messages.success(request, "The closure day is removed. Due dates already set do not move.")
    return redirect("referrals:local-data")


def level_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    access.require_right(request.user, Perm.MANAGE_LOCAL_DATA, access.MANAGES_LOCAL_DATA)
    level = get_object_or_404(LevelOfNeed, pk=pk) if pk else None
    initial = (
        {
            "name": level.name,
            "description": level.description,
            "order": level.order,
            "is_active": level.is_active,
            "expected_outcomes": level.expected_outcomes,
        }
        if level
        else {"order": LevelOfNeed.objects.count() + 1}
    )
    form = LevelOfNeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            level = services.level_of_need_save(by=request.user, level=level, **form.cleaned_data)
        except RuleBroken as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, "The level of need is saved.")
            return redirect("referrals:local-data")
    heading = f"Change {level.name}" if level else "Add a level of need"
    return render(request, "referrals/level_form.html", {"form": form, "heading": heading})


@sessions.posted_from("referrals:local-data")
@require_POST
def team_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_right(request.user, Perm.MANAGE_LOCAL_DATA, access.MANAGES_LOCAL_DATA)
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            services.team_add(by=request.user, **form.cleaned_data)
        except RuleBroken as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, "The team is added.")
            return redirect("referrals:local-data")
    return _local_data_page(request, team_form=form)


@sessions.posted_from("referrals:local-data")
@require_POST
def duty_manager_set(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_right(request.user, Perm.MANAGE_LOCAL_DATA, access.MANAGES_LOCAL_DATA)
    form = DutyManagerForm(request.POST)
    if form.is_valid():
        try:
            services.duty_manager_set(by=request.user, manager=form.cleaned_data["manager"])
        except RuleBroken as error:
            form.add_error("manager", str(error))
        else:
            messages.success(request, "The duty manager is set.")
            return redirect("referrals:local-data")
    return _local_data_page(request, duty_form=form)
