"""Referrals, strategy discussions and section 47 enquiries in each state, reached through
the real services. `by` is a practitioner or manager; `signer` another manager."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import Agency
from accounts.sharing import ConsentPosition
from referrals import services as referral_services
from referrals.codes import PrimaryNeed
from referrals.models.contacts import Outcome
from referrals.models.episodes import NextSteps, Referral
from strategy import services
from strategy.models import (
    Attendance,
    DiscussionFormat,
    DiscussionOutcome,
    EnquiryOutcome,
    Section47,
    StrategyDiscussion,
)
from strategy.services.partners import SharingTerms
from tests.factories import AgencyFactory
from tests.referrals.factories import signed_off


def agencies() -> list[Agency]:
    """The three agencies a discussion needs: the council, a police force and a health trust."""
    return [
        AgencyFactory(name="Test council", kind=Agency.Kind.LOCAL_AUTHORITY),
        AgencyFactory(name="Test police", kind=Agency.Kind.POLICE),
        AgencyFactory(name="Test health", kind=Agency.Kind.HEALTH),
    ]


def last_weekday() -> date:
    """The latest weekday before today: a past date a discussion or conference can have."""
    day = timezone.localdate() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def referral(*, by, signer) -> Referral:
    """An open referral, from a signed-off decision to refer on a contact received 10 days
    ago (so that a discussion and a conference can be dated on a past weekday)."""
    return signed_off(by=by, signer=signer, outcome=Outcome.REFERRAL, days_ago=10).referral


def next_steps_signed_off(*, by, signer, next_steps=NextSteps.STRATEGY_DISCUSSION) -> Referral:
    opened = referral(by=by, signer=signer)
    referral_services.referral_next_steps_propose(
        by=by, referral=opened, next_steps=next_steps,
        primary_need="" if next_steps == NextSteps.NO_FURTHER_ACTION else PrimaryNeed.N1,
        rationale="Injuries need a multi-agency view",
    )  # fmt: skip
    referral_services.referral_next_steps_sign_off(by=signer, referral=opened)
    return Referral.objects.get(pk=opened.pk)


# What every test discussion shares with the invited partner agencies.
TERMS = SharingTerms(
    history="Two earlier contacts about the family",
    consent=ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE, family_told=False,
    family_note="Telling the parents now would put the child at risk",
)  # fmt: skip


def convened(*, by, referrals: list[Referral], chair=None) -> StrategyDiscussion:
    return services.discussion_convene(
        by=by, referrals=referrals, scheduled_for=timezone.now() + timedelta(hours=2),
        format=DiscussionFormat.VIDEO, chair=chair or by, agencies=agencies(),
        sharing_terms=TERMS,
    )  # fmt: skip


def recorded(
    discussion: StrategyDiscussion, *, by, outcome=DiscussionOutcome.SECTION_47_JOINT,
    health=Attendance.ATTENDED, health_reason="",
) -> StrategyDiscussion:  # fmt: skip
    """The full record, everyone present (or health as given), one outcome for every child."""
    attendance = [
        services.AttendanceRecord(
            participant_id=p.pk,
            attendance=health if p.agency.kind == Agency.Kind.HEALTH else Attendance.ATTENDED,
            attendees=f"Someone from {p.agency.name}",
            absence_reason=health_reason if p.agency.kind == Agency.Kind.HEALTH else "",
            contribution=f"{p.agency.name} shared what it knows",
        )
        for p in discussion.participants.select_related("agency")
        if not services.recorded_by_itself(p)  # a partner's own part is kept as it is
    ]
    decisions = [
        services.ChildDecision(discussion_child_id=c.pk, outcome=outcome, rationale="Risk found")
        for c in discussion.children.all()
    ]
    return services.discussion_record(
        by=by, discussion=discussion, version=discussion.version, attendance=attendance,
        decisions=decisions,
        held_at=timezone.make_aware(datetime.combine(last_weekday(), time(10))),
        history_reviewed=True, history_note="Chronology read", childs_views="Wants to go home",
        risk_analysis="Injury pattern", police_plan="Interview", safety_plan="Stays with aunt",
        legal_action="None now", family_told=True, family_note="Mother told by phone",
    )  # fmt: skip


def held(*, by, referrals: list[Referral], outcome=DiscussionOutcome.SECTION_47_JOINT):
    discussion = recorded(convened(by=by, referrals=referrals), by=by, outcome=outcome)
    return services.discussion_mark_held(by=by, discussion=discussion)


def discussion_signed_off(*, by, signer, referrals, outcome=DiscussionOutcome.SECTION_47_JOINT):
    discussion = held(by=by, referrals=referrals, outcome=outcome)
    return services.discussion_sign_off(by=signer, discussion=discussion, comment="Agreed")


def section47(*, by, signer) -> Section47:
    """An open, joint section 47 enquiry started by a signed-off discussion."""
    opened = next_steps_signed_off(by=by, signer=signer)
    discussion_signed_off(by=by, signer=signer, referrals=[opened])
    return Section47.objects.get(referral=opened)


def section47_outcome_signed_off(
    *, by, signer, outcome=EnquiryOutcome.CONTINUING_RISK
) -> Section47:
    enquiry = section47(by=by, signer=signer)
    services.section47_outcome_propose(
        by=by, section47=enquiry, outcome=outcome, rationale="Continuing risk of harm"
    )
    services.section47_outcome_sign_off(by=signer, section47=enquiry)
    return Section47.objects.get(pk=enquiry.pk)
