"""Each invented family's journey through the front door, step by step through the real services.

A journey is a generator (demo.authority.clock): it yields the moment of its next step and,
when the clock has moved there, acts as the staff would at that moment: record the contact,
propose and sign off each child's decision, tell the referrer and the family, close it; for a
referral, decide the next steps, assess, convene, hold and sign off strategy discussions,
enquire, hold the initial conference, review and end the plan, and close the referral. Every
choice comes from the family's own random stream, so one seed gives the same authority.
"""

from __future__ import annotations

import random
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from demo.authority import names
from demo.authority.cast import Cast
from referrals import services as referral_services
from referrals.codes import (
    AssessmentFactor,
    ConsentPosition,
    Disability,
    Ethnicity,
    PrimaryNeed,
    ReasonForClosure,
    ReferralSource,
    Sex,
    UPNUnknown,
)
from referrals.identifiers import nhs_number_check_digit, upn_check_letter
from referrals.models import Child, Person, Referral
from referrals.models.contacts import ContactChild, Outcome
from referrals.models.episodes import Assessment, AssessmentState, NextSteps
from referrals.timescales import WorkingCalendar, add_months
from strategy import services as strategy_services
from strategy.models import (
    Attendance,
    ChildProtectionPlan,
    DiscussionFormat,
    DiscussionOutcome,
    EnquiryOutcome,
    Section47,
)
from strategy.services import partners

# England's sources of referrals, roughly as the DfE counts them (police, schools and health
# the most), by weight.
SOURCES = (
    (ReferralSource.POLICE, 28), (ReferralSource.SCHOOLS, 18),
    (ReferralSource.EDUCATION_SERVICES, 2), (ReferralSource.GP, 3),
    (ReferralSource.HEALTH_VISITOR, 4), (ReferralSource.SCHOOL_NURSE, 2),
    (ReferralSource.OTHER_PRIMARY_HEALTH, 2), (ReferralSource.A_AND_E, 3),
    (ReferralSource.OTHER_HEALTH, 1), (ReferralSource.HOUSING, 2),
    (ReferralSource.LA_SOCIAL_CARE, 3), (ReferralSource.OTHER_LA_DEPARTMENT, 3),
    (ReferralSource.ANOTHER_LA, 2), (ReferralSource.LA_EARLY_HELP, 3),
    (ReferralSource.FAMILY, 6), (ReferralSource.ACQUAINTANCE, 2), (ReferralSource.SELF, 2),
    (ReferralSource.OTHER_INDIVIDUAL, 1), (ReferralSource.OTHER_LEGAL, 3),
    (ReferralSource.OTHER, 4), (ReferralSource.ANONYMOUS, 3), (ReferralSource.UNKNOWN, 1),
)  # fmt: skip
ETHNICITIES = (
    (Ethnicity.WBRI, 70), (Ethnicity.WOTH, 5), (Ethnicity.WIRI, 1), (Ethnicity.WROM, 1),
    (Ethnicity.MWBC, 3), (Ethnicity.MWAS, 2), (Ethnicity.MOTH, 2), (Ethnicity.AIND, 1),
    (Ethnicity.APKN, 2), (Ethnicity.BAFR, 2), (Ethnicity.BCRB, 1), (Ethnicity.CHNE, 1),
    (Ethnicity.OOTH, 1), (Ethnicity.REFU, 1), (Ethnicity.NOBT, 1),
)  # fmt: skip
DISABILITIES = (
    Disability.LD, Disability.COMM, Disability.AUT, Disability.BEH, Disability.MOB,
    Disability.HEAR, Disability.VIS, Disability.PC, Disability.DDA,
)  # fmt: skip
FACTORS_BY_CONCERN = {
    "neglect": ("16A", "1B", "2B", "4B", "6B"),
    "physical": ("18C", "3B", "2B", "1B"),
    "sexual": ("19C", "19B", "11A"),
    "emotional": ("17A", "3A", "3B", "4B"),
    "family": ("4B", "1B", "2B", "10A", "14A", "7A", "5B", "24A", "13A", "15A", "20"),
}
NEED_BY_CONCERN = {
    "neglect": PrimaryNeed.N1, "physical": PrimaryNeed.N1, "sexual": PrimaryNeed.N1,
    "emotional": PrimaryNeed.N1,
}  # fmt: skip
FAMILY_NEEDS = (PrimaryNeed.N3, PrimaryNeed.N4, PrimaryNeed.N5, PrimaryNeed.N6, PrimaryNeed.N8)
SHARING_TERMS = partners.SharingTerms(
    history="Earlier contacts about the family and their outcomes (generated)",
    consent=ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE, family_told=False,
    family_note="Telling the parents before the discussion could put the children at risk",
)  # fmt: skip


