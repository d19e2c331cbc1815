"""Strategy discussions: convene, invite, record, actions, record as held, sign off (opening
each section 47 enquiry decided), return, cancel. Each action checks the actor's right,
enforces the journey's rules, calls the transition, saves and audits it in one transaction
(DESIGN.md "The journey"; DOMAIN.md "Strategy discussions").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from accounts.audit import record_transition
from accounts.models import Agency, User
from accounts.permissions import Perm
from casework import access, transitions
from casework.errors import ChangedBySomeoneElse, RuleBroken
from casework.locking import locked
from casework.models import EventKind
from casework.outbox import emit
from casework.references import child_reference
from casework.transitions import require_right
from referrals.models.episodes import Referral
from referrals.services import assessment_open
from referrals.timescales import Timescale, due_date, local_date
from strategy.models import (
    ABSENT,
    SECTION_47_OUTCOMES,
    Action,
    Attendance,
    DiscussionChild,
    DiscussionFormat,
    DiscussionOutcome,
    DiscussionRecordVersion,
    DiscussionState,
    Participant,
    Section47,
    Section47State,
    StrategyDiscussion,
)
from strategy.models.discussions import record_changes, record_content
from strategy.services.partners import (
    SharingTerms,
    check_terms,
    is_partner,
    keep_terms,
    refresh_expiry,
    share_joint_enquiry,
    share_with_invited,
)


def recorded_by_itself(participant: Participant) -> bool:
    """A partner agency that recorded its own part keeps it: the local authority's record of
    the discussion does not overwrite it."""
    return participant.recorded_by_id is not None and is_partner(participant.agency)


class RecordIncomplete(RuleBroken):
    """The discussion's record lacks what DESIGN.md requires; `problems` names each gap."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _audit_discussion(by: User, discussion: StrategyDiscussion, source: str, name: str,
                      reason: str = "") -> None:  # fmt: skip
    """A discussion concerns several children: one transition entry for each child."""
    for child_id in discussion.children.values_list("child_id", flat=True):
        record_transition(
            actor=by, obj=discussion, source=source, target=discussion.state, name=name,
            reason=reason, child_ref=child_reference(child_id),
        )  # fmt: skip


# The review of a discussion's record (casework.transitions): it waits for a manager other
# than whoever recorded it as held.
DISCUSSION = transitions.Review(
    model=StrategyDiscussion,
    open_state=DiscussionState.CONVENED, waiting_state=DiscussionState.HELD,
    propose_transition="record_held", sign_off_transition="sign_off",
    return_transition="return_for_changes",
    not_open="Only a convened discussion can be recorded as held",
    waiting="a discussion recorded as held", did="recorded this discussion as held",
    author_id=lambda discussion: discussion.recorded_by_id,
    proposal=lambda discussion: None, bump_version_on_return=True,
    audit=_audit_discussion,
)  # fmt: skip


# Strategy discussions -------------------------------------------------------------------


@transaction.atomic
def discussion_convene(
    *, by: User, referrals: list[Referral], scheduled_for: datetime, format: str, chair: User,
    agencies: list[Agency], same_day: bool = False, cause_known_at: datetime | None = None,
    sharing_terms: SharingTerms | None = None,
) -> StrategyDiscussion:  # fmt: skip
    """Convene a discussion for one or more children through their open referrals; due within
    1 working day of the cause to suspect harm (now, unless it arose earlier, as for a contact
    taken out of hours), or the same day (DOMAIN.md "Timescales"). The invited partner
    agencies are given the discussion, its children and the history shared, on the terms
    given (strategy.services.partners)."""
    require_right(by, Perm.CONVENE_STRATEGY_DISCUSSIONS)
    if not referrals:
        raise RuleBroken("Choose at least one child the discussion is about")
    if len({r.child_id for r in referrals}) != len(referrals):
        raise RuleBroken("Each child is in a discussion once")
    if any(not r.is_open for r in referrals):
        raise RuleBroken("A child's referral is closed: a discussion needs an open referral")
    if format not in DiscussionFormat.values:
        raise RuleBroken("Choose how the discussion is held")
    if not access.has_right(chair, Perm.CONVENE_STRATEGY_DISCUSSIONS):
        raise RuleBroken("The chair must be a local authority practitioner or manager")
    if len(set(agencies)) != len(agencies):
        raise RuleBroken("Each agency is invited once")
    cause = cause_known_at or timezone.now()
    if cause > timezone.now():
        raise RuleBroken("The time the cause for concern arose cannot be in the future")
    check_terms(sharing_terms, agencies)
    discussion = StrategyDiscussion(
        scheduled_for=scheduled_for, format=format, chair=chair, convened_by=by,
        due=local_date(cause) if same_day else due_date(cause, Timescale.STRATEGY_DISCUSSION),
    )  # fmt: skip
    keep_terms(discussion, sharing_terms)
    discussion.save()
    DiscussionChild.objects.bulk_create(
        DiscussionChild(discussion=discussion, child_id=r.child_id, referral=r) for r in referrals
    )
    Participant.objects.bulk_create(
        Participant(discussion=discussion, agency=agency) for agency in agencies
    )
    _audit_discussion(by, discussion, "", "convene")
    share_with_invited(by, discussion, agencies)
    _tell_invited(discussion, agencies, EventKind.DISCUSSION_INVITED)
    return discussion


