"""The home page per role: who the user is, their roles and agency, what each role does."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts import services
from accounts.models import Agency
from accounts.roles import Role
from returns.selectors import QUALITY_RULES
from tests.conftest import sign_in

# The work lists' counts (issue 21): the closure days (the working-day calendar), then one
# query per model the role's lists count, and for managers the caseloads.
WORK_QUERIES = {
    # contact children, referrals, assessments, discussions, enquiries, requests, actions
    Role.PRACTITIONER: 1 + 7,
    # as a practitioner (discussions among them), plus the caseloads
    Role.MANAGER: 1 + 7 + 1 + 2,  # ...and the quality audits assigned to them
    Role.CONFERENCE_CHAIR: 1 + 1,  # enquiries
    # requests, discussions, actions, referrals; the agency's and the user's grant groups
    # (accounts.sharing.shared_with)
    Role.PARTNER_PRACTITIONER: 1 + 4 + 2,
    Role.PARTNER_SAFEGUARDING_LEAD: 1 + 4 + 2,
    Role.AUDITOR: 2,  # the quality audits assigned and due: their count, their rows
    Role.SYSTEM_ADMINISTRATOR: 1 + 1,  # users
    Role.DATA_OFFICER: 0,  # its own home (the data-quality rules, counted below)
}


@pytest.mark.parametrize("role", list(Role))
def test_home_page_per_role(signed_in_client, role, django_assert_max_num_queries):
    client = signed_in_client(role)
    # session, user, savepoint and release (the request's transaction), the user with agency,
    # the user's groups, the user's rights, the second factor's device, the unread notices;
    # for partners, their agency's kind (whether the navigation shows the LADO inbox); for
    # administrators, the count of account changes waiting for their approval; for those who
    # record contacts, their half-finished contact (issue 19); the work lists (WORK_QUERIES);
    # for the data officer, one query per data-quality rule and the newest returns (issue 22),
    # however many children
    partner = role in (Role.PARTNER_PRACTITIONER, Role.PARTNER_SAFEGUARDING_LEAD)
    approver = role == Role.SYSTEM_ADMINISTRATOR
    records = role in (Role.PRACTITIONER, Role.MANAGER)
    returns = len(QUALITY_RULES) + 1 if role == Role.DATA_OFFICER else 0
    base = 10 if partner or approver or records else 9
    with django_assert_max_num_queries(base + WORK_QUERIES[role] + returns):
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
    client.get(reverse("workspace:home"))  # the process's content type cache, as in service
    # as above (an approver, a recorder), seven roles; the work lists of every model, once
    with django_assert_max_num_queries(11 + 1 + 9 + 1 + 2):
        response = client.get(reverse("workspace:home"))
    assert "Roles" in response.content.decode()


def test_a_user_without_a_role_is_told_so(signed_in_client):
    response = signed_in_client(None).get(reverse("workspace:home"))
    assert "You have no role yet" in response.content.decode()


def test_administrators_see_how_many_account_changes_wait_for_them(make_user, client):
    me, other = make_user(Role.SYSTEM_ADMINISTRATOR), make_user(Role.SYSTEM_ADMINISTRATOR)
    holder = make_user(Role.PRACTITIONER)
    link = reverse("accounts:account-changes")
    page = sign_in(client, me).get(reverse("workspace:home")).content.decode()
    assert "0 changes to accounts waiting for your approval" in page and link in page
    for kind in ("reactivation", "two_factor_reset"):
        services.account_change_request(by=other, account=holder, kind=kind, link_base="")
    services.account_change_request(by=me, account=holder, kind="password_reset", link_base="")
    page = client.get(reverse("workspace:home")).content.decode()
    assert "2 changes to accounts waiting for your approval" in page  # not my own request


@pytest.mark.parametrize(
    ("role", "sees"),
    [(Role.MANAGER, True), (Role.AUDITOR, True), (Role.PRACTITIONER, False),
     (Role.SYSTEM_ADMINISTRATOR, False), (Role.PARTNER_PRACTITIONER, False)],
)  # fmt: skip
def test_managers_and_auditors_are_shown_the_administrators_actions(signed_in_client, role, sees):
    page = signed_in_client(role).get(reverse("workspace:home")).content.decode()
    assert (reverse("accounts:administrators-actions") in page) is sees
    assert ("waiting for your approval" in page) is (role == Role.SYSTEM_ADMINISTRATOR)


def test_the_lado_service_s_home_page_mentions_no_invitations(make_user, client):
    lado = Agency.objects.create(name="Test LADO", kind=Agency.Kind.LADO)
    sign_in(client, make_user(Role.PARTNER_PRACTITIONER, agency=lado))
    page = client.get(reverse("workspace:home")).content.decode()
    assert "LADO inbox" in page
    assert "invited" not in page and "My invitations" not in page
