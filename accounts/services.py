"""Actions on users and agencies, for the system administrator's pages.

Each checks the actor's right (accounts.rights), changes the records inside a transaction
(audited by django-auditlog), and returns the result or raises `AccountRuleBroken`.

Two people for every change that hands out access (issue 16): an account's email, roles or
agency, a two-factor reset, a reactivation, an administrator's password reset and a new
account are requested by one person (`account_change_request`) and approved by another
(`account_change_approve`); never by the requester, never by the account's holder. The
holder (for an email change, at the old address) is told, with a link to report it
(`account_change_report`, which cancels it and alerts the approvers). The change takes
effect `ACCOUNT_CHANGE_DELAY_SECONDS` after approval (`apply_due_account_changes`: run by
`manage.py apply_account_changes` on a timer, and before any page that reads the effect).
An approver's account (administrators and the named manager) is also deactivated only so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import rights, two_factor
from accounts.audit import record_transition
from accounts.models import (
    OPEN_CHANGE_STATES,
    AccountChange,
    AccountChangeKind,
    AccountChangeState,
    AccountRuleBroken,
    Agency,
    User,
)
from accounts.roles import Role

Kind = AccountChangeKind
REPORT_SALT = "accounts.account-change-report"


def _require_administrator(by: User) -> None:
    if not rights.can_manage_users(by):
        raise PermissionDenied("Only system administrators manage users and agencies.")


def _set_roles(user: User, roles: Sequence[str]) -> None:
    user.groups.set(Group.objects.filter(name__in=[Role(role).value for role in roles]))


def _set_password_link(link_base: str, user: User) -> str:
    return link_base + reverse(
        "accounts:password-reset-confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user)},
    )  # fmt: skip


@transaction.atomic
def user_create(*, by: User, username: str, first_name: str, last_name: str, email: str,
                agency: Agency, roles: list[str], set_password_url: str) -> User:  # fmt: skip
    """A new account waits, inactive and with no role, for a second person's approval; when
    it takes effect it gets its roles and an e-mail with a link to set a password."""
    _require_administrator(by)
    if User.objects.filter(username__iexact=username).exists():
        raise AccountRuleBroken("A user with that username already exists")
    user = User(
        username=username, first_name=first_name, last_name=last_name, email=email,
        agency=agency, is_active=False,
    )  # fmt: skip
    user.set_unusable_password()
    user.save()
    account_change_request(
        by=by, account=user, kind=Kind.NEW_ACCOUNT, new_roles=roles, link_base=set_password_url
    )
    return user


@transaction.atomic
def user_update(
    *, by: User, user: User, first_name: str, last_name: str, email: str, agency: Agency,
    roles: list[str], link_base: str,
) -> list[AccountChange]:  # fmt: skip
    """Names change at once; a new email, agency or roles are requested for approval
    (issue 16); nobody asks to change their own roles. Returns the changes requested."""
    _require_administrator(by)
    current = set(user.groups.values_list("name", flat=True))
    wanted = {Role(role).value for role in roles}
    if user.pk == by.pk and current != wanted:
        raise AccountRuleBroken("You cannot change your own roles: ask another administrator")
    requested = []
    if email.strip().lower() != user.email.strip().lower():
        requested.append(account_change_request(
            by=by, account=user, kind=Kind.EMAIL, new_email=email, link_base=link_base
        ))  # fmt: skip
    if agency.pk != user.agency_id:
        requested.append(account_change_request(
            by=by, account=user, kind=Kind.AGENCY, new_agency=agency, link_base=link_base
        ))  # fmt: skip
    if current != wanted:
        requested.append(account_change_request(
            by=by, account=user, kind=Kind.ROLES, new_roles=sorted(wanted), link_base=link_base
        ))  # fmt: skip
    if (user.first_name, user.last_name) != (first_name, last_name):
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])
    return requested


@transaction.atomic
def user_deactivate(*, by: User, user: User, link_base: str) -> AccountChange | None:
    """Deactivate (never delete: the audit trail names them) at once; an approver's account
    only with a second person's approval (issue 16). Returns the change, if one is needed."""
    _require_administrator(by)
    if user.pk == by.pk:
        raise AccountRuleBroken("You cannot deactivate your own account")
    if rights.can_approve_account_changes(user):
        return account_change_request(
            by=by, account=user, kind=Kind.DEACTIVATION, link_base=link_base
        )
    user.is_active = False
    user.save(update_fields=["is_active"])
    return None


def user_reactivate(*, by: User, user: User, link_base: str) -> AccountChange:
    """Reactivating hands access back: a second person approves it (issue 16)."""
    return account_change_request(by=by, account=user, kind=Kind.REACTIVATION, link_base=link_base)


def user_reset_two_factor(*, by: User, user: User, link_base: str) -> AccountChange:
    """A two-factor reset lets someone enrol a new app: a second person approves it."""
    return account_change_request(
        by=by, account=user, kind=Kind.TWO_FACTOR_RESET, link_base=link_base
    )


