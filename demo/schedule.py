"""When each demo family's story happened (issue 20): the demo's dates in one place.

Each family has a `Story`: the moment its contact arrived and the moment of every later step
(decided, signed off, next steps, the strategy discussion convened, held, recorded and signed
off, the work allocated, the enquiry's outcome, the conference), all in the past and in the
order the journey takes. The loaders run each step of the real services under `at(moment)`, a
controllable clock (time-machine, frozen while the step runs), so every timestamp a service
writes (`proposed_at`, `reviewed_at`, `recorded_at`, the referral's date...) is the story's,
not the moment `load_demo` ran. To add a family or a step, add it here and wrap the step in
`at()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import time_machine
from django.utils import timezone

from referrals.timescales import Timescale, WorkingCalendar, due_date

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


@contextmanager
def at(moment: datetime | None) -> Iterator[None]:
    """Run the step as if the clock read `moment` (stopped there); None: the real time."""
    if moment is None:
        yield
        return
    if moment > timezone.now():
        raise ValueError("A demo step cannot happen in the future")
    with time_machine.travel(moment, tick=False):
        yield


def weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= DAY
    return day


def on(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@dataclass(frozen=True)
class Story:
    """One family's moments, oldest first; a step the family never reaches is None."""

    received: datetime  # the contact
    decided: datetime  # the front door's decision proposed
    signed_off: datetime  # and signed off (a referral opens: its date is this day)
    next_steps: datetime | None = None  # the referral's next steps proposed
    next_steps_signed_off: datetime | None = None
    convened: datetime | None = None  # the strategy discussion convened...
    scheduled: datetime | None = None  # ...for this time, when it was held
    recorded: datetime | None = None  # its record written and marked held
    discussion_signed_off: datetime | None = None
    allocated: datetime | None = None
    cancelled: datetime | None = None  # a discussion cancelled before it was held
    assessed: datetime | None = None  # an assessment completed...
    authorised: datetime | None = None  # ...and authorised
    outcome_proposed: datetime | None = None  # a section 47 enquiry's outcome
    outcome_signed_off: datetime | None = None
    conference: date | None = None  # the initial child protection conference
    closed: date | None = None  # the referral closed

    @property
    def held_on(self) -> date | None:
        return timezone.localdate(self.scheduled) if self.scheduled else None


def _front_door(received: datetime, *, decided: timedelta, signed: timedelta) -> dict:
    return {"received": received, "decided": received + decided, "signed_off": received + signed}


def _held(held_on: date, *, received: datetime, decided: timedelta, signed: timedelta,
          next_steps: datetime, convened: datetime) -> dict:  # fmt: skip
    """A discussion held at 10:00 on `held_on`, recorded by lunch, signed off that afternoon;
    the work allocated the same day; the enquiry's outcome about a week later."""
    return {
        **_front_door(received, decided=decided, signed=signed),
        "next_steps": next_steps, "next_steps_signed_off": next_steps + 30 * MINUTE,
        "convened": convened, "scheduled": on(held_on, 10), "recorded": on(held_on, 12, 30),
        "discussion_signed_off": on(held_on, 15), "allocated": on(held_on, 16),
    }  # fmt: skip


