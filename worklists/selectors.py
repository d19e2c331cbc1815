"""Each role's work lists: what the home page counts and the list each count opens (issue 21).

One definition per list (`WorkList`): the model, the open rows it starts from (a partial
index's condition) and a filter on them for this user today. The home page's count and the
list's rows are the same filter, so a count always equals the rows its link shows. Counts are
conditional aggregates, one query per model however many lists count it; nothing is counted in
Python. The functions here take a user and a date and return plain values, so a morning
digest can call `counts_for(user, today=...)` as the home page does.

Who sees which list is the right its role grants (casework.access). A list of case records
names a restricted child as "Restricted record" unless it is open to the user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import selectors as account_selectors
from accounts.models import Agency, User
from accounts.permissions import Perm
from casework import access
from referrals.models import Allocation
from referrals.models.contacts import ContactChild, ContactChildState, ContactDecision
from referrals.models.episodes import (
    Assessment,
    AssessmentState,
    Referral,
    ReferralDecision,
    ReferralState,
)
from referrals.models.information_requests import InformationRequest, RequestState
from referrals.models.partner_referrals import PartnerReferral
from referrals.selectors import OPEN_STATES, next_due
from referrals.timescales import WorkingCalendar
from strategy.models import (
    Action,
    DiscussionChild,
    EnquiryOutcomeDecision,
    Participant,
    Section47,
    StrategyDiscussion,
)
from strategy.models.discussions import DiscussionState
from strategy.models.enquiries import EnquiryOutcome, Section47State

# Lists page their rows like the queue.
WORK_LIST_PAGE_SIZE = 50

# Contacts without a decision: the states before a manager's sign-off.
UNDECIDED = [ContactChildState.SCREENING.value, ContactChildState.PROPOSED.value]
DECIDING_REFERRAL = [ReferralState.OPEN.value, ReferralState.NEXT_STEPS_PROPOSED.value]
OPEN_S47 = [
    Section47State.OPEN.value,
    Section47State.OUTCOME_PROPOSED.value,
    Section47State.OUTCOME_SIGNED_OFF.value,
]


@dataclass(frozen=True)
class Today:
    """What every list's filter needs about the day: the date, and the working-day ages'
    boundaries (Europe/London midnights), from the project's working-day calendar."""

    day: date
    one_working_day_ago: datetime  # received at or after: 0 or 1 working days old
    three_working_days_ago: datetime  # received at or after: at most 3 working days old

    @classmethod
    def of(cls, day: date, calendar: WorkingCalendar | None = None) -> Today:
        calendar = calendar or WorkingCalendar.current()
        return cls(
            day=day,
            one_working_day_ago=_midnight(_earliest_within(day, 1, calendar)),
            three_working_days_ago=_midnight(_earliest_within(day, 3, calendar)),
        )


def _earliest_within(today: date, working_days: int, calendar: WorkingCalendar) -> date:
    """The earliest date whose age today is at most `working_days` working days (the day
    itself is day 0, referrals.timescales)."""
    day = today
    while calendar.working_days_between(day - timedelta(days=1), today) <= working_days:
        day -= timedelta(days=1)
    return day


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


# What each step of the journey is due by, as (model, open rows, due-date expression) --------


def _allocated_to(user: User) -> Q:
    """The row's child has an open allocation to the user: an uncorrelated subquery that the
    database reads once (the open allocations' partial index), not once per row."""
    return _allocated_to_id(user.pk)


def _in_teams_of(user: User) -> Q:
    """The row's child is allocated to a team the user manages (read once, as above)."""
    return _in_teams_of_id(user.pk)


# Built once per person and reused by every list and count that asks (a subquery holds no
# rows, only its SQL: Django copies it into each query that uses it).
@lru_cache(maxsize=512)
def _allocated_to_id(user_id: int) -> Q:
    return Q(
        child_id__in=Allocation.objects.filter(ended_at__isnull=True, worker_id=user_id).values(
            "child_id"
        )
    )


