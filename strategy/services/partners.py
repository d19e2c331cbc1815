"""Partner agencies in strategy discussions (issue 9; DESIGN.md "Information sharing and
access").

Convening shares the discussion, its children and the history the local authority chose to
share with every invited partner agency through `accounts.sharing`, with the lawful basis
(public task; the safeguarding condition, or Schedule 8 for the police), the consent position
and whether the family was told, as recorded on the discussion. The invited agency's users
record their own attendance and contribution with its audience (everyone invited, or the
local authority only) and see the others' within that audience. Notes on the discussion whose
audience is everyone invited are shared the same way; a joint section 47 enquiry is shared
with the police.

Grants end `PARTNER_GRANT_DAYS` after the later of the discussion's sign-off or cancellation
and the agency's last action being done (none while an action of the agency is open); the SQL
filter applies the time at once and `expire_grants` removes the grant. A partner keeps seeing
what it contributed itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts import sharing
from accounts.audit import Event, record_event
from accounts.models import Agency, User
from accounts.permissions import Perm
from casework import access
from casework.errors import RuleBroken
from casework.references import child_reference
from strategy.models import (
    ABSENT,
    Action,
    Attendance,
    ContributionAudience,
    DiscussionState,
    Participant,
    Section47,
    Section47State,
    StrategyDiscussion,
)

DISCUSSION_PERMISSION = access.DISCUSSION_VIEW
NOTE_PERMISSION = access.NOTE_VIEW
SECTION47_PERMISSION = access.SECTION47_VIEW
CHRONOLOGY_PERMISSION = access.CHRONOLOGY_VIEW

SHARE_REASON = (
    "Invited to a strategy discussion: the discussion, its children and the history shared "
    "with the invited agencies"
)
NOTE_SHARE_REASON = "A note on a strategy discussion for everyone invited"
SECTION47_SHARE_REASON = "A joint section 47 enquiry with the police"
CHRONOLOGY_SHARE_REASON = "Entries of the child's chronology shared for a strategy discussion"
CLOSED_STATES = (DiscussionState.SIGNED_OFF, DiscussionState.CANCELLED)


@dataclass
class SharingTerms:
    """What every share with the invited agencies records besides its basis: the history the
    local authority shares, the consent position and whether the family was told."""

    history: str
    consent: str
    family_told: bool | None
    family_note: str


def is_partner(agency: Agency) -> bool:
    """Agencies other than the local authority itself are given, never assumed, access."""
    return agency.kind != Agency.Kind.LOCAL_AUTHORITY


def _condition(agency: Agency) -> str:
    if agency.kind == Agency.Kind.POLICE:
        return sharing.SpecialCondition.LAW_ENFORCEMENT_SAFEGUARDING
    return sharing.SpecialCondition.SAFEGUARDING


def _child_refs(discussion: StrategyDiscussion) -> list[str]:
    return [child_reference(pk) for pk in discussion.children.values_list("child_id", flat=True)]


def check_terms(terms: SharingTerms | None, agencies) -> None:
    """Sharing with partners needs its terms; the message names what is missing."""
    if not any(is_partner(agency) for agency in agencies):
        return
    if terms is None:
        raise RuleBroken("Say what is shared with the invited agencies")
    if terms.consent not in sharing.ConsentPosition.values:
        raise RuleBroken("Choose the consent position for sharing with the invited agencies")
    if terms.family_told is None or not terms.family_note.strip():
        raise RuleBroken(
            "Say whether the family was told what is shared with the invited agencies, or why not"
        )


def keep_terms(discussion: StrategyDiscussion, terms: SharingTerms | None) -> None:
    if terms is not None:
        discussion.shared_history = terms.history
        discussion.sharing_consent = terms.consent
        discussion.sharing_family_told = terms.family_told
        discussion.sharing_family_note = terms.family_note


def share_for(
    by: User, discussion: StrategyDiscussion, obj, permission: str, agency: Agency,
    reason: str, child_refs: list[str],
) -> None:  # fmt: skip
    """Share `obj` with an invited agency on the discussion's terms, once per child."""
    for child_ref in child_refs:
        sharing.share(
            by=by, obj=obj, permission=permission, agency=agency,
            article6=sharing.Article6Basis.PUBLIC_TASK, condition=_condition(agency),
            consent=discussion.sharing_consent, family_told=discussion.sharing_family_told,
            family_note=discussion.sharing_family_note, reason=reason, child_ref=child_ref,
        )  # fmt: skip


