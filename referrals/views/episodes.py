"""The referral's pages: the list, the referral, its next steps proposed and reviewed, closure."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition

from accounts import sessions
from accounts.audit import case_view, record_list, record_read
from accounts.forms import ReviewForm
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import Perm
from casework import access, safety
from casework.answers import check_your_answers
from casework.errors import (
    RECORD_CHANGED,
    RuleBroken,
)
from casework.transitions import four_eyes
from notes import selectors as note_selectors
from notes import services as note_services
from notes.forms import NoteForm
from referrals import selectors, services
from referrals.codes import PrimaryNeed
from referrals.forms.episodes import (
    NO_PRIMARY_NEED,
    CloseReferralForm,
    NextStepsForm,
)
from referrals.models.episodes import (
    NextSteps,
    Referral,
    ReferralState,
)

NEXT_STEPS_LABELS = dict(NextSteps.choices)


PRIMARY_NEED_LABELS = {"": NO_PRIMARY_NEED, **dict(PrimaryNeed.choices)}


REVIEW_ACTIONS = dict(ReviewForm.base_fields["action"].choices)  # type: ignore[attr-defined]  # a ChoiceField


def _read(request: AuthenticatedHttpRequest, record) -> None:
    record_read(request, record, child_ref=record.child.census_id)


def _referral(request: AuthenticatedHttpRequest, pk: int) -> Referral:
    """The referral, for someone who may see case records (404 for partners, who must not
    learn that it exists; 403 for the system administrator)."""
    referral = access.get_case_record_for_user(request.user, selectors.referral_for_page(), pk=pk)
    return referral


def _current(decisions: list, referral: Referral):
    return next((d for d in decisions if d.pk == referral.current_decision_id), None)


@case_view(Referral)
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every open referral, next steps due oldest first, overdue and due today marked."""
    access.refuse_case_object(request.user)
    paginator = Paginator(selectors.open_referrals(), selectors.REFERRAL_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.referral_list(
        today=timezone.localdate(),
        user=request.user,
        offset=page.start_index() - 1 if paginator.count else 0,
        limit=paginator.per_page,
    )
    record_list(request, Referral, [row.referral.pk for row in rows])
    return render(request, "referrals/episode/referrals.html", {"rows": rows, "page": page})


@case_view(Referral)
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A referral: its summary, every next-steps proposal, its assessments, the strategy
    discussions and section 47 enquiries it is in, and what the user may do next."""
    referral = _referral(request, pk)
    _read(request, referral)
    return _referral_page(request, referral)


def _referral_page(
    request: AuthenticatedHttpRequest, referral: Referral, *, note_form=None
) -> HttpResponse:
    episode = selectors.referral_episode(referral)
    user = request.user
    signs_off = access.has_right(user, Perm.SIGN_OFF_DECISIONS)
    today = timezone.localdate()
    deciding = referral.state in (ReferralState.OPEN, ReferralState.NEXT_STEPS_PROPOSED)
    return render(
        request,
        "referrals/episode/referral.html",
        {
            "referral": referral,
            "child": referral.child,
            "current": _current(episode.decisions, referral),
            "decisions": episode.decisions,
            "assessments": episode.assessments,
            "discussions": episode.discussions,
            "section47s": episode.section47s,
            "overdue": deciding and referral.next_steps_due < today,
            "due_today": deciding and referral.next_steps_due == today,
            "today": today,
            "can_propose": referral.state == ReferralState.OPEN
            and access.has_right(user, Perm.PROPOSE_DECISIONS),
            "can_review": referral.state == ReferralState.NEXT_STEPS_PROPOSED and signs_off,
            "can_close": referral.state == ReferralState.NEXT_STEPS_SIGNED_OFF and signs_off,
            "can_convene": referral.is_open
            and access.has_right(user, Perm.CONVENE_STRATEGY_DISCUSSIONS),
            "reads_audit_trail": access.can_read_audit_trail(user),
            "notes": note_selectors.notes_with_versions(referral.notes.all()),
            "can_add_notes": access.has_right(user, Perm.RECORD_CONTACTS),
            "note_form": note_form or NoteForm(),
        },
    )


@sessions.posted_from("referrals:referral", "pk")
@case_view(Referral)
@require_POST
def referral_note_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A note on the referral, about its child (it shows on the child's page too)."""
    referral = _referral(request, pk)
    access.require_right(request.user, Perm.RECORD_CONTACTS, "Your role does not add notes.")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note_services.note_add(
                by=request.user, child=referral.child, referral=referral, **form.cleaned_data
            )
        except RuleBroken as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, "The note is added.")
            return redirect("referrals:referral", pk=pk)
    _read(request, referral)
    return _referral_page(request, referral, note_form=form)


