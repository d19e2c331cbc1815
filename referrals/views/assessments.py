"""The assessment's pages: its factors and analysis, completed by the worker and authorised by
another manager."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts import sessions
from accounts.audit import case_view
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import Perm
from casework import access
from casework.answers import check_your_answers
from casework.errors import (
    CHANGED_BY_SOMEONE_ELSE,
    RECORD_CHANGED,
    ChangedBySomeoneElse,
    RuleBroken,
)
from casework.transitions import four_eyes
from referrals import selectors, services
from referrals.codes import AssessmentFactor
from referrals.forms.episodes import (
    AssessmentForm,
    AuthoriseForm,
    yes_no_initial,
)
from referrals.models.episodes import (
    Assessment,
    AssessmentState,
)
from referrals.views.episodes import _read

FACTOR_LABELS = dict(AssessmentFactor.choices)


def _assessment(request: AuthenticatedHttpRequest, pk: int) -> Assessment:
    assessment = access.get_case_record_for_user(
        request.user, selectors.assessment_for_page(), pk=pk
    )
    return assessment


def _factor_labels(codes) -> list[str]:
    return [FACTOR_LABELS.get(code, code) for code in codes or []]


def _assessment_context(assessment: Assessment, **extra) -> dict:
    today = timezone.localdate()
    is_open = assessment.state == AssessmentState.OPEN
    return {
        "assessment": assessment,
        "factors": _factor_labels(assessment.factors),
        "overdue": is_open and assessment.due < today,
        "due_today": is_open and assessment.due == today,
        **extra,
    }


@case_view(Assessment)
def assessment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An assessment: when it started and is due, the factors and analysis, who completed
    and who authorised it, and what the user may do next."""
    assessment = _assessment(request, pk)
    _read(request, assessment)
    user = request.user
    is_open = assessment.state == AssessmentState.OPEN
    return render(
        request,
        "referrals/episode/assessment.html",
        _assessment_context(
            assessment,
            can_complete=is_open and access.has_right(user, Perm.PROPOSE_DECISIONS),
            can_authorise=is_open
            and assessment.completed_by_id is not None
            and access.has_right(user, Perm.SIGN_OFF_DECISIONS),
        ),
    )


@case_view(Assessment)
def assessment_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The factors identified and the analysis; if someone else saved first, their version is
    shown and what was typed is kept."""
    assessment = _assessment(request, pk)
    access.require_right(
        request.user, Perm.PROPOSE_DECISIONS, "Your role does not record assessments."
    )
    if assessment.state != AssessmentState.OPEN:
        messages.error(request, "An authorised assessment cannot change")
        return redirect("referrals:assessment", pk=pk)
    form = AssessmentForm(
        request.POST or None,
        initial={
            "factors": assessment.factors,
            "child_seen": yes_no_initial(assessment.child_seen),
            "needs_support": yes_no_initial(assessment.needs_support),
            "analysis": assessment.analysis,
            "version": assessment.version,
        },
    )
    errors, theirs, status = [], None, 200
    if request.method == "POST" and form.is_valid():
        typed = form.cleaned_data
        try:
            services.assessment_complete(
                by=request.user, assessment=assessment, factors=typed["factors"],
                analysis=typed["analysis"], version=typed["version"],
                child_seen=typed["child_seen"], needs_support=typed["needs_support"],
            )  # fmt: skip
        except ChangedBySomeoneElse as conflict:
            theirs = conflict.current
            form = AssessmentForm(
                initial={
                    **typed,
                    "child_seen": yes_no_initial(typed["child_seen"]),
                    "needs_support": yes_no_initial(typed["needs_support"]),
                    "version": theirs.version,
                }
            )
            errors.append(CHANGED_BY_SOMEONE_ELSE)
            status = 409
        except RuleBroken as error:
            form.add_error(None, str(error))
            status = 409
        else:
            messages.success(
                request,
                "The factors and analysis are saved. A manager can now authorise the assessment.",
            )
            return redirect("referrals:assessment", pk=pk)
    if request.method != "POST":
        _read(request, assessment)
    return render(
        request,
        "referrals/episode/assessment_complete.html",
        {
            "assessment": assessment,
            "form": form,
            "errors": errors,
            "theirs": theirs,
            "their_factors": _factor_labels(theirs.factors) if theirs else [],
        },
        status=status,
    )


def _authoriser(request: AuthenticatedHttpRequest, pk: int) -> Assessment | HttpResponse:
    assessment = _assessment(request, pk)
    access.require_right(
        request.user, Perm.SIGN_OFF_DECISIONS, "Only managers authorise assessments."
    )
    if assessment.state != AssessmentState.OPEN:
        messages.error(request, "This assessment is already authorised")
        return redirect("referrals:assessment", pk=pk)
    if not assessment.factors or assessment.completed_by_id is None:
        messages.error(request, "Record the factors identified before the assessment is authorised")
        return redirect("referrals:assessment", pk=pk)
    return assessment


@case_view(Assessment)
def assessment_authorise(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Step 1 of authorising: read the assessment, add any comment; never one's own."""
    assessment = _authoriser(request, pk)
    if isinstance(assessment, HttpResponse):
        return assessment
    key = f"assessment-authorise-{assessment.pk}"
    form = AuthoriseForm(request.POST or None, initial=sessions.kept(user=request.user, key=key))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            four_eyes(request.user, assessment.completed_by_id, did="completed this assessment")
        except RuleBroken as error:
            form.add_error(None, str(error))
            status = 409
        else:
            sessions.keep(
                user=request.user, key=key,
                data={"version": assessment.version, "comment": form.cleaned_data["comment"]},
            )  # fmt: skip
            return redirect("referrals:assessment-authorise-check", pk=pk)
    if request.method != "POST":
        _read(request, assessment)
    return render(
        request,
        "referrals/episode/assessment_authorise.html",
        _assessment_context(assessment, form=form),
        status=status,
    )


@case_view(Assessment)
def assessment_authorise_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Step 2: check your answers, then authorise."""
    assessment = _authoriser(request, pk)
    if isinstance(assessment, HttpResponse):
        return assessment
    key = f"assessment-authorise-{assessment.pk}"

    def before(pending: dict) -> HttpResponse | None:
        if pending.get("version") == assessment.version:
            return None
        # The factors or analysis changed after they were read: read them again first.
        sessions.forget(user=request.user, key=key)
        messages.error(request, RECORD_CHANGED)
        return redirect("referrals:assessment", pk=pk)

    return check_your_answers(
        request,
        key=key,
        back=reverse("referrals:assessment-authorise", args=[pk]),
        before=before,
        submit=lambda pending: services.assessment_authorise(
            by=request.user, assessment=assessment, comment=pending["comment"]
        ),
        done=reverse("referrals:assessment", args=[pk]),
        message="The assessment is authorised.",
        changed=RECORD_CHANGED,
        on_show=lambda: _read(request, assessment),
        template="referrals/episode/assessment_authorise_check.html",
        context=lambda pending: _assessment_context(assessment, pending=pending),
    )