def share_with_invited(by: User, discussion: StrategyDiscussion, agencies) -> None:
    """Share the discussion, and its notes for everyone invited, with each partner agency."""
    partners = [agency for agency in agencies if is_partner(agency)]
    if not partners:
        return
    refs = _child_refs(discussion)
    # The discussion's notes (notes.Note, an app above this one) through the reverse
    # relation; a note's audience uses the same codes as a contribution's.
    notes = list(discussion.notes.filter(audience=ContributionAudience.INVITED))
    # The chronology entries the worker shared for the discussion (notes.SharedChronologyEntry,
    # likewise through the reverse relation): a newly invited agency sees them too.
    entries = list(discussion.shared_chronology.all())
    try:
        for agency in partners:
            share_for(by, discussion, discussion, DISCUSSION_PERMISSION, agency, SHARE_REASON, refs)
            for note in notes:
                share_for(by, discussion, note, NOTE_PERMISSION, agency, NOTE_SHARE_REASON,
                          [child_reference(note.child_id)])  # fmt: skip
            for entry in entries:
                share_for(by, discussion, entry, CHRONOLOGY_PERMISSION, agency,
                          CHRONOLOGY_SHARE_REASON, [child_reference(entry.child_id)])  # fmt: skip
    except sharing.SharingRefused as error:
        raise RuleBroken(str(error)) from error


def share_joint_enquiry(by: User, section47: Section47) -> None:
    """A joint section 47 enquiry is shared with the police invited to its discussion."""
    discussion = section47.discussion_child.discussion
    for participant in discussion.participants.select_related("agency"):
        if participant.agency.kind == Agency.Kind.POLICE:
            share_for(by, discussion, section47, SECTION47_PERMISSION, participant.agency,
                      SECTION47_SHARE_REASON, [child_reference(section47.child_id)])  # fmt: skip


def enquiry_grant_ends(section47: Section47) -> datetime | None:
    """The police's grant on a joint enquiry ends `PARTNER_GRANT_DAYS` after it closes or its
    conference is held; None while it is open."""

    if section47.state not in (Section47State.CLOSED, Section47State.CONFERENCE_HELD):
        return None
    ended = section47.closed_at or timezone.now()
    return ended + timedelta(days=settings.PARTNER_GRANT_DAYS)


def refresh_enquiry_expiry(section47: Section47) -> None:
    if not section47.joint:
        return
    ends = enquiry_grant_ends(section47)
    for participant in section47.discussion_child.discussion.participants.select_related("agency"):
        if participant.agency.kind == Agency.Kind.POLICE:
            sharing.set_expiry(obj=section47, permission=SECTION47_PERMISSION,
                               agency=participant.agency, expires_at=ends)  # fmt: skip


# Expiry ------------------------------------------------------------------------------------


def grant_ends(discussion: StrategyDiscussion, agency: Agency) -> datetime | None:
    """When the agency's grants on the discussion end: `PARTNER_GRANT_DAYS` after the later of
    the discussion's sign-off or cancellation and the agency's last action being done; None
    while the discussion is open or an action of the agency is open."""
    if discussion.state not in CLOSED_STATES:
        return None
    closed_at = discussion.reviewed_at or discussion.cancelled_at or timezone.now()
    actions = Action.objects.filter(discussion=discussion, agency=agency).aggregate(
        open=Max("pk", filter=Q(done_at__isnull=True)), last_done=Max("done_at")
    )
    if actions["open"] is not None:
        return None
    last = max(filter(None, [closed_at, actions["last_done"]]))
    return last + timedelta(days=settings.PARTNER_GRANT_DAYS)


