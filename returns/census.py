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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from accounts.audit import AuditEntry, Event, record_event
from referrals.codes import PrimaryNeed, Sex, UPNUnknown
from referrals.models import Assessment, Child, Referral
from referrals.models.episodes import AssessmentState, NextSteps, ReferralState
from strategy.models import ChildProtectionPlan, PlanReview, Section47

CHUNK_SIZE = 500
# Children of school age from the September after their fifth birthday (UN1 is for younger).
SCHOOL_AGE = 5
_NO_ATTRIBUTES = AttributesImpl({})
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


def _chunks(period: Period) -> Iterator[list[Child]]:
    after = 0
    while True:
        ids = list(census_children(period).filter(child_id__gt=after)[:CHUNK_SIZE])
        if not ids:
            return
        yield _load(ids, period)
        after = ids[-1]


def _load(ids: Sequence[int], period: Period) -> list[Child]:
    """The children with their referrals in the period and each referral's assessments,
    enquiries and plans, in six queries whatever the chunk's size."""
    children = list(
        Child.objects.filter(pk__in=ids)
        .only(
            "date_of_birth", "expected_date_of_birth", "date_of_death", "sex", "ethnicity",
            "disabilities", "upn", "former_upn", "upn_unknown",
        )
        .order_by("pk")
    )  # fmt: skip
    referrals = (
        referrals_in(period)
        .filter(child_id__in=ids)
        .annotate(decided_next_steps=F("current_decision__next_steps"))
        .order_by("referral_date", "pk")
    )
    assessments = (
        Assessment.objects.filter(referral__in=referrals)
        .defer("analysis", "authorisation_comment")
        .order_by("start_date", "pk")
    )
    enquiries = (
        Section47.objects.filter(referral__in=referrals)
        .select_related("conference")
        .defer("conference__summary")
        .order_by("start_date", "pk")
    )
    plans = (
        ChildProtectionPlan.objects.filter(child_id__in=ids, start_date__lte=period.as_at)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .annotate(referral_id=F("conference__section47__referral_id"))
        .defer("end_reason")
        .order_by("start_date", "pk")
    )
    by_referral: dict[str, dict[int, list[Any]]] = {
        "assessments": defaultdict(list),
        "enquiries": defaultdict(list),
        "plans": defaultdict(list),
    }
    for assessment in assessments:
        by_referral["assessments"][assessment.referral_id].append(assessment)
    for enquiry in enquiries:
        by_referral["enquiries"][enquiry.referral_id].append(enquiry)
    plan_list = list(plans)
    reviews: dict[int, list[Any]] = defaultdict(list)
    if plan_list:
        for review in (
            PlanReview.objects.filter(plan__in=[plan.pk for plan in plan_list])
            .only("plan_id", "reviewed_on", "category")
            .order_by("reviewed_on", "pk")
        ):
            reviews[review.plan_id].append(review)
    for plan in plan_list:
        plan.census_reviews = reviews[plan.pk]
        by_referral["plans"][plan.referral_id].append(plan)
    of_child: dict[int, list[Referral]] = defaultdict(list)
    for referral in referrals:
        referral.census_assessments = by_referral["assessments"][referral.pk]
        referral.census_enquiries = by_referral["enquiries"][referral.pk]
        referral.census_plans = by_referral["plans"][referral.pk]
        of_child[referral.child_id].append(referral)
    for child in children:
        child.census_referrals = of_child[child.pk]  # type: ignore[attr-defined]  # read by _write_child
    return children


# Writing -------------------------------------------------------------------------------------


class _Writer:
    """An incremental XML writer that indents, so the file reads well and streams."""

    def __init__(self, out: typing.BinaryIO) -> None:
        self._xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
        self._depth = 0

    def start_document(self) -> None:
        self._xml.startDocument()

    def end_document(self) -> None:
        self._xml.ignorableWhitespace("\n")
        self._xml.endDocument()

    def open(self, name: str) -> None:
        if self._depth:
            self._xml.ignorableWhitespace("\n" + "  " * self._depth)
        self._xml.startElement(name, _NO_ATTRIBUTES)
        self._depth += 1

    def close(self, name: str) -> None:
        self._depth -= 1
        self._xml.ignorableWhitespace("\n" + "  " * self._depth)
        self._xml.endElement(name)

    def value(self, name: str, value: object) -> None:
        """`<name>value</name>`, or nothing for a missing value (None or "")."""
        if value is None or value == "":
            return
        if isinstance(value, bool):
            text = "1" if value else "0"
        elif isinstance(value, datetime.date):
            text = value.isoformat()
        else:
            text = str(value)
        self._xml.ignorableWhitespace("\n" + "  " * self._depth)
        self._xml.startElement(name, _NO_ATTRIBUTES)
        self._xml.characters(text)
        self._xml.endElement(name)


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


