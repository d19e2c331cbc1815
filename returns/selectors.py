"""The returns' queries (issue 22): Ofsted's Annex A lists, the data-quality rules and the
exports. Every list is one query (or one per rule), whatever the number of rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, ExtractIsoWeekDay, TruncDate
from django.urls import reverse
from django.utils import timezone

from casework import access
from casework.references import child_reference
from referrals.codes import Sex, UPNUnknown, validate_disabilities
from referrals.models import Allocation, Assessment, Child, ContactChild, Referral
from referrals.models.episodes import NextSteps, ReferralState
from referrals.selectors import within_twelve_months_before
from returns.models import Export
from strategy.models import ChildProtectionPlan, InitialConference, Section47

# Ofsted's Annex A (DOMAIN.md "Ofsted Annex A") ---------------------------------------------


@dataclass(frozen=True)
class Period:
    """An Annex A period: whole days `start`..`end` in the service's time zone; an end after
    today is taken as today."""

    start: date
    end: date

    @classmethod
    def of(cls, start: date, end: date, *, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(start, min(end, today))

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_before(self) -> datetime:
        """The first moment after the period (allocations as at the end are those open then)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


CHILD_VALUES = ("child_id", "child__sex", "child__ethnicity", "child__date_of_birth")


def _child_values(prefix: str = "child__") -> dict[str, F]:
    return {
        "sex": F(f"{prefix}sex"),
        "ethnicity": F(f"{prefix}ethnicity"),
        "date_of_birth": F(f"{prefix}date_of_birth"),
        "disabilities": F(f"{prefix}disabilities"),
    }


def _allocation_as_at(period: Period) -> dict[str, Subquery]:
    """The child's allocated team and worker as at the end of the period (one subquery each)."""
    moment = period.ends_before
    held = (
        Allocation.objects.filter(child_id=OuterRef("child_id"), started_at__lt=moment)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=moment))
        .order_by("-started_at", "-pk")
    )
    worker = Concat("worker__first_name", Value(" "), "worker__last_name", output_field=CharField())
    return {
        "team": Subquery(held.values("team__name")[:1]),
        "worker": Subquery(held.annotate(name=worker).values("name")[:1]),
    }


