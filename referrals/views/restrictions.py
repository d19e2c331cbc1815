"""Restricted records: the break-glass page, the restriction of a child's record, and the
managers' list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import sessions
from accounts.audit import case_view, record_list, record_read
from accounts.http import AuthenticatedHttpRequest
from casework import access
from casework.errors import RuleBroken
from referrals.forms.restrictions import AllowedForm, BreakGlassForm, LiftForm, RestrictForm
from referrals.models import Allocation, Child
from referrals.models.restrictions import BreakGlass, Restriction
from referrals.services import restrictions as services

RESTRICTED_RECORDS_PAGE_SIZE = 50


def _posted(request: AuthenticatedHttpRequest):
    """The posted data to bind a form to, even when empty (an empty post is still a post)."""
    return request.POST if request.method == "POST" else None


def _next(request: AuthenticatedHttpRequest, child: Child) -> str:
    """Where to go once the record is open: the page asked for when it is one of ours, else
    the child's page."""
    wanted = request.GET.get("next", "")
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("referrals:child", args=[child.pk])


@case_view(Child)
def break_glass(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """ "This record is restricted": the reason to open it, then the page asked for."""
    access.refuse_case_object(request.user)
    child = get_object_or_404(Child.objects.only("pk"), pk=pk)
    back = _next(request, child)
    if access.child_is_open_to(request.user, child):
        return redirect(back)
    form = BreakGlassForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.break_glass(by=request.user, child=child, reason=form.cleaned_data["reason"])
        except RuleBroken as error:
            form.add_error("reason", str(error))
        else:
            return redirect(back)
    return render(request, "referrals/restricted/break_glass.html", {"form": form, "child": child})


def _restricting(request: AuthenticatedHttpRequest, pk: int) -> tuple[Child, Restriction | None]:
    """The child and its restriction, for a manager: 404 for partners, 403 for the system
    administrator and anyone who is not a manager; a restricted record not open to the
    manager asks for a reason first."""
    access.refuse_case_object(request.user)
    if not access.can_restrict_records(request.user):
        raise PermissionDenied("Only managers restrict records.")
    child = get_object_or_404(Child.objects.only("pk"), pk=pk)
    access.require_open(request.user, child)
    restriction = (
        Restriction.objects.active()
        .select_related("restricted_by")
        .prefetch_related("allowed")
        .filter(child_id=child.pk)
        .first()
    )
    return child, restriction


def _restriction_page(
    request: AuthenticatedHttpRequest, child: Child, restriction: Restriction | None, *, form=None,
    lift_form=None, errors=(), status: int = 200,
) -> HttpResponse:  # fmt: skip
    if restriction is not None:
        record_read(request, restriction, child_ref=child.census_id)
        form = form or AllowedForm(initial={"allowed": list(restriction.allowed.all())})
        lift_form = lift_form or LiftForm()
    elif form is None:
        worker = (
            Allocation.objects.filter(child_id=child.pk, ended_at__isnull=True)
            .values_list("worker_id", flat=True)
            .first()
        )
        form = RestrictForm(initial={"allowed": [request.user.pk, *([worker] if worker else [])]})
    return render(
        request,
        "referrals/restricted/restriction.html",
        {
            "child": child, "restriction": restriction, "form": form, "lift_form": lift_form,
            "errors": list(errors),
            "allowed": list(restriction.allowed.all()) if restriction else [],
        },
        status=status,
    )  # fmt: skip


@case_view(Child)
def restriction(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Restrict the child's record with a reason and the people who may open it; or, once
    restricted, change who may open it (the page to lift it is below)."""
    child, current = _restricting(request, pk)
    if request.method != "POST":
        return _restriction_page(request, child, current)
    form = RestrictForm(request.POST) if current is None else AllowedForm(request.POST)
    if form.is_valid():
        try:
            if current is None:
                services.child_restrict(
                    by=request.user, child=child, reason=form.cleaned_data["reason"],
                    allowed=form.cleaned_data["allowed"],
                )  # fmt: skip
                done = "The record is restricted. Only the people named open it without a reason."
            else:
                services.restriction_allowed_change(
                    by=request.user, child=child, allowed=form.cleaned_data["allowed"]
                )
                done = "Who may open the record is saved."
        except RuleBroken as error:
            return _restriction_page(
                request, child, current, form=form, errors=[str(error)], status=409
            )
        messages.success(request, done)
        return redirect("referrals:child-restriction", pk=child.pk)
    return _restriction_page(request, child, current, form=form)


@sessions.posted_from("referrals:child-restriction", "pk")
@case_view(Child)
@require_POST
def restriction_lift(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Lift the restriction, with the reason (kept on the restriction and as a note)."""
    child, current = _restricting(request, pk)
    if current is None:
        messages.error(request, "This record is not restricted")
        return redirect("referrals:child-restriction", pk=child.pk)
    lift_form = LiftForm(request.POST)
    if lift_form.is_valid():
        try:
            services.restriction_lift(
                by=request.user, child=child, reason=lift_form.cleaned_data["lift_reason"]
            )
        except RuleBroken as error:
            lift_form.add_error("lift_reason", str(error))
        else:
            messages.success(request, "The restriction is lifted.")
            return redirect("referrals:child", pk=child.pk)
    return _restriction_page(request, child, current, lift_form=lift_form)


def restricted_records(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every restricted record with who may open it, every lifted restriction (who restricted
    and lifted it, and when; not why), and every break-glass opening (who, which child, when,
    until when, why), newest first: a fixed number of queries."""
    access.refuse_restricted_records(request.user)
    restrictions = list(
        Restriction.objects.active()
        .select_related("restricted_by")
        .prefetch_related("allowed")
        .defer("reason", "lift_reason")
        .order_by("-restricted_at", "-pk")
    )
    lifted = list(
        Restriction.objects.filter(lifted_at__isnull=False)
        .select_related("restricted_by", "lifted_by")
        .defer("reason", "lift_reason")
        .order_by("-lifted_at", "-pk")
    )
    openings = BreakGlass.objects.select_related("user").order_by("-opened_at", "-pk")
    page = Paginator(openings, RESTRICTED_RECORDS_PAGE_SIZE).get_page(request.GET.get("page"))
    record_list(request, Restriction, [r.pk for r in [*restrictions, *lifted]])
    record_list(request, BreakGlass, [opening.pk for opening in page])
    return render(
        request,
        "referrals/restricted/records.html",
        {
            "restrictions": restrictions,
            "lifted": lifted,
            "page": page,
            "openings": list(page),
        },
    )