@lru_cache(maxsize=512)
def _in_teams_of_id(user_id: int) -> Q:
    return Q(
        child_id__in=Allocation.objects.filter(
            ended_at__isnull=True, team__manager_id=user_id
        ).values("child_id")
    )


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    model: type[models.Model]
    open: Q  # the open rows (a partial index's condition)
    due: Callable[[], models.Expression] | str  # a field name or an annotation
    # The record is about its children through DiscussionChild (a discussion of brothers and
    # sisters), not a child of its own: counted once however many of them are allocated.
    through_children: bool = False


STEPS = [
    Step("contact", "Contact decisions, sign-offs and feedback", ContactChild,
         Q(state__in=OPEN_STATES), next_due),
    Step("referral", "Referral next steps", Referral, Q(state__in=DECIDING_REFERRAL),
         "next_steps_due"),
    Step("assessment", "Assessments", Assessment, Q(state=AssessmentState.OPEN), "due"),
    Step("discussion", "Strategy discussions to hold", StrategyDiscussion,
         Q(state=DiscussionState.CONVENED), "due", through_children=True),
    Step("conference", "Initial conferences (section 47 enquiries)", Section47,
         Q(state__in=OPEN_S47), "conference_due"),
]  # fmt: skip


def _due_filter(step: Step, when: str, today: date) -> Q:
    field = "work_due" if callable(step.due) else step.due
    return Q(**{field: today}) if when == "today" else Q(**{f"{field}__lt": today})


# The lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkList:
    """One list: its model's open rows (`base`, a partial index's condition or a narrow key),
    then `where` for this user today; annotations the filter or the order needs."""

    key: str
    title: str
    model: type[models.Model]
    base: Q
    where: Callable[[User, Today], Q]
    allowed: Callable[[User], bool]
    order: tuple[str, ...] = ("pk",)
    annotations: Callable[[], dict[str, models.Expression]] = dict
    for_user: Callable[[User], Q] = lambda user: Q()  # a per-user narrowing of `base`


def _practitioner(user: User) -> bool:
    return access.has_right(user, Perm.PROPOSE_DECISIONS)


def _manager(user: User) -> bool:
    return access.has_right(user, Perm.SIGN_OFF_DECISIONS)


def _chair(user: User) -> bool:
    return access.has_right(user, Perm.CHAIR_CONFERENCES)


def _partner(user: User) -> bool:
    return access.has_right(user, Perm.ANSWER_INFORMATION_REQUESTS)


def _invited_partner(user: User) -> bool:
    """Partners who take part in discussions (the LADO service works from its inbox)."""
    return access.takes_part_in_discussions(user) and not access.uses_lado_inbox(user)


def _administrator(user: User) -> bool:
    return access.has_right(user, Perm.MANAGE_USERS)


def _step_where(step: Step, scope: str, when: str):
    def where(user: User, today: Today) -> Q:
        who = _allocated_to(user) if scope == "mine" else _in_teams_of(user)
        if step.through_children:
            who = Q(pk__in=DiscussionChild.objects.filter(who).values("discussion_id"))
        return _due_filter(step, when, today.day) & who

    return where


def _step_annotations(step: Step) -> Callable[[], dict[str, models.Expression]]:
    due = step.due
    if callable(due):
        return lambda: {"work_due": due()}
    return dict


def _step_lists() -> list[WorkList]:
    lists = []
    for step in STEPS:
        order = ("work_due" if callable(step.due) else str(step.due), "pk")
        ann = _step_annotations(step)
        for when, words in (("today", "due today"), ("overdue", "overdue")):
            lists.append(
                WorkList(f"my-{step.key}-{when}", f"{step.label} {words}: my children",
                         step.model, step.open, _step_where(step, "mine", when), _practitioner,
                         order, ann)
            )  # fmt: skip
        lists.append(
            WorkList(f"team-{step.key}-overdue", f"{step.label} overdue: my teams' children",
                     step.model, step.open, _step_where(step, "team", "overdue"), _manager,
                     order, ann)
        )  # fmt: skip
    return lists


