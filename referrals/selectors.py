"""Queries for the front door's pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Concat, ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone

from accounts.field_rules import is_uk_postcode, normalise_postcode
from casework import safety
from casework.access import closed_to
from casework.references import child_id_from_reference, child_reference
from referrals.identifiers import normalise_nhs_number
from referrals.matching import fold, phonetic, similarity
from referrals.models import (
    Allocation,
    Child,
    Household,
    InformationRequest,
    LadoReferral,
    Person,
    Relationship,
)
from referrals.models.contacts import FAMILY_TOLD_NEEDED, Contact, ContactChild, ContactChildState
from referrals.models.episodes import (
    OPEN_REFERRAL_STATES,
    Assessment,
    AssessmentState,
    Referral,
    ReferralDecision,
    ReferralState,
)
from referrals.timescales import local_date
from strategy.models import (
    ChildProtectionPlan,
    DiscussionChild,
    InitialConference,
    PlanReview,
    Section47,
)
from strategy.models.enquiries import OPEN_SECTION_47_STATES

CANDIDATE_LIMIT = 50


@dataclass
class Match:
    record: Child | Person
    score: float
    reasons: list[str] = field(default_factory=list)
    # A restricted child not open to the searcher: shown as "Restricted record" and its
    # reference only, and still chosen, so that nobody makes a second record.
    restricted: bool = False
    # What confirms identity (`with_identity`): parents or carers, open work, and for a child
    # the known adults and siblings offered to add to the contact, one choice each.
    parents: list[str] = field(default_factory=list)
    open_work: list[str] = field(default_factory=list)
    offered: list[Offer] = field(default_factory=list)


@dataclass
class Offer:
    """A known adult or sibling of a known child, offered to add to the contact: `value` is
    "person:<pk>" or "child:<pk>"; a restricted sibling is named by its reference only."""

    value: str
    label: str
    name: str  # as the contact's check page shows it ("Restricted record" for a restricted one)
    reference: str
    relationship: str = ""


def likely_matches(
    *,
    model: type[Child] | type[Person],
    first_name: str,
    last_name: str,
    date_of_birth: date | None = None,
    nhs_number: str = "",
    limit: int = 10,
    user=None,
) -> list[Match]:
    """Records that are probably the same child or adult, best first, in one query.

    The same NHS number; or the same date of birth with a surname that folds or sounds the
    same, or the same first name (surnames change); or, with no date of birth, the same
    folded first and last names. With `user`, a restricted child not open to them is marked
    (casework.access.closed_to), in the same query.
    """
    number = normalise_nhs_number(nhs_number)
    first_key, last_key, last_sound = fold(first_name), fold(last_name), phonetic(last_name)
    wanted = Q(pk__in=[])
    if number:
        wanted |= Q(nhs_number=number)
    if date_of_birth and (last_key or first_key):
        same_name = Q()
        if last_key:
            same_name |= Q(last_name_key=last_key) | Q(last_name_sound=last_sound)
        if first_key:
            same_name |= Q(first_name_key=first_key)
        wanted |= Q(date_of_birth=date_of_birth) & same_name
    elif first_key and last_key:
        wanted |= Q(first_name_key=first_key, last_name_key=last_key)
    candidates = model.objects.filter(wanted).order_by("-pk")
    if user is not None and model is Child:
        candidates = candidates.annotate(restricted=closed_to(user, "pk"))
    candidates = candidates[:CANDIDATE_LIMIT]
    matches = []
    for record in candidates:
        reasons = []
        if number and record.nhs_number == number:
            reasons.append("Same NHS number")
        if date_of_birth and record.date_of_birth == date_of_birth:
            reasons.append("Same date of birth")
        name_score = (
            similarity(first_name, record.first_name) + similarity(last_name, record.last_name)
        ) / 2
        if (fold(first_name), fold(last_name)) == (record.first_name_key, record.last_name_key):
            reasons.append("Same name")
        elif name_score >= 0.85:
            reasons.append("Similar name")
        score = 1.0 if "Same NHS number" in reasons else name_score * (1 if date_of_birth else 0.9)
        restricted = bool(getattr(record, "restricted", False))
        matches.append(Match(record, round(score, 3), [] if restricted else reasons, restricted))
    matches.sort(key=lambda match: match.score, reverse=True)
    return matches[:limit]


def with_identity(matches: list[Match], *, model, user) -> list[Match]:
    """What confirms each candidate's identity, in a fixed number of queries whatever the
    candidates: the parents or carers on record, open work (contacts, referrals, section 47
    enquiries, an allocated worker) and, for a child, their known adults and siblings
    (children sharing a household or a parent or carer) to offer. Restricted candidates get
    nothing (they show as "Restricted record" and the reference only)."""
    shown = {match.record.pk: match for match in matches if not match.restricted}
    if not shown:
        return matches
    if model is Person:
        for relationship in Relationship.objects.filter(person_id__in=shown).order_by("pk"):
            shown[relationship.person_id].parents.append(relationship.get_kind_display())
        for match in shown.values():
            kinds = sorted(set(match.parents))
            count = len(match.parents)
            children = "child" if count == 1 else "children"
            match.parents = [f"{', '.join(kinds)} of {count} known {children}"] if count else []
        return matches
    relationships = list(
        Relationship.objects.filter(child_id__in=shown).select_related("person").order_by("pk")
    )
    adult_ids = {r.person_id for r in relationships}
    for relationship in relationships:
        person = relationship.person
        kind = relationship.get_kind_display()
        match = shown[relationship.child_id]
        match.parents.append(f"{person.first_name} {person.last_name} ({kind.lower()})")
        name = f"{person.first_name} {person.last_name}"
        match.offered.append(
            Offer(f"person:{person.pk}", f"{name}, {kind.lower()} ({person})", name,
                  str(person).removeprefix("Person "), relationship.kind)
        )  # fmt: skip
    # Siblings: other children in a household of the candidate, or with one of their adults.
    members = Household.children.through.objects
    household_of: dict[int, set[int]] = {}
    for household_id, child_id in members.filter(child_id__in=shown).values_list(
        "household_id", "child_id"
    ):
        household_of.setdefault(household_id, set()).add(child_id)
    sibling_of: dict[int, set[int]] = {}
    for household_id, child_id in members.filter(household_id__in=household_of).values_list(
        "household_id", "child_id"
    ):
        for candidate in household_of[household_id]:
            if child_id != candidate:
                sibling_of.setdefault(candidate, set()).add(child_id)
    by_adult: dict[int, set[int]] = {}
    for relationship in relationships:
        by_adult.setdefault(relationship.person_id, set()).add(relationship.child_id)
    shared = Relationship.objects.filter(person_id__in=adult_ids).values_list(
        "person_id", "child_id"
    )
    for person_id, child_id in shared:
        for candidate in by_adult[person_id]:
            if child_id != candidate:
                sibling_of.setdefault(candidate, set()).add(child_id)
    sibling_ids = set().union(*sibling_of.values()) if sibling_of else set()
    siblings = {
        child.pk: child
        for child in Child.objects.filter(pk__in=sibling_ids).annotate(
            restricted=closed_to(user, "pk")
        )
    }
    for candidate, others in sibling_of.items():
        for pk in sorted(others):
            sibling = siblings[pk]
            name = (
                "Restricted record"
                if sibling.restricted
                else f"{sibling.first_name} {sibling.last_name}"
            )
            shown[candidate].offered.append(
                Offer(f"child:{pk}", f"{name}, sibling ({sibling.census_id})", name,
                      sibling.census_id)
            )  # fmt: skip
    # Open work.
    open_work = (
        (ContactChild.objects.filter(state__in=OPEN_STATES), "a contact being decided"),
        (Referral.objects.filter(state__in=OPEN_REFERRAL_STATES), "an open referral"),
        (Section47.objects.filter(state__in=OPEN_SECTION_47_STATES), "a section 47 enquiry"),
        (Allocation.objects.filter(ended_at__isnull=True), "an allocated worker"),
    )
    for queryset, words in open_work:
        for child_id in set(queryset.filter(child_id__in=shown).values_list("child_id", flat=True)):
            shown[child_id].open_work.append(words)
    return matches


class NextStep(models.TextChoices):
    """What is due next for a child of a contact (the queue's column and its stage filter)."""

    DECISION = "decision", "Decision"
    SIGN_OFF = "sign_off", "Sign-off"
    FEEDBACK = "feedback", "Feedback to the referrer"
    FAMILY_TOLD = "family_told", "Family told"
    CLOSE = "close", "Close"


@dataclass
class QueueRow:
    contact_child: ContactChild
    next_step: str
    next_step_label: str
    due: date
    overdue: bool
    due_today: bool
    worker: str


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters: kept in the session, never in the address (issue 19)."""

    stage: str = ""
    worker: int | None = None
    overdue: bool = False


QUEUE_PAGE_SIZE = 50
# The states of open work, listed (an index can serve "in", not "not closed").
OPEN_STATES = ["screening", "proposed", "signed_off"]


def _next_step() -> Case:
    """The next step of an open child, from its own state and the feedback recorded so far
    (DESIGN.md "The journey"): decided, signed off, the referrer and the family told, closed."""
    signed_off = Q(state=ContactChildState.SIGNED_OFF)
    return Case(
        When(state=ContactChildState.SCREENING, then=Value(NextStep.DECISION.value)),
        When(state=ContactChildState.PROPOSED, then=Value(NextStep.SIGN_OFF.value)),
        When(signed_off & Q(feedback_given__isnull=True), then=Value(NextStep.FEEDBACK.value)),
        When(
            signed_off
            & Q(current_decision__outcome__in=list(FAMILY_TOLD_NEEDED), family_told__isnull=True),
            then=Value(NextStep.FAMILY_TOLD.value),
        ),
        default=Value(NextStep.CLOSE.value),
        output_field=models.CharField(),
    )


def next_due() -> Case:
    """The decision and its sign-off are due by the contact's decision date; feedback, the
    family and closing by the feedback date set at sign-off (TIMESCALE_FEEDBACK_TO_REFERRER)."""
    return Case(
        When(state=ContactChildState.SIGNED_OFF, feedback_due__isnull=False,
             then=F("feedback_due")),
        default=F("decision_due"),  # the contact's, copied onto the row (issue 21)
        output_field=models.DateField(),
    )  # fmt: skip


def open_decisions(*, filters: QueueFilters = QueueFilters(), today: date | None = None):
    """Open work only (the state index), each child with its next step and when it is due,
    computed in the query; filtered by stage, allocated worker and overdue."""
    rows = (
        ContactChild.objects.filter(state__in=OPEN_STATES)
        .annotate(next_step=_next_step(), next_due=next_due())
        .order_by("pk")
    )
    if filters.stage:
        rows = rows.filter(next_step=filters.stage)
    if filters.worker is not None:
        rows = rows.filter(
            Exists(
                Allocation.objects.filter(
                    child=OuterRef("child"), ended_at__isnull=True, worker_id=filters.worker
                )
            )
        )
    if filters.overdue and today is not None:
        rows = rows.filter(next_due__lt=today)
    return rows


def queue_workers() -> list[tuple[int, str]]:
    """The workers with an open allocation, for the worker filter (one query)."""
    return [
        (pk, f"{first} {last}".strip() or username)
        for pk, first, last, username in Allocation.objects.filter(ended_at__isnull=True)
        .values_list("worker_id", "worker__first_name", "worker__last_name", "worker__username")
        .order_by("worker__first_name", "worker__last_name", "worker_id")
        .distinct()
    ]


def front_door_queue(
    *, today: date, user, filters: QueueFilters = QueueFilters(), offset: int = 0,
    limit: int = QUEUE_PAGE_SIZE,
) -> list[QueueRow]:  # fmt: skip
    """A page of open decisions, oldest contact first, each with its next step and due date
    (overdue and due today marked), in one query.

    Access is checked by the caller (casework.access); a restricted child not open to `user`
    is marked (`child_closed`) in the same query, for "Restricted record" and no name.
    """
    worker = Allocation.objects.filter(child=OuterRef("child"), ended_at__isnull=True).annotate(
        name=Concat("worker__first_name", models.Value(" "), "worker__last_name")
    )
    rows = (
        open_decisions(filters=filters, today=today)
        .select_related("contact", "child", "current_decision")
        .defer(
            "screening_notes", "feedback_note", "family_note",
            "contact__concern", "contact__referrer_name", "contact__referrer_agency",
            "contact__referrer_role", "contact__referrer_contact",
            "current_decision__rationale", "current_decision__review_comment",
        )
        .annotate(
            worker_name=Subquery(worker.values("name")[:1]), child_closed=closed_to(user, "child")
        )
        # The row's own copy of the received time, under the open rows' partial index
        # (contact_child_open_received): never a walk of every contact from the oldest.
        .order_by("received_at", "pk")
    )[offset : offset + limit]  # fmt: skip
    return [
        QueueRow(
            contact_child=row,
            next_step=row.next_step,
            next_step_label=NextStep(row.next_step).label,
            due=row.next_due,
            overdue=row.next_due < today,
            due_today=row.next_due == today,
            worker=row.worker_name or "",
        )
        for row in rows
    ]


# Referrals and assessments (referrals/views/episodes.py) ------------------------------------

REFERRAL_PAGE_SIZE = 50


@dataclass
class ReferralRow:
    referral: Referral
    overdue: bool
    due_today: bool
    assessment_due: date | None
    assessment_overdue: bool


def open_referrals():
    """Open referrals, for counting and paging (a page's rows come from `referral_list`)."""

    return Referral.objects.filter(state__in=OPEN_REFERRAL_STATES).order_by("next_steps_due", "pk")


def referral_list(
    *, today: date, user, offset: int = 0, limit: int = REFERRAL_PAGE_SIZE
) -> list[ReferralRow]:
    """A page of open referrals, next steps due oldest first, with the child and the open
    assessment's due date, in one query. Access is checked by the caller (casework.access);
    a restricted child not open to `user` is marked (`child_closed`) in the same query."""
    from django.db.models import OuterRef, Subquery

    open_assessment = Assessment.objects.filter(
        referral=OuterRef("pk"), state=AssessmentState.OPEN
    ).values("due")[:1]
    rows = (
        Referral.objects.filter(state__in=OPEN_REFERRAL_STATES)
        .select_related("child")
        .annotate(
            assessment_due=Subquery(open_assessment), child_closed=closed_to(user, "child")
        )
        .order_by("next_steps_due", "pk")
    )[offset : offset + limit]  # fmt: skip
    deciding = (ReferralState.OPEN, ReferralState.NEXT_STEPS_PROPOSED)
    return [
        ReferralRow(
            referral=row,
            overdue=row.state in deciding and row.next_steps_due < today,
            due_today=row.state in deciding and row.next_steps_due == today,
            assessment_due=row.assessment_due,
            assessment_overdue=row.assessment_due is not None and row.assessment_due < today,
        )
        for row in rows
    ]


def referral_for_page():
    """Referrals with the child and who closed them, and the contact's id for the link back
    (the contact's confidential text is not loaded)."""
    from django.db.models import F

    return Referral.objects.select_related("child", "closed_by").annotate(
        contact_pk=F("contact_child__contact_id")
    )


@dataclass
class ReferralEpisode:
    decisions: list
    assessments: list
    discussions: list
    section47s: list


def next_steps_history(referral) -> list:
    """Every next-steps proposal for a referral, oldest first, returned ones kept."""

    return list(
        ReferralDecision.objects.filter(referral=referral).select_related(
            "proposed_by", "reviewed_by"
        )
    )


def referral_episode(referral) -> ReferralEpisode:
    """A referral's next-steps proposals (returned ones kept), assessments, strategy
    discussions and section 47 enquiries: four queries however many there are."""

    assessments = (
        Assessment.objects.filter(referral=referral)
        .select_related("completed_by", "authorised_by")
        .defer("analysis", "authorisation_comment")
        .order_by("start_date", "pk")
    )
    discussions = (
        DiscussionChild.objects.filter(referral=referral)
        .select_related("discussion")
        .only(
            "outcome", "discussion", "discussion__state", "discussion__scheduled_for",
            "discussion__held_at", "discussion__format",
        )
        .order_by("discussion__scheduled_for", "pk")
    )  # fmt: skip
    section47s = (
        Section47.objects.filter(referral=referral)
        .select_related("current_outcome")
        .defer("current_outcome__rationale", "current_outcome__review_comment")
        .order_by("start_date", "pk")
    )
    return ReferralEpisode(
        decisions=next_steps_history(referral),
        assessments=list(assessments),
        discussions=list(discussions),
        section47s=list(section47s),
    )


def assessment_for_page():
    """Assessments with the child, the referral and the people who started, completed and
    authorised them."""

    return Assessment.objects.select_related(
        "child", "referral", "started_by", "completed_by", "authorised_by"
    )


# Households ------------------------------------------------------------------------------


@dataclass
class HouseholdRow:
    household: Household
    children: list
    adults: list  # (person, "mother, carer"): their relationship to the page's child


def child_households(child: Child, relationships: list, user=None) -> list[HouseholdRow]:
    """The households a child lives in with their members, in three queries however many
    there are; `relationships` (the child's, with their people) name each adult's. With
    `user`, a restricted child not open to them is marked (`closed`) in the same queries."""
    children = Child.objects.order_by("last_name", "first_name", "pk")
    if user is not None:
        children = children.annotate(closed=closed_to(user, "pk"))

    kinds: dict[int, list[str]] = {}
    for relationship in relationships:
        kinds.setdefault(relationship.person_id, []).append(relationship.get_kind_display())
    by_name = ("last_name", "first_name", "pk")
    households = child.households.order_by("pk").prefetch_related(
        Prefetch("children", queryset=children),
        Prefetch("people", queryset=Person.objects.order_by(*by_name)),
    )
    return [
        HouseholdRow(
            household=household,
            children=list(household.children.all()),
            adults=[
                (person, ", ".join(kinds.get(person.pk, [])).lower())
                for person in household.people.all()
            ],
        )
        for household in households
    ]


def children_in_contacts_with(child: Child, user=None) -> list[Child]:
    """The other children named in a contact with this child (brothers and sisters, as a
    rule), in one query; with `user`, a restricted child not open to them is marked
    (`closed`)."""

    children = Child.objects.all()
    if user is not None:
        children = children.annotate(closed=closed_to(user, "pk"))
    return list(
        children.filter(contacts__contact__children__child=child)
        .exclude(pk=child.pk)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


# An adult's page: the children they are related to, where they live, the contacts naming them


@dataclass
class AdultsChild:
    child: Child
    closed: bool  # restricted and not open to the user
    kinds: str  # "mother, carer"
    parental_responsibility: bool | None


@dataclass
class PersonPage:
    person: Person
    children: list[AdultsChild]
    households: list[Household]  # children (annotated `closed`) and people prefetched
    contacts: list[Contact]  # newest first, their children (annotated `closed`) prefetched


def person_page(person: Person, *, user) -> PersonPage:
    """What an adult's page shows, in five queries however much there is: each child they are
    related to once (every relationship named), the households they live in with the other
    members, and the contacts that named them; a restricted child not open to `user` marked
    `closed`, so that the page shows its reference only."""
    children = Child.objects.annotate(closed=closed_to(user, "pk")).order_by(
        "last_name", "first_name", "pk"
    )
    related: dict[int, AdultsChild] = {}
    for relationship in (
        Relationship.objects.filter(person=person)
        .select_related("child")
        .annotate(closed=closed_to(user, "child_id"))
        .order_by("child__date_of_birth", "child_id", "pk")
    ):
        kind = relationship.get_kind_display().lower()
        row = related.get(relationship.child_id)
        if row is None:
            related[relationship.child_id] = AdultsChild(
                relationship.child,
                relationship.closed,
                kind,
                relationship.has_parental_responsibility,
            )
        else:
            row.kinds = f"{row.kinds}, {kind}"
            # Parental responsibility recorded in any of the relationships holds.
            if relationship.has_parental_responsibility or row.parental_responsibility is None:
                row.parental_responsibility = relationship.has_parental_responsibility
    households = person.households.order_by("pk").prefetch_related(
        Prefetch("children", queryset=children),
        Prefetch("people", queryset=Person.objects.order_by("last_name", "first_name", "pk")),
    )
    contact_children = (
        ContactChild.objects.select_related("child")
        .annotate(closed=closed_to(user, "child_id"))
        .order_by("child__last_name", "child__first_name", "pk")
    )
    contacts = person.contacts.order_by("-received_at", "-pk").prefetch_related(
        Prefetch("children", queryset=contact_children)
    )
    return PersonPage(person, list(related.values()), list(households), list(contacts))


# History at the point of decision (issue 18) ------------------------------------------------


def with_re_referral(referrals: models.QuerySet) -> models.QuerySet:
    """Referrals annotated with `re_referral`: the child had an earlier referral whose date is
    within 12 months before this one's (the CIN census's definition, DOMAIN.md; 12 months
    exactly counts). Reports and Annex A reuse this; no query per row.

    "Within 12 months" compares dates as numbers, year * 10000 + month * 100 + day, with the
    earlier referral's year plus one: so 29 February reaches 28 February of the next year.
    """

    this = OuterRef("referral_date")
    earlier = within_twelve_months_before(
        Referral.objects.filter(child_id=OuterRef("child_id")).filter(
            Q(referral_date__lt=this) | Q(referral_date=this, pk__lt=OuterRef("pk"))
        ),
        "referral_date",
        this,
    )
    return referrals.annotate(re_referral=Exists(earlier))


def within_twelve_months_before(events: models.QuerySet, field: str, this) -> models.QuerySet:
    """`events` (already limited to earlier ones) whose `field` date lies within 12 months
    before `this` (an OuterRef or expression): `with_re_referral`'s test, for any event, so
    that Annex A's "in the last 12 months" counts the same way (DOMAIN.md)."""

    def as_number(value) -> models.Expression:
        return ExtractYear(value) * 10000 + ExtractMonth(value) * 100 + ExtractDay(value)

    return events.annotate(year_on=as_number(field) + 10000, this_day=as_number(this)).filter(
        year_on__gte=models.F("this_day")
    )


@dataclass
class RelatedChild:
    """A brother or sister, or a child of a linked adult, with open child-protection work;
    a restricted record not open to the user shows as "Restricted record" and its reference."""

    child: Child
    sibling: bool
    work: list[str]
    restricted: bool


@dataclass
class ChildHistory:
    contacts: list
    referrals: list
    assessments: list
    discussions: list
    section47s: list
    conferences: list
    plans: list
    lado_referrals: list
    answers: list
    related: list[RelatedChild]

    @property
    def siblings(self) -> list[RelatedChild]:
        return [row for row in self.related if row.sibling]

    @property
    def linked(self) -> list[RelatedChild]:
        return [row for row in self.related if not row.sibling]

    @property
    def is_empty(self) -> bool:
        return not any(
            (self.contacts, self.referrals, self.assessments, self.discussions,
             self.section47s, self.conferences, self.plans, self.lado_referrals, self.answers)
        )  # fmt: skip

    @property
    def open_plan(self):
        return next((plan for plan in self.plans if plan.is_open), None)

    @property
    def open_work(self) -> safety.OpenWork:
        """The child's own open child-protection work, from the rows already loaded."""
        return safety.OpenWork(
            section47=any(s47.is_open for s47 in self.section47s),
            plan=self.open_plan is not None,
            discussion=any(row.discussion.is_open for row in self.discussions),
        )


def within_twelve_months(earlier: date, later: date) -> bool:
    """`with_re_referral`'s test for two dates in Python (12 months exactly counts)."""

    def as_number(day: date) -> int:
        return day.year * 10000 + day.month * 100 + day.day

    return earlier <= later and as_number(earlier) + 10000 >= as_number(later)


@dataclass
class HistoryPanel:
    """What the history panel shows beside a decision: the concern as reported, the referrer
    and consent, and the child's history (`templates/referrals/includes/history_panel.html`,
    given as `panel`)."""

    contact: Contact | None  # None on a contact not yet recorded: the page shows the concern
    child: Child
    history: ChildHistory
    # A referral on this contact's date would be a re-referral (an earlier referral's date is
    # within 12 months before it).
    would_be_re_referral: bool


def referral_history_panel(referral: Referral, *, user) -> HistoryPanel:
    """The panel beside a referral's next steps: its contact's concern and the history."""
    contact_child = ContactChild.objects.select_related("contact", "child").get(
        pk=referral.contact_child_id
    )
    return history_panel(contact_child, user=user)


def open_plan_of(child_id: int) -> ChildProtectionPlan | None:
    """The child's open child protection plan, if any (at most one)."""
    return ChildProtectionPlan.objects.open().filter(child_id=child_id).defer("end_reason").first()


def history_panel(contact_child: ContactChild, *, user) -> HistoryPanel:
    """The panel for one child of a contact (its contact and child already loaded)."""
    return history_panels([contact_child], user=user)[contact_child.pk]


def history_panels(contact_children: list[ContactChild], *, user) -> dict[int, HistoryPanel]:
    """The panels for several children of one contact (the siblings' sign-off page), by
    contact child: `children_histories`' queries, whatever each child's history."""
    excluding = {contact_child.pk for contact_child in contact_children}
    histories = children_histories(
        [contact_child.child_id for contact_child in contact_children],
        user=user, excluding=excluding,
    )  # fmt: skip
    panels = {}
    for contact_child in contact_children:
        history = histories[contact_child.child_id]
        received = local_date(contact_child.contact.received_at)
        panels[contact_child.pk] = HistoryPanel(
            contact=contact_child.contact,
            child=contact_child.child,
            history=history,
            would_be_re_referral=any(
                within_twelve_months(referral.referral_date, received)
                for referral in history.referrals
                if referral.contact_child_id not in excluding
            ),
        )
    return panels


def new_contact_history_panels(child_ids: list[int], *, user) -> dict[int, HistoryPanel]:
    """The history panels of the known children on a contact not yet recorded ("Check your
    answers", issue 17): each child's history, without a concern (the page shows the one
    typed); a referral today would be a re-referral if one was made in the last 12 months.
    `children_histories`' queries whatever the histories; restricted children closed to the
    user are left out by the caller (the page shows them as "Restricted record")."""
    today = local_date(timezone.now())
    children = Child.objects.in_bulk(child_ids)
    histories = children_histories(list(children), user=user)
    return {
        child_id: HistoryPanel(
            contact=None,
            child=child,
            history=histories[child_id],
            would_be_re_referral=any(
                within_twelve_months(referral.referral_date, today)
                for referral in histories[child_id].referrals
            ),
        )
        for child_id, child in children.items()
    }


def child_history(child: Child, *, user, contact_child_id: int | None = None) -> ChildHistory:
    """Everything the front door knows of a child, for the history panel beside a decision:
    earlier contacts with outcome and date, referrals (re-referrals marked), assessments,
    strategy discussions, section 47 enquiries, conferences and plans, LADO referrals and
    partners' answers, open work marked; and the open child-protection work of brothers and
    sisters (a household, or a parent or carer, in common) and of linked adults' children.
    At most twelve queries however long the history; confidential text not shown is not loaded."""
    excluded = {contact_child_id} if contact_child_id is not None else set()
    return children_histories([child.pk], user=user, excluding=excluded)[child.pk]


def children_histories(
    child_ids: list[int],
    *,
    user,
    excluding: set[int] = frozenset(),  # type: ignore[assignment]  # read only
) -> dict[int, ChildHistory]:
    """`child_history` for several children at once (the siblings' sign-off page): the same
    queries with the children's ids, plus one per child for its brothers and sisters; never
    more for a longer history. `excluding`: the contact children of the page's own contact."""
    ids = list(child_ids)
    contacts = (
        ContactChild.objects.filter(child_id__in=ids)
        .exclude(pk__in=excluding)
        .select_related("contact", "current_decision__level_of_need")
        .defer(
            "screening_notes", "feedback_note", "family_note",
            "contact__concern", "contact__referrer_name", "contact__referrer_agency",
            "contact__referrer_role", "contact__referrer_contact",
            "current_decision__rationale", "current_decision__review_comment",
            "current_decision__childs_voice", "current_decision__safety_reason",
        )
        .order_by("-contact__received_at", "-pk")
    )  # fmt: skip
    referrals = with_re_referral(
        Referral.objects.filter(child_id__in=ids)
        .select_related("current_decision")
        .defer(
            "current_decision__rationale", "current_decision__review_comment",
            "current_decision__safety_reason",
        )
        .order_by("-referral_date", "-pk")
    )  # fmt: skip
    assessments = (
        Assessment.objects.filter(child_id__in=ids)
        .defer("analysis", "authorisation_comment")
        .order_by("-start_date", "-pk")
    )
    discussions = (
        DiscussionChild.objects.filter(child_id__in=ids)
        .select_related("discussion")
        .only(
            "outcome", "child_id", "referral_id", "discussion__state",
            "discussion__scheduled_for", "discussion__held_at", "discussion__format",
        )
        .order_by("-discussion__scheduled_for", "-pk")
    )  # fmt: skip
    section47s = (
        Section47.objects.filter(child_id__in=ids)
        .select_related("current_outcome")
        .defer("current_outcome__rationale", "current_outcome__review_comment")
        .order_by("-start_date", "-pk")
    )
    conferences = (
        InitialConference.objects.filter(child_id__in=ids)
        .defer("summary")
        .order_by("-held_on", "-pk")
    )
    plans = (
        ChildProtectionPlan.objects.filter(child_id__in=ids)
        .defer("end_reason")
        .annotate(review_count=Count("reviews"))
        .prefetch_related(
            Prefetch("reviews", queryset=PlanReview.objects.defer("note").order_by("reviewed_on"))
        )
        .order_by("-start_date", "-pk")
    )
    lado_referrals = (
        LadoReferral.objects.filter(child_id__in=ids)
        .defer("outcome_note")
        .order_by("-created_at", "-pk")
    )
    answers = (
        InformationRequest.objects.filter(child_id__in=ids, answered_at__isnull=False)
        .exclude(contact_child_id__in=excluding)
        .select_related("agency")
        .defer("question", "family_note")
        .order_by("-answered_at", "-pk")
    )
    relations = {child_id: safety.related_children(child_id) for child_id in ids}
    everyone = set().union(*(siblings | linked for siblings, linked in relations.values()))
    related = {
        row.pk: row
        for row in Child.objects.filter(pk__in=everyone)
        .annotate(closed=closed_to(user, "pk"), **safety.open_work_annotations())
        .filter(safety.any_open_work())
        .order_by("last_name", "first_name", "pk")
    }

    def grouped(rows) -> dict[int, list]:
        found: dict[int, list] = {child_id: [] for child_id in ids}
        for row in rows:
            found[row.child_id].append(row)
        return found

    by_kind = {
        name: grouped(rows)
        for name, rows in (
            ("contacts", contacts), ("referrals", referrals), ("assessments", assessments),
            ("discussions", discussions), ("section47s", section47s),
            ("conferences", conferences), ("plans", plans),
            ("lado_referrals", lado_referrals), ("answers", answers),
        )
    }  # fmt: skip
    histories = {}
    for child_id in ids:
        siblings, linked = relations[child_id]
        histories[child_id] = ChildHistory(
            **{name: rows[child_id] for name, rows in by_kind.items()},
            related=[
                RelatedChild(
                    child=row,
                    sibling=row.pk in siblings,
                    # Annotations (casework.safety, casework.access) django-stubs cannot see.
                    work=safety.OpenWork(
                        section47=getattr(row, "open_section47"),  # noqa: B009  # as above
                        plan=getattr(row, "open_plan"),  # noqa: B009  # as above
                        discussion=getattr(row, "open_discussion"),  # noqa: B009  # as above
                    ).labels(),
                    restricted=bool(getattr(row, "closed")),  # noqa: B009  # as above
                )
                for row in related.values()
                if row.pk in siblings or row.pk in linked
            ],
        )
    return histories


# Search (issue 20) -----------------------------------------------------------------------------
# The register of children and adults, searched by name (the matching keys: folded, and the
# surname's sound), date of birth, address or postcode, NHS number, UPN or reference. The terms
# are posted and never kept; what is found comes back in one query: each side (children,
# adults) picks its first rows by the indexes, and only those rows are annotated with what
# confirms identity (open work, the allocated worker, the restriction).

SEARCH_LIMIT = 50
_PERSON_REFERENCE = re.compile(r"P-?(\d{1,})")


@dataclass(frozen=True)
class SearchTerms:
    """What was asked for; empty fields are not asked."""

    name: str = ""
    date_of_birth: date | None = None
    address: str = ""
    nhs_number: str = ""
    upn: str = ""
    reference: str = ""

    def used(self) -> list[str]:
        """The names of the fields asked (what the audit trail keeps, never the terms)."""
        return [name for name, value in self.__dict__.items() if value]


@dataclass
class SearchRow:
    """One record found. A restricted child not open to the searcher has its reference only,
    and so has an adult related to one (the adult's page asks the reason first)."""

    kind: str  # "child" or "adult"
    pk: int
    reference: str
    restricted: bool = False
    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None
    address: str = ""
    postcode: str = ""
    open_work: list[str] = field(default_factory=list)
    worker: str = ""
    linked_children: int = 0


@dataclass
class SearchResults:
    children: list[SearchRow]
    adults: list[SearchRow]
    more: bool  # more records matched than are shown: the search should be narrowed

    @property
    def count(self) -> int:
        return len(self.children) + len(self.adults)


def _search_filter(terms: SearchTerms, *, kind: str) -> Q | None:
    """What every record found must match besides the name, as one filter on indexed columns
    (None: this kind of record cannot match, e.g. a UPN or a child's reference asked of
    adults)."""
    wanted = Q()
    if terms.date_of_birth:
        wanted &= Q(date_of_birth=terms.date_of_birth)
    if terms.address:
        # The record's own address, or a household it lives in.
        if is_uk_postcode(terms.address):
            place = Q(postcode=normalise_postcode(terms.address))
        else:
            place = Q(address__icontains=terms.address.strip())
        members = Household.children if kind == "child" else Household.people
        member = "child_id" if kind == "child" else "person_id"
        homes = members.through.objects.filter(
            household__in=Household.objects.filter(place)
        ).values(member)
        wanted &= place | Q(pk__in=homes)
    if terms.nhs_number:
        wanted &= Q(nhs_number=normalise_nhs_number(terms.nhs_number))
    if terms.upn:
        if kind != "child":
            return None
        wanted &= Q(upn=terms.upn.strip().upper())
    if terms.reference:
        reference = terms.reference.strip().upper()
        child_id = child_id_from_reference(reference)
        person = _PERSON_REFERENCE.fullmatch(reference)
        if kind == "child" and child_id is not None:
            wanted &= Q(pk=child_id)
        elif kind == "adult" and person:
            wanted &= Q(pk=int(person.group(1)))
        else:
            return None
    return wanted


def _name_words(terms: SearchTerms) -> list[str]:
    return [word for word in (fold(w) for w in terms.name.split()) if word]


# Each way a name can match, with the order of the index that serves it (models' Meta), so that
# the database reads the first rows of each in order and stops: the cost does not grow with the
# number of namesakes in the register.
_BY_NAME = ("last_name_key", "first_name_key", "id")
_BY_SOUND = ("last_name_sound", "last_name_key", "first_name_key", "id")
_BY_FIRST_NAME = ("first_name_key", "last_name_key", "id")
_BY_SOUND_AND_FIRST = ("last_name_sound", "first_name_key", "last_name_key", "id")


def _beginning(prefix: str) -> Q:
    """First names that begin with `prefix`, as a range of the folded key (letters a to z
    only, which every collation orders alphabetically), so the index is read only there."""
    head = prefix.rstrip("z")  # "az" runs up to "b"; "zz" to the end
    if not head:
        return Q(first_name_key__gte=prefix)
    return Q(first_name_key__gte=prefix, first_name_key__lt=head[:-1] + chr(ord(head[-1]) + 1))


def _name_routes(terms: SearchTerms) -> list[tuple[Q, tuple[str, ...]]]:
    """One word: the surname as typed (folded), a surname that sounds the same, or the same
    first name. More: the first and last words as first name and surname, as typed, or a
    surname that sounds the same with a first name that begins alike ("Lilly" finds "Lily")."""
    words = _name_words(terms)
    if not words:
        return [(Q(), _BY_NAME)]
    # The ways exclude each other (the same spelling sounds the same), so no record is found
    # twice.
    if len(words) == 1:
        (word,) = words
        sound = phonetic(word)
        return [
            (Q(last_name_key=word), _BY_NAME),
            (Q(last_name_sound=sound) & ~Q(last_name_key=word), _BY_SOUND),
            (Q(first_name_key=word) & ~Q(last_name_sound=sound), _BY_FIRST_NAME),
        ]
    first, last = words[0], words[-1]
    return [
        (Q(last_name_key=last, first_name_key=first), _BY_NAME),
        (
            Q(last_name_sound=phonetic(last))
            & _beginning(first[:2])
            & ~Q(last_name_key=last, first_name_key=first),
            _BY_SOUND_AND_FIRST,
        ),
    ]


def _first_found(model, wanted: Q, routes, limit: int) -> models.QuerySet:
    """The records found: of each way of matching, the first `limit` in its index's order."""
    found = [
        model.objects.filter(
            pk__in=model.objects.filter(wanted & route).order_by(*order).values("pk")[:limit]
        ).values("pk")
        for route, order in routes
    ]
    ids = found[0].union(*found[1:], all=True) if len(found) > 1 else found[0]
    return model.objects.filter(pk__in=ids)


def _name_rank(terms: SearchTerms) -> Case | Value:
    """0 for the name as typed (folded), 1 for one that only sounds alike."""
    words = _name_words(terms)
    if not words:
        return Value(0)
    exact = Q(last_name_key=words[-1])
    if len(words) > 1:
        exact &= Q(first_name_key=words[0])
    else:
        exact |= Q(first_name_key=words[0])
    return Case(When(exact, then=Value(0)), default=Value(1), output_field=models.IntegerField())


_SEARCH_ORDER = ("rank", "last_name_key", "first_name_key", "pk")
_SEARCH_COLUMNS = (
    "kind_order", "rank", "pk", "first_name", "last_name", "first_name_key", "last_name_key",
    "date_of_birth", "address", "postcode", "closed", "open_contact", "open_referral",
    "open_section47", "open_plan", "open_discussion", "worker", "linked_children",
    "home_address", "home_postcode",
)  # fmt: skip


def _home(through, member: str, column: str) -> Subquery:
    """The address or postcode of the record's newest household (its own may be blank)."""
    homes = through.objects.filter(**{member: OuterRef("pk")}).order_by("-household_id")
    return Subquery(homes.values(f"household__{column}")[:1], output_field=models.CharField())


def search_register(*, user, terms: SearchTerms, limit: int = SEARCH_LIMIT) -> SearchResults:
    """Children first, then adults, matching every term given, each with what confirms
    identity; a restricted child not open to `user` as its reference only (DESIGN.md
    "Information sharing and access"). One query, whatever the register's size."""
    rank = _name_rank(terms)
    routes = _name_routes(terms)
    branches: list[models.QuerySet] = []
    child_filter = _search_filter(terms, kind="child")
    if child_filter is not None:
        worker = Allocation.objects.filter(child=OuterRef("pk"), ended_at__isnull=True).values(
            name=Concat("worker__first_name", Value(" "), "worker__last_name",
                        output_field=models.CharField())
        )[:1]  # fmt: skip
        child = OuterRef("pk")
        branches.append(
            _first_found(Child, child_filter, routes, limit + 1)
            .annotate(
                kind_order=Value(0),
                rank=rank,
                closed=closed_to(user, "pk"),
                open_contact=Exists(
                    ContactChild.objects.filter(child_id=child, state__in=OPEN_STATES)
                ),
                open_referral=Exists(
                    Referral.objects.filter(child_id=child, state__in=OPEN_REFERRAL_STATES)
                ),
                **safety.open_work_annotations(),
                worker=Subquery(worker, output_field=models.CharField()),
                linked_children=Value(0),
                home_address=_home(Household.children.through, "child_id", "address"),
                home_postcode=_home(Household.children.through, "child_id", "postcode"),
            )
            .values_list(*_SEARCH_COLUMNS)
        )
    adult_filter = _search_filter(terms, kind="adult")
    if adult_filter is not None:
        linked = (
            Relationship.objects.filter(person_id=OuterRef("pk"))
            .order_by()
            .values("person_id")
            .annotate(count=Count("child_id", distinct=True))
            .values("count")
        )
        no = Value(False, output_field=models.BooleanField())
        their_closed_children = Relationship.objects.filter(person_id=OuterRef("pk")).filter(
            closed_to(user, "child_id")
        )
        branches.append(
            _first_found(Person, adult_filter, routes, limit + 1)
            .annotate(
                kind_order=Value(1),
                rank=rank,
                closed=Exists(their_closed_children),
                open_contact=no,
                open_referral=no,
                open_section47=no,
                open_plan=no,
                open_discussion=no,
                worker=Value("", output_field=models.CharField()),
                linked_children=Subquery(linked, output_field=models.IntegerField()),
                home_address=_home(Household.people.through, "person_id", "address"),
                home_postcode=_home(Household.people.through, "person_id", "postcode"),
            )
            .values_list(*_SEARCH_COLUMNS)
        )
    if not branches:
        return SearchResults([], [], more=False)
    query = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
    rows = list(query.order_by("kind_order", *_SEARCH_ORDER)[: limit + 1])
    results = SearchResults([], [], more=len(rows) > limit)
    for values in rows[:limit]:
        row = dict(zip(_SEARCH_COLUMNS, values, strict=True))
        if row["kind_order"] == 0:
            results.children.append(_child_row(row))
        else:
            results.adults.append(_adult_row(row))
    return results


_OPEN_WORK_WORDS = (
    ("open_contact", "a contact being decided"),
    ("open_referral", "an open referral"),
    ("open_discussion", "a strategy discussion not yet signed off"),
    ("open_section47", "an open section 47 enquiry"),
    ("open_plan", "an open child protection plan"),
)


def _child_row(row: dict) -> SearchRow:
    reference = child_reference(row["pk"])
    if row["closed"]:
        return SearchRow("child", row["pk"], reference, restricted=True)
    address, postcode = _address(row)
    return SearchRow(
        "child", row["pk"], reference,
        first_name=row["first_name"], last_name=row["last_name"],
        date_of_birth=_as_date(row["date_of_birth"]), address=address, postcode=postcode,
        open_work=[words for key, words in _OPEN_WORK_WORDS if row[key]],
        worker=(row["worker"] or "").strip(),
    )  # fmt: skip


def _adult_row(row: dict) -> SearchRow:
    reference = Person(pk=row["pk"]).reference
    if row["closed"]:
        return SearchRow("adult", row["pk"], reference, restricted=True)
    address, postcode = _address(row)
    return SearchRow(
        "adult", row["pk"], reference,
        first_name=row["first_name"], last_name=row["last_name"],
        date_of_birth=_as_date(row["date_of_birth"]), address=address, postcode=postcode,
        linked_children=row["linked_children"] or 0,
    )  # fmt: skip


def _address(row: dict) -> tuple[str, str]:
    """The record's own address and postcode, or else its household's."""
    if row["address"] or row["postcode"]:
        return row["address"], row["postcode"]
    return row["home_address"] or "", row["home_postcode"] or ""


def _as_date(value) -> date | None:
    # A union's columns come back untyped on SQLite (the date as text).
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
