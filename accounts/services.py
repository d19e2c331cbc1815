"""Actions on users and agencies, for the system administrator's pages.

Each checks the actor's right (accounts.rights), changes the records inside a transaction
(audited by django-auditlog), and returns the result or raises `AccountRuleBroken`.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import rights, two_factor
from accounts.models import Agency, User
from accounts.roles import Role


class AccountRuleBroken(Exception):
    """A rule about accounts was broken; the message says which, in plain words."""


def _require_administrator(by: User) -> None:
    if not rights.can_manage_users(by):
        raise PermissionDenied("Only system administrators manage users and agencies.")


def _set_roles(user: User, roles: list[str]) -> None:
    user.groups.set(Group.objects.filter(name__in=[Role(role).value for role in roles]))


@transaction.atomic
def user_create(*, by: User, username: str, first_name: str, last_name: str, email: str,
                agency: Agency, roles: list[str], set_password_url: str) -> User:  # fmt: skip
    """A new user with no password yet: an e-mail with a link lets them set one."""
    _require_administrator(by)
    if User.objects.filter(username__iexact=username).exists():
        raise AccountRuleBroken("A user with that username already exists")
    user = User(
        username=username, first_name=first_name, last_name=last_name, email=email, agency=agency
    )
    user.set_unusable_password()
    user.save()
    _set_roles(user, roles)
    link = set_password_url + reverse(
        "accounts:password-reset-confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user)},
    )  # fmt: skip
    transaction.on_commit(
        lambda: send_mail(
            "Your Front Door account",
            f"An account has been made for you. Set your password here:\n\n{link}\n\n"
            "The link works once. At your first sign-in you will set up an authenticator app.",
            None,
            [email],
        )
    )
    return user


@transaction.atomic
def user_update(*, by: User, user: User, first_name: str, last_name: str, email: str,
                agency: Agency, roles: list[str]) -> User:  # fmt: skip
    """Change a user's details, agency and roles; nobody changes their own roles."""
    _require_administrator(by)
    current = set(user.groups.values_list("name", flat=True))
    if user.pk == by.pk and current != {Role(role).value for role in roles}:
        raise AccountRuleBroken("You cannot change your own roles: ask another administrator")
    user.first_name, user.last_name, user.email, user.agency = first_name, last_name, email, agency
    user.save(update_fields=["first_name", "last_name", "email", "agency"])
    _set_roles(user, roles)
    return user


@transaction.atomic
def user_set_active(*, by: User, user: User, active: bool) -> User:
    """Deactivate (never delete: the audit trail names them) or reactivate a user."""
    _require_administrator(by)
    if user.pk == by.pk:
        raise AccountRuleBroken("You cannot deactivate your own account")
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


def user_reset_two_factor(*, by: User, user: User) -> None:
    _require_administrator(by)
    two_factor.reset_two_factor(user=user, by=by)


def user_unlock(*, by: User, user: User) -> None:
    _require_administrator(by)
    two_factor.unlock(user=user, by=by)


@transaction.atomic
def agency_save(
    *, by: User, agency: Agency | None, name: str, kind: str, is_active: bool
) -> Agency:
    """Create or change an agency (agencies with users are never deleted)."""
    _require_administrator(by)
    duplicate = Agency.objects.filter(name__iexact=name)
    if agency is not None:
        duplicate = duplicate.exclude(pk=agency.pk)
    if duplicate.exists():
        raise AccountRuleBroken("An agency with that name already exists")
    agency = agency or Agency()
    agency.name, agency.kind, agency.is_active = name, kind, is_active
    agency.save()
    return agency