def _proposer(request: AuthenticatedHttpRequest, pk: int) -> Referral | HttpResponse:
    referral = _referral(request, pk)
    access.require_right(
        request.user, Perm.PROPOSE_DECISIONS, "Your role does not propose next steps."
    )
    if referral.state != ReferralState.OPEN:
        messages.error(request, "Next steps can be proposed only while the referral is open")
        return redirect("referrals:referral", pk=pk)
    return referral


@case_view(Referral)
def next_steps_propose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Step 1: the next steps, primary need and rationale, kept (sealed) until checked."""
    referral = _proposer(request, pk)
    if isinstance(referral, HttpResponse):
        return referral
    key = f"next-steps-{referral.pk}"
    if request.method == "POST":
        form = NextStepsForm(request.POST, child_id=referral.child_id)
        if form.is_valid():
            sessions.keep(user=request.user, key=key, data=form.cleaned_data)
            return redirect("referrals:referral-propose-check", pk=pk)
    else:
        form = NextStepsForm(
            initial=sessions.kept(user=request.user, key=key), child_id=referral.child_id
        )
        _read(request, referral)
    return render(
        request,
        "referrals/episode/next_steps.html",
        {
            "referral": referral,
            "form": form,
            "panel": selectors.referral_history_panel(referral, user=request.user),
            "safety_rule": safety.RULE,
        },
    )


@case_view(Referral)
def next_steps_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Step 2: check your answers, then propose."""
    referral = _proposer(request, pk)
    if isinstance(referral, HttpResponse):
        return referral
    return check_your_answers(
        request,
        key=f"next-steps-{referral.pk}",
        back=reverse("referrals:referral-propose", args=[pk]),
        submit=lambda pending: services.referral_next_steps_propose(
            by=request.user,
            referral=referral,
            next_steps=pending["next_steps"],
            primary_need=pending["primary_need"],
            rationale=pending["rationale"],
            safety_reason=pending.get("safety_reason", ""),
        ),
        done=reverse("referrals:referral", args=[pk]),
        message="The next steps are proposed. A manager will sign them off.",
        changed=RECORD_CHANGED,
        on_show=lambda: _read(request, referral),
        template="referrals/episode/next_steps_check.html",
        context=lambda pending: {
            "referral": referral,
            "pending": pending,
            "next_steps": NEXT_STEPS_LABELS.get(pending["next_steps"], ""),
            "primary_need": PRIMARY_NEED_LABELS.get(pending["primary_need"], ""),
        },
    )


def _reviewer(request: AuthenticatedHttpRequest, pk: int) -> Referral | HttpResponse:
    referral = _referral(request, pk)
    access.require_right(
        request.user, Perm.SIGN_OFF_DECISIONS, "Only managers sign off or return next steps."
    )
    if referral.state != ReferralState.NEXT_STEPS_PROPOSED:
        messages.error(request, "These next steps are not waiting for a sign-off")
        return redirect("referrals:referral", pk=pk)
    return referral