def stories(now: datetime) -> dict[str, Story]:
    """Every family's story, counted back from `now` (the moment the demo is loaded)."""
    today = timezone.localdate(now)
    calendar = WorkingCalendar.current()

    def working_day_after(day: date, days: int, hour: int) -> datetime:
        return on(calendar.add_working_days(day, days), hour)

    found: dict[str, Story] = {}
    # Referrals without a discussion.
    found["Quiller"] = Story(**_front_door(now - 3 * HOUR, decided=40 * MINUTE, signed=70 * MINUTE))
    received = now - DAY - 2 * HOUR
    found["Angwin"] = Story(
        **_front_door(received, decided=45 * MINUTE, signed=90 * MINUTE),
        next_steps=received + 20 * HOUR,
    )  # fmt: skip
    received = on(today - 12 * DAY, 21, 40)
    found["Chegwidden"] = Story(
        **_front_door(received, decided=11 * HOUR, signed=12 * HOUR),
        next_steps=on(today - 10 * DAY, 10), next_steps_signed_off=on(today - 10 * DAY, 11),
        closed=today - 9 * DAY,
    )  # fmt: skip
    received = on(today - 20 * DAY, 11, 5)
    found["Pascoe"] = Story(
        **_front_door(received, decided=HOUR, signed=2 * HOUR),
        next_steps=received + DAY, next_steps_signed_off=received + DAY + HOUR,
        assessed=received + 14 * DAY, authorised=received + 15 * DAY,
        closed=timezone.localdate(received + 15 * DAY),
    )  # fmt: skip
    # A discussion convened, cancelled, and convened again to be held now.
    received = now - DAY - 4 * HOUR
    found["Rosewarne"] = Story(
        **_front_door(received, decided=20 * MINUTE, signed=40 * MINUTE),
        next_steps=received + 50 * MINUTE, next_steps_signed_off=received + HOUR,
        convened=received + 65 * MINUTE, scheduled=received + 2 * HOUR,
        cancelled=received + 110 * MINUTE,
    )  # fmt: skip
    # Held yesterday (or the last weekday), without health, awaiting a manager's sign-off.
    held_on = weekday_on_or_before(today - DAY)
    story = _held(
        held_on, received=on(held_on - 2 * DAY, 15, 20), decided=40 * MINUTE, signed=90 * MINUTE,
        next_steps=on(held_on - DAY, 9, 30), convened=on(held_on - DAY, 11),
    )  # fmt: skip
    found["Jelbert"] = Story(**{**story, "discussion_signed_off": None, "allocated": None})
    # Two sisters: one enquiry open, the other's outcome proposed.
    held_on = weekday_on_or_before(today - 6 * DAY)
    found["Nancarrow"] = Story(
        **_held(held_on, received=on(held_on - DAY, 7, 40), decided=HOUR, signed=90 * MINUTE,
                next_steps=on(held_on - DAY, 9, 40), convened=on(held_on - DAY, 10, 30)),
        outcome_proposed=working_day_after(held_on, 3, 11),
    )  # fmt: skip
    # Continuing risk signed off, the conference not held and now overdue (the partners'
    # grants on its discussion still run: signed off less than PARTNER_GRANT_DAYS ago).
    held_on = weekday_on_or_before(today - 25 * DAY)
    while due_date(held_on, Timescale.INITIAL_CONFERENCE) >= today:
        held_on = weekday_on_or_before(held_on - 2 * DAY)
    found["Trewhella"] = Story(
        **_held(held_on, received=on(held_on - 2 * DAY, 21, 5), decided=12 * HOUR,
                signed=12 * HOUR + 25 * MINUTE, next_steps=on(held_on - DAY, 10),
                convened=on(held_on - DAY, 11)),
        outcome_proposed=working_day_after(held_on, 5, 11),
        outcome_signed_off=working_day_after(held_on, 6, 10),
    )  # fmt: skip
    # Not substantiated: closed, no conference.
    held_on = weekday_on_or_before(today - 14 * DAY)
    found["Polglase"] = Story(
        **_held(held_on, received=on(held_on - 3 * DAY, 18, 30), decided=15 * HOUR,
                signed=15 * HOUR + 45 * MINUTE, next_steps=on(held_on - 2 * DAY, 10, 30),
                convened=on(held_on - 2 * DAY, 11, 30)),
        outcome_proposed=working_day_after(held_on, 4, 11),
        outcome_signed_off=working_day_after(held_on, 5, 10),
    )  # fmt: skip
    # A joint enquiry, an initial conference and a plan; the decision made by the out-of-hours
    # team the night the police called.
    held_on = weekday_on_or_before(today - 21 * DAY)
    conference = min(calendar.add_working_days(held_on, 12), weekday_on_or_before(today))
    found["Carveth"] = Story(
        **_held(held_on, received=on(held_on - DAY, 22, 45), decided=25 * MINUTE,
                signed=50 * MINUTE, next_steps=on(held_on, 8, 15), convened=on(held_on, 9)),
        outcome_proposed=working_day_after(held_on, 5, 11),
        outcome_signed_off=working_day_after(held_on, 6, 10),
        conference=conference,
    )  # fmt: skip
    # The previous census year (1 April to 31 March): a school's contact about two children,
    # one assessed (nothing found) and one with no further action, both closed that year.
    this_year_starts = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    day = weekday_on_or_before(this_year_starts.replace(year=this_year_starts.year - 1) + 160 * DAY)
    received = on(day, 11, 10)
    authorised = working_day_after(day, 19, 10)
    found["Angove"] = Story(
        **_front_door(received, decided=HOUR, signed=2 * HOUR),
        next_steps=received + DAY, next_steps_signed_off=received + DAY + HOUR,
        assessed=working_day_after(day, 17, 11), authorised=authorised,
        closed=timezone.localdate(authorised),
    )  # fmt: skip
    return found
