"""Benchmark: referral, assessment, strategy discussion and section 47 pages with 100,000
contacts on PostgreSQL (issue 8). Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/front_door_bench .venv/bin/python benchmarks/journey.py

In a throw-away test database, seeds the front door's 100,000 contacts (benchmarks/front_door.py)
and then, through the documented bulk path used only here (bulk_create, no audit entries, states
set directly), a referral for one contact in five (20,000), an assessment for half of those, a
strategy discussion with three agencies and two actions for one referral in ten, and a section 47
enquiry for half of those discussions, a fifth of them still open, with conferences for the rest.
Then times, side by side in one run, the server handling of each list and detail page: 60 runs
after 5 warm-ups, p50 / p95 and the query count. Query counts are then checked again with ten
times fewer rows to show that they do not grow with the data.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import front_door  # the contacts' seed and the timing loop; sets Django up
from django.contrib.auth.models import Group  # needs setup()
from django.db import connection, connections  # needs setup()
from django.test import Client  # needs setup()
from django.test.utils import setup_test_environment  # needs setup()
from django.utils import timezone  # needs setup()
from django_otp import DEVICE_ID_SESSION_KEY  # needs setup()
from django_otp.plugins.otp_totp.models import TOTPDevice  # needs setup()

from accounts.models import Agency, User  # needs setup()
from referrals.models.contacts import ContactChild  # needs setup()
from referrals.models.episodes import Assessment, Referral  # needs setup()
from strategy.models import (  # needs setup()
    Action,
    DiscussionChild,
    EnquiryOutcomeDecision,
    InitialConference,
    Participant,
    Section47,
    StrategyDiscussion,
)


def seed_journey(worker: User, agencies: list[Agency]) -> dict[str, int]:
    """Referrals and what follows them, for one contact in five; returns pages' primary keys."""
    started = time.perf_counter()
    today = timezone.localdate()
    now = timezone.now()
    links = list(
        ContactChild.objects.order_by("pk").values_list("pk", "child_id", "contact__received_at")
    )[::5]
    referrals = [
        Referral(
            child_id=child_id, contact_child_id=pk, referral_date=received.date(), source="2A",
            next_steps_due=received.date() + timedelta(days=1), created_by=worker,
            state="open" if n % 10 == 0 else "next_steps_signed_off" if n % 4 else "closed",
            primary_need="N1", closure_date=received.date() if n % 4 == 0 and n % 10 else None,
            closure_reason="RC7" if n % 4 == 0 and n % 10 else "",
        )
        for n, (pk, child_id, received) in enumerate(links)
    ]  # fmt: skip
    Referral.objects.bulk_create(referrals, batch_size=5000)
    referrals = list(Referral.objects.order_by("pk"))
    assessments = [
        Assessment(
            referral=r, child_id=r.child_id, start_date=r.referral_date, started_by=worker,
            due=r.referral_date + timedelta(days=63), state="open" if n % 3 else "authorised",
            factors=["3B"], analysis="Analysis " + "x" * 200, completed_by=worker,
        )
        for n, r in enumerate(referrals[::2])
    ]  # fmt: skip
    Assessment.objects.bulk_create(assessments, batch_size=5000)
    assessment_of = dict(Assessment.objects.values_list("referral_id", "pk"))
    chosen = [r for r in referrals[::10] if r.pk in assessment_of]
    discussions = [
        StrategyDiscussion(
            scheduled_for=now - timedelta(days=n % 300), format="video", chair=worker,
            due=today - timedelta(days=n % 300), convened_by=worker,
            state="convened" if n % 20 == 0 else "signed_off", held_at=now - timedelta(days=1),
            recorded_at=None if n % 20 == 0 else now - timedelta(days=1),
            reviewed_at=None if n % 20 == 0 else now - timedelta(hours=12),
            risk_analysis="Risk " + "x" * 300, childs_views="Views", safety_plan="Plan",
            history_reviewed=True, family_told=True, family_note="Told",
        )
        for n in range(len(chosen))
    ]  # fmt: skip
    StrategyDiscussion.objects.bulk_create(discussions, batch_size=5000)
    discussions = list(StrategyDiscussion.objects.order_by("pk"))
    DiscussionChild.objects.bulk_create(
        [
            DiscussionChild(discussion=d, child_id=r.child_id, referral=r, outcome="s47_joint",
                            rationale="Rationale")
            for d, r in zip(discussions, chosen, strict=True)
        ],
        batch_size=5000,
    )  # fmt: skip
    Participant.objects.bulk_create(
        [
            Participant(discussion=d, agency=a, attendance="attended", attendees="A person",
                        contribution="Shared " + "x" * 200)
            for d in discussions for a in agencies
        ],
        batch_size=5000,
    )  # fmt: skip
    Action.objects.bulk_create(
        [
            Action(discussion=d, description="Visit", owner="A worker", agency=agencies[0],
                   due=today + timedelta(days=k))
            for d in discussions for k in range(2)
        ],
        batch_size=5000,
    )  # fmt: skip
    rows = list(DiscussionChild.objects.order_by("pk").select_related("discussion"))[::2]
    enquiries = [
        Section47(
            discussion_child=row, child_id=row.child_id, referral_id=row.referral_id,
            assessment_id=assessment_of[row.referral_id], joint=True,
            start_date=row.discussion.held_at.date(),
            conference_due=row.discussion.held_at.date() + timedelta(days=21),
            state="open" if n % 5 == 0 else "conference_held",
        )
        for n, row in enumerate(rows)
    ]  # fmt: skip
    Section47.objects.bulk_create(enquiries, batch_size=5000)
    held = list(Section47.objects.filter(state="conference_held"))
    EnquiryOutcomeDecision.objects.bulk_create(
        [
            EnquiryOutcomeDecision(section47=e, outcome="continuing_risk", rationale="Risk",
                                   proposed_by=worker, state="signed_off", reviewed_by=worker)
            for e in held
        ],
        batch_size=5000,
    )  # fmt: skip
    InitialConference.objects.bulk_create(
        [
            InitialConference(section47=e, child_id=e.child_id, held_on=e.start_date,
                              chair=worker, plan=True, category="PHY", recorded_by=worker)
            for e in held
        ],
        batch_size=5000,
    )  # fmt: skip
    print(
        f"Seeded {len(referrals):,} referrals, {len(assessments):,} assessments, "
        f"{len(discussions):,} discussions, {len(enquiries):,} enquiries in "
        f"{time.perf_counter() - started:.0f} s"
    )
    open_referral = Referral.objects.filter(state="open").order_by("pk").first()
    return {
        "referral": open_referral.pk,
        "assessment": Assessment.objects.order_by("pk").first().pk,
        "discussion": discussions[0].pk,
        "section47": Section47.objects.order_by("pk").first().pk,
    }


