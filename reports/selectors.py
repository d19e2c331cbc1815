"""The management reports (issue 21; DESIGN.md "Oversight and returns"), each a few aggregate
queries whatever the number of records: no query and no Python work per record, only per row
of the result (a month, an agency, a worker...).

Every report returns a `Report`: the rows its table and downloads hold, and the chart's bars
(the table beside the chart shows exactly those bars). Filters: a period of whole months, a
team (the workers allocated work in it and its manager) and a worker.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    Model,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Length, Mod, TruncDate, TruncMonth
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Perm
from accounts.sharing import Article6Basis, SharingDecision, SharingRecord
from casework import access
from casework.references import child_reference
from quality.selectors import grades_by_team_and_month
from referrals.codes import ReferralSource
from referrals.models import (
    Allocation,
    Assessment,
    ContactChild,
    ContactDecision,
    InformationRequest,
    LadoReferral,
    Referral,
    Team,
)
from referrals.models.contacts import Outcome
from referrals.models.information_requests import Priority
from referrals.selectors import with_re_referral
from strategy.models import DiscussionState, Participant, Section47, StrategyDiscussion
from strategy.models.discussions import ABSENT, Attendance
from strategy.models.enquiries import Section47State

SAMPLE_SIZE = 10
SEED_MAX = 999_999_999
# A multiplicative hash modulo a prime: the sample's order, reproducible from the seed, in SQL.
_HASH_MULTIPLIER = 2_654_435_761
_HASH_MODULUS = 4_294_967_291
DISCUSSIONS_WITHOUT_AGENCY_SHOWN = 50


@dataclass(frozen=True)
class Filters:
    """A period of whole months [start, end), and optionally a team and a worker."""

    start: date
    end: date
    team_id: int | None = None
    worker_id: int | None = None
    seed: int = 1

    @property
    def start_at(self) -> datetime:
        return _midnight(self.start)

    @property
    def end_at(self) -> datetime:
        return _midnight(self.end)

    @property
    def last_month(self) -> date:
        return add_months(self.end, -1)

    def months(self) -> list[date]:
        months, month = [], self.start
        while month < self.end:
            months.append(month)
            month = add_months(month, 1)
        return months


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()), timezone.get_current_timezone())


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def last_twelve_months(today: date | None = None) -> Filters:
    this_month = (today or timezone.localdate()).replace(day=1)
    return Filters(start=add_months(this_month, -11), end=add_months(this_month, 1))


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as the table beside the chart shows it


@dataclass
class Report:
    slug: str
    title: str
    summary: str
    chart_title: str
    chart_unit: str  # "%" or "" (a count)
    value_header: str
    bars: list[Bar]
    columns: list[str]
    rows: list[tuple[Any, ...]]
    # The records the rows name (for the audit trail), and a second table where there is one.
    model: type[Model] | None = None
    ids: list[int] = field(default_factory=list)
    extra_title: str = ""
    extra_columns: list[str] = field(default_factory=list)
    extra_rows: list[tuple[Any, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    links: dict[int, str] = field(default_factory=dict)  # row index -> a link the page shows


def month_label(month: date | datetime | None) -> str:
    if month is None:
        return ""
    if isinstance(month, datetime):
        month = timezone.localtime(month) if timezone.is_aware(month) else month
    return f"{month:%b %Y}"


def _month(value: date | datetime) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def team_workers(team_id: int):
    """The ids of a team's workers (allocated work in it) and of its manager, as a subquery."""
    allocated = Allocation.objects.filter(team_id=team_id).values("worker_id")
    managers = Team.objects.filter(pk=team_id).values("manager_id")
    return User.objects.filter(Q(pk__in=allocated) | Q(pk__in=managers)).values("pk")


def _by_worker(queryset: QuerySet, worker_field: str, filters: Filters) -> QuerySet:
    if filters.worker_id:
        queryset = queryset.filter(**{worker_field: filters.worker_id})
    if filters.team_id:
        queryset = queryset.filter(**{f"{worker_field}__in": team_workers(filters.team_id)})
    return queryset