def _tell_invited(discussion: StrategyDiscussion, agencies, kind: EventKind) -> None:
    """Each invited partner agency is told, through the outbox (issue 24): a link, never the
    discussion's content."""
    for agency in agencies:
        if is_partner(agency):
            emit(kind=kind, about=discussion, agency=agency)


@transaction.atomic
def discussion_invite(*, by: User, discussion: StrategyDiscussion, agency: Agency) -> Participant:
    """Invite another agency to a discussion not yet recorded as held."""
    require_right(by, Perm.CONVENE_STRATEGY_DISCUSSIONS)
    if discussion.state != DiscussionState.CONVENED:
        raise RuleBroken("Agencies can be invited only before the discussion is recorded as held")
    if discussion.participants.filter(agency=agency).exists():
        raise RuleBroken(f"{agency.name} is already invited")
    if is_partner(agency) and not discussion.sharing_consent:
        raise RuleBroken(
            "Record what is shared with the invited agencies (the consent position and whether "
            "the family was told) before inviting a partner agency"
        )
    participant = Participant.objects.create(discussion=discussion, agency=agency)
    share_with_invited(by, discussion, [agency])
    _tell_invited(discussion, [agency], EventKind.DISCUSSION_INVITED)
    return participant


@transaction.atomic
def discussion_reschedule(
    *, by: User, discussion: StrategyDiscussion, scheduled_for: datetime, version: int
) -> StrategyDiscussion:
    """Move a convened discussion to another time (issue 24): audited as its own entry, and
    every invited partner agency told. A change made by someone else since the page was read
    is refused (the version), so nobody moves a meeting they have not seen."""
    require_right(by, Perm.CONVENE_STRATEGY_DISCUSSIONS)
    current = locked(StrategyDiscussion, discussion)
    if current.state != DiscussionState.CONVENED:
        raise RuleBroken("Only a discussion not yet held can be moved to another time")
    if current.version != version:
        raise ChangedBySomeoneElse(current)
    if scheduled_for == current.scheduled_for:
        raise RuleBroken("Choose a time different from the one already set")
    previous = current.scheduled_for
    current.scheduled_for = scheduled_for
    current.version += 1
    current.save(update_fields=["scheduled_for", "version"])
    _audit_discussion(
        by, current, current.state, "reschedule",
        reason=f"Moved from {_when(previous)} to {_when(scheduled_for)}",
    )  # fmt: skip
    agencies = [p.agency for p in current.participants.select_related("agency")]
    _tell_invited(current, agencies, EventKind.DISCUSSION_RESCHEDULED)
    return current


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%-d %B %Y %H:%M")


@dataclass
class AttendanceRecord:
    participant_id: int
    attendance: str
    attendees: str = ""
    absence_reason: str = ""
    contribution: str = ""


@dataclass
class ChildDecision:
    discussion_child_id: int
    outcome: str
    rationale: str


RECORD_FIELDS = (
    "held_at", "other_children", "history_reviewed", "history_note", "childs_views",
    "risk_analysis", "police_plan", "safety_plan", "legal_action", "family_told", "family_note",
)  # fmt: skip


