"""The CIN census XML (DOMAIN.md "CIN census"): one `<Child>` per child with a referral open at
any point in the collection year, one `<CINdetails>` per such referral, written as it is read.

The collection year `year` runs from 1 April of `year - 1` to its reference date, 31 March of
`year`; a year still in progress is exported as at today. What happened after that date is left
out, so a past year's census reads as it would have on its reference date: a referral closed
later is open, an assessment authorised later is open, a plan ended later has no end date.

Memory does not grow with the number of children: children are read in chunks of
`CHUNK_SIZE` (a fixed number of queries per chunk) and each is written to `out` at once with an
incremental XML writer.
"""

from __future__ import annotations

import datetime
import typing
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.audit import AuditEntry, Event, record_event
from casework.references import child_reference
from referrals.codes import PrimaryNeed, Sex, UPNUnknown
from referrals.models import Assessment, Child, Referral
from referrals.models.episodes import AssessmentState, NextSteps, ReferralState
from strategy.models import ChildProtectionPlan, PlanReview, Section47

CHUNK_SIZE = 500
# Children of school age from the September after their fifth birthday (UN1 is for younger).
SCHOOL_AGE = 5
_DECIDED = (ReferralState.NEXT_STEPS_SIGNED_OFF, ReferralState.CLOSED)


def census_name(year: int) -> str:
    """ "CIN census 2025-26" for the year ending 31 March 2026."""
    return f"CIN census {year - 1}-{year % 100:02d}"


@dataclass(frozen=True)
class Period:
    """The collection year and the day it is exported as at (its reference date, or today)."""

    year: int
    start: datetime.date
    reference_date: datetime.date
    as_at: datetime.date

    @classmethod
    def of(cls, year: int, today: datetime.date) -> Period:
        reference_date = datetime.date(year, 3, 31)
        return cls(year, datetime.date(year - 1, 4, 1), reference_date, min(reference_date, today))

    def known(self, day: datetime.date | None) -> datetime.date | None:
        """The date if it had happened by the day exported as at, else None."""
        return day if day is not None and day <= self.as_at else None


def census_children(period: Period):
    """The ids of the children with a referral open at any point in the period."""
    return referrals_in(period).order_by("child_id").values_list("child_id", flat=True).distinct()


def referrals_in(period: Period):
    """Referrals open at any point in the period (received by its end, not closed before it)."""
    return Referral.objects.filter(referral_date__lte=period.as_at).filter(
        Q(closure_date__isnull=True) | Q(closure_date__gte=period.start)
    )


def write_census(
    out: typing.BinaryIO,
    *,
    year: int,
    today: datetime.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    actor: Any = None,
) -> int:
    """Write the census for the year ending 31 March `year` to `out` and audit the export
    (by `actor`, or by the system for a command); return the number of children.
    `progress(done, total)` is called before the first child and after each chunk."""
    period = Period.of(year, today or timezone.localdate())
    total = census_children(period).count()
    exported = array("q")
    writer = _Writer(out)
    writer.start_document()
    writer.open("Message")
    _write_header(writer, period)
    writer.open("Children")
    if progress is not None:
        progress(0, total)
    for chunk in _chunks(period):
        for child in chunk:
            _write_child(writer, child, period)
            writer.flush()
            exported.append(child.pk)
        if progress is not None:
            progress(len(exported), total)
    writer.close("Children")
    writer.close("Message")
    writer.end_document()
    record_event(
        Event.EXPORT,
        actor=actor,
        model=Child,
        object_repr=f"Export of the {census_name(year)}",
        details={
            "return": "CIN census",
            "year": year,
            "as_at": period.as_at.isoformat(),
            "children": len(exported),
            "ids": exported.tolist(),
        },
    )
    return len(exported)


# Reading, a chunk of children at a time ------------------------------------------------------


def _chunks(period: Period) -> Iterator[list[Row]]:
    after = 0
    while True:
        ids = list(census_children(period).filter(child_id__gt=after)[:CHUNK_SIZE])
        if not ids:
            return
        yield _load((ids[0], ids[-1]), period)
        after = ids[-1]


