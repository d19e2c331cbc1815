from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo import front_door, history, people, quality, strategy


class Command(BaseCommand):
    help = "Load the fictional demo authority, its partners and demo users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Load even though DEBUG is off (a training or test deployment, never live).",
        )
        parser.add_argument(
            "--history-children",
            type=int,
            default=history.CHILDREN,
            help=f"Invented children in the background history (default {history.CHILDREN}; "
            "0 for none)",
        )
        parser.add_argument(
            "--history-months",
            type=int,
            default=history.MONTHS,
            help=f"Months of background history, 1 to 24 (default {history.MONTHS})",
        )

    def handle(
        self, *args, allow_without_debug: bool = False,
        history_children: int = history.CHILDREN, history_months: int = history.MONTHS,
        **options,
    ):  # fmt: skip
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "Refusing to load demo users with DEBUG off: they share a published password. "
                "Pass --allow-without-debug for a training deployment that holds no real data."
            )
        if not 1 <= history_months <= 24:
            raise CommandError("Give --history-months from 1 to 24")
        created = people.load_demo()
        front_door.load_levels()
        front_door.load_cases()
        front_door.load_information_requests()
        strategy.load()
        front_door.load_partner_referrals()
        strategy.load_partner_parts()
        strategy.load_restricted()
        quality.load()
        # The messages the demo's requests and invitations cause are queued now (the job
        # worker sends them): the notifications app is a top app nothing imports, so by name.
        call_command("queue_notifications", stdout=self.stdout)
        # Last, so the named families keep their records' numbers.
        background = history.load(children=history_children, months=history_months)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {created['agencies']} agencies and {created['users']} users "
                f"created, {len(people.USERS)} demo users in all, {background} children of "
                f"background history added. Password: {people.DEMO_PASSWORD}"
            )
        )