def _in_period(queryset: QuerySet, month_field: str, filters: Filters, *, dated: bool) -> QuerySet:
    low, high = (filters.start, filters.end) if dated else (filters.start_at, filters.end_at)
    return queryset.filter(**{f"{month_field}__gte": low, f"{month_field}__lt": high})


def worker_choices() -> list[tuple[int, str]]:
    """Workers whose work the reports count: every active user who proposes decisions."""
    return [
        (user.pk, user.get_full_name() or user.username)
        for user in access.users_with_right(Perm.PROPOSE_DECISIONS)
        .filter(is_active=True)
        .order_by("first_name", "last_name", "username")
    ]


def team_choices() -> list[tuple[int, str]]:
    return list(Team.objects.order_by("name").values_list("pk", "name"))


# Timeliness ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step and its standard: which records, the month they count in, their due date and
    the date the step was done (both as dates, or both as moments), and whose work it is."""

    name: str
    records: Callable[[], QuerySet]
    month_field: str
    dated: bool  # whether `month_field` is a date (else a moment)
    due: Any
    done: Any
    worker_field: str


def _signed_off_on(prefix: str) -> Case:
    return Case(
        When(
            **{f"{prefix}__state": "signed_off"},
            then=TruncDate(f"{prefix}__reviewed_at"),
        ),
        default=Value(None),
        output_field=DateField(),
    )


STEPS: tuple[Step, ...] = (
    # The contact's times as its children carry them (received, due, decided): one table,
    # read from its covering index (referrals' contact_child_received).
    Step(
        "Contact decision (1 working day)",
        lambda: ContactChild.objects.all(),
        "received_at", False,
        F("decision_due"), TruncDate("decided_at"),
        "current_decision__proposed_by",
    ),
    Step(
        "Referral next steps (1 working day)",
        lambda: Referral.objects.all(),
        "referral_date", True,
        F("next_steps_due"), _signed_off_on("current_decision"),
        "current_decision__proposed_by",
    ),
    Step(
        "Strategy discussion held",
        lambda: StrategyDiscussion.objects.exclude(state=DiscussionState.CANCELLED),
        "convened_at", False,
        F("due"), TruncDate("held_at"), "convened_by",
    ),
    Step(
        "Section 47 to initial conference (15 working days)",
        lambda: Section47.objects.exclude(state=Section47State.CLOSED),
        "start_date", True,
        F("conference_due"), F("conference__held_on"), "assessment__started_by",
    ),
    Step(
        "Assessment authorised (45 working days)",
        lambda: Assessment.objects.all(),
        "start_date", True,
        F("due"), F("authorisation_date"), "started_by",
    ),
    Step(
        "Feedback to the referrer (1 working day)",
        lambda: ContactChild.objects.filter(feedback_due__isnull=False),
        "received_at", False,
        F("feedback_due"), TruncDate("closed_at"), "closed_by",
    ),
    Step(
        "Information request, red (same day)",
        lambda: InformationRequest.objects.filter(priority=Priority.RED),
        "asked_at", False,
        F("due_at"), F("answered_at"), "asked_by",
    ),
    Step(
        "Information request, amber (1 working day)",
        lambda: InformationRequest.objects.filter(priority=Priority.AMBER),
        "asked_at", False,
        F("due_at"), F("answered_at"), "asked_by",
    ),
    Step(
        "LADO referral (1 working day)",
        lambda: LadoReferral.objects.all(),
        "created_at", False,
        F("due"), TruncDate("created_at"), "created_by",
    ),
)  # fmt: skip


def _step_counts(step: Step, filters: Filters, now: datetime) -> list[dict[str, Any]]:
    """One aggregate query: per month, the step's records done on time, done late or overdue,
    and not yet due. What is counted is the period's own column (never null in the period),
    not the key, so a covering index answers it alone."""
    counted = step.month_field
    records = _by_worker(
        _in_period(step.records(), step.month_field, filters, dated=step.dated),
        step.worker_field, filters,
    )  # fmt: skip
    today: Any = now if isinstance(step.due, F) and step.due.name == "due_at" else now.date()
    return list(
        records.annotate(
            month=TruncMonth(step.month_field),
            due_by=step.due,
            done_on=step.done,
        )
        .values("month")
        .annotate(
            on_time=Count(counted, filter=Q(done_on__isnull=False, done_on__lte=F("due_by"))),
            late=Count(
                counted,
                filter=Q(done_on__isnull=False, done_on__gt=F("due_by"))
                | Q(done_on__isnull=True, due_by__lt=today),
            ),
            not_due=Count(counted, filter=Q(done_on__isnull=True, due_by__gte=today)),
        )
        .order_by("month")
    )


def timeliness(filters: Filters, *, now: datetime | None = None) -> Report:
    """Each step against its standard (DOMAIN.md "Timescales"), percent on time by month: a
    record counts in the month its clock started; overdue open work counts as late."""
    now = now or timezone.now()
    rows: list[tuple[Any, ...]] = []
    bars: list[Bar] = []
    for step in STEPS:
        on_time_total = late_total = 0
        for row in _step_counts(step, filters, now):
            on_time, late = row["on_time"], row["late"]
            on_time_total, late_total = on_time_total + on_time, late_total + late
            rows.append(
                (step.name, month_label(row["month"]), on_time, late, row["not_due"],
                 percent(on_time, on_time + late) if on_time + late else "")
            )  # fmt: skip
        counted = on_time_total + late_total
        share = percent(on_time_total, counted)
        bars.append(Bar(step.name, share, f"{share}% of {counted}" if counted else "None due"))
    return Report(
        slug="timeliness",
        title="Timeliness against the standards",
        summary=(
            "Each step against its standard: done on time, done late (or overdue and still "
            "open), by the month its clock started."
        ),
        chart_title="Percentage of each step done on time in the period",
        chart_unit="%",
        value_header="On time",
        bars=bars,
        columns=["Step", "Month", "On time", "Late or overdue", "Not yet due", "% on time"],
        rows=rows,
    )


# Outcomes -----------------------------------------------------------------------------------


def outcomes(filters: Filters) -> Report:
    """Signed-off contact decisions by level of need, worker and outcome (how consistently
    thresholds are applied), with those that needed a safety-rule reason (casework.safety):
    one aggregate query."""
    decisions = _by_worker(
        ContactDecision.objects.filter(
            state=ContactDecision.State.SIGNED_OFF,
            reviewed_at__gte=filters.start_at,
            reviewed_at__lt=filters.end_at,
        ),
        "proposed_by", filters,
    )  # fmt: skip
    grouped = (
        decisions.annotate(reason_length=Length("safety_reason"))
        .values(
            "level_of_need__name",
            "proposed_by__first_name",
            "proposed_by__last_name",
            "proposed_by__username",
            "outcome",
        )
        .annotate(decisions=Count("pk"), with_reason=Count("pk", filter=Q(reason_length__gt=0)))
        .order_by("level_of_need__name", "proposed_by__last_name", "proposed_by__username")
    )
    labels = dict(Outcome.choices)
    rows = []
    by_level: dict[str, int] = defaultdict(int)
    for row in grouped:
        worker = (
            f"{row['proposed_by__first_name']} {row['proposed_by__last_name']}".strip()
            or row["proposed_by__username"]
        )
        rows.append(
            (row["level_of_need__name"], worker, labels.get(row["outcome"], row["outcome"]),
             row["decisions"], row["with_reason"])
        )  # fmt: skip
        by_level[row["level_of_need__name"]] += row["decisions"]
    return Report(
        slug="outcomes",
        title="Outcomes by level of need and worker",
        summary=(
            "Signed-off contact decisions in the period by level of need, worker and outcome, "
            "and how many needed a reason under the safety rule."
        ),
        chart_title="Signed-off decisions by level of need",
        chart_unit="",
        value_header="Decisions",
        bars=[Bar(level, count, str(count)) for level, count in by_level.items()],
        columns=["Level of need", "Worker", "Outcome", "Decisions", "With a safety-rule reason"],
        rows=rows,
    )


# Re-referrals -------------------------------------------------------------------------------


def re_referrals(filters: Filters) -> Report:
    """Referrals in the period by source, and how many were re-referrals within 12 months
    (referrals.selectors.with_re_referral, the CIN census's definition): one query."""
    referrals = _by_worker(
        Referral.objects.filter(referral_date__gte=filters.start, referral_date__lt=filters.end),
        "created_by", filters,
    )  # fmt: skip
    grouped = (
        with_re_referral(referrals)
        .values("source")
        .annotate(total=Count("pk"), again=Count("pk", filter=Q(re_referral=True)))
        .order_by("source")
    )
    labels = dict(ReferralSource.choices)
    rows, bars = [], []
    for row in grouped:
        share = percent(row["again"], row["total"])
        label = f"{row['source']} {labels.get(row['source'], '')}".strip()
        rows.append((label, row["total"], row["again"], share))
        bars.append(Bar(label, share, f"{share}% of {row['total']}"))
    return Report(
        slug="re-referrals",
        title="Re-referrals within 12 months",
        summary=(
            "Referrals in the period by source, and the re-referrals among them: the child had "
            "another referral in the 12 months before."
        ),
        chart_title="Percentage of referrals that were re-referrals, by source",
        chart_unit="%",
        value_header="Re-referrals",
        bars=bars,
        columns=["Source", "Referrals", "Re-referrals", "% re-referrals"],
        rows=rows,
    )


# Partner participation ----------------------------------------------------------------------


def partner_participation(filters: Filters, user: User) -> Report:
    """Agencies invited to strategy discussions held in the period, by agency and month: how
    many attended and contributed (one aggregate query); and the discussions held without an
    agency, with the reason given (the newest, one query; a restricted child's discussion
    shows "Restricted record" instead of the reason)."""
    held = _by_worker(
        StrategyDiscussion.objects.filter(
            held_at__gte=filters.start_at, held_at__lt=filters.end_at
        ).exclude(state=DiscussionState.CANCELLED),
        "convened_by", filters,
    )  # fmt: skip
    participants = Participant.objects.filter(discussion__in=held)
    grouped = (
        participants.annotate(month=TruncMonth("discussion__held_at"))
        .annotate(contribution_length=Length("contribution"))
        .values("agency__name", "month")
        .annotate(
            invited=Count("pk"),
            attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
            contributed=Count("pk", filter=Q(contribution_length__gt=0)),
        )
        .order_by("agency__name", "month")
    )
    rows = []
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in grouped:
        rows.append(
            (row["agency__name"], month_label(row["month"]), row["invited"], row["attended"],
             row["contributed"])
        )  # fmt: skip
        totals[row["agency__name"]][0] += row["invited"]
        totals[row["agency__name"]][1] += row["attended"]
    closed = access.closed_to(user, "discussion__children__child")
    absent = list(
        participants.filter(attendance__in=ABSENT)
        .annotate(closed=closed)
        .select_related("agency", "discussion")
        .only(
            "pk",
            "attendance",
            "absence_reason",
            "agency__name",
            "discussion__id",
            "discussion__state",
            "discussion__held_at",
        )
        .order_by("-discussion__held_at", "agency__name")[:DISCUSSIONS_WITHOUT_AGENCY_SHOWN]
    )
    seen: dict[int, Participant] = {}
    for participant in absent:
        # A discussion about several children appears once per child: the first row will do,
        # unless another says one of its children is restricted.
        kept = seen.get(participant.pk)
        if kept is None or getattr(participant, "closed", False):
            seen[participant.pk] = participant
    extra_rows = [
        (
            str(p.discussion), month_label(p.discussion.held_at), p.agency.name,
            p.get_attendance_display(),
            "Restricted record"
            if getattr(p, "closed", False)
            else (p.absence_reason or "No reason given"),
        )
        for p in seen.values()
    ]  # fmt: skip
    bars = [
        Bar(agency, percent(attended, invited), f"{percent(attended, invited)}% of {invited}")
        for agency, (invited, attended) in totals.items()
    ]
    return Report(
        slug="partner-participation",
        title="Partner participation in strategy discussions",
        summary=(
            "Agencies invited to the strategy discussions held in the period, by agency and "
            "month: how many attended and how many contributed."
        ),
        chart_title="Percentage of invitations attended, by agency",
        chart_unit="%",
        value_header="Attended",
        bars=bars,
        columns=["Agency", "Month", "Invited", "Attended", "Contributed"],
        rows=rows,
        model=StrategyDiscussion,
        ids=sorted({p.discussion_id for p in seen.values()}),
        extra_title="Discussions held without an agency, and the reason given",
        extra_columns=["Discussion", "Held", "Agency", "Attendance", "Reason given"],
        extra_rows=extra_rows,
    )


# Information sharing ------------------------------------------------------------------------


def information_sharing(filters: Filters) -> Report:
    """Shares and decisions not to share in the period, by agency and lawful basis: one
    aggregate query over the sharing records (accounts.sharing)."""
    records = _by_worker(
        SharingRecord.objects.filter(
            at__gte=filters.start_at, at__lt=filters.end_at,
            decision__in=[SharingDecision.SHARED, SharingDecision.NOT_SHARED],
        ),
        "by", filters,
    )  # fmt: skip
    grouped = (
        records.values("agency__name", "article6")
        .annotate(
            shared=Count("pk", filter=Q(decision=SharingDecision.SHARED)),
            not_shared=Count("pk", filter=Q(decision=SharingDecision.NOT_SHARED)),
        )
        .order_by("agency__name", "article6")
    )
    bases = dict(Article6Basis.choices)
    rows = []
    totals: dict[str, int] = defaultdict(int)
    for row in grouped:
        agency = row["agency__name"] or "A named person"
        rows.append(
            (agency, bases.get(row["article6"], row["article6"] or "Not given"), row["shared"],
             row["not_shared"])
        )  # fmt: skip
        totals[agency] += row["shared"]
    return Report(
        slug="information-sharing",
        title="Information sharing",
        summary=(
            "What was shared with each agency in the period and the decisions not to share, "
            "by the UK GDPR Article 6 basis recorded."
        ),
        chart_title="Shares by agency",
        chart_unit="",
        value_header="Shares",
        bars=[Bar(agency, count, str(count)) for agency, count in totals.items()],
        columns=["Agency", "Article 6 basis", "Shared", "Decided not to share"],
        rows=rows,
    )


# No further action and its sample ------------------------------------------------------------


def nfa_sample(filters: Filters, user: User, *, size: int = SAMPLE_SIZE) -> Report:
    """Contacts ending in no further action in the period (signed off), by month (one
    aggregate query), and a reproducible random sample of them for audit: ordered by a hash of
    the id and the seed, in SQL, so the same seed gives the same sample (one query)."""
    decisions = _by_worker(
        ContactDecision.objects.filter(
            state=ContactDecision.State.SIGNED_OFF,
            outcome=Outcome.NO_FURTHER_ACTION,
            reviewed_at__gte=filters.start_at,
            reviewed_at__lt=filters.end_at,
        ),
        "proposed_by", filters,
    )  # fmt: skip
    by_month = {
        _month(row["month"]): row["count"]
        for row in decisions.annotate(month=TruncMonth("reviewed_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("month")
    }
    rows_by_month = [(month_label(m), by_month.get(m, 0)) for m in filters.months()]
    seed = filters.seed % (SEED_MAX + 1)
    sample = list(
        decisions.annotate(
            draw=Mod((F("pk") + Value(seed)) * Value(_HASH_MULTIPLIER), Value(_HASH_MODULUS)),
            closed=access.closed_to(user, "contact_child__child_id"),
            level=F("level_of_need__name"),
        )
        .select_related("contact_child__contact", "proposed_by")
        .only(
            "pk",
            "reviewed_at",
            "contact_child__id",
            "contact_child__state",
            "contact_child__child_id",
            "contact_child__contact__id",
            "contact_child__contact__received_at",
            "proposed_by__first_name",
            "proposed_by__last_name",
            "proposed_by__username",
        )
        .order_by("draw", "pk")[:size]
    )
    rows: list[tuple[Any, ...]] = []
    for decision in sample:
        cc = decision.contact_child
        reference = child_reference(cc.child_id)
        worker = decision.proposed_by
        rows.append(
            (
                f"C-{cc.contact_id:06d}",
                f"Restricted record {reference}" if decision.closed else reference,
                timezone.localtime(cc.contact.received_at).date().isoformat(),
                timezone.localtime(decision.reviewed_at).date().isoformat()
                if decision.reviewed_at else "",
                worker.get_full_name() or worker.username,
                decision.level,
                cc.pk,
            )
        )  # fmt: skip
    return Report(
        slug="no-further-action",
        title="Contacts ending in no further action",
        summary=(
            "Contact decisions of no further action signed off in the period, by month, and a "
            f"random sample of {size} of them for audit. The same seed gives the same sample."
        ),
        chart_title="No further action decisions by month",
        chart_unit="",
        value_header="Decisions",
        bars=[Bar(label, count, str(count)) for label, count in rows_by_month],
        columns=[
            "Contact",
            "Child",
            "Received",
            "Signed off",
            "Worker",
            "Level of need",
            "Decision number",
        ],
        rows=rows,
        model=ContactChild,
        ids=[row[-1] for row in rows],
        notes=[f"Seed {seed}: {len(rows)} of {sum(by_month.values())} decisions sampled."],
    )


# Quality audits -----------------------------------------------------------------------------


def quality_audit_grades(filters: Filters) -> Report:
    """Completed quality audits' grades and their open actions, by team and month
    (quality.selectors.grades_by_team_and_month: two aggregate queries)."""
    grades = grades_by_team_and_month(
        start=filters.start, end=filters.end, team_id=filters.team_id,
        worker_id=filters.worker_id,
    )  # fmt: skip
    rows = [
        (g.team, month_label(g.month), g.outstanding, g.good, g.requires_improvement,
         g.inadequate, g.open_actions)
        for g in grades
    ]  # fmt: skip
    totals = [
        ("Outstanding", sum(g.outstanding for g in grades)),
        ("Good", sum(g.good for g in grades)),
        ("Requires improvement to be good", sum(g.requires_improvement for g in grades)),
        ("Inadequate", sum(g.inadequate for g in grades)),
    ]
    return Report(
        slug="quality-audits",
        title="Quality audit grades and open actions",
        summary=(
            "Quality audits completed in the period by team and month: their grades on "
            "Ofsted's four-point scale, and their actions not yet done."
        ),
        chart_title="Quality audits by grade",
        chart_unit="",
        value_header="Audits",
        bars=[Bar(label, count, str(count)) for label, count in totals],
        columns=[
            "Team",
            "Month",
            "Outstanding",
            "Good",
            "Requires improvement to be good",
            "Inadequate",
            "Open actions",
        ],
        rows=rows,
    )


@dataclass(frozen=True)
class ReportKind:
    slug: str
    title: str
    description: str
    build: Callable[[Filters, User], Report]


REPORTS: Sequence[ReportKind] = (
    ReportKind("timeliness", "Timeliness against the standards",
               "Each step against its standard, percent on time by month.",
               lambda f, u: timeliness(f)),
    ReportKind("outcomes", "Outcomes by level of need and worker",
               "How consistently thresholds are applied, and the decisions that needed a "
               "safety-rule reason.", lambda f, u: outcomes(f)),
    ReportKind("re-referrals", "Re-referrals within 12 months",
               "Referrals by source, and the re-referrals among them.",
               lambda f, u: re_referrals(f)),
    ReportKind("partner-participation", "Partner participation in strategy discussions",
               "Invited, attended and contributed, by agency and month, and discussions held "
               "without an agency.", partner_participation),
    ReportKind("information-sharing", "Information sharing",
               "Shares and decisions not to share, by agency and lawful basis.",
               lambda f, u: information_sharing(f)),
    ReportKind("no-further-action", "Contacts ending in no further action",
               "By month, with a reproducible random sample for audit.", nfa_sample),
    ReportKind("quality-audits", "Quality audit grades and open actions",
               "Grades and open actions by team and month.",
               lambda f, u: quality_audit_grades(f)),
)  # fmt: skip
REPORTS_BY_SLUG = {kind.slug: kind for kind in REPORTS}

__all__ = [
    "REPORTS",
    "REPORTS_BY_SLUG",
    "Bar",
    "Filters",
    "Report",
    "add_months",
    "last_twelve_months",
    "team_choices",
    "worker_choices",
]
