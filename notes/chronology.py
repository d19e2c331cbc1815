"""A child's chronology (issue 20; DOMAIN.md "What inspectors found", 4 and 7): every event
the records hold about the child, plus the manual entries dated when they happened, in the
order the events happened, in a fixed number of queries however long it is.

Below the notes app's selectors and services (it reads, it never writes): the chronology page,
its PDF and the strategy discussion's reviewed snapshot and shared entries are all built from
`chronologies`. Brothers and sisters and the children of linked adults can be read beside the
child (`casework.safety.related_children`); a restricted one closed to the user is only
"Restricted record" and its reference, none of its events loaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache

from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from accounts.sharing import SharingDecision, SharingRecord
from casework import access, safety
from casework.references import child_id_from_reference, child_reference
from notes.models import ChronologyEntry, Note
from referrals.models import (
    Allocation,
    Assessment,
    Child,
    InformationRequest,
    LadoReferral,
    PartnerReferral,
    Referral,
    ReferralDecision,
    Restriction,
)
from referrals.models.contacts import ContactChild, ContactDecision
from strategy.models import (
    ChildProtectionPlan,
    DiscussionChild,
    EnquiryOutcomeDecision,
    InitialConference,
    Participant,
    PlanReview,
    Section47,
)


class Kind(models.TextChoices):
    """The kinds of event the chronology filters by."""

    CONTACT = "contact", "Contacts"
    DECISION = "decision", "Decisions and sign-offs"
    VOICE = "voice", "The child's voice"
    REFERRAL = "referral", "Referrals"
    ASSESSMENT = "assessment", "Assessments"
    DISCUSSION = "discussion", "Strategy discussions"
    SECTION47 = "section47", "Section 47 enquiries"
    CONFERENCE = "conference", "Conferences"
    PLAN = "plan", "Plans and reviews"
    LADO = "lado", "LADO referrals"
    INFORMATION = "information", "Information requests"
    SHARING = "sharing", "Sharing"
    PARTNER_REFERRAL = "partner_referral", "Partner referrals"
    ALLOCATION = "allocation", "Allocations"
    RESTRICTION = "restriction", "Restrictions"
    ENTRY = "entry", "Manual entries and significant notes"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class Event:
    """One line of the chronology. `when` is the event's own moment (a date for events the
    records date by day); `key` names the record it comes from ("contact:12"), stable across
    readings, so that an entry can be picked and shared."""

    when: datetime | date
    kind: str
    what: str
    child_id: int
    key: str
    detail: str = ""
    source: str = ""
    significant: bool = False
    link: str = ""
    entry: ChronologyEntry | None = None  # a manual entry (its versions, its correction)
    corrected: bool = False  # a manual entry a later version corrects
    correct_link: str = ""  # a manual entry's correction page
    child_name: str = ""  # a brother's or sister's name, on their events read beside the child

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, datetime)

    @property
    def day(self) -> date:
        return timezone.localdate(self.when) if isinstance(self.when, datetime) else self.when

    @property
    def moment(self) -> datetime:
        """Where the event sorts: its time, or the start of its day (Europe/London)."""
        if isinstance(self.when, datetime):
            return self.when
        return timezone.make_aware(datetime.combine(self.when, time.min))

    @property
    def when_text(self) -> str:
        """The moment as the pages show it (6 Dec 2026 14:05; 6 Dec 2026 for an event dated by
        day), in Europe/London: Django's "j M Y H:i" without its per-call cost."""
        if isinstance(self.when, datetime):
            local = timezone.localtime(self.when)
            return f"{local.day} {_MONTHS[local.month - 1]} {local.year} {local:%H:%M}"
        return self.day_text

    @property
    def day_text(self) -> str:
        day = self.day
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    def as_snapshot(self) -> dict[str, str | bool]:
        """The event as kept in a discussion's reviewed chronology (sealed JSON)."""
        return {
            "when": self.when.isoformat(), "kind": self.kind, "what": self.what,
            "detail": self.detail, "source": self.source, "significant": self.significant,
            "child": child_reference(self.child_id), "key": self.key,
        }  # fmt: skip