class Row(SimpleNamespace):
    """A record's census fields, read as values (no model instance: they cost the most)."""


def _rows(queryset, *fields: str, **renamed: str) -> list[Row]:
    names = {**{field: field for field in fields}, **renamed}
    return [
        Row(**{name: values[source] for name, source in names.items()})
        for values in queryset.values(*names.values())
    ]


def _load(ids: tuple[int, int], period: Period) -> list[Row]:
    """The children of the census whose ids are in the range `ids` (a chunk: they are taken in
    order, so the range holds no other census child), with their referrals in the period and
    each referral's assessments, enquiries and plans: six queries whatever the chunk's size,
    none with a list of ids."""
    first, last = ids
    referrals_query = referrals_in(period).filter(child_id__gte=first, child_id__lte=last)
    children = _rows(
        Child.objects.filter(pk__in=referrals_query.values("child_id")).order_by("pk"),
        "pk", "date_of_birth", "expected_date_of_birth", "date_of_death", "sex", "ethnicity",
        "disabilities", "upn", "former_upn", "upn_unknown",
    )  # fmt: skip
    referrals = _rows(
        referrals_query.order_by("referral_date", "pk"),
        "pk", "child_id", "state", "referral_date", "source", "primary_need", "closure_date",
        "closure_reason", decided_next_steps="current_decision__next_steps",
    )  # fmt: skip
    assessments = _rows(
        Assessment.objects.filter(referral__in=referrals_query).order_by("start_date", "pk"),
        "referral_id",
        "state",
        "start_date",
        "authorisation_date",
        "factors",
    )
    enquiries = _rows(
        Section47.objects.filter(referral__in=referrals_query).order_by("start_date", "pk"),
        "referral_id", "start_date", "conference_due", "conference_not_required", "closed_at",
        held_on="conference__held_on",
    )  # fmt: skip
    plans = _rows(
        ChildProtectionPlan.objects.filter(
            child_id__gte=first, child_id__lte=last, start_date__lte=period.as_at
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .order_by("start_date", "pk"),
        "pk", "start_date", "end_date", "initial_category", "latest_category", "previous_plans",
        referral_id="conference__section47__referral_id",
    )  # fmt: skip
    reviews: dict[int, list[Row]] = defaultdict(list)
    if plans:
        for review in _rows(
            PlanReview.objects.filter(plan__in=[plan.pk for plan in plans]).order_by(
                "reviewed_on", "pk"
            ),
            "plan_id", "reviewed_on", "category",
        ):  # fmt: skip
            reviews[review.plan_id].append(review)
    of_referral: dict[str, dict[int, list[Row]]] = {
        "assessments": defaultdict(list),
        "enquiries": defaultdict(list),
        "plans": defaultdict(list),
    }
    for assessment in assessments:
        of_referral["assessments"][assessment.referral_id].append(assessment)
    for enquiry in enquiries:
        of_referral["enquiries"][enquiry.referral_id].append(enquiry)
    for plan in plans:
        plan.reviews = reviews[plan.pk]
        of_referral["plans"][plan.referral_id].append(plan)
    of_child: dict[int, list[Row]] = defaultdict(list)
    for referral in referrals:
        referral.assessments = of_referral["assessments"][referral.pk]
        referral.enquiries = of_referral["enquiries"][referral.pk]
        referral.plans = of_referral["plans"][referral.pk]
        of_child[referral.child_id].append(referral)
    for child in children:
        child.referrals = of_child[child.pk]
    return children


# Writing -------------------------------------------------------------------------------------


class _Writer:
    """An incremental XML writer: each child's elements are gathered as text and written to
    `out` in one piece (element names are ours; every value is escaped), indented to read."""

    def __init__(self, out: typing.BinaryIO) -> None:
        self._out = out
        self._parts: list[str] = []
        self._depth = 0
        self._indent = "\n"

    def start_document(self) -> None:
        self._parts.append('<?xml version="1.0" encoding="utf-8"?>')

    def end_document(self) -> None:
        self._parts.append("\n")
        self.flush()

    def flush(self) -> None:
        self._out.write("".join(self._parts).encode())
        self._parts.clear()

    def open(self, name: str) -> None:
        self._parts.append(f"{self._indent}<{name}>")
        self._depth += 1
        self._indent = "\n" + "  " * self._depth

    def close(self, name: str) -> None:
        self._depth -= 1
        self._indent = "\n" + "  " * self._depth
        self._parts.append(f"{self._indent}</{name}>")

    def value(self, name: str, value: object) -> None:
        """`<name>value</name>`, or nothing for a missing value (None or "")."""
        kind = type(value)
        if kind is str:
            if not value:
                return
            text = escape(value)  # type: ignore[arg-type]  # a str, as its type says
        elif value is None:
            return
        elif kind is bool:
            text = "1" if value else "0"
        elif isinstance(value, datetime.date):
            text = value.isoformat()
        else:
            text = escape(str(value))
        self._parts.append(f"{self._indent}<{name}>{text}</{name}>")


def _write_header(writer: _Writer, period: Period) -> None:
    writer.open("Header")
    writer.open("CollectionDetails")
    writer.value("Collection", "CIN")
    writer.value("Year", period.year)
    writer.value("ReferenceDate", period.reference_date)
    writer.close("CollectionDetails")
    writer.open("Source")
    writer.value("SourceLevel", "L")
    writer.value("LEA", settings.CIN_CENSUS_LA_CODE)
    writer.value("SoftwareCode", settings.CIN_CENSUS_SOFTWARE_CODE)
    writer.value("Release", settings.CIN_CENSUS_RELEASE)
    writer.value("SerialNo", _serial_number())
    writer.value("DateTime", timezone.localtime().replace(microsecond=0, tzinfo=None))
    writer.close("Source")
    writer.close("Header")
    writer.flush()


def _serial_number() -> int:
    """This export's number: one more than the census exports in the audit trail."""
    return (
        AuditEntry.objects.filter(
            event=Event.EXPORT, object_repr__startswith="Export of the CIN census"
        ).count()
        + 1
    )


def _write_child(writer: _Writer, child: Row, period: Period) -> None:
    referrals = child.referrals
    nfa = [_is_nfa(referral) for referral in referrals]
    writer.open("Child")
    writer.open("ChildIdentifiers")
    writer.value("LAchildID", child_reference(child.pk))
    writer.value("UPN", child.upn)
    writer.value("FormerUPN", child.former_upn)
    if not child.upn:
        writer.value("UPNunknown", _upn_unknown(child, period, all_nfa=all(nfa)))
    born = period.known(child.date_of_birth)
    # A child born after the reference date was unborn on it: the birth date stands for the
    # expected date, which is not kept once the child is born.
    expected = child.expected_date_of_birth or (
        child.date_of_birth if born is None and child.date_of_birth else None
    )
    writer.value("PersonBirthDate", born)
    writer.value("ExpectedPersonBirthDate", expected)
    writer.value("Sex", Sex.UNKNOWN if expected else child.sex)
    writer.value("PersonDeathDate", period.known(child.date_of_death))
    writer.close("ChildIdentifiers")
    writer.open("ChildCharacteristics")
    writer.value("Ethnicity", child.ethnicity)
    if child.disabilities:
        writer.open("Disabilities")
        for code in child.disabilities:
            writer.value("Disability", code)
        writer.close("Disabilities")
    writer.close("ChildCharacteristics")
    for referral, is_nfa in zip(referrals, nfa, strict=True):
        _write_cin_details(writer, referral, period, nfa=is_nfa)
    writer.close("Child")


def _is_nfa(referral: Row) -> bool:
    return referral.state in _DECIDED and referral.decided_next_steps == NextSteps.NO_FURTHER_ACTION


def _upn_unknown(child: Row, period: Period, *, all_nfa: bool) -> str:
    """The recorded reason there is no UPN; else UN7 when every referral is no further action,
    or UN1 for a child not yet of school age (unborn included); else none (a query)."""
    if child.upn_unknown:
        return child.upn_unknown
    if all_nfa:
        return UPNUnknown.UN7
    born = period.known(child.date_of_birth)
    if born is None:
        # Unborn on the reference date: not yet of school age. No date of birth: not known.
        return UPNUnknown.UN1 if child.expected_date_of_birth or child.date_of_birth else ""
    age = period.reference_date.year - born.year
    if (period.reference_date.month, period.reference_date.day) < (born.month, born.day):
        age -= 1
    return UPNUnknown.UN1 if age < SCHOOL_AGE else ""


def _write_cin_details(writer: _Writer, referral: Row, period: Period, *, nfa: bool) -> None:
    closed_on = period.known(referral.closure_date)
    writer.open("CINdetails")
    writer.value("CINreferralDate", referral.referral_date)
    writer.value("ReferralSource", referral.source)
    if not nfa:
        # Decided with the next steps; until then "not stated" (N0), never missing (8610).
        writer.value("PrimaryNeedCode", referral.primary_need or PrimaryNeed.N0)
    if closed_on is not None:
        writer.value("CINclosureDate", closed_on)
        writer.value("ReasonForClosure", referral.closure_reason)
    if not nfa:
        for assessment in referral.assessments:
            _write_assessment(writer, assessment, period)
        for enquiry in referral.enquiries:
            _write_section47(writer, enquiry, period)
    writer.value("ReferralNFA", nfa)
    if not nfa:
        for plan in referral.plans:
            _write_plan(writer, plan, period)
    writer.close("CINdetails")


def _write_assessment(writer: _Writer, assessment: Row, period: Period) -> None:
    """An assessment started by the day exported as at and not authorised before the period
    (rules 8696, 8736); authorised later, it is shown open, without its factors (8614)."""
    if assessment.start_date > period.as_at:
        return
    authorised = (
        period.known(assessment.authorisation_date)
        if assessment.state == AssessmentState.AUTHORISED
        else None
    )
    if authorised is not None and authorised < period.start:
        return
    writer.open("Assessments")
    writer.value("AssessmentActualStartDate", assessment.start_date)
    writer.value("AssessmentAuthorisationDate", authorised)
    if authorised is not None and assessment.factors:
        writer.open("FactorsIdentifiedAtAssessment")
        for code in assessment.factors:
            writer.value("AssessmentFactors", code)
        writer.close("FactorsIdentifiedAtAssessment")
    writer.close("Assessments")


def _write_section47(writer: _Writer, enquiry: Row, period: Period) -> None:
    """An enquiry started by the day exported as at and not finished before the period (rules
    8715, 8740): the conference's date (at this level only: rule 2884), or 'not required'."""
    if enquiry.start_date > period.as_at:
        return
    held_on = period.known(enquiry.held_on)
    not_required = None
    if enquiry.conference_not_required and enquiry.closed_at is not None:
        not_required = period.known(timezone.localdate(enquiry.closed_at))
    finished = held_on or not_required
    if finished is not None and finished < period.start:
        return
    writer.open("Section47")
    writer.value("S47ActualStartDate", enquiry.start_date)
    writer.value("InitialCPCtarget", enquiry.conference_due)
    writer.value("DateOfInitialCPC", held_on)
    writer.value("ICPCnotRequired", not_required is not None)
    writer.close("Section47")


def _write_plan(writer: _Writer, plan: Row, period: Period) -> None:
    """A plan open at some point in the period, with the reviews held in it and the category
    of abuse as at the day exported as at."""
    reviews = [
        review for review in plan.reviews if period.start <= review.reviewed_on <= period.as_at
    ]
    if period.as_at >= timezone.localdate():
        latest = plan.latest_category
    else:
        known = [r for r in plan.reviews if r.reviewed_on <= period.as_at]
        latest = known[-1].category if known else plan.initial_category
    writer.open("ChildProtectionPlans")
    writer.value("CPPstartDate", plan.start_date)
    writer.value("CPPendDate", period.known(plan.end_date))
    writer.value("InitialCategoryOfAbuse", plan.initial_category)
    writer.value("LatestCategoryOfAbuse", latest)
    writer.value("NumberOfPreviousCPP", plan.previous_plans)
    for review in reviews:
        writer.open("Reviews")
        writer.value("CPPreviewDate", review.reviewed_on)
        writer.close("Reviews")
    writer.close("ChildProtectionPlans")
