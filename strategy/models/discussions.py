"""Strategy discussions: the meeting, its children and their decisions, the invited agencies'
part and the actions it sets (DESIGN.md "The journey"; DOMAIN.md "Strategy discussions").

StrategyDiscussion: convened -> held -> outcome signed off, or cancelled with a reason; a
returned record goes back to convened.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.audit import register_audited
from accounts.encryption import EncryptedTextField
from accounts.models import Agency
from accounts.sharing import ConsentPosition
from casework.errors import RuleBroken
from casework.references import about_child

# The agencies whose part a discussion needs: present, or a reason for the absence.
REQUIRED_AGENCY_KINDS = (Agency.Kind.LOCAL_AUTHORITY, Agency.Kind.POLICE, Agency.Kind.HEALTH)

_USER = settings.AUTH_USER_MODEL


class DiscussionState(models.TextChoices):
    CONVENED = "convened", "Convened"
    HELD = "held", "Held: outcome to sign off"
    SIGNED_OFF = "signed_off", "Outcome signed off"
    CANCELLED = "cancelled", "Cancelled"


OPEN_DISCUSSION_STATES = (DiscussionState.CONVENED, DiscussionState.HELD)


class DiscussionFormat(models.TextChoices):
    MEETING = "meeting", "Meeting in person"
    VIDEO = "video", "Video call"
    PHONE = "phone", "Telephone calls"


@register_audited
class StrategyDiscussion(ConcurrentTransitionMixin, models.Model):
    """One meeting about one or more children; more than one may be held for a child."""

    state = FSMField(
        default=DiscussionState.CONVENED, choices=DiscussionState.choices, protected=True
    )
    scheduled_for = models.DateTimeField()
    format = models.CharField(max_length=10, choices=DiscussionFormat.choices)
    chair = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    due = models.DateField(help_text="When it should be held by (from the cause to suspect harm)")
    convened_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    convened_at = models.DateTimeField(auto_now_add=True)
    # The record of the discussion (DOMAIN.md "The record").
    held_at = models.DateTimeField(null=True, blank=True)
    other_children = EncryptedTextField(blank=True, help_text="Other children affected")
    # "History reviewed: yes/no" was the evidence for the held rule until issue 20; discussions
    # recorded as held before then keep their answer. Since, recording a discussion as held
    # keeps a dated snapshot of the chronology reviewed (sealed JSON; possibly empty, as on the
    # urgent path), and that snapshot is the evidence.
    history_reviewed = models.BooleanField(null=True)
    history_note = EncryptedTextField(blank=True)
    reviewed_chronology = EncryptedTextField(
        blank=True, help_text="The children's chronology as reviewed (JSON), kept when held"
    )
    chronology_reviewed_at = models.DateTimeField(null=True, blank=True)
    childs_views = EncryptedTextField(blank=True)
    risk_analysis = EncryptedTextField(blank=True)
    police_plan = EncryptedTextField(blank=True)
    safety_plan = EncryptedTextField(blank=True)
    legal_action = EncryptedTextField(blank=True)
    family_told = models.BooleanField(null=True)
    family_note = EncryptedTextField(blank=True, help_text="What the family is told, or why not")
    # What the invited agencies are given (DESIGN.md: the history the LA chose to share), and
    # the consent position and family's knowledge that every share with them records.
    shared_history = EncryptedTextField(
        blank=True, help_text="The history shared with the invited agencies"
    )
    sharing_consent = models.CharField(max_length=50, choices=ConsentPosition.choices, blank=True)
    sharing_family_told = models.BooleanField(null=True)
    sharing_family_note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = EncryptedTextField(blank=True)
    cancelled_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = EncryptedTextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["state", "due"], name="discussion_open_due")]
        constraints = [
            # A signed-off discussion keeps its sign-off time (issue 20): the timeline and the
            # chronology date the sign-off by it.
            models.CheckConstraint(
                condition=~models.Q(state=DiscussionState.SIGNED_OFF)
                | models.Q(reviewed_at__isnull=False),
                name="signed_off_discussion_has_reviewed_at",
            )
        ]

    def __str__(self) -> str:
        return f"Strategy discussion SD-{self.pk:06d}" if self.pk else "Strategy discussion (new)"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_DISCUSSION_STATES

    @property
    def reviewed_chronology_entries(self) -> list[dict]:
        """The snapshot kept when the discussion was recorded as held, entry by entry."""
        return json.loads(self.reviewed_chronology) if self.reviewed_chronology else []

    def attendance_problems(self) -> list[str]:
        """DESIGN.md: held only if the LA, police and health took part, or the record gives a
        reason for each that did not; every absent agency has its reason."""
        participants = list(self.participants.select_related("agency"))
        problems = []
        for kind in REQUIRED_AGENCY_KINDS:
            of_kind = [p for p in participants if p.agency.kind == kind]
            if any(p.attendance == Attendance.ATTENDED for p in of_kind):
                continue
            if not of_kind or not all(p.absence_reason for p in of_kind):
                problems.append(
                    f"{Agency.Kind(kind).label} did not take part: record who attended for "
                    f"{Agency.Kind(kind).label.lower()}, or the reason they did not"
                )
        for p in participants:
            if p.agency.kind in REQUIRED_AGENCY_KINDS:
                continue
            if p.attendance in ABSENT and not p.absence_reason:
                problems.append(f"Give the reason {p.agency.name} did not attend")
        return problems

    def record_problems(self) -> list[str]:
        """What the record still lacks before it can be recorded as held."""
        problems = self.attendance_problems()
        if self.held_at is None:
            problems.append("Enter the date and time the discussion was held")
        if self.history_reviewed is None and self.chronology_reviewed_at is None:
            problems.append(
                "Review the child's chronology: recording the discussion as held keeps the "
                "chronology reviewed"
            )
        if not self.risk_analysis:
            problems.append("Record the risk analysis")
        if not self.childs_views:
            problems.append("Record the child's views, or why they could not be sought")
        if self.family_told is None or not self.family_note:
            problems.append("Record what the family is told, or why not")
        for child in self.children.all():
            if not child.outcome or not child.rationale:
                problems.append(f"Record the decision and rationale for {child.child}")
        return problems

    def _record_complete(self) -> bool:
        return not self.record_problems()

    @transition(field=state, source=DiscussionState.CONVENED, target=DiscussionState.HELD,
                conditions=[_record_complete])  # type: ignore[list-item]  # django-fsm-2 types conditions as taking any Model  # fmt: skip
    def record_held(self, *, by) -> None:
        self.recorded_by, self.recorded_at = by, timezone.now()

    def _refuse_recorder(self, by) -> None:
        if self.recorded_by_id == by.pk:
            raise RuleBroken(
                "You recorded this discussion as held, so another manager must review it"
            )

    @transition(field=state, source=DiscussionState.HELD, target=DiscussionState.SIGNED_OFF)
    def sign_off(self, *, by, comment: str = "") -> None:
        self._refuse_recorder(by)
        self.reviewed_by, self.reviewed_at, self.review_comment = by, timezone.now(), comment

    @transition(field=state, source=DiscussionState.HELD, target=DiscussionState.CONVENED)
    def return_for_changes(self, *, by, comment: str) -> None:
        self._refuse_recorder(by)
        self.reviewed_by, self.reviewed_at, self.review_comment = by, timezone.now(), comment

    @transition(field=state, source=DiscussionState.CONVENED, target=DiscussionState.CANCELLED)
    def cancel(self, *, by, reason: str) -> None:
        if not reason.strip():
            raise RuleBroken("Give the reason the discussion is cancelled")
        self.cancelled_by, self.cancelled_at, self.cancel_reason = by, timezone.now(), reason


class DiscussionOutcome(models.TextChoices):
    """DESIGN.md: the outcome for each child of a strategy discussion."""

    SECTION_47_SINGLE = "s47_single", "Section 47 enquiry, single agency"
    SECTION_47_JOINT = "s47_joint", "Section 47 enquiry, joint with the police"
    POLICE_ONLY = "police_only", "Police-only investigation"
    ASSESSMENT = "s17", "Section 17 assessment"
    RECONVENE = "reconvene", "Reconvene the discussion"
    NO_FURTHER_ACTION = "nfa", "No further action"


SECTION_47_OUTCOMES = (DiscussionOutcome.SECTION_47_SINGLE, DiscussionOutcome.SECTION_47_JOINT)


class DiscussionChildQuerySet(models.QuerySet):
    def open(self):
        """Children of discussions not yet signed off or cancelled (a referral asks this of
        its own related rows, so the referral's model needs no import of this app)."""
        return self.filter(discussion__state__in=OPEN_DISCUSSION_STATES)


@register_audited
class DiscussionChild(models.Model):
    """A child the discussion is about, through the child's referral, with its own decision."""

    discussion = models.ForeignKey(
        StrategyDiscussion, on_delete=models.PROTECT, related_name="children"
    )
    child = models.ForeignKey(
        "referrals.Child", on_delete=models.PROTECT, related_name="discussions"
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="discussion_children"
    )
    outcome = models.CharField(max_length=12, choices=DiscussionOutcome.choices, blank=True)
    rationale = EncryptedTextField(blank=True)

    objects = DiscussionChildQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "child"], name="child_once_per_discussion"
            )
        ]

    def __str__(self) -> str:
        return f"Strategy discussion SD-{self.discussion_id:06d} child {self.child_id}"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)