@dataclass
class RelatedRow:
    """A brother or sister, or a linked adult's child, read beside the child."""

    child: Child
    sibling: bool
    restricted: bool


@dataclass
class Filters:
    """What the page's GET filters ask (no personal data in them)."""

    kinds: frozenset[str] = frozenset()
    since: date | None = None
    until: date | None = None
    significant_only: bool = False

    def keeps(self, event: Event) -> bool:
        if self.kinds and event.kind not in self.kinds:
            return False
        if self.significant_only and not event.significant:
            return False
        if self.since and event.day < self.since:
            return False
        return not (self.until and event.day > self.until)


@dataclass
class Chronology:
    child: Child
    events: list[Event]
    related: list[RelatedRow] = field(default_factory=list)
    total: int = 0  # before the filters

    @property
    def restricted_related(self) -> list[RelatedRow]:
        return [row for row in self.related if row.restricted]


@cache
def _labels(model: type[models.Model], field: str) -> dict[str, str]:
    choices = model._meta.get_field(field)
    if not isinstance(choices, models.Field):
        raise TypeError(f"{field} is a relation, not a field with choices")
    return {str(value): str(label) for value, label in choices.flatchoices}


def _display(row: models.Model, field: str) -> str:
    """A choice's label, as `get_FOO_display()` gives it, from a dictionary made once per
    field (Django's own builds one per call: hundreds of events made that a large cost)."""
    value = getattr(row, field)
    return _labels(type(row), field).get(str(value), str(value)) if value is not None else ""


# Stand-in ids a page's address is reversed with once, then filled in (`_Collector.link`).
_STAND_INS = (900000001, 900000002)


class _Collector:
    """Events for several children, each event added only with a moment (a missing optional
    timestamp, as on a bulk-seeded record, leaves its event out rather than failing)."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._addresses: dict[str, str] = {}

    def link(self, name: str, *ids: int) -> str:
        """The address of a record's page. Each page's address is reversed once, with stand-in
        ids, and filled in for every record: reversing it for each of hundreds of events was
        a long chronology's largest cost."""
        address = self._addresses.get(name)
        if address is None:
            address = reverse(name, args=_STAND_INS[: len(ids)])
            address = address.replace("{", "{{").replace("}", "}}")
            for position, stand_in in enumerate(_STAND_INS[: len(ids)]):
                address = address.replace(str(stand_in), f"{{{position}}}")
            self._addresses[name] = address
        return address.format(*ids)

    def add(self, when: datetime | date | None, kind: str, what: str, child_id: int, key: str,
            **more) -> None:  # fmt: skip
        if when is None:
            return
        self.events.append(Event(when=when, kind=kind, what=what, child_id=child_id, key=key,
                                 **more))  # fmt: skip


def _contacts(ids: list[int], out: _Collector) -> None:
    rows = (
        ContactChild.objects.filter(child_id__in=ids)
        .select_related("contact")
        .only(
            "child_id", "contact_id", "closed_at", "state",
            "contact__received_at", "contact__source", "contact__concern", "contact__urgent",
        )
    )  # fmt: skip
    for cc in rows:
        link = out.link("referrals:decision", cc.contact_id, cc.pk)
        contact = cc.contact
        out.add(contact.received_at, Kind.CONTACT,
                "Contact received" + (" (urgent)" if contact.urgent else ""), cc.child_id,
                f"contact:{cc.pk}", detail=contact.concern,
                source=_display(contact, "source"), link=link)  # fmt: skip
        out.add(cc.closed_at, Kind.CONTACT, "Contact closed", cc.child_id,
                f"contact-closed:{cc.pk}", link=link)  # fmt: skip
    decisions = (
        ContactDecision.objects.filter(contact_child__child_id__in=ids)
        .select_related("level_of_need", "contact_child")
        .only(
            "outcome", "state", "proposed_at", "reviewed_at", "childs_voice",
            "level_of_need__name", "contact_child__child_id", "contact_child__contact_id",
            "contact_child__state",
        )
    )  # fmt: skip
    for decision in decisions:
        cc = decision.contact_child
        link = out.link("referrals:decision", cc.contact_id, cc.pk)
        outcome = f"{_display(decision, 'outcome')} ({decision.level_of_need.name})"
        out.add(decision.proposed_at, Kind.DECISION, "Contact decision proposed", cc.child_id,
                f"decision:{decision.pk}", detail=outcome, link=link)  # fmt: skip
        if decision.childs_voice:
            out.add(decision.proposed_at, Kind.VOICE, "The child's voice", cc.child_id,
                    f"voice:{decision.pk}", detail=decision.childs_voice, link=link)  # fmt: skip
        if decision.reviewed_at:
            out.add(decision.reviewed_at, Kind.DECISION,
                    f"Contact decision {_display(decision, 'state').lower()}", cc.child_id,
                    f"decision-reviewed:{decision.pk}", detail=outcome, link=link,
                    significant=decision.state == "signed_off")  # fmt: skip