def _returned_to_me(user: User, today: Today) -> Q:
    """Children being screened again whose proposal, the user's, was returned: the user's
    returned proposals read once (a partial index), not looked up for every open row."""
    return Q(current_decision__isnull=True) & Q(
        pk__in=ContactDecision.objects.filter(proposed_by_id=user.pk, state="returned").values(
            "contact_child_id"
        )
    )


def _next_steps_returned_to_me(user: User, today: Today) -> Q:
    """Referrals open again whose next steps, the user's proposal, were returned."""
    return Q(current_decision__isnull=True) & Q(
        pk__in=ReferralDecision.objects.filter(proposed_by_id=user.pk, state="returned").values(
            "referral_id"
        )
    )


def _outcomes_returned_to_me(user: User, today: Today) -> Q:
    """Enquiries open again whose outcome, the user's proposal, was returned."""
    return Q(current_outcome__isnull=True) & Q(
        pk__in=EnquiryOutcomeDecision.objects.filter(
            proposed_by_id=user.pk, state="returned"
        ).values("section47_id")
    )


def _answers_arrived(user: User, today: Today) -> Q:
    """Answers to the user's requests, for children still being decided."""
    return Q(contact_child__state__in=UNDECIDED)


def _my_actions(user: User, today: Today) -> Q:
    """Open actions for the user's agency from discussions the user convened (an action's
    owner is a name typed in the record, so the convener follows them up)."""
    return (
        Q(agency_id=user.agency_id)
        & Q(discussion__convened_by_id=user.pk)
        & ~Q(discussion__state=DiscussionState.CANCELLED)
    )


def _awaiting_sign_off(user: User, today: Today) -> Q:
    """Proposed decisions someone else proposed (four eyes): the user's own open proposals
    read once (a partial index), never a join that reads every decision ever made."""
    own = ContactDecision.objects.filter(proposed_by_id=user.pk, state="proposed").values("pk")
    return ~Q(current_decision_id__in=own)


def _next_steps_awaiting(user: User, today: Today) -> Q:
    """Next steps someone else proposed (four eyes); the open proposals are few, so their
    proposal is joined."""
    return ~Q(current_decision__proposed_by_id=user.pk)


def _outcomes_awaiting(user: User, today: Today) -> Q:
    """Section 47 outcomes someone else proposed (four eyes)."""
    return ~Q(current_outcome__proposed_by_id=user.pk)


def _discussions_awaiting(user: User, today: Today) -> Q:
    """Discussions held that someone else recorded (four eyes)."""
    return ~Q(recorded_by_id=user.pk)


def _contacts_aged(older_than: str | None, at_most: str | None):
    def where(user: User, today: Today) -> Q:
        q = Q(state__in=UNDECIDED)
        if older_than:
            q &= Q(received_at__lt=getattr(today, older_than))
        if at_most:
            q &= Q(received_at__gte=getattr(today, at_most))
        return q

    return where


def _invited(kind: str) -> Q:
    return Q(Exists(Participant.objects.filter(discussion=OuterRef("pk"), agency__kind=kind)))


def _discussions_without_partners(user: User, today: Today) -> Q:
    """Discussions convened, not yet held, without the police or health invited."""
    return ~_invited(Agency.Kind.POLICE) | ~_invited(Agency.Kind.HEALTH)


def _conferences_to_chair(user: User, today: Today) -> Q:
    """Enquiries whose signed-off outcome calls for an initial conference not yet held."""
    return Q(current_outcome__outcome=EnquiryOutcome.CONTINUING_RISK)


def _requests_to_answer(user: User, today: Today) -> Q:
    return Q(agency_id=user.agency_id) & Q(
        pk__in=access.visible_information_requests(user).values("pk")
    )


def _invitations(user: User, today: Today) -> Q:
    """Discussions the agency is invited to that are not yet held."""
    return Q(pk__in=access.invited_discussions(user).values("pk")) & Q(
        Exists(Participant.objects.filter(discussion=OuterRef("pk"), agency_id=user.agency_id))
    )


def _partner_actions(user: User, today: Today) -> Q:
    return Q(discussion__in=access.invited_discussions(user).values("pk"))