class Attendance(models.TextChoices):
    INVITED = "invited", "Invited (not yet recorded)"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


class ContributionAudience(models.TextChoices):
    """Who sees an agency's contribution besides the local authority (DESIGN.md)."""

    INVITED = "invited", "Everyone invited to the discussion"
    LOCAL_AUTHORITY = "la", "The local authority only"


ABSENT = (Attendance.INVITED, Attendance.APOLOGIES, Attendance.DID_NOT_ATTEND)


@register_audited
class Participant(models.Model):
    """An agency invited to a discussion: who attended for it, or why nobody did, and what it
    shared (attributed to the agency)."""

    discussion = models.ForeignKey(
        StrategyDiscussion, on_delete=models.PROTECT, related_name="participants"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    attendance = models.CharField(
        max_length=16, choices=Attendance.choices, default=Attendance.INVITED
    )
    attendees = models.CharField(max_length=300, blank=True, help_text="Names and roles")
    absence_reason = EncryptedTextField(blank=True)
    contribution = EncryptedTextField(blank=True, help_text="What the agency shared")
    audience = models.CharField(
        max_length=10, choices=ContributionAudience.choices, default=ContributionAudience.INVITED,
        help_text="Who sees the contribution besides the local authority",
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Who recorded the attendance and contribution",
    )  # fmt: skip
    recorded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "agency"], name="agency_once_per_discussion"
            )
        ]

    def __str__(self) -> str:
        return f"Participant SP-{self.pk:06d}" if self.pk else "Participant (new)"