def _serial_number() -> int:
    """This export's number: one more than the census exports in the audit trail."""
    return (
        AuditEntry.objects.filter(
            event=Event.EXPORT, object_repr__startswith="Export of the CIN census"
        ).count()
        + 1
    )


def _write_child(writer: _Writer, child: Child, period: Period) -> None:
    referrals = child.census_referrals  # type: ignore[attr-defined]  # set by _load
    nfa = [_is_nfa(referral) for referral in referrals]
    writer.open("Child")
    writer.open("ChildIdentifiers")
    writer.value("LAchildID", child.census_id)
    writer.value("UPN", child.upn)
    writer.value("FormerUPN", child.former_upn)
    if not child.upn:
        writer.value("UPNunknown", _upn_unknown(child, period, all_nfa=all(nfa)))
    born = period.known(child.date_of_birth)
    # A child born after the reference date was unborn on it: the birth date stands for the
    # expected date, which is not kept once the child is born.
    expected = child.expected_date_of_birth or (child.date_of_birth if born is None else None)
    writer.value("PersonBirthDate", born)
    writer.value("ExpectedPersonBirthDate", expected)
    writer.value("Sex", Sex.UNKNOWN if born is None else child.sex)
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


def _is_nfa(referral: Referral) -> bool:
    return (
        referral.state in _DECIDED and referral.decided_next_steps == NextSteps.NO_FURTHER_ACTION  # type: ignore[attr-defined]  # annotated by _load
    )


def _upn_unknown(child: Child, period: Period, *, all_nfa: bool) -> str:
    """The recorded reason there is no UPN; else UN7 when every referral is no further action,
    or UN1 for a child not yet of school age (unborn included); else none (a query)."""
    if child.upn_unknown:
        return child.upn_unknown
    if all_nfa:
        return UPNUnknown.UN7
    born = period.known(child.date_of_birth)
    if born is None:
        return UPNUnknown.UN1
    age = period.reference_date.year - born.year
    if (period.reference_date.month, period.reference_date.day) < (born.month, born.day):
        age -= 1
    return UPNUnknown.UN1 if age < SCHOOL_AGE else ""


def _write_cin_details(writer: _Writer, referral: Referral, period: Period, *, nfa: bool) -> None:
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
        for assessment in referral.census_assessments:  # type: ignore[attr-defined]  # set by _load
            _write_assessment(writer, assessment, period)
        for enquiry in referral.census_enquiries:  # type: ignore[attr-defined]  # set by _load
            _write_section47(writer, enquiry, period)
    writer.value("ReferralNFA", nfa)
    if not nfa:
        for plan in referral.census_plans:  # type: ignore[attr-defined]  # set by _load
            _write_plan(writer, plan, period)
    writer.close("CINdetails")


def _write_assessment(writer: _Writer, assessment: Assessment, period: Period) -> None:
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


def _write_section47(writer: _Writer, enquiry: Section47, period: Period) -> None:
    """An enquiry started by the day exported as at and not finished before the period (rules
    8715, 8740): the conference's date (at this level only: rule 2884), or 'not required'."""
    if enquiry.start_date > period.as_at:
        return
    conference = getattr(enquiry, "conference", None)
    held_on = period.known(conference.held_on) if conference is not None else None
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


def _write_plan(writer: _Writer, plan: ChildProtectionPlan, period: Period) -> None:
    """A plan open at some point in the period, with the reviews held in it and the category
    of abuse as at the day exported as at."""
    reviews = [
        review
        for review in plan.census_reviews  # type: ignore[attr-defined]  # set by _load
        if period.start <= review.reviewed_on <= period.as_at
    ]
    if period.as_at >= timezone.localdate():
        latest = plan.latest_category
    else:
        known = [r for r in plan.census_reviews if r.reviewed_on <= period.as_at]  # type: ignore[attr-defined]  # set by _load
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
