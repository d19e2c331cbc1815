from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.db.models import ProtectedError

from accounts.models import Agency, User


def test_a_user_needs_an_agency(db):
    with pytest.raises(IntegrityError):
        User.objects.create_user(username="nobody", password="x")


def test_a_superuser_needs_an_agency_too(db):
    with pytest.raises(ValueError, match="agency"):
        User.objects.create_superuser(username="root", password="x")
    agency = Agency.objects.create(name="Council", kind=Agency.Kind.LOCAL_AUTHORITY)
    assert User.objects.create_superuser(username="root", password="x", agency=agency).is_superuser


def test_an_agency_with_users_cannot_be_deleted(make_user):
    user = make_user(None)
    with pytest.raises(ProtectedError):
        user.agency.delete()


def test_role_names_follow_the_order_of_roles(make_user):
    from django.contrib.auth.models import Group

    user = make_user(None)
    user.groups.add(Group.objects.get(name="Auditor"), Group.objects.get(name="Practitioner"))
    assert user.role_names == ["Practitioner", "Auditor"]


def test_the_audit_trail_has_one_table_the_projects_own(db):
    from django.db import connection

    tables = connection.introspection.table_names()
    assert "accounts_auditentry" in tables
    assert "auditlog_logentry" not in tables


def test_passwords_are_hashed_with_argon2_and_validated(make_user, settings):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from config import settings as configured

    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS  # not the tests' fast hasher
    user = make_user(None)
    user.set_password("A-long-enough-passphrase")
    assert user.password.startswith("argon2")
    with pytest.raises(ValidationError):
        validate_password("password123", user)
    with pytest.raises(ValidationError):
        validate_password("short", user)
