"""Working days and due dates (DESIGN.md "Timescales", DOMAIN.md "Timescales").

Working days are Monday to Friday less England's bank holidays (the `holidays` package,
substitute days and one-offs included) and the closure days an authority adds. The day of the
event is day 0, so +1 working day is the next working day, and an event on a Saturday counts
from its own day (Saturday + 1 = Monday). A due date is computed once, when its clock starts,
from the Europe/London local date, and stored.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache

import holidays
from django.conf import settings
from django.utils import timezone

from referrals.models import ClosureDay
from referrals.models.information_requests import Priority


class Timescale(StrEnum):
    """The standards of DOMAIN.md's table; each is a setting with its default."""

    CONTACT_DECISION = "CONTACT_DECISION"
    REFERRAL_DECISION = "REFERRAL_DECISION"
    FEEDBACK_TO_REFERRER = "FEEDBACK_TO_REFERRER"
    STRATEGY_DISCUSSION = "STRATEGY_DISCUSSION"
    ASSESSMENT = "ASSESSMENT"
    INITIAL_CONFERENCE = "INITIAL_CONFERENCE"
    FIRST_CORE_GROUP = "FIRST_CORE_GROUP"
    LADO_REFERRAL = "LADO_REFERRAL"

    @property
    def working_days(self) -> int:
        return settings.TIMESCALE_WORKING_DAYS[self.value]


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


@dataclass(frozen=True)
class WorkingCalendar:
    """England's bank holidays plus the authority's closure days (read once per calendar)."""

    closure_days: frozenset[date] = frozenset()

    @classmethod
    def current(cls) -> WorkingCalendar:
        return cls(frozenset(ClosureDay.objects.values_list("day", flat=True)))

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() < 5
            and day not in _bank_holidays(day.year)
            and day not in self.closure_days
        )

    def add_working_days(self, start: date, count: int) -> date:
        """`start` is day 0; the result is the `count`th working day after it."""
        day = start
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 if end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def local_date(moment: datetime) -> date:
    """The Europe/London date of an aware moment."""
    return timezone.localtime(moment).date()


def due_date(
    started_at: datetime | date, timescale: Timescale, calendar_: WorkingCalendar | None = None
) -> date:
    """The due date of a clock started at `started_at`, under today's standard."""
    start = (
        started_at
        if isinstance(started_at, date) and not isinstance(started_at, datetime)
        else local_date(started_at)
    )
    return (calendar_ or WorkingCalendar.current()).add_working_days(start, timescale.working_days)


def add_months(day: date, months: int) -> date:
    """Calendar months (a review 3 months after 31 January is 30 April)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def information_request_due(asked_at: datetime, priority: str, calendar_=None) -> datetime:
    """The end (23:59 Europe/London) of the working day the priority allows, counted from the
    local date it was asked (that day is day 0)."""
    days = (
        settings.INFORMATION_REQUEST_RED_WORKING_DAYS
        if priority == Priority.RED
        else settings.INFORMATION_REQUEST_AMBER_WORKING_DAYS
    )
    day = (calendar_ or WorkingCalendar.current()).add_working_days(local_date(asked_at), days)
    return timezone.make_aware(datetime.combine(day, time(23, 59)))