def user_reset_password(*, by: User, user: User, link_base: str) -> AccountChange:
    """An administrator's password reset: approved by a second person; when it takes effect
    the old password stops working and a link to set one goes to the account's address."""
    return account_change_request(
        by=by, account=user, kind=Kind.PASSWORD_RESET, link_base=link_base
    )


# Changes that hand out access: request, approve, cancel, report, take effect (issue 16) ----


def account_change_request(*, by: User, account: User, kind: str, link_base: str,
                           new_email: str = "", new_roles: Sequence[str] = (),
                           new_agency: Agency | None = None) -> AccountChange:  # fmt: skip
    """One administrator asks; nothing changes until someone else approves (issue 16)."""
    _require_administrator(by)
    if kind == Kind.AGENCY and new_agency is None:
        raise AccountRuleBroken("Choose the agency")
    with transaction.atomic():
        if kind == Kind.ROLES and account.pk == by.pk:
            raise AccountRuleBroken("You cannot change your own roles: ask another administrator")
        waiting = AccountChange.objects.filter(
            account=account, kind=kind, state__in=OPEN_CHANGE_STATES
        )
        if waiting.exists():
            raise AccountRuleBroken(
                f"A {Kind(kind).label.lower()} for this account is already waiting: "
                "it must take effect or be cancelled first"
            )
        change = AccountChange.objects.create(
            account=account, kind=kind, new_email=new_email, new_roles=list(new_roles),
            new_agency=new_agency, link_base=link_base, requested_by=by,
        )  # fmt: skip
        record_transition(
            actor=by, obj=change, source="", target=change.state, name="request",
            reason=change.get_kind_display(),
        )  # fmt: skip
        if kind != Kind.NEW_ACCOUNT:  # a new account's holder hears when it takes effect
            _tell_holder(change)
    return change


@transaction.atomic
def account_change_approve(*, by: User, change: AccountChange) -> AccountChange:
    """A second person approves: never the requester, never the account's holder (issue 16).
    It takes effect `ACCOUNT_CHANGE_DELAY_SECONDS` later unless the holder reports it."""
    rights.require_account_change_approver(by)
    current = _locked(change)
    if current.state != AccountChangeState.REQUESTED:
        raise AccountRuleBroken("This change is no longer waiting for approval")
    source = current.state
    current.approve(by=by)  # four eyes, checked in the transition too
    current.save()
    record_transition(
        actor=by, obj=current, source=source, target=current.state, name="approve",
        reason=current.get_kind_display(),
    )  # fmt: skip
    if current.kind != Kind.NEW_ACCOUNT:
        _tell_holder(current)
    return current


@transaction.atomic
def account_change_cancel(*, by: User, change: AccountChange) -> AccountChange:
    """The requester or another approver stops a change before it takes effect."""
    rights.require_account_change_approver(by)
    current = _locked(change)
    if current.state not in OPEN_CHANGE_STATES:
        raise AccountRuleBroken("This change has already taken effect or been cancelled")
    source = current.state
    current.cancel(by=by)
    current.save()
    record_transition(
        actor=by, obj=current, source=source, target=current.state, name="cancel",
        reason=current.get_kind_display(),
    )  # fmt: skip
    return current


def report_token(change: AccountChange) -> str:
    """The signed token of the holder's "this wasn't me" link (it can only cancel)."""
    return signing.dumps(change.pk, salt=REPORT_SALT)


def change_for_report_token(token: str) -> AccountChange | None:
    """The change a report link names, or None for a link that is not one of ours."""
    try:
        pk = signing.loads(token, salt=REPORT_SALT)
    except signing.BadSignature:
        return None
    return AccountChange.objects.select_related("account").filter(pk=pk).first()


@transaction.atomic
def account_change_report(*, change: AccountChange) -> AccountChange:
    """The holder reports a change they did not expect: it is cancelled, approved or not,
    and every approver is alerted (issue 16)."""
    current = _locked(change)
    if current.state not in OPEN_CHANGE_STATES:
        raise AccountRuleBroken(
            "This change has already taken effect or been cancelled. If you did not expect "
            "it, tell your system administrator"
        )
    source = current.state
    current.report()
    current.save()
    record_transition(
        actor=None, obj=current, source=source, target=current.state, name="report",
        reason="Reported by the account's holder",
    )  # fmt: skip
    _alert_approvers(current)
    return current