def weighted(rng: random.Random, choices) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class Kid:
    """A child of the family as planned; `child` once recorded."""

    first_name: str
    sex: str
    born: date | None
    expected: date | None
    ethnicity: str
    disabilities: list[str]
    nhs_number: str
    upn: str = ""
    upn_unknown: str = ""
    child: Child | None = None

    def age_on(self, day: date) -> float:
        return (day - self.born).days / 365.25 if self.born else -1.0


@dataclass
class Family:
    number: int
    surname: str
    mother_name: str
    mother_born: date
    kids: list[Kid]
    address: str
    postcode: str
    first_contact: datetime
    mother: Person | None = None
    rng: random.Random = field(default_factory=random.Random)


@dataclass
class Tally:
    """What the generation made, for the command's summary and the tests."""

    children: int = 0
    contacts: int = 0
    referrals: int = 0
    edges: dict[str, int] = field(default_factory=dict)

    def saw(self, edge: str) -> None:
        self.edges[edge] = self.edges.get(edge, 0) + 1


class World:
    """The authority being generated: its staff, calendar, clock limits and counters."""

    def __init__(self, cast: Cast, *, start: date, end: datetime, seed: int) -> None:
        self.cast = cast
        self.start = start
        self.end = end
        self.today = timezone.localdate(end)
        self.seed = seed
        self.calendar = WorkingCalendar.current()
        self.tally = Tally()
        self._serial = 0

    # Time ----------------------------------------------------------------------------------

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def working_day_on_or_after(self, day: date) -> date:
        while not self.calendar.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_days_after(self, moment: datetime | date, days: int, hour: int = 10) -> datetime:
        day = moment if not isinstance(moment, datetime) else timezone.localdate(moment)
        return self.at(self.calendar.add_working_days(day, days), hour)

    def next_morning(self, moment: datetime, rng: random.Random) -> datetime:
        """The next working day's morning, or later today in working hours."""
        day = timezone.localdate(moment)
        local = timezone.localtime(moment)
        if self.calendar.is_working_day(day) and local.hour < 16:
            return moment + timedelta(minutes=rng.randint(20, 90))
        return self.at(self.calendar.add_working_days(day, 1), 9, rng.randint(0, 50))

    # Invented identities -------------------------------------------------------------------

    def serial(self) -> int:
        self._serial += 1
        return self._serial

    def nhs_number(self) -> str:
        """A number in the 999 test range that passes the check (never a real patient's)."""
        while True:
            first_nine = f"999{(self.seed * 7919 + self.serial()) % 1_000_000:06d}"
            check = nhs_number_check_digit(first_nine)
            if check is not None:
                return f"{first_nine}{check}"

    def upn(self, born: date) -> str:
        """A permanent UPN: LA code, a school, the year the child started, a serial."""
        school = 2000 + self.serial() % 900
        started = (born.year + 5) % 100
        # Characters 2-4: the authority's census LA code.
        body = f"{settings.CIN_CENSUS_LA_CODE}{school:04d}{started:02d}{self.serial() % 1000:03d}"
        return upn_check_letter("A" + body) + body

    # Staff ---------------------------------------------------------------------------------

    def practitioner(self, rng: random.Random) -> User:
        return rng.choice(self.cast.practitioners)

    def manager(self, rng: random.Random) -> User:
        return rng.choice(self.cast.managers)

    def chair(self, rng: random.Random) -> User:
        return rng.choice(self.cast.chairs)


def plan_family(world: World, number: int, children: int, rng: random.Random) -> Family:
    """An invented family of `children` children (one may be unborn), first contacted at a
    random moment of the period: weekdays in working hours mostly, some at night, at
    weekends and on bank holidays."""
    surname = rng.choice(names.SURNAMES)
    span = (world.today - world.start).days
    # First contacts up to a few days before the end, so that every child is recorded.
    first_day = world.start + timedelta(days=rng.randrange(max(span - 4, 1)))
    first_contact = _contact_moment(world, first_day, rng)
    kids = []
    unborn = (children == 1 and rng.random() < 0.06) or (children > 1 and rng.random() < 0.08)
    oldest_age = rng.uniform(0.2, 17.0)
    taken: set[str] = set()

    def first_name(pool: tuple[str, ...]) -> str:
        name = rng.choice([name for name in pool if name not in taken])
        taken.add(name)
        return name

    for index in range(children):
        if unborn and index == children - 1:
            expected = first_day + timedelta(days=rng.randint(30, 150))
            kids.append(Kid(
                first_name=first_name(names.GIRLS + names.BOYS), sex=Sex.UNKNOWN, born=None,
                expected=expected, ethnicity=weighted(rng, ETHNICITIES), disabilities=[],
                nhs_number="", upn_unknown="",
            ))  # fmt: skip
            continue
        age = max(0.05, oldest_age - index * rng.uniform(1.0, 4.0))
        born = first_day - timedelta(days=int(age * 365.25))
        sex = rng.choice((Sex.MALE, Sex.FEMALE))
        disabled = rng.random() < 0.12
        kid = Kid(
            first_name=first_name(names.BOYS if sex == Sex.MALE else names.GIRLS), sex=sex,
            born=born, expected=None, ethnicity=weighted(rng, ETHNICITIES),
            disabilities=sorted(rng.sample(DISABILITIES, rng.randint(1, 2)))
            if disabled else [Disability.NONE],
            nhs_number=world.nhs_number(),
        )  # fmt: skip
        _school_identity(world, kid, first_day)
        kids.append(kid)
    return Family(
        number=number, surname=surname, mother_name=rng.choice(names.ADULTS),
        mother_born=first_day - timedelta(days=int(rng.uniform(19, 45) * 365.25)), kids=kids,
        address=f"{rng.randint(1, 90)} {rng.choice(names.STREETS)}, Generated Town",
        postcode=f"HM{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
        first_contact=first_contact, rng=rng,
    )  # fmt: skip


