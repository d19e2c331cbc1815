"""The decision for one child of a contact: screening notes, the proposal with its check, the
review, feedback and closing."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition

from accounts import sessions
from accounts.audit import case_view, record_read
from accounts.forms import ReviewForm
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import Perm
from casework import access, safety
from casework.answers import check_your_answers
from casework.errors import (
    CHANGED_BY_SOMEONE_ELSE,
    RECORD_CHANGED,
    ChangedBySomeoneElse,
    RecordsChanged,
    RefusedFor,
    RuleBroken,
)
from referrals import selectors, services
from referrals.forms import (
    FeedbackForm,
    ProposeDecisionForm,
    ScreeningNotesForm,
)
from referrals.forms.contacts import SiblingsReviewForm, review_field
from referrals.models import (
    Contact,
    ContactChild,
    LevelOfNeed,
)
from referrals.models.contacts import FAMILY_TOLD_NEEDED, ContactChildState, Outcome


def _contact_child(
    request: AuthenticatedHttpRequest, pk: int, cc_pk: int, *, right: Perm | None = None
) -> ContactChild:
    """The contact's child: 404 for partners, 403 for the administrator, then 403 without
    `right` (before any form is read), then the record, opened only if not restricted."""
    return access.get_case_record_for_user(
        request.user,
        ContactChild.objects.select_related(
            "contact", "child", "current_decision__level_of_need", "current_decision__proposed_by"
        ),
        right=right,
        # The decision page names the contact's other children too: each must be open.
        children=lambda _: [ContactChild.objects.filter(contact_id=pk).values("child_id")],
        pk=cc_pk,
        contact_id=pk,
    )


def _decision_page(
    request, contact_child, *, form=None, errors=(), status=200, notes_form=None, their_notes=None
) -> HttpResponse:

    decision = contact_child.current_decision
    family_needed = decision is not None and decision.outcome in FAMILY_TOLD_NEEDED
    siblings = [
        sibling
        for sibling in contact_child.contact.children.select_related("child", "current_decision")
        if sibling.pk != contact_child.pk and sibling.current_decision is not None
    ]
    if form is None:
        if contact_child.state == ContactChildState.SCREENING:
            # "Apply to siblings": a sibling's proposal pre-fills the form; this child's own
            # decision is still confirmed on its own.
            source = next((s for s in siblings if str(s.pk) == request.GET.get("from")), None)
            initial = {}
            if source is not None:
                initial = {
                    "outcome": source.current_decision.outcome,
                    "level_of_need": source.current_decision.level_of_need_id,
                    "rationale": source.current_decision.rationale,
                }
            # What was typed and kept for checking comes back when the proposal is changed
            # or refused (nothing typed is lost).
            kept = sessions.kept(user=request.user, key=f"proposal-{contact_child.pk}") or {}
            form = ProposeDecisionForm(initial=kept or initial, child_id=contact_child.child_id)
        elif contact_child.state == ContactChildState.PROPOSED:
            form = ReviewForm(button="Confirm")
        elif contact_child.state == ContactChildState.SIGNED_OFF:
            form = FeedbackForm(family_needed=family_needed)
    return render(
        request,
        "referrals/decision.html",
        {
            "cc": contact_child,
            "contact": contact_child.contact,
            "decision": decision,
            "panel": selectors.history_panel(contact_child, user=request.user),
            "safety_rule": safety.RULE,
            "history": contact_child.decisions.select_related(
                "proposed_by", "reviewed_by", "level_of_need"
            ),
            "form": form,
            "errors": list(errors),
            "family_needed": family_needed,
            "siblings": siblings,
            "can_sign_off": access.has_right(request.user, Perm.SIGN_OFF_DECISIONS),
            "can_propose": access.has_right(request.user, Perm.PROPOSE_DECISIONS),
            "can_close": access.has_right(request.user, Perm.RECORD_CONTACTS),
            "ready_to_close": contact_child.state == ContactChildState.SIGNED_OFF
            and contact_child.feedback_given is not None,
            "notes_form": notes_form
            or ScreeningNotesForm(
                initial={
                    "screening_notes": contact_child.screening_notes,
                    "version": contact_child.version,
                }
            ),
            "their_notes": their_notes,
            # Every saved version, newest first, with who saved it and when (issue 19).
            "notes_versions": list(contact_child.screening_versions.select_related("saved_by")),
            "information_requests": list(
                contact_child.information_requests.select_related("agency").order_by("due_at", "pk")
            ),
            "can_request_information": access.has_right(request.user, Perm.REQUEST_INFORMATION),
        },
        status=status,
    )


@case_view(ContactChild)
def decision(request: AuthenticatedHttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    """The child's decision page: propose, review, or record feedback and close."""
    contact_child = _contact_child(request, pk, cc_pk)
    record_read(request, contact_child, child_ref=contact_child.child.census_id)
    return _decision_page(request, contact_child)