def _referral_feedback(user: User, today: Today) -> Q:
    """The user's referrals (the agency's, for a lead) of the last 30 days with feedback
    given on one of their children."""
    return (
        Q(pk__in=access.partner_referrals_for(user).values("pk"))
        & Q(submitted_at__gte=_midnight(today.day - timedelta(days=30)))
        & Q(
            Exists(
                ContactChild.objects.filter(
                    contact_id=OuterRef("contact_id"), feedback_given__isnull=False
                )
            )
        )
    )


def _without_two_factor(user: User, today: Today) -> Q:
    return ~Q(Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))


def _locked(user: User, today: Today) -> Q:
    return Q(username__in=account_selectors.locked_accounts())


WORK_LISTS: dict[str, WorkList] = {
    work_list.key: work_list
    for work_list in [
        *_step_lists(),
        WorkList("returned-to-me", "Proposals returned to me", ContactChild,
                 Q(state=ContactChildState.SCREENING), _returned_to_me, _practitioner,
                 ("received_at", "pk")),
        WorkList("next-steps-returned-to-me", "Next steps returned to me", Referral,
                 Q(state=ReferralState.OPEN), _next_steps_returned_to_me, _practitioner,
                 ("next_steps_due", "pk")),
        WorkList("outcomes-returned-to-me", "Section 47 outcomes returned to me", Section47,
                 Q(state=Section47State.OPEN), _outcomes_returned_to_me, _practitioner,
                 ("start_date", "pk")),
        WorkList("answers-arrived", "Answers arrived from partners", InformationRequest,
                 Q(state=RequestState.ANSWERED), _answers_arrived, _practitioner,
                 ("answered_at", "pk"), for_user=lambda user: Q(asked_by_id=user.pk)),
        WorkList("my-actions", "Open actions from discussions I convened", Action,
                 Q(done_at__isnull=True), _my_actions, _practitioner, ("due", "pk")),
        WorkList("awaiting-sign-off", "Decisions awaiting my sign-off", ContactChild,
                 Q(state=ContactChildState.PROPOSED), _awaiting_sign_off, _manager,
                 ("received_at", "contact_id", "pk")),
        WorkList("next-steps-awaiting-sign-off", "Next steps awaiting my sign-off", Referral,
                 Q(state=ReferralState.NEXT_STEPS_PROPOSED), _next_steps_awaiting, _manager,
                 ("next_steps_due", "pk")),
        WorkList("outcomes-awaiting-sign-off", "Section 47 outcomes awaiting my sign-off",
                 Section47, Q(state=Section47State.OUTCOME_PROPOSED), _outcomes_awaiting,
                 _manager, ("start_date", "pk")),
        WorkList("discussions-awaiting-sign-off", "Strategy discussions awaiting my sign-off",
                 StrategyDiscussion, Q(state=DiscussionState.HELD), _discussions_awaiting,
                 _manager, ("held_at", "pk")),
        WorkList("contacts-0-1", "Contacts 0 to 1 working days old without a decision",
                 ContactChild, Q(state__in=OPEN_STATES),
                 _contacts_aged(None, "one_working_day_ago"), _manager, ("received_at", "pk")),
        WorkList("contacts-2-3", "Contacts 2 to 3 working days old without a decision",
                 ContactChild, Q(state__in=OPEN_STATES),
                 _contacts_aged("one_working_day_ago", "three_working_days_ago"), _manager,
                 ("received_at", "pk")),
        WorkList("contacts-4-plus", "Contacts 4 or more working days old without a decision",
                 ContactChild, Q(state__in=OPEN_STATES),
                 _contacts_aged("three_working_days_ago", None), _manager,
                 ("received_at", "pk")),
        WorkList("discussions-without-partners",
                 "Discussions due without the police or health invited", StrategyDiscussion,
                 Q(state=DiscussionState.CONVENED), _discussions_without_partners, _manager,
                 ("due", "pk")),
        WorkList("conferences-to-chair", "Initial conferences to chair", Section47,
                 Q(state=Section47State.OUTCOME_SIGNED_OFF), _conferences_to_chair, _chair,
                 ("conference_due", "pk")),
        WorkList("requests-to-answer", "Information requests to answer", InformationRequest,
                 Q(state=RequestState.OPEN), _requests_to_answer, _partner, ("due_at", "pk"),
                 for_user=lambda user: Q(agency_id=user.agency_id)),
        WorkList("invitations", "Strategy discussions you are invited to", StrategyDiscussion,
                 Q(state=DiscussionState.CONVENED), _invitations, _invited_partner,
                 ("scheduled_for", "pk")),
        WorkList("partner-actions", "Your agency's open actions", Action,
                 Q(done_at__isnull=True), _partner_actions, _invited_partner, ("due", "pk"),
                 for_user=lambda user: Q(agency_id=user.agency_id)),
        WorkList("referral-feedback", "Feedback on your referrals (last 30 days)",
                 PartnerReferral, Q(contact__isnull=False), _referral_feedback, _partner,
                 ("-submitted_at", "pk")),
        WorkList("locked-accounts", "Accounts whose sign-in is paused", User,
                 Q(is_active=True), _locked, _administrator, ("username", "pk")),
        WorkList("without-two-factor", "Active users without two-factor sign-in", User,
                 Q(is_active=True), _without_two_factor, _administrator, ("username", "pk")),
    ]
}  # fmt: skip

