"""The simulated clock: every family's journey runs at its own dates, all of them in date order.

A journey is a generator that yields the moment it next wants to act; the clock keeps every
journey in one queue by that moment, moves time (time-machine, not ticking) there and lets the
journey act through the real services, which read the time as now. Journeys whose next moment
is after the end stop there, leaving their work open, as on the day the data is looked at.
Steps are grouped into transactions whose audit entries are chained together at the end of
each (accounts.audit.entries_written_last): fewer, larger writes, the same trail.
"""

from __future__ import annotations

import heapq
from collections.abc import Generator, Iterable
from datetime import datetime

import time_machine
from django.db import transaction

from accounts.audit import entries_written_last

Journey = Generator[datetime, None, None]
STEPS_PER_TRANSACTION = 50


def run(journeys: Iterable[Journey], *, end: datetime) -> int:
    """Run the journeys to `end` in time order; returns how many steps were taken."""
    queue: list[tuple[datetime, int, Journey]] = []
    counter = 0
    for journey in journeys:
        first = next(journey, None)
        if first is not None and first <= end:
            heapq.heappush(queue, (first, counter, journey))
            counter += 1
    steps = 0
    traveller = time_machine.travel(queue[0][0] if queue else end, tick=False)
    coordinates = traveller.start()
    try:
        while queue:
            with transaction.atomic(), entries_written_last():
                for _ in range(STEPS_PER_TRANSACTION):
                    if not queue:
                        break
                    when, _, journey = heapq.heappop(queue)
                    coordinates.move_to(when)
                    following = next(journey, None)
                    steps += 1
                    if following is None:
                        continue
                    following = max(following, when)
                    if following <= end:
                        heapq.heappush(queue, (following, counter, journey))
                        counter += 1
                    else:
                        journey.close()
    finally:
        traveller.stop()
    return steps
