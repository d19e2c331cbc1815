"""The demo authority's background history (`manage.py load_demo`): invented families taken
through the same journeys as a generated authority (demo.authority), by the demo's own staff,
over the months before the named families, so that reports and returns have a real shape.

Loaded once (its surnames are the generated authority's, none of the named families'); the
named families and users are untouched.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from demo.authority import names
from demo.authority.cast import Cast
from demo.authority.run import generate
from referrals.models import Child

SEED = 1066
CHILDREN = 150
MONTHS = 24
# The history stops a little before today, so the named families' open work heads the queues.
STOPS_DAYS_AGO = 2


def load(*, children: int = CHILDREN, months: int = MONTHS) -> int:
    """Add `children` invented children over `months` months (once only); returns how many."""
    if children <= 0 or months <= 0:
        return 0
    if Child.objects.filter(last_name__in=names.SURNAMES).exists():
        return 0
    tally = generate(
        children=children, seed=SEED, cast=Cast.demo(), years=months / 12,
        end=timezone.now() - timedelta(days=STOPS_DAYS_AGO),
    )  # fmt: skip
    return tally.children
