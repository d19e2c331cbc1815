"""Recording a contact: what was reported, the children and the adults (DESIGN.md "The journey")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Perm
from casework.errors import RuleBroken
from casework.transitions import require_right
from referrals.models import (
    Child,
    Person,
    Relationship,
)
from referrals.models.contacts import (
    Contact,
    ContactChild,
    LevelOfNeed,
)
from referrals.models.partner_referrals import PartnerReferral
from referrals.services.decisions import decision_propose
from referrals.services.partner_referrals import partner_referral_record
from referrals.timescales import Timescale, due_date


@transaction.atomic
def contact_record(
    *, by: User, received_at: datetime, taken_by: User, source: str, concern: str, consent: str,
    children: list[Child], adults: Sequence[Person] = (), urgent: bool = False,
    referrer_name: str = "", referrer_agency: str = "", referrer_role: str = "",
    referrer_contact: str = "",
) -> Contact:  # fmt: skip
    """Record a contact with a decision to make for each child (finding 1: every concern)."""
    require_right(by, Perm.RECORD_CONTACTS)
    if received_at > timezone.now():
        raise RuleBroken("The time the contact was received cannot be in the future")
    if not children:
        raise RuleBroken("Add at least one child the contact is about")
    if len({child.pk for child in children}) < len(children):
        raise RuleBroken("The same child is added twice: each child is added once")
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
    ContactChild.objects.bulk_create(
        ContactChild(
            contact=contact, child=c, received_at=received_at, decision_due=contact.decision_due
        )
        for c in children
    )
    return contact


ChildOrPerson = TypeVar("ChildOrPerson", Child, Person)


def _found_or_new(model: type[ChildOrPerson], entry: dict) -> ChildOrPerson:
    """A wizard entry: a known record (`existing`, its pk) or a `new` one to create."""
    if "existing" in entry:
        return model.objects.get(pk=entry["existing"])
    new = entry["new"]
    born = new["date_of_birth"]
    return model.objects.create(
        first_name=new["first_name"], last_name=new["last_name"], nhs_number=new["nhs_number"],
        date_of_birth=date.fromisoformat(born) if born else None,
    )  # fmt: skip


@transaction.atomic
def contact_record_from_wizard(
    *, by: User, details: dict, children: list[dict], adults: list[dict],
    partner_referral: int | None = None,
) -> Contact:  # fmt: skip
    """The contact wizard's answers recorded at once: the new children and adults created, each
    adult related to each child, the contact recorded (`contact_record`) and, when it came
    from a partner agency, that referral marked as recorded by it (issue 9).

    `details` is the contact details form's cleaned data; each entry of `children` and `adults`
    is `{"existing": pk}` or `{"new": {"first_name", "last_name", "date_of_birth" (ISO or ""),
    "nhs_number"}}`, an adult's with its `relationship` kind too."""
    received_at = timezone.make_aware(
        datetime.combine(details["received_date"], details["received_time"])
    )
    for entries, noun in ((children, "child"), (adults, "adult")):
        known = [entry["existing"] for entry in entries if "existing" in entry]
        if len(set(known)) < len(known):
            raise RuleBroken(f"The same {noun} is added twice: each {noun} is added once")
    found_children = [_found_or_new(Child, entry) for entry in children]
    found_adults = []
    for entry in adults:
        adult = _found_or_new(Person, entry)
        found_adults.append(adult)
        for child in found_children:
            Relationship.objects.get_or_create(
                child=child, person=adult, kind=entry["relationship"]
            )
    contact = contact_record(
        by=by, received_at=received_at, taken_by=details["taken_by"],
        source=details["source"], concern=details["concern"], consent=details["consent"],
        urgent=details["urgent"], children=found_children,
        referrer_name=details["referrer_name"], referrer_role=details["referrer_role"],
        referrer_agency=details["referrer_agency"],
        referrer_contact=details["referrer_contact"], adults=found_adults,
    )  # fmt: skip
    if partner_referral is not None:
        partner_referral_record(
            by=by, partner_referral=PartnerReferral.objects.get(pk=partner_referral),
            contact=contact,
        )  # fmt: skip
    return contact


@transaction.atomic
def contact_record_and_propose(
    *, by: User, details: dict, children: list[dict], adults: list[dict],
    proposals: Sequence[dict | None], partner_referral: int | None = None,
) -> Contact:  # fmt: skip
    """The contact recorded (`contact_record_from_wizard`) and, for each child whose decision
    was proposed on "Check your answers", that proposal (`decision_propose`, four eyes and
    every rule as on the decision page); a child without one is screened later. All or
    nothing: a refused proposal records nothing (issue 17)."""
    contact = contact_record_from_wizard(
        by=by, details=details, children=children, adults=adults,
        partner_referral=partner_referral,
    )  # fmt: skip
    if not any(proposals):
        return contact
    by_child = {cc.child_id: cc for cc in contact.children.select_related("child")}
    # The children in the order they were given (`_found_or_new` kept that order).
    ordered = sorted(by_child.values(), key=lambda cc: cc.pk)
    levels = LevelOfNeed.objects.in_bulk(
        [proposal["level_of_need"] for proposal in proposals if proposal]
    )
    for contact_child, proposal in zip(ordered, proposals, strict=True):
        if proposal is None:
            continue
        level = levels.get(proposal["level_of_need"])
        if level is None:
            raise RuleBroken("Choose a level of need from the list")
        decision_propose(
            by=by, contact_child=contact_child, outcome=proposal["outcome"],
            level_of_need=level, rationale=proposal["rationale"],
            childs_voice=proposal.get("childs_voice", ""),
            safety_reason=proposal.get("safety_reason", ""),
        )  # fmt: skip
    return contact