def _school_identity(world: World, kid: Kid, day: date) -> bool:
    """A UPN once the child is nearly of school age, else 'not yet of school age' (UN1).
    Returns whether it changed."""
    if kid.born is None or kid.upn:
        return False
    if kid.age_on(day) >= 3.5:
        kid.upn, kid.upn_unknown = world.upn(kid.born), ""
        return True
    if kid.upn_unknown != UPNUnknown.UN1:
        kid.upn_unknown = UPNUnknown.UN1
        return True
    return False


def _contact_moment(world: World, day: date, rng: random.Random) -> datetime:
    roll = rng.random()
    if roll < 0.12:  # out of hours: late evening or the night
        return world.at(day, rng.choice((19, 20, 21, 22, 23, 1, 2)), rng.randint(0, 59))
    return world.at(day, rng.randint(8, 17), rng.randint(0, 59))


# The journey ------------------------------------------------------------------------------


def family_journey(world: World, family: Family) -> Generator[datetime, None, None]:
    """The family's contacts, one after another, until the period ends (the clock stops
    the journey there, whatever is open)."""
    rng = family.rng
    moment = family.first_contact
    first = True
    while True:
        yield moment
        yield from _contact(world, family, moment, first=first)
        first = False
        # Another contact later: soon (a re-referral within 12 months) or much later.
        roll = rng.random()
        if roll < 0.35:
            gap = rng.randint(20, 330)
        elif roll < 0.55:
            gap = rng.randint(370, 900)
        else:
            return
        day = timezone.localdate(_now()) + timedelta(days=gap)
        moment = _contact_moment(world, day, rng)


def _now() -> datetime:
    return timezone.now()


def _details(kid: Kid, family: Family) -> dict:
    return {
        "first_name": kid.first_name, "last_name": family.surname,
        "date_of_birth": kid.born, "expected_date_of_birth": kid.expected, "sex": kid.sex,
        "ethnicity": kid.ethnicity, "disabilities": list(kid.disabilities),
        "nhs_number": kid.nhs_number, "upn": kid.upn, "upn_unknown": kid.upn_unknown,
        "address": family.address, "postcode": family.postcode,
    }  # fmt: skip


def _update(world: World, kid: Kid, family: Family, by: User) -> None:
    if kid.child is None:
        return
    kid.child = referral_services.child_update(
        by=by, child=kid.child, version=kid.child.version, **_details(kid, family)
    )


def _keep_identities_current(world: World, family: Family, by: User) -> None:
    """Births of unborn children whose day has come, and UPNs once of school age."""
    today = timezone.localdate()
    for kid in family.kids:
        if kid.child is None:
            continue
        changed = False
        if kid.expected is not None and kid.expected <= today:
            kid.born = kid.expected - timedelta(days=family.rng.randint(0, 10))
            kid.expected = None
            kid.sex = family.rng.choice((Sex.MALE, Sex.FEMALE))
            kid.disabilities = [Disability.NONE]
            kid.nhs_number = world.nhs_number()
            kid.upn_unknown = UPNUnknown.UN1
            world.tally.saw("born after a pre-birth referral")
            changed = True
        changed = _school_identity(world, kid, today) or changed
        if changed:
            _update(world, kid, family, by)