# Caseload per worker: one list per worker of the manager's teams (the worker's id in the
# address, never a name).
CASELOAD = "caseload"


def caseload_rows(user: User, worker_id: int) -> QuerySet[Allocation]:
    """The open allocations of one worker in the teams the user manages."""
    return Allocation.objects.filter(
        ended_at__isnull=True, team__manager_id=user.pk, worker_id=worker_id
    )


def caseloads(user: User) -> list[tuple[int, str, int]]:
    """(worker id, name, open allocations) for each worker of the user's teams, one query."""
    rows = (
        Allocation.objects.filter(ended_at__isnull=True, team__manager_id=user.pk)
        .values("worker_id", "worker__first_name", "worker__last_name", "worker__username")
        .annotate(n=Count("pk"))
        .order_by("worker__first_name", "worker__last_name", "worker_id")
    )
    return [
        (
            row["worker_id"],
            f"{row['worker__first_name']} {row['worker__last_name']}".strip()
            or row["worker__username"],
            row["n"],
        )
        for row in rows
    ]


def lists_for(user: User) -> list[WorkList]:
    return [work_list for work_list in WORK_LISTS.values() if work_list.allowed(user)]


def rows_of(work_list: WorkList, user: User, today: Today) -> QuerySet:
    """The list's rows in its order: the same filter the count uses."""
    return (
        work_list.model._default_manager.filter(work_list.base, work_list.for_user(user))
        .annotate(**work_list.annotations())
        .filter(work_list.where(user, today))
        .order_by(*work_list.order)
    )


def counts_for(user: User, *, today: date | Today) -> dict[str, int]:
    """How many rows each of the user's lists holds: one query per model, conditional counts
    over the open rows (the lists' `base` conditions, which partial indexes serve), whatever
    the number of lists. For the home page and a digest alike."""
    by_model: dict[type[models.Model], list[WorkList]] = {}
    for work_list in lists_for(user):
        by_model.setdefault(work_list.model, []).append(work_list)
    if not by_model:
        return {}
    # The closure days (one query), for the working-day ages.
    day = today if isinstance(today, Today) else Today.of(today)
    counts: dict[str, int] = {}
    for model, lists in by_model.items():
        annotations: dict[str, models.Expression] = {}
        for work_list in lists:
            annotations.update(work_list.annotations())
        scope = Q()
        for condition in _distinct(Q(w.base, w.for_user(user)) for w in lists):
            scope |= condition
        result = (
            model._default_manager.filter(scope)
            .annotate(**annotations)
            .aggregate(
                **{
                    _alias(w.key): Count(
                        "pk", filter=Q(w.base, w.for_user(user)) & w.where(user, day)
                    )
                    for w in lists
                }
            )
        )
        counts.update({w.key: result[_alias(w.key)] or 0 for w in lists})
    return counts