@transaction.atomic
def discussion_record(
    *, by: User, discussion: StrategyDiscussion, version: int,
    attendance: Sequence[AttendanceRecord] = (), decisions: Sequence[ChildDecision] = (), **record,
) -> StrategyDiscussion:  # fmt: skip
    """Save the record of the discussion (DOMAIN.md "The record") while it is not yet
    recorded as held; a second editor is told and keeps what they typed."""
    require_right(by, Perm.CONVENE_STRATEGY_DISCUSSIONS)
    current = locked(StrategyDiscussion, discussion, version)
    if current.state != DiscussionState.CONVENED:
        raise RuleBroken("The record can change only before it is recorded as held")
    unknown = set(record) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    held_at = record.get("held_at")
    if held_at is not None and held_at > timezone.now():
        raise RuleBroken("The time the discussion was held cannot be in the future")
    for name, value in record.items():
        setattr(current, name, value if value is not None or name in ("held_at",
                "history_reviewed", "family_told") else "")  # fmt: skip
    participants = {p.pk: p for p in current.participants.select_related("agency")}
    for row in attendance:
        participant = participants.get(row.participant_id)
        if participant is None:
            raise RuleBroken("That agency is not invited to this discussion")
        if recorded_by_itself(participant):
            raise RuleBroken(f"{participant.agency.name} recorded its own part: it is kept")
        if row.attendance not in Attendance.values:
            raise RuleBroken(f"Choose whether {participant.agency.name} attended")
        participant.attendance = row.attendance
        participant.attendees = row.attendees.strip()
        participant.absence_reason = row.absence_reason if row.attendance in ABSENT else ""
        participant.contribution = row.contribution
        participant.save()
    children = {c.pk: c for c in current.children.all()}
    for decision in decisions:
        child = children.get(decision.discussion_child_id)
        if child is None:
            raise RuleBroken("That child is not in this discussion")
        if decision.outcome and decision.outcome not in DiscussionOutcome.values:
            raise RuleBroken("Choose the decision for each child")
        child.outcome, child.rationale = decision.outcome, decision.rationale
        child.save()
    current.version += 1
    current.save()
    _keep_version(by, current, participants.values(), children.values())
    return current


def _keep_version(by: User, discussion: StrategyDiscussion, participants, children) -> None:
    """Every save of the record adds a version naming what changed; none is overwritten
    (issue 19)."""
    content = record_content(
        discussion,
        sorted(participants, key=lambda p: p.pk),
        sorted(children, key=lambda c: c.pk),
    )
    last = discussion.record_versions.order_by("-number").first()
    DiscussionRecordVersion.objects.create(
        discussion=discussion, number=(last.number + 1) if last else 1,
        content=json.dumps(content, sort_keys=True),
        changed=record_changes(json.loads(last.content) if last else None, content),
        saved_by=by,
    )  # fmt: skip


@transaction.atomic
def discussion_action_add(
    *, by: User, discussion: StrategyDiscussion, description: str, owner: str, agency: Agency,
    due: date,
) -> Action:  # fmt: skip
    """An action the discussion set: what, owner, agency and due date (DOMAIN.md)."""
    require_right(by, Perm.CONVENE_STRATEGY_DISCUSSIONS)
    if discussion.state != DiscussionState.CONVENED:
        raise RuleBroken("Actions are added before the discussion is recorded as held")
    if not description.strip() or not owner.strip():
        raise RuleBroken("Give the action and who owns it")
    return Action.objects.create(
        discussion=discussion, description=description, owner=owner.strip(), agency=agency,
        due=due,
    )  # fmt: skip


@transaction.atomic
def discussion_action_remove(*, by: User, action: Action) -> None:
    """Remove an action added in error, before the discussion is recorded as held."""
    require_right(by, Perm.CONVENE_STRATEGY_DISCUSSIONS)
    if action.discussion.state != DiscussionState.CONVENED:
        raise RuleBroken("Actions change only before the discussion is recorded as held")
    action.delete()


def record_problems(discussion: StrategyDiscussion) -> list[str]:
    """Everything that keeps the discussion from being recorded as held, in plain words:
    the record's own gaps, then the census rules for any enquiry it starts."""
    problems = discussion.record_problems()
    if discussion.held_at is None:
        return problems
    held_on = local_date(discussion.held_at)
    for child in discussion.children.select_related("referral"):
        if not child.referral.is_open:
            problems.append(f"{child.child}'s referral is closed")
        if held_on < child.referral.referral_date:
            problems.append(
                f"The discussion cannot be held before {child.child}'s referral date "
                f"({child.referral.referral_date:%-d %B %Y})"
            )
        if child.outcome in SECTION_47_OUTCOMES and child.referral.section47s.filter(
            state__in=[Section47State.OPEN, Section47State.OUTCOME_PROPOSED,
                       Section47State.OUTCOME_SIGNED_OFF]
        ).exists():  # fmt: skip
            problems.append(
                f"{child.child} already has an open section 47 enquiry: one open enquiry per "
                "referral"
            )
    return problems