def _count(events: QuerySet) -> Coalesce:
    counted = events.order_by().values("child_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1]), Value(0))


def annex_a_contacts(period: Period) -> QuerySet:
    """List 1: each child of each contact received in the period, oldest first."""
    return (
        ContactChild.objects.filter(
            contact__received_at__gte=period.starts_at, contact__received_at__lt=period.ends_before
        )
        .order_by("contact__received_at", "pk")
        .values("child_id", received_on=TruncDate("contact__received_at"),
                source=F("contact__source"), **_child_values())
    )  # fmt: skip


def annex_a_referrals(period: Period) -> QuerySet:
    """List 3: referrals dated in the period, NFA or not, the child's earlier referrals within
    12 months (the re-referral selector's test), the allocation at the period's end."""
    this = OuterRef("referral_date")
    earlier = within_twelve_months_before(
        Referral.objects.filter(child_id=OuterRef("child_id")).filter(
            Q(referral_date__lt=this) | Q(referral_date=this, pk__lt=OuterRef("pk"))
        ),
        "referral_date",
        this,
    )
    signed_off = (ReferralState.NEXT_STEPS_SIGNED_OFF, ReferralState.CLOSED)
    nfa = Case(
        When(state__in=signed_off, current_decision__next_steps=NextSteps.NO_FURTHER_ACTION,
             then=Value(True)),
        When(state__in=signed_off, then=Value(False)),
        default=Value(None),
        output_field=BooleanField(null=True),
    )  # fmt: skip
    return (
        Referral.objects.filter(referral_date__gte=period.start, referral_date__lte=period.end)
        .order_by("referral_date", "pk")
        .values("child_id", "referral_date", "source", nfa=nfa,
                earlier_referrals=_count(earlier), **_child_values(),
                **_allocation_as_at(period))
    )  # fmt: skip


def annex_a_assessments(period: Period) -> QuerySet:
    """List 4: assessments started or authorised in the period."""
    in_period = Q(start_date__gte=period.start, start_date__lte=period.end) | Q(
        authorisation_date__gte=period.start, authorisation_date__lte=period.end
    )
    return (
        Assessment.objects.filter(in_period)
        .order_by("start_date", "pk")
        .values("child_id", "start_date", "child_seen", "authorisation_date", "needs_support",
                **_child_values(), **_allocation_as_at(period))
    )  # fmt: skip


def annex_a_enquiries(period: Period) -> QuerySet:
    """List 5: section 47 enquiries started, or whose initial conference was held, in the
    period; the child's earlier enquiries and conferences within 12 months before the start."""
    in_period = Q(start_date__gte=period.start, start_date__lte=period.end) | Q(
        conference__held_on__gte=period.start, conference__held_on__lte=period.end
    )
    this = OuterRef("start_date")
    earlier_enquiries = within_twelve_months_before(
        Section47.objects.filter(child_id=OuterRef("child_id")).filter(
            Q(start_date__lt=this) | Q(start_date=this, pk__lt=OuterRef("pk"))
        ),
        "start_date",
        this,
    )
    earlier_conferences = within_twelve_months_before(
        InitialConference.objects.filter(child_id=OuterRef("child_id"), held_on__lt=this),
        "held_on",
        this,
    )
    return (
        Section47.objects.filter(in_period)
        .order_by("start_date", "pk")
        .values("child_id", "start_date", "conference_not_required",
                conference_held_on=F("conference__held_on"), conference_plan=F("conference__plan"),
                earlier_enquiries=_count(earlier_enquiries),
                earlier_conferences=_count(earlier_conferences),
                **_child_values(), **_allocation_as_at(period))
    )  # fmt: skip


# The data-quality page (issue 22): census rules of DOMAIN.md ("CIN census", "Key rules") --


def census_year_start(today: date) -> date:
    """1 April that began the collection year `today` falls in."""
    return date(today.year if today.month >= 4 else today.year - 1, 4, 1)


def census_year_now(today: date | None = None) -> int:
    """The collection year `today` falls in, as the census names it (2026: to 31 March 2026)."""
    return census_year_start(today or timezone.localdate()).year + 1


def _in_the_year(today: date) -> QuerySet:
    """Referrals open at some point of the collection year so far (the census's scope)."""
    return Referral.objects.filter(referral_date__lte=today).filter(
        Q(closure_date__isnull=True) | Q(closure_date__gte=census_year_start(today))
    )


_SIGNED_OFF = (ReferralState.NEXT_STEPS_SIGNED_OFF, ReferralState.CLOSED)
_NFA = Q(state__in=_SIGNED_OFF, current_decision__next_steps=NextSteps.NO_FURTHER_ACTION)


def _children_in_the_year(today: date) -> QuerySet:
    return Child.objects.filter(pk__in=_in_the_year(today).values("child_id"))


def _children_with_activity(today: date) -> QuerySet:
    """Children in the year with a referral that is not NFA (disabilities, UN7)."""
    return Child.objects.filter(pk__in=_in_the_year(today).exclude(_NFA).values("child_id"))


class Fix(StrEnum):
    """Where a problem is put right: the page's URL name, given the record's id."""

    CENSUS = "returns:child-census"
    CHILD = "referrals:child-edit"
    REFERRAL = "referrals:referral"
    ASSESSMENT = "referrals:assessment"
    ENQUIRY = "strategy:section47"
    PLAN = "strategy:plan"


@dataclass(frozen=True)
class QualityRule:
    key: str
    census_rule: str  # the DfE rule number(s) it anticipates
    words: str  # the rule, in plain words
    fix: Fix
    fix_words: str  # the link's text
    # (child id, id of the record the fix page is about), one query for every child
    problems: Callable[[date], Iterable[tuple[int, int]]]


def _pairs(queryset: QuerySet, child: str = "child_id") -> QuerySet:
    return queryset.order_by(child, "pk").values_list(child, "pk")


def _children(queryset: QuerySet) -> QuerySet:
    return queryset.order_by("pk").values_list("pk", "pk")


def _no_disability(today: date):
    return _children(
        _children_with_activity(today).filter(date_of_birth__isnull=False, disabilities=[])
    )


def _disability_codes(today: date):
    # Which codes repeat or stand with NONE is a question about a list: asked in Python of
    # one query's rows (the children in the year with any code).
    rows = (
        _children_in_the_year(today)
        .exclude(disabilities=[])
        .order_by("pk")
        .values_list("pk", "disabilities")
    )
    return [(pk, pk) for pk, codes in rows if validate_disabilities(list(codes or []))]


def _no_upn(today: date):
    return _children(_children_in_the_year(today).filter(upn="", upn_unknown=""))


def _un1_at_school_age(today: date):
    reference = date(census_year_start(today).year + 1, 3, 31)
    fifth_birthday_by = reference.replace(year=reference.year - 5)
    return _children(
        _children_in_the_year(today).filter(
            upn_unknown=UPNUnknown.UN1, date_of_birth__lte=fifth_birthday_by
        )
    )


def _un7_with_activity(today: date):
    return _children(_children_with_activity(today).filter(upn_unknown=UPNUnknown.UN7))


def _no_birth_date(today: date):
    return _children(
        _children_in_the_year(today).filter(
            date_of_birth__isnull=True, expected_date_of_birth__isnull=True
        )
    )


def _unborn_sex(today: date):
    return _children(
        _children_in_the_year(today)
        .filter(date_of_birth__isnull=True, expected_date_of_birth__isnull=False)
        .exclude(sex=Sex.UNKNOWN)
    )


def _no_primary_need(today: date):
    return _pairs(_in_the_year(today).filter(state__in=_SIGNED_OFF, primary_need="").exclude(_NFA))


def _nfa_with_activity(today: date):
    return _pairs(
        _in_the_year(today)
        .filter(_NFA)
        .filter(Q(Exists(Assessment.objects.filter(referral_id=OuterRef("pk"))))
                | Q(Exists(Section47.objects.filter(referral_id=OuterRef("pk")))))
    )  # fmt: skip


def _assessment_before_referral(today: date):
    return _pairs(
        Assessment.objects.filter(
            referral__in=_in_the_year(today), start_date__lt=F("referral__referral_date")
        )
    )


def _enquiry_before_referral(today: date):
    return _pairs(
        Section47.objects.filter(
            referral__in=_in_the_year(today), start_date__lt=F("referral__referral_date")
        )
    )


def _conference_before_enquiry(today: date):
    return _pairs(
        Section47.objects.filter(
            referral__in=_in_the_year(today), conference__held_on__lt=F("start_date")
        )
    )


def _conference_at_a_weekend(today: date):
    return _pairs(
        Section47.objects.annotate(weekday=ExtractIsoWeekDay("conference__held_on")).filter(
            referral__in=_in_the_year(today), weekday__gte=6
        )
    )


def _plan_not_on_conference_date(today: date):
    return _pairs(
        ChildProtectionPlan.objects.filter(child__in=_children_in_the_year(today)).exclude(
            start_date=F("conference__held_on")
        )
    )


def _closed_enquiry_unfinished(today: date):
    return _pairs(
        Section47.objects.filter(
            referral__in=_in_the_year(today).filter(closure_date__isnull=False),
            conference__isnull=True,
            conference_not_required=False,
        )
    )


QUALITY_RULES = [
    QualityRule("no-disability", "disabilities",
                "A child who has been born has no disability recorded: record 'No disability' "
                "or the child's disabilities", Fix.CENSUS, "Record the disabilities",
                _no_disability),
    QualityRule("disability-codes", "disabilities",
                "'No disability' is recorded with a disability, or a disability twice",
                Fix.CENSUS, "Correct the disabilities", _disability_codes),
    QualityRule("no-upn", "UPN", "No UPN and no reason why there is none", Fix.CENSUS,
                "Record the UPN or the reason", _no_upn),
    QualityRule("un1-school-age", "UPNunknown",
                "'Not yet of school age' is given as the reason for no UPN, but the child is 5 "
                "or older by 31 March", Fix.CENSUS, "Record the UPN or another reason",
                _un1_at_school_age),
    QualityRule("un7-activity", "UPNunknown",
                "'Referral with no further action' is given as the reason for no UPN, but a "
                "referral of the child went further", Fix.CENSUS,
                "Record the UPN or another reason", _un7_with_activity),
    QualityRule("no-birth-date", "PersonBirthDate",
                "Neither a date of birth nor an expected date of birth is recorded",
                Fix.CHILD, "Record the date of birth", _no_birth_date),
    QualityRule("unborn-sex", "Sex", "An unborn child's sex must be recorded as unknown",
                Fix.CENSUS, "Record the sex as unknown", _unborn_sex),
    QualityRule("no-primary-need", "8610",
                "A referral that went further than no further action has no primary need",
                Fix.REFERRAL, "Open the referral", _no_primary_need),
    QualityRule("nfa-activity", "8831",
                "A referral with no further action has an assessment or a section 47 enquiry",
                Fix.REFERRAL, "Open the referral", _nfa_with_activity),
    QualityRule("assessment-before-referral", "1103",
                "An assessment starts before its referral date", Fix.ASSESSMENT,
                "Open the assessment", _assessment_before_referral),
    QualityRule("enquiry-before-referral", "2889",
                "A section 47 enquiry starts before its referral date", Fix.ENQUIRY,
                "Open the enquiry", _enquiry_before_referral),
    QualityRule("conference-before-enquiry", "8615",
                "An initial conference is dated before its section 47 enquiry started",
                Fix.ENQUIRY, "Open the enquiry", _conference_before_enquiry),
    QualityRule("conference-weekend", "8875",
                "An initial conference is dated on a Saturday or Sunday", Fix.ENQUIRY,
                "Open the enquiry", _conference_at_a_weekend),
    QualityRule("plan-start", "2885",
                "A child protection plan does not start on its initial conference's date",
                Fix.PLAN, "Open the plan", _plan_not_on_conference_date),
    QualityRule("closed-enquiry", "8868",
                "A closed referral has a section 47 enquiry with neither an initial "
                "conference nor 'conference not required'", Fix.ENQUIRY, "Open the enquiry",
                _closed_enquiry_unfinished),
]  # fmt: skip


@dataclass(frozen=True)
class Problem:
    rule: QualityRule
    child_id: int
    record_id: int
    child_name: str  # "" when the child's record is restricted and not open to the user
    fix_url: str  # "" when the user cannot open the page that fixes it
    fix_note: str  # what to do instead

    @property
    def child_ref(self) -> str:
        return child_reference(self.child_id)


_RECORD_WORDS = {
    Fix.CHILD: "the child's details",
    Fix.REFERRAL: "the referral",
    Fix.ASSESSMENT: "the assessment",
    Fix.ENQUIRY: "the section 47 enquiry",
    Fix.PLAN: "the child protection plan",
}


def _fix(rule: QualityRule, child_id: int, record_id: int, *, closed: bool, reads_cases: bool):
    """The link to the page that fixes the problem, or what to do where the user cannot open
    it: a case page for the data officer, or a restricted record for someone who may not
    break the glass."""
    if rule.fix == Fix.CENSUS and (reads_cases or not closed):
        return reverse(rule.fix.value, args=[record_id]), ""
    if rule.fix != Fix.CENSUS and reads_cases:
        return reverse(rule.fix.value, args=[record_id]), ""
    if closed:
        return "", "A manager on the restricted record's allow-list puts this right"
    return "", f"A practitioner or manager puts this right on {_RECORD_WORDS[rule.fix]}"


def data_quality_problems(*, user, today: date | None = None) -> list[Problem]:
    """Every problem of every rule, by rule then child; one query per rule, one for the
    children's names and one for the restrictions, however many problems there are."""
    today = today or timezone.localdate()
    found = [
        (rule, child, record) for rule in QUALITY_RULES for child, record in rule.problems(today)
    ]
    child_ids = {child for _, child, _ in found}
    closed = access.closed_children(user, child_ids)
    open_ids = child_ids - closed
    names = (
        dict(
            Child.objects.filter(pk__in=open_ids)
            .annotate(name=Concat("first_name", Value(" "), "last_name", output_field=CharField()))
            .values_list("pk", "name")
        )
        if open_ids
        else {}
    )
    reads_cases = access.can_view_case_records(user)
    problems = []
    for rule, child, record in found:
        url, note = _fix(rule, child, record, closed=child in closed, reads_cases=reads_cases)
        problems.append(Problem(rule, child, record, names.get(child, ""), url, note))
    return problems


def data_quality_counts(*, today: date | None = None) -> list[tuple[QualityRule, int]]:
    """How many problems each rule finds (the data officer's home page)."""
    today = today or timezone.localdate()
    return [(rule, len(list(rule.problems(today)))) for rule in QUALITY_RULES]


def count_by_rule(problems: list[Problem]) -> list[tuple[QualityRule, int]]:
    """The rules that found problems, in the page's order, with how many each found."""
    counts: dict[str, int] = {}
    for problem in problems:
        counts[problem.rule.key] = counts.get(problem.rule.key, 0) + 1
    return [(rule, counts[rule.key]) for rule in QUALITY_RULES if rule.key in counts]


def recent_exports(limit: int = 20) -> QuerySet:
    """The newest exports, with who asked for them (one query)."""
    return Export.objects.select_related("requested_by").order_by("-requested_at", "-pk")[:limit]