def _referrals(ids: list[int], out: _Collector) -> None:
    for referral in Referral.objects.filter(child_id__in=ids).only(
        "child_id",
        "referral_date",
        "closure_date",
        "closure_reason",
        "urgent",
        "source",
        "state",  # a workflow model's state always: the concurrency mixin reads it on load
    ):
        link = out.link("referrals:referral", referral.pk)
        out.add(referral.referral_date, Kind.REFERRAL, "Referral", referral.child_id,
                f"referral:{referral.pk}", source=_display(referral, 'source'),
                detail="Urgent" if referral.urgent else "", significant=True,
                link=link)  # fmt: skip
        out.add(referral.closure_date, Kind.REFERRAL, "Referral closed", referral.child_id,
                f"referral-closed:{referral.pk}",
                detail=_display(referral, "closure_reason"), link=link)  # fmt: skip
    for decision in (
        ReferralDecision.objects.filter(referral__child_id__in=ids)
        .select_related("referral")
        .only(
            "next_steps",
            "state",
            "proposed_at",
            "reviewed_at",
            "referral__child_id",
            "referral__state",
        )
    ):
        child_id = decision.referral.child_id
        link = out.link("referrals:referral", decision.referral_id)
        out.add(decision.proposed_at, Kind.DECISION, "Next steps proposed", child_id,
                f"next-steps:{decision.pk}", detail=_display(decision, 'next_steps'),
                link=link)  # fmt: skip
        out.add(decision.reviewed_at, Kind.DECISION,
                f"Next steps {_display(decision, 'state').lower()}", child_id,
                f"next-steps-reviewed:{decision.pk}", detail=_display(decision, 'next_steps'),
                link=link, significant=decision.state == "signed_off")  # fmt: skip
    for assessment in Assessment.objects.filter(child_id__in=ids).only(
        "child_id", "start_date", "authorisation_date", "due", "factors", "state"
    ):
        link = out.link("referrals:assessment", assessment.pk)
        out.add(assessment.start_date, Kind.ASSESSMENT, "Assessment started",
                assessment.child_id, f"assessment:{assessment.pk}",
                detail=f"Due {assessment.due:%-d %B %Y}", link=link)  # fmt: skip
        factors = ", ".join(str(code) for code in assessment.factors or [])
        out.add(assessment.authorisation_date, Kind.ASSESSMENT, "Assessment authorised",
                assessment.child_id, f"assessment-authorised:{assessment.pk}",
                detail=f"Factors: {factors}" if factors else "No factors recorded",
                significant=True, link=link)  # fmt: skip


