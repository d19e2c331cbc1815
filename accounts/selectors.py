"""Queries for the accounts pages."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from accounts.roles import ROLE_SUMMARIES, Role


@dataclass(frozen=True)
class RoleSummary:
    name: str
    summary: str


@dataclass(frozen=True)
class HomeProfile:
    display_name: str
    agency_name: str
    roles: list[RoleSummary]


def home_profile(user: User) -> HomeProfile:
    """The user's name, agency and roles, in two queries whatever they hold."""
    user = User.objects.select_related("agency").prefetch_related("groups").get(pk=user.pk)
    return HomeProfile(
        display_name=user.display_name,
        agency_name=user.agency.name,
        roles=[RoleSummary(name, ROLE_SUMMARIES[Role(name)]) for name in user.role_names],
    )
