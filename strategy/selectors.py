"""Queries for the strategy pages: lists filtered and annotated in SQL."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from accounts.models import Agency
from casework.access import closed_to
from casework.references import child_reference
from referrals.models.episodes import OPEN_REFERRAL_STATES, Referral
from strategy.models import (
    OPEN_DISCUSSION_STATES,
    OPEN_SECTION_47_STATES,
    Action,
    ChildProtectionPlan,
    DiscussionChild,
    DiscussionState,
    EnquiryOutcomeDecision,
    Participant,
    PlanReview,
    Section47,
    StrategyDiscussion,
)

# Strategy discussions (strategy/views/discussions.py) ------------------------------------

DISCUSSION_PAGE_SIZE = 50
# The discussion's confidential record: never loaded for the list.
_DISCUSSION_RECORD = (
    "other_children", "history_note", "childs_views", "risk_analysis", "police_plan",
    "safety_plan", "legal_action", "family_note", "review_comment", "cancel_reason",
)  # fmt: skip


def open_discussions():
    """Discussions convened or held (not yet signed off or cancelled), soonest due first;
    access is checked by the caller (casework.access)."""

    return StrategyDiscussion.objects.filter(state__in=OPEN_DISCUSSION_STATES).order_by(
        "due", "scheduled_for", "pk"
    )


class DiscussionRow:
    """An open discussion in the list. Only one not yet held can be late: a held one waits
    for its sign-off, not for the meeting."""

    def __init__(self, discussion, *, today) -> None:

        self.discussion = discussion
        self.census_ids = [child_reference(child.child_id) for child in discussion.listed_children]
        # (reference, restricted and not open to the user) for each child.
        self.children = [
            (child_reference(child.child_id), child.closed) for child in discussion.listed_children
        ]
        waiting = discussion.state == DiscussionState.CONVENED
        self.overdue = waiting and discussion.due < today
        self.due_today = waiting and discussion.due == today


def discussion_page(*, today, user, offset: int = 0, limit: int = DISCUSSION_PAGE_SIZE) -> list:
    """A page of open discussions with their chair and children, in two queries however
    many children each has; no confidential text loaded. A restricted child not open to
    `user` is marked in the same query (casework.access.closed_to)."""
    from django.db.models import Prefetch

    rows = (
        open_discussions()
        .select_related("chair")
        .defer(*_DISCUSSION_RECORD)
        .prefetch_related(
            Prefetch(
                "children",
                queryset=DiscussionChild.objects.only("discussion_id", "child_id")
                .annotate(closed=closed_to(user, "child"))
                .order_by("child_id"),
                to_attr="listed_children",
            )
        )[offset : offset + limit]
    )  # fmt: skip
    return [DiscussionRow(row, today=today) for row in rows]


def discussion_detail(pk: int):
    """One discussion with everything its pages show, in a fixed number of queries however
    many children, agencies and actions it has."""
    from django.db.models import Prefetch
    from django.shortcuts import get_object_or_404

    queryset = StrategyDiscussion.objects.select_related(
        "chair", "convened_by", "recorded_by", "reviewed_by", "cancelled_by"
    ).prefetch_related(
        Prefetch(
            "children",
            queryset=DiscussionChild.objects.select_related(
                "child", "referral", "section47"
            ).order_by("pk"),
        ),
        Prefetch("participants", queryset=Participant.objects.select_related("agency")),
        Prefetch("actions", queryset=Action.objects.select_related("agency")),
    )
    return get_object_or_404(queryset, pk=pk)


def record_versions(discussion) -> list:
    """The record's versions, newest first, with who saved each (one query; the sealed
    content is not loaded: the history names what changed)."""
    return list(discussion.record_versions.select_related("saved_by").defer("content"))


def referrals_to_convene(*, contact_id: int) -> list:
    """The open referrals from one contact (a child and their brothers and sisters), each
    with its child: who a discussion convened from one of them may be about."""

    return list(
        Referral.objects.filter(
            contact_child__contact_id=contact_id, state__in=OPEN_REFERRAL_STATES
        )
        .select_related("child")
        .order_by("pk")
    )


def active_agencies():
    """The agencies that may be invited to a discussion or own one of its actions."""

    return Agency.objects.filter(is_active=True).order_by("name")


def agencies_not_invited(discussion):
    """Active agencies a discussion has not invited yet (for "invite another agency")."""
    return active_agencies().exclude(pk__in=discussion.participants.values("agency_id"))


# Section 47 enquiries and initial conferences (strategy/views/enquiries.py) --------------

SECTION_47_PAGE_SIZE = 50


def open_section47s():
    """Open enquiries (open, outcome proposed, outcome signed off), the conference target
    soonest first; access is checked by the caller (casework.access)."""

    return Section47.objects.filter(state__in=OPEN_SECTION_47_STATES).order_by(
        "conference_due", "pk"
    )


class EnquiryRow:
    """An open enquiry in the list, with its conference target marked. None of these has had
    its conference, so a target that has passed is an overdue conference (DOMAIN.md "ICPC
    timing"; census query 8675Q)."""

    def __init__(self, enquiry, *, today) -> None:
        self.enquiry = enquiry
        self.overdue = enquiry.conference_due < today
        self.due_today = enquiry.conference_due == today


def section47_page(*, today, user, offset: int = 0, limit: int = SECTION_47_PAGE_SIZE) -> list:
    """A page of open enquiries with their child, in one query; no confidential text loaded.
    A restricted child not open to `user` is marked (`child_closed`) in the same query."""

    rows = (
        open_section47s()
        .select_related("child")
        .annotate(child_closed=closed_to(user, "child"))
        .only(
            "state", "joint", "start_date", "conference_due", "child_id",
            "child__first_name", "child__last_name",
        )[offset : offset + limit]
    )  # fmt: skip
    return [EnquiryRow(row, today=today) for row in rows]


def section47_detail(pk: int):
    """One enquiry with everything its page shows, in a fixed number of queries however many
    proposals it had: the child, referral, discussion, assessment, current outcome and
    conference joined; the proposals and the agencies at the conference prefetched."""
    from django.db.models import Prefetch
    from django.shortcuts import get_object_or_404

    # The discussion's own record (risk analysis, plans...) is not shown here: not loaded.
    unread = [
        f"discussion_child__discussion__{name}"
        for name in (
            "other_children", "history_note", "childs_views", "risk_analysis", "police_plan",
            "safety_plan", "legal_action", "family_note", "review_comment", "cancel_reason",
        )
    ]  # fmt: skip
    queryset = (
        Section47.objects.select_related(
            "child", "referral", "assessment", "discussion_child__discussion",
            "current_outcome__proposed_by", "current_outcome__reviewed_by", "closed_by",
            "conference__chair",
        )
        .defer(*unread, "discussion_child__rationale", "assessment__analysis",
               "assessment__authorisation_comment")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=EnquiryOutcomeDecision.objects.select_related(
                    "proposed_by", "reviewed_by"
                ),
            ),
            "conference__agencies_attending",
        )
    )  # fmt: skip
    return get_object_or_404(queryset, pk=pk)


def plan_detail(pk: int):
    """One child protection plan with its child, conference and reviews: three queries."""
    return get_object_or_404(
        ChildProtectionPlan.objects.select_related(
            "child", "conference", "ended_by"
        ).prefetch_related(
            Prefetch("reviews", queryset=PlanReview.objects.select_related("recorded_by"))
        ),
        pk=pk,
    )
