"""A stateful test over one child's referral after its next steps: discussions convened,
recorded, held, signed off, returned or cancelled; enquiries and their outcomes; conferences;
the assessment and the closure. Any order of actions by any of the people, and the rules
always hold, every change of state is audited, and nothing but a plain-words refusal happens."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from accounts.audit import AuditEntry, Event
from accounts.models import Agency
from accounts.roles import Role
from casework.errors import RuleBroken
from referrals import services as referral_services
from referrals.models.episodes import (
    Assessment,
    AssessmentState,
    NextSteps,
    Referral,
    ReferralState,
)
from referrals.timescales import Timescale, due_date, local_date
from strategy import services
from strategy.models import (
    OPEN_SECTION_47_STATES,
    SECTION_47_OUTCOMES,
    Attendance,
    DiscussionFormat,
    DiscussionOutcome,
    DiscussionState,
    EnquiryOutcome,
    EnquiryOutcomeDecision,
    Section47,
    Section47State,
    StrategyDiscussion,
)
from strategy.services import AttendanceRecord, ChildDecision
from tests.strategy.factories import (
    TERMS,
    agencies,
    held,
    next_steps_signed_off,
    section47,
    section47_outcome_signed_off,
)

LONDON = ZoneInfo("Europe/London")
# Mostly people who may act, so that the journey gets far; sometimes those who may not.
WHO_CHOICES = ["practitioner", "manager", "manager2"] * 4 + ["chair", "partner"]
WHO = st.sampled_from(WHO_CHOICES)
SIGNER = st.sampled_from(["manager", "manager2"] * 3 + ["practitioner", "chair", "partner"])
VERDICT = st.sampled_from(["sign off", "sign off", "return"])
STARTS = [
    "next steps: discussion", "next steps: assessment", "discussion held", "enquiry open",
    "continuing risk signed off",
]  # fmt: skip
CHAIR = st.sampled_from(["chair", "chair", "chair", "manager", "partner"])
PICK = st.integers(min_value=0, max_value=7)
OUTCOME = st.sampled_from([*DiscussionOutcome, *SECTION_47_OUTCOMES * 2])
POLICE = st.sampled_from(["attended", "attended", "absent with reason", "absent"])
ACTIONS = [
    "convene", "record", "review", "cancel", "propose_outcome", "review_outcome", "conference",
    "complete_assessment", "authorise_assessment", "close_referral",
]  # fmt: skip


def weekday_back(count: int):
    day = timezone.localdate()
    while count:
        day -= timedelta(days=1)
        count -= day.weekday() < 5
    return day


def last_state_audited(record) -> str | None:
    entry = (
        AuditEntry.objects.filter(
            event=Event.TRANSITION,
            content_type=ContentType.objects.get_for_model(type(record), for_concrete_model=False),
            object_pk=str(record.pk),
        )
        .order_by("-sequence")
        .first()
    )
    return entry.additional_data["to"] if entry else None


@pytest.mark.heavy
@pytest.mark.django_db
def test_the_journey_after_the_next_steps_keeps_its_rules(make_user):
    users = {
        "practitioner": make_user(Role.PRACTITIONER),
        "manager": make_user(Role.MANAGER),
        "manager2": make_user(Role.MANAGER),
        "chair": make_user(Role.CONFERENCE_CHAIR),
        "partner": make_user(Role.PARTNER_SAFEGUARDING_LEAD),
    }
    invited = agencies()

    class Journey(RuleBasedStateMachine):
        @initialize(start=st.sampled_from(list(STARTS)))
        def start(self, start):
            """Start anywhere on the journey (reached through the real services), so that
            the random steps go deep: each start is one step further than the last."""
            by, signer = users["practitioner"], users["manager"]
            if start == "next steps: assessment":
                self.referral = next_steps_signed_off(
                    by=by, signer=signer, next_steps=NextSteps.ASSESSMENT
                )
            elif start == "discussion held":
                self.referral = next_steps_signed_off(by=by, signer=signer)
                held(by=by, referrals=[self.referral])
            elif start == "enquiry open":
                self.referral = section47(by=by, signer=signer).referral
            elif start == "continuing risk signed off":
                self.referral = section47_outcome_signed_off(by=by, signer=signer).referral
            else:
                self.referral = next_steps_signed_off(by=by, signer=signer)

        # Helpers -------------------------------------------------------------------------

        def discussions(self) -> list[StrategyDiscussion]:
            return list(
                StrategyDiscussion.objects.filter(children__referral=self.referral).order_by("pk")
            )

        def enquiries(self) -> list[Section47]:
            return list(Section47.objects.filter(referral=self.referral).order_by("pk"))

        def pick(self, records: list, data, *states):
            """Mostly a record in a state where the action fits (so that the journey gets
            far), sometimes any record (so that wrong states are tried)."""
            index = data.draw(PICK, "record")
            fitting = [r for r in records if r.state in states]
            if fitting and index % 4:
                return fitting[index % len(fitting)]
            return records[index % len(records)] if records else None

        def attempt(self, action) -> None:
            """Refusals in plain words are expected; anything else fails the test."""
            try:
                with transaction.atomic():
                    action()
            except (RuleBroken, PermissionDenied):
                pass

        # Actions: one rule chooses among them with equal weight (separate rules would be
        # switched on and off in groups by Hypothesis, and the journey would rarely go deep).

        @rule(action=st.sampled_from(ACTIONS), data=st.data())
        def act(self, action, data):
            getattr(self, action)(data)

        def convene(self, data):
            if len(self.discussions()) >= 3:
                return
            self.attempt(lambda: services.discussion_convene(
                by=users[data.draw(WHO, "by")],
                referrals=[Referral.objects.get(pk=self.referral.pk)],
                scheduled_for=timezone.now(), format=DiscussionFormat.VIDEO,
                chair=users["practitioner"], agencies=invited, sharing_terms=TERMS,
            ))  # fmt: skip

        def record(self, data):
            """Save the record, then (unless the holder is None) record it as held."""
            discussion = self.pick(self.discussions(), data, DiscussionState.CONVENED)
            if discussion is None:
                return
            who = data.draw(WHO, "by")
            outcome = data.draw(OUTCOME, "outcome")
            days_back = data.draw(st.integers(min_value=0, max_value=5), "days back")
            complete = data.draw(st.sampled_from([True, True, True, False]), "complete")
            police = data.draw(POLICE, "police")
            holder = data.draw(st.sampled_from([None, *WHO_CHOICES]), "recorded as held by")
            held_on = (
                self.referral.referral_date - timedelta(days=1)
                if days_back == 0
                else weekday_back(days_back)
            )
            rows = []
            for p in discussion.participants.select_related("agency"):
                absent = p.agency.kind == Agency.Kind.POLICE and police != "attended"
                rows.append(AttendanceRecord(
                    participant_id=p.pk,
                    attendance=Attendance.DID_NOT_ATTEND if absent else Attendance.ATTENDED,
                    absence_reason="Called out" if police == "absent with reason" else "",
                ))  # fmt: skip
            self.attempt(lambda: services.discussion_record(
                by=users[who], discussion=discussion, version=discussion.version,
                attendance=rows,
                decisions=[ChildDecision(discussion_child_id=c.pk, outcome=outcome,
                                         rationale="Because") for c in discussion.children.all()],
                held_at=datetime.combine(held_on, time(10), tzinfo=LONDON),
                history_reviewed=True, childs_views="Scared",
                risk_analysis="High" if complete else "", family_told=True,
                family_note="Told mother",
            ))  # fmt: skip
            if holder is not None:
                self.attempt(
                    lambda: services.discussion_mark_held(by=users[holder], discussion=discussion)
                )

        def review(self, data):
            discussion = self.pick(self.discussions(), data, DiscussionState.HELD)
            if discussion is None:
                return
            who = data.draw(SIGNER, "by")
            if data.draw(VERDICT, "verdict") == "sign off":
                self.attempt(
                    lambda: services.discussion_sign_off(by=users[who], discussion=discussion)
                )
            else:
                self.attempt(lambda: services.discussion_return(
                    by=users[who], discussion=discussion, comment="Look again"))  # fmt: skip

        def cancel(self, data):
            discussion = self.pick(self.discussions(), data, DiscussionState.CONVENED)
            if discussion is not None:
                self.attempt(lambda: services.discussion_cancel(
                    by=users[data.draw(WHO, "by")], discussion=discussion, reason="Not needed"
                ))  # fmt: skip

        def propose_outcome(self, data):
            enquiry = self.pick(self.enquiries(), data, Section47State.OPEN)
            if enquiry is not None:
                self.attempt(lambda: services.section47_outcome_propose(
                    by=users[data.draw(WHO, "by")], section47=enquiry,
                    outcome=data.draw(st.sampled_from(list(EnquiryOutcome)), "outcome"),
                    rationale="Found",
                ))  # fmt: skip

        def review_outcome(self, data):
            enquiry = self.pick(self.enquiries(), data, Section47State.OUTCOME_PROPOSED)
            if enquiry is None:
                return
            who = data.draw(SIGNER, "by")
            if data.draw(VERDICT, "verdict") == "sign off":
                self.attempt(
                    lambda: services.section47_outcome_sign_off(by=users[who], section47=enquiry)
                )
            else:
                self.attempt(lambda: services.section47_outcome_return(
                    by=users[who], section47=enquiry, comment="Why"))  # fmt: skip

        def conference(self, data):
            enquiry = self.pick(self.enquiries(), data, Section47State.OUTCOME_SIGNED_OFF)
            if enquiry is None:
                return
            plan = data.draw(st.booleans(), "plan")
            offset = data.draw(st.integers(min_value=-1, max_value=4), "days after the start")
            self.attempt(lambda: services.conference_record(
                by=users[data.draw(CHAIR, "by")], section47=enquiry,
                held_on=enquiry.start_date + timedelta(days=offset), agencies=invited,
                plan=plan, category="NEG" if plan else "",
            ))  # fmt: skip

        def complete_assessment(self, data):
            assessment = self.referral.assessments.filter(state=AssessmentState.OPEN).first()
            if assessment is not None:
                self.attempt(lambda: referral_services.assessment_complete(
                    by=users[data.draw(WHO, "by")], assessment=assessment, factors=["16A"],
                    analysis="Neglect", version=assessment.version,
                ))  # fmt: skip

        def authorise_assessment(self, data):
            assessment = self.referral.assessments.filter(state=AssessmentState.OPEN).first()
            if assessment is not None:
                self.attempt(lambda: referral_services.assessment_authorise(
                    by=users[data.draw(SIGNER, "by")], assessment=assessment))  # fmt: skip

        def close_referral(self, data):
            self.attempt(lambda: referral_services.referral_close(
                by=users[data.draw(SIGNER, "by")], referral=self.referral, reason="RC7",
                on=timezone.localdate(),
            ))  # fmt: skip

        # Invariants ----------------------------------------------------------------------

        @invariant()
        def one_open_enquiry_and_one_open_assessment(self):
            enquiries = self.enquiries()
            assert sum(e.state in OPEN_SECTION_47_STATES for e in enquiries) <= 1
            assert self.referral.assessments.filter(state=AssessmentState.OPEN).count() <= 1

        @invariant()
        def enquiries_start_on_their_discussions_date_with_a_fixed_target(self):
            for enquiry in Section47.objects.filter(referral=self.referral).select_related(
                "discussion_child__discussion", "assessment"
            ):
                discussion = enquiry.discussion_child.discussion
                assert discussion.state == DiscussionState.SIGNED_OFF
                assert enquiry.start_date == local_date(discussion.held_at)
                assert enquiry.start_date >= self.referral.referral_date
                assert enquiry.conference_due == due_date(
                    enquiry.start_date, Timescale.INITIAL_CONFERENCE
                )
                assert enquiry.joint == (
                    enquiry.discussion_child.outcome == DiscussionOutcome.SECTION_47_JOINT
                )
                assert enquiry.assessment.start_date >= self.referral.referral_date

        @invariant()
        def four_eyes(self):
            for discussion in self.discussions():
                if discussion.state == DiscussionState.SIGNED_OFF:
                    assert discussion.reviewed_by_id not in (None, discussion.recorded_by_id)
                if discussion.state in (DiscussionState.HELD, DiscussionState.SIGNED_OFF):
                    assert discussion.attendance_problems() == []
                    assert discussion.record_problems() == []
            for decision in EnquiryOutcomeDecision.objects.filter(
                section47__referral=self.referral
            ).exclude(reviewed_by=None):
                assert decision.reviewed_by_id != decision.proposed_by_id
            for assessment in Assessment.objects.filter(
                referral=self.referral, state=AssessmentState.AUTHORISED
            ):
                assert assessment.authorised_by_id != assessment.completed_by_id

        @invariant()
        def enquiries_end_as_their_outcome_says(self):
            for enquiry in self.enquiries():
                if enquiry.state == Section47State.CLOSED:
                    assert enquiry.conference_not_required
                    assert enquiry.outcome != EnquiryOutcome.CONTINUING_RISK
                if enquiry.state == Section47State.CONFERENCE_HELD:
                    conference = enquiry.conference
                    assert enquiry.outcome == EnquiryOutcome.CONTINUING_RISK
                    assert enquiry.start_date <= conference.held_on <= timezone.localdate()
                    assert conference.held_on.weekday() < 5
                    assert conference.chair == users["chair"]
                    assert conference.plan == (conference.category != "")

        @invariant()
        def closed_only_when_the_work_is_done(self):
            self.referral = Referral.objects.get(pk=self.referral.pk)
            if self.referral.state == ReferralState.CLOSED:
                assert self.referral.open_work() == []

        @invariant()
        def every_change_of_state_is_audited(self):
            referral = self.referral
            assert last_state_audited(referral) == referral.state
            for discussion in self.discussions():
                assert last_state_audited(discussion) == discussion.state
            for enquiry in self.enquiries():
                assert last_state_audited(enquiry) in (None, enquiry.state)
                if last_state_audited(enquiry) is None:
                    assert enquiry.state == Section47State.OPEN

    Journey.TestCase.settings = settings(
        max_examples=40, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )  # fmt: skip
    Journey.TestCase().runTest()
