"""Benchmark: the front door with 100,000 contacts on PostgreSQL (issue 7). Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frontdoor .venv/bin/python benchmarks/front_door.py

In a throw-away test database, seeds (through the documented bulk path used only here:
bulk_create, no audit entries, states set directly) 100,000 contacts about 70,000 children,
2% of them still open, then times, side by side in one run, the server handling of:
the queue page, a child's page (a child with 12 contacts), and the matching search.
Each is run 60 times after 5 warm-ups; figures are p50 / p95 and the query count.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

import django  # after the path and settings are set

django.setup()

from django.contrib.auth.models import Group  # noqa: E402  # needs setup()
from django.db import connection, connections  # noqa: E402  # needs setup()
from django.test import Client  # noqa: E402  # needs setup()
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402  # needs setup()
from django.utils import timezone  # noqa: E402  # needs setup()
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402  # needs setup()
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402  # needs setup()

from accounts.models import Agency, User  # noqa: E402  # needs setup()
from referrals.matching import fold, phonetic  # noqa: E402  # needs setup()
from referrals.models import Child  # noqa: E402  # needs setup()
from referrals.models.contacts import Contact, ContactChild, ContactChildState  # noqa: E402  # needs setup()
from referrals.selectors import likely_matches  # noqa: E402  # needs setup()

CONTACTS = int(os.environ.get("CONTACTS", "100000"))
CHILDREN = CONTACTS * 7 // 10
RUNS, WARM = 60, 5
FIRST = [
    "Amelia",
    "Oliver",
    "Isla",
    "Jack",
    "Ava",
    "Harry",
    "Mia",
    "Noah",
    "Zoë",
    "Leo",
    "Freya",
    "Kit",
]
LAST = [
    "Smith",
    "Jones",
    "Penhallow",
    "Trevail",
    "O'Brien",
    "Nance",
    "Rowe",
    "Hosking",
    "Williams",
    "Brown",
]


def seed(worker: User) -> Child:
    rng = random.Random(42)  # noqa: S311  # benchmark data, not security
    started = time.perf_counter()
    children = [
        Child(first_name=rng.choice(FIRST), last_name=f"{rng.choice(LAST)}{n % 500}",
              date_of_birth=date(2008, 1, 1) + timedelta(days=rng.randrange(6000)))
        for n in range(CHILDREN)
    ]  # fmt: skip
    for child in children:  # the search keys that save() computes and bulk_create does not
        child.first_name_key = fold(child.first_name)
        child.last_name_key = fold(child.last_name)
        child.last_name_sound = phonetic(child.last_name)
    Child.objects.bulk_create(children, batch_size=5000)
    child_ids = list(Child.objects.values_list("pk", flat=True))
    now = timezone.now()
    contacts = [
        Contact(received_at=now - timedelta(minutes=n), taken_by=worker, recorded_by=worker,
                source="2A", concern=f"Concern number {n}: " + "x" * 300, consent="given",
                decision_due=(now - timedelta(minutes=n)).date() + timedelta(days=1))
        for n in range(CONTACTS)
    ]  # fmt: skip
    Contact.objects.bulk_create(contacts, batch_size=5000)
    contact_rows = list(Contact.objects.values_list("pk", "received_at", "decision_due"))
    contact_ids = [pk for pk, _, _ in contact_rows]
    received_of = {pk: received for pk, received, _ in contact_rows}
    due_of = {pk: due for pk, _, due in contact_rows}
    focus = Child.objects.order_by("pk").first()
    links = []
    for n, contact_id in enumerate(contact_ids):
        child_id = focus.pk if n < 12 else child_ids[n % len(child_ids)]
        state = ContactChildState.SCREENING if n % 50 == 0 else ContactChildState.CLOSED
        links.append(ContactChild(contact_id=contact_id, child_id=child_id, state=state,
                                  received_at=received_of[contact_id],
                                  decision_due=due_of[contact_id]))  # fmt: skip
    ContactChild.objects.bulk_create(links, batch_size=5000)
    print(
        f"Seeded {CONTACTS:,} contacts, {CHILDREN:,} children in {time.perf_counter() - started:.0f} s"
    )
    return focus


def measure(label: str, call) -> None:
    for _ in range(WARM):
        call()
    timings, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"  {label:<34} p50 {statistics.median(timings):6.1f} ms   p95 {p95:6.1f} ms   {queries} queries"
    )


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL: set DATABASE_URL=postgres://...")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        agency = Agency.objects.create(name="Benchmark council", kind=Agency.Kind.LOCAL_AUTHORITY)
        worker = User.objects.create(username="bench", agency=agency, first_name="B", last_name="W")
        worker.groups.add(Group.objects.get(name="Practitioner"))
        focus = seed(worker)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        client = Client()
        client.force_login(worker)
        device = TOTPDevice.objects.create(user=worker, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        print(f"Server time per request, {RUNS} runs each (Django test client, no network):")
        measure("queue page (first page of 50 rows)", lambda: client.get("/front-door/"))
        measure("child page (12 contacts)", lambda: client.get(f"/children/{focus.pk}/"))
        measure(
            "matching search (selector)",
            lambda: likely_matches(model=Child, first_name="Zoe", last_name="Penhallow7",
                                   date_of_birth=focus.date_of_birth),
        )  # fmt: skip
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