def _contact(world: World, family: Family, received: datetime, *, first: bool):
    rng = family.rng
    worker = world.practitioner(rng)
    concern_kind = rng.choice(tuple(names.CONCERNS))
    # Who the contact is about: every child known (the unborn child included before birth),
    # or one of them.
    on = timezone.localdate(received)
    present = [
        kid for kid in family.kids
        if (kid.born is not None and kid.born <= on and kid.age_on(on) < 17.5)
        or kid.expected is not None
    ]  # fmt: skip
    about = present if first or len(present) < 2 or rng.random() < 0.75 else [rng.choice(present)]
    if not about:
        return
    source = weighted(rng, SOURCES)
    local = timezone.localtime(received)
    if not world.calendar.is_working_day(local.date()):
        world.tally.saw("contact on a weekend or bank holiday")
        if local.date().weekday() < 5:
            world.tally.saw("contact on a bank holiday")
    outcome = _outcome(rng, concern_kind)
    in_hours = world.calendar.is_working_day(local.date()) and 8 <= local.hour < 18
    # Out of hours the contact waits for the next morning, unless it is urgent: then the
    # emergency duty team records it and the discussion is held that day, weekend or not.
    urgent_now = outcome == Outcome.STRATEGY_NOW and 8 <= local.hour < 20
    recorded_at = received if in_hours or urgent_now else world.next_morning(received, rng)
    if recorded_at != received:
        yield recorded_at
    children: list[dict] = [
        {"existing": kid.child.pk} if kid.child is not None else {"new": {
            "first_name": kid.first_name, "last_name": family.surname,
            "date_of_birth": kid.born.isoformat() if kid.born else "",
            "nhs_number": kid.nhs_number,
        }}
        for kid in about
    ]  # fmt: skip
    adults: list[dict] = [
        {"existing": family.mother.pk, "relationship": "mother"} if family.mother else {
            "new": {"first_name": family.mother_name, "last_name": family.surname,
                    "date_of_birth": family.mother_born.isoformat(), "nhs_number": ""},
            "relationship": "mother",
        }
    ]  # fmt: skip
    contact = referral_services.contact_record_from_wizard(
        by=worker,
        details={
            "received_date": local.date(), "received_time": local.time().replace(second=0),
            "taken_by": worker, "source": source,
            "concern": rng.choice(names.CONCERNS[concern_kind]),
            "consent": rng.choice((ConsentPosition.GIVEN, ConsentPosition.GIVEN,
                                   ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE)),
            "urgent": False, "referrer_name": "Generated referrer",
            "referrer_role": "Referrer", "referrer_agency": "Generated agency",
            "referrer_contact": "",
        },
        children=children, adults=adults,
    )  # fmt: skip
    world.tally.contacts += 1
    contact_children = {cc.child_id: cc for cc in contact.children.all()}
    new_kids = [kid for kid in about if kid.child is None]
    by_name = {child.first_name: child for child in Child.objects.filter(
        pk__in=contact_children, first_name__in=[kid.first_name for kid in new_kids],
        last_name=family.surname,
    )}  # fmt: skip
    for kid in new_kids:
        kid.child = by_name[kid.first_name]
        _update(world, kid, family, worker)
        world.tally.children += 1
        if kid.expected is not None:
            world.tally.saw("unborn child")
        if kid.disabilities and kid.disabilities != [Disability.NONE]:
            world.tally.saw("disabled child")
    if family.mother is None:
        family.mother = Person.objects.filter(
            relationships__child=about[0].child, last_name=family.surname
        ).first()
    if first and about[0].child is not None:
        referral_services.household_add(
            by=worker, child=about[0].child, address=family.address, postcode=family.postcode,
            people=[family.mother] if family.mother else [],
            children=[kid.child for kid in about if kid.child is not None][1:],
        )  # fmt: skip
        if len([k for k in about if k.born]) > 1:
            world.tally.saw("siblings")
    _keep_identities_current(world, family, worker)

    # The decision for each child: the same for brothers and sisters, mostly.
    outcomes = {
        kid.child.pk: outcome if rng.random() < 0.85 or outcome == Outcome.STRATEGY_NOW
        else rng.choice((Outcome.ADVICE, Outcome.EARLY_HELP))
        for kid in about if kid.child is not None
    }  # fmt: skip
    if outcome != Outcome.STRATEGY_NOW and rng.random() < 0.08:
        # Screening took longer than the working day it should take.
        yield world.working_days_after(recorded_at, rng.randint(2, 4), hour=rng.randint(9, 16))
        world.tally.saw("late contact decision")
    else:
        yield recorded_at + timedelta(hours=rng.randint(1, 5))
    level: dict[str, int] = {
        Outcome.NO_FURTHER_ACTION: 1, Outcome.ADVICE: 1, Outcome.EARLY_HELP: 2,
        Outcome.REFERRAL: 3, Outcome.STRATEGY_NOW: 4, Outcome.LADO: 3,
    }  # fmt: skip
    for child_id, contact_child in contact_children.items():
        chosen = outcomes[child_id]
        closing = chosen in (Outcome.NO_FURTHER_ACTION, Outcome.ADVICE, Outcome.EARLY_HELP)
        referral_services.decision_propose(
            by=worker, contact_child=contact_child, outcome=chosen,
            level_of_need=world.cast.levels[level[chosen]],
            rationale=rng.choice(names.RATIONALES), childs_voice=rng.choice(names.VOICES),
            safety_reason="Any open work of the family was read: this outcome is safe."
            if closing else "",
        )  # fmt: skip
    urgent = [cid for cid, chosen in outcomes.items() if chosen == Outcome.STRATEGY_NOW]
    manager = world.manager(rng)
    referrals: list[tuple[Kid, Referral]] = []
    kid_of = {kid.child.pk: kid for kid in about if kid.child is not None}
    if urgent:
        # The urgent path: the referrals exist at once; the discussion is convened the same
        # day, before the sign-off (DESIGN.md).
        referrals = [
            (kid_of[cid], Referral.objects.get(contact_child=contact_children[cid]))
            for cid in urgent
        ]
        world.tally.saw("urgent strategy discussion")
    yield _now() + timedelta(hours=rng.randint(1, 3))
    discussion_moment = discussion = None
    if urgent:
        discussion_moment = _now() + timedelta(hours=rng.randint(1, 4))
        discussion = _convene(world, rng, [r for _, r in referrals], discussion_moment, worker)
        world.tally.saw("strategy discussion convened")
    for child_id, contact_child in contact_children.items():
        referral_services.decision_sign_off(
            by=manager, contact_child=ContactChild.objects.get(pk=contact_child.pk)
        )
        if outcomes[child_id] == Outcome.REFERRAL:
            referrals.append((kid_of[child_id],
                              Referral.objects.get(contact_child_id=contact_child.pk)))  # fmt: skip
    world.tally.referrals += len(referrals)
    yield _now() + timedelta(hours=rng.randint(1, 30))
    for child_id, contact_child in contact_children.items():
        closing = outcomes[child_id] in (
            Outcome.NO_FURTHER_ACTION,
            Outcome.ADVICE,
            Outcome.EARLY_HELP,
        )
        current = referral_services.feedback_record(
            by=worker, contact_child=ContactChild.objects.get(pk=contact_child.pk),
            feedback_given=True, feedback_note="The referrer was told the outcome by phone.",
            family_told=True if closing else None,
            family_note="The parent was told by phone." if closing else "",
        )  # fmt: skip
        referral_services.contact_child_close(by=worker, contact_child=current)
    if not referrals:
        return
    if discussion is not None and discussion_moment is not None:
        yield from _urgent_episode(world, family, referrals, discussion, discussion_moment)
    else:
        yield from _episode(world, family, referrals, concern_kind)


