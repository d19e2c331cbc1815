"""Strategy discussion pages: convene, record, record as held, sign off or return, cancel.

Local authority practitioners and managers convene and record; a manager other than the
recorder signs off; auditors and conference chairs read. Partners get 404 (their access to
the discussions they are invited to comes with the sharing issue), the system administrator
403 (DESIGN.md "Information sharing and access").
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
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
from casework.errors import CHANGED_BY_SOMEONE_ELSE, ChangedBySomeoneElse, RuleBroken
from notes.chronology import chronology_events, snapshot
from notes.forms import DiscussionNoteForm
from notes.selectors import notes_with_versions
from notes.services import note_add
from referrals.models.episodes import Referral
from strategy import selectors, services
from strategy.forms.discussions import (
    ActionForm,
    CancelForm,
    ConveneForm,
    InviteForm,
    RecordForm,
    RescheduleForm,
)
from strategy.models import (
    SECTION_47_OUTCOMES,
    Action,
    DiscussionOutcome,
    DiscussionState,
    StrategyDiscussion,
)

NOT_CONVENED = "The record can change only before the discussion is recorded as held"
NOT_HELD = "Only a discussion recorded as held can be signed off or returned"


def _discussion(request: AuthenticatedHttpRequest, pk: int, *, right: Perm | None = None):
    """The discussion with everything its pages show: 404 for partners (and for a discussion
    that does not exist), 403 for the system administrator, then 403 without `right`."""
    access.refuse_case_object(request.user)
    discussion = selectors.discussion_detail(pk)
    if right is not None:
        access.require_right(request.user, right)
    access.require_open(request.user, *(c.child_id for c in discussion.children.all()))
    return discussion


def _record_reads(request: AuthenticatedHttpRequest, discussion: StrategyDiscussion) -> None:
    """A discussion is about several children: one read entry for each."""
    for child in discussion.children.all():
        record_read(request, child, child_ref=child.child.census_id)


# The discussion's review names what is signed off: the outcome the record sets.
DISCUSSION_REVIEW_CHOICES = [
    ("sign_off", "Sign off the outcome"),
    ("return", "Return it for changes"),
]


def _posted(request: AuthenticatedHttpRequest):
    """The posted data to bind a form to, even when empty (an empty post is still a post)."""
    return request.POST if request.method == "POST" else None


def _is_convened(discussion: StrategyDiscussion) -> bool:
    return discussion.state == DiscussionState.CONVENED


def _is_held(discussion: StrategyDiscussion) -> bool:
    return discussion.state == DiscussionState.HELD


# The list and one discussion ------------------------------------------------------------


def discussions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open discussions (convened or held), soonest due first, late ones marked."""
    access.refuse_case_object(request.user)
    paginator = Paginator(selectors.open_discussions(), selectors.DISCUSSION_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.discussion_page(
        today=timezone.localdate(),
        user=request.user,
        offset=page.start_index() - 1 if paginator.count else 0,
        limit=paginator.per_page,
    )
    record_list(request, StrategyDiscussion, [row.discussion.pk for row in rows])
    return render(request, "strategy/discussion_list.html", {"rows": rows, "page": page})


@case_view(StrategyDiscussion)
def discussion(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everything recorded, the state and due date, and what the user may do next."""
    return _discussion_page(request, _discussion(request, pk))


def _note_form(discussion: StrategyDiscussion, data=None):
    """A note on the discussion, about one of its children (chosen when there are several),
    for everyone invited or for the local authority only."""
    return DiscussionNoteForm(data, children=[c.child for c in discussion.children.all()])


def _discussion_page(
    request: AuthenticatedHttpRequest, discussion: StrategyDiscussion, *, errors=(), note_form=None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    _record_reads(request, discussion)
    user = request.user
    can_add_notes = access.has_right(user, Perm.RECORD_CONTACTS)
    return render(
        request,
        "strategy/discussion.html",
        {
            "discussion": discussion,
            "errors": list(errors),
            "notes": notes_with_versions(discussion.notes.all()),
            "can_add_notes": can_add_notes,
            "note_form": note_form or (_note_form(discussion) if can_add_notes else None),
            "can_record": _is_convened(discussion)
            and access.has_right(user, Perm.CONVENE_STRATEGY_DISCUSSIONS),
            "can_review": _is_held(discussion) and access.has_right(user, Perm.SIGN_OFF_DECISIONS),
            "you_recorded": discussion.recorded_by_id == user.pk,
            "record_versions": selectors.record_versions(discussion),
        },
        status=status,
    )


@sessions.posted_from("strategy:discussion", "pk")
@case_view(StrategyDiscussion)
@require_POST
def discussion_note_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A note on the discussion, about one of its children (it shows on the child's page
    too); in any state: a note is not part of the record."""
    discussion = _discussion(request, pk, right=Perm.RECORD_CONTACTS)
    form = _note_form(discussion, request.POST)
    if form.is_valid():
        try:
            note_add(
                by=request.user, child=form.children[form.cleaned_data["child"]],
                discussion=discussion, text=form.cleaned_data["text"],
                significant=form.cleaned_data["significant"],
                audience=form.cleaned_data["audience"],
            )  # fmt: skip
        except RuleBroken as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, "The note is added.")
            return redirect("strategy:discussion", pk=pk)
    return _discussion_page(request, discussion, note_form=form)


# Convening ------------------------------------------------------------------------------


@case_view(Referral)
def discussion_new(request: AuthenticatedHttpRequest, referral_pk: int) -> HttpResponse:
    """Convene a discussion from a referral, for its child and any brother or sister with an
    open referral from the same contact."""
    access.refuse_case_object(request.user)
    access.require_right(request.user, Perm.CONVENE_STRATEGY_DISCUSSIONS)
    referral = get_object_or_404(
        Referral.objects.select_related("child", "contact_child"), pk=referral_pk
    )
    access.require_open(request.user, referral.child_id)
    if not referral.is_open:
        record_read(request, referral, child_ref=referral.child.census_id)
        return render(
            request,
            "strategy/discussion_new.html",
            {"referral": referral, "form": None,
             "errors": ["This referral is closed: a discussion needs an open referral"]},
            status=409,
        )  # fmt: skip
    referrals = selectors.referrals_to_convene(contact_id=referral.contact_child.contact_id)
    access.require_open(request.user, *(each.child_id for each in referrals))
    for each in referrals:
        record_read(request, each, child_ref=each.child.census_id)
    form = ConveneForm(
        _posted(request),
        referrals=referrals,
        chairs=access.users_with_right(Perm.CONVENE_STRATEGY_DISCUSSIONS),
        agencies=selectors.active_agencies(),
        initial={"children": [str(referral.pk)], "chair": request.user.pk},
    )
    errors = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            discussion = services.discussion_convene(
                by=request.user, referrals=data["referrals"], scheduled_for=data["scheduled_for"],
                format=data["format"], chair=data["chair"], agencies=list(data["agencies"]),
                same_day=data["same_day"], sharing_terms=form.sharing_terms(),
            )  # fmt: skip
        except RuleBroken as error:
            errors.append(str(error))
        else:
            messages.success(
                request,
                f"The strategy discussion is convened. It is due by {discussion.due:%-d %B %Y}.",
            )
            return redirect("strategy:discussion", pk=discussion.pk)
    return render(
        request,
        "strategy/discussion_new.html",
        {"referral": referral, "form": form, "errors": errors},
        status=409 if errors else 200,
    )


# Recording ------------------------------------------------------------------------------


def _record_page(
    request: AuthenticatedHttpRequest, discussion: StrategyDiscussion, *, form=None,
    invite_form=None, action_form=None, errors=(), theirs: StrategyDiscussion | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    _record_reads(request, discussion)
    return render(
        request,
        "strategy/discussion_record.html",
        {
            "discussion": discussion,
            "form": form or RecordForm(discussion=discussion),
            "invite_form": invite_form
            or InviteForm(prefix="invite", agencies=selectors.agencies_not_invited(discussion)),
            "action_form": action_form
            or ActionForm(prefix="action", agencies=selectors.active_agencies()),
            "errors": list(errors),
            "theirs": theirs,
            "record_versions": selectors.record_versions(discussion),
        },
        status=status,
    )


@case_view(StrategyDiscussion)
def discussion_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The record of the discussion, saved in part as often as needed; a second editor is
    told, sees what the other person saved, and keeps what they typed."""
    discussion = _discussion(request, pk, right=Perm.CONVENE_STRATEGY_DISCUSSIONS)
    if not _is_convened(discussion):
        return _discussion_page(request, discussion, errors=[NOT_CONVENED], status=409)
    if request.method != "POST":
        return _record_page(request, discussion)
    form = RecordForm(request.POST, discussion=discussion)
    if not form.is_valid():
        return _record_page(request, discussion, form=form)
    try:
        services.discussion_record(
            by=request.user, discussion=discussion, version=form.cleaned_data["version"],
            **form.service_arguments(),
        )  # fmt: skip
    except ChangedBySomeoneElse:
        theirs = selectors.discussion_detail(pk)
        data = request.POST.copy()
        data["version"] = theirs.version
        typed = RecordForm(data, discussion=theirs)
        return _record_page(
            request, theirs, form=typed, errors=[CHANGED_BY_SOMEONE_ELSE], theirs=theirs,
            status=409,
        )  # fmt: skip
    except RuleBroken as error:
        return _record_page(request, discussion, form=form, errors=[str(error)], status=409)
    messages.success(request, "The record is saved.")
    if request.POST.get("next") == "check":
        return redirect("strategy:discussion-check", pk=pk)
    return redirect("strategy:discussion-record", pk=pk)


@sessions.posted_from("strategy:discussion-record", "pk")
@case_view(StrategyDiscussion)
@require_POST
def discussion_invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Invite another agency before the discussion is recorded as held."""
    discussion = _discussion(request, pk, right=Perm.CONVENE_STRATEGY_DISCUSSIONS)
    if not _is_convened(discussion):
        return _discussion_page(request, discussion, errors=[NOT_CONVENED], status=409)
    form = InviteForm(
        request.POST, prefix="invite", agencies=selectors.agencies_not_invited(discussion)
    )
    if not form.is_valid():
        return _record_page(request, discussion, invite_form=form)
    agency = form.cleaned_data["agency"]
    try:
        services.discussion_invite(by=request.user, discussion=discussion, agency=agency)
    except RuleBroken as error:
        return _record_page(request, discussion, invite_form=form, errors=[str(error)], status=409)
    messages.success(request, f"{agency.name} is invited. Record their attendance below.")
    return redirect("strategy:discussion-record", pk=pk)


@sessions.posted_from("strategy:discussion-record", "pk")
@case_view(StrategyDiscussion)
@require_POST
def discussion_action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An action the discussion set, with its owner, agency and due date."""
    discussion = _discussion(request, pk, right=Perm.CONVENE_STRATEGY_DISCUSSIONS)
    if not _is_convened(discussion):
        return _discussion_page(request, discussion, errors=[NOT_CONVENED], status=409)
    form = ActionForm(request.POST, prefix="action", agencies=selectors.active_agencies())
    if not form.is_valid():
        return _record_page(request, discussion, action_form=form)
    try:
        services.discussion_action_add(by=request.user, discussion=discussion, **form.cleaned_data)
    except RuleBroken as error:
        return _record_page(request, discussion, action_form=form, errors=[str(error)], status=409)
    messages.success(request, "The action is added.")
    return redirect(reverse("strategy:discussion-record", args=[pk]) + "#actions")


@sessions.posted_from("strategy:discussion-record", "pk")
@case_view(StrategyDiscussion)
@require_POST
def discussion_action_remove(
    request: AuthenticatedHttpRequest, pk: int, action_pk: int
) -> HttpResponse:
    """Remove an action added in error, before the discussion is recorded as held."""
    discussion = _discussion(request, pk, right=Perm.CONVENE_STRATEGY_DISCUSSIONS)
    action = get_object_or_404(Action, pk=action_pk, discussion_id=discussion.pk)
    try:
        services.discussion_action_remove(by=request.user, action=action)
    except RuleBroken as error:
        return _discussion_page(request, discussion, errors=[str(error)], status=409)
    messages.success(request, "The action is removed.")
    return redirect(reverse("strategy:discussion-record", args=[pk]) + "#actions")


@case_view(StrategyDiscussion)
def discussion_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Check your answers, then record the discussion as held: refused, with every gap
    named, unless the record is complete (the LA, police and health present or their
    absence explained)."""
    discussion = _discussion(request, pk, right=Perm.CONVENE_STRATEGY_DISCUSSIONS)
    template = "strategy/discussion_check.html"
    # The chronology reviewed: kept with the record, dated, when it is recorded as held.
    reviewed = chronology_events(row.child_id for row in discussion.children.all())

    def refused(errors: list[str]) -> HttpResponse:
        _record_reads(request, discussion)
        context = {"discussion": discussion, "errors": errors, "reviewed": reviewed}
        return render(request, template, context, status=409 if errors else 200)

    def explain(error: RuleBroken) -> list[str]:
        """An incomplete record names every gap; any other rule its own words."""
        if isinstance(error, services.RecordIncomplete):
            return list(error.problems)
        return [str(error)]

    # The record was saved as it was typed: nothing is kept, the record itself is checked.
    return check_your_answers(
        request,
        key=None,
        back=reverse("strategy:discussion", args=[pk]),
        read=lambda kept: kept if _is_convened(discussion) else None,
        submit=lambda kept: services.discussion_mark_held(
            by=request.user, discussion=discussion, reviewed_chronology=snapshot(reviewed)
        ),
        done=reverse("strategy:discussion", args=[pk]),
        message="The discussion is recorded as held. A manager other than you signs off its "
        "outcome.",
        explain=explain,
        refused=refused,
        on_show=lambda: _record_reads(request, discussion),
        template=template,
        context=lambda kept: {"discussion": discussion, "reviewed": reviewed},
    )


# Sign off or return, cancel ---------------------------------------------------------------


def _sign_off_key(discussion: StrategyDiscussion) -> str:
    return f"discussion-sign-off-{discussion.pk}"


@case_view(StrategyDiscussion)
def discussion_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A manager signs the outcome off (after a check step) or returns the record with a
    comment; never the manager who recorded it as held."""
    discussion = _discussion(request, pk, right=Perm.SIGN_OFF_DECISIONS)
    if not _is_held(discussion):
        return _discussion_page(request, discussion, errors=[NOT_HELD], status=409)
    form = ReviewForm(_posted(request), choices=DISCUSSION_REVIEW_CHOICES)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        comment = form.cleaned_data["comment"]
        if form.cleaned_data["action"] == "sign_off":
            # Kept sealed until checked (a comment never sits in the plain session table).
            sessions.keep(
                user=request.user, key=_sign_off_key(discussion), data={"comment": comment}
            )
            return redirect("strategy:discussion-sign-off", pk=pk)
        try:
            services.discussion_return(by=request.user, discussion=discussion, comment=comment)
        except RuleBroken as error:
            errors = [str(error)]
        except ConcurrentTransition:
            errors = [CHANGED_BY_SOMEONE_ELSE]
        else:
            messages.success(request, "The record is returned for changes with your comment.")
            return redirect("strategy:discussion", pk=pk)
    _record_reads(request, discussion)
    return render(
        request,
        "strategy/discussion_review.html",
        {"discussion": discussion, "form": form, "errors": errors},
        status=409 if errors else 200,
    )


def _opened(discussion: StrategyDiscussion) -> str:
    """What signing off opened, for the success banner (census ids only: messages may be
    kept in a cookie)."""
    enquiries = [c.child.census_id for c in discussion.children.all()
                 if c.outcome in SECTION_47_OUTCOMES]  # fmt: skip
    assessments = [c.child.census_id for c in discussion.children.all()
                   if c.outcome == DiscussionOutcome.ASSESSMENT]  # fmt: skip
    parts = []
    if enquiries:
        parts.append(f"a section 47 enquiry is open for {', '.join(enquiries)}, with an assessment")
    if assessments:
        parts.append(f"an assessment is open for {', '.join(assessments)}")
    return f" Now {'; '.join(parts)}." if parts else ""


@case_view(StrategyDiscussion)
def discussion_sign_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Check, then sign off: each decision to enquire opens a section 47 enquiry dated when
    the discussion was held; a decision to assess opens an assessment."""
    discussion = _discussion(request, pk, right=Perm.SIGN_OFF_DECISIONS)
    key = _sign_off_key(discussion)
    pending = sessions.kept(user=request.user, key=key)
    if pending is None or not _is_held(discussion):
        return redirect("strategy:discussion-review", pk=pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.discussion_sign_off(
                by=request.user, discussion=discussion, comment=pending["comment"]
            )
        except services.RecordIncomplete as incomplete:
            errors = list(incomplete.problems)
        except RuleBroken as error:
            errors = [str(error)]
        except ConcurrentTransition:
            errors = [CHANGED_BY_SOMEONE_ELSE]
        else:
            sessions.forget(user=request.user, key=key)
            messages.success(request, "The outcome is signed off." + _opened(discussion))
            return redirect("strategy:discussion", pk=pk)
    _record_reads(request, discussion)
    return render(
        request,
        "strategy/discussion_sign_off.html",
        {"discussion": discussion, "pending": pending, "errors": errors},
        status=409 if errors else 200,
    )


@case_view(StrategyDiscussion)
def discussion_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Cancel a discussion not yet held, with the reason."""
    discussion = _discussion(request, pk, right=Perm.CONVENE_STRATEGY_DISCUSSIONS)
    if not _is_convened(discussion):
        return _discussion_page(
            request, discussion, errors=["Only a discussion not yet held can be cancelled"],
            status=409,
        )  # fmt: skip
    form = CancelForm(_posted(request))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.discussion_cancel(
                by=request.user, discussion=discussion, reason=form.cleaned_data["reason"]
            )
        except RuleBroken as error:
            errors = [str(error)]
        except ConcurrentTransition:
            errors = [CHANGED_BY_SOMEONE_ELSE]
        else:
            messages.success(request, "The discussion is cancelled.")
            return redirect("strategy:discussion", pk=pk)
    _record_reads(request, discussion)
    return render(
        request,
        "strategy/discussion_cancel.html",
        {"discussion": discussion, "form": form, "errors": errors},
        status=409 if errors else 200,
    )


@case_view(StrategyDiscussion)
def discussion_reschedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Move a discussion not yet held to another time; the invited agencies are told."""
    discussion = _discussion(request, pk, right=Perm.CONVENE_STRATEGY_DISCUSSIONS)
    if not _is_convened(discussion):
        return _discussion_page(
            request, discussion,
            errors=["Only a discussion not yet held can be moved to another time"], status=409,
        )  # fmt: skip
    form = RescheduleForm(_posted(request), initial={"version": discussion.version})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.discussion_reschedule(
                by=request.user, discussion=discussion,
                scheduled_for=form.cleaned_data["scheduled_for"],
                version=form.cleaned_data["version"],
            )  # fmt: skip
        except ChangedBySomeoneElse:
            errors = [CHANGED_BY_SOMEONE_ELSE]
            discussion = selectors.discussion_detail(pk)
        except RuleBroken as error:
            errors = [str(error)]
        else:
            messages.success(
                request, "The discussion is moved. The invited agencies are told by e-mail."
            )
            return redirect("strategy:discussion", pk=pk)
    _record_reads(request, discussion)
    return render(
        request,
        "strategy/discussion_reschedule.html",
        {"discussion": discussion, "form": form, "errors": errors},
        status=409 if errors else 200,
    )