def apply_due_account_changes() -> int:
    """Every approved change whose time has come takes effect; returns how many. Run by
    `manage.py apply_account_changes`, and before the pages that read what they change."""
    due = list(
        AccountChange.objects.filter(
            state=AccountChangeState.APPROVED, effective_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
    return sum(_apply(pk) for pk in due)


@transaction.atomic
def _apply(pk: int) -> bool:
    change = (
        AccountChange.objects.select_for_update(of=("self",))
        .select_related("account", "new_agency", "approved_by")
        .get(pk=pk)
    )
    if change.state != AccountChangeState.APPROVED or not change._is_due():
        return False  # another process applied or a report cancelled it meanwhile
    source = change.state
    change.apply()
    change.save()
    _EFFECTS[change.kind](change)
    record_transition(
        actor=None, obj=change, source=source, target=change.state, name="apply",
        reason=change.get_kind_display(),
    )  # fmt: skip
    return True


def _locked(change: AccountChange) -> AccountChange:
    return (
        AccountChange.objects.select_for_update(of=("self",))
        .select_related("account", "requested_by")
        .get(pk=change.pk)
    )


# What each change does when it takes effect.


def _new_account(change: AccountChange) -> None:
    account = change.account
    account.is_active = True
    account.save(update_fields=["is_active"])
    _set_roles(account, change.new_roles)
    link = _set_password_link(change.link_base, account)
    _send_after_commit(
        "Your Front Door account",
        f"An account has been made for you. Set your password here:\n\n{link}\n\n"
        "The link works once. At your first sign-in you will set up an authenticator app.",
        [account.email],
    )


def _email(change: AccountChange) -> None:
    change.account.email = change.new_email
    change.account.save(update_fields=["email"])


def _roles(change: AccountChange) -> None:
    _set_roles(change.account, change.new_roles)


def _agency(change: AccountChange) -> None:
    if change.new_agency is None:  # an agency change always names one (the request sets it)
        raise AccountRuleBroken("This change of agency names no agency")
    change.account.agency = change.new_agency
    change.account.save(update_fields=["agency"])


def _two_factor_reset(change: AccountChange) -> None:
    two_factor.reset_two_factor(user=change.account, by=change.approved_by)


def _reactivation(change: AccountChange) -> None:
    change.account.is_active = True
    change.account.save(update_fields=["is_active"])


def _deactivation(change: AccountChange) -> None:
    change.account.is_active = False
    change.account.save(update_fields=["is_active"])


def _password_reset(change: AccountChange) -> None:
    account = change.account
    account.set_unusable_password()
    account.save(update_fields=["password"])
    link = _set_password_link(change.link_base, account)
    _send_after_commit(
        "Set a new password for Front Door",
        "Your system administrators reset your password: the old one no longer works. "
        f"Set a new one here:\n\n{link}\n\nThe link works once.",
        [account.email],
    )


_EFFECTS: dict[str, Callable[[AccountChange], None]] = {
    Kind.NEW_ACCOUNT: _new_account,
    Kind.EMAIL: _email,
    Kind.ROLES: _roles,
    Kind.AGENCY: _agency,
    Kind.TWO_FACTOR_RESET: _two_factor_reset,
    Kind.REACTIVATION: _reactivation,
    Kind.DEACTIVATION: _deactivation,
    Kind.PASSWORD_RESET: _password_reset,
}


# The e-mails: a link and what kind of change, never a new value or any case content.


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _tell_holder(change: AccountChange) -> None:
    """The holder, at the address the account has now (the old one, for an email change)."""
    link = change.link_base + reverse(
        "accounts:account-change-report", kwargs={"token": report_token(change)}
    )
    what = change.get_kind_display().lower()
    if change.effective_at is None:
        hours = settings.ACCOUNT_CHANGE_DELAY_SECONDS / 3600
        subject = "A change to your Front Door account was requested"
        timing = (
            f"A system administrator asked for a {what} on your account. A second person must "
            f"approve it; it then takes effect {hours:g} hours later."
        )
    else:
        subject = "A change to your Front Door account was approved"
        timing = (
            f"A {what} on your account was approved. It takes effect on "
            f"{_when(change.effective_at)}."
        )
    _send_after_commit(
        subject,
        f"{timing}\n\nIf you did not expect this, report it here and it will not happen:\n\n{link}",
        [change.account.email],
    )


def _alert_approvers(change: AccountChange) -> None:
    addresses = [user.email for user in rights.account_change_approvers()]
    link = change.link_base + reverse("accounts:account-changes")
    _send_after_commit(
        "A change to an account was reported: it is cancelled",
        f"The holder of the account {change.account.username} reported a "
        f"{change.get_kind_display().lower()} they did not expect, asked for by "
        f"{change.requested_by.username}. It is cancelled and will not take effect. "
        f"Check who asked for it and why:\n\n{link}",
        addresses,
    )


def _send_after_commit(subject: str, body: str, to: list[str]) -> None:
    to = [address for address in to if address]
    if to:
        transaction.on_commit(lambda: send_mail(subject, body, None, to))


def user_unlock(*, by: User, user: User) -> None:
    _require_administrator(by)
    two_factor.unlock(user=user, by=by)


@transaction.atomic
def agency_save(
    *, by: User, agency: Agency | None, name: str, kind: str, is_active: bool,
    shared_mailbox: str = "",
) -> Agency:  # fmt: skip
    """Create or change an agency (agencies with users are never deleted)."""
    _require_administrator(by)
    duplicate = Agency.objects.filter(name__iexact=name)
    if agency is not None:
        duplicate = duplicate.exclude(pk=agency.pk)
    if duplicate.exists():
        raise AccountRuleBroken("An agency with that name already exists")
    agency = agency or Agency()
    agency.name, agency.kind, agency.is_active = name, kind, is_active
    agency.shared_mailbox = shared_mailbox
    agency.save()
    return agency
