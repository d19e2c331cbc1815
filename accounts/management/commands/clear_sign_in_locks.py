"""Clear every sign-in lock and throttle of the running service (accounts.lockout)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.audit import Event, record_event
from accounts.lockout import clear_every_lock
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Clear every sign-in lockout and throttle: failed sign-in counts, security-code back-off "
        "and password-reset limits. How the last administrator recovers when locked out."
    )

    def handle(self, *args, **options) -> None:
        cleared = clear_every_lock()
        record_event(
            Event.UPDATE, model=User, object_repr="Every sign-in lock cleared (clear_sign_in_locks)"
        )
        self.stdout.write(
            f"Cleared {cleared['counts']} failed sign-in count(s) and the back-off of "
            f"{cleared['devices']} security-code device(s); password-reset limits reset."
        )
