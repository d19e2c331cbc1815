from __future__ import annotations

import base64
import time

from django.core.management.base import BaseCommand
from django_otp.oath import totp

from demo.people import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the demo users' current two-factor code (demo data only)."

    def handle(self, *args, **options):
        remaining = 30 - int(time.time()) % 30
        self.stdout.write(f"{totp(DEMO_TOTP_SECRET):06d}  (valid for {remaining} more seconds)")
        secret = base64.b32encode(DEMO_TOTP_SECRET).decode()
        self.stdout.write(f"Demo authenticator secret (base32): {secret}")