def _discussions(ids: list[int], out: _Collector) -> None:
    rows = (
        DiscussionChild.objects.filter(child_id__in=ids)
        .select_related("discussion")
        .prefetch_related(
            Prefetch(
                "discussion__participants",
                queryset=Participant.objects.select_related("agency").only(
                    "discussion_id", "attendance", "agency__name"
                ),
            )
        )
        .only(
            "child_id", "outcome", "discussion__convened_at", "discussion__held_at",
            "discussion__state", "discussion__reviewed_at", "discussion__cancelled_at",
            "discussion__scheduled_for",
        )
    )  # fmt: skip
    for row in rows:
        discussion = row.discussion
        link = out.link("strategy:discussion", discussion.pk)
        key = f"discussion:{discussion.pk}"
        out.add(discussion.convened_at, Kind.DISCUSSION, "Strategy discussion convened",
                row.child_id, f"{key}:convened", link=link,
                detail=f"For {timezone.localtime(discussion.scheduled_for):%-d %B %Y %H:%M}"
                if discussion.scheduled_for else "")  # fmt: skip
        if discussion.state != "convened":
            attendance = "; ".join(
                f"{p.agency.name}: {_display(p, 'attendance').lower()}"
                for p in discussion.participants.all()
            )
            outcome = _display(row, "outcome") if row.outcome else "No decision recorded"
            out.add(discussion.held_at, Kind.DISCUSSION, "Strategy discussion held",
                    row.child_id, f"{key}:held", link=link, significant=True,
                    detail=f"Decision: {outcome}. Attendance: {attendance}"
                    if attendance else f"Decision: {outcome}")  # fmt: skip
        if discussion.state == "signed_off":
            out.add(discussion.reviewed_at, Kind.DISCUSSION, "Strategy discussion signed off",
                    row.child_id, f"{key}:signed-off", link=link,
                    detail=_display(row, "outcome"))  # fmt: skip
        out.add(discussion.cancelled_at, Kind.DISCUSSION, "Strategy discussion cancelled",
                row.child_id, f"{key}:cancelled", link=link)  # fmt: skip


def _enquiries(ids: list[int], out: _Collector) -> None:
    for s47 in Section47.objects.filter(child_id__in=ids).only(
        "child_id", "start_date", "joint", "closed_at", "conference_due", "state"
    ):
        link = out.link("strategy:section47", s47.pk)
        out.add(s47.start_date, Kind.SECTION47, "Section 47 enquiry started", s47.child_id,
                f"section47:{s47.pk}", significant=True, link=link,
                detail="Joint with the police" if s47.joint else "Single agency")  # fmt: skip
        out.add(s47.closed_at, Kind.SECTION47, "Section 47 enquiry closed", s47.child_id,
                f"section47-closed:{s47.pk}", link=link)  # fmt: skip
    outcomes = (
        EnquiryOutcomeDecision.objects.filter(section47__child_id__in=ids)
        .select_related("section47")
        .only(
            "outcome",
            "state",
            "proposed_at",
            "reviewed_at",
            "section47__child_id",
            "section47__state",
        )
    )
    for outcome in outcomes:
        child_id = outcome.section47.child_id
        link = out.link("strategy:section47", outcome.section47_id)
        out.add(outcome.proposed_at, Kind.SECTION47, "Section 47 outcome proposed", child_id,
                f"s47-outcome:{outcome.pk}", detail=_display(outcome, 'outcome'),
                link=link)  # fmt: skip
        out.add(outcome.reviewed_at, Kind.SECTION47,
                f"Section 47 outcome {_display(outcome, 'state').lower()}", child_id,
                f"s47-outcome-reviewed:{outcome.pk}", detail=_display(outcome, 'outcome'),
                link=link, significant=outcome.state == "signed_off")  # fmt: skip
    for conference in InitialConference.objects.filter(child_id__in=ids).only(
        "child_id", "held_on", "plan", "category", "section47_id"
    ):
        out.add(conference.held_on, Kind.CONFERENCE, "Initial child protection conference",
                conference.child_id, f"conference:{conference.pk}", significant=True,
                detail=f"Plan: {_display(conference, 'category')}" if conference.plan
                else "No plan",
                link=out.link("strategy:section47", conference.section47_id))  # fmt: skip
    plans = (
        ChildProtectionPlan.objects.filter(child_id__in=ids)
        .only("child_id", "start_date", "end_date", "initial_category", "state")
        .prefetch_related(
            Prefetch("reviews", queryset=PlanReview.objects.only("plan_id", "reviewed_on",
                                                                  "category"))
        )
    )  # fmt: skip
    for plan in plans:
        link = out.link("strategy:plan", plan.pk)
        out.add(plan.start_date, Kind.PLAN, "Child protection plan started", plan.child_id,
                f"plan:{plan.pk}", detail=_display(plan, 'initial_category'),
                significant=True, link=link)  # fmt: skip
        for review in plan.reviews.all():
            out.add(review.reviewed_on, Kind.PLAN, "Child protection plan reviewed",
                    plan.child_id, f"plan-review:{review.pk}",
                    detail=_display(review, "category"), link=link)  # fmt: skip
        out.add(plan.end_date, Kind.PLAN, "Child protection plan ended", plan.child_id,
                f"plan-ended:{plan.pk}", significant=True, link=link)  # fmt: skip


