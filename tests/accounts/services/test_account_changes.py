"""Two people for every change that hands out access (issue 16): request, approve, report,
take effect; each rule, and the takeover chain of the issue stopped at its first step."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django_fsm import TransitionNotAllowed
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.audit import AuditEntry, Event
from accounts.models import (
    AccountChange,
    AccountChangeKind,
    AccountChangeState,
    AccountRuleBroken,
    Agency,
    User,
)
from accounts.roles import Role
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db
BASE = "https://front-door.example"
NEW_EMAIL = "someone.else@attacker.example"


@pytest.fixture
def people(make_user):
    return {
        "admin": make_user(Role.SYSTEM_ADMINISTRATOR, username="admin"),
        "admin2": make_user(Role.SYSTEM_ADMINISTRATOR, username="admin2"),
        "admin3": make_user(Role.SYSTEM_ADMINISTRATOR, username="admin3"),
        "manager": make_user(Role.MANAGER, username="manager"),
        "worker": make_user(Role.PRACTITIONER, username="worker"),
    }


def email_change(by: User, account: User, new_email: str = NEW_EMAIL) -> AccountChange:
    return services.account_change_request(
        by=by, account=account, kind=AccountChangeKind.EMAIL, new_email=new_email, link_base=BASE
    )


def requested(change: AccountChange) -> AccountChange:
    return AccountChange.objects.get(pk=change.pk)


# Who may approve ---------------------------------------------------------------------------


def test_the_requester_never_approves(people):
    change = email_change(people["admin"], people["worker"])
    with pytest.raises(AccountRuleBroken, match="someone else must approve"):
        services.account_change_approve(by=people["admin"], change=change)
    assert requested(change).state == AccountChangeState.REQUESTED


def test_the_transition_itself_refuses_the_requester_and_the_holder(people):
    change = email_change(people["admin"], people["admin2"])
    with pytest.raises(AccountRuleBroken):
        change.approve(by=people["admin"])
    with pytest.raises(AccountRuleBroken, match="your own account"):
        change.approve(by=people["admin2"])
    assert change.state == AccountChangeState.REQUESTED and change.approved_by is None


def test_nobody_approves_a_change_to_their_own_account(people):
    change = email_change(people["admin2"], people["admin"])
    with pytest.raises(AccountRuleBroken, match="your own account"):
        services.account_change_approve(by=people["admin"], change=change)
    services.account_change_approve(by=people["admin3"], change=change)
    assert requested(change).state == AccountChangeState.APPROVED


@pytest.mark.parametrize("who", ["manager", "worker"])
def test_only_approvers_approve(people, who):
    change = email_change(people["admin"], people["worker"])
    with pytest.raises(PermissionDenied):
        services.account_change_approve(by=people[who], change=change)


def test_only_administrators_ask(people):
    with pytest.raises(PermissionDenied):
        email_change(people["manager"], people["worker"])


def test_the_named_manager_approves_where_there_is_one_administrator(people, settings):
    change = email_change(people["admin"], people["worker"])
    with pytest.raises(PermissionDenied):
        services.account_change_approve(by=people["manager"], change=change)
    settings.ACCOUNT_CHANGE_APPROVING_MANAGER = "manager"
    services.account_change_approve(by=people["manager"], change=change)
    assert requested(change).approved_by == people["manager"]


def test_the_named_manager_approves_only_while_a_manager(people, settings, make_user):
    settings.ACCOUNT_CHANGE_APPROVING_MANAGER = "worker"  # named, but not a manager
    change = email_change(people["admin"], people["manager"])
    with pytest.raises(PermissionDenied):
        services.account_change_approve(by=people["worker"], change=change)


def test_changes_to_an_approver_need_the_same_second_person(people, settings):
    settings.ACCOUNT_CHANGE_APPROVING_MANAGER = "manager"
    # The named manager's own account: deactivated only with another's approval.
    change = services.user_deactivate(by=people["admin"], user=people["manager"], link_base=BASE)
    assert change is not None and change.kind == AccountChangeKind.DEACTIVATION
    assert User.objects.get(pk=people["manager"].pk).is_active
    with pytest.raises(AccountRuleBroken):
        services.account_change_approve(by=people["manager"], change=change)
    # An administrator's roles: the other administrator asks, a third approves.
    roles = services.account_change_request(
        by=people["admin2"], account=people["admin"], kind=AccountChangeKind.ROLES,
        new_roles=[Role.PRACTITIONER.value], link_base=BASE,
    )  # fmt: skip
    for refused in ("admin", "admin2"):
        with pytest.raises(AccountRuleBroken):
            services.account_change_approve(by=people[refused], change=roles)
    services.account_change_approve(by=people["admin3"], change=roles)


def test_a_user_who_is_not_an_approver_is_deactivated_at_once(people):
    assert (
        services.user_deactivate(by=people["admin"], user=people["worker"], link_base=BASE) is None
    )
    assert not User.objects.get(pk=people["worker"].pk).is_active


def test_nobody_asks_to_change_their_own_roles(people):
    with pytest.raises(AccountRuleBroken, match="your own roles"):
        services.account_change_request(
            by=people["admin"], account=people["admin"], kind=AccountChangeKind.ROLES,
            new_roles=[Role.AUDITOR.value], link_base=BASE,
        )  # fmt: skip


def test_one_change_of_a_kind_waits_at_a_time(people):
    email_change(people["admin"], people["worker"])
    with pytest.raises(AccountRuleBroken, match="already waiting"):
        email_change(people["admin2"], people["worker"], "other@example.invalid")


# Taking effect -----------------------------------------------------------------------------


def test_an_approved_change_waits_for_its_time(people, settings):
    change = email_change(people["admin"], people["worker"])
    services.account_change_approve(by=people["admin2"], change=change)
    assert services.apply_due_account_changes() == 0
    assert User.objects.get(pk=people["worker"].pk).email == "worker@example.invalid"
    change = requested(change)
    seconds = (change.effective_at - change.approved_at).total_seconds()
    assert seconds == settings.ACCOUNT_CHANGE_DELAY_SECONDS == 4 * 60 * 60


def test_a_due_change_takes_effect_once(people, settings):
    settings.ACCOUNT_CHANGE_DELAY_SECONDS = 0
    change = email_change(people["admin"], people["worker"])
    services.account_change_approve(by=people["admin2"], change=change)
    assert services.apply_due_account_changes() == 1
    assert services.apply_due_account_changes() == 0
    assert User.objects.get(pk=people["worker"].pk).email == NEW_EMAIL
    assert requested(change).state == AccountChangeState.APPLIED


def test_a_change_never_approved_never_takes_effect(people, settings):
    settings.ACCOUNT_CHANGE_DELAY_SECONDS = 0
    change = email_change(people["admin"], people["worker"])
    assert services.apply_due_account_changes() == 0
    with pytest.raises(TransitionNotAllowed):
        requested(change).apply()


def test_the_command_applies_due_changes(people, settings, capsys):
    settings.ACCOUNT_CHANGE_DELAY_SECONDS = 0
    change = services.user_reactivate(by=people["admin"], user=people["worker"], link_base=BASE)
    services.account_change_approve(by=people["admin2"], change=change)
    call_command("apply_account_changes")
    assert "1 account change applied." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("kind", "values", "check"),
    [
        (AccountChangeKind.ROLES, {"new_roles": ["Auditor"]},
         lambda user: user.role_names == ["Auditor"]),
        (AccountChangeKind.TWO_FACTOR_RESET, {},
         lambda user: not TOTPDevice.objects.filter(user=user).exists()),
        (AccountChangeKind.PASSWORD_RESET, {}, lambda user: not user.has_usable_password()),
    ],
)  # fmt: skip
def test_each_kind_does_what_it_says_when_it_takes_effect(people, settings, kind, values, check):
    settings.ACCOUNT_CHANGE_DELAY_SECONDS = 0
    worker = people["worker"]
    TOTPDevice.objects.create(user=worker, name="app", confirmed=True)
    change = services.account_change_request(
        by=people["admin"], account=worker, kind=kind, link_base=BASE, **values
    )
    assert not check(User.objects.get(pk=worker.pk))
    services.account_change_approve(by=people["admin2"], change=change)
    services.apply_due_account_changes()
    assert check(User.objects.get(pk=worker.pk))


def test_an_agency_change_takes_effect(people, settings):
    settings.ACCOUNT_CHANGE_DELAY_SECONDS = 0
    police = Agency.objects.create(name="Police", kind=Agency.Kind.POLICE)
    change = services.account_change_request(
        by=people["admin"], account=people["worker"], kind=AccountChangeKind.AGENCY,
        new_agency=police, link_base=BASE,
    )  # fmt: skip
    services.account_change_approve(by=people["admin2"], change=change)
    services.apply_due_account_changes()
    assert User.objects.get(pk=people["worker"].pk).agency == police


# The holder is told, and can report it -------------------------------------------------------


def test_the_old_address_is_told_with_a_link_and_never_the_new_one(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change = email_change(people["admin"], people["worker"])
    with django_capture_on_commit_callbacks(execute=True):
        services.account_change_approve(by=people["admin2"], change=change)
    assert [message.to for message in mail.outbox] == [["worker@example.invalid"]] * 2
    link = BASE + reverse(
        "accounts:account-change-report", kwargs={"token": services.report_token(change)}
    )
    for message in mail.outbox:
        assert link in message.body
        assert NEW_EMAIL not in message.body and "attacker" not in message.body
    assert "approved" in mail.outbox[1].subject and "takes effect on" in mail.outbox[1].body


def test_a_holders_report_cancels_an_approved_change_and_alerts_the_approvers(
    people, settings, django_capture_on_commit_callbacks
):
    change = email_change(people["admin"], people["worker"])
    services.account_change_approve(by=people["admin2"], change=change)
    settings.ACCOUNT_CHANGE_DELAY_SECONDS = 0
    found = services.change_for_report_token(services.report_token(change))
    assert found == change
    with django_capture_on_commit_callbacks(execute=True):
        services.account_change_report(change=found)
    assert requested(change).state == AccountChangeState.REPORTED
    AccountChange.objects.filter(pk=change.pk).update(effective_at=change.approved_at)
    assert services.apply_due_account_changes() == 0
    assert User.objects.get(pk=people["worker"].pk).email == "worker@example.invalid"
    alert = mail.outbox[-1]
    assert set(alert.to) == {"admin@example.invalid", "admin2@example.invalid",
                             "admin3@example.invalid"}  # fmt: skip
    assert "reported" in alert.subject and "worker" in alert.body


def test_a_change_that_took_effect_cannot_be_reported(people, settings):
    settings.ACCOUNT_CHANGE_DELAY_SECONDS = 0
    change = email_change(people["admin"], people["worker"])
    services.account_change_approve(by=people["admin2"], change=change)
    services.apply_due_account_changes()
    with pytest.raises(AccountRuleBroken, match="already taken effect"):
        services.account_change_report(change=change)


def test_a_report_link_that_is_not_ours_names_nothing(people):
    change = email_change(people["admin"], people["worker"])
    token = services.report_token(change)
    assert services.change_for_report_token(token[:-2] + "xx") is None
    assert services.change_for_report_token("not-a-token") is None


def test_the_requester_can_cancel_before_it_takes_effect(people):
    change = email_change(people["admin"], people["worker"])
    services.account_change_cancel(by=people["admin"], change=change)
    change = requested(change)
    assert (change.state, change.cancelled_by) == (AccountChangeState.CANCELLED, people["admin"])
    with pytest.raises(AccountRuleBroken):
        services.account_change_approve(by=people["admin2"], change=change)


# Audit -----------------------------------------------------------------------------------------


def test_every_step_is_audited_and_the_new_address_never_is(people, settings):
    settings.ACCOUNT_CHANGE_DELAY_SECONDS = 0
    change = email_change(people["admin"], people["worker"])
    services.account_change_approve(by=people["admin2"], change=change)
    services.apply_due_account_changes()
    steps = AuditEntry.objects.filter(event=Event.TRANSITION, object_pk=str(change.pk))
    names = {(entry.additional_data["transition"], entry.actor_id) for entry in steps}
    assert names == {("request", people["admin"].pk), ("approve", people["admin2"].pk),
                     ("apply", None)}  # fmt: skip
    change_entries = AuditEntry.objects.filter(
        content_type__model="accountchange", object_pk=str(change.pk)
    )
    assert all(NEW_EMAIL not in str(entry.changes) for entry in change_entries)


# The takeover chain of issue 16 -------------------------------------------------------------


def test_the_takeover_chain_stops_at_its_first_step_without_a_second_person(
    client, make_user, django_capture_on_commit_callbacks
):
    """A lone administrator changes a manager's email to one they control, resets their
    two-factor sign-in and asks for a password reset at the new address: nothing happens."""
    sysadmin = make_user(Role.SYSTEM_ADMINISTRATOR, username="sysadmin")
    manager2 = make_user(Role.MANAGER, username="manager2")
    TOTPDevice.objects.create(user=manager2, name="app", confirmed=True)
    sign_in(client, sysadmin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:user", args=[manager2.pk]),
            {"first_name": manager2.first_name, "last_name": manager2.last_name,
             "email": NEW_EMAIL, "agency": manager2.agency_id, "roles": [Role.MANAGER.value]},
        )  # fmt: skip
    # Step one stops here: the address is unchanged, and the old one was told.
    assert User.objects.get(pk=manager2.pk).email == "manager2@example.invalid"
    assert mail.outbox[-1].to == ["manager2@example.invalid"]
    change = AccountChange.objects.get(account=manager2)
    with pytest.raises(AccountRuleBroken):
        services.account_change_approve(by=sysadmin, change=change)
    client.post(reverse("accounts:account-change-action", args=[change.pk, "approve"]))
    assert requested(change).state == AccountChangeState.REQUESTED
    client.post(reverse("accounts:user-action", args=[manager2.pk, "reset-two-factor"]))
    assert TOTPDevice.objects.filter(user=manager2).exists()
    mail.outbox.clear()
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password-reset"), {"email": NEW_EMAIL})
    assert mail.outbox == []  # no account has the attacker's address
    assert services.apply_due_account_changes() == 0


def test_a_due_email_change_takes_effect_before_a_password_reset_without_the_timer(
    client, people, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_CHANGE_DELAY_SECONDS = 0
    change = email_change(people["admin"], people["worker"], "worker.new@example.invalid")
    services.account_change_approve(by=people["admin2"], change=change)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password-reset"), {"email": "worker.new@example.invalid"})
    assert [message.to for message in mail.outbox] == [["worker.new@example.invalid"]]
