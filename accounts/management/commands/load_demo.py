from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, USERS, load_demo
from notes import demo as notes_demo
from referrals.demo import (
    load_cases,
    load_information_requests,
    load_levels,
    load_partner_referrals,
)
from strategy import demo as strategy_demo


class Command(BaseCommand):
    help = "Load the fictional demo authority, its partners and demo users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Load even though DEBUG is off (a training or test deployment, never live).",
        )

    def handle(self, *args, allow_without_debug: bool = False, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "Refusing to load demo users with DEBUG off: they share a published password. "
                "Pass --allow-without-debug for a training deployment that holds no real data."
            )
        created = load_demo()
        load_levels()
        load_cases()
        load_information_requests()
        strategy_demo.load()
        load_partner_referrals()
        strategy_demo.load_partner_parts()
        notes_demo.load_shared_note()
        strategy_demo.load_restricted()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {created['agencies']} agencies and {created['users']} users "
                f"created, {len(USERS)} demo users in all. Password: {DEMO_PASSWORD}"
            )
        )