def refresh_expiry(discussion: StrategyDiscussion) -> None:
    """Set the end of every partner's grants on the discussion and its shared notes."""
    notes = list(discussion.notes.only("pk"))  # notes.Note, through the reverse relation
    for participant in discussion.participants.select_related("agency"):
        agency = participant.agency
        if not is_partner(agency):
            continue
        ends = grant_ends(discussion, agency)
        sharing.set_expiry(
            obj=discussion, permission=DISCUSSION_PERMISSION, agency=agency, expires_at=ends
        )
        for note in notes:
            sharing.set_expiry(obj=note, permission=NOTE_PERMISSION, agency=agency, expires_at=ends)


# What a partner does ------------------------------------------------------------------------


def require_invited(by: User, discussion: StrategyDiscussion) -> None:
    """The user's role takes part in discussions and their agency is invited to this one."""
    if not access.has_right(by, Perm.TAKE_PART_IN_STRATEGY_DISCUSSIONS):
        raise RuleBroken("Your role does not take part in strategy discussions")
    if not access.invited_discussions(by).filter(pk=discussion.pk).exists():
        raise RuleBroken("Your agency is not invited to this discussion")


class ContributionChanged(RuleBroken):
    """Someone else saved the agency's part since the form was opened."""

    def __init__(self, current: Participant) -> None:
        self.current = current
        super().__init__("Someone else changed your agency's part since you opened it")


@transaction.atomic
def contribution_record(
    *, by: User, participant: Participant, version: int, attendance: str, attendees: str,
    absence_reason: str, contribution: str, audience: str,
) -> Participant:  # fmt: skip
    """The invited agency records its own attendance and what it shared, with the audience of
    its contribution, until the discussion is recorded as held."""
    current = Participant.objects.select_for_update().get(pk=participant.pk)
    discussion = StrategyDiscussion.objects.get(pk=current.discussion_id)
    require_invited(by, discussion)
    if current.agency_id != by.agency_id:
        raise RuleBroken("You record your own agency's part only")
    if discussion.state != DiscussionState.CONVENED:
        raise RuleBroken("The record is closed: the discussion has been recorded as held")
    if current.version != version:
        raise ContributionChanged(current)
    if attendance not in Attendance.values or attendance == Attendance.INVITED:
        raise RuleBroken("Choose whether your agency attended")
    if attendance == Attendance.ATTENDED and not attendees.strip():
        raise RuleBroken("Enter who attended for your agency")
    if attendance in ABSENT and not absence_reason.strip():
        raise RuleBroken("Say why your agency did not attend")
    if audience not in ContributionAudience.values:
        raise RuleBroken("Choose who sees your agency's contribution")
    current.attendance = attendance
    current.attendees = attendees.strip() if attendance == Attendance.ATTENDED else ""
    current.absence_reason = absence_reason if attendance in ABSENT else ""
    current.contribution = contribution
    current.audience = audience
    current.recorded_by, current.recorded_at = by, timezone.now()
    current.version += 1
    current.save()
    return current


@transaction.atomic
def action_done(*, by: User, action: Action) -> Action:
    """The action's agency (or the local authority) marks it done; when an agency's last
    action is done after the discussion closed, its grants' end is set."""
    current = Action.objects.select_for_update().select_related("discussion").get(pk=action.pk)
    discussion = current.discussion
    if access.has_right(by, Perm.CONVENE_STRATEGY_DISCUSSIONS):
        pass
    else:
        require_invited(by, discussion)
        if current.agency_id != by.agency_id:
            raise RuleBroken("You mark your own agency's actions only")
    if discussion.state in (DiscussionState.CONVENED, DiscussionState.CANCELLED):
        raise RuleBroken("Actions are done once the discussion has been held")
    if current.done_at is not None:
        raise RuleBroken("This action is already done")
    current.done_at, current.done_by = timezone.now(), by
    current.save(update_fields=["done_at", "done_by"])
    refresh_expiry(discussion)
    return current


def record_partner_read(request, discussion: StrategyDiscussion) -> None:
    """A partner's read of a discussion: one entry per child, like the local authority's."""
    for child_id in discussion.children.values_list("child_id", flat=True):
        record_event(
            Event.READ, actor=request.user, obj=discussion, child_ref=child_reference(child_id),
            details={"path": request.path},
        )  # fmt: skip
