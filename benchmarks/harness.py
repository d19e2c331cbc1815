"""The benchmark harness every later issue extends (issue 18). Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/front_door_bench \\
        CONTACTS=1000000 .venv/bin/python benchmarks/harness.py

One seeder and one runner. The seeder fills the test database `test_<name>` through the
documented bulk path used only for benchmarks (bulk_create, no audit entries, states set
directly; DOMAIN.md's journey respected where a page reads it) with realistic distributions:

- families of one to three children with their mother (brothers and sisters), half of them
  sharing a household; children's ages spread from unborn-free 0 to 17;
- `CONTACTS` contacts over five years, newest first; a child's share of them skewed so that
  a few children have long histories (tens of contacts) and most have one or two;
- every contact closed with a signed-off decision (no further action, advice, early help,
  referral...), except the newest 2%, which are open (screening or proposed): open work on the
  newest records, as in life;
- a referral for each decision to refer, closed unless recent; for the newest referrals, a
  strategy discussion and an open section 47 enquiry (open child-protection work), and for a
  few older ones a conference whose plan has ended;
- the focus child, whose decision page is measured: 50 earlier contacts, a brother with an
  open enquiry, and an open contact being screened now.

RETURNS=0 leaves out the statutory returns (at 1,000,000 contacts Annex A over five years
takes minutes; benchmarks/annex_a.py and census.py time them at 10,000 children).

The database is kept between runs (KEEP=0 to drop it at the end): a second run with the same
CONTACTS seeds nothing. The runner then times, side by side in one run, each page in `PAGES`:
p50 and p95 of the server's handling (Django test client, no network), the query count, and
the raw SQL floor (the same SELECTs run straight on the connection, p50), which is what the
page would cost with no Python at all. Later issues add their pages to `PAGES` and their rows
to `seed()`.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

import django  # after the path and settings are set

django.setup()

from django.contrib.auth.models import Group  # noqa: E402  # needs setup()
from django.db import connection, connections, transaction  # noqa: E402  # needs setup()
from django.test import Client  # noqa: E402  # needs setup()
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402  # needs setup()
from django.utils import timezone  # noqa: E402  # needs setup()
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402  # needs setup()
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402  # needs setup()

from accounts.models import Agency, User  # noqa: E402  # needs setup()
from notes.chronology import chronology_events  # noqa: E402  # needs setup()
from notes.models import ChronologyEntry  # noqa: E402  # needs setup()
from referrals.matching import fold, phonetic  # noqa: E402  # needs setup()
from referrals.models import (  # noqa: E402  # needs setup()
    Allocation,
    Child,
    Household,
    Person,
    Relationship,
    Team,
)
from referrals.models.contacts import (  # noqa: E402  # needs setup()
    Contact,
    ContactChild,
    ContactDecision,
    LevelOfNeed,
)
from referrals.models.episodes import (  # noqa: E402  # needs setup()
    Assessment,
    Referral,
    ReferralDecision,
)
from returns.annex_a import write_annex_a  # noqa: E402  # needs setup()
from strategy.models import (  # noqa: E402  # needs setup()
    ChildProtectionPlan,
    DiscussionChild,
    InitialConference,
    PlanReview,
    Section47,
    StrategyDiscussion,
)

CONTACTS = int(os.environ.get("CONTACTS", "100000"))
RUNS, WARM = int(os.environ.get("RUNS", "40")), 5
BATCH = 10000
OPEN_SHARE = 0.02  # the newest contacts still open
FIRST = ["Amelia", "Oliver", "Isla", "Jack", "Ava", "Harry", "Mia", "Noah", "Zoë", "Leo"]
LAST = ["Smith", "Jones", "Penhallow", "Trevail", "O'Brien", "Nance", "Rowe", "Hosking"]
# Outcomes of closed contacts, by share (DOMAIN.md's national figures, roughly).
OUTCOMES = [
    ("nfa", 0.30), ("advice", 0.22), ("early_help", 0.18), ("referral", 0.25),
    ("strategy_now", 0.03), ("allocated_worker", 0.02),
]  # fmt: skip
FOCUS_HISTORY = 50


@dataclass
class Seeded:
    """The records the pages are measured on."""

    focus_contact: int
    focus_contact_child: int
    focus_child: int = 0  # the focus child, whose chronology is measured (issue 20)


def _bulk(model, rows: list, label: str, started: float) -> None:
    model.objects.bulk_create(rows, batch_size=BATCH)
    print(f"    {label:<28} {len(rows):>10,}   {time.perf_counter() - started:7.0f} s")


def _pick_outcome(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for outcome, share in OUTCOMES:
        total += share
        if roll < total:
            return outcome
    return OUTCOMES[0][0]


def seed(worker: User) -> Seeded:
    """Bulk rows for `CONTACTS` contacts (see the module's docstring), and the focus child."""
    rng = random.Random(18)  # noqa: S311  # benchmark data, not security
    started = time.perf_counter()
    now, today = timezone.now(), timezone.localdate()
    span = timedelta(days=5 * 365)
    level = LevelOfNeed.objects.get_or_create(name="Level 2: early help", defaults={"order": 2})[0]
    print(f"  Seeding {CONTACTS:,} contacts (rows, seconds since the start):")

    # Families: a mother and one to three children; half share a household.
    children_total = CONTACTS * 6 // 10
    mothers, kids, family_of = [], [], []
    while len(kids) < children_total:
        surname = f"{rng.choice(LAST)}{len(mothers) % 700}"
        mothers.append(Person(first_name=rng.choice(FIRST), last_name=surname,
                              first_name_key="", last_name_key="", last_name_sound=""))  # fmt: skip
        # The focus child's family has two children: the focus child and a brother.
        for _ in range(2 if len(mothers) == 1 else rng.choice((1, 1, 2, 2, 3))):
            born = today - timedelta(days=rng.randrange(18 * 365))
            kids.append(Child(first_name=rng.choice(FIRST), last_name=surname,
                              date_of_birth=born))  # fmt: skip
            family_of.append(len(mothers) - 1)
    for record in (*mothers, *kids):  # the search keys that save() computes
        record.first_name_key = fold(record.first_name)
        record.last_name_key = fold(record.last_name)
        record.last_name_sound = phonetic(record.last_name)
    _bulk(Person, mothers, "mothers", started)
    _bulk(Child, kids, "children", started)
    mother_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    child_ids = list(Child.objects.order_by("pk").values_list("pk", flat=True))
    _bulk(
        Relationship,
        [Relationship(child_id=child_id, person_id=mother_ids[family], kind="mother")
         for child_id, family in zip(child_ids, family_of, strict=True)],
        "relationships", started,
    )  # fmt: skip
    households = [Household(address=f"{n} Harbour Row") for n in range(0, len(mother_ids), 2)]
    _bulk(Household, households, "households", started)
    household_ids = list(Household.objects.order_by("pk").values_list("pk", flat=True))
    through = Household.children.through
    _bulk(
        through,
        [through(household_id=household_ids[family // 2], child_id=child_id)
         for child_id, family in zip(child_ids, family_of, strict=True) if family % 2 == 0],
        "household members", started,
    )  # fmt: skip

    # Contacts, newest first (contact n was received n steps ago).
    contacts = [
        Contact(received_at=now - span * (n / CONTACTS) - timedelta(minutes=5), taken_by=worker,
                recorded_by=worker, source="2A", concern=f"Concern {n}: " + "x" * 200,
                consent="given", decision_due=(now - span * (n / CONTACTS)).date())
        for n in range(CONTACTS)
    ]  # fmt: skip
    _bulk(Contact, contacts, "contacts", started)
    contact_rows = list(
        Contact.objects.order_by("-received_at").values_list("pk", "received_at", "decision_due")
    )
    contact_ids = [pk for pk, _, _ in contact_rows]
    received_of = {pk: received for pk, received, _ in contact_rows}
    due_of = {pk: due for pk, _, due in contact_rows}
    focus_child, brother = child_ids[0], child_ids[1]
    open_count = int(CONTACTS * OPEN_SHARE)
    links, outcomes = [], []
    focus_slots = set(range(open_count + 10, open_count + 10 + FOCUS_HISTORY * 997, 997))
    for n, contact_id in enumerate(contact_ids):
        # Skewed: a few children have long histories, most one or two contacts.
        child_id = child_ids[2 + int((len(child_ids) - 2) * rng.random() ** 1.6)]
        if n in focus_slots:
            child_id = focus_child
        state = ("screening" if n % 3 else "proposed") if n < open_count else "closed"
        links.append(ContactChild(contact_id=contact_id, child_id=child_id, state=state,
                                  received_at=received_of[contact_id],
                                  decision_due=due_of[contact_id],
                                  feedback_given=state == "closed", feedback_note="Told"))  # fmt: skip
        outcomes.append(_pick_outcome(rng))
    focus_cc = ContactChild(
        contact_id=contact_ids[5],
        child_id=focus_child,
        state="screening",
        received_at=received_of[contact_ids[5]],
        decision_due=due_of[contact_ids[5]],
    )
    links[5] = focus_cc
    _bulk(ContactChild, links, "contact children", started)
    cc_rows = list(
        ContactChild.objects.order_by("-contact__received_at").values_list(
            "pk", "child_id", "state", "contact__received_at"
        )
    )
    decisions = [
        ContactDecision(contact_child_id=pk, outcome=outcome, level_of_need=level,
                        rationale="Weighed the history", proposed_by=worker,
                        state="signed_off" if state == "closed" else "proposed",
                        reviewed_by=worker if state == "closed" else None,
                        reviewed_at=received + timedelta(hours=3) if state == "closed" else None)
        for (pk, _child, state, received), outcome in zip(cc_rows, outcomes, strict=True)
        if state != "screening"
    ]  # fmt: skip
    _bulk(ContactDecision, decisions, "decisions", started)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE referrals_contactchild AS cc SET current_decision_id = d.id, "
            "decided_at = d.reviewed_at "
            "FROM referrals_contactdecision AS d WHERE d.contact_child_id = cc.id"
        )

    # Referrals for decisions to refer; open for the newest, closed otherwise.
    to_refer = [
        (pk, child_id, received)
        for (pk, child_id, state, received), outcome in zip(cc_rows, outcomes, strict=True)
        if state == "closed" and outcome in ("referral", "strategy_now")
    ]
    recent = today - timedelta(days=60)
    referrals = [
        Referral(child_id=child_id, contact_child_id=pk, referral_date=received.date(),
                 source="2A", next_steps_due=received.date() + timedelta(days=1),
                 created_by=worker, primary_need="N1",
                 state="next_steps_signed_off" if received.date() > recent else "closed",
                 closure_date=None if received.date() > recent else received.date() + timedelta(days=40),
                 closure_reason="" if received.date() > recent else "RC8")
        for pk, child_id, received in to_refer
    ]  # fmt: skip
    _bulk(Referral, referrals, "referrals", started)
    opened = list(
        Referral.objects.filter(state="next_steps_signed_off").order_by("-referral_date")[:2000]
    )
    older = list(
        Referral.objects.filter(state="closed").order_by("pk")[: max(10, CONTACTS // 2000)]
    )
    brother_referral = Referral.objects.filter(pk=opened[0].pk)
    brother_referral.update(child_id=brother)
    opened[0].child_id = brother
    # Child-protection work: a discussion, an assessment and an enquiry for each; open for
    # the newest referrals, concluded with a conference and an ended plan for the older ones.
    work = [(r, True) for r in opened[: max(1, len(opened) // 4)]] + [(r, False) for r in older]
    _bulk(
        Assessment,
        [Assessment(referral=r, child_id=r.child_id, start_date=r.referral_date,
                    due=r.referral_date + timedelta(days=63), started_by=worker,
                    state="open" if is_open else "authorised", factors=["3B"])
         for r, is_open in work],
        "assessments", started,
    )  # fmt: skip
    assessment_of = dict(Assessment.objects.values_list("referral_id", "pk"))
    discussions = [
        StrategyDiscussion(scheduled_for=now, format="video", chair=worker, convened_by=worker,
                           due=r.referral_date, state="signed_off", held_at=now,
                           recorded_at=now, reviewed_at=now)
        for r, _ in work
    ]  # fmt: skip
    _bulk(StrategyDiscussion, discussions, "strategy discussions", started)
    discussion_ids = list(
        StrategyDiscussion.objects.order_by("-pk").values_list("pk", flat=True)[: len(work)]
    )[::-1]
    _bulk(
        DiscussionChild,
        [DiscussionChild(discussion_id=d, child_id=r.child_id, referral=r, outcome="s47_joint")
         for d, (r, _) in zip(discussion_ids, work, strict=True)],
        "discussion children", started,
    )  # fmt: skip
    row_of = dict(DiscussionChild.objects.values_list("referral_id", "pk"))
    _bulk(
        Section47,
        [Section47(discussion_child_id=row_of[r.pk], child_id=r.child_id, referral=r,
                   assessment_id=assessment_of[r.pk], joint=True, start_date=r.referral_date,
                   conference_due=r.referral_date + timedelta(days=21),
                   state="open" if is_open else "conference_held")
         for r, is_open in work],
        "section 47 enquiries", started,
    )  # fmt: skip
    held = list(Section47.objects.filter(state="conference_held"))
    _bulk(
        InitialConference,
        [InitialConference(section47=e, child_id=e.child_id, held_on=e.start_date, chair=worker,
                           plan=True, category="NEG", recorded_by=worker) for e in held],
        "conferences", started,
    )  # fmt: skip
    _bulk(
        ChildProtectionPlan,
        [ChildProtectionPlan(child_id=c.child_id, conference=c, start_date=c.held_on,
                             initial_category="NEG", latest_category="NEG", state="ended",
                             end_date=c.held_on + timedelta(days=200), end_reason="Risk reduced")
         for c in InitialConference.objects.all()],
        "plans (ended)", started,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    elapsed = time.perf_counter() - started
    print(f"  Seeded in {elapsed:.0f} s: {CONTACTS / elapsed:,.0f} contacts a second")
    return Seeded(
        focus_contact=focus_cc.contact_id, focus_contact_child=focus_cc.pk, focus_child=focus_child
    )


def seed_census_year(worker: User, *, year: int, children: int) -> None:
    """`children` children in need in the collection year ending 31 March `year` (issue 22),
    each with a referral in that year: one in ten no further action; the others assessed and
    authorised with factors, most closed; a third with a section 47 enquiry from a discussion,
    a third of those with a conference whose plan is reviewed twice and, for half, ended.
    Marked by the children's surname `Census<year>` (the seed of one year is made once)."""
    rng = random.Random(year)  # noqa: S311  # benchmark data, not security
    started = time.perf_counter()
    now = timezone.now()
    start = date(year - 1, 4, 1)
    surname = f"Census{year}"
    print(f"  Seeding {children:,} children in need in {year - 1}-{year % 100:02d}:")
    kids = []
    for n in range(children):
        born = start - timedelta(days=rng.randrange(17 * 365))
        kids.append(Child(first_name=rng.choice(FIRST), last_name=surname, date_of_birth=born,
                          sex=rng.choice("MF"), ethnicity="WBRI",
                          disabilities=["NONE"] if n % 7 else ["AUT", "LD"],
                          upn_unknown="UN1" if born > start - timedelta(days=5 * 365) else "UN4",
                          first_name_key="", last_name_key="", last_name_sound=""))  # fmt: skip
    _bulk(Child, kids, "children", started)
    child_ids = [kid.pk for kid in kids]  # PostgreSQL gives bulk_create's rows their ids
    referred = [start + timedelta(days=rng.randrange(300)) for _ in child_ids]
    referred = [day + timedelta(days=-day.weekday()) for day in referred]  # on a Monday
    contacts = [
        Contact(received_at=timezone.make_aware(datetime.combine(day, datetime.min.time()))
                + timedelta(hours=10), taken_by=worker, recorded_by=worker, source="2A",
                concern="Census benchmark", consent="given", decision_due=day)
        for day in referred
    ]  # fmt: skip
    _bulk(Contact, contacts, "contacts", started)
    # The contact's times as its children carry them (received, due), as the service copies.
    links = [ContactChild(contact_id=contact.pk, child_id=k, state="closed", feedback_given=True,
                          received_at=contact.received_at, decision_due=contact.decision_due)
             for contact, k in zip(contacts, child_ids, strict=True)]  # fmt: skip
    _bulk(ContactChild, links, "contact children", started)
    cc_ids = [link.pk for link in links]
    nfa = [n % 10 == 0 for n in range(len(child_ids))]
    closed = [n % 4 != 0 for n in range(len(child_ids))]
    _bulk(Referral, [
        Referral(child_id=k, contact_child_id=cc, referral_date=day, source="2A",
                 next_steps_due=day + timedelta(days=1), created_by=worker,
                 primary_need="" if is_nfa else "N1",
                 state="closed" if shut else "next_steps_signed_off",
                 closure_date=day + timedelta(days=60 if not is_nfa else 1) if shut else None,
                 closure_reason="RC7" if shut else "")
        for k, cc, day, is_nfa, shut in zip(child_ids, cc_ids, referred, nfa, closed,
                                            strict=True)
    ], "referrals", started)  # fmt: skip
    referrals = list(Referral.objects.filter(child_id__in=child_ids).order_by("child_id"))
    _bulk(ReferralDecision, [
        ReferralDecision(referral=r, next_steps="nfa" if is_nfa else "assessment",
                         primary_need=r.primary_need, rationale="Benchmark",
                         proposed_by=worker, state="signed_off", reviewed_by=worker)
        for r, is_nfa in zip(referrals, nfa, strict=True)
    ], "next steps", started)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE referrals_referral AS r SET current_decision_id = d.id "
            "FROM referrals_referraldecision AS d WHERE d.referral_id = r.id "
            "AND r.current_decision_id IS NULL"
        )
    worked = [r for r, is_nfa in zip(referrals, nfa, strict=True) if not is_nfa]
    _bulk(Assessment, [
        Assessment(referral=r, child_id=r.child_id, start_date=r.referral_date + timedelta(days=1),
                   due=r.referral_date + timedelta(days=63), started_by=worker,
                   state="authorised", authorisation_date=r.referral_date + timedelta(days=30),
                   factors=["3B", "4B"] if r.pk % 2 else ["21"], completed_by=worker,
                   authorised_by=worker)
        for r in worked
    ], "assessments", started)  # fmt: skip
    enquired = worked[::3]
    assessment_of = dict(
        Assessment.objects.filter(referral__in=enquired).values_list("referral_id", "pk")
    )
    _bulk(StrategyDiscussion, [
        StrategyDiscussion(scheduled_for=now, format="video", chair=worker, convened_by=worker,
                           due=r.referral_date, state="signed_off", held_at=now,
                           recorded_at=now, reviewed_at=now)
        for r in enquired
    ], "strategy discussions", started)  # fmt: skip
    discussion_ids = list(
        StrategyDiscussion.objects.order_by("-pk").values_list("pk", flat=True)[: len(enquired)]
    )[::-1]
    _bulk(DiscussionChild, [
        DiscussionChild(discussion_id=d, child_id=r.child_id, referral=r, outcome="s47_joint")
        for d, r in zip(discussion_ids, enquired, strict=True)
    ], "discussion children", started)  # fmt: skip
    row_of = dict(
        DiscussionChild.objects.filter(referral__in=enquired).values_list("referral_id", "pk")
    )
    conferenced = {r.pk for r in enquired[::3]}
    _bulk(Section47, [
        Section47(discussion_child_id=row_of[r.pk], child_id=r.child_id, referral=r,
                  assessment_id=assessment_of[r.pk], joint=True,
                  start_date=r.referral_date + timedelta(days=1),
                  conference_due=r.referral_date + timedelta(days=22),
                  state="conference_held" if r.pk in conferenced else "closed",
                  conference_not_required=r.pk not in conferenced,
                  closed_at=None if r.pk in conferenced else now.replace(
                      year=r.referral_date.year, month=r.referral_date.month,
                      day=r.referral_date.day) + timedelta(days=10))
        for r in enquired
    ], "section 47 enquiries", started)  # fmt: skip
    held = list(Section47.objects.filter(referral_id__in=conferenced))
    _bulk(InitialConference, [
        InitialConference(section47=e, child_id=e.child_id, held_on=e.start_date + timedelta(days=14),
                          chair=worker, plan=True, category="NEG", recorded_by=worker)
        for e in held
    ], "conferences", started)  # fmt: skip
    conferences = list(InitialConference.objects.filter(section47__in=held).order_by("pk"))
    _bulk(ChildProtectionPlan, [
        ChildProtectionPlan(child_id=c.child_id, conference=c, start_date=c.held_on,
                            initial_category="NEG", latest_category="EMO",
                            state="ended" if n % 2 else "open",
                            end_date=c.held_on + timedelta(days=200) if n % 2 else None,
                            end_reason="Risk reduced" if n % 2 else "")
        for n, c in enumerate(conferences)
    ], "plans", started)  # fmt: skip
    _bulk(PlanReview, [
        PlanReview(plan=plan, reviewed_on=plan.start_date + timedelta(days=days), category="EMO",
                   recorded_by=worker)
        for plan in ChildProtectionPlan.objects.filter(conference__in=conferences)
        for days in (84, 168)
    ], "plan reviews", started)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def already_seeded() -> Seeded | None:
    """The focus contact of an earlier run's seed of the same size, if there is one."""
    if Contact.objects.count() < CONTACTS:
        return None
    focus = ContactChild.objects.filter(state="screening", child_id=Child.objects.order_by("pk")
                                        .values("pk")[:1]).first()  # fmt: skip
    return Seeded(focus.contact_id, focus.pk, focus.child_id) if focus else None


CHRONOLOGY_EVENTS = 500


def seed_chronology(worker: User, seeded: Seeded) -> None:
    """Issue 20: the focus child's chronology topped up to `CHRONOLOGY_EVENTS` events with
    manual entries over five years (a third significant), once; the seed's own rows give the
    rest (50 contacts with their decisions, the child's voice)."""
    seeded.focus_child = (
        seeded.focus_child or ContactChild.objects.get(pk=seeded.focus_contact_child).child_id
    )
    have = len(chronology_events([seeded.focus_child]))
    if have >= CHRONOLOGY_EVENTS:
        return
    today = timezone.localdate()
    rng = random.Random(20)  # noqa: S311  # benchmark data, not security
    ChronologyEntry.objects.bulk_create(
        [ChronologyEntry(child_id=seeded.focus_child, author=worker, source="health",
                         happened_on=today - timedelta(days=rng.randrange(5 * 365)),
                         significant=n % 3 == 0, text=f"Event {n}: " + "the child said that " * 15)
         for n in range(CHRONOLOGY_EVENTS - have)],
        batch_size=BATCH,
    )  # fmt: skip
    print(f"  Chronology: {CHRONOLOGY_EVENTS - have} entries added to the focus child's {have}")


# The runner ------------------------------------------------------------------------------------


ROLE_USERS = {  # username: (role, agency kind) of the users whose home pages are measured
    "bench_manager": ("Manager", Agency.Kind.LOCAL_AUTHORITY),
    "bench_chair": ("Conference chair", Agency.Kind.LOCAL_AUTHORITY),
    "bench_police": ("Partner practitioner", Agency.Kind.POLICE),
    "bench_police_lead": ("Partner safeguarding lead", Agency.Kind.POLICE),
    "bench_auditor": ("Auditor", Agency.Kind.LOCAL_AUTHORITY),
    "bench_admin": ("System administrator", Agency.Kind.LOCAL_AUTHORITY),
}


TEAMS, TEAM_WORKERS = 12, 8
CASELOAD_CEILING = 2000  # more open children than this on one worker: the earlier seed


def _benchmark_teams(team: Team, worker: User) -> tuple[list[Team], list[list[User]]]:
    """The measured team (its manager and the measured practitioner first) and TEAMS - 1
    others, each with a manager and TEAM_WORKERS practitioners."""
    agency, practitioners = worker.agency, Group.objects.get(name="Practitioner")
    teams, workers = [team], [[worker]]
    for n in range(TEAMS):
        if n:
            manager = User.objects.get_or_create(
                username=f"bench_manager_{n}", defaults={"agency": agency, "first_name": "M"}
            )[0]
            teams.append(Team.objects.get_or_create(
                name=f"Benchmark team {n}", defaults={"manager": manager})[0])  # fmt: skip
            workers.append([])
        for w in range(len(workers[n]), TEAM_WORKERS):
            user = User.objects.get_or_create(
                username=f"bench_worker_{n}_{w}", defaults={"agency": agency, "first_name": "W"}
            )[0]
            user.groups.add(practitioners)
            workers[n].append(user)
    return teams, workers


def seed_home_pages(worker: User) -> dict[str, User]:
    """Issue 21: a user per role, and the children of the open contacts (open work on the
    newest records) allocated over the benchmark teams (`_benchmark_teams`), the measured
    practitioner in the measured manager's team. Seeded once, beside an earlier seed of
    contacts."""
    users = {"bench": worker}
    for username, (role, kind) in ROLE_USERS.items():
        agency = Agency.objects.get_or_create(name=f"Benchmark {kind}", defaults={"kind": kind})[0]
        user = User.objects.get_or_create(
            username=username, defaults={"agency": agency, "first_name": username[6:].title()}
        )[0]
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    team = Team.objects.get_or_create(
        name="Benchmark team", defaults={"manager": users["bench_manager"]}
    )[0]
    # Caseloads as an authority has them, if large: the open children spread over TEAMS teams
    # of TEAM_WORKERS workers, the measured practitioner one of the measured manager's team.
    # (An earlier harness gave that one worker every open child; such a seed is re-spread.)
    spread = Allocation.objects.filter(ended_at__isnull=True, worker=worker).count()
    if not Allocation.objects.filter(team=team).exists() or spread > CASELOAD_CEILING:
        Allocation.objects.filter(team__name__startswith="Benchmark team").delete()
        teams, workers = _benchmark_teams(team, worker)
        open_children = list(
            ContactChild.objects.filter(state__in=["screening", "proposed", "signed_off"])
            .values_list("child_id", flat=True)
            .distinct()
            .order_by("child_id")
        )
        _bulk(
            Allocation,
            [Allocation(child_id=child_id, team=teams[n % TEAMS],
                        worker=workers[n % TEAMS][(n // TEAMS) % TEAM_WORKERS])
             for n, child_id in enumerate(open_children)],
            "allocations (open work)", time.perf_counter(),
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return users


@dataclass
class Page:
    label: str
    path: str  # formatted with the Seeded fields and the search terms (`search_terms`)
    data: dict[str, str] | None = None  # posted, each value formatted the same way
    user: str = "bench"  # whose page it is (ROLE_USERS)
    runs: int = RUNS


PAGES = [
    Page("front door queue (first 50)", "/front-door/"),
    Page("decision page (50 earlier contacts)", "/contacts/{focus_contact}/children/{focus_contact_child}/"),
    # Search (issue 20): the terms are posted. The seed's surnames share eight stems, so a
    # surname alone matches an eighth of the register: the page shows the first 50.
    Page("search: misspelt surname", "/search/", {"name": "{misspelt}"}),
    Page("search: first name, misspelt surname", "/search/", {"name": "{first} {misspelt}"}),
    Page("search: misspelt surname, date of birth", "/search/",
         {"name": "{misspelt}", "date_of_birth_0": "{day}", "date_of_birth_1": "{month}",
          "date_of_birth_2": "{year}"}),
    Page("search: NHS number", "/search/", {"nhs_number": "{nhs_number}"}),
    Page("search: reference", "/search/", {"reference": "{reference}"}),
    Page("home: practitioner", "/"),
    Page("home: manager", "/", user="bench_manager"),
    Page("home: conference chair", "/", user="bench_chair"),
    Page("home: partner practitioner", "/", user="bench_police"),
    Page("home: partner lead", "/", user="bench_police_lead"),
    Page("home: auditor", "/", user="bench_auditor"),
    Page("home: system administrator", "/", user="bench_admin"),
    Page("manager: contacts 4+ days (list)", "/my-work/contacts-4-plus/", user="bench_manager"),
    Page("manager: awaiting sign-off (list)", "/my-work/awaiting-sign-off/", user="bench_manager"),
    Page(f"chronology ({CHRONOLOGY_EVENTS} events)", "/children/{focus_child}/chronology/"),
    Page(f"chronology PDF ({CHRONOLOGY_EVENTS} events)", "/children/{focus_child}/chronology.pdf",
         runs=max(5, RUNS // 4)),
    # The reports (issue 21), each for the last 12 months (their default period).
    Page("report: timeliness (12 months)", "/reports/timeliness/", user="bench_manager"),
    Page("report: outcomes (12 months)", "/reports/outcomes/", user="bench_manager"),
    Page("report: re-referrals (12 months)", "/reports/re-referrals/", user="bench_manager"),
    Page("report: partner participation (12 m)", "/reports/partner-participation/", user="bench_manager"),
    Page("report: information sharing (12 m)", "/reports/information-sharing/", user="bench_manager"),
    Page("report: NFA and its sample (12 m)", "/reports/no-further-action/?seed=7", user="bench_manager"),
    Page("report: quality audits (12 months)", "/reports/quality-audits/", user="bench_manager"),
    Page("quality audits list", "/quality-audits/", user="bench_manager"),
]  # fmt: skip


def search_terms(seeded: Seeded) -> dict[str, str]:
    """What the search pages look for: the focus child, by a misspelling of its surname that
    sounds the same, its first name, date of birth, NHS number and reference."""
    child = ContactChild.objects.get(pk=seeded.focus_contact_child).child
    if not child.nhs_number:
        child.nhs_number = "9434765919"
        child.save(update_fields=["nhs_number"])
    stem = fold(child.last_name)
    misspelt = next(
        (word for word in (stem.replace("i", "y"), stem.replace("o", "oh"), stem + "e",
                           stem.replace("ll", "l"), stem.replace("th", "tth"))
         if word != stem and phonetic(word) == phonetic(stem)),
        stem,
    )  # fmt: skip
    born = child.date_of_birth
    return {
        "misspelt": misspelt.capitalize(), "first": child.first_name,
        "day": str(born.day), "month": str(born.month), "year": str(born.year),
        "nhs_number": child.nhs_number, "reference": child.census_id,
    }  # fmt: skip


# Statutory returns (issue 22), made whole as the background task makes them: the time of a
# whole file, its queries, and Python's peak memory while writing it (a second, traced run).
EXPORT_RUNS = int(os.environ.get("EXPORT_RUNS", "3"))


def _annex_a_all(path: str) -> int:
    today = timezone.localdate()
    return write_annex_a(path, start=today - timedelta(days=5 * 365 + 2), end=today)


EXPORTS: list[tuple[str, Callable[[str], int]]] = [
    ("Annex A, lists 1, 3, 4, 5 (5 years)", _annex_a_all),
]


def measure_export(make: Callable[[str], int]) -> tuple[float, float, float, int, int, float, int]:
    """Best and worst seconds of EXPORT_RUNS runs, the best run's CPU seconds in this process
    (the machine's load aside; the database's own time is in the wall time only), queries,
    rows, peak MiB, file bytes."""
    timings, cpu, queries, rows, size = [], [], 0, 0, 0
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "export")
        for _ in range(EXPORT_RUNS):
            with CaptureQueriesContext(connection) as captured:
                started, used = time.perf_counter(), time.process_time()
                rows = make(path)
                timings.append(time.perf_counter() - started)
                cpu.append(time.process_time() - used)
            queries, size = len(captured.captured_queries), os.path.getsize(path)
        tracemalloc.start()
        make(path)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return min(timings), max(timings), min(cpu), queries, rows, peak, size


def _p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _sql_floor(statements: list[str]) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return run


def measure(
    label: str, call: Callable[[], object], runs: int = RUNS
) -> tuple[float, float, int, float]:
    """p50 and p95 in ms, the query count, and the raw SQL floor's p50 in ms."""
    for _ in range(WARM):
        call()
    timings, captured_sql = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        captured_sql = [q["sql"] for q in captured.captured_queries]
    # Reads only (a union starts with a parenthesis, a common table expression with WITH).
    selects = [
        sql for sql in captured_sql if sql.lstrip("( \n").upper().startswith(("SELECT", "WITH"))
    ]
    floor = []
    raw = _sql_floor(selects)
    for _ in range(runs):
        started = time.perf_counter()
        with transaction.atomic():
            raw()
        floor.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), _p95(timings), len(captured_sql), statistics.median(floor)


def signed_in_client(worker: User) -> Client:
    client = Client()
    client.force_login(worker)
    device, _ = TOTPDevice.objects.get_or_create(user=worker, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@contextmanager
def bench_database() -> Iterator[User]:
    """The benchmarks' PostgreSQL database, kept between runs (KEEP=0 drops it at the end),
    with the benchmark council and its practitioner `bench`, whom it yields."""
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL: set DATABASE_URL=postgres://...")
    setup_test_environment()
    keep = os.environ.get("KEEP", "1") == "1"
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=keep
    )
    try:
        agency = Agency.objects.get_or_create(
            name="Benchmark council", defaults={"kind": Agency.Kind.LOCAL_AUTHORITY}
        )[0]
        worker = User.objects.get_or_create(
            username="bench", defaults={"agency": agency, "first_name": "B", "last_name": "W"}
        )[0]
        worker.groups.add(Group.objects.get(name="Practitioner"))
        yield worker
    finally:
        connections.close_all()
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    with bench_database() as worker:
        manager = User.objects.get_or_create(
            username="bench_manager",
            defaults={"agency": worker.agency, "first_name": "B", "last_name": "M"},
        )[0]
        manager.groups.add(Group.objects.get(name="Manager"))
        seeded = already_seeded()
        if seeded is None and Contact.objects.exists():
            sys.exit(
                "The kept database holds another seed: run once with KEEP=0, or drop "
                f"{connection.settings_dict['NAME']}"
            )
        seeded = seeded or seed(worker)
        users = seed_home_pages(worker)
        clients = {name: signed_in_client(user) for name, user in users.items()}
        seed_chronology(worker, seeded)
        print(f"Per page, {RUNS} runs each after {WARM} warm-ups ({CONTACTS:,} contacts):")
        print(f"  {'page':<38} {'p50':>8} {'p95':>8} {'queries':>8} {'SQL floor':>10}")
        values = {**seeded.__dict__, **search_terms(seeded)}
        for page in PAGES:
            path = page.path.format(**values)
            client = clients[page.user]
            if page.data is None:
                call = partial(client.get, path)
            else:
                call = partial(
                    client.post, path, {k: v.format(**values) for k, v in page.data.items()}
                )
            status = call().status_code
            if status != 200:
                sys.exit(f"{path} answered {status}")
            p50, p95, queries, floor = measure(page.label, call, page.runs)
            print(f"  {page.label:<38} {p50:6.1f}ms {p95:6.1f}ms {queries:>8} {floor:8.1f}ms")
        if os.environ.get("RETURNS", "1") == "0":  # the pages only
            return
        children = Child.objects.count()
        print(f"Statutory returns, {EXPORT_RUNS} runs each ({children:,} children):")
        print(
            f"  {'return':<38} {'best':>8} {'worst':>8} {'queries':>8} {'rows':>9} {'peak':>9} {'file':>9}"
        )
        for label, make in EXPORTS:
            best, worst, _cpu, queries, rows, peak, size = measure_export(make)
            print(
                f"  {label:<38} {best:7.2f}s {worst:7.2f}s {queries:>8} {rows:>9,} {peak:6.1f}MiB {size / 2**20:6.1f}MiB"
            )


if __name__ == "__main__":
    main()
