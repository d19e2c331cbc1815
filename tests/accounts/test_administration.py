"""The system administrator's pages for users and agencies; refused to every other role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.audit import AuditEntry, Event
from accounts.models import AccountChange, AccountChangeState, Agency, User
from accounts.roles import Role
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db
OTHER_ROLES = [role for role in Role if role != Role.SYSTEM_ADMINISTRATOR]


@pytest.fixture
def admin_client(client, make_user):
    client.admin = make_user(Role.SYSTEM_ADMINISTRATOR)
    return sign_in(client, client.admin)


@pytest.fixture
def target(make_user):
    return make_user(Role.PRACTITIONER)


@pytest.fixture
def second_admin(make_user, settings):
    """Another administrator, who approves; approved changes take effect at once here."""
    settings.ACCOUNT_CHANGE_DELAY_SECONDS = 0
    return make_user(Role.SYSTEM_ADMINISTRATOR)


def approve_and_apply(account: User, approver: User) -> None:
    """A second person approves every waiting change to `account`; they take effect."""
    for change in AccountChange.objects.filter(account=account, state=AccountChangeState.REQUESTED):
        services.account_change_approve(by=approver, change=change)
    services.apply_due_account_changes()


def urls(target) -> list[tuple[str, str]]:
    return [
        ("get", reverse("accounts:users")),
        ("get", reverse("accounts:user-new")),
        ("get", reverse("accounts:user", args=[target.pk])),
        ("post", reverse("accounts:user-action", args=[target.pk, "deactivate"])),
        ("get", reverse("accounts:agencies")),
        ("get", reverse("accounts:agency-new")),
        ("get", reverse("accounts:agency", args=[target.agency.pk])),
    ]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_other_role_is_refused(client, make_user, target, role):
    sign_in(client, make_user(role))
    for method, url in urls(target):
        assert getattr(client, method)(url).status_code == 403, url
    assert User.objects.get(pk=target.pk).is_active


def test_the_administrator_sees_every_page(admin_client, target):
    for method, url in urls(target):
        if method == "get":
            assert admin_client.get(url).status_code == 200, url


def test_create_a_user_who_gets_a_set_password_link_once_a_second_person_approves(
    admin_client, second_admin, django_capture_on_commit_callbacks
):
    agency = Agency.objects.create(name="Holmsey Constabulary", kind=Agency.Kind.POLICE)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("accounts:user-new"),
            {"username": "pc.new", "first_name": "Pat", "last_name": "New",
             "email": "pat@example.invalid", "agency": agency.pk,
             "roles": [Role.PARTNER_PRACTITIONER.value]},
        )  # fmt: skip
    user = User.objects.get(username="pc.new")
    assert response.url == reverse("accounts:user", args=[user.pk])
    assert not user.has_usable_password()
    # Nothing handed out yet: no role, cannot sign in, no link sent.
    assert (user.is_active, user.role_names, len(mail.outbox)) == (False, [], 0)
    assert AuditEntry.objects.filter(event=Event.CREATE, object_pk=str(user.pk)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        approve_and_apply(user, second_admin)
    user.refresh_from_db()
    assert (user.is_active, user.role_names) == (True, ["Partner practitioner"])
    assert len(mail.outbox) == 1 and "/password-reset/" in mail.outbox[0].body
    assert mail.outbox[0].to == ["pat@example.invalid"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"username": ""}, "Enter a username"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"roles": []}, "Select at least one role"),
        ({"agency": ""}, "Choose the user&#x27;s agency"),
    ],
)
def test_bad_input_shows_the_error_summary_and_creates_nothing(admin_client, change, message):
    agency = Agency.objects.create(name="A school", kind=Agency.Kind.EDUCATION)
    data = {"username": "someone", "first_name": "S", "last_name": "O",
            "email": "s@example.invalid", "agency": agency.pk,
            "roles": [Role.PARTNER_PRACTITIONER.value], **change}  # fmt: skip
    response = admin_client.post(reverse("accounts:user-new"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    assert not User.objects.filter(username="someone").exists()


def test_a_duplicate_username_is_refused(admin_client, target):
    response = admin_client.post(
        reverse("accounts:user-new"),
        {"username": target.username.upper(), "first_name": "X", "last_name": "Y",
         "email": "x@example.invalid", "agency": target.agency.pk, "roles": ["Practitioner"]},
    )  # fmt: skip
    assert "A user with that username already exists" in response.content.decode()


def test_edit_roles_and_agency_wait_for_a_second_person_and_are_audited(
    admin_client, second_admin, target
):
    police = Agency.objects.create(name="Police", kind=Agency.Kind.POLICE)
    old_agency, old_email = target.agency, target.email
    response = admin_client.post(
        reverse("accounts:user", args=[target.pk]),
        {"first_name": "New", "last_name": "Name", "email": "n@example.invalid",
         "agency": police.pk, "roles": [Role.PARTNER_SAFEGUARDING_LEAD.value]},
        follow=True,
    )  # fmt: skip
    assert "Waiting for a second person&#x27;s approval" in response.content.decode()
    target.refresh_from_db()
    # The names change at once; what hands out access waits.
    assert (target.first_name, target.agency, target.email, target.role_names) == (
        "New", old_agency, old_email, ["Practitioner"],
    )  # fmt: skip
    kinds = set(AccountChange.objects.filter(account=target).values_list("kind", flat=True))
    assert kinds == {"email", "agency", "roles"}
    approve_and_apply(target, second_admin)
    target.refresh_from_db()
    assert (target.first_name, target.agency, target.email, target.role_names) == (
        "New", police, "n@example.invalid", ["Partner safeguarding lead"],
    )  # fmt: skip
    assert AuditEntry.objects.filter(object_pk=str(target.pk), event=Event.UPDATE).exists()


def test_nobody_changes_their_own_roles(admin_client):
    me = admin_client.admin
    response = admin_client.post(
        reverse("accounts:user", args=[me.pk]),
        {"first_name": "Me", "last_name": "Too", "email": "me@example.invalid",
         "agency": me.agency.pk, "roles": [Role.AUDITOR.value, Role.SYSTEM_ADMINISTRATOR.value]},
    )  # fmt: skip
    assert "You cannot change your own roles" in response.content.decode()
    assert set(User.objects.get(pk=me.pk).role_names) == {"System administrator"}


def test_deactivate_at_once_and_reactivate_with_a_second_person_never_delete(
    admin_client, second_admin, target
):
    admin_client.post(reverse("accounts:user-action", args=[target.pk, "deactivate"]))
    assert not User.objects.get(pk=target.pk).is_active
    admin_client.post(reverse("accounts:user-action", args=[target.pk, "reactivate"]))
    assert not User.objects.get(pk=target.pk).is_active  # waits for approval
    approve_and_apply(target, second_admin)
    assert User.objects.get(pk=target.pk).is_active


def test_deactivating_another_administrator_needs_a_second_person(admin_client, second_admin):
    admin_client.post(reverse("accounts:user-action", args=[second_admin.pk, "deactivate"]))
    assert User.objects.get(pk=second_admin.pk).is_active
    change = AccountChange.objects.get(account=second_admin)
    assert change.kind == "deactivation"


def test_an_administrator_cannot_deactivate_themselves(admin_client):
    me = admin_client.admin
    response = admin_client.post(
        reverse("accounts:user-action", args=[me.pk, "deactivate"]), follow=True
    )
    assert "You cannot deactivate your own account" in response.content.decode()
    assert User.objects.get(pk=me.pk).is_active


def test_reset_two_factor_and_password_wait_for_a_second_person_and_unknown_action(
    admin_client, second_admin, target, django_capture_on_commit_callbacks
):
    TOTPDevice.objects.create(user=target, name="app", confirmed=True)
    target.set_password("an old password")
    target.save()
    for action in ("reset-two-factor", "reset-password"):
        admin_client.post(reverse("accounts:user-action", args=[target.pk, action]))
    assert TOTPDevice.objects.filter(user=target).exists()
    assert User.objects.get(pk=target.pk).check_password("an old password")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve_and_apply(target, second_admin)
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert not User.objects.get(pk=target.pk).has_usable_password()
    reset = [message for message in mail.outbox if "/password-reset/" in message.body]
    assert len(reset) == 1 and reset[0].to == [target.email]
    assert (
        admin_client.post(reverse("accounts:user-action", args=[target.pk, "explode"])).status_code
        == 404
    )
    assert (
        admin_client.get(
            reverse("accounts:user-action", args=[target.pk, "deactivate"])
        ).status_code
        == 302  # a reload goes to the user's page, never a 405
    )


def test_agency_create_edit_and_duplicate(admin_client):
    admin_client.post(
        reverse("accounts:agency-new"),
        {"name": "Holmsey Housing", "kind": "other", "is_active": "on"},
    )
    agency = Agency.objects.get(name="Holmsey Housing")
    admin_client.post(
        reverse("accounts:agency", args=[agency.pk]), {"name": "Holmsey Homes", "kind": "other"}
    )
    agency.refresh_from_db()
    assert (agency.name, agency.is_active) == ("Holmsey Homes", False)
    response = admin_client.post(
        reverse("accounts:agency-new"), {"name": "holmsey homes", "kind": "other"}
    )
    assert "An agency with that name already exists" in response.content.decode()
    assert (
        admin_client.post(reverse("accounts:agency-new"), {"name": "", "kind": ""}).status_code
        == 200
    )


@pytest.mark.parametrize("count", [1, 30])
def test_user_list_query_count_is_constant(
    admin_client, make_user, count, django_assert_max_num_queries
):
    for _ in range(count):
        user = make_user(Role.PRACTITIONER)
        user.groups.add(Group.objects.get(name="Auditor"))
    # request: savepoint, session, user, rights, device; account changes due; users with
    # agencies; their groups; lockouts; accounts with a change waiting; release
    with django_assert_max_num_queries(11):
        response = admin_client.get(reverse("accounts:users"))
    assert len(response.context["rows"]) == count + 1


def test_the_django_admin_changes_no_account_without_a_second_person(client, make_user):
    me = make_user(Role.SYSTEM_ADMINISTRATOR, is_staff=True, is_superuser=True)
    sign_in(client, me)
    other = make_user(Role.PRACTITIONER)
    for user in (me, other):
        page = client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()
        assert 'name="groups"' not in page and 'name="email"' not in page
        assert 'name="is_superuser"' not in page
    before = other.email
    response = client.post(
        reverse("admin:accounts_user_change", args=[other.pk]),
        {"username": other.username, "email": "taken@x.invalid", "groups": []},
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.email == before
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403
    response = client.post(
        reverse("admin:auth_user_password_change", args=[other.pk]),
        {"password1": "An0ther-secret-pass", "password2": "An0ther-secret-pass"},
    )
    assert response.status_code == 403
    assert client.post(reverse("admin:accounts_user_delete", args=[other.pk])).status_code == 403


def test_a_change_already_waiting_is_refused_and_nothing_changes(admin_client, target):
    data = {"first_name": "Renamed", "last_name": target.last_name, "agency": target.agency.pk,
            "roles": [Role.PRACTITIONER.value]}  # fmt: skip
    admin_client.post(reverse("accounts:user", args=[target.pk]), {**data, "email": "a@x.invalid"})
    response = admin_client.post(
        reverse("accounts:user", args=[target.pk]), {**data, "first_name": "Again",
                                                     "email": "b@x.invalid"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "already waiting" in page and 'value="b@x.invalid"' in page  # what was typed stays
    assert User.objects.get(pk=target.pk).first_name == "Renamed"
    assert AccountChange.objects.filter(account=target).count() == 1
