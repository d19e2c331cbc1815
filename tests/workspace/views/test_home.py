"""The home page per role: who the user is, their roles and agency, what each role does."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import Role
from tests.conftest import sign_in


@pytest.mark.parametrize("role", list(Role))
def test_home_page_per_role(signed_in_client, role, django_assert_max_num_queries):
    client = signed_in_client(role)
    # session, user, savepoint and release (the request's transaction), the user with agency,
    # the user's groups, the user's rights, the second factor's device, the unread notices;
    # for partners, their agency's kind (whether the navigation shows the LADO inbox)
    partner = role in (Role.PARTNER_PRACTITIONER, Role.PARTNER_SAFEGUARDING_LEAD)
    with django_assert_max_num_queries(10 if partner else 9):
        response = client.get(reverse("workspace:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert role.label in page
    assert "As " + role.label.lower() in page


def test_home_page_query_count_does_not_grow_with_roles(
    make_user, client, django_assert_max_num_queries
):
    user = make_user(None)
    user.groups.set(Group.objects.all())
    sign_in(client, user)
    with django_assert_max_num_queries(9):  # as above, with seven roles instead of one
        response = client.get(reverse("workspace:home"))
    assert "Roles" in response.content.decode()


def test_a_user_without_a_role_is_told_so(signed_in_client):
    response = signed_in_client(None).get(reverse("workspace:home"))
    assert "You have no role yet" in response.content.decode()
