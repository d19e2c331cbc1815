"""The strategy discussion's machine, through its services: convened, recorded, held, signed
off or returned, or cancelled; the attendance rule, the whole record, what the sign-off opens,
the urgent path, the audit (one entry per child) and the races."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from accounts.audit import AuditEntry, Event
from accounts.models import Agency
from accounts.permissions import Perm
from accounts.roles import ROLE_PERMISSIONS, Role
from casework.errors import ChangedBySomeoneElse, RuleBroken
from referrals import services as referral_services
from referrals.models.contacts import ContactChild, ContactChildState, Outcome
from referrals.models.episodes import Assessment, AssessmentState, Referral
from referrals.timescales import Timescale, due_date
from strategy import services
from strategy.models import (
    Action,
    Attendance,
    DiscussionChild,
    DiscussionFormat,
    DiscussionOutcome,
    DiscussionState,
    Section47,
    Section47State,
    StrategyDiscussion,
)
from strategy.services import AttendanceRecord, ChildDecision, RecordIncomplete
from tests.factories import AgencyFactory
from tests.referrals.factories import proposed as contact_proposed
from tests.strategy.factories import (
    TERMS,
    agencies,
    convened,
    held,
    next_steps_signed_off,
    referral,
    section47,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
KINDS = {
    Agency.Kind.LOCAL_AUTHORITY: "Local authority",
    Agency.Kind.POLICE: "Police",
    Agency.Kind.HEALTH: "Health",
}
INVITED = {  # the agencies tests.strategy.factories.agencies() invites
    Agency.Kind.LOCAL_AUTHORITY: "Test council",
    Agency.Kind.POLICE: "Test police",
    Agency.Kind.HEALTH: "Test health",
}


def roles_without(perm: Perm) -> list[Role]:
    return [role for role in Role if perm not in ROLE_PERMISSIONS[role]]


def transitions(record) -> list[tuple[str, str, str, str]]:
    entries = AuditEntry.objects.filter(
        event=Event.TRANSITION,
        content_type=ContentType.objects.get_for_model(type(record), for_concrete_model=False),
        object_pk=str(record.pk),
    ).order_by("sequence")
    return [
        (e.additional_data["transition"], e.additional_data["from"], e.additional_data["to"],
         e.child_ref)
        for e in entries
    ]  # fmt: skip


def fresh(record):
    return type(record).objects.get(pk=record.pk)


def weekday_back(count: int) -> date:
    """The `count`th weekday before today."""
    day = timezone.localdate()
    while count:
        day -= timedelta(days=1)
        count -= day.weekday() < 5
    return day


def at_ten(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=LONDON)


def ref(child_id: int) -> str:
    return f"FD{child_id:06d}"


def record(discussion, *, by, held_on: date | None = None, outcomes=None, attendance=None,
           **fields) -> StrategyDiscussion:  # fmt: skip
    """Save a full record: everyone attended unless `attendance` ({agency name: (attendance,
    reason)}) says otherwise; `outcomes` {child_id: outcome}, else a joint s47 for each."""
    attendance = attendance or {}
    outcomes = outcomes or {}
    rows = []
    for p in fresh(discussion).participants.select_related("agency"):
        state, reason = attendance.get(p.agency.name, (Attendance.ATTENDED, ""))
        rows.append(AttendanceRecord(
            participant_id=p.pk, attendance=state, attendees=f"For {p.agency.name}",
            absence_reason=reason, contribution=f"{p.agency.name} knows the family",
        ))  # fmt: skip
    decisions = [
        ChildDecision(
            discussion_child_id=c.pk,
            outcome=outcomes.get(c.child_id, DiscussionOutcome.SECTION_47_JOINT),
            rationale="Injuries unexplained",
        )
        for c in discussion.children.all()
    ]
    full = {
        "held_at": at_ten(held_on or weekday_back(1)), "history_reviewed": True,
        "history_note": "Chronology read", "childs_views": "Wants to stay with her aunt",
        "risk_analysis": "Injury pattern", "police_plan": "Joint interview",
        "safety_plan": "Stays with aunt", "legal_action": "None yet", "family_told": True,
        "family_note": "Mother told by phone", **fields,
    }  # fmt: skip
    return services.discussion_record(
        by=by, discussion=discussion, version=fresh(discussion).version, attendance=rows,
        decisions=decisions, **full,
    )  # fmt: skip


@pytest.fixture
def people(make_user):
    return {
        "practitioner": make_user(Role.PRACTITIONER),
        "manager": make_user(Role.MANAGER),
        "manager2": make_user(Role.MANAGER),
    }


@pytest.fixture
def opened(people) -> Referral:
    return next_steps_signed_off(by=people["practitioner"], signer=people["manager"])


@pytest.fixture
def discussion(opened, people) -> StrategyDiscussion:
    return convened(by=people["practitioner"], referrals=[opened])


def mark_held(discussion, *, by):
    return services.discussion_mark_held(by=by, discussion=discussion)


# Convening -----------------------------------------------------------------------------------


def test_a_discussion_about_two_children_is_convened_with_an_entry_per_child(people):
    first = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    second = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    discussion = convened(by=people["practitioner"], referrals=[first, second])
    assert discussion.state == DiscussionState.CONVENED
    assert discussion.convened_by == people["practitioner"]
    assert discussion.due == due_date(timezone.now(), Timescale.STRATEGY_DISCUSSION)
    assert set(discussion.children.values_list("child_id", "referral_id")) == {
        (first.child_id, first.pk), (second.child_id, second.pk),
    }  # fmt: skip
    assert set(discussion.participants.values_list("attendance", flat=True)) == {Attendance.INVITED}
    assert sorted(transitions(discussion)) == sorted(
        [("convene", "", "convened", ref(first.child_id)),
         ("convene", "", "convened", ref(second.child_id))]
    )  # fmt: skip


def test_a_same_day_discussion_is_due_today(opened, people):
    discussion = services.discussion_convene(
        by=people["practitioner"], referrals=[opened], scheduled_for=timezone.now(),
        format=DiscussionFormat.PHONE, chair=people["manager"], agencies=agencies(),
        same_day=True, sharing_terms=TERMS,
    )  # fmt: skip
    assert discussion.due == timezone.localdate()


def test_the_due_date_counts_from_when_the_cause_for_concern_arose(opened, people):
    # A concern phoned in to the out-of-hours team on Friday 2025-12-19 at 23:00: the
    # discussion is due on Monday 2025-12-22, whenever it is convened.
    friday_night = datetime(2025, 12, 19, 23, 0, tzinfo=LONDON)
    discussion = services.discussion_convene(
        by=people["practitioner"], referrals=[opened], scheduled_for=timezone.now(),
        format=DiscussionFormat.PHONE, chair=people["manager"], agencies=agencies(),
        cause_known_at=friday_night, sharing_terms=TERMS,
    )  # fmt: skip
    assert discussion.due == date(2025, 12, 22)
    with pytest.raises(RuleBroken, match="cannot be in the future"):
        services.discussion_convene(
            by=people["practitioner"], referrals=[opened], scheduled_for=timezone.now(),
            format=DiscussionFormat.PHONE, chair=people["manager"], agencies=agencies(),
            cause_known_at=timezone.now() + timedelta(hours=1), sharing_terms=TERMS,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no children", "Choose at least one child"),
        ("child twice", "Each child is in a discussion once"),
        ("closed referral", "referral is closed"),
        ("bad format", "Choose how the discussion is held"),
        ("partner chair", "The chair must be a local authority practitioner or manager"),
        ("agency twice", "Each agency is invited once"),
    ],
)
def test_convening_is_refused_when(opened, people, make_user, case, message):
    kwargs = {
        "by": people["practitioner"], "referrals": [opened], "scheduled_for": timezone.now(),
        "format": DiscussionFormat.MEETING, "chair": people["manager"], "agencies": agencies(),
        "sharing_terms": TERMS,
    }  # fmt: skip
    if case == "no children":
        kwargs["referrals"] = []
    elif case == "child twice":
        kwargs["referrals"] = [opened, opened]
    elif case == "closed referral":
        referral_services.referral_close(
            by=people["manager"], referral=opened, reason="RC7", on=timezone.localdate()
        )
        kwargs["referrals"] = [fresh(opened)]
    elif case == "bad format":
        kwargs["format"] = "carrier pigeon"
    elif case == "partner chair":
        kwargs["chair"] = make_user(Role.PARTNER_SAFEGUARDING_LEAD)
    else:
        kwargs["agencies"] = [*agencies(), agencies()[0]]
    with pytest.raises(RuleBroken, match=message):
        services.discussion_convene(**kwargs)
    assert not StrategyDiscussion.objects.exists()


@pytest.mark.parametrize("role", roles_without(Perm.CONVENE_STRATEGY_DISCUSSIONS))
def test_roles_without_the_right_cannot_convene(opened, people, make_user, role):
    with pytest.raises(PermissionDenied):
        services.discussion_convene(
            by=make_user(role), referrals=[opened], scheduled_for=timezone.now(),
            format=DiscussionFormat.VIDEO, chair=people["manager"], agencies=agencies(),
            sharing_terms=TERMS,
        )  # fmt: skip
    assert not StrategyDiscussion.objects.exists()


# Recording -----------------------------------------------------------------------------------


def test_the_record_is_saved_with_attendance_contributions_and_decisions(discussion, people):
    police = Agency.objects.get(name="Test police")
    saved = record(
        discussion, by=people["practitioner"],
        attendance={"Test police": (Attendance.APOLOGIES, "On a call-out")},
    )  # fmt: skip
    assert saved.version == discussion.version + 1
    assert saved.risk_analysis == "Injury pattern"
    absent = saved.participants.get(agency=police)
    assert (absent.attendance, absent.absence_reason) == (Attendance.APOLOGIES, "On a call-out")
    present = saved.participants.get(agency__kind=Agency.Kind.HEALTH)
    assert (present.attendance, present.absence_reason) == (Attendance.ATTENDED, "")
    assert present.contribution == "Test health knows the family"
    child = saved.children.get()
    assert (child.outcome, child.rationale) == (
        DiscussionOutcome.SECTION_47_JOINT, "Injuries unexplained",
    )  # fmt: skip
    assert saved.state == DiscussionState.CONVENED  # recording is not recording as held
    assert transitions(discussion) == [("convene", "", "convened", ref(child.child_id))]


def test_an_absence_reason_is_dropped_when_the_agency_attended(discussion, people):
    saved = record(
        discussion, by=people["practitioner"],
        attendance={"Test police": (Attendance.ATTENDED, "Stale reason")},
    )  # fmt: skip
    assert saved.participants.get(agency__name="Test police").absence_reason == ""


def test_a_stale_version_is_told_and_overwrites_nothing(discussion, people):
    shown = discussion.version
    record(discussion, by=people["practitioner"])
    with pytest.raises(ChangedBySomeoneElse) as told:
        services.discussion_record(
            by=people["manager"], discussion=discussion, version=shown,
            risk_analysis="Mine instead",
        )  # fmt: skip
    assert told.value.current.risk_analysis == "Injury pattern"
    assert fresh(discussion).risk_analysis == "Injury pattern"


def test_the_held_time_cannot_be_in_the_future(discussion, people):
    with pytest.raises(RuleBroken, match="cannot be in the future"):
        services.discussion_record(
            by=people["practitioner"], discussion=discussion, version=discussion.version,
            held_at=timezone.now() + timedelta(minutes=5), risk_analysis="Saved?",
        )  # fmt: skip
    current = fresh(discussion)
    assert (current.held_at, current.risk_analysis, current.version) == (None, "", 1)


@pytest.mark.parametrize("case", ["not invited", "bad attendance", "other child", "bad outcome"])
def test_a_bad_row_saves_nothing(discussion, people, case):
    participant = discussion.participants.first()
    child = discussion.children.get()
    attendance, decisions = [], []
    if case == "not invited":
        attendance = [AttendanceRecord(participant_id=participant.pk + 999, attendance="attended")]
    elif case == "bad attendance":
        attendance = [AttendanceRecord(participant_id=participant.pk, attendance="maybe")]
    elif case == "other child":
        decisions = [
            ChildDecision(discussion_child_id=child.pk + 999, outcome="nfa", rationale="x")
        ]
    else:
        decisions = [ChildDecision(discussion_child_id=child.pk, outcome="adopt", rationale="x")]
    with pytest.raises(RuleBroken):
        services.discussion_record(
            by=people["practitioner"], discussion=discussion, version=discussion.version,
            attendance=attendance, decisions=decisions, risk_analysis="Should not be kept",
        )  # fmt: skip
    assert fresh(discussion).risk_analysis == ""
    assert fresh(discussion).version == discussion.version


def test_an_unknown_field_is_a_programming_error(discussion, people):
    with pytest.raises(TypeError, match="Unknown fields: mood"):
        services.discussion_record(
            by=people["practitioner"], discussion=discussion, version=discussion.version,
            mood="tense",
        )  # fmt: skip


@pytest.mark.parametrize("role", roles_without(Perm.CONVENE_STRATEGY_DISCUSSIONS))
def test_roles_without_the_right_cannot_record(discussion, make_user, role):
    with pytest.raises(PermissionDenied):
        record(discussion, by=make_user(role))
    assert fresh(discussion).risk_analysis == ""


# Recorded as held: attendance and the whole record ---------------------------------------------


def test_a_full_record_is_recorded_as_held(discussion, people):
    record(discussion, by=people["practitioner"])
    done = mark_held(discussion, by=people["practitioner"])
    assert done.state == DiscussionState.HELD
    assert done.recorded_by == people["practitioner"]
    assert done.recorded_at is not None
    child_id = discussion.children.get().child_id
    assert transitions(discussion)[-1] == ("record_held", "convened", "held", ref(child_id))
    assert not Section47.objects.exists()  # nothing opens before the sign-off


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"held_at": None}, "Enter the date and time the discussion was held"),
        ({"history_reviewed": None}, "Review the child's chronology"),
        ({"risk_analysis": ""}, "Record the risk analysis"),
        ({"childs_views": ""}, "Record the child's views, or why they could not be sought"),
        ({"family_told": None}, "Record what the family is told, or why not"),
        ({"family_note": ""}, "Record what the family is told, or why not"),
    ],
)
def test_each_part_of_the_record_is_needed(discussion, people, fields, problem):
    record(discussion, by=people["practitioner"], **fields)
    with pytest.raises(RecordIncomplete) as refused:
        mark_held(discussion, by=people["practitioner"])
    assert any(p.startswith(problem) for p in refused.value.problems), refused.value.problems
    assert len(refused.value.problems) == 1
    assert fresh(discussion).state == DiscussionState.CONVENED


def test_the_history_not_reviewed_is_an_answer(discussion, people):
    record(discussion, by=people["practitioner"], history_reviewed=False, family_told=False,
           family_note="Telling the family would put the child at risk")  # fmt: skip
    assert mark_held(discussion, by=people["practitioner"]).state == DiscussionState.HELD


@pytest.mark.parametrize("missing", ["outcome", "rationale"])
def test_each_child_needs_a_decision_and_its_rationale(people, missing):
    first = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    second = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    discussion = convened(by=people["practitioner"], referrals=[first, second])
    record(discussion, by=people["practitioner"])
    child = discussion.children.get(child_id=second.child_id)
    services.discussion_record(
        by=people["practitioner"], discussion=discussion, version=fresh(discussion).version,
        decisions=[ChildDecision(
            discussion_child_id=child.pk,
            outcome="" if missing == "outcome" else DiscussionOutcome.NO_FURTHER_ACTION,
            rationale="" if missing == "rationale" else "Seen, safe",
        )],
    )  # fmt: skip
    with pytest.raises(RecordIncomplete) as refused:
        mark_held(discussion, by=people["practitioner"])
    assert refused.value.problems == [f"Record the decision and rationale for {child.child}"]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize(
    "attendance", [Attendance.APOLOGIES, Attendance.DID_NOT_ATTEND, Attendance.INVITED]
)
def test_a_required_agency_absent_without_a_reason_stops_it(discussion, people, kind, attendance):
    name = INVITED[kind]
    record(discussion, by=people["practitioner"], attendance={name: (attendance, "")})
    with pytest.raises(RecordIncomplete) as refused:
        mark_held(discussion, by=people["practitioner"])
    assert refused.value.problems == [
        f"{KINDS[kind]} did not take part: record who attended for {KINDS[kind].lower()}, or "
        "the reason they did not"
    ]


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_required_agency_absent_with_its_reason_lets_it_be_held(discussion, people, kind):
    name = INVITED[kind]
    record(
        discussion, by=people["practitioner"],
        attendance={name: (Attendance.DID_NOT_ATTEND, "No one free at short notice")},
    )  # fmt: skip
    assert mark_held(discussion, by=people["practitioner"]).state == DiscussionState.HELD


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_required_agency_not_invited_at_all_stops_it(opened, people, kind):
    invited = [a for a in agencies() if a.kind != kind]
    discussion = services.discussion_convene(
        by=people["practitioner"], referrals=[opened], scheduled_for=timezone.now(),
        format=DiscussionFormat.VIDEO, chair=people["practitioner"], agencies=invited,
        sharing_terms=TERMS,
    )  # fmt: skip
    record(discussion, by=people["practitioner"])
    with pytest.raises(RecordIncomplete) as refused:
        mark_held(discussion, by=people["practitioner"])
    assert refused.value.problems[0].startswith(f"{KINDS[kind]} did not take part")


def test_one_of_two_health_agencies_attending_is_enough(discussion, people):
    services.discussion_invite(
        by=people["practitioner"], discussion=discussion,
        agency=AgencyFactory(name="Test GP surgery", kind=Agency.Kind.HEALTH),
    )  # fmt: skip
    record(
        discussion, by=people["practitioner"],
        attendance={"Test GP surgery": (Attendance.DID_NOT_ATTEND, "")},
    )  # fmt: skip
    # The GP did not attend without a reason, but health took part through the trust.
    assert mark_held(discussion, by=people["practitioner"]).state == DiscussionState.HELD


def test_every_absent_agency_gives_its_reason(discussion, people):
    school = AgencyFactory(name="Test school", kind=Agency.Kind.EDUCATION)
    services.discussion_invite(by=people["practitioner"], discussion=discussion, agency=school)
    record(
        discussion, by=people["practitioner"],
        attendance={"Test school": (Attendance.APOLOGIES, "")},
    )  # fmt: skip
    with pytest.raises(RecordIncomplete) as refused:
        mark_held(discussion, by=people["practitioner"])
    assert refused.value.problems == ["Give the reason Test school did not attend"]
    record(
        discussion, by=people["practitioner"],
        attendance={"Test school": (Attendance.APOLOGIES, "Term has ended")},
    )  # fmt: skip
    assert mark_held(discussion, by=people["practitioner"]).state == DiscussionState.HELD


def test_the_discussion_is_not_held_before_a_childs_referral_date(discussion, opened, people):
    """Census rule 2889: no enquiry starts before its referral."""
    record(
        discussion, by=people["practitioner"],
        held_on=opened.referral_date - timedelta(days=1),
    )  # fmt: skip
    with pytest.raises(RecordIncomplete) as refused:
        mark_held(discussion, by=people["practitioner"])
    assert refused.value.problems == [
        f"The discussion cannot be held before {discussion.children.get().child}'s referral "
        f"date ({opened.referral_date:%-d %B %Y})"
    ]
    record(discussion, by=people["practitioner"], held_on=opened.referral_date)
    assert mark_held(discussion, by=people["practitioner"]).state == DiscussionState.HELD


def test_one_open_section_47_per_referral(people):
    enquiry = section47(by=people["practitioner"], signer=people["manager"])
    again = convened(by=people["practitioner"], referrals=[enquiry.referral])
    record(again, by=people["practitioner"], outcomes={
        enquiry.child_id: DiscussionOutcome.SECTION_47_SINGLE})  # fmt: skip
    assert services.record_problems(fresh(again)) == [
        f"{again.children.get().child} already has an open section 47 enquiry: one open "
        "enquiry per referral"
    ]
    with pytest.raises(RecordIncomplete):
        mark_held(again, by=people["practitioner"])
    # Another decision for the child is fine: the enquiry continues.
    record(again, by=people["practitioner"], outcomes={
        enquiry.child_id: DiscussionOutcome.POLICE_ONLY})  # fmt: skip
    assert mark_held(again, by=people["practitioner"]).state == DiscussionState.HELD


def test_two_discussions_held_for_one_referral_open_one_enquiry(opened, people):
    """Both recorded as held (each with a decision to enquire) before either is signed off:
    the second sign-off is refused in plain words, not by the database."""
    first = held(by=people["practitioner"], referrals=[opened])
    second = held(by=people["practitioner"], referrals=[opened])
    services.discussion_sign_off(by=people["manager"], discussion=first)
    with pytest.raises(RuleBroken, match="already has an open section 47 enquiry"):
        services.discussion_sign_off(by=people["manager"], discussion=second)
    assert fresh(second).state == DiscussionState.HELD
    assert Section47.objects.filter(referral=opened).count() == 1


def test_the_database_refuses_a_second_open_section_47(people):
    enquiry = section47(by=people["practitioner"], signer=people["manager"])
    again = convened(by=people["practitioner"], referrals=[enquiry.referral])
    with pytest.raises(IntegrityError), transaction.atomic():
        Section47.objects.create(
            discussion_child=again.children.get(), child_id=enquiry.child_id,
            referral=enquiry.referral, assessment=enquiry.assessment, joint=False,
            start_date=enquiry.start_date, conference_due=enquiry.conference_due,
        )  # fmt: skip
    assert Section47.objects.filter(referral=enquiry.referral).count() == 1


def test_the_model_refuses_an_incomplete_record_and_the_wrong_state(discussion, people):
    current = fresh(discussion)
    with pytest.raises(TransitionNotAllowed):
        current.record_held(by=people["practitioner"])
    with pytest.raises(TransitionNotAllowed):
        current.sign_off(by=people["manager"])
    with pytest.raises(TransitionNotAllowed):
        current.return_for_changes(by=people["manager"], comment="No")
    record(discussion, by=people["practitioner"])
    mark_held(discussion, by=people["practitioner"])
    current = fresh(discussion)
    with pytest.raises(TransitionNotAllowed):
        current.record_held(by=people["practitioner"])
    with pytest.raises(TransitionNotAllowed):
        current.cancel(by=people["practitioner"], reason="Too late")


def test_a_discussion_is_recorded_as_held_once(discussion, people):
    record(discussion, by=people["practitioner"])
    mark_held(discussion, by=people["practitioner"])
    with pytest.raises(RuleBroken, match="Only a convened discussion can be recorded as held"):
        mark_held(discussion, by=people["manager"])
    with pytest.raises(RuleBroken, match="only before it is recorded as held"):
        record(discussion, by=people["practitioner"], risk_analysis="Changed after")
    assert fresh(discussion).recorded_by == people["practitioner"]
    assert fresh(discussion).risk_analysis == "Injury pattern"


@pytest.mark.parametrize("role", roles_without(Perm.CONVENE_STRATEGY_DISCUSSIONS))
def test_roles_without_the_right_cannot_record_it_as_held(discussion, people, make_user, role):
    record(discussion, by=people["practitioner"])
    with pytest.raises(PermissionDenied):
        mark_held(discussion, by=make_user(role))
    assert fresh(discussion).state == DiscussionState.CONVENED


# Signed off: what it opens ---------------------------------------------------------------------


def test_the_enquiry_starts_on_the_discussions_date_not_the_sign_off(discussion, opened, people):
    held_on = weekday_back(4)
    record(discussion, by=people["practitioner"], held_on=held_on)
    mark_held(discussion, by=people["practitioner"])
    services.discussion_sign_off(by=people["manager"], discussion=discussion, comment="Agreed")
    current = fresh(discussion)
    assert current.state == DiscussionState.SIGNED_OFF
    assert (current.reviewed_by, current.review_comment) == (people["manager"], "Agreed")
    enquiry = Section47.objects.get(referral=opened)
    assert enquiry.start_date == held_on != timezone.localdate()
    assert enquiry.conference_due == due_date(held_on, Timescale.INITIAL_CONFERENCE)
    assert enquiry.state == Section47State.OPEN
    assert enquiry.joint
    assert enquiry.discussion_child == discussion.children.get()
    # It opens the child's assessment, also dated when the discussion was held.
    assert enquiry.assessment.start_date == held_on
    assert enquiry.assessment.state == AssessmentState.OPEN
    assert enquiry.assessment.referral == opened


def test_a_single_agency_enquiry_is_not_joint(discussion, opened, people):
    record(discussion, by=people["practitioner"],
           outcomes={opened.child_id: DiscussionOutcome.SECTION_47_SINGLE})  # fmt: skip
    mark_held(discussion, by=people["practitioner"])
    services.discussion_sign_off(by=people["manager"], discussion=discussion)
    assert not Section47.objects.get(referral=opened).joint


def test_the_enquiry_continues_the_open_assessment(people):
    from referrals.models.episodes import NextSteps

    opened = next_steps_signed_off(
        by=people["practitioner"], signer=people["manager"], next_steps=NextSteps.ASSESSMENT
    )
    assessment = opened.assessments.get()
    discussion = convened(by=people["practitioner"], referrals=[opened])
    record(discussion, by=people["practitioner"])
    mark_held(discussion, by=people["practitioner"])
    services.discussion_sign_off(by=people["manager"], discussion=discussion)
    assert Section47.objects.get(referral=opened).assessment == assessment
    assert opened.assessments.count() == 1


def test_a_section_17_outcome_opens_an_assessment_on_the_discussions_date(
    discussion, opened, people
):
    held_on = weekday_back(3)
    record(discussion, by=people["practitioner"], held_on=held_on,
           outcomes={opened.child_id: DiscussionOutcome.ASSESSMENT})  # fmt: skip
    mark_held(discussion, by=people["practitioner"])
    services.discussion_sign_off(by=people["manager"], discussion=discussion)
    assessment = Assessment.objects.get(referral=opened)
    assert assessment.start_date == held_on
    assert assessment.due == due_date(opened.referral_date, Timescale.ASSESSMENT)
    assert not Section47.objects.exists()


@pytest.mark.parametrize(
    "outcome",
    [DiscussionOutcome.POLICE_ONLY, DiscussionOutcome.RECONVENE,
     DiscussionOutcome.NO_FURTHER_ACTION],
)  # fmt: skip
def test_other_outcomes_open_nothing(discussion, opened, people, outcome):
    record(discussion, by=people["practitioner"], outcomes={opened.child_id: outcome})
    mark_held(discussion, by=people["practitioner"])
    services.discussion_sign_off(by=people["manager"], discussion=discussion)
    assert fresh(discussion).state == DiscussionState.SIGNED_OFF
    assert not Section47.objects.exists()
    assert not Assessment.objects.exists()


def test_two_children_each_get_their_own_outcome_and_audit_entries(people):
    first = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    second = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    discussion = convened(by=people["practitioner"], referrals=[first, second])
    record(discussion, by=people["practitioner"], outcomes={
        first.child_id: DiscussionOutcome.SECTION_47_JOINT,
        second.child_id: DiscussionOutcome.ASSESSMENT,
    })  # fmt: skip
    mark_held(discussion, by=people["practitioner"])
    services.discussion_sign_off(by=people["manager"], discussion=discussion)
    assert Section47.objects.get().child_id == first.child_id
    assert Assessment.objects.get(referral=second).start_date == weekday_back(1)
    entries = transitions(discussion)
    for child_id in (first.child_id, second.child_id):
        assert [e[:3] for e in entries if e[3] == ref(child_id)] == [
            ("convene", "", "convened"),
            ("record_held", "convened", "held"),
            ("sign_off", "held", "signed_off"),
        ]
    assert len(entries) == 6


def test_four_eyes_whoever_recorded_it_as_held_never_reviews_it(discussion, people):
    record(discussion, by=people["manager"])
    mark_held(discussion, by=people["manager"])
    with pytest.raises(RuleBroken, match="You recorded this discussion as held, so another"):
        services.discussion_sign_off(by=people["manager"], discussion=discussion)
    with pytest.raises(RuleBroken, match="You recorded this discussion as held"):
        services.discussion_return(by=people["manager"], discussion=discussion, comment="Hm")
    with pytest.raises(RuleBroken, match="You recorded this discussion as held"):
        fresh(discussion).sign_off(by=people["manager"])  # the model refuses it too
    assert fresh(discussion).state == DiscussionState.HELD
    assert not Section47.objects.exists()
    services.discussion_sign_off(by=people["manager2"], discussion=discussion)
    assert fresh(discussion).state == DiscussionState.SIGNED_OFF


def test_with_one_manager_the_discussion_waits_for_another(make_user):
    practitioner, manager = make_user(Role.PRACTITIONER), make_user(Role.MANAGER)
    opened = next_steps_signed_off(by=practitioner, signer=manager)
    discussion = held(by=manager, referrals=[opened])
    with pytest.raises(RuleBroken, match="There is no other manager yet: it waits for one"):
        services.discussion_sign_off(by=manager, discussion=discussion)
    assert fresh(discussion).state == DiscussionState.HELD


def test_only_a_discussion_held_is_signed_off_or_returned(discussion, people):
    with pytest.raises(RuleBroken, match="Only a discussion recorded as held can be signed off"):
        services.discussion_sign_off(by=people["manager"], discussion=discussion)
    with pytest.raises(RuleBroken, match="Only a discussion recorded as held can be returned"):
        services.discussion_return(by=people["manager"], discussion=discussion, comment="No")
    record(discussion, by=people["practitioner"])
    mark_held(discussion, by=people["practitioner"])
    services.discussion_sign_off(by=people["manager"], discussion=discussion)
    with pytest.raises(RuleBroken, match="Only a discussion recorded as held can be signed off"):
        services.discussion_sign_off(by=people["manager2"], discussion=discussion)
    assert Section47.objects.count() == 1


@pytest.mark.parametrize("role", roles_without(Perm.SIGN_OFF_DECISIONS))
@pytest.mark.parametrize("action", ["sign_off", "return"])
def test_roles_without_the_right_cannot_review_a_discussion(
    discussion, people, make_user, role, action
):
    record(discussion, by=people["practitioner"])
    mark_held(discussion, by=people["practitioner"])
    with pytest.raises(PermissionDenied):
        if action == "sign_off":
            services.discussion_sign_off(by=make_user(role), discussion=discussion)
        else:
            services.discussion_return(by=make_user(role), discussion=discussion, comment="x")
    assert fresh(discussion).state == DiscussionState.HELD


# Returned ----------------------------------------------------------------------------------------


def test_a_returned_record_is_changed_and_held_again(discussion, people):
    record(discussion, by=people["practitioner"])
    mark_held(discussion, by=people["practitioner"])
    version = fresh(discussion).version
    with pytest.raises(RuleBroken, match="Say what needs to change"):
        services.discussion_return(by=people["manager"], discussion=discussion, comment=" ")
    services.discussion_return(
        by=people["manager"], discussion=discussion, comment="Add the child's views"
    )
    current = fresh(discussion)
    assert current.state == DiscussionState.CONVENED
    assert current.version == version + 1  # an open form of the old record is now stale
    assert (current.reviewed_by, current.review_comment) == (
        people["manager"], "Add the child's views",
    )  # fmt: skip
    record(discussion, by=people["practitioner"], childs_views="Said she is frightened")
    mark_held(discussion, by=people["practitioner"])
    services.discussion_sign_off(by=people["manager"], discussion=discussion)
    assert fresh(discussion).state == DiscussionState.SIGNED_OFF
    assert [t[0] for t in transitions(discussion)] == [
        "convene", "record_held", "return_for_changes", "record_held", "sign_off",
    ]  # fmt: skip


# Cancelled ---------------------------------------------------------------------------------------


def test_a_convened_discussion_is_cancelled_with_its_reason(discussion, people):
    with pytest.raises(RuleBroken, match="Give the reason the discussion is cancelled"):
        services.discussion_cancel(by=people["practitioner"], discussion=discussion, reason=" ")
    services.discussion_cancel(
        by=people["practitioner"], discussion=discussion, reason="Child admitted to hospital"
    )
    current = fresh(discussion)
    assert current.state == DiscussionState.CANCELLED
    assert not current.is_open
    assert (current.cancelled_by, current.cancel_reason) == (
        people["practitioner"], "Child admitted to hospital",
    )  # fmt: skip
    assert transitions(discussion)[-1][:3] == ("cancel", "convened", "cancelled")
    with pytest.raises(RuleBroken):
        record(discussion, by=people["practitioner"])
    with pytest.raises(RuleBroken):
        mark_held(discussion, by=people["practitioner"])
    with pytest.raises(RuleBroken, match="Only a discussion not yet held can be cancelled"):
        services.discussion_cancel(by=people["practitioner"], discussion=discussion, reason="x")


def test_a_held_discussion_cannot_be_cancelled(discussion, people):
    record(discussion, by=people["practitioner"])
    mark_held(discussion, by=people["practitioner"])
    with pytest.raises(RuleBroken, match="Only a discussion not yet held can be cancelled"):
        services.discussion_cancel(by=people["manager"], discussion=discussion, reason="Late")
    assert fresh(discussion).state == DiscussionState.HELD


@pytest.mark.parametrize("role", roles_without(Perm.CONVENE_STRATEGY_DISCUSSIONS))
def test_roles_without_the_right_cannot_cancel(discussion, make_user, role):
    with pytest.raises(PermissionDenied):
        services.discussion_cancel(by=make_user(role), discussion=discussion, reason="x")
    assert fresh(discussion).state == DiscussionState.CONVENED


# Actions -----------------------------------------------------------------------------------------


def test_actions_are_added_and_removed_only_before_it_is_held(discussion, people):
    police = Agency.objects.get(name="Test police")
    with pytest.raises(RuleBroken, match="Give the action and who owns it"):
        services.discussion_action_add(
            by=people["practitioner"], discussion=discussion, description="Visit", owner=" ",
            agency=police, due=timezone.localdate(),
        )  # fmt: skip
    action = services.discussion_action_add(
        by=people["practitioner"], discussion=discussion, description="Interview mother",
        owner="DC Smith", agency=police, due=timezone.localdate(),
    )  # fmt: skip
    spare = services.discussion_action_add(
        by=people["practitioner"], discussion=discussion, description="Typo", owner="Me",
        agency=police, due=timezone.localdate(),
    )  # fmt: skip
    services.discussion_action_remove(by=people["practitioner"], action=spare)
    assert list(discussion.actions.all()) == [action]
    record(discussion, by=people["practitioner"])
    mark_held(discussion, by=people["practitioner"])
    with pytest.raises(RuleBroken):
        services.discussion_action_add(
            by=people["practitioner"], discussion=fresh(discussion), description="Late",
            owner="Me", agency=police, due=timezone.localdate(),
        )  # fmt: skip
    with pytest.raises(RuleBroken):
        services.discussion_action_remove(
            by=people["practitioner"], action=Action.objects.get(pk=action.pk)
        )
    assert discussion.actions.count() == 1


def test_an_agency_is_invited_once_and_only_before_it_is_held(discussion, people):
    school = AgencyFactory(name="Test school", kind=Agency.Kind.EDUCATION)
    services.discussion_invite(by=people["practitioner"], discussion=discussion, agency=school)
    with pytest.raises(RuleBroken, match="Test school is already invited"):
        services.discussion_invite(by=people["manager"], discussion=discussion, agency=school)
    record(discussion, by=people["practitioner"])
    mark_held(discussion, by=people["practitioner"])
    with pytest.raises(RuleBroken, match="only before the discussion is recorded as held"):
        services.discussion_invite(
            by=people["practitioner"], discussion=fresh(discussion),
            agency=AgencyFactory(name="Test LADO", kind=Agency.Kind.LADO),
        )  # fmt: skip
    assert discussion.participants.count() == 4


@pytest.mark.parametrize("role", roles_without(Perm.CONVENE_STRATEGY_DISCUSSIONS))
def test_roles_without_the_right_cannot_invite_or_remove_actions(
    discussion, people, make_user, role
):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        services.discussion_invite(
            by=user, discussion=discussion,
            agency=AgencyFactory(name="Test school", kind=Agency.Kind.EDUCATION),
        )  # fmt: skip
    action = services.discussion_action_add(
        by=people["practitioner"], discussion=discussion, description="Visit", owner="Me",
        agency=Agency.objects.get(name="Test police"), due=timezone.localdate(),
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.discussion_action_remove(by=user, action=action)
    assert discussion.participants.count() == 3
    assert discussion.actions.count() == 1


@pytest.mark.parametrize("role", roles_without(Perm.CONVENE_STRATEGY_DISCUSSIONS))
def test_roles_without_the_right_cannot_add_actions(discussion, make_user, role):
    with pytest.raises(PermissionDenied):
        services.discussion_action_add(
            by=make_user(role), discussion=discussion, description="x", owner="y",
            agency=Agency.objects.get(name="Test police"), due=timezone.localdate(),
        )  # fmt: skip
    assert not discussion.actions.exists()


# The urgent path ---------------------------------------------------------------------------------


def test_an_urgent_decision_is_signed_off_only_once_a_discussion_is_convened(people):
    contact_child = contact_proposed(by=people["practitioner"], outcome=Outcome.STRATEGY_NOW)
    urgent = Referral.objects.get(contact_child=contact_child)
    assert urgent.urgent and urgent.is_open

    def sign_off():
        referral_services.decision_sign_off(by=people["manager"], contact_child=contact_child)

    with pytest.raises(RuleBroken, match="Convene the strategy discussion before signing off"):
        sign_off()
    first = convened(by=people["practitioner"], referrals=[urgent])
    services.discussion_cancel(by=people["practitioner"], discussion=first, reason="Wrong child")
    with pytest.raises(RuleBroken, match="Convene the strategy discussion before signing off"):
        sign_off()  # a cancelled discussion does not count
    assert ContactChild.objects.get(pk=contact_child.pk).state == ContactChildState.PROPOSED
    convened(by=people["practitioner"], referrals=[urgent])
    sign_off()
    assert ContactChild.objects.get(pk=contact_child.pk).state == ContactChildState.SIGNED_OFF
    assert Referral.objects.filter(contact_child=contact_child).get() == urgent


def test_a_discussion_for_another_child_does_not_count(people):
    contact_child = contact_proposed(by=people["practitioner"], outcome=Outcome.STRATEGY_NOW)
    other = referral(by=people["practitioner"], signer=people["manager"])
    convened(by=people["practitioner"], referrals=[other])
    with pytest.raises(RuleBroken, match="Convene the strategy discussion before signing off"):
        referral_services.decision_sign_off(by=people["manager"], contact_child=contact_child)


# Races -------------------------------------------------------------------------------------------


def test_two_stale_copies_the_second_review_fails(discussion, people):
    record(discussion, by=people["practitioner"])
    mark_held(discussion, by=people["practitioner"])
    first, second = fresh(discussion), fresh(discussion)
    first.sign_off(by=people["manager"])
    first.save()
    second.return_for_changes(by=people["manager2"], comment="Wait")
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        second.save()
    assert fresh(discussion).state == DiscussionState.SIGNED_OFF


def test_discussion_children_are_unique(discussion, opened):
    with pytest.raises(IntegrityError), transaction.atomic():
        DiscussionChild.objects.create(
            discussion=discussion, child_id=opened.child_id, referral=opened
        )