def _outcome(rng: random.Random, concern_kind: str) -> str:
    roll = rng.random()
    serious = concern_kind in ("physical", "sexual")
    if serious and roll < 0.25:
        return Outcome.STRATEGY_NOW
    if roll < 0.45:
        return Outcome.REFERRAL
    if roll < 0.62:
        return Outcome.NO_FURTHER_ACTION
    if roll < 0.8:
        return Outcome.ADVICE
    return Outcome.EARLY_HELP


# The referral's episode -------------------------------------------------------------------


def _convene(world: World, rng: random.Random, referrals, when: datetime, by: User):
    agencies = [world.cast.council, world.cast.police, world.cast.health]
    if rng.random() < 0.3:
        agencies.append(world.cast.school)
    cause = min(r.contact_child.contact.received_at for r in referrals)
    return strategy_services.discussion_convene(
        by=by, referrals=referrals, scheduled_for=when,
        format=rng.choice(DiscussionFormat.values), chair=world.manager(rng), agencies=agencies,
        cause_known_at=min(cause, _now()), sharing_terms=SHARING_TERMS,
    )  # fmt: skip


def _next_steps(world: World, rng: random.Random, referrals, next_steps: str, need: str):
    worker, manager = world.practitioner(rng), world.manager(rng)
    for _, referral in referrals:
        referral_services.referral_next_steps_propose(
            by=worker, referral=referral, next_steps=next_steps,
            primary_need="" if next_steps == NextSteps.NO_FURTHER_ACTION else need,
            rationale=rng.choice(names.RATIONALES),
            safety_reason="The family's open work was read: no further action is safe."
            if next_steps == NextSteps.NO_FURTHER_ACTION else "",
        )  # fmt: skip
        referral_services.referral_next_steps_sign_off(by=manager, referral=referral)
        team = rng.choice(world.cast.teams)
        referral_services.allocation_set(
            by=team.manager, child=referral.child, team=team, worker=worker
        )