def _partners(ids: list[int], out: _Collector) -> None:
    for lado in (
        LadoReferral.objects.filter(child_id__in=ids)
        .select_related("agency")
        .only("child_id", "created_at", "due", "outcome", "outcome_at", "agency__name", "state")
    ):
        out.add(lado.created_at, Kind.LADO, "LADO referral", lado.child_id, f"lado:{lado.pk}",
                detail=f"Sent to {lado.agency.name}" if lado.agency_id else "",
                significant=True)  # fmt: skip
        out.add(lado.outcome_at, Kind.LADO, "LADO outcome", lado.child_id,
                f"lado-outcome:{lado.pk}", detail=_display(lado, 'outcome'))  # fmt: skip
    for request in (
        InformationRequest.objects.filter(child_id__in=ids)
        .select_related("agency")
        .only("child_id", "asked_at", "answered_at", "answer", "priority", "agency__name", "state")
    ):
        out.add(request.asked_at, Kind.INFORMATION, "Information requested", request.child_id,
                f"information:{request.pk}", source=getattr(request.agency, "name", ""),
                detail=f"Priority: {_display(request, 'priority')}")  # fmt: skip
        out.add(request.answered_at, Kind.INFORMATION, "Information request answered",
                request.child_id, f"information-answered:{request.pk}",
                source=getattr(request.agency, "name", ""), detail=request.answer)  # fmt: skip
    for referral in (
        PartnerReferral.objects.filter(contact__children__child_id__in=ids)
        .select_related("agency")
        .only(
            "submitted_at",
            "recorded_at",
            "immediate_risk",
            "agency__name",
            "contact_id",
            "state",
        )
        .annotate(child_id=models.F("contact__children__child_id"))
    ):
        child_id = getattr(referral, "child_id")  # noqa: B009  # an annotation mypy cannot see
        out.add(referral.submitted_at, Kind.PARTNER_REFERRAL, "Partner referral made", child_id,
                f"partner-referral:{referral.pk}", source=referral.agency.name,
                detail="A child at risk of immediate harm" if referral.immediate_risk else "",
                significant=referral.immediate_risk)  # fmt: skip
    refs = {child_reference(pk): pk for pk in ids}
    for record in SharingRecord.objects.filter(child_ref__in=list(refs)).select_related(
        "agency"
    ).only("child_ref", "at", "decision", "what", "agency__name", "ended_at"):  # fmt: skip
        child_id = refs.get(record.child_ref) or child_id_from_reference(record.child_ref)
        if child_id is None:
            continue
        whom = record.agency.name if record.agency is not None else "a named person"
        what = {
            SharingDecision.SHARED: f"Shared with {whom}",
            SharingDecision.NOT_SHARED: f"Decided not to share with {whom}",
            SharingDecision.REVOKED: f"Sharing with {whom} ended",
        }[SharingDecision(record.decision)]
        out.add(record.at, Kind.SHARING, what, child_id, f"sharing:{record.pk}",
                detail=record.what)  # fmt: skip


def _work(ids: list[int], out: _Collector) -> None:
    for allocation in Allocation.objects.filter(child_id__in=ids).select_related(
        "worker", "team"
    ).only("child_id", "started_at", "ended_at", "worker__first_name", "worker__last_name",
           "worker__username", "team__name"):  # fmt: skip
        worker = allocation.worker.get_full_name() or allocation.worker.username
        out.add(allocation.started_at, Kind.ALLOCATION, "Allocated", allocation.child_id,
                f"allocation:{allocation.pk}",
                detail=f"{worker}, {allocation.team.name}")  # fmt: skip
        out.add(allocation.ended_at, Kind.ALLOCATION, "Allocation ended", allocation.child_id,
                f"allocation-ended:{allocation.pk}", detail=worker)  # fmt: skip
    for restriction in Restriction.objects.filter(child_id__in=ids).only(
        "child_id", "restricted_at", "lifted_at"
    ):
        out.add(restriction.restricted_at, Kind.RESTRICTION, "Record restricted",
                restriction.child_id, f"restriction:{restriction.pk}")  # fmt: skip
        out.add(restriction.lifted_at, Kind.RESTRICTION, "Restriction lifted",
                restriction.child_id, f"restriction-lifted:{restriction.pk}")  # fmt: skip


