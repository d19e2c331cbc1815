"""`manage.py generate_authority`: invented families through the real services at their own
dates (demo/authority), reproducible for a seed, with the edges the census meets."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.audit import Event
from accounts.models import AuditEntry, User
from demo.authority import clock, names
from demo.authority.run import generate
from referrals.codes import AssessmentFactor, Disability
from referrals.models import Child, Contact, Referral
from referrals.models.episodes import Assessment, AssessmentState, NextSteps, ReferralState
from strategy.models import (
    ChildProtectionPlan,
    InitialConference,
    PlanState,
    Section47,
    Section47State,
    StrategyDiscussion,
)

# A fixed end: the simulated clock needs no real date, so the data is the same on any day.
END = datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Europe/London"))
ENGLAND = holidays.country_holidays("GB", subdiv="ENG", years=range(2022, 2027))


def fingerprint() -> list[tuple]:
    """What a generated authority holds, without database keys."""
    children = sorted(
        Child.objects.values_list(
            "first_name", "last_name", "date_of_birth", "expected_date_of_birth", "sex",
            "ethnicity", "upn", "upn_unknown",
        )
    )  # fmt: skip
    referrals = sorted(
        (r.child.first_name, r.child.last_name, r.referral_date, r.source, r.state,
         r.closure_date, r.closure_reason, r.primary_need)
        for r in Referral.objects.select_related("child")
    )  # fmt: skip
    enquiries = sorted(Section47.objects.values_list("start_date", "state", "conference_due"))
    plans = sorted(
        ChildProtectionPlan.objects.values_list("start_date", "end_date", "initial_category")
    )
    return [tuple(children), tuple(referrals), tuple(enquiries), tuple(plans)]


class Rollback(Exception):
    pass


def generated_then_undone(children: int, seed: int) -> list[tuple]:
    found: list[tuple] = []
    with pytest.raises(Rollback), transaction.atomic():
        generate(children=children, seed=seed, end=END)
        found.extend(fingerprint())
        raise Rollback
    return found


def test_the_command_makes_the_children_asked_for_on_an_empty_database(db, settings):
    settings.DEBUG = True
    assert not User.objects.exists() and not Child.objects.exists()
    out = StringIO()
    call_command("generate_authority", "--children", "12", "--seed", "5", stdout=out)
    assert Child.objects.count() == 12
    assert "Generated 12 children" in out.getvalue()
    # Its own council, partners and staff, reused by a second run.
    staff = User.objects.count()
    call_command("generate_authority", "--children", "3", "--seed", "6", stdout=StringIO())
    assert User.objects.count() == staff
    assert Child.objects.count() == 15


def test_the_command_is_refused_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("generate_authority", "--children", "2")
    assert not Child.objects.exists()


def test_the_same_seed_gives_the_same_authority_and_another_seed_another(db):
    first = generated_then_undone(15, seed=11)
    again = generated_then_undone(15, seed=11)
    other = generated_then_undone(15, seed=12)
    assert first == again
    assert first != other
    assert len(first[0]) == 15


@pytest.mark.heavy
def test_a_modest_authority_goes_through_the_services_and_meets_the_census_edges(db):
    # One authority of 140 children over three years, generated once for the three checks.
    tally = generate(children=140, seed=2026, end=END)
    assert Child.objects.count() == 140
    # Invented people only: surnames and first names from the fixed lists, NHS numbers from
    # the 999 test range.
    assert set(Child.objects.values_list("last_name", flat=True)) <= set(names.SURNAMES)
    assert set(Child.objects.values_list("first_name", flat=True)) <= set(names.GIRLS + names.BOYS)
    assert all(
        number.startswith("999")
        for number in Child.objects.exclude(nhs_number="").values_list("nhs_number", flat=True)
    )
    every_record_went_through_the_services()
    the_census_edges_occur(tally)
    open_work_is_concentrated_on_the_newest_records()


def every_record_went_through_the_services() -> None:
    # Every transition is in the audit trail: each closed referral's, each enquiry's outcome,
    # each discussion held and signed off; states are reached by transitions only.
    transitions = Counter(
        AuditEntry.objects.filter(event=Event.TRANSITION).values_list(
            "content_type__model", "additional_data__transition"
        )
    )
    closed = Referral.objects.filter(state=ReferralState.CLOSED).count()
    assert closed and transitions[("referral", "close")] == closed
    signed = StrategyDiscussion.objects.filter(state="signed_off").count()
    assert signed and transitions[("strategydiscussion", "sign_off")] >= signed
    not_required = Section47.objects.filter(state=Section47State.CLOSED).count()
    assert transitions[("section47", "close_without_conference")] == not_required
    assert transitions[("section47", "hold_conference")] == InitialConference.objects.count()
    # Creations are audited too (the library's entries), contacts included.
    assert (
        AuditEntry.objects.filter(
            content_type__model="contact", action=AuditEntry.Action.CREATE
        ).count()
        == Contact.objects.count()
    )
    # No audit entry holds the text of a concern (encrypted fields masked).
    concerns = {contact.concern for contact in Contact.objects.all()}
    for changes in AuditEntry.objects.filter(content_type__model="contact").values_list(
        "changes", flat=True
    ):
        assert not any(concern in str(changes) for concern in concerns)
    # Each authorised assessment was completed by one person and authorised by another.
    assert not Assessment.objects.filter(
        state=AssessmentState.AUTHORISED, authorised_by=F("completed_by")
    ).exists()


def the_census_edges_occur(tally) -> None:
    # Contacts from a spread of sources, on weekends and bank holidays too.
    assert Contact.objects.values("source").distinct().count() >= 12
    days = [timezone.localtime(c.received_at).date() for c in Contact.objects.all()]
    assert any(day.weekday() >= 5 for day in days)
    assert any(day in ENGLAND for day in days) or tally.edges.get("contact on a bank holiday")
    # Siblings on one contact; unborn children; disabilities.
    assert Contact.objects.annotate(n=Count("children")).filter(n__gt=1).exists()
    assert tally.edges.get("unborn child")
    assert any(
        set(codes) - {Disability.NONE}
        for codes in Child.objects.values_list("disabilities", flat=True)
    )
    # Re-referrals; several enquiries on one referral; NFA referrals.
    assert Child.objects.annotate(n=Count("referrals")).filter(n__gt=1).exists()
    assert Referral.objects.annotate(n=Count("section47s")).filter(n__gt=1).exists()
    assert Referral.objects.filter(
        state=ReferralState.CLOSED, current_decision__next_steps=NextSteps.NO_FURTHER_ACTION
    ).exists()
    # Assessments with factors, and with none found.
    factors = list(
        Assessment.objects.filter(state=AssessmentState.AUTHORISED).values_list(
            "factors", flat=True
        )
    )
    assert [AssessmentFactor.F21] in factors
    assert any(codes != [AssessmentFactor.F21] for codes in factors)
    # Plans that start, are reviewed and end; conferences with and without plans.
    assert ChildProtectionPlan.objects.filter(state=PlanState.ENDED, reviews__isnull=False).exists()
    assert ChildProtectionPlan.objects.filter(state=PlanState.OPEN).exists()
    assert InitialConference.objects.filter(plan=False).exists()
    assert not InitialConference.objects.filter(held_on__week_day__in=[1, 7]).exists()
    # Closures on the census year's boundaries.
    assert Referral.objects.filter(closure_date__month=3, closure_date__day=31).exists()
    assert Referral.objects.filter(closure_date__month=4, closure_date__day=1).exists()
    # A strategy discussion held on a weekend (the urgent path).
    assert any(
        timezone.localtime(held).weekday() >= 5
        for held in StrategyDiscussion.objects.exclude(held_at=None).values_list(
            "held_at", flat=True
        )
    ) or tally.edges.get("strategy discussion on a weekend")


def open_work_is_concentrated_on_the_newest_records() -> None:
    open_states = Q(state__in=[ReferralState.OPEN, ReferralState.NEXT_STEPS_PROPOSED,
                               ReferralState.NEXT_STEPS_SIGNED_OFF])  # fmt: skip
    open_dates = sorted(
        Referral.objects.filter(open_states).values_list("referral_date", flat=True)
    )
    closed_dates = sorted(
        Referral.objects.exclude(open_states).values_list("referral_date", flat=True)
    )
    assert open_dates and closed_dates
    assert open_dates[len(open_dates) // 2] > closed_dates[len(closed_dates) // 2]


def test_the_clock_runs_every_journey_at_its_moments_in_time_order_and_stops_at_the_end(db):
    seen: list[tuple[str, datetime]] = []
    day = datetime(2025, 3, 31, 9, 0, tzinfo=ZoneInfo("Europe/London"))

    def journey(name: str, hours: list[int]):
        for hour in hours:
            yield day.replace(hour=hour)
            seen.append((name, timezone.now()))

    steps = clock.run([journey("a", [9, 12, 23]), journey("b", [10, 11])], end=day.replace(hour=22))
    assert [(name, timezone.localtime(moment).hour) for name, moment in seen] == [
        ("a", 9),
        ("b", 10),
        ("b", 11),
        ("a", 12),
    ]
    assert all(moment.tzinfo is not None for _, moment in seen)
    assert steps == 4
    assert timezone.now() > END  # the real clock is back
