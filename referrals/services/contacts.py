"""Recording a contact: what was reported, the children and the adults (DESIGN.md "The journey")."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Perm
from casework.errors import RuleBroken
from casework.transitions import require_right
from referrals.models import (
    Child,
    Person,
)
from referrals.models.contacts import (
    Contact,
    ContactChild,
)
from referrals.timescales import Timescale, due_date


@transaction.atomic
def contact_record(
    *, by: User, received_at: datetime, taken_by: User, source: str, concern: str, consent: str,
    children: list[Child], adults: list[Person] = (), urgent: bool = False,
    referrer_name: str = "", referrer_agency: str = "", referrer_role: str = "",
    referrer_contact: str = "",
) -> Contact:  # fmt: skip
    """Record a contact with a decision to make for each child (finding 1: every concern)."""
    require_right(by, Perm.RECORD_CONTACTS)
    if received_at > timezone.now():
        raise RuleBroken("The time the contact was received cannot be in the future")
    if not children:
        raise RuleBroken("Add at least one child the contact is about")
    if not concern.strip():
        raise RuleBroken("Record the concern")
    contact = Contact.objects.create(
        received_at=received_at, taken_by=taken_by, recorded_by=by, source=source,
        concern=concern, consent=consent, urgent=urgent,
        referrer_name=referrer_name, referrer_agency=referrer_agency,
        referrer_role=referrer_role, referrer_contact=referrer_contact,
        decision_due=due_date(received_at, Timescale.CONTACT_DECISION),
    )  # fmt: skip
    contact.adults.set(adults)
    ContactChild.objects.bulk_create(ContactChild(contact=contact, child=c) for c in children)
    return contact
