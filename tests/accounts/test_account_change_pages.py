"""The pages of two-person account changes (issue 16): changes awaiting my approval, the
administrators' actions, and the holder's report link; per role, allowed and refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import AccountChange, AccountChangeKind, AccountChangeState, User
from accounts.roles import Role
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db
BASE = "http://testserver"
NOT_APPROVERS = [role for role in Role if role != Role.SYSTEM_ADMINISTRATOR]
NOT_READERS = [role for role in Role if role not in (Role.MANAGER, Role.AUDITOR)]


@pytest.fixture
def world(make_user):
    admin = make_user(Role.SYSTEM_ADMINISTRATOR, username="admin")
    admin2 = make_user(Role.SYSTEM_ADMINISTRATOR, username="admin2")
    worker = make_user(Role.PRACTITIONER, username="worker")
    change = services.account_change_request(
        by=admin, account=worker, kind=AccountChangeKind.EMAIL,
        new_email="worker.new@example.invalid", link_base=BASE,
    )  # fmt: skip
    return {"admin": admin, "admin2": admin2, "worker": worker, "change": change}


def state(change: AccountChange) -> str:
    return AccountChange.objects.get(pk=change.pk).state


# Changes awaiting my approval ------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_APPROVERS)
def test_every_role_but_the_approvers_is_refused(client, make_user, world, role):
    sign_in(client, make_user(role))
    change = world["change"]
    assert client.get(reverse("accounts:account-changes")).status_code == 403
    url = reverse("accounts:account-change-action", args=[change.pk, "approve"])
    assert client.post(url).status_code == 403
    assert state(change) == AccountChangeState.REQUESTED


def test_the_named_manager_is_let_in(client, make_user, world, settings):
    settings.ACCOUNT_CHANGE_APPROVING_MANAGER = "named"
    sign_in(client, make_user(Role.MANAGER, username="named"))
    response = client.get(reverse("accounts:account-changes"))
    assert response.status_code == 200
    client.post(reverse("accounts:account-change-action", args=[world["change"].pk, "approve"]))
    assert state(world["change"]) == AccountChangeState.APPROVED


def test_the_other_administrator_sees_and_approves_it(client, world):
    sign_in(client, world["admin2"])
    response = client.get(reverse("accounts:account-changes"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Two people for every change that hands out access" in page
    assert "worker.new@example.invalid" in page and "Waiting for you (1)" in page
    response = client.post(
        reverse("accounts:account-change-action", args=[world["change"].pk, "approve"]),
        follow=True,
    )
    assert "approved: it takes effect later" in response.content.decode()
    assert state(world["change"]) == AccountChangeState.APPROVED
    assert "Approved, waiting to take effect (1)" in response.content.decode()


def test_the_requester_is_shown_the_refusal_and_nothing_changes(client, world):
    sign_in(client, world["admin"])
    page = client.get(reverse("accounts:account-changes")).content.decode()
    assert "Waiting for you (0)" in page and "You asked for it" in page
    response = client.post(
        reverse("accounts:account-change-action", args=[world["change"].pk, "approve"]),
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "someone else must approve it" in page
    assert state(world["change"]) == AccountChangeState.REQUESTED


def test_unknown_actions_and_changes_are_not_found(client, world):
    sign_in(client, world["admin2"])
    change = world["change"]
    url = reverse("accounts:account-change-action", args=[change.pk, "explode"])
    assert client.post(url).status_code == 404
    url = reverse("accounts:account-change-action", args=[999999, "approve"])
    assert client.post(url).status_code == 404
    url = reverse("accounts:account-change-action", args=[change.pk, "approve"])
    assert client.get(url)["Location"] == reverse("accounts:account-changes")  # never a 405


@pytest.mark.parametrize("count", [1, 20])
def test_the_approval_page_query_count_is_constant(
    client, make_user, world, count, django_assert_max_num_queries
):
    for _ in range(count):
        services.user_reactivate(by=world["admin"], user=make_user(Role.AUDITOR), link_base=BASE)
    sign_in(client, world["admin2"])
    # request: savepoint, session, user, rights, device; changes due; waiting for me; not for
    # me; approved; release
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:account-changes"))
    assert response.status_code == 200
    assert f"Waiting for you ({count + 1})" in response.content.decode()


# Administrators' actions --------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_READERS)
def test_administrators_actions_are_refused_to_all_but_managers_and_auditors(
    client, make_user, world, role
):
    sign_in(client, make_user(role))
    assert client.get(reverse("accounts:administrators-actions")).status_code == 403


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AUDITOR])
def test_managers_and_auditors_read_every_change_but_never_a_new_address(
    client, make_user, world, role
):
    services.account_change_approve(by=world["admin2"], change=world["change"])
    sign_in(client, make_user(role))
    response = client.get(reverse("accounts:administrators-actions"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Two people for every change that hands out access" in page
    assert "Change of email address" in page and "worker.new@example.invalid" not in page
    assert world["admin"].display_name in page and world["admin2"].display_name in page
    # Actions that need no second person: each administrator's whole audit trail, linked.
    for admin in (world["admin"], world["admin2"]):
        assert reverse("workspace:audit-user", args=[admin.pk]) in page


@pytest.mark.parametrize("count", [1, 30])
def test_administrators_actions_query_count_is_constant(
    client, make_user, world, count, django_assert_max_num_queries
):
    for _ in range(count):
        services.user_reactivate(by=world["admin"], user=make_user(Role.AUDITOR), link_base=BASE)
    sign_in(client, make_user(Role.AUDITOR))
    # request: savepoint, session, user, rights, device; the count; a page of changes with
    # who asked and approved; the administrators (their audit trails linked); release
    with django_assert_max_num_queries(9):
        response = client.get(reverse("accounts:administrators-actions"))
    assert response.status_code == 200


# The holder's report --------------------------------------------------------------------------


def report_url(change: AccountChange) -> str:
    return reverse("accounts:account-change-report", args=[services.report_token(change)])


def test_the_holder_reports_without_signing_in(client, world):
    url = report_url(world["change"])
    page = client.get(url).content.decode()
    assert "Report a change to your account" in page and "Change of email address" in page
    assert "worker.new@example.invalid" not in page
    response = client.post(url)
    assert response.status_code == 200 and "Change reported" in response.content.decode()
    assert state(world["change"]) == AccountChangeState.REPORTED


def test_a_signed_in_holder_reports_before_the_second_factor(client, world):
    client.force_login(world["worker"])  # password given, no code yet
    client.post(report_url(world["change"]))
    assert state(world["change"]) == AccountChangeState.REPORTED


def test_a_report_too_late_shows_the_error_summary(client, world, settings):
    settings.ACCOUNT_CHANGE_DELAY_SECONDS = 0
    services.account_change_approve(by=world["admin2"], change=world["change"])
    services.apply_due_account_changes()
    response = client.post(report_url(world["change"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "already taken effect" in page
    assert User.objects.get(pk=world["worker"].pk).email == "worker.new@example.invalid"


def test_a_link_that_is_not_ours_is_not_found(client, world):
    url = reverse("accounts:account-change-report", args=["made-up"])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert state(world["change"]) == AccountChangeState.REQUESTED


# The user's page asks instead of changing -----------------------------------------------------


def test_the_users_page_shows_the_change_waiting(client, world):
    sign_in(client, world["admin"])
    page = client.get(reverse("accounts:users")).content.decode()
    assert "Change waiting" in page
    page = client.get(reverse("accounts:user", args=[world["worker"].pk])).content.decode()
    assert "Changes waiting" in page and "waiting for approval" in page
    assert "Two people for every change that hands out access" in page
