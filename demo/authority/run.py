"""Generate an authority: plan the invented families, then run their journeys on the clock."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from demo.authority import clock
from demo.authority.cast import Cast
from demo.authority.journeys import Family, Tally, World, family_journey, plan_family

# How many children a family brings to the front door, by weight.
FAMILY_SIZES = ((1, 50), (2, 28), (3, 15), (4, 7))


def generate(
    *, children: int, seed: int, cast: Cast | None = None, years: float = 3.0,
    end: datetime | None = None,
) -> Tally:  # fmt: skip
    """`children` invented children in families, their journeys over `years` years ending at
    `end` (now), every step through the real services at its own simulated moment. The same
    seed, end and database give the same authority."""
    cast = cast or Cast.generated()
    end = end or timezone.now()
    start = timezone.localdate(end) - timedelta(days=int(years * 365.25))
    world = World(cast, start=start, end=end, seed=seed)
    # Seeded streams for invented data, never for secrets.
    sizes = random.Random(f"{seed}:sizes")  # noqa: S311  # invented data, not a secret
    families: list[Family] = []
    planned = 0
    while planned < children:
        values, weights = zip(*FAMILY_SIZES, strict=True)
        size = min(sizes.choices(values, weights=weights)[0], children - planned)
        number = len(families)
        stream = random.Random(f"{seed}:{number}")  # noqa: S311  # as above
        families.append(plan_family(world, number, size, stream))
        planned += size
    clock.run((family_journey(world, family) for family in families), end=end)
    return world.tally