@transaction.atomic
def discussion_mark_held(
    *, by: User, discussion: StrategyDiscussion, reviewed_chronology: str | None = None
) -> StrategyDiscussion:
    """Recorded as held only with the LA, police and health present or a reason for each
    absence, and the whole record of DOMAIN.md (findings 3, 4, 8 to 12); the chronology
    reviewed (`reviewed_chronology`, the caller's snapshot as JSON, "[]" when empty) is kept
    with its date as the evidence that the history was reviewed (issue 20)."""
    require_right(by, Perm.CONVENE_STRATEGY_DISCUSSIONS)
    current = locked(StrategyDiscussion, discussion)
    if current.state != DiscussionState.CONVENED:
        raise RuleBroken("Only a convened discussion can be recorded as held")
    if reviewed_chronology is not None:
        current.reviewed_chronology = reviewed_chronology
        current.chronology_reviewed_at = timezone.now()
    problems = record_problems(current)
    if problems:
        raise RecordIncomplete(problems)
    source = current.state
    current.record_held(by=by)
    current.save()
    _audit_discussion(by, current, source, "record_held")
    return current


@transaction.atomic
def discussion_sign_off(
    *, by: User, discussion: StrategyDiscussion, comment: str = ""
) -> StrategyDiscussion:
    """A manager other than the recorder signs the outcome off (finding 13); each decision
    to enquire opens a section 47 enquiry dated when the discussion was held."""

    def still_complete(current: StrategyDiscussion) -> None:
        # The children's referrals are locked, then checked again: another discussion signed
        # off since this one was held may have opened the child's enquiry (one open section
        # 47 per referral), or the referral may have closed.
        referral_ids = list(current.children.values_list("referral_id", flat=True))
        list(Referral.objects.select_for_update().filter(pk__in=referral_ids).order_by("pk"))
        problems = record_problems(current)
        if problems:
            raise RecordIncomplete(problems)

    current = transitions.sign_off(
        DISCUSSION, by=by, record=discussion, comment=comment, rules=still_complete
    )
    held_on = local_date(current.held_at)
    for child in current.children.select_related("referral"):
        if child.outcome in SECTION_47_OUTCOMES:
            enquiry = _open_section47(by, child, held_on)
            if enquiry.joint:
                share_joint_enquiry(by, enquiry)
        elif child.outcome == DiscussionOutcome.ASSESSMENT:
            assessment_open(by=by, referral=child.referral, start_date=held_on)
    refresh_expiry(current)
    return current


def _open_section47(by: User, child: DiscussionChild, held_on: date) -> Section47:
    """The enquiry starts on the discussion's date, not at sign-off; the conference target is
    fixed then at 15 working days; it opens or continues the child's assessment."""
    assessment = assessment_open(by=by, referral=child.referral, start_date=held_on)
    return Section47.objects.create(
        discussion_child=child, child_id=child.child_id, referral=child.referral,
        assessment=assessment, joint=child.outcome == DiscussionOutcome.SECTION_47_JOINT,
        start_date=held_on, conference_due=due_date(held_on, Timescale.INITIAL_CONFERENCE),
    )  # fmt: skip


@transaction.atomic
def discussion_return(
    *, by: User, discussion: StrategyDiscussion, comment: str
) -> StrategyDiscussion:
    """A manager other than the recorder returns the record for changes, with a comment."""
    return transitions.return_for_changes(DISCUSSION, by=by, record=discussion, comment=comment)


@transaction.atomic
def discussion_cancel(*, by: User, discussion: StrategyDiscussion, reason: str):
    """Cancel a convened discussion, with the reason."""
    require_right(by, Perm.CONVENE_STRATEGY_DISCUSSIONS)
    current = locked(StrategyDiscussion, discussion)
    if current.state != DiscussionState.CONVENED:
        raise RuleBroken("Only a discussion not yet held can be cancelled")
    source = current.state
    current.cancel(by=by, reason=reason)
    current.save()
    _audit_discussion(by, current, source, "cancel")
    refresh_expiry(current)
    return current
