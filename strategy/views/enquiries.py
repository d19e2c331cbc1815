"""Section 47 enquiry pages: propose the outcome, sign off or return, record the initial
conference."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition

from accounts import sessions
from accounts.audit import case_view, record_list, record_read
from accounts.forms import ReviewForm
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import Perm
from casework import access
from casework.answers import check_your_answers
from casework.errors import ENQUIRY_CHANGED, RuleBroken
from casework.transitions import four_eyes
from notes.forms import NoteForm
from notes.selectors import notes_with_versions
from notes.services import note_add
from strategy import selectors, services
from strategy.forms.enquiries import ConferenceForm, ProposeOutcomeForm
from strategy.models import EnquiryOutcome, Section47, Section47State

NOT_REQUIRED = "The enquiry is closed: conference not required."


def _link(name: str, pk: int | None) -> str:
    """A link to a page another part of the service provides, or none while it does not."""
    if pk is None:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _enquiry(request: AuthenticatedHttpRequest, pk: int) -> Section47:
    """The enquiry, for a user who may see case records: 404 for partners, 403 for the system
    administrator, before anything is looked up."""
    access.refuse_case_object(request.user)
    enquiry = selectors.section47_detail(pk)
    access.require_open(request.user, enquiry.child_id)
    return enquiry


def _conference(enquiry: Section47):
    return getattr(enquiry, "conference", None)


def section47_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open section 47 enquiries, the conference target soonest first, overdue marked."""
    access.refuse_case_object(request.user)
    paginator = Paginator(selectors.open_section47s(), selectors.SECTION_47_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.section47_page(
        today=timezone.localdate(),
        user=request.user,
        offset=page.start_index() - 1 if paginator.count else 0,
        limit=paginator.per_page,
    )
    record_list(request, Section47, [row.enquiry.pk for row in rows])
    return render(request, "strategy/section47_list.html", {"rows": rows, "page": page})


def _four_eyes_problem(request: AuthenticatedHttpRequest, enquiry: Section47) -> str:
    """The four-eyes rule, in the service's words, for a manager who proposed this outcome."""
    if enquiry.state != Section47State.OUTCOME_PROPOSED or enquiry.current_outcome is None:
        return ""
    try:
        four_eyes(request.user, enquiry.current_outcome.proposed_by_id, did="proposed this outcome")
    except RuleBroken as error:
        return str(error)
    return ""


def _enquiry_page(
    request: AuthenticatedHttpRequest, enquiry: Section47, *, form=None, errors=(), note_form=None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    user = request.user
    can_add_notes = access.has_right(user, Perm.RECORD_CONTACTS)
    can_propose = access.has_right(user, Perm.RUN_SECTION_47_ENQUIRIES)
    can_sign_off = access.has_right(user, Perm.SIGN_OFF_DECISIONS)
    four_eyes_problem = _four_eyes_problem(request, enquiry) if can_sign_off else ""
    if form is None and enquiry.state == Section47State.OPEN and can_propose:
        # Coming back from "Check your answers" to change them: the answers are still there.
        form = ProposeOutcomeForm(initial=sessions.kept(user=user, key=_proposal_key(enquiry)))
    elif form is None and enquiry.state == Section47State.OUTCOME_PROPOSED and can_sign_off:
        form = None if four_eyes_problem else ReviewForm()
    discussion = enquiry.discussion_child.discussion
    today = timezone.localdate()
    return render(
        request,
        "strategy/section47.html",
        {
            "enquiry": enquiry,
            "child": enquiry.child,
            "discussion": discussion,
            "decision": enquiry.current_outcome,
            "history": [d for d in enquiry.decisions.all() if d.pk != enquiry.current_outcome_id],
            "conference": _conference(enquiry),
            "overdue": enquiry.is_open and enquiry.conference_due < today,
            "due_today": enquiry.is_open and enquiry.conference_due == today,
            "assessment_continued": enquiry.assessment.start_date != enquiry.start_date,
            "child_link": _link("referrals:child", enquiry.child_id),
            "referral_link": _link("referrals:referral", enquiry.referral_id),
            "discussion_link": _link("strategy:discussion", discussion.pk),
            "assessment_link": _link("referrals:assessment", enquiry.assessment_id),
            "can_propose": can_propose,
            "can_sign_off": can_sign_off,
            "can_chair": access.has_right(user, Perm.CHAIR_CONFERENCES),
            "conference_due_to_record": enquiry.state == Section47State.OUTCOME_SIGNED_OFF
            and enquiry.outcome == EnquiryOutcome.CONTINUING_RISK,
            "four_eyes_problem": four_eyes_problem,
            "form": form,
            "errors": list(errors),
            "notes": notes_with_versions(enquiry.notes.all()),
            "can_add_notes": can_add_notes,
            "note_form": note_form or (NoteForm() if can_add_notes else None),
        },
        status=status,
    )


@sessions.posted_from("strategy:section47", "pk")
@case_view(Section47)
@require_POST
def section47_note_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A note on the enquiry, about its child (it shows on the child's page too)."""
    enquiry = _enquiry(request, pk)
    access.require_right(request.user, Perm.RECORD_CONTACTS, "Your role does not add notes.")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note_add(by=request.user, child=enquiry.child, section47=enquiry, **form.cleaned_data)
        except RuleBroken as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, "The note is added.")
            return redirect("strategy:section47", pk=enquiry.pk)
    record_read(request, enquiry, child_ref=enquiry.child.census_id)
    return _enquiry_page(request, enquiry, note_form=form)


@case_view(Section47)
def section47_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One enquiry: where it came from, its target, the outcome and its history, the
    conference; the form for whoever acts next."""
    enquiry = _enquiry(request, pk)
    record_read(request, enquiry, child_ref=enquiry.child.census_id)
    return _enquiry_page(request, enquiry)


# Propose the outcome, then check your answers --------------------------------------------


def _proposal_key(enquiry: Section47) -> str:
    return f"section47-outcome-{enquiry.pk}"


def _not_open(request: AuthenticatedHttpRequest, enquiry: Section47) -> HttpResponse | None:
    if enquiry.state == Section47State.OPEN:
        return None
    return _enquiry_page(
        request, enquiry, status=409,
        errors=["An outcome can be proposed only while the enquiry is open"],
    )  # fmt: skip


@sessions.posted_from("strategy:section47", "pk")
@case_view(Section47)
@require_POST
def section47_propose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Step 1: the outcome and rationale, kept sealed until checked."""
    enquiry = _enquiry(request, pk)
    access.require_right(request.user, Perm.RUN_SECTION_47_ENQUIRIES, access.RUNS_ENQUIRIES)
    refused = _not_open(request, enquiry)
    if refused:
        return refused
    form = ProposeOutcomeForm(request.POST)
    if not form.is_valid():
        return _enquiry_page(request, enquiry, form=form)
    # Kept sealed (a rationale never sits in the plain session table).
    sessions.keep(user=request.user, key=_proposal_key(enquiry), data=form.cleaned_data)
    return redirect("strategy:section47-propose-check", pk=enquiry.pk)


@case_view(Section47)
def section47_propose_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Step 2: check your answers, then propose the outcome."""
    enquiry = _enquiry(request, pk)
    access.require_right(request.user, Perm.RUN_SECTION_47_ENQUIRIES, access.RUNS_ENQUIRIES)
    return check_your_answers(
        request,
        key=_proposal_key(enquiry),
        back=reverse("strategy:section47", args=[enquiry.pk]),
        read=lambda kept: kept if kept and kept.get("outcome") in EnquiryOutcome.values else None,
        before=lambda pending: _not_open(request, enquiry),
        submit=lambda pending: services.section47_outcome_propose(
            by=request.user,
            section47=enquiry,
            outcome=pending["outcome"],
            rationale=pending["rationale"],
        ),
        done=reverse("strategy:section47", args=[enquiry.pk]),
        message="The outcome is proposed. A manager will sign it off.",
        changed=ENQUIRY_CHANGED,
        refused=lambda errors: _enquiry_page(
            request, _enquiry(request, pk), errors=errors, status=409
        ),
        on_show=lambda: record_read(request, enquiry, child_ref=enquiry.child.census_id),
        template="strategy/section47_propose_check.html",
        context=lambda pending: {
            "enquiry": enquiry,
            "child": enquiry.child,
            "pending": pending,
            "outcome": EnquiryOutcome(pending["outcome"]).label,
            "closes": pending["outcome"] != EnquiryOutcome.CONTINUING_RISK,
        },
    )


# Review: sign off (with a check step) or return ------------------------------------------


def _sign_off_key(enquiry: Section47) -> str:
    return f"section47-sign-off-{enquiry.pk}"


def _not_reviewable(request: AuthenticatedHttpRequest, enquiry: Section47) -> HttpResponse | None:
    """The enquiry's state and the four-eyes rule, before anything is kept or changed."""
    if enquiry.state != Section47State.OUTCOME_PROPOSED:
        return _enquiry_page(
            request, enquiry, status=409,
            errors=["Only a proposed outcome can be signed off or returned"],
        )  # fmt: skip
    problem = _four_eyes_problem(request, enquiry)
    if problem:
        return _enquiry_page(request, enquiry, errors=[problem], status=409)
    return None


@sessions.posted_from("strategy:section47", "pk")
@case_view(Section47)
@require_POST
def section47_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A manager other than the proposer returns the outcome with a comment, or goes on to
    check the sign-off."""
    enquiry = _enquiry(request, pk)
    access.require_right(request.user, Perm.SIGN_OFF_DECISIONS, access.SIGNS_OFF_OUTCOMES)
    form = ReviewForm(request.POST)
    refused = _not_reviewable(request, enquiry)
    if refused:
        return refused
    if not form.is_valid():
        return _enquiry_page(request, enquiry, form=form)
    comment = form.cleaned_data["comment"]
    if form.cleaned_data["action"] == "sign_off":
        sessions.keep(
            user=request.user, key=_sign_off_key(enquiry),
            data={"decision": enquiry.current_outcome_id, "comment": comment},
        )  # fmt: skip
        return redirect("strategy:section47-sign-off-check", pk=enquiry.pk)
    try:
        services.section47_outcome_return(by=request.user, section47=enquiry, comment=comment)
    except RuleBroken as error:
        return _enquiry_page(
            request, _enquiry(request, pk), form=form, errors=[str(error)], status=409
        )
    except ConcurrentTransition:
        return _enquiry_page(
            request, _enquiry(request, pk), form=form, errors=[ENQUIRY_CHANGED],
            status=409,
        )  # fmt: skip
    messages.success(request, "The outcome is returned with your comment.")
    return redirect("strategy:section47", pk=enquiry.pk)


@case_view(Section47)
def section47_sign_off_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Check, then sign off. Without continuing risk the enquiry then closes: conference not
    required (`ICPCnotRequired`)."""
    enquiry = _enquiry(request, pk)
    access.require_right(request.user, Perm.SIGN_OFF_DECISIONS, access.SIGNS_OFF_OUTCOMES)
    key = _sign_off_key(enquiry)

    def before(pending: dict) -> HttpResponse | None:
        refused = _not_reviewable(request, enquiry)
        if refused:
            return refused
        if pending.get("decision") != enquiry.current_outcome_id:
            # Returned and proposed again since: this is not the proposal that was reviewed.
            sessions.forget(user=request.user, key=key)
            return _enquiry_page(request, enquiry, errors=[ENQUIRY_CHANGED], status=409)
        return None

    def signed_off(signed: Section47) -> str:
        if signed.state == Section47State.CLOSED:
            return f"The outcome is signed off. {NOT_REQUIRED}"
        return (
            "The outcome is signed off. A conference chair can now record the initial "
            "child protection conference."
        )

    return check_your_answers(
        request,
        key=key,
        back=reverse("strategy:section47", args=[enquiry.pk]),
        before=before,
        submit=lambda pending: services.section47_outcome_sign_off(
            by=request.user, section47=enquiry, comment=pending.get("comment", "")
        ),
        done=reverse("strategy:section47", args=[enquiry.pk]),
        message=signed_off,
        changed=ENQUIRY_CHANGED,
        refused=lambda errors: _enquiry_page(
            request, _enquiry(request, pk), errors=errors, status=409
        ),
        on_show=lambda: record_read(request, enquiry, child_ref=enquiry.child.census_id),
        template="strategy/section47_sign_off_check.html",
        context=lambda pending: {
            "enquiry": enquiry,
            "child": enquiry.child,
            "decision": enquiry.current_outcome,
            "comment": pending.get("comment", ""),
            "closes": enquiry.current_outcome.outcome != EnquiryOutcome.CONTINUING_RISK,  # type: ignore[union-attr]  # proposed, so set
        },
    )


# The initial child protection conference -------------------------------------------------


def _date_rule(message: str) -> bool:
    """Whether the service refused the conference's date (rules 8615, 8875, and no future)."""
    return any(words in message for words in ("weekend", "future", "before the section 47"))


@case_view(Section47)
def conference_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The chair records the initial conference; a chair with a part in the child's work is
    told why they cannot chair it (DESIGN.md "Who uses it")."""
    enquiry = _enquiry(request, pk)
    access.require_right(
        request.user, Perm.CHAIR_CONFERENCES, "Only conference chairs record conferences."
    )
    due = (
        enquiry.state == Section47State.OUTCOME_SIGNED_OFF
        and enquiry.outcome == EnquiryOutcome.CONTINUING_RISK
    )
    conflicts = services.chair_conflicts(request.user, enquiry.child_id) if due else []
    form = ConferenceForm(request.POST or None) if due else None
    status = 409 if request.method == "POST" and not due else 200
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            services.conference_record(
                by=request.user, section47=enquiry, held_on=data["held_on"],
                agencies=list(data["agencies"]), plan=data["plan"], category=data["category"],
                summary=data["summary"],
            )  # fmt: skip
        except RuleBroken as error:
            message = str(error)
            field = "held_on" if _date_rule(message) else None
            field = "outcome" if "category" in message else field
            form.add_error(field, message)
            status = 409
        except ConcurrentTransition:
            form.add_error(None, ENQUIRY_CHANGED)
            status = 409
        else:
            messages.success(request, "The initial child protection conference is recorded.")
            return redirect("strategy:section47", pk=enquiry.pk)
    if request.method == "GET":
        record_read(request, enquiry, child_ref=enquiry.child.census_id)
    return render(
        request,
        "strategy/conference.html",
        {
            "enquiry": enquiry,
            "child": enquiry.child,
            "form": form,
            "conflicts": conflicts,
            "due": due,
            "overdue": due and enquiry.conference_due < timezone.localdate(),
        },
        status=status,
    )