@sessions.posted_from("referrals:decision", "pk", "cc_pk")
@case_view(ContactChild)
@require_POST
def decision_propose(request: AuthenticatedHttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    """Step 1: the screening notes and the proposal are one form (issue 19): changed notes are
    saved as a new version whichever button is pressed, and the proposal is kept in the
    session until checked."""
    contact_child = _contact_child(request, pk, cc_pk, right=Perm.PROPOSE_DECISIONS)
    notes_only = "save_notes" in request.POST
    form = ProposeDecisionForm(request.POST, child_id=contact_child.child_id)
    if "screening_notes" in request.POST:
        # Saving the notes alone keeps the proposal as typed, unchecked.
        typed = (
            ProposeDecisionForm(initial=request.POST.dict(), child_id=contact_child.child_id)
            if notes_only
            else form
        )
        refused = _save_notes(request, contact_child, form=typed)
        if refused is not None:
            return refused
        contact_child = _contact_child(request, pk, cc_pk)
    if notes_only:
        return redirect("referrals:decision", pk=pk, cc_pk=cc_pk)
    if not form.is_valid():
        return _decision_page(request, contact_child, form=form)
    # Kept sealed until checked (a rationale never sits in the plain session table).
    sessions.keep(
        user=request.user,
        key=f"proposal-{contact_child.pk}",
        data={
            "outcome": form.cleaned_data["outcome"],
            "level_of_need": form.cleaned_data["level_of_need"].pk,
            "rationale": form.cleaned_data["rationale"],
            "childs_voice": form.cleaned_data["childs_voice"],
            "safety_reason": form.cleaned_data["safety_reason"],
        },
    )
    return redirect("referrals:decision-check", pk=pk, cc_pk=cc_pk)


@case_view(ContactChild)
def decision_check(request: AuthenticatedHttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    """Step 2: check your answers, then propose."""

    contact_child = _contact_child(request, pk, cc_pk, right=Perm.PROPOSE_DECISIONS)

    def read(kept: dict) -> tuple[dict, LevelOfNeed | None] | None:
        if not kept:
            return None
        return kept, LevelOfNeed.objects.filter(pk=kept["level_of_need"]).first()

    def submit(pending: tuple[dict, LevelOfNeed | None]) -> None:
        kept, level = pending
        services.decision_propose(
            by=request.user, contact_child=contact_child, outcome=kept["outcome"],
            level_of_need=level, rationale=kept["rationale"],  # type: ignore[arg-type]  # chosen in step 1; levels are never deleted (PROTECT)
            childs_voice=kept.get("childs_voice", ""),
            safety_reason=kept.get("safety_reason", ""),
        )  # fmt: skip

    def context(pending: tuple[dict, LevelOfNeed | None]) -> dict:
        kept, level = pending
        return {
            "cc": contact_child,
            "pending": kept,
            "outcome": Outcome(kept["outcome"]).label,
            "level": level,
            "panel": selectors.history_panel(contact_child, user=request.user),
        }

    return check_your_answers(
        request,
        key=f"proposal-{contact_child.pk}",
        back=reverse("referrals:decision", args=[pk, cc_pk]),
        read=read,
        submit=submit,
        done=reverse("referrals:contact", args=[pk]),
        message="The decision is proposed. A manager will sign it off.",
        refused=lambda errors: _decision_page(request, contact_child, errors=errors, status=409),
        template="referrals/decision_check.html",
        context=context,
    )


@sessions.posted_from("referrals:decision", "pk", "cc_pk")
@case_view(ContactChild)
@require_POST
def decision_review(request: AuthenticatedHttpRequest, pk: int, cc_pk: int) -> HttpResponse:

    contact_child = _contact_child(request, pk, cc_pk, right=Perm.SIGN_OFF_DECISIONS)
    form = ReviewForm(request.POST, button="Confirm")
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


@sessions.posted_from("referrals:decision", "pk", "cc_pk")
@case_view(ContactChild)
@require_POST
def decision_feedback(request: AuthenticatedHttpRequest, pk: int, cc_pk: int) -> HttpResponse:

    contact_child = _contact_child(request, pk, cc_pk, right=Perm.RECORD_CONTACTS)
    decision = contact_child.current_decision
    family_needed = decision is not None and decision.outcome in FAMILY_TOLD_NEEDED
    form = FeedbackForm(request.POST, family_needed=family_needed)
    if not form.is_valid():
        return _decision_page(request, contact_child, form=form)
    try:
        services.feedback_record(by=request.user, contact_child=contact_child, **form.cleaned_data)
    except RuleBroken as error:
        return _decision_page(request, contact_child, form=form, errors=[str(error)], status=409)
    messages.success(request, "The feedback is recorded.")
    return redirect("referrals:decision", pk=pk, cc_pk=cc_pk)


@sessions.posted_from("referrals:decision", "pk", "cc_pk")
@case_view(ContactChild)
@require_POST
def decision_close(request: AuthenticatedHttpRequest, pk: int, cc_pk: int) -> HttpResponse:

    contact_child = _contact_child(request, pk, cc_pk, right=Perm.RECORD_CONTACTS)
    try:
        services.contact_child_close(by=request.user, contact_child=contact_child)
    except RuleBroken as error:
        return _decision_page(request, contact_child, errors=[str(error)], status=409)
    except ConcurrentTransition:
        return _decision_page(request, contact_child, errors=[CHANGED_BY_SOMEONE_ELSE], status=409)
    messages.success(request, "The child's contact is closed.")
    return redirect("referrals:contact", pk=pk)


@sessions.posted_from("referrals:decision", "pk", "cc_pk")
@case_view(ContactChild)
@require_POST
def screening_notes(request: AuthenticatedHttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    """Save screening notes; if someone else saved first, show theirs and keep what was typed."""
    contact_child = _contact_child(request, pk, cc_pk, right=Perm.RECORD_CONTACTS)
    refused = _save_notes(request, contact_child)
    if refused is not None:
        return refused
    return redirect("referrals:decision", pk=pk, cc_pk=cc_pk)


def _save_notes(
    request: AuthenticatedHttpRequest, contact_child: ContactChild, *, form=None
) -> HttpResponse | None:
    """Save the posted screening notes as a new version if they changed; None when saved (or
    unchanged), else the page again with what was typed kept (and `form`, the proposal as
    typed, when the notes came with it)."""
    notes_form = ScreeningNotesForm(request.POST)
    if form is not None and form.is_bound:
        form.is_valid()  # its errors, if any, are shown with the notes' refusal
    if not notes_form.is_valid():
        return _decision_page(request, contact_child, notes_form=notes_form, form=form)
    if notes_form.cleaned_data["screening_notes"] == contact_child.screening_notes:
        return None
    try:
        services.screening_notes_save(
            by=request.user, contact_child=contact_child,
            notes=notes_form.cleaned_data["screening_notes"],
            version=notes_form.cleaned_data["version"],
        )  # fmt: skip
    except ChangedBySomeoneElse as conflict:
        typed = ScreeningNotesForm(
            initial={
                "screening_notes": notes_form.cleaned_data["screening_notes"],
                "version": conflict.current.version,
            }
        )
        return _decision_page(
            request, conflict.current, notes_form=typed, form=form,
            errors=[CHANGED_BY_SOMEONE_ELSE], their_notes=conflict.current.screening_notes,
            status=409,
        )  # fmt: skip
    except RuleBroken as error:
        return _decision_page(
            request, contact_child, notes_form=notes_form, form=form, errors=[str(error)],
            status=409,
        )  # fmt: skip
    messages.success(request, "The screening notes are saved.")
    return None


# The siblings' sign-off: every proposed decision of one contact on one page (issue 17) -------


def _child_name(contact_child: ContactChild) -> str:
    return f"{contact_child.child.first_name} {contact_child.child.last_name}"


@case_view(Contact)
def contact_sign_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A manager signs off or returns each proposed decision of one contact with one submit;
    each child needs its own choice, and a decision they proposed waits for another manager."""
    contact = access.get_case_record_for_user(
        request.user, Contact, right=Perm.SIGN_OFF_DECISIONS, refusal=access.SIGNS_OFF_OUTCOMES,
        children=lambda contact: [cc.child_id for cc in contact.children.all()], pk=pk,
    )  # fmt: skip
    waiting = _waiting(contact)
    for contact_child in waiting:
        record_read(request, contact_child, child_ref=contact_child.child.census_id)
    mine = [cc for cc in waiting if cc.current_decision.proposed_by_id == request.user.pk]  # type: ignore[union-attr]  # a proposed child has its current decision
    reviewable = [cc for cc in waiting if cc not in mine]
    form = _review_form(reviewable, data=request.POST if request.method == "POST" else None)
    errors: list[str] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        names = {cc.pk: _child_name(cc) for cc in reviewable}
        try:
            services.contact_decisions_review(
                by=request.user, contact=contact, reviews=form.reviews()
            )
        except RecordsChanged as changed:
            which = ", ".join(names.get(pk, "a child") for pk in changed.record_ids)
            errors = [f"{changed} ({which}). The page now shows their records as they are; "
                      "your choices are kept."]  # fmt: skip
        except RefusedFor as refused:
            errors = [f"{names.get(refused.record_id, 'A child')}: {refused}. Nothing was "
                      "signed off or returned."]  # fmt: skip
        except RuleBroken as error:
            errors = [str(error)]
        except ConcurrentTransition:
            errors = [RECORD_CHANGED]
        else:
            signed = sum(1 for review in form.reviews() if review["action"] == "sign_off")
            returned = len(reviewable) - signed
            messages.success(request, _reviewed(signed, returned))
            return redirect("referrals:contact", pk=pk)
        status = 409
        waiting = _waiting(contact)
        mine = [cc for cc in waiting if cc.current_decision.proposed_by_id == request.user.pk]  # type: ignore[union-attr]  # as above
        reviewable = [cc for cc in waiting if cc not in mine]
        form = _review_form(reviewable, kept=request.POST)
    elif request.method == "POST":
        status = 200
    panels = selectors.history_panels(reviewable, user=request.user)
    return render(
        request,
        "referrals/contact_sign_off.html",
        {
            "contact": contact, "form": form, "errors": errors, "mine": mine,
            # Each child's proposal with its history beside it (issue 18).
            "reviewable": [
                (cc, form.child_helpers[cc.pk], panels[cc.pk]) for cc in reviewable
            ],
        },
        status=status,
    )  # fmt: skip


def _waiting(contact: Contact) -> list[ContactChild]:
    waiting = list(
        contact.children.filter(state=ContactChildState.PROPOSED)
        .select_related("child", "current_decision__level_of_need", "current_decision__proposed_by")
        .order_by("pk")
    )
    for contact_child in waiting:
        contact_child.contact = contact  # already read: the history panel needs no query for it
    return waiting


def _review_form(reviewable: list[ContactChild], *, data=None, kept=None) -> SiblingsReviewForm:
    """The form for the children waiting; `kept`: what was posted, shown again unbound with
    each child's proposal as it is now."""
    children = [(cc.pk, _child_name(cc)) for cc in reviewable]
    initial = {}
    for cc in reviewable:
        if kept is not None:
            for name in ("action", "comment"):
                initial[review_field(cc.pk, name)] = kept.get(review_field(cc.pk, name), "")
        initial[review_field(cc.pk, "proposal")] = cc.current_decision_id
    return SiblingsReviewForm(data, children=children, initial=initial)


def _reviewed(signed: int, returned: int) -> str:
    parts = []
    if signed:
        parts.append(f"{signed} decision{'s' if signed > 1 else ''} signed off")
    if returned:
        parts.append(f"{returned} returned with your comment{'s' if returned > 1 else ''}")
    return " and ".join(parts).capitalize() + "."
