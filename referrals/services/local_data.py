"""The authority's local data: closure days, the continuum of need's levels and teams, kept by
the system administrator and audited (DESIGN.md "Settings and local data")."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.permissions import Perm
from casework.access import MANAGES_LOCAL_DATA, has_right, require_right
from casework.errors import RuleBroken
from referrals.models import ClosureDay, DutyManager, LevelOfNeed, Team


@transaction.atomic
def closure_day_add(*, by: User, day: date, name: str) -> ClosureDay:
    """A day the front door is closed; due dates set from now on skip it."""
    require_right(by, Perm.MANAGE_LOCAL_DATA, MANAGES_LOCAL_DATA)
    try:
        with transaction.atomic():
            return ClosureDay.objects.create(day=day, name=name)
    except IntegrityError as error:
        raise RuleBroken("That date is already a closure day") from error


@transaction.atomic
def closure_day_remove(*, by: User, closure_day: ClosureDay) -> None:
    """Remove a closure day; due dates already set do not move (they are set once)."""
    require_right(by, Perm.MANAGE_LOCAL_DATA, MANAGES_LOCAL_DATA)
    closure_day.delete()


@transaction.atomic
def level_of_need_save(*, by: User, level: LevelOfNeed | None, **fields) -> LevelOfNeed:
    """Add a level of the local continuum of need, or change one; names are unique."""
    require_right(by, Perm.MANAGE_LOCAL_DATA, MANAGES_LOCAL_DATA)
    duplicate = LevelOfNeed.objects.filter(name__iexact=fields["name"])
    if level is not None:
        duplicate = duplicate.exclude(pk=level.pk)
    if duplicate.exists():
        raise RuleBroken("A level with that name already exists")
    level = level or LevelOfNeed()
    for name, value in fields.items():
        setattr(level, name, value)
    level.save()
    return level


@transaction.atomic
def team_add(*, by: User, **fields) -> Team:
    """A team, with its manager; names are unique."""
    require_right(by, Perm.MANAGE_LOCAL_DATA, MANAGES_LOCAL_DATA)
    if Team.objects.filter(name__iexact=fields["name"]).exists():
        raise RuleBroken("A team with that name already exists")
    return Team.objects.create(**fields)


@transaction.atomic
def duty_manager_set(*, by: User, manager: User) -> DutyManager:
    """The front door's duty manager, told of overdue work with no team allocated (issue 24):
    someone who may allocate work."""
    require_right(by, Perm.MANAGE_LOCAL_DATA, MANAGES_LOCAL_DATA)
    if not manager.is_active or not has_right(manager, Perm.ALLOCATE_WORK):
        raise RuleBroken("Choose a manager who allocates work")
    return DutyManager.objects.create(manager=manager, set_by=by)
