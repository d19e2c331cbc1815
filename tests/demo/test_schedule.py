"""The demo's story at real past dates (issue 20): every family's schedule is in the past and
in the journey's order, and the records the real services wrote under it carry those dates, so
a child's timeline reads in order (a referral of three weeks ago does not show its decisions at
the moment the demo was loaded)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo import schedule
from demo.strategy import MARKER_SURNAME
from notes.selectors import child_timeline
from referrals.models import Child
from referrals.models.contacts import ContactDecision
from referrals.models.episodes import ReferralDecision
from referrals.timescales import local_date
from strategy.models import EnquiryOutcomeDecision, StrategyDiscussion

# The steps of a story in the order the journey takes them.
ORDER = [f.name for f in fields(schedule.Story)]


def moment(value) -> datetime:
    if isinstance(value, datetime):
        return value
    return schedule.on(value, 23, 59)


@pytest.mark.django_db
def test_every_familys_story_is_in_the_past_and_in_order():
    now = timezone.now()
    branches = {"scheduled", "cancelled", "assessed", "authorised", "closed"}
    for family, story in schedule.stories(now).items():
        main = [
            (name, moment(getattr(story, name)))
            for name in ORDER
            if name not in branches and getattr(story, name) is not None
        ]
        for (earlier, first), (later, second) in pairwise(main):
            assert first < second, f"{family}: {earlier} is not before {later}"
        assert all(value <= now for _, value in main)
        if story.scheduled is not None:
            assert story.convened < story.scheduled
            assert story.recorded is None or story.scheduled < story.recorded
        if story.cancelled is not None:
            assert story.convened < story.cancelled < story.scheduled
        if story.assessed is not None:
            assert story.next_steps_signed_off < story.assessed < story.authorised
        if story.closed is not None:
            assert local_date(story.next_steps_signed_off) <= story.closed <= local_date(now)


def test_a_step_in_the_future_is_refused():
    with (
        pytest.raises(ValueError, match="future"),
        schedule.at(timezone.now() + timedelta(hours=1)),
    ):
        pass


@pytest.fixture
def loaded(db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())


def test_the_demo_records_carry_their_storys_dates(loaded):
    now = timezone.now()
    for decision in ContactDecision.objects.select_related("contact_child__contact"):
        assert decision.contact_child.contact.received_at <= decision.proposed_at <= now
        assert decision.reviewed_at is None or decision.proposed_at <= decision.reviewed_at
    for decision in ReferralDecision.objects.select_related("referral"):
        assert local_date(decision.proposed_at) >= decision.referral.referral_date
    for discussion in StrategyDiscussion.objects.exclude(held_at=None):
        assert discussion.convened_at <= discussion.recorded_at
        assert discussion.held_at <= discussion.recorded_at <= now
        assert discussion.reviewed_at is None or discussion.recorded_at <= discussion.reviewed_at
    for outcome in EnquiryOutcomeDecision.objects.select_related("section47"):
        assert local_date(outcome.proposed_at) >= outcome.section47.start_date
    story = schedule.stories(now)[MARKER_SURNAME]
    arthek = Child.objects.get(last_name=MARKER_SURNAME)
    decision = ContactDecision.objects.get(contact_child__child=arthek)
    assert decision.proposed_at == story.decided  # not the moment the demo was loaded
    assert now - decision.proposed_at > timedelta(days=14)


def test_a_childs_timeline_reads_in_the_order_of_the_journey(loaded):
    arthek = Child.objects.get(last_name=MARKER_SURNAME)
    oldest_first = [item.what for item in reversed(child_timeline(arthek))]
    journey = [
        "Contact received", "Decision proposed", "Decision signed off", "Next steps proposed",
        "Next steps signed off", "Strategy discussion convened", "Strategy discussion held",
        "Strategy discussion signed off", "Section 47 outcome proposed",
        "Section 47 outcome signed off", "Initial child protection conference",
    ]  # fmt: skip
    assert [what for what in oldest_first if what in journey] == journey
    days = {item.what: item.when for item in child_timeline(arthek)}
    held = days["Strategy discussion held"]
    assert isinstance(held, datetime) and held.date() < date.today() - timedelta(days=14)
