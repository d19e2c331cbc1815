from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition

from accounts import access
from accounts.audit import case_view, record_list, record_read
from accounts.permissions import Perm
from referrals import selectors, services
from referrals.forms import (
    ClosureDayForm,
    FeedbackForm,
    LevelOfNeedForm,
    ProposeDecisionForm,
    ReviewForm,
)
from referrals.models import Child, ClosureDay, Contact, ContactChild, LevelOfNeed


def _require_local_data_manager(request: HttpRequest) -> None:
    if not access.has_right(request.user, Perm.MANAGE_LOCAL_DATA):
        raise PermissionDenied("Only system administrators manage local data.")


def local_data(request: HttpRequest) -> HttpResponse:
    """The continuum of need and closure days (DESIGN.md "Settings and local data")."""
    _require_local_data_manager(request)
    form = ClosureDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                ClosureDay.objects.create(**form.cleaned_data)
        except IntegrityError:
            form.add_error("day", "That date is already a closure day")
        else:
            messages.success(request, "The closure day is added. Due dates from now on skip it.")
            return redirect("referrals:local-data")
    return render(
        request,
        "referrals/local_data.html",
        {
            "levels": LevelOfNeed.objects.all(),
            "closure_days": ClosureDay.objects.all(),
            "form": form,
        },
    )


@require_POST
def closure_day_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_local_data_manager(request)
    get_object_or_404(ClosureDay, pk=pk).delete()
    messages.success(request, "The closure day is removed. Due dates already set do not move.")
    return redirect("referrals:local-data")


def level_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_local_data_manager(request)
    level = get_object_or_404(LevelOfNeed, pk=pk) if pk else None
    initial = (
        {
            "name": level.name,
            "description": level.description,
            "order": level.order,
            "is_active": level.is_active,
        }
        if level
        else {"order": LevelOfNeed.objects.count() + 1}
    )
    form = LevelOfNeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        duplicate = LevelOfNeed.objects.filter(name__iexact=form.cleaned_data["name"])
        if level:
            duplicate = duplicate.exclude(pk=level.pk)
        if duplicate.exists():
            form.add_error("name", "A level with that name already exists")
        else:
            level = level or LevelOfNeed()
            for name, value in form.cleaned_data.items():
                setattr(level, name, value)
            level.save()
            messages.success(request, "The level of need is saved.")
            return redirect("referrals:local-data")
    heading = f"Change {level.name}" if level else "Add a level of need"
    return render(request, "referrals/level_form.html", {"form": form, "heading": heading})


def queue(request: HttpRequest) -> HttpResponse:
    """The front door's queue: every open decision, oldest first, due and overdue marked."""
    access.require_case_records_access(request.user)
    rows = selectors.front_door_queue(today=timezone.localdate())
    record_list(request, ContactChild, [row.contact_child.pk for row in rows])
    return render(request, "referrals/queue.html", {"rows": rows})


@case_view(Contact)
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One contact: what was reported, by whom, and the decision for each child."""
    access.refuse_case_object(request.user)
    contact = get_object_or_404(
        Contact.objects.select_related("taken_by", "recorded_by").prefetch_related(
            "children__child", "children__current_decision__level_of_need", "adults"
        ),
        pk=pk,
    )
    children = list(contact.children.all())
    for contact_child in children:
        record_read(request, contact_child, child_ref=contact_child.child.census_id)
    return render(request, "referrals/contact.html", {"contact": contact, "children": children})


# The decision for one child --------------------------------------------------------------

CHANGED_BY_SOMEONE_ELSE = (
    "This record was changed by someone else while you were working on it. Their change is "
    "shown below; what you typed is still in the form."
)


def _contact_child(request: HttpRequest, pk: int, cc_pk: int) -> ContactChild:
    access.refuse_case_object(request.user)
    return get_object_or_404(
        ContactChild.objects.select_related(
            "contact", "child", "current_decision__level_of_need", "current_decision__proposed_by"
        ),
        pk=cc_pk,
        contact_id=pk,
    )


def _decision_page(request, contact_child, *, form=None, errors=(), status=200) -> HttpResponse:
    from referrals.contacts import FAMILY_TOLD_NEEDED, ContactChildState

    decision = contact_child.current_decision
    family_needed = decision is not None and decision.outcome in FAMILY_TOLD_NEEDED
    if form is None:
        if contact_child.state == ContactChildState.SCREENING:
            form = ProposeDecisionForm()
        elif contact_child.state == ContactChildState.PROPOSED:
            form = ReviewForm()
        elif contact_child.state == ContactChildState.SIGNED_OFF:
            form = FeedbackForm(family_needed=family_needed)
    return render(
        request,
        "referrals/decision.html",
        {
            "cc": contact_child,
            "contact": contact_child.contact,
            "decision": decision,
            "history": contact_child.decisions.select_related(
                "proposed_by", "reviewed_by", "level_of_need"
            ),
            "form": form,
            "errors": list(errors),
            "family_needed": family_needed,
            "can_sign_off": access.has_right(request.user, Perm.SIGN_OFF_DECISIONS),
            "can_propose": access.has_right(request.user, Perm.PROPOSE_DECISIONS),
            "can_close": access.has_right(request.user, Perm.RECORD_CONTACTS),
            "ready_to_close": contact_child.state == ContactChildState.SIGNED_OFF
            and contact_child.feedback_given is not None,
        },
        status=status,
    )


@case_view(ContactChild)
def decision(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    """The child's decision page: propose, review, or record feedback and close."""
    contact_child = _contact_child(request, pk, cc_pk)
    record_read(request, contact_child, child_ref=contact_child.child.census_id)
    return _decision_page(request, contact_child)


