"""Demo local data for the front door (fictional authority): the continuum of need."""

from __future__ import annotations

from referrals.contacts import LevelOfNeed

LEVELS = [
    ("Level 1: universal", "Needs met by universal services: schools, GPs, health visitors."),
    ("Level 2: early help", "Additional needs met by early help with the family's consent."),
    ("Level 3: child in need", "Complex needs: a section 17 assessment by children's social care."),
    ("Level 4: child protection", "Reasonable cause to suspect significant harm: section 47."),
]


def load_levels() -> int:
    created = 0
    for order, (name, description) in enumerate(LEVELS, start=1):
        created += LevelOfNeed.objects.get_or_create(
            name=name, defaults={"description": description, "order": order}
        )[1]
    return created
