"""Partner agencies' pages for strategy discussions (issue 9; strategy.services.partners):
"My invitations", one discussion as the invited agency sees it, its own part (attendance and
contribution with its audience), notes, its actions, and a joint section 47 enquiry shared
with the police.

A partner gets 404 for anything not shared with its agency (expired grants included) and keeps
seeing what it contributed itself; the system administrator and local authority staff get 403
(their pages are the case pages). DESIGN.md "Information sharing and access".
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition

from accounts import sessions
from accounts.audit import Event, record_event, record_list
from accounts.http import AuthenticatedHttpRequest
from accounts.sharing import shared_with
from casework import access
from casework.errors import RuleBroken
from notes import services as note_services
from notes.forms import DiscussionNoteForm
from notes.selectors import notes_with_versions
from strategy.forms.partners import ContributionForm
from strategy.models import (
    Action,
    Attendance,
    ContributionAudience,
    DiscussionChild,
    DiscussionState,
    Participant,
    StrategyDiscussion,
)
from strategy.services import partners

PAGE_SIZE = 50


def _live(user):
    return shared_with(user, StrategyDiscussion, access.DISCUSSION_VIEW)


def invitations(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The discussions the user's agency is invited to, newest first; those whose grant has
    ended stay listed when the agency recorded its part, with only that part."""
    access.refuse_partner_pages(request.user)
    user = request.user
    rows = (
        Participant.objects.filter(agency_id=user.agency_id)
        .filter(Q(discussion__in=_live(user)) | Q(recorded_by__isnull=False))
        .annotate(open=Exists(_live(user).filter(object_id=OuterRef("discussion_id"))))
        .select_related("discussion")
        .prefetch_related(
            Prefetch(
                "discussion__children",
                queryset=DiscussionChild.objects.select_related("child").order_by("pk"),
            )
        )
        .order_by("-discussion__scheduled_for", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    record_list(request, StrategyDiscussion, [row.discussion_id for row in page])
    return render(request, "strategy/partners/invitations.html", {"page": page})


def _shared_discussion(
    request: AuthenticatedHttpRequest, pk: int
) -> tuple[StrategyDiscussion, bool]:
    """The discussion and whether it is shared now; 404 unless it is, or the agency recorded
    its part in it (then only that part is shown)."""
    access.refuse_partner_pages(request.user)
    user = request.user
    discussion = (
        StrategyDiscussion.objects.filter(pk=pk)
        .annotate(open=Exists(_live(user).filter(object_id=OuterRef("pk"))))
        .select_related("chair")
        .prefetch_related(
            Prefetch(
                "children",
                queryset=DiscussionChild.objects.select_related("child", "section47").order_by(
                    "pk"
                ),
            ),
            Prefetch("participants", queryset=Participant.objects.select_related("agency")),
            Prefetch(
                "actions",
                queryset=Action.objects.filter(agency_id=user.agency_id).select_related("agency"),
            ),
        )
        .first()
    )
    if discussion is None:
        raise Http404
    if not discussion.open and not any(
        p.agency_id == user.agency_id and p.recorded_by_id for p in discussion.participants.all()
    ):
        raise Http404
    return discussion, discussion.open


def _own_part(discussion: StrategyDiscussion, user) -> Participant | None:
    return next((p for p in discussion.participants.all() if p.agency_id == user.agency_id), None)


def _others(discussion: StrategyDiscussion, user) -> list[dict]:
    """Each agency's attendance; its contribution when it is the user's agency's or shared
    with everyone invited (DESIGN.md: within its audience)."""
    rows = []
    for p in discussion.participants.all():
        own = p.agency_id == user.agency_id
        rows.append(
            {
                "participant": p,
                "own": own,
                "shows_contribution": own or p.audience == ContributionAudience.INVITED,
            }
        )
    return rows


def _page(request, discussion, *, note_form=None, errors=(), status=200) -> HttpResponse:
    user = request.user
    partners.record_partner_read(request, discussion)
    own = _own_part(discussion, user)
    if not discussion.open:
        return render(
            request, "strategy/partners/contributed.html",
            {"discussion": discussion, "own": own}, status=status,
        )  # fmt: skip
    children = [c.child for c in discussion.children.all()]
    enquiry_ids = set(
        access.shared_enquiries(user)
        .filter(discussion_child__discussion=discussion)
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "strategy/partners/invitation.html",
        {
            "discussion": discussion,
            "own": own,
            "others": _others(discussion, user),
            "children": discussion.children.all(),
            "enquiries": [c.section47 for c in discussion.children.all()
                          if getattr(c, "section47", None) and c.section47.pk in enquiry_ids],
            "notes": notes_with_versions(access.visible_discussion_notes(user, discussion)),
            "shared_chronology": list(access.visible_shared_chronology(user, discussion)),
            "note_form": note_form
            or DiscussionNoteForm(children=children, for_partner=True),
            "can_record": discussion.state == DiscussionState.CONVENED and own is not None,
            "actions_open": discussion.state
            in (DiscussionState.HELD, DiscussionState.SIGNED_OFF),
            "errors": list(errors),
        },
        status=status,
    )  # fmt: skip


def invitation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    discussion, _ = _shared_discussion(request, pk)
    return _page(request, discussion)


def invitation_part(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The invited agency records its own attendance and contribution, with its audience."""
    discussion, is_open = _shared_discussion(request, pk)
    own = _own_part(discussion, request.user)
    if not is_open or own is None:
        raise Http404
    partners.record_partner_read(request, discussion)
    if discussion.state != DiscussionState.CONVENED:
        return render(
            request, "strategy/partners/part.html",
            {"discussion": discussion, "form": None,
             "errors": ["The record is closed: the discussion has been recorded as held"]},
            status=409,
        )  # fmt: skip
    initial = {
        "version": own.version,
        "attendance": "" if own.attendance == Attendance.INVITED else own.attendance,
        "attendees": own.attendees,
        "absence_reason": own.absence_reason,
        "contribution": own.contribution,
        "audience": own.audience if own.recorded_by_id else "",
    }
    form = ContributionForm(request.POST if request.method == "POST" else None, initial=initial)
    errors, theirs = [], None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partners.contribution_record(
                by=request.user, participant=own, version=data["version"],
                attendance=data["attendance"], attendees=data["attendees"],
                absence_reason=data["absence_reason"], contribution=data["contribution"],
                audience=data["audience"],
            )  # fmt: skip
        except partners.ContributionChanged as error:
            errors.append(str(error) + ": what they saved is shown; your text is kept below")
            theirs = error.current
            form = ContributionForm(
                {**request.POST.dict(), "version": theirs.version}, initial=initial
            )
        except (RuleBroken, ConcurrentTransition) as error:
            errors.append(str(error))
        else:
            messages.success(request, "Your agency's part is saved.")
            return redirect("strategy:invitation", pk=pk)
    return render(
        request,
        "strategy/partners/part.html",
        {"discussion": discussion, "form": form, "errors": errors, "theirs": theirs},
        status=409 if errors else 200,
    )


@sessions.posted_from("strategy:invitation", "pk")
@require_POST
def invitation_note_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    discussion, is_open = _shared_discussion(request, pk)
    if not is_open:
        raise Http404
    children = [c.child for c in discussion.children.all()]
    form = DiscussionNoteForm(request.POST, children=children, for_partner=True)
    if form.is_valid():
        try:
            note_services.partner_note_add(
                by=request.user, discussion=discussion,
                child_id=form.children[form.cleaned_data["child"]].pk,
                text=form.cleaned_data["text"], audience=form.cleaned_data["audience"],
            )  # fmt: skip
        except RuleBroken as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, "The note is added.")
            return redirect("strategy:invitation", pk=pk)
    return _page(request, discussion, note_form=form)


@sessions.posted_from("strategy:invitation", "pk")
@require_POST
def invitation_action_done(
    request: AuthenticatedHttpRequest, pk: int, action_pk: int
) -> HttpResponse:
    discussion, is_open = _shared_discussion(request, pk)
    action = next((a for a in discussion.actions.all() if a.pk == action_pk), None)
    if not is_open or action is None:
        raise Http404
    try:
        partners.action_done(by=request.user, action=action)
    except RuleBroken as error:
        return _page(request, discussion, errors=[str(error)], status=409)
    messages.success(request, "The action is marked as done.")
    return redirect("strategy:invitation", pk=pk)


def joint_enquiry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A joint section 47 enquiry as the police see it: the child, its dates and stage, and
    the outcome once signed off; nothing of the local authority's notes or assessment."""
    access.refuse_partner_pages(request.user)
    enquiry = (
        access.shared_enquiries(request.user)
        .select_related("child", "discussion_child", "current_outcome", "conference")
        .filter(pk=pk)
        .first()
    )
    if enquiry is None:
        raise Http404
    record_event(
        Event.READ, actor=request.user, obj=enquiry, child_ref=enquiry.child.census_id,
        details={"path": request.path},
    )  # fmt: skip
    conference = getattr(enquiry, "conference", None)
    return render(
        request,
        "strategy/partners/joint_enquiry.html",
        {"enquiry": enquiry, "conference": conference,
         "discussion_pk": enquiry.discussion_child.discussion_id},
    )  # fmt: skip