@case_view(Referral)
def next_steps_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A manager's sign-off or return (with a comment); whoever proposed never reviews."""
    referral = _reviewer(request, pk)
    if isinstance(referral, HttpResponse):
        return referral
    key = f"next-steps-review-{referral.pk}"
    decisions = selectors.next_steps_history(referral)
    decision = _current(decisions, referral)
    form = ReviewForm(request.POST or None, initial=sessions.kept(user=request.user, key=key))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            four_eyes(request.user, decision.proposed_by_id, did="proposed these next steps")
        except RuleBroken as error:
            form.add_error(None, str(error))
            status = 409
        else:
            sessions.keep(
                user=request.user, key=key,
                data={"decision": decision.pk, **form.cleaned_data},
            )  # fmt: skip
            return redirect("referrals:referral-review-check", pk=pk)
    if request.method != "POST":
        _read(request, referral)
    return render(
        request,
        "referrals/episode/review.html",
        {
            "referral": referral,
            "decision": decision,
            "decisions": decisions,
            "form": form,
            "panel": selectors.referral_history_panel(referral, user=request.user),
        },
        status=status,
    )


@case_view(Referral)
def next_steps_review_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Check your answers, then sign off or return the next steps."""
    referral = _reviewer(request, pk)
    if isinstance(referral, HttpResponse):
        return referral
    key = f"next-steps-review-{referral.pk}"
    decision = _current(selectors.next_steps_history(referral), referral)

    def before(pending: dict) -> HttpResponse | None:
        if pending.get("decision") == referral.current_decision_id:
            return None
        # Another proposal is waiting now: it has to be read before it is reviewed.
        sessions.forget(user=request.user, key=key)
        messages.error(request, RECORD_CHANGED)
        return redirect("referrals:referral", pk=pk)

    def submit(pending: dict) -> str:
        """The review, and the words that say what it did."""
        if pending["action"] != "sign_off":
            services.referral_next_steps_return(
                by=request.user, referral=referral, comment=pending["comment"]
            )
            return "The next steps are returned with your comment."
        services.referral_next_steps_sign_off(
            by=request.user, referral=referral, comment=pending["comment"]
        )
        if decision.next_steps == NextSteps.ASSESSMENT:
            return "The next steps are signed off. The assessment is open."
        return "The next steps are signed off."

    return check_your_answers(
        request,
        key=key,
        back=reverse("referrals:referral-review", args=[pk]),
        before=before,
        submit=submit,
        done=reverse("referrals:referral", args=[pk]),
        message=lambda done: done,
        changed=RECORD_CHANGED,
        on_show=lambda: _read(request, referral),
        template="referrals/episode/review_check.html",
        context=lambda pending: {
            "referral": referral,
            "decision": decision,
            "pending": pending,
            "action": REVIEW_ACTIONS.get(pending["action"], ""),
        },
    )


@case_view(Referral)
def referral_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Close with the census reason and date, once every assessment is authorised and every
    enquiry has a conference or 'not required' (the service says what is still open)."""
    referral = _referral(request, pk)
    access.require_right(request.user, Perm.SIGN_OFF_DECISIONS, "Only managers close referrals.")
    if referral.state != ReferralState.NEXT_STEPS_SIGNED_OFF:
        messages.error(request, "A referral closes only once its next steps are signed off")
        return redirect("referrals:referral", pk=pk)
    open_plan = selectors.open_plan_of(referral.child_id)
    form = CloseReferralForm(
        request.POST or None, initial={"closure_date": timezone.localdate()},
        open_plan=open_plan is not None,
    )  # fmt: skip
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_close(
                by=request.user, referral=referral, reason=form.cleaned_data["reason"],
                on=form.cleaned_data["closure_date"],
                plan_end_reason=form.cleaned_data.get("plan_end_reason", ""),
            )  # fmt: skip
        except RuleBroken as error:
            form.add_error(None, str(error))
            status = 409
        except ConcurrentTransition:
            form.add_error(None, RECORD_CHANGED)
            status = 409
        else:
            messages.success(request, "The referral is closed.")
            return redirect("referrals:referral", pk=pk)
    if request.method != "POST":
        _read(request, referral)
    return render(
        request,
        "referrals/episode/close.html",
        {
            "referral": referral,
            "form": form,
            "open_work": referral.open_work(),
            "open_plan": open_plan,
        },
        status=status,
    )
