"""Sign-in events for the audit trail (the only events written by signal receivers: they
come from Django's authentication, not from a service of ours)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.audit import Event, record_event
from accounts.lockout import lock_started, notify_lockout
from accounts.models import User
from accounts.sessions import start_clock


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_clock(request)
    # Signed in fully only with the second factor too (accounts.views.second_factor).
    record_event(Event.PASSWORD_ACCEPTED, actor=user, obj=user, object_repr="Password accepted")


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(Event.SIGN_OUT, actor=user, obj=user, object_repr="Sign-out")


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # Never the password; the username only when it names an account (a mistyped password
    # typed into the username box must not be kept).
    username = credentials.get("username") or ""
    user = User.objects.filter(username=username).first() if username else None
    if user is not None:
        record_event(Event.SIGN_IN_FAILED, obj=user, object_repr="Failed sign-in")
    else:
        record_event(
            Event.SIGN_IN_FAILED, model=User, object_repr="Failed sign-in, no such account"
        )


@receiver(user_locked_out)
def _locked_out(sender, request, username, **kwargs):
    # `username` is accounts.lockout.lock_key's: an account's username or a keyed hash.
    user = User.objects.filter(username=username).first()
    if user is not None:
        record_event(Event.LOCKED_OUT, obj=user, object_repr="Locked out after failed sign-ins")
        # The holder and the administrators are told once, when the lock starts (axes says so
        # only through this signal).
        if lock_started(request):
            notify_lockout(request, user)
    else:
        record_event(Event.LOCKED_OUT, model=User, object_repr="Locked out: no such account")
