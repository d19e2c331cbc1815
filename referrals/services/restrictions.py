"""Restricting a child's record, its allow-list, lifting it, and breaking the glass (issue 9;
DESIGN.md "Information sharing and access").

A manager restricts a child's record (a staff member's child, say) with a reason and names the
people who may open it; anyone else with case-record rights, auditor included, gives a reason
to open it ("break glass") and may then open it for `BREAK_GLASS_HOURS`. Every step is audited;
the reasons are stored encrypted and never copied into an audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import record_break_glass, record_transition
from accounts.models import User
from accounts.notices import NoticeKind, notices_send
from casework import access
from casework.errors import RuleBroken
from casework.references import child_reference
from referrals.models import Child
from referrals.models.restrictions import BreakGlass, Restriction

OPEN, RESTRICTED = "open", "restricted"


def _require_manager(by: User) -> None:
    if not access.can_restrict_records(by):
        raise PermissionDenied("Only managers restrict records.")


def _named(allowed: Iterable[User]) -> list[User]:
    """The people a restriction names: at least one, each someone who sees case records."""
    people = list({user.pk: user for user in allowed}.values())
    if not people:
        raise RuleBroken("Name at least one person who may open the record")
    for user in people:
        if not access.may_be_named_on_restriction(user):
            raise RuleBroken(
                "Only active local authority staff and auditors can be named on a restricted record"
            )
    return people


def _usernames(users: Iterable[User]) -> str:
    return ", ".join(sorted(user.username for user in users)) or "nobody"


def _audit(by: User, restriction: Restriction, *, name: str, source: str, target: str, **named):
    """The step, with who was named (usernames only: never the reason, which is encrypted)."""
    record_transition(
        actor=by, obj=restriction, source=source, target=target, name=name,
        reason="; ".join(f"{what}: {_usernames(users)}" for what, users in named.items()),
        child_ref=child_reference(restriction.child_id),
    )  # fmt: skip


def _open_to_manager(by: User, child: Child) -> None:
    if not access.child_is_open_to(by, child):
        raise RuleBroken(
            "You are not named on this restricted record: give your reason to open it first"
        )


@transaction.atomic
def child_restrict(*, by: User, child: Child, reason: str, allowed: Iterable[User]) -> Restriction:
    """Restrict a child's record, naming who may open it without a reason (managers only)."""
    _require_manager(by)
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Give the reason the record is restricted")
    people = _named(allowed)
    if Restriction.objects.active().filter(child_id=child.pk).exists():
        raise RuleBroken("This record is restricted already")
    try:
        with transaction.atomic():
            restriction = Restriction.objects.create(child=child, reason=reason, restricted_by=by)
    except IntegrityError:  # restricted by someone else a moment ago (one active per child)
        raise RuleBroken("This record is restricted already") from None
    restriction.allowed.set(people)
    _audit(by, restriction, name="restrict", source=OPEN, target=RESTRICTED, named=people)
    return restriction


@transaction.atomic
def restriction_allowed_change(*, by: User, child: Child, allowed: Iterable[User]) -> Restriction:
    """Name who may open a restricted record: people added and removed (managers only, and
    only on a record open to them)."""
    _require_manager(by)
    restriction = Restriction.objects.active().select_for_update().filter(child_id=child.pk).first()
    if restriction is None:
        raise RuleBroken("This record is not restricted")
    _open_to_manager(by, child)
    people = _named(allowed)
    before = {user.pk: user for user in restriction.allowed.all()}
    after = {user.pk: user for user in people}
    added = [user for pk, user in after.items() if pk not in before]
    removed = [user for pk, user in before.items() if pk not in after]
    if not added and not removed:
        return restriction
    restriction.allowed.set(people)
    _audit(
        by, restriction, name="change_allowed", source=RESTRICTED, target=RESTRICTED,
        added=added, removed=removed,
    )  # fmt: skip
    return restriction


@transaction.atomic
def restriction_lift(*, by: User, child: Child, reason: str) -> Restriction:
    """Lift a restriction (managers only, on a record open to them): the record opens for
    everyone with case-record rights again. The restriction is kept, with who lifted it, when
    and why (encrypted); the reason is also kept as a note on the child."""
    _require_manager(by)
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Give the reason the restriction is lifted")
    restriction = Restriction.objects.active().select_for_update().filter(child_id=child.pk).first()
    if restriction is None:
        raise RuleBroken("This record is not restricted")
    _open_to_manager(by, child)
    restriction.lifted_at = timezone.now()
    restriction.lifted_by = by
    restriction.lift_reason = reason
    restriction.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    named = list(restriction.allowed.all())
    _audit(by, restriction, name="lift", source=RESTRICTED, target=OPEN, named=named)
    # The note (notes.Note, an app above this one) through the child's reverse relation.
    child.notes.create(text=f"Restriction lifted: {reason}", author=by, significant=False)
    return restriction


@transaction.atomic
def break_glass(*, by: User, child: Child, reason: str) -> BreakGlass:
    """Open a restricted record one is not named on, with a reason: it stays open to them
    for BREAK_GLASS_HOURS; audited (the reason encrypted, never in the audit entry) and listed
    for managers; the people on the allow-list are told (an in-app notice: who opened which
    reference, never the reason)."""
    if not access.can_view_case_records(by):
        raise PermissionDenied("Your role does not give access to case records.")
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Give the reason you need to open this record")
    restriction = Restriction.objects.active().filter(child_id=child.pk).first()
    if restriction is None:
        raise RuleBroken("This record is not restricted")
    now = timezone.now()
    opening = BreakGlass.objects.create(
        child_id=child.pk, user=by, reason=reason, opened_at=now,
        expires_at=now + timedelta(hours=settings.BREAK_GLASS_HOURS),
    )  # fmt: skip
    record_break_glass(actor=by, obj=opening, child_ref=child_reference(child.pk))
    notices_send(
        recipients=restriction.allowed.all(), kind=NoticeKind.BREAK_GLASS, actor=by,
        reference=child_reference(child.pk), link=reverse("referrals:child", args=[child.pk]),
    )  # fmt: skip
    return opening