@register_audited
class Action(models.Model):
    """An action the discussion set: what, who owns it, for which agency, by when."""

    discussion = models.ForeignKey(
        StrategyDiscussion, on_delete=models.PROTECT, related_name="actions"
    )
    description = EncryptedTextField()
    owner = models.CharField(max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    due = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return f"Action SA-{self.pk:06d}" if self.pk else "Action (new)"


@register_audited
class DiscussionRecordVersion(models.Model):
    """One saved version of a discussion's record: every save adds one and none is
    overwritten, so the history shows who changed what and when (issue 19). `content` is the
    record as saved (its text, the agencies' part, each child's decision), sealed as JSON;
    `changed` names the parts that changed from the version before (names only, no text)."""

    discussion = models.ForeignKey(
        StrategyDiscussion, on_delete=models.PROTECT, related_name="record_versions"
    )
    number = models.PositiveIntegerField()
    content = EncryptedTextField()
    changed = models.TextField(blank=True)
    # Empty only on a first version made from text saved before versions were kept.
    saved_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["discussion", "number"], name="record_version_once")
        ]

    def __str__(self) -> str:
        return f"Record version {self.number} of SD-{self.discussion_id:06d}"


# The parts of the record a version keeps (DOMAIN.md "The record"), with the names its
# history gives them.
RECORD_PARTS = {
    "held_at": "When it was held",
    "other_children": "Other children affected",
    "history_reviewed": "History reviewed",
    "history_note": "History",
    "childs_views": "The child's views",
    "risk_analysis": "Risk analysis",
    "police_plan": "Police plan",
    "safety_plan": "Safety plan",
    "legal_action": "Legal action",
    "family_told": "Family told",
    "family_note": "What the family is told",
}


def record_content(discussion, participants, children) -> dict:
    """The record as it stands, for a version: the discussion's parts, each agency's part and
    each child's decision (plain values only; also used by the migration that made the first
    versions, so it reads fields, never methods)."""
    parts: dict = {}
    for name in RECORD_PARTS:
        value = getattr(discussion, name)
        parts[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return {
        "parts": parts,
        "agencies": {
            str(p.pk): {
                "agency": p.agency.name, "attendance": p.attendance, "attendees": p.attendees,
                "absence_reason": p.absence_reason, "contribution": p.contribution,
            }
            for p in participants
        },
        "children": {
            str(c.pk): {"outcome": c.outcome, "rationale": c.rationale} for c in children
        },
    }  # fmt: skip


def record_changes(before: dict | None, after: dict) -> str:
    """What changed from one version to the next, named (never quoted): "" for the first."""
    if before is None:
        return ""
    changed = [
        label
        for name, label in RECORD_PARTS.items()
        if before["parts"].get(name) != after["parts"].get(name)
    ]
    for key, part in after["agencies"].items():
        if before["agencies"].get(key) != part:
            changed.append(f"{part['agency']}'s part")
    if before["children"] != after["children"]:
        changed.append("The children's decisions")
    return ", ".join(changed) or "Nothing (saved again unchanged)"