def _episode(world: World, family: Family, referrals, concern_kind: str):
    rng = family.rng
    need = NEED_BY_CONCERN.get(concern_kind) or rng.choice(FAMILY_NEEDS)
    if rng.random() < 0.1 and concern_kind == "family":
        need = PrimaryNeed.N2 if any(k.disabilities != [Disability.NONE] for k, _ in referrals) \
            else need  # fmt: skip
    yield world.working_days_after(_now(), rng.choice((0, 1, 1, 1, 2)), hour=rng.randint(9, 15))
    roll = rng.random()
    if roll < 0.1:
        _next_steps(world, rng, referrals, NextSteps.NO_FURTHER_ACTION, "")
        world.tally.saw("referral NFA")
        yield _now() + timedelta(hours=2)
        for _, referral in referrals:
            referral_services.referral_close(
                by=world.manager(rng), referral=referral, reason=ReasonForClosure.RC7,
                on=timezone.localdate(),
            )  # fmt: skip
        return
    if roll < 0.35 or (concern_kind in ("physical", "sexual") and roll < 0.8):
        _next_steps(world, rng, referrals, NextSteps.STRATEGY_DISCUSSION, need)
        yield world.working_days_after(_now(), rng.choice((0, 1, 1)), hour=9)
        held = world.at(timezone.localdate(), rng.randint(10, 15))
        discussion = _convene(world, rng, [r for _, r in referrals], held, world.practitioner(rng))
        yield from _strategy(world, family, referrals, discussion, held, concern_kind)
    else:
        _next_steps(world, rng, referrals, NextSteps.ASSESSMENT, need)
        world.tally.saw("assessment")
        yield from _assessment_and_after(world, family, referrals, concern_kind)


def _urgent_episode(world, family, referrals, discussion, held: datetime):
    """The discussion convened on the urgent path is held (on its day, even a Saturday), then
    the referrals' next steps are recorded as the discussion."""
    yield held
    if timezone.localdate(held).weekday() >= 5:
        world.tally.saw("strategy discussion on a weekend")
    concern = "physical"
    yield from _strategy(world, family, referrals, discussion, held, concern, urgent=True)


def _strategy(world, family, referrals, discussion, held: datetime, concern: str, *,
              urgent: bool = False, enquire: bool = False):  # fmt: skip
    """Hold and record the discussion, sign it off; each child's section 47 enquiry follows."""
    rng = family.rng
    worker = world.practitioner(rng)
    yield held
    if rng.random() < 0.04:
        strategy_services.discussion_cancel(
            by=worker, discussion=discussion,
            reason="The police officer was called to an emergency; convened again.",
        )  # fmt: skip
        world.tally.saw("discussion cancelled")
        held = held + timedelta(hours=rng.randint(2, 5))
        discussion = _convene(world, rng, [r for _, r in referrals], held, worker)
        yield held
    absent_health = rng.random() < 0.1
    attendance = [
        strategy_services.AttendanceRecord(
            participant_id=p.pk,
            attendance=Attendance.APOLOGIES if absent_health and p.agency_id == world.cast.health.pk
            else Attendance.ATTENDED,
            attendees="" if absent_health and p.agency_id == world.cast.health.pk
            else "Named lead for the agency",
            absence_reason="The named nurse was on leave; the GP's information was shared."
            if absent_health and p.agency_id == world.cast.health.pk else "",
            contribution="What the agency knows of the family was shared.",
        )
        for p in discussion.participants.select_related("agency")
    ]  # fmt: skip
    outcomes = {}
    for child in discussion.children.order_by("pk"):
        roll = rng.random()
        outcomes[child.pk] = (
            DiscussionOutcome.SECTION_47_JOINT if roll < 0.35
            else DiscussionOutcome.SECTION_47_SINGLE if roll < 0.85 or enquire
            else DiscussionOutcome.ASSESSMENT
        )  # fmt: skip
    decisions = [
        strategy_services.ChildDecision(discussion_child_id=pk, outcome=o,
                                        rationale=rng.choice(names.RATIONALES))
        for pk, o in outcomes.items()
    ]  # fmt: skip
    discussion = strategy_services.discussion_record(
        by=worker, discussion=discussion, version=discussion.version, attendance=attendance,
        decisions=decisions, held_at=held, other_children="None known.", history_reviewed=True,
        history_note="Chronology read.", childs_views=rng.choice(names.VOICES),
        risk_analysis="Risk of significant harm considered for each child.",
        police_plan="Police to check records and join the visit.",
        safety_plan="The children are seen within a day; the parent agrees to the plan.",
        legal_action="None now.", family_told=True, family_note="Told by the social worker.",
    )  # fmt: skip
    discussion = strategy_services.discussion_mark_held(by=worker, discussion=discussion)
    if urgent:
        _next_steps(world, rng, referrals, NextSteps.STRATEGY_DISCUSSION, PrimaryNeed.N1)
    yield _now() + timedelta(hours=rng.randint(1, 20))
    strategy_services.discussion_sign_off(by=world.manager(rng), discussion=discussion)
    world.tally.saw("strategy discussion held")
    yield from _enquiries(world, family, referrals, concern)


