"""Two-factor sign-in (django-otp): a TOTP app for every user, single-use backup codes.

DESIGN.md ("Who uses it"); issue 6. After the password, every user proves a second factor
before any page but sign-in, enrolment, sign-out, password reset and /healthz is reachable
(`SecondFactorRequiredMiddleware`). A user with no confirmed app enrols on first sign-in.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

import segno
from axes.utils import reset
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import Event, record_event
from accounts.models import User

BACKUP_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def has_confirmed_app(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_app(user: User) -> TOTPDevice:
    """The unconfirmed app device being enrolled (made on first need, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


@dataclass(frozen=True)
class Enrolment:
    key_text: str  # the secret as base32, in groups of four, for typing into an app
    qr_svg: SafeString


def enrolment_for(device: TOTPDevice) -> Enrolment:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=4, title="QR code for your authenticator app")
    return Enrolment(key_text=grouped, qr_svg=mark_safe(svg))  # noqa: S308  # segno's own SVG


@transaction.atomic
def confirm_app(user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the app with a code it shows; returns new backup codes, or None if wrong."""
    if device.user_id != user.pk or not device.verify_token(code.replace(" ", "")):
        return None
    device.confirmed = True
    device.save()
    codes = replace_backup_codes(user)
    record_event(Event.SIGN_IN, actor=user, obj=user, object_repr="Signed in: app set up")
    return codes


def replace_backup_codes(user: User) -> list[str]:
    """New single-use backup codes (the old ones stop working); shown to the user once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify_second_factor(user: User, code: str):
    """The device that accepts `code` (an app code or an unused backup code), or None."""
    code = code.replace(" ", "").strip()
    if not code:
        return None
    device = match_token(user, code)
    if device is None:
        record_event(
            Event.SIGN_IN_FAILED, obj=user, object_repr="Failed sign-in: wrong security code"
        )
    return device


@transaction.atomic
def reset_two_factor(*, user: User, by: User | None) -> None:
    """An approved reset (accounts.services; `by`: who approved it): the user enrols again at
    their next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_event(Event.UPDATE, actor=by, obj=user, object_repr="Two-factor sign-in reset")


# Back-off after wrong codes (django-otp's throttling) ---------------------------------------


def code_back_off_until(user: User) -> datetime | None:
    """Until when django-otp refuses to check a code after wrong ones (it doubles the wait at
    each wrong code), or None: while it lasts, even a right code would be refused, so the page
    says when instead of calling the code wrong."""
    ends = []
    for device in devices_for_user(user):
        allowed, data = device.verify_is_allowed()
        if not allowed and (data or {}).get("locked_until"):
            ends.append(data["locked_until"])
    return max(ends, default=None)


def reset_code_back_off(user: User) -> None:
    """After a full sign-in no device keeps the back-off of earlier wrong codes."""
    for device_model in (TOTPDevice, StaticDevice):
        device_model.objects.filter(user=user, throttling_failure_count__gt=0).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )


def unlock(*, user: User, by: User) -> None:
    """A system administrator unlocks an account locked after failed sign-ins (every address)."""
    reset(username=user.username)
    reset_code_back_off(user)
    record_event(Event.UPDATE, actor=by, obj=user, object_repr="Sign-in unlocked")