def _distinct(conditions) -> list[Q]:
    """Each condition once (many lists start from the same open rows)."""
    unique: list[Q] = []
    for condition in conditions:
        if condition not in unique:
            unique.append(condition)
    return unique


def _alias(key: str) -> str:
    return "n_" + key.replace("-", "_")


# A page of a list's rows, for its page -------------------------------------------------------


@dataclass(frozen=True)
class WorkRow:
    pk: int
    reference: str  # the record's opaque reference ("Contact C-000123")
    child: str  # the child's name, "Restricted record", or "" for a record with none
    census_id: str
    due: date | None
    url: str


def _child_of(row) -> tuple[str, str]:
    child = getattr(row, "child", None)
    if child is None:
        return "", ""
    name = "Restricted record" if row.child_closed else f"{child.first_name} {child.last_name}"
    return name, child.census_id


_WITH_CHILD = {ContactChild, Referral, Assessment, Section47, InformationRequest, Allocation}


def _url(work_list_key: str, row, partner: bool) -> str:
    model = type(row)
    if model is ContactChild:
        if work_list_key == "awaiting-sign-off":
            return reverse("referrals:contact-sign-off", args=[row.contact_id])
        return reverse("referrals:decision", args=[row.contact_id, row.pk])
    if model is InformationRequest:
        if partner:
            return reverse("referrals:information-request", args=[row.pk])
        return reverse(
            "referrals:decision", args=[row.contact_child.contact_id, row.contact_child_id]
        )
    simple = {
        Referral: "referrals:referral", Assessment: "referrals:assessment",
        Section47: "strategy:section47", PartnerReferral: "referrals:my-referral",
        User: "accounts:user", Allocation: "referrals:child",
    }  # fmt: skip
    if model is StrategyDiscussion:
        return reverse("strategy:invitation" if partner else "strategy:discussion", args=[row.pk])
    if model is Action:
        name = "strategy:invitation" if partner else "strategy:discussion"
        return reverse(name, args=[row.discussion_id])
    if model is Allocation:
        return reverse("referrals:child", args=[row.child_id])
    return reverse(simple[model], args=[row.pk])


def _due(row) -> date | None:
    for field in ("work_due", "due", "next_steps_due", "conference_due"):
        value = getattr(row, field, None)
        if isinstance(value, date):
            return value.date() if isinstance(value, datetime) else value
    due_at = getattr(row, "due_at", None)
    return timezone.localtime(due_at).date() if due_at else None


def _reference(row) -> str:
    if isinstance(row, User):
        return row.display_name
    if isinstance(row, (ContactChild, InformationRequest)):
        contact_id = (
            row.contact_id if isinstance(row, ContactChild) else row.contact_child.contact_id
        )
        return f"Contact C-{contact_id:06d}"
    if isinstance(row, Allocation):
        return f"Allocated to {row.worker.display_name}"
    return str(row)


def page_rows(rows: QuerySet, *, key: str, user: User, offset: int, limit: int) -> list[WorkRow]:
    """A page of a list's rows, with the child (or "Restricted record"), in one query; no
    confidential text loaded."""
    model = rows.model
    if model in _WITH_CHILD:
        rows = rows.select_related("child").annotate(child_closed=access.closed_to(user, "child"))
    if model is InformationRequest:
        rows = rows.select_related("contact_child").defer("question", "answer", "family_note")
    if model is Allocation:
        rows = rows.select_related("worker")
    if model is ContactChild:
        rows = rows.defer("screening_notes", "feedback_note", "family_note")
    if model is Action:
        rows = rows.defer("description")
    if model is PartnerReferral:
        rows = rows.defer("referrer_role", "referrer_contact", "concern", "adults", "consent_note")
    partner = _partner(user) and not access.can_view_case_records(user)
    result = []
    for row in rows[offset : offset + limit]:
        name, census_id = _child_of(row) if model in _WITH_CHILD else ("", "")
        result.append(
            WorkRow(row.pk, _reference(row), name, census_id, _due(row), _url(key, row, partner))
        )
    return result


def manages_caseloads(user: User) -> bool:
    return _manager(user)