def _enquiries(world, family, referrals, concern: str):
    rng = family.rng
    enquiries = [
        Section47.objects.open().filter(referral=referral).first() for _, referral in referrals
    ]
    if any(enquiry is not None for enquiry in enquiries):
        world.tally.saw("section 47 enquiry")
    # The outcome within a few weeks.
    yield world.working_days_after(_now(), rng.randint(4, 14), hour=rng.randint(9, 16))
    worker, manager = world.practitioner(rng), world.manager(rng)
    outcomes = {}
    for enquiry in enquiries:
        if enquiry is None:
            continue
        roll = rng.random()
        outcome = (
            EnquiryOutcome.NOT_SUBSTANTIATED if roll < 0.4
            else EnquiryOutcome.NO_CONTINUING_RISK if roll < 0.62
            else EnquiryOutcome.CONTINUING_RISK
        )  # fmt: skip
        strategy_services.section47_outcome_propose(
            by=worker, section47=enquiry, outcome=outcome, rationale=rng.choice(names.RATIONALES)
        )
        outcomes[enquiry.pk] = outcome
    yield _now() + timedelta(hours=rng.randint(1, 6))
    for enquiry in enquiries:
        if enquiry is not None:
            strategy_services.section47_outcome_sign_off(
                by=manager, section47=Section47.objects.get(pk=enquiry.pk)
            )
            if outcomes[enquiry.pk] != EnquiryOutcome.CONTINUING_RISK:
                world.tally.saw("enquiry closed without a conference")
    conference_for = [e for e in enquiries if e is not None and
                      outcomes[e.pk] == EnquiryOutcome.CONTINUING_RISK]  # fmt: skip
    if conference_for:
        start = conference_for[0].start_date
        late = rng.random() < 0.18
        days = rng.randint(16, 25) if late else rng.randint(8, 15)
        day = world.calendar.add_working_days(start, days)
        yield world.at(max(day, timezone.localdate()), rng.randint(9, 14))
        day = world.working_day_on_or_after(timezone.localdate())
        if day != timezone.localdate():
            yield world.at(day, 10)
        chair = world.chair(rng)
        category = names.CATEGORY_OF_CONCERN.get(concern) or rng.choice(("NEG", "EMO"))
        for enquiry in conference_for:
            plan = rng.random() < 0.78
            strategy_services.conference_record(
                by=chair, section47=Section47.objects.get(pk=enquiry.pk),
                held_on=timezone.localdate(),
                agencies=[world.cast.council, world.cast.police, world.cast.health],
                plan=plan, category=category if plan else "",
                summary="The conference's decision and reasons were recorded.",
            )  # fmt: skip
            world.tally.saw("conference with a plan" if plan else "conference without a plan")
            if timezone.localdate() > enquiry.conference_due:
                world.tally.saw("conference after its target")
    yield from _assessment_and_after(world, family, referrals, concern)


def _factors(rng: random.Random, concern: str, nothing_found: bool) -> list[str]:
    if nothing_found:
        return [AssessmentFactor.F21]
    pool = list(FACTORS_BY_CONCERN[concern])
    return rng.sample(pool, rng.randint(1, min(3, len(pool))))


