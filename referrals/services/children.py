"""Changing a child's record: census details, households and the allocated worker."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Perm
from casework import access
from casework.errors import ChangedBySomeoneElse, RuleBroken
from casework.transitions import require_right
from referrals.identifiers import normalise_nhs_number
from referrals.models import (
    Allocation,
    Child,
    Household,
    Person,
)


@transaction.atomic
def household_add(
    *, by: User, child: Child, address: str, postcode: str = "",
    people: Sequence[Person] = (), children: Sequence[Child] = (),
) -> Household:  # fmt: skip
    """A household the child lives in, with the adults and other children who live there:
    the child is always one of its members; the address is required."""
    require_right(by, Perm.RECORD_CONTACTS)
    address = " ".join(address.split())
    if not address:
        raise RuleBroken("Enter the household's address")
    household = Household(address=address, postcode=" ".join(postcode.upper().split()))
    household.audit_child_id = child.pk
    household.save()
    household.children.add(child, *(c for c in children if c.pk != child.pk))
    if people:
        household.people.add(*people)
    return household


@transaction.atomic
def household_leave(
    *, by: User, household: Household, child: Child | None = None, person: Person | None = None
) -> Household:
    """A child or an adult leaves a household (the audit trail keeps that they were in it)."""
    require_right(by, Perm.RECORD_CONTACTS)
    if (child is None) == (person is None):
        raise RuleBroken("Choose one child or one adult to leave the household")
    current = Household.objects.select_for_update().get(pk=household.pk)
    if child is not None:
        if not current.children.filter(pk=child.pk).exists():
            raise RuleBroken("That child is not in this household")
        current.audit_child_id = child.pk
        current.children.remove(child)
    elif person is not None:
        if not current.people.filter(pk=person.pk).exists():
            raise RuleBroken("That adult is not in this household")
        current.people.remove(person)
    return current


CHILD_DETAILS = (
    "first_name", "last_name", "date_of_birth", "expected_date_of_birth", "date_of_death", "sex",
    "ethnicity", "disabilities", "nhs_number", "upn", "upn_unknown", "address", "postcode",
)  # fmt: skip


@transaction.atomic
def child_update(*, by: User, child: Child, version: int, **details) -> Child:
    """Change the census details given (the others stay as they are) under the census rules;
    a second editor is told. A detail given empty is cleared."""

    require_right(by, Perm.RECORD_CONTACTS)
    unknown = set(details) - set(CHILD_DETAILS)
    if unknown:
        raise TypeError(f"child_update() has no detail {', '.join(sorted(unknown))}")
    current = Child.objects.select_for_update().get(pk=child.pk)
    if current.version != version:
        raise ChangedBySomeoneElse(current)
    for name, value in details.items():
        setattr(
            current,
            name,
            value or ([] if name == "disabilities" else None if "date" in name else ""),
        )
    current.nhs_number = normalise_nhs_number(current.nhs_number)
    current.upn = (current.upn or "").strip().upper()
    current.full_clean(exclude=["first_name_key", "last_name_key", "last_name_sound"])
    current.version += 1
    current.save()
    return current


@transaction.atomic
def allocation_set(*, by: User, child: Child, team, worker: User) -> Allocation:
    """Allocate a child's open work to a worker in a team; the previous allocation ends."""
    require_right(by, Perm.ALLOCATE_WORK)
    if not access.has_right(worker, Perm.RECORD_CONTACTS):
        raise RuleBroken("Allocate the work to a practitioner or manager")
    now = timezone.now()
    for current in Allocation.objects.select_for_update().filter(
        child=child, ended_at__isnull=True
    ):
        current.ended_at = now
        current.save(update_fields=["ended_at"])
    return Allocation.objects.create(child=child, team=team, worker=worker)
