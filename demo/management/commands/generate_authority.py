from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.authority.run import generate


class Command(BaseCommand):
    help = (
        "Generate a realistic authority of invented families: each child's journey through the "
        "real services at its own dates over several years ending today (same seed, same data)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, required=True, help="How many children")
        parser.add_argument("--seed", type=int, default=1, help="The random seed (default 1)")
        parser.add_argument(
            "--years", type=float, default=3.0, help="Years of history ending today (default 3)"
        )
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Generate even though DEBUG is off (a test or training database, never live).",
        )

    def handle(self, *args, children: int, seed: int, years: float, **options):
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                "Refusing to generate invented case records with DEBUG off. Pass "
                "--allow-without-debug for a test or training database that holds no real data."
            )
        if children < 1:
            raise CommandError("Give --children 1 or more")
        if not 0 < years <= 10:
            raise CommandError("Give --years between 0 and 10")
        started = time.monotonic()
        tally = generate(children=children, seed=seed, years=years)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {tally.children} children, {tally.contacts} contacts and "
                f"{tally.referrals} referrals (seed {seed}, {years:g} years) in {seconds:.1f} s."
            )
        )
        for edge, count in sorted(tally.edges.items()):
            self.stdout.write(f"  {edge}: {count}")
