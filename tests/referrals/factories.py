"""Contacts in each state, reached through the real services."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from referrals import services
from referrals.codes import ConsentPosition, ReferralSource
from referrals.models import Child
from referrals.models.contacts import ContactChild, LevelOfNeed, Outcome


def level() -> LevelOfNeed:
    return LevelOfNeed.objects.get_or_create(name="Level 3: complex needs", defaults={"order": 3})[
        0
    ]


def contact(*, by, children: int = 1, concern: str = "Bruising seen at school", days_ago: int = 0):
    kids = [
        Child.objects.create(
            first_name=f"Sib{n}", last_name="Jones", date_of_birth=date(2015 + n, 1, 1)
        )
        for n in range(children)
    ]
    return services.contact_record(
        by=by, received_at=timezone.now() - timedelta(days=days_ago, hours=1), taken_by=by,
        source=ReferralSource.SCHOOLS, concern=concern, consent=ConsentPosition.GIVEN,
        children=kids, referrer_name="Mrs Head", referrer_agency="St Bride's",
    )  # fmt: skip


def proposed(
    *, by, outcome=Outcome.REFERRAL, rationale="Pattern of injuries", days_ago: int = 0
) -> ContactChild:
    contact_child = contact(by=by, days_ago=days_ago).children.get()
    services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
        by=by, contact_child=contact_child, outcome=outcome, level_of_need=level(),
        rationale=rationale,
    )  # fmt: skip
    return ContactChild.objects.get(pk=contact_child.pk)


def signed_off(*, by, signer, outcome=Outcome.REFERRAL, days_ago: int = 0) -> ContactChild:
    contact_child = proposed(by=by, outcome=outcome, days_ago=days_ago)
    services.decision_sign_off(by=signer, contact_child=contact_child, comment="Agreed")
    return ContactChild.objects.get(pk=contact_child.pk)