PAGES = [
    ("referrals list (first page of 50)", "/referrals/"),
    ("referral page", "/referrals/{referral}/"),
    ("assessment page", "/assessments/{assessment}/"),
    ("strategy discussions list", "/strategy-discussions/"),
    ("strategy discussion page", "/strategy-discussions/{discussion}/"),
    ("section 47 enquiries list", "/section-47-enquiries/"),
    ("section 47 enquiry page", "/section-47-enquiries/{section47}/"),
]


def signed_in_client(worker: User) -> Client:
    client = Client()
    client.force_login(worker)
    device = TOTPDevice.objects.create(user=worker, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL: set DATABASE_URL=postgres://...")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        agencies = [
            Agency.objects.create(name="Benchmark council", kind=Agency.Kind.LOCAL_AUTHORITY),
            Agency.objects.create(name="Benchmark police", kind=Agency.Kind.POLICE),
            Agency.objects.create(name="Benchmark health", kind=Agency.Kind.HEALTH),
        ]
        worker = User.objects.create(
            username="bench", agency=agencies[0], first_name="B", last_name="W"
        )
        worker.groups.add(Group.objects.get(name="Practitioner"))
        front_door.seed(worker)
        keys = seed_journey(worker, agencies)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        client = signed_in_client(worker)
        for _label, url in PAGES:
            status = client.get(url.format(**keys)).status_code
            if status != 200:
                sys.exit(f"{url.format(**keys)} answered {status}")
        print(f"Server time per request, {front_door.RUNS} runs each (Django test client):")
        for label, url in PAGES:
            path = url.format(**keys)
            front_door.measure(label, lambda path=path: client.get(path))
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    os.environ.setdefault("CONTACTS", "100000")
    main()