@case_view(ContactChild)
@require_POST
def decision_propose(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    """Step 1: the proposal, kept in the session until checked."""
    contact_child = _contact_child(request, pk, cc_pk)
    form = ProposeDecisionForm(request.POST)
    if not form.is_valid():
        return _decision_page(request, contact_child, form=form)
    request.session[f"proposal-{contact_child.pk}"] = {
        "outcome": form.cleaned_data["outcome"],
        "level_of_need": form.cleaned_data["level_of_need"].pk,
        "rationale": form.cleaned_data["rationale"],
        "version": contact_child.version,
    }
    return redirect("referrals:decision-check", pk=pk, cc_pk=cc_pk)


@case_view(ContactChild)
def decision_check(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    """Step 2: check your answers, then propose."""
    from referrals.contacts import LevelOfNeed, Outcome, RuleBroken

    contact_child = _contact_child(request, pk, cc_pk)
    key = f"proposal-{contact_child.pk}"
    pending = request.session.get(key)
    if not pending:
        return redirect("referrals:decision", pk=pk, cc_pk=cc_pk)
    level = LevelOfNeed.objects.filter(pk=pending["level_of_need"]).first()
    if request.method == "POST":
        try:
            services.decision_propose(
                by=request.user, contact_child=contact_child, outcome=pending["outcome"],
                level_of_need=level, rationale=pending["rationale"],
            )  # fmt: skip
        except RuleBroken as error:
            return _decision_page(request, contact_child, errors=[str(error)], status=409)
        except ConcurrentTransition:
            return _decision_page(
                request, contact_child, errors=[CHANGED_BY_SOMEONE_ELSE], status=409
            )
        del request.session[key]
        messages.success(request, "The decision is proposed. A manager will sign it off.")
        return redirect("referrals:contact", pk=pk)
    return render(
        request,
        "referrals/decision_check.html",
        {
            "cc": contact_child,
            "pending": pending,
            "outcome": Outcome(pending["outcome"]).label,
            "level": level,
        },
    )


@case_view(ContactChild)
@require_POST
def decision_review(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    from referrals.contacts import RuleBroken

    contact_child = _contact_child(request, pk, cc_pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _decision_page(request, contact_child, form=form)
    try:
        if form.cleaned_data["action"] == "sign_off":
            services.decision_sign_off(
                by=request.user, contact_child=contact_child, comment=form.cleaned_data["comment"]
            )
            messages.success(request, "The decision is signed off.")
        else:
            services.decision_return(
                by=request.user, contact_child=contact_child, comment=form.cleaned_data["comment"]
            )
            messages.success(request, "The decision is returned with your comment.")
    except RuleBroken as error:
        return _decision_page(request, contact_child, form=form, errors=[str(error)], status=409)
    except ConcurrentTransition:
        fresh = _contact_child(request, pk, cc_pk)
        return _decision_page(
            request, fresh, form=form, errors=[CHANGED_BY_SOMEONE_ELSE], status=409
        )
    return redirect("referrals:contact", pk=pk)


@case_view(ContactChild)
@require_POST
def decision_feedback(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    from referrals.contacts import FAMILY_TOLD_NEEDED, RuleBroken

    contact_child = _contact_child(request, pk, cc_pk)
    family_needed = contact_child.current_decision.outcome in FAMILY_TOLD_NEEDED
    form = FeedbackForm(request.POST, family_needed=family_needed)
    if not form.is_valid():
        return _decision_page(request, contact_child, form=form)
    try:
        services.feedback_record(by=request.user, contact_child=contact_child, **form.cleaned_data)
    except RuleBroken as error:
        return _decision_page(request, contact_child, form=form, errors=[str(error)], status=409)
    messages.success(request, "The feedback is recorded.")
    return redirect("referrals:decision", pk=pk, cc_pk=cc_pk)


@case_view(ContactChild)
@require_POST
def decision_close(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    from referrals.contacts import RuleBroken

    contact_child = _contact_child(request, pk, cc_pk)
    try:
        services.contact_child_close(by=request.user, contact_child=contact_child)
    except RuleBroken as error:
        return _decision_page(request, contact_child, errors=[str(error)], status=409)
    except ConcurrentTransition:
        return _decision_page(request, contact_child, errors=[CHANGED_BY_SOMEONE_ELSE], status=409)
    messages.success(request, "The child's contact is closed.")
    return redirect("referrals:contact", pk=pk)


@case_view(Child)
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A child's page: who they are, who works with them, and everything recorded."""
    access.refuse_case_object(request.user)
    child = get_object_or_404(Child, pk=pk)
    record_read(request, child, child_ref=child.census_id)
    allocation = (
        child.allocations.filter(ended_at__isnull=True).select_related("worker", "team").first()
    )
    return render(
        request,
        "referrals/child.html",
        {
            "child": child,
            "allocation": allocation,
            "relationships": child.relationships.select_related("person"),
            "timeline": selectors.child_timeline(child),
            "reads_audit_trail": access.can_read_audit_trail(request.user),
        },
    )