def _entries(ids: list[int], out: _Collector) -> None:
    entries = list(
        ChronologyEntry.objects.filter(child_id__in=ids).only(
            "child_id", "happened_on", "source", "significant", "supersedes_id", "text"
        )
    )
    corrected = {entry.supersedes_id for entry in entries if entry.supersedes_id}
    for entry in entries:
        if entry.pk in corrected:
            continue  # the latest version stands in the chronology; its page shows the rest
        out.add(entry.happened_on, Kind.ENTRY, "Entry" if entry.supersedes_id is None
                else "Entry (corrected)", entry.child_id, f"entry:{entry.pk}",
                detail=entry.text, source=_display(entry, "source"),
                significant=entry.significant, entry=entry,
                correct_link=out.link("notes:entry-correct", entry.child_id, entry.pk))  # fmt: skip
    superseded = Note.objects.filter(child_id__in=ids, supersedes__isnull=False).values(
        "supersedes_id"
    )
    for note in (
        Note.objects.filter(child_id__in=ids, significant=True)
        .exclude(pk__in=superseded)
        .only("child_id", "created_at", "text")
    ):
        out.add(note.created_at, Kind.ENTRY, "Significant note", note.child_id,
                f"note:{note.pk}", detail=note.text, significant=True)  # fmt: skip


def chronology_events(child_ids: Iterable[int]) -> list[Event]:
    """Every event of the children, in the order they happened (oldest first); the same
    queries whatever their number: one or two per kind of record."""
    ids = sorted(set(child_ids))
    out = _Collector()
    if ids:
        for part in (_contacts, _referrals, _discussions, _enquiries, _partners, _work,
                     _entries):  # fmt: skip
            part(ids, out)
    kinds = list(Kind.values)
    out.events.sort(key=lambda e: (e.moment, kinds.index(e.kind), e.key))
    return out.events


def related_rows(child: Child, *, user) -> list[RelatedRow]:
    """The child's brothers and sisters and linked adults' children, each marked restricted
    when its record is closed to the user (two queries)."""
    siblings, linked = safety.related_children(child.pk)
    rows = (
        Child.objects.filter(pk__in=siblings | linked)
        .annotate(closed=access.closed_to(user, "pk"))
        .only("first_name", "last_name")
        .order_by("last_name", "first_name", "pk")
    )
    return [
        RelatedRow(child=row, sibling=row.pk in siblings,
                   restricted=bool(getattr(row, "closed")))  # noqa: B009  # an annotation
        for row in rows
    ]  # fmt: skip


def child_chronology(
    child: Child, *, user, filters: Filters | None = None, with_related: bool = False
) -> Chronology:
    """The child's chronology for the page and its PDF: the child's events, and with
    `with_related` those of brothers, sisters and linked adults' children whose records are
    open to the user (the others listed as "Restricted record" only); then the filters."""
    related = related_rows(child, user=user) if with_related else []
    ids = [child.pk, *(row.child.pk for row in related if not row.restricted)]
    events = chronology_events(ids)
    names = {row.child.pk: f"{row.child.first_name} {row.child.last_name}" for row in related}
    for event in events:
        if event.child_id != child.pk:
            event.child_name = names.get(event.child_id, "")
    filters = filters or Filters()
    return Chronology(
        child=child, events=[event for event in events if filters.keeps(event)],
        related=related, total=len(events),
    )  # fmt: skip


def snapshot(events: Iterable[Event]) -> str:
    """The events as a discussion keeps them (JSON, sealed by the field that holds it)."""
    return json.dumps([event.as_snapshot() for event in events])


def read_snapshot(text: str) -> list[dict]:
    """A kept snapshot back as a list of events (each a dict, `when` as ISO text)."""
    return json.loads(text) if text else []
