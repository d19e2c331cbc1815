"""Sign-in lockout nobody can abuse (issue 16), on django-axes' database handler.

- Failures are counted per account and client address together (AXES_LOCKOUT_PARAMETERS), so
  someone elsewhere cannot lock a person out of their office, and one person's typing does not
  lock a whole office's shared address.
- Wrong passwords and wrong security codes count alike (`record_code_failure`).
- At the limit even the right password (or code) is refused until a stated time,
  SIGN_IN_LOCKOUT_MINUTES after the failure that locked; nothing sleeps, and the lock ends by
  itself. The page says when (`locked_out_response`, AXES_LOCKOUT_CALLABLE).
- A name with no account gets exactly the same answers: its failures are counted under a keyed
  hash of the name (`lock_key`), never the name itself.
- The counts are rows in the database, which every process of the service sees;
  `manage.py clear_sign_in_locks` clears them all (`clear_every_lock`), with the security
  codes' back-off and the password-reset limits, which also live where every process sees them.
- A full sign-in (password and code) clears the account's count from that address.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import AuditMiddleware
from accounts.models import User
from accounts.roles import Role

UNKNOWN_ACCOUNT = "(no such account)"
_KEYS_ON_REQUEST = "_front_door_lock_keys"
_HASH_SALT = "front_door.accounts.lockout"


def cool_off() -> timedelta:
    return settings.AXES_COOLOFF_TIME


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the audit trail takes it (AXES_CLIENT_IP_CALLABLE)."""
    return AuditMiddleware._get_remote_addr(request)


def _hashed(name: str) -> str:
    digest = salted_hmac(_HASH_SALT, name, algorithm="sha256").hexdigest()
    return f"{UNKNOWN_ACCOUNT} {digest}"


def lock_key(request: HttpRequest | None, credentials: dict | None = None) -> str:
    """The name failures are counted under (AXES_USERNAME_CALLABLE): an account's username, or
    for a name that matches no account a keyed hash of it (HMAC with the secret key), so that
    the same name always counts and locks alike and the typed name is never kept."""
    source = credentials if credentials else getattr(request, "POST", None)
    name = str((source or {}).get("username") or "")
    known: dict[str, str] = getattr(request, _KEYS_ON_REQUEST, None) or {}
    if name not in known:
        exists = bool(name) and User.objects.filter(username=name).exists()
        known[name] = name if exists else _hashed(name)
        if request is not None:
            setattr(request, _KEYS_ON_REQUEST, known)
    return known[name]


def _attempts(key: str, address: str | None):
    return AccessAttempt.objects.filter(
        username=key, ip_address=address, attempt_time__gt=timezone.now() - cool_off()
    )


def locked_until(request: HttpRequest, username: str) -> datetime | None:
    """When the lock on this name from this address ends, or None if it is not locked (one
    query)."""
    key = lock_key(request, {"username": username})
    totals = _attempts(key, client_address(request)).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    if (totals["failures"] or 0) < settings.AXES_FAILURE_LIMIT or totals["last"] is None:
        return None
    return totals["last"] + cool_off()


def locked_out_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The page for a locked sign-in (AXES_LOCKOUT_CALLABLE): says until when, the same for
    every name, with the status and Retry-After header of too many requests."""
    source = credentials or getattr(request, "POST", None) or {}
    username = str(source.get("username") or "")
    if not username and getattr(request, "user", None) is not None:
        username = request.user.get_username() if request.user.is_authenticated else ""
    until = locked_until(request, username) or timezone.now() + cool_off()
    context = {"until": until, "minutes": _minutes(), "front_door_phone": settings.FRONT_DOOR_PHONE}
    response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(max(1, int((until - timezone.now()).total_seconds())))
    return response


def _minutes() -> int:
    return int(cool_off().total_seconds() // 60)


def is_locked(request: HttpRequest, username: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def record_code_failure(request: HttpRequest, user: User) -> bool:
    """A wrong security code counts like a wrong password; True if it locks sign-in now."""
    AxesProxyHandler.user_login_failed(
        sender=record_code_failure, credentials={"username": user.username}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


def clear_after_sign_in(request: HttpRequest, user: User) -> None:
    """A full sign-in (password and code) clears the account's count from this address."""
    AxesProxyHandler.get_implementation().reset_user_attempts(request, {"username": user.username})


def lock_started(request: HttpRequest | None) -> bool:
    """Whether the user_locked_out signal for this request marks a new lock (axes counted the
    failure that reached the limit) rather than an attempt refused while locked."""
    return getattr(request, "axes_failures_since_start", None) is not None


def notify_lockout(request: HttpRequest, user: User) -> None:
    """Tell the holder and the active system administrators that sign-in to the account is
    locked: a link, the time it ends, never case content. At most one notice per account per
    lock period, whatever the number of addresses it is tried from."""
    if not caches[settings.RATELIMIT_USE_CACHE].add(
        f"lockout-notice:{user.pk}", 1, timeout=int(cool_off().total_seconds())
    ):
        return
    until = timezone.localtime(locked_until(request, user.username) or timezone.now())
    when = f"{until:%H:%M} on {until.day} {until:%B %Y}"
    service = settings.SERVICE_NAME
    sign_in = request.build_absolute_uri(reverse("accounts:sign-in"))
    account = request.build_absolute_uri(reverse("accounts:user", kwargs={"user_id": user.pk}))
    administrators = list(
        User.objects.filter(
            is_active=True, groups__in=Group.objects.filter(name=Role.SYSTEM_ADMINISTRATOR)
        )
        .exclude(pk=user.pk)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )

    def send() -> None:
        if user.email:
            send_mail(
                f"{service}: sign-in to your account is paused",
                f"Someone entered a wrong password or security code for your {service} account "
                f"({user.username}) too many times, so sign-in from their network is paused "
                f"until {when}. It starts again by itself.\n\n"
                f"If this was you, sign in after that time: {sign_in}\n\n"
                "If it was not you, tell your system administrator.",
                None,
                [user.email],
            )
        if administrators:
            send_mail(
                f"{service}: an account's sign-in is paused",
                f"Sign-in to the account {user.username} was paused until {when} after too "
                "many wrong passwords or security codes from one network.\n\n"
                f"The account: {account}\n\n"
                "It starts again by itself. `manage.py clear_sign_in_locks` clears every lock "
                "at once.",
                None,
                administrators,
            )

    transaction.on_commit(send)


def clear_every_lock() -> dict[str, int]:
    """Clear every sign-in lock and throttle of the running service: the failure counts, the
    security codes' back-off and the password-reset limits (manage.py clear_sign_in_locks)."""
    attempts, _ = AccessAttempt.objects.all().delete()
    AccessFailureLog.objects.all().delete()
    throttled = 0
    for device_model in (TOTPDevice, StaticDevice):
        throttled += device_model.objects.filter(throttling_failure_count__gt=0).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
    caches[settings.RATELIMIT_USE_CACHE].clear()
    return {"counts": attempts, "devices": throttled}
