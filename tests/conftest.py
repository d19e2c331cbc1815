"""Fixtures every test shares: agencies, users per role, and the one sign-in helper."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import Agency, User
from accounts.roles import Role
from tests.factories import AgencyFactory, UserFactory

# Which agency kind each role's demo-like user belongs to in tests.
ROLE_AGENCY_KIND = {
    Role.PRACTITIONER: Agency.Kind.LOCAL_AUTHORITY,
    Role.MANAGER: Agency.Kind.LOCAL_AUTHORITY,
    Role.CONFERENCE_CHAIR: Agency.Kind.LOCAL_AUTHORITY,
    Role.PARTNER_PRACTITIONER: Agency.Kind.POLICE,
    Role.PARTNER_SAFEGUARDING_LEAD: Agency.Kind.POLICE,
    Role.AUDITOR: Agency.Kind.LOCAL_AUTHORITY,
    Role.SYSTEM_ADMINISTRATOR: Agency.Kind.LOCAL_AUTHORITY,
}


def sign_in(client: Client, user: User) -> Client:
    """Sign `user` in on `client`, satisfying every factor the sign-in asks for."""
    client.force_login(user)
    return client


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """Make a user with a role, in an agency of the kind that role usually belongs to."""

    def make(role: Role | None = None, *, agency: Agency | None = None, **fields) -> User:
        if agency is None:
            kind = ROLE_AGENCY_KIND[role] if role else Agency.Kind.LOCAL_AUTHORITY
            agency = Agency.objects.filter(kind=kind).first() or AgencyFactory(kind=kind)
        user = UserFactory(agency=agency, **fields)
        if role is not None:
            user.groups.add(Group.objects.get(name=role.value))
        return user

    return make


@pytest.fixture
def signed_in_client(client, make_user) -> Callable[..., Client]:
    """A client signed in as a new user with the given role."""

    def make(role: Role | None = None, **fields) -> Client:
        return sign_in(client, make_user(role, **fields))

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    """The demo authority, partners and users of `manage.py load_demo`."""
    from accounts.demo import load_demo

    load_demo()
