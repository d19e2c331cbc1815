"""The child's chronology and the notes on a record, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from notes.models import Note
from referrals.models import LadoReferral, Referral
from referrals.models.contacts import ContactChild, ContactDecision
from referrals.models.episodes import Assessment, ReferralDecision
from strategy.models import (
    ChildProtectionPlan,
    DiscussionChild,
    EnquiryOutcomeDecision,
    InitialConference,
    PlanReview,
)

# An event whose optional date or time was never recorded (bulk-loaded or older rows) sorts as
# the oldest and shows "Date not recorded": a missing timestamp never breaks a page.
_UNDATED = timezone.make_aware(datetime.combine(date.min, time.min) + timedelta(days=1))


def _sort_moment(item) -> datetime:
    """Dated steps (an assessment's start, a conference) sort at the end of their day; an
    event without a date sorts last of all (newest first)."""
    when = item.when
    if when is None:
        return _UNDATED
    if isinstance(when, datetime):
        return when if timezone.is_aware(when) else timezone.make_aware(when)
    return timezone.make_aware(datetime.combine(when, time.max))


@dataclass
class TimelineItem:
    when: object
    what: str
    detail: str
    link: str = ""

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, datetime)


def _with_voice_and_reason(what: str, voice: str, reason: str) -> str:
    """A proposal's line, with the child's voice and the safety rule's reason carried in."""
    parts = [what]
    if voice:
        parts.append(f"The child's voice: {voice}")
    if reason:
        parts.append(f"Reason under the safety rule: {reason}")
    return ". ".join(parts)


def child_timeline(child) -> list[TimelineItem]:
    """Everything recorded for a child, newest first, in a fixed number of queries."""
    items: list[TimelineItem] = []
    contact_children = ContactChild.objects.filter(child=child).select_related("contact").defer(
        "screening_notes", "feedback_note", "family_note", "contact__concern",
        "contact__referrer_name", "contact__referrer_agency", "contact__referrer_role",
        "contact__referrer_contact",
    )  # fmt: skip
    for cc in contact_children:
        link = reverse("referrals:decision", args=[cc.contact_id, cc.pk])
        items.append(
            TimelineItem(
                cc.contact.received_at, "Contact received", cc.contact.get_source_display(), link
            )
        )
        if cc.closed_at:
            items.append(TimelineItem(cc.closed_at, "Contact closed", "", link))
    decisions = ContactDecision.objects.filter(contact_child__child=child).select_related(
        "level_of_need", "contact_child"
    ).defer("rationale", "review_comment")  # fmt: skip
    for decision in decisions:
        link = reverse(
            "referrals:decision",
            args=[decision.contact_child.contact_id, decision.contact_child_id],
        )
        items.append(
            TimelineItem(
                decision.proposed_at, "Decision proposed",
                _with_voice_and_reason(
                    f"{decision.get_outcome_display()} ({decision.level_of_need.name})",
                    decision.childs_voice, decision.safety_reason,
                ),
                link,
            )
        )  # fmt: skip
        if decision.reviewed_at:
            items.append(
                TimelineItem(
                    decision.reviewed_at,
                    f"Decision {decision.get_state_display().lower()}",
                    decision.get_outcome_display(),
                    link,
                )
            )
    for referral in Referral.objects.filter(child=child):
        items.append(
            TimelineItem(
                referral.created_at,
                "Referral opened",
                f"Referral date {referral.referral_date:%-d %B %Y}",
            )
        )
        if referral.closure_date:
            items.append(
                TimelineItem(
                    referral.closure_date, "Referral closed", referral.get_closure_reason_display()
                )
            )
    items.extend(_episode_timeline(child))
    for lado in LadoReferral.objects.filter(child=child):
        items.append(
            TimelineItem(lado.created_at, "LADO referral opened", f"Due {lado.due:%-d %B %Y}")
        )
    corrected = Note.objects.filter(child=child, supersedes__isnull=False).values("supersedes_id")
    for note in Note.objects.filter(child=child, significant=True).exclude(pk__in=corrected):
        items.append(TimelineItem(note.created_at, "Significant note", note.text))
    items.sort(key=_sort_moment, reverse=True)
    return items


def _episode_timeline(child) -> list[TimelineItem]:
    """Next steps, assessments, strategy discussions, enquiries and conferences for a child,
    a fixed number of queries however many there are; confidential text is not loaded."""
    items: list[TimelineItem] = []
    for decision in ReferralDecision.objects.filter(referral__child=child).defer(
        "rationale", "review_comment"
    ):
        items.append(
            TimelineItem(decision.proposed_at, "Next steps proposed",
                         _with_voice_and_reason(decision.get_next_steps_display(), "",
                                                decision.safety_reason))
        )  # fmt: skip
        if decision.reviewed_at:
            items.append(
                TimelineItem(decision.reviewed_at,
                             f"Next steps {decision.get_state_display().lower()}",
                             decision.get_next_steps_display())
            )  # fmt: skip
    for assessment in Assessment.objects.filter(child=child).only(
        "start_date", "authorisation_date", "due", "child_id"
    ):
        items.append(
            TimelineItem(assessment.start_date, "Assessment started",
                         f"Due {assessment.due:%-d %B %Y}")
        )  # fmt: skip
        if assessment.authorisation_date:
            items.append(TimelineItem(assessment.authorisation_date, "Assessment authorised", ""))
    for row in DiscussionChild.objects.filter(child=child).select_related("discussion").only(
        "outcome", "discussion__convened_at", "discussion__held_at", "discussion__state",
        "discussion__reviewed_at", "discussion__cancelled_at",
    ):  # fmt: skip
        discussion = row.discussion
        items.append(TimelineItem(discussion.convened_at, "Strategy discussion convened", ""))
        if discussion.held_at and discussion.state != "convened":
            items.append(
                TimelineItem(discussion.held_at, "Strategy discussion held",
                             row.get_outcome_display())
            )  # fmt: skip
        if discussion.state == "signed_off":
            items.append(
                TimelineItem(discussion.reviewed_at, "Strategy discussion signed off",
                             row.get_outcome_display())
            )  # fmt: skip
        if discussion.cancelled_at:
            items.append(TimelineItem(discussion.cancelled_at, "Strategy discussion cancelled", ""))
    for outcome in EnquiryOutcomeDecision.objects.filter(section47__child=child).defer(
        "rationale", "review_comment"
    ):
        items.append(
            TimelineItem(outcome.proposed_at, "Section 47 outcome proposed",
                         outcome.get_outcome_display())
        )  # fmt: skip
        if outcome.reviewed_at:
            items.append(
                TimelineItem(outcome.reviewed_at,
                             f"Section 47 outcome {outcome.get_state_display().lower()}",
                             outcome.get_outcome_display())
            )  # fmt: skip
    plans = ChildProtectionPlan.objects.filter(child=child).prefetch_related(
        Prefetch("reviews", queryset=PlanReview.objects.defer("note"))
    )
    for plan in plans:
        items.append(
            TimelineItem(plan.start_date, "Child protection plan started",
                         plan.get_initial_category_display())
        )  # fmt: skip
        for review in plan.reviews.all():
            items.append(
                TimelineItem(review.reviewed_on, "Child protection plan reviewed",
                             review.get_category_display())
            )  # fmt: skip
        if plan.end_date:
            items.append(TimelineItem(plan.end_date, "Child protection plan ended",
                                      plan.end_reason))  # fmt: skip
    for conference in InitialConference.objects.filter(child=child).defer("summary"):
        items.append(
            TimelineItem(conference.held_on, "Initial child protection conference",
                         f"Plan: {conference.get_category_display()}" if conference.plan
                         else "No plan")
        )  # fmt: skip
    return items


def notes_with_versions(notes: models.QuerySet) -> list[tuple]:
    """Notes newest first with their authors and children (one query), each paired with
    whether a later version corrected it: both versions are shown."""
    listed = list(notes.select_related("author", "child"))
    superseded = {note.supersedes_id for note in listed if note.supersedes_id}
    return [(note, note.pk in superseded) for note in listed]
