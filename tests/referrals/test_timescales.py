"""Working days and due dates, with DOMAIN.md's worked examples."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from referrals.models import ClosureDay
from referrals.timescales import Timescale, WorkingCalendar, add_months, due_date

CALENDAR = WorkingCalendar()
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2025, 12, 9), 15, date(2026, 1, 2)),  # s47 start + 15 WD (DOMAIN.md)
        (date(2025, 12, 8), 45, date(2026, 2, 12)),  # referral + 45 WD (DOMAIN.md)
        (date(2025, 12, 24), 1, date(2025, 12, 29)),  # contact + 1 WD (DOMAIN.md)
        (date(2025, 12, 9), 0, date(2025, 12, 9)),  # the event day is day 0
        (date(2026, 11, 21), 1, date(2026, 11, 23)),  # Saturday + 1 WD = Monday
        (date(2026, 11, 22), 1, date(2026, 11, 23)),  # Sunday + 1 WD = Monday
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # Easter: Good Friday and Easter Monday
        (date(2022, 9, 16), 1, date(2022, 9, 20)),  # the Queen's funeral, a one-off
        (date(2023, 5, 5), 1, date(2023, 5, 9)),  # the coronation, a one-off
        (date(2026, 8, 28), 1, date(2026, 9, 1)),  # summer bank holiday
    ],
)
def test_add_working_days(start, days, expected):
    assert CALENDAR.add_working_days(start, days) == expected


def test_working_days_between_counts_after_the_start():
    assert CALENDAR.working_days_between(date(2025, 12, 9), date(2026, 1, 2)) == 15
    assert CALENDAR.working_days_between(date(2026, 1, 2), date(2025, 12, 9)) == 0


def test_closure_days_are_not_working_days():
    closed = WorkingCalendar(frozenset({date(2026, 11, 24)}))
    assert closed.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)


@pytest.mark.django_db
def test_the_current_calendar_reads_the_authoritys_closure_days():
    ClosureDay.objects.create(day=date(2026, 12, 24), name="Christmas Eve closure")
    assert WorkingCalendar.current().add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 29)


@pytest.mark.django_db
def test_due_date_uses_the_london_date_and_the_setting(settings):
    late_evening = datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC"))  # 1 July in London
    assert due_date(late_evening, Timescale.CONTACT_DECISION) == date(2026, 7, 2)
    settings.TIMESCALE_WORKING_DAYS = {**settings.TIMESCALE_WORKING_DAYS, "CONTACT_DECISION": 3}
    assert due_date(date(2026, 7, 1), Timescale.CONTACT_DECISION) == date(2026, 7, 6)


def test_defaults_are_domain_md_s():
    from django.conf import settings

    assert {t.value: t.working_days for t in Timescale} == {
        "CONTACT_DECISION": 1, "REFERRAL_DECISION": 1, "FEEDBACK_TO_REFERRER": 1,
        "STRATEGY_DISCUSSION": 1, "ASSESSMENT": 45, "INITIAL_CONFERENCE": 15,
        "FIRST_CORE_GROUP": 10, "LADO_REFERRAL": 1,
    }  # fmt: skip
    assert settings.TIMESCALE_WORKING_DAYS["INITIAL_CONFERENCE"] == 15


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 15), 6, date(2026, 9, 15)),
    ],
)
def test_add_calendar_months(start, months, expected):
    assert add_months(start, months) == expected
