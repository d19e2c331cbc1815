"""The roles exist as groups with exactly their rights, and rights come only from roles."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.models import Agency
from accounts.permissions import Perm
from accounts.roles import ROLE_PERMISSIONS, Role
from casework import access


def test_the_migration_creates_every_role_with_exactly_its_rights(db):
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        codenames = set(group.permissions.values_list("codename", flat=True))
        assert codenames == {perm.value for perm in perms}, role


def test_there_are_no_other_groups(db):
    assert set(Group.objects.values_list("name", flat=True)) == set(Role.values)


def test_partner_roles_hold_no_model_level_view_or_change_permission(db):
    # Guardian would otherwise return every object from get_objects_for_user (STACK.md).
    for role in (Role.PARTNER_PRACTITIONER, Role.PARTNER_SAFEGUARDING_LEAD):
        codenames = Group.objects.get(name=role.value).permissions.values_list(
            "codename", flat=True
        )
        assert not [c for c in codenames if c.startswith(("view_", "change_", "add_", "delete_"))]


def test_a_local_authority_user_without_a_role_has_no_rights(make_user):
    user = make_user(None, agency=Agency.objects.create(name="Council", kind="local_authority"))
    assert access.rights(user) == frozenset()
    assert not access.can_view_case_records(user)


def test_rights_follow_the_role_not_the_agency(make_user):
    police = Agency.objects.create(name="Constabulary", kind=Agency.Kind.POLICE)
    user = make_user(Role.PRACTITIONER, agency=police)
    assert access.can_view_case_records(user)
    assert access.has_right(user, Perm.RECORD_CONTACTS)
    assert not access.has_right(user, Perm.SIGN_OFF_DECISIONS)


def test_a_superuser_without_a_role_has_no_rights(make_user):
    user = make_user(None, is_superuser=True, is_staff=True)
    assert access.rights(user) == frozenset()
    assert not access.can_view_case_records(user)


def test_a_deactivated_user_has_no_rights(make_user):
    user = make_user(Role.MANAGER, is_active=False)
    assert access.rights(user) == frozenset()


@pytest.mark.parametrize(
    ("role", "case_records", "audit_trail", "manage_users"),
    [
        (Role.PRACTITIONER, True, False, False),
        (Role.MANAGER, True, True, False),
        (Role.CONFERENCE_CHAIR, True, False, False),
        (Role.PARTNER_PRACTITIONER, False, False, False),
        (Role.PARTNER_SAFEGUARDING_LEAD, False, False, False),
        (Role.AUDITOR, True, True, False),
        (Role.SYSTEM_ADMINISTRATOR, False, False, True),
        (Role.DATA_OFFICER, False, False, False),
    ],
)
def test_access_questions_per_role(make_user, role, case_records, audit_trail, manage_users):
    user = make_user(role)
    assert access.can_view_case_records(user) is case_records
    assert access.can_read_audit_trail(user) is audit_trail
    assert access.can_manage_users(user) is manage_users


def test_rights_are_read_in_one_query_and_cached(make_user, django_assert_num_queries):
    user = make_user(Role.MANAGER)
    with django_assert_num_queries(1):
        access.can_view_case_records(user)
        access.can_read_audit_trail(user)
        access.has_right(user, Perm.SIGN_OFF_DECISIONS)