def _assessment_and_after(world, family, referrals, concern: str):
    """Complete and authorise each open assessment; then the plan's life, or more work on
    the same referral, and the referral's closure."""
    rng = family.rng
    late = rng.random() < 0.14
    days = rng.randint(46, 70) if late else rng.randint(8, 44)
    referral_day = min(r.referral_date for _, r in referrals)
    due = world.calendar.add_working_days(referral_day, days)
    yield world.at(max(due, timezone.localdate()), rng.randint(9, 16))
    worker = world.practitioner(rng)
    # "No factors identified" (21), then closure after assessment (RC8, RC9), only where no
    # section 47 enquiry was made on the referral: census rule 2990 allows no such activity.
    enquired = Section47.objects.filter(referral__in=[r for _, r in referrals]).exists()
    nothing_found = not enquired and rng.random() < 0.3
    open_assessments = []
    for _, referral in referrals:
        assessment = Assessment.objects.filter(
            referral=referral, state=AssessmentState.OPEN
        ).first()
        if assessment is None:
            continue
        referral_services.assessment_complete(
            by=worker, assessment=assessment, factors=_factors(rng, concern, nothing_found),
            analysis="The assessment's analysis of needs and risks.", version=assessment.version,
        )  # fmt: skip
        open_assessments.append(assessment)
    yield world.working_days_after(_now(), rng.randint(1, 3), hour=rng.randint(9, 16))
    manager = world.manager(rng)
    for assessment in open_assessments:
        referral_services.assessment_authorise(
            by=manager, assessment=Assessment.objects.get(pk=assessment.pk)
        )
        if late:
            world.tally.saw("assessment authorised after 45 working days")
    plans = [
        ChildProtectionPlan.objects.open().filter(child_id=referral.child_id).first()
        for _, referral in referrals
    ]
    if any(plans):
        yield from _plan_life(world, family, referrals, plans)
        return
    # Children in need: support for some months, or closed now.
    roll = rng.random()
    if roll < 0.2:
        # New concerns during the work: another discussion and enquiry on the same referral.
        yield _now() + timedelta(days=rng.randint(10, 60))
        held = world.at(world.working_day_on_or_after(timezone.localdate()), 11)
        yield held
        open_referrals = [(k, Referral.objects.get(pk=r.pk)) for k, r in referrals]
        discussion = _convene(world, rng, [r for _, r in open_referrals], held,
                              world.practitioner(rng))  # fmt: skip
        world.tally.saw("another discussion on the same referral")
        yield from _strategy(world, family, open_referrals, discussion, held, concern,
                             enquire=True)  # fmt: skip
        return
    if nothing_found:
        reason = rng.choice((ReasonForClosure.RC8, ReasonForClosure.RC9))
        yield world.working_days_after(_now(), rng.randint(1, 5), hour=15)
    else:
        reason = rng.choice((ReasonForClosure.RC7, ReasonForClosure.RC7, ReasonForClosure.RC3,
                             ReasonForClosure.RC5, ReasonForClosure.RC4))  # fmt: skip
        yield _closure_moment(world, rng, _now() + timedelta(days=rng.randint(30, 300)))
    _close(world, rng, referrals, reason)


def _closure_moment(world: World, rng: random.Random, moment: datetime) -> datetime:
    """Most closures on the day the work ends; some exactly on the census year's boundary
    (31 March, or 1 April), whatever day of the week that is."""
    day = timezone.localdate(moment)
    year = day.year if day <= date(day.year, 3, 31) else day.year + 1
    boundary = date(year, 3, 31) if rng.random() < 0.5 else date(year, 4, 1)
    if (boundary - day).days <= 75 and rng.random() < 0.5:
        day = boundary
    return world.at(day, 16)


def _close(world, rng, referrals, reason: str, plan_end_reason: str = "") -> None:
    today = timezone.localdate()
    if (today.month, today.day) == (3, 31):
        world.tally.saw("closed on 31 March")
    if (today.month, today.day) == (4, 1):
        world.tally.saw("closed on 1 April")
    manager = world.manager(rng)
    for _, referral in referrals:
        referral_services.referral_close(
            by=manager, referral=Referral.objects.get(pk=referral.pk), reason=reason, on=today,
            plan_end_reason=plan_end_reason,
        )  # fmt: skip


def _plan_life(world, family, referrals, plans):
    """Reviewed within 3 months, then every 6; ended after months to two years."""
    rng = family.rng
    open_plans = [plan for plan in plans if plan is not None]
    start = open_plans[0].start_date
    length = rng.choice((2, 4, 7, 9, 12, 15, 20))
    end_day = add_months(start, length)
    review = add_months(start, 3)
    while review < end_day:
        yield world.at(world.working_day_on_or_after(review), 13)
        chair = world.chair(rng)
        for plan in open_plans:
            current = ChildProtectionPlan.objects.get(pk=plan.pk)
            category = current.latest_category if rng.random() < 0.8 else rng.choice(
                ("NEG", "EMO", "PHY"))  # fmt: skip
            strategy_services.plan_review_record(
                by=chair, plan=current, reviewed_on=timezone.localdate(), category=category,
                note="Progress against the plan reviewed.",
            )  # fmt: skip
        world.tally.saw("plan reviewed")
        review = add_months(review, 6)
    yield _closure_moment(world, rng, world.at(end_day, 12))
    if rng.random() < 0.5:
        for plan in open_plans:
            strategy_services.plan_end(
                by=world.chair(rng), plan=ChildProtectionPlan.objects.get(pk=plan.pk),
                on=timezone.localdate(), reason="The plan's aims are met.",
            )  # fmt: skip
        world.tally.saw("plan ended")
        yield _now() + timedelta(days=rng.randint(14, 120))
        _close(world, rng, referrals, ReasonForClosure.RC7)
    else:
        _close(
            world,
            rng,
            referrals,
            ReasonForClosure.RC7,
            plan_end_reason="The plan ends as the child is no longer in need of one.",
        )
        world.tally.saw("plan ended")
